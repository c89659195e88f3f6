//! What a person sees while a phase runs: a progress bar with a three-line dashboard under
//! it on a terminal, plain status lines in logs (rdbtune's, or YCSB's own format), and a
//! line when an alert starts or clears. [`LiveView`] is a [`PhaseObserver`].

use crate::engine::size::human_bytes;
use crate::model::IntervalRow;
use crate::runner::{AlertChange, PhaseObserver, PhaseStart, Second};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt::Write as _;

/// How a phase is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    /// Nothing (quiet runs, or output that must stay clean).
    Quiet,
    /// A progress bar and the dashboard, redrawn in place (stderr is a terminal).
    Dashboard,
    /// An rdbtune status line every N seconds of the phase (0: none).
    Status(u64),
    /// YCSB's status line every N seconds (`rdbtune ycsb`), with per-op p99.
    YcsbStatus(u64),
}

/// The live view of one phase at a time.
pub struct LiveView {
    display: Display,
    /// Print a line when an alert starts or clears.
    print_alerts: bool,
    /// Draw under this multi-bar (a scenario's trial bar) instead of alone.
    multi: Option<MultiProgress>,
    bar: ProgressBar,
    by_time: bool,
}

impl LiveView {
    pub fn new(display: Display, print_alerts: bool, multi: Option<MultiProgress>) -> Self {
        LiveView {
            display,
            print_alerts,
            multi,
            bar: ProgressBar::hidden(),
            by_time: false,
        }
    }

    /// Prints a line on stderr without tearing the bar.
    fn say(&self, line: &str) {
        self.bar.suspend(|| eprintln!("{line}"));
    }
}

impl PhaseObserver for LiveView {
    fn start(&mut self, p: &PhaseStart<'_>) {
        self.by_time = p.total_ops.is_none();
        if self.display != Display::Dashboard {
            self.bar = ProgressBar::hidden();
            return;
        }
        let bar = match (p.total_ops, p.duration) {
            (Some(n), _) => {
                let b = ProgressBar::new(n);
                b.set_style(
                    ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} ops ({per_sec}, ETA {eta})\n{msg}")
                        .expect("valid template"),
                );
                b
            }
            (None, Some(d)) => {
                let b = ProgressBar::new(d.as_secs().max(1));
                b.set_style(
                    ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} s\n{msg}",
                    )
                    .expect("valid template"),
                );
                b
            }
            (None, None) => ProgressBar::new_spinner(),
        };
        bar.set_message(format!("  {}: waiting for the first full second", p.label));
        self.bar = match &self.multi {
            Some(m) => m.add(bar),
            None => {
                bar.set_draw_target(ProgressDrawTarget::stderr());
                bar
            }
        };
    }

    fn progress(&mut self, total_ops: u64) {
        if !self.by_time {
            self.bar.set_position(total_ops);
        }
    }

    fn second(&mut self, s: &Second<'_>) {
        let secs = s.row.t_s as u64;
        if self.by_time {
            self.bar.set_position(secs);
        }
        match self.display {
            Display::Dashboard => self
                .bar
                .set_message(dashboard(s.label, s.row, s.active_alerts)),
            Display::Status(e) if e > 0 && secs % e == 0 => {
                self.say(&status_line(s.label, s.row, s.total_ops))
            }
            Display::YcsbStatus(e) if e > 0 && secs % e == 0 => {
                self.say(&ycsb_status_line(secs, s))
            }
            _ => {}
        }
    }

    fn alert(&mut self, label: &str, c: &AlertChange) {
        if self.print_alerts {
            self.say(&alert_line(label, c));
        }
    }

    fn finish(&mut self) {
        self.bar.finish_and_clear();
        if let Some(m) = &self.multi {
            m.remove(&self.bar);
        }
        self.bar = ProgressBar::hidden();
    }

    fn wants_per_kind(&self) -> bool {
        matches!(self.display, Display::YcsbStatus(_))
    }
}

/// YCSB's status line: `10 sec: 12345 operations; 1234 current ops/sec; ...`.
pub fn ycsb_status_line(secs: u64, s: &Second<'_>) -> String {
    let mut p99s: Vec<String> = s
        .per_kind_p99_us
        .iter()
        .map(|(k, p99)| format!("{} p99 {p99:.1} µs", k.ycsb_label()))
        .collect();
    if p99s.is_empty() {
        p99s.push("no ops completed".into());
    }
    format!(
        "{secs} sec: {} operations; {} current ops/sec; second {secs}: {}",
        s.total_ops,
        s.row.ops,
        p99s.join(", ")
    )
}

