//! What a phase shows while it runs: the engine sample taken every second, the live
//! dashboard (terminal) or status lines (logs), alerts on thresholds, and the interval log
//! appended row by row so a crash keeps the timeline up to the last second.

use super::IntervalRow;
use crate::engine::size::{human_bytes, Size};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::sysmon;
use rocksdb::statistics::Ticker;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Write-stall causes counted by `rocksdb.cf-write-stall-stats` and
/// `rocksdb.db-write-stall-stats` (each count is a stall condition RocksDB applied).
pub const STALL_CAUSES: [&str; 7] = [
    "memtable-limit-delays",
    "memtable-limit-stops",
    "l0-file-count-limit-delays",
    "l0-file-count-limit-stops",
    "pending-compaction-bytes-delays",
    "pending-compaction-bytes-stops",
    "write-buffer-manager-limit-stops",
];

/// Cumulative write-stall counts, in [`STALL_CAUSES`] order.
pub type StallCounts = [u64; STALL_CAUSES.len()];

/// Parses RocksDB's "Write Stall (count): name: n, name: n" text into `counts`.
pub fn parse_stall_counts(text: &str, counts: &mut StallCounts) {
    let body = text.split_once("):").map_or(text, |(_, b)| b);
    for item in body.split(',') {
        if let Some((name, n)) = item.split_once(':') {
            if let Some(i) = STALL_CAUSES.iter().position(|c| *c == name.trim()) {
                counts[i] = n.trim().parse().unwrap_or(0);
            }
        }
    }
}

/// Engine state sampled by the collector at each interval boundary.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    pub stall_micros: u64,
    pub pending: u64,
    pub stopped: bool,
    /// The write controller is delaying writes (rocksdb.actual-delayed-write-rate > 0).
    pub delayed: bool,
    pub rss: u64,
    /// Block cache usage + memtables + table readers.
    pub rocksdb_mem: u64,
    pub memtable: u64,
    pub cache_hit: u64,
    pub cache_miss: u64,
    pub running_compactions: u64,
    pub running_flushes: u64,
    pub stall_counts: StallCounts,
}

/// Reads the engine's state for one interval boundary (a handful of property reads).
pub fn sample(engine: &Engine) -> Sample {
    let p = |name: &str| engine.property_int(name).unwrap_or(0);
    let mut stall_counts = StallCounts::default();
    for prop in [
        "rocksdb.cf-write-stall-stats",
        "rocksdb.db-write-stall-stats",
    ] {
        if let Some(t) = engine.property_str(prop) {
            parse_stall_counts(&t, &mut stall_counts);
        }
    }
    let memtable = p("rocksdb.cur-size-all-mem-tables");
    Sample {
        stall_micros: engine.ticker(Ticker::StallMicros),
        pending: p("rocksdb.estimate-pending-compaction-bytes"),
        stopped: p("rocksdb.is-write-stopped") != 0,
        delayed: p("rocksdb.actual-delayed-write-rate") != 0,
        rss: sysmon::rss_bytes(),
        rocksdb_mem: p("rocksdb.block-cache-usage")
            + memtable
            + p("rocksdb.estimate-table-readers-mem"),
        memtable,
        cache_hit: engine.ticker(Ticker::BlockCacheHit),
        cache_miss: engine.ticker(Ticker::BlockCacheMiss),
        running_compactions: p("rocksdb.num-running-compactions"),
        running_flushes: p("rocksdb.num-running-flushes"),
        stall_counts,
    }
}

