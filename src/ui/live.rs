//! What a person sees while a phase runs: a progress bar with a three-line dashboard under
//! it on a terminal, plain status lines in logs (rdbtune's, or YCSB's own format), and a
//! line when an alert starts or clears. [`LiveView`] is a [`PhaseObserver`].

use crate::engine::size::human_bytes;
use crate::model::IntervalRow;
use crate::runner::{AlertChange, PhaseObserver, PhaseStart, Second};
use crate::workload::OpKind;
use hdrhistogram::Histogram;
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
    /// Upstream YCSB's status line every N seconds (`rdbtune ycsb`), with per-op
    /// latency summaries over the interval.
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
    /// YCSB status lines: the ops the phase is bounded by, the per-kind histograms since the
    /// last line, and the ops and time of the last line.
    ycsb: YcsbStatusState,
}

/// What upstream's StatusThread keeps between two lines.
#[derive(Default)]
struct YcsbStatusState {
    todo: Option<u64>,
    kinds: Vec<(OpKind, Histogram<u64>)>,
    last_ops: u64,
    last_s: f64,
    total_ops: u64,
    secs: f64,
}

impl LiveView {
    pub fn new(display: Display, print_alerts: bool, multi: Option<MultiProgress>) -> Self {
        LiveView {
            display,
            print_alerts,
            multi,
            bar: ProgressBar::hidden(),
            by_time: false,
            ycsb: YcsbStatusState::default(),
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
        self.ycsb = YcsbStatusState {
            todo: p.total_ops,
            ..Default::default()
        };
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
        self.ycsb.total_ops = total_ops;
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
            Display::YcsbStatus(e) => {
                self.ycsb.total_ops = s.total_ops;
                self.ycsb.secs = s.row.t_s;
                if e > 0 && secs % e == 0 {
                    let line = self.ycsb.line(false);
                    self.say(&line);
                }
            }
            _ => {}
        }
    }

    fn histograms(&mut self, _start_s: f64, span_s: f64, per_kind: &[(OpKind, Histogram<u64>)]) {
        if let Display::YcsbStatus(_) = self.display {
            for (k, h) in per_kind {
                match self.ycsb.kinds.iter_mut().find(|(kk, _)| kk == k) {
                    Some((_, mine)) => mine.add(h).expect("same bounds"),
                    None => self.ycsb.kinds.push((*k, h.clone())),
                }
            }
            // The last partial second comes after the last full one.
            self.ycsb.secs = self.ycsb.secs.max(_start_s + span_s);
        }
    }

    fn alert(&mut self, label: &str, c: &AlertChange) {
        if self.print_alerts {
            self.say(&alert_line(label, c));
        }
    }