/// The line printed when an alert starts or clears.
pub fn alert_line(label: &str, change: &AlertChange) -> String {
    match change {
        AlertChange::Started(ev, v) => format!(
            "ALERT {} started in {label} at {:.0} s: {} = {}",
            ev.rule,
            ev.started_t_s,
            ev.metric.name(),
            ev.metric.show(*v)
        ),
        AlertChange::Cleared(ev) => format!(
            "ALERT {} cleared in {label} at {:.0} s after {:.0} s (worst {})",
            ev.rule,
            ev.cleared_t_s.unwrap_or(0.0),
            ev.cleared_t_s.unwrap_or(0.0) - ev.started_t_s,
            ev.metric.show(ev.worst)
        ),
    }
}

fn pct(r: Option<f64>) -> String {
    r.map_or("-".into(), |r| format!("{:.1}%", r * 100.0))
}

/// The dashboard under the progress bar: three lines about the last full second.
pub fn dashboard(label: &str, row: &IntervalRow, active: &[String]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "  {label}, second {:.0}: {:.0} ops/s, p50 {:.1} µs, p99 {:.1} µs, block cache hit {}",
        row.t_s,
        row.ops_per_sec,
        row.p50_us,
        row.p99_us,
        pct(row.cache_hit_rate)
    );
    let _ = writeln!(
        s,
        "  compaction: {} pending, {} running; flushes running {}; memtables {}; RSS {} (RocksDB {})",
        human_bytes(row.pending_compaction_bytes),
        row.running_compactions,
        row.running_flushes,
        human_bytes(row.memtable_bytes),
        human_bytes(row.rss_bytes),
        human_bytes(row.rocksdb_mem_bytes)
    );
    let _ = write!(
        s,
        "  writes {}, stalled {:.1}% of the second; alerts: {}",
        row.write_state(),
        row.stall_percent(1.0),
        if active.is_empty() {
            "none".to_string()
        } else {
            active.join(", ")
        }
    );
    s
}

/// One plain status line (stderr is not a terminal).
pub fn status_line(label: &str, row: &IntervalRow, total_ops: u64) -> String {
    format!(
        "[{label} {:.0} s] {total_ops} ops so far; last second: {:.0} ops/s, p50 {:.1} µs, p99 {:.1} µs, block cache hit {}, pending compaction {}, compactions/flushes running {}/{}, memtables {}, RSS {}, writes {}",
        row.t_s,
        row.ops_per_sec,
        row.p50_us,
        row.p99_us,
        pct(row.cache_hit_rate),
        human_bytes(row.pending_compaction_bytes),
        row.running_compactions,
        row.running_flushes,
        human_bytes(row.memtable_bytes),
        human_bytes(row.rss_bytes),
        row.write_state()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IntervalRow;

    fn row(t: f64, p99: f64, rss: u64) -> IntervalRow {
        IntervalRow {
            t_s: t,
            ops: 100,
            ops_per_sec: 100.0,
            p50_us: 1.0,
            p99_us: p99,
            rss_bytes: rss,
            ..IntervalRow::default()
        }
    }

    #[test]
    fn dashboard_and_status_lines_name_their_units() {
        let mut r = row(12.0, 88.0, 300 << 20);
        r.cache_hit_rate = Some(0.972);
        r.write_delayed = true;
        r.stall_causes = Some("l0-file-count-limit-delays".into());
        let d = dashboard("fillrandom", &r, &["p99_us > 50.0 µs".into()]);
        assert_eq!(d.lines().count(), 3);
        for needle in [
            "second 12",
            "ops/s",
            "p99 88.0 µs",
            "97.2%",
            "RSS 300.0 MiB",
            "delayed (l0-file-count-limit-delays)",
            "alerts: p99_us > 50.0 µs",
        ] {
            assert!(d.contains(needle), "{needle} missing in {d}");
        }
        let s = status_line("fillrandom", &r, 1234);
        assert!(
            s.starts_with("[fillrandom 12 s] 1234 ops so far") && s.contains("p99 88.0 µs"),
            "{s}"
        );
    }
}