/// Builds the row of an interval of `span_s` seconds ending at `t_s` from the samples at its
/// start and end.
#[allow(clippy::too_many_arguments)]
pub fn interval_row(
    t_s: f64,
    span_s: f64,
    ops: u64,
    p50_us: f64,
    p99_us: f64,
    s0: &Sample,
    s1: &Sample,
) -> IntervalRow {
    let (hits, misses) = (
        s1.cache_hit.saturating_sub(s0.cache_hit),
        s1.cache_miss.saturating_sub(s0.cache_miss),
    );
    let causes: Vec<&str> = STALL_CAUSES
        .iter()
        .zip(s0.stall_counts.iter().zip(&s1.stall_counts))
        .filter(|(_, (a, b))| b > a)
        .map(|(c, _)| *c)
        .collect();
    let stall_micros = s1.stall_micros.saturating_sub(s0.stall_micros);
    IntervalRow {
        t_s,
        ops,
        ops_per_sec: ops as f64 / span_s.max(1e-3),
        p50_us,
        p99_us,
        stall_micros,
        pending_compaction_bytes: s1.pending,
        write_stopped: s1.stopped,
        rss_bytes: s1.rss,
        rocksdb_mem_bytes: s1.rocksdb_mem,
        write_delayed: s1.delayed,
        stall_causes: (!causes.is_empty()).then(|| causes.join(" ")),
        cache_hit_rate: (hits + misses > 0).then(|| hits as f64 / (hits + misses) as f64),
        memtable_bytes: s1.memtable,
        running_compactions: s1.running_compactions,
        running_flushes: s1.running_flushes,
    }
}

impl IntervalRow {
    /// Writer stall time as a share of the interval, %.
    pub fn stall_percent(&self, span_s: f64) -> f64 {
        self.stall_micros as f64 / 1e4 / span_s.max(1e-3)
    }

    /// "normal", "delayed" or "stopped", with the causes RocksDB counted in the interval.
    pub fn write_state(&self) -> String {
        let state = if self.write_stopped {
            "stopped"
        } else if self.write_delayed {
            "delayed"
        } else if self.stall_micros > 0 {
            "stalled"
        } else {
            "normal"
        };
        match &self.stall_causes {
            Some(c) => format!("{state} ({c})"),
            None => state.to_string(),
        }
    }
}

/// What an alert watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertMetric {
    OpsPerSec,
    P50Us,
    P99Us,
    StallPercent,
    CacheHitRate,
    PendingCompactionBytes,
    MemtableBytes,
    RssBytes,
    RssGrowthMibPerH,
    UnaccountedRssGrowthMibPerH,
}

impl AlertMetric {
    /// Every metric with its name and what it measures (for errors and docs).
    pub const ALL: [(AlertMetric, &'static str, &'static str); 10] = [
        (AlertMetric::OpsPerSec, "ops_per_sec", "headline ops/s over the 1-second interval"),
        (AlertMetric::P50Us, "p50_us", "median latency of the interval's samples, µs"),
        (AlertMetric::P99Us, "p99_us", "p99 latency of the interval's samples, µs"),
        (AlertMetric::StallPercent, "stall_percent", "writer stall time / interval time, %"),
        (AlertMetric::CacheHitRate, "cache_hit_rate", "block cache hits / lookups in the interval, 0-1 (not judged without lookups)"),
        (AlertMetric::PendingCompactionBytes, "pending_compaction_bytes", "RocksDB's estimate of pending compaction bytes (sizes like 1GiB allowed)"),
        (AlertMetric::MemtableBytes, "memtable_bytes", "bytes in all memtables (sizes allowed)"),
        (AlertMetric::RssBytes, "rss_bytes", "process resident memory (sizes allowed)"),
        (AlertMetric::RssGrowthMibPerH, "rss_growth_mib_per_h", "least-squares RSS slope since 60 s into the phase, MiB/h (judged after 120 s of samples)"),
        (AlertMetric::UnaccountedRssGrowthMibPerH, "unaccounted_rss_growth_mib_per_h", "the same slope of RSS minus RocksDB's own accounting (cache, memtables, table readers), MiB/h"),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(m, _, _)| *m == self)
            .map_or("", |(_, n, _)| n)
    }

    fn from_name(s: &str) -> Option<AlertMetric> {
        Self::ALL
            .iter()
            .find(|(_, n, _)| *n == s)
            .map(|(m, _, _)| *m)
    }

    fn is_bytes(self) -> bool {
        matches!(
            self,
            AlertMetric::PendingCompactionBytes
                | AlertMetric::MemtableBytes
                | AlertMetric::RssBytes
        )
    }

    fn unit(self) -> &'static str {
        match self {
            AlertMetric::OpsPerSec => " ops/s",
            AlertMetric::P50Us | AlertMetric::P99Us => " µs",
            AlertMetric::StallPercent => "%",
            AlertMetric::RssGrowthMibPerH | AlertMetric::UnaccountedRssGrowthMibPerH => " MiB/h",
            _ => "",
        }
    }

    /// `value` formatted with its unit.
    pub fn show(self, value: f64) -> String {
        if self.is_bytes() {
            human_bytes(value.max(0.0) as u64)
        } else if self == AlertMetric::CacheHitRate {
            format!("{value:.3}")
        } else {
            format!("{value:.1}{}", self.unit())
        }
    }
}