    fn finish(&mut self) {
        if let Display::YcsbStatus(e) = self.display {
            // Upstream's StatusThread prints once more when the client threads are done.
            if e > 0 && (self.ycsb.secs > self.ycsb.last_s || !self.ycsb.kinds.is_empty()) {
                let line = self.ycsb.line(true);
                self.say(&line);
            }
        }
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

impl YcsbStatusState {
    /// Upstream's status line (StatusThread): `<date> <s> sec: <n> operations; <x> current
    /// ops/sec; est completion in <t> [READ: Count=.., Max=.., Min=.., Avg=.., 50=.., 90=..,
    /// 99=.., 99.9=.., 99.99=..] ...`, latencies in µs over the interval since the last
    /// line. The counts are of the phase's operations (upstream's [READ] line counts only
    /// the OK ones).
    fn line(&mut self, last: bool) -> String {
        let secs = self.secs;
        let total = if last {
            self.total_ops.max(self.last_ops)
        } else {
            self.total_ops
        };
        let span = (secs - self.last_s).max(1e-3);
        let cur = (total - self.last_ops.min(total)) as f64 / span;
        let mut o = format!(
            "{} {} sec: {total} operations; ",
            java_date_now(),
            secs as u64
        );
        if total != 0 {
            let _ = write!(o, "{} current ops/sec; ", decimal_2(cur));
        }
        if let Some(todo) = self
            .todo
            .map(|t| t.saturating_sub(total))
            .filter(|t| *t > 0)
        {
            if !last {
                let rate = total as f64 / secs.max(1e-3);
                let left = if rate > 0.0 {
                    (todo as f64 / rate).ceil() as u64
                } else {
                    0
                };
                let _ = write!(o, "est completion in {}", remaining(left));
            }
        }
        // Upstream's order: its measurements map's.
        self.kinds
            .sort_by_key(|(k, _)| (crate::model::ycsb::chm_bin(k.ycsb_label(), 16), *k));
        for (k, h) in &self.kinds {
            // Whole µs, as upstream's histograms hold them, and its percentile rule.
            let h = crate::model::ycsb::us_histogram(h);
            let p = |q: f64| crate::model::ycsb::java_value_at_percentile(&h, q);
            let _ = write!(
                o,
                "[{}: Count={}, Max={}, Min={}, Avg={}, 50={}, 90={}, 99={}, 99.9={}, 99.99={}] ",
                k.ycsb_label(),
                h.len(),
                h.max(),
                h.min(),
                decimal_2(crate::model::ycsb::java_mean(&h)),
                p(50.0),
                p(90.0),
                p(99.0),
                p(99.9),
                p(99.99),
            );
        }
        self.kinds.clear();
        self.last_ops = total;
        self.last_s = secs;
        o
    }
}

/// Java's `DecimalFormat("#.##")`: at most two decimals, half-even, no trailing zeros.
pub fn decimal_2(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else {
            "∞".into()
        };
    }
    let s = format!("{:.2}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".into()
    } else {
        s.into()
    }
}

/// Upstream's RemainingFormatter: days, hours, minutes under a day, seconds only when
/// nothing else was printed (its quirk: "5 second ", "42 seconds ").
pub fn remaining(mut seconds: u64) -> String {
    let mut t = String::new();
    let days = seconds / 86_400;
    if days > 0 {
        let _ = write!(t, "{days} {} ", if days == 1 { "day" } else { "days" });
        seconds -= days * 86_400;
    }
    let hours = seconds / 3600;
    if hours > 0 {
        let _ = write!(t, "{hours} {} ", if hours == 1 { "hour" } else { "hours" });
        seconds -= hours * 3600;
    }
    if days < 1 {
        let minutes = seconds / 60;
        if minutes > 0 {
            let _ = write!(
                t,
                "{minutes} {} ",
                if minutes == 1 { "minute" } else { "minutes" }
            );
            seconds -= minutes * 60;
        }
    }
    if t.is_empty() {
        let n = seconds.to_string();
        let unit = if n.len() == 1 { "second" } else { "seconds" };
        let _ = write!(t, "{n} {unit} ");
    }
    t
}

/// The local time as upstream's `SimpleDateFormat("yyyy-MM-dd HH:mm:ss:SSS")`.
fn java_date_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let t = now.as_secs() as libc::time_t;
    // SAFETY: localtime_r writes into the tm we own; t is a valid time_t.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    unsafe { libc::localtime_r(&t, &mut tm) };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}:{:03}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        now.subsec_millis()
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

    /// Upstream's RemainingFormatter and DecimalFormat("#.##"), checked on a JVM.
    #[test]
    fn ycsb_status_numbers_print_as_upstream() {
        for (secs, want) in [
            (0, "0 second "),
            (59, "59 seconds "),
            (119, "1 minute "),
            (3661, "1 hour 1 minute "),
            (90061, "1 day 1 hour "),
        ] {
            assert_eq!(remaining(secs), want);
        }
        for (x, want) in [
            (800.0, "800"),
            (12.345, "12.35"),
            (0.5, "0.5"),
            (5000.1, "5000.1"),
        ] {
            assert_eq!(decimal_2(x), want);
        }
        let mut st = YcsbStatusState {
            todo: Some(1000),
            secs: 10.0,
            total_ops: 500,
            ..Default::default()
        };
        let mut h = crate::runner::recorder::new_histogram();
        for us in [2u64, 4, 812] {
            h.record(us * 1000).unwrap();
        }
        st.kinds.push((OpKind::Read, h));
        let line = st.line(false);
        let tail = line.split_once(' ').unwrap().1.split_once(' ').unwrap().1;
        assert_eq!(
            tail,
            "10 sec: 500 operations; 50 current ops/sec; est completion in 10 seconds [READ: Count=3, Max=812, Min=2, Avg=272.67, 50=4, 90=812, 99=812, 99.9=812, 99.99=812] "
        );
        assert!(st.kinds.is_empty());
    }
}