/// One threshold: `metric op threshold`, e.g. `p99_us > 10000`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    pub metric: AlertMetric,
    /// ">", ">=", "<" or "<=".
    pub op: String,
    pub threshold: f64,
}

impl AlertRule {
    /// Parses `"p99_us > 10000"`; `source` names where it came from for the error.
    pub fn parse(text: &str, source: &str) -> Result<AlertRule> {
        let t = text.trim();
        let at = t.find(['<', '>']).ok_or_else(|| {
            Error::usage(format!(
                "{source}: alert {text:?} has no comparison; write METRIC > VALUE or METRIC < VALUE, e.g. \"p99_us > 10000\""
            ))
        })?;
        Self::from_parts(t[..at].trim(), &t[at..], source)
    }

    /// Builds a rule from a metric name and `"> 10000"` (a scenario's `[alerts]` entry).
    pub fn from_parts(metric: &str, cond: &str, source: &str) -> Result<AlertRule> {
        let m = AlertMetric::from_name(metric).ok_or_else(|| {
            let names: Vec<&str> = AlertMetric::ALL.iter().map(|(_, n, _)| *n).collect();
            Error::usage(format!(
                "{source}: unknown alert metric {metric:?}; known: {}",
                names.join(", ")
            ))
        })?;
        let cond = cond.trim();
        let op = [">=", "<=", ">", "<"]
            .into_iter()
            .find(|op| cond.starts_with(op))
            .ok_or_else(|| {
                Error::usage(format!(
                    "{source}: alert on {metric} needs > , >= , < or <= before the value, e.g. \"> 10000\", not {cond:?}"
                ))
            })?;
        let v = cond[op.len()..].trim();
        let threshold = if m.is_bytes() {
            v.parse::<Size>()
                .map(|s| s.bytes() as f64)
                .map_err(|e| Error::usage(format!("{source}: alert on {metric}: {e}")))?
        } else {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    Error::usage(format!(
                    "{source}: alert on {metric}: {v:?} is not a number, e.g. \"{metric} {op} 10\""
                ))
                })?
        };
        Ok(AlertRule {
            metric: m,
            op: op.to_string(),
            threshold,
        })
    }

    pub fn breached(&self, v: f64) -> bool {
        match self.op.as_str() {
            ">" => v > self.threshold,
            ">=" => v >= self.threshold,
            "<" => v < self.threshold,
            _ => v <= self.threshold,
        }
    }

    /// The rule as written, with a human threshold for byte metrics.
    pub fn text(&self) -> String {
        format!(
            "{} {} {}",
            self.metric.name(),
            self.op,
            self.metric.show(self.threshold)
        )
    }
}

/// Alert rules with how long a condition must hold (and be gone) to start (and clear).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertSet {
    pub rules: Vec<AlertRule>,
    /// Consecutive 1-second intervals a condition must hold to start an alert, and must not
    /// hold to clear it (default 1).
    pub sustain_s: u32,
}

impl AlertSet {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Adds the rules of `--alert` flags.
    pub fn add_flags(&mut self, flags: &[String]) -> Result<()> {
        for f in flags {
            self.rules.push(AlertRule::parse(f, "--alert")?);
        }
        Ok(())
    }

    /// The rules of `args` added to `self` (a scenario's `[alerts]`, or none).
    pub fn with_args(mut self, args: &crate::cli::AlertArgs) -> Result<AlertSet> {
        self.add_flags(&args.alerts)?;
        if let Some(s) = args.alert_sustain {
            if s == 0 {
                return Err(Error::usage(
                    "--alert-sustain 0: give at least 1 second, e.g. --alert-sustain 3",
                ));
            }
            self.sustain_s = s;
        }
        Ok(self)
    }

    fn sustain(&self) -> u32 {
        self.sustain_s.max(1)
    }
}

/// One alert episode within a phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    /// The rule as written, e.g. "p99_us > 10000.0 µs".
    pub rule: String,
    pub metric: AlertMetric,
    /// Phase seconds at which the condition started to hold (the end of the first breaching
    /// interval) and at which the alert cleared; `None` when still active at the phase's end.
    pub started_t_s: f64,
    pub cleared_t_s: Option<f64>,
    /// The most extreme value seen while active.
    pub worst: f64,
    /// Intervals that breached.
    pub breached_intervals: u64,
}

/// Least-squares slope from running sums, O(1) per point.
#[derive(Debug, Default, Clone, Copy)]
struct RunningSlope {
    n: f64,
    sx: f64,
    sy: f64,
    sxy: f64,
    sxx: f64,
}

impl RunningSlope {
    fn add(&mut self, x: f64, y: f64) {
        self.n += 1.0;
        self.sx += x;
        self.sy += y;
        self.sxy += x * y;
        self.sxx += x * x;
    }

    fn slope(&self) -> Option<f64> {
        let d = self.n * self.sxx - self.sx * self.sx;
        (self.n >= 2.0 && d > 0.0).then(|| (self.n * self.sxy - self.sx * self.sy) / d)
    }
}

/// Seconds into a phase before RSS slopes start, and samples needed before they are judged.
pub const GROWTH_SKIP_S: f64 = 60.0;
pub const GROWTH_MIN_SAMPLES: f64 = 120.0;
/// RSS moves by a few MiB on its own (memtables filling and being freed, the allocator
/// keeping pages): 5.6 MiB peak to peak over a 10-minute soak-mixed on a 2-core VM. A
/// least-squares slope over a window W of values that stay within R can reach 1.5 R / W (one
/// step in the middle of the window), so a growth rule is judged only once its threshold
/// means 12 MiB over the window (1.5 x 8 MiB, with room above the measured 5.6): at
/// 50 MiB/h that is 864 s (judged from about 924 s into the phase).
pub const GROWTH_NOISE_MIB: f64 = 12.0;

/// Samples (seconds) a growth rule with this threshold (MiB/h) waits for.
pub fn growth_min_samples(threshold_mib_per_h: f64) -> f64 {
    let noise = if threshold_mib_per_h.abs() > 0.0 {
        GROWTH_NOISE_MIB / threshold_mib_per_h.abs() * 3600.0
    } else {
        f64::INFINITY
    };
    // A threshold near 0 would wait forever; 6 h is the longest wait.
    GROWTH_MIN_SAMPLES.max(noise.min(6.0 * 3600.0))
}

/// Per-rule state while a phase runs.
#[derive(Debug, Clone, Default)]
struct RuleState {
    /// Consecutive breaching (while inactive) or clear (while active) intervals.
    streak: u32,
    first_breach_t: f64,
    active: Option<AlertEvent>,
}

/// Evaluates the alert rules on each interval; reports starts and clears.
#[derive(Debug, Clone, Default)]
pub struct AlertTracker {
    set: AlertSet,
    states: Vec<RuleState>,
    rss: RunningSlope,
    unaccounted: RunningSlope,
    pub events: Vec<AlertEvent>,
}

/// A start or a clear, for the caller to print.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertChange {
    Started(AlertEvent, f64),
    Cleared(AlertEvent),
}

impl AlertTracker {
    pub fn new(set: &AlertSet) -> AlertTracker {
        AlertTracker {
            set: set.clone(),
            states: vec![RuleState::default(); set.rules.len()],
            ..Default::default()
        }
    }

    /// The value of `rule`'s metric for `row` (a 1-second interval); `None` when it cannot
    /// be judged yet.
    fn value(&self, rule: &AlertRule, row: &IntervalRow) -> Option<f64> {
        let mib_h = |s: &RunningSlope| {
            (s.n >= growth_min_samples(rule.threshold))
                .then(|| s.slope())
                .flatten()
                .map(|b| b * 3600.0 / (1024.0 * 1024.0))
        };
        match rule.metric {
            AlertMetric::OpsPerSec => Some(row.ops_per_sec),
            AlertMetric::P50Us => (row.ops > 0).then_some(row.p50_us),
            AlertMetric::P99Us => (row.ops > 0).then_some(row.p99_us),
            AlertMetric::StallPercent => Some(row.stall_percent(1.0)),
            AlertMetric::CacheHitRate => row.cache_hit_rate,
            AlertMetric::PendingCompactionBytes => Some(row.pending_compaction_bytes as f64),
            AlertMetric::MemtableBytes => Some(row.memtable_bytes as f64),
            AlertMetric::RssBytes => Some(row.rss_bytes as f64),
            AlertMetric::RssGrowthMibPerH => mib_h(&self.rss),
            AlertMetric::UnaccountedRssGrowthMibPerH => mib_h(&self.unaccounted),
        }
    }

    /// Judges one full interval; returns the alerts that started or cleared with it.
    pub fn observe(&mut self, row: &IntervalRow) -> Vec<AlertChange> {
        if row.t_s > GROWTH_SKIP_S {
            self.rss.add(row.t_s, row.rss_bytes as f64);
            self.unaccounted
                .add(row.t_s, row.rss_bytes as f64 - row.rocksdb_mem_bytes as f64);
        }
        let sustain = self.set.sustain();
        let mut changes = Vec::new();
        for i in 0..self.set.rules.len() {
            let rule = self.set.rules[i].clone();
            let Some(v) = self.value(&rule, row) else {
                continue;
            };
            let breach = rule.breached(v);
            let worse = |a: f64, b: f64| {
                if rule.op.starts_with('>') {
                    a.max(b)
                } else {
                    a.min(b)
                }
            };
            let st = &mut self.states[i];
            match &mut st.active {
                None if breach => {
                    if st.streak == 0 {
                        st.first_breach_t = row.t_s - 1.0;
                    }
                    st.streak += 1;
                    if st.streak >= sustain {
                        st.streak = 0;
                        let ev = AlertEvent {
                            rule: rule.text(),
                            metric: rule.metric,
                            started_t_s: st.first_breach_t,
                            cleared_t_s: None,
                            worst: v,
                            breached_intervals: u64::from(sustain),
                        };
                        st.active = Some(ev.clone());
                        changes.push(AlertChange::Started(ev, v));
                    }
                }
                None => st.streak = 0,
                Some(ev) if breach => {
                    st.streak = 0;
                    ev.worst = worse(ev.worst, v);
                    ev.breached_intervals += 1;
                }
                Some(ev) => {
                    st.streak += 1;
                    if st.streak >= sustain {
                        st.streak = 0;
                        let mut ev = ev.clone();
                        ev.cleared_t_s = Some(row.t_s - f64::from(sustain));
                        st.active = None;
                        self.events.push(ev.clone());
                        changes.push(AlertChange::Cleared(ev));
                    }
                }
            }
        }
        changes
    }

    /// Rules active now, as written.
    pub fn active(&self) -> Vec<String> {
        self.states
            .iter()
            .filter_map(|s| s.active.as_ref().map(|e| e.rule.clone()))
            .collect()
    }

    /// Ends the phase: alerts still active are recorded without a clear time.
    pub fn finish(mut self) -> Vec<AlertEvent> {
        for st in &mut self.states {
            if let Some(ev) = st.active.take() {
                self.events.push(ev);
            }
        }
        self.events
            .sort_by(|a, b| a.started_t_s.total_cmp(&b.started_t_s));
        self.events
    }
}

/// With `--fail-on-alert`: a failure naming the alerts that fired in `phases`.
pub fn check_alerts<'a>(
    fail_on_alert: bool,
    phases: impl IntoIterator<Item = &'a super::PhaseResult>,
) -> Result<()> {
    let fired: Vec<String> = phases
        .into_iter()
        .flat_map(|p| {
            p.alerts
                .iter()
                .map(move |a| format!("{} at {:.0} s of {}", a.rule, a.started_t_s, p.workload))
        })
        .collect();
    if fail_on_alert && !fired.is_empty() {
        return Err(Error::Failed(format!(
            "{} alert(s) fired (--fail-on-alert): {}",
            fired.len(),
            fired.join("; ")
        )));
    }
    Ok(())
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

/// Where a phase appends its interval rows as they complete: the CSV file and the leading
/// fields (trial, repeat, phase) of every row.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalLog {
    pub path: PathBuf,
    pub prefix: Vec<String>,
}

/// An open interval log.
pub struct IntervalAppender {
    file: std::fs::File,
    path: PathBuf,
    prefix: Vec<String>,
    line: String,
    failed: bool,
}

impl IntervalAppender {
    /// Opens `log.path` for appending (writing the header if the file is new or empty).
    pub fn open(log: &IntervalLog) -> Result<IntervalAppender> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log.path)
            .map_err(|e| Error::io("opening the interval log", &log.path, e))?;
        let mut a = IntervalAppender {
            file,
            path: log.path.clone(),
            prefix: log.prefix.clone(),
            line: String::new(),
            failed: false,
        };
        let empty = a.file.metadata().map(|m| m.len() == 0).unwrap_or(false);
        if empty {
            a.line = crate::report::scenario::INTERVAL_COLUMNS.join(",");
            a.line.push('\n');
            a.flush_line();
        }
        Ok(a)
    }

    /// Appends one row and hands it to the OS (a crash of rdbtune keeps it).
    pub fn append(&mut self, row: &IntervalRow) {
        self.line.clear();
        let fields = crate::report::scenario::interval_fields(row);
        for f in self.prefix.iter().chain(fields.iter()) {
            if !self.line.is_empty() {
                self.line.push(',');
            }
            if f.contains([',', '"', '\n']) {
                let _ = write!(self.line, "\"{}\"", f.replace('"', "\"\""));
            } else {
                self.line.push_str(f);
            }
        }
        self.line.push('\n');
        self.flush_line();
    }

    fn flush_line(&mut self) {
        if self.failed {
            return;
        }
        if let Err(e) = self.file.write_all(self.line.as_bytes()) {
            // The run goes on; the final rewrite of the file still has every row.
            eprintln!(
                "warning: appending to {}: {e}; the live interval log stops here",
                self.path.display()
            );
            self.failed = true;
        }
    }
}

/// The interval log of a scenario's output folder.
pub fn interval_log(dir: &Path, trial: &str, repeat: usize, phase: &str) -> IntervalLog {
    IntervalLog {
        path: dir.join("intervals.csv"),
        prefix: vec![trial.to_string(), repeat.to_string(), phase.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn stall_counts_parse_rocksdb_text() {
        let mut c = StallCounts::default();
        parse_stall_counts(
            "Write Stall (count): cf-l0-file-count-limit-delays-with-ongoing-compaction: 4, l0-file-count-limit-delays: 7, l0-file-count-limit-stops: 2, memtable-limit-delays: 0, total-delays: 7\n",
            &mut c,
        );
        parse_stall_counts(
            "Write Stall (count): write-buffer-manager-limit-stops: 3\n",
            &mut c,
        );
        assert_eq!(c, [0, 0, 7, 2, 0, 0, 3]);
        let s0 = Sample::default();
        let s1 = Sample {
            stall_counts: c,
            stopped: true,
            stall_micros: 250_000,
            cache_hit: 90,
            cache_miss: 10,
            ..Sample::default()
        };
        let r = interval_row(1.0, 1.0, 5, 1.0, 2.0, &s0, &s1);
        assert_eq!(
            r.write_state(),
            "stopped (l0-file-count-limit-delays l0-file-count-limit-stops write-buffer-manager-limit-stops)"
        );
        assert_eq!(r.cache_hit_rate, Some(0.9));
        assert!((r.stall_percent(1.0) - 25.0).abs() < 1e-9);
    }

    #[test]
    fn rules_parse_with_units_and_name_bad_input() {
        let r = AlertRule::parse("p99_us > 10000", "--alert").unwrap();
        assert_eq!(
            (r.metric, r.op.as_str(), r.threshold),
            (AlertMetric::P99Us, ">", 10000.0)
        );
        let r = AlertRule::from_parts("rss_bytes", ">= 2GiB", "[alerts]").unwrap();
        assert_eq!(r.threshold, 2.0 * 1024.0 * 1024.0 * 1024.0);
        assert!(r.breached(r.threshold) && !r.breached(r.threshold - 1.0));
        let r = AlertRule::parse("cache_hit_rate<0.9", "--alert").unwrap();
        assert!(r.breached(0.5) && !r.breached(0.95));
        for (bad, needle) in [
            ("p99 > 5", "unknown alert metric \"p99\""),
            ("p99_us 5", "no comparison"),
            ("p99_us > fast", "not a number"),
            ("rss_bytes > 2 parsecs", "alert on rss_bytes"),
        ] {
            let e = AlertRule::parse(bad, "--alert").unwrap_err().to_string();
            assert!(e.contains(needle) && e.starts_with("--alert"), "{bad}: {e}");
        }
    }

    #[test]
    fn alerts_start_and_clear_with_sustain() {
        let set = AlertSet {
            rules: vec![AlertRule::parse("p99_us > 100", "t").unwrap()],
            sustain_s: 2,
        };
        let mut t = AlertTracker::new(&set);
        let p99 = [
            50.0, 150.0, 50.0, 150.0, 300.0, 200.0, 50.0, 150.0, 50.0, 50.0, 500.0,
        ];
        let mut log = Vec::new();
        for (i, v) in p99.iter().enumerate() {
            for c in t.observe(&row(i as f64 + 1.0, *v, 0)) {
                log.push((i + 1, matches!(c, AlertChange::Started(..))));
            }
        }
        // A single breaching second (2) does not start it; 4-5 do (started at t=3, the
        // start of second 4); one clear second (7) does not clear it; 9-10 do.
        assert_eq!(log, vec![(5, true), (10, false)]);
        let ev = t.finish();
        assert_eq!(ev.len(), 1, "{ev:?}");
        assert_eq!(ev[0].started_t_s, 3.0);
        assert_eq!(ev[0].cleared_t_s, Some(8.0));
        assert_eq!(ev[0].worst, 300.0);
        assert_eq!(ev[0].breached_intervals, 4);
    }

    #[test]
    fn rss_growth_alert_needs_samples_and_fires_on_a_slope() {
        let set = AlertSet {
            rules: vec![AlertRule::parse("rss_growth_mib_per_h > 50", "t").unwrap()],
            sustain_s: 1,
        };
        let mut flat = AlertTracker::new(&set);
        let mut growing = AlertTracker::new(&set);
        let mib = 1024 * 1024;
        let mut jumpy = AlertTracker::new(&set);
        let mut started_at = None;
        for s in 1..=1000u64 {
            assert!(flat
                .observe(&row(s as f64, 1.0, 500 * mib + (s % 3) * mib))
                .is_empty());
            // RSS that steps up 5.6 MiB (the jitter measured in a soak) in the middle of the
            // first judged window and stays: 1.5 x 5.6 MiB / 864 s = 35 MiB/h at most, under
            // the threshold; a 576 s window would read 52.5 MiB/h and a 120 s one 250.
            let step = if s >= 60 + 432 {
                5 * mib + 6 * mib / 10
            } else {
                0
            };
            assert!(
                jumpy
                    .observe(&row(s as f64, 1.0, 500 * mib + step))
                    .is_empty(),
                "a one-off step alarmed at {s} s"
            );
            // 100 MiB/h = 1 MiB every 36 s.
            if !growing
                .observe(&row(s as f64, 1.0, 500 * mib + s * mib / 36))
                .is_empty()
            {
                started_at.get_or_insert(s);
            }
        }
        assert!(flat.finish().is_empty());
        // Judged only after 60 s skipped + max(120, 12 MiB / 50 MiB/h = 864) samples.
        assert_eq!(growth_min_samples(100.0), 432.0);
        assert_eq!(growth_min_samples(50.0), 864.0);
        assert_eq!(growth_min_samples(1000.0), GROWTH_MIN_SAMPLES);
        assert_eq!(growth_min_samples(0.0), 6.0 * 3600.0);
        assert_eq!(started_at, Some(60 + 864));
        let ev = growing.finish();
        assert!((ev[0].worst - 100.0).abs() < 2.0, "{ev:?}");
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
