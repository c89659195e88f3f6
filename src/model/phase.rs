//! What one phase measured: throughput, latency per op kind, the 1-second timeline, stalls,
//! trends, engine figures and alerts.

use crate::engine::stats::{Counters, EngineStats};
use crate::stats::Trend;
use crate::workload::{OpKind, PhaseSpec, Workload};
use serde::{Deserialize, Serialize};

/// Writer stall time as a share of a span, %.
pub fn stall_percent(stall_micros: u64, span_s: f64) -> f64 {
    stall_micros as f64 / 1e4 / span_s.max(1e-9)
}

/// Latency figures in microseconds over a set of samples.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Number of latency samples (a batch is one sample).
    pub samples: u64,
    pub avg: f64,
    pub min: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    /// p99.99 (absent in results written before it was recorded).
    #[serde(default)]
    pub p9999: f64,
    pub max: f64,
    /// The percentiles `--percentiles` asked for, in its order (absent in results written
    /// before it existed: the fixed fields above then serve the default list).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub percentiles: Vec<Quantile>,
}

/// One requested percentile of a latency summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Quantile {
    /// The percentile, 0 < p <= 100.
    pub p: f64,
    /// Its latency, µs.
    pub us: f64,
}

/// The percentiles shown when `--percentiles` is not given.
pub const DEFAULT_PERCENTILES: [f64; 5] = [50.0, 95.0, 99.0, 99.9, 99.99];

/// A percentile as a name suffix: 50 -> "50", 99.9 -> "999", 99.99 -> "9999".
pub fn percentile_tag(p: f64) -> String {
    format!("{p}").replace('.', "")
}

/// A percentile as column headers show it: "p50", "p99.9".
pub fn percentile_label(p: f64) -> String {
    format!("p{p}")
}

/// Parses a `--percentiles` list ("50,95,99,99.9,99.99"): each in (0, 100], no two with the
/// same column name; returned in the order given.
pub fn parse_percentiles(text: &str) -> Result<Vec<f64>, String> {
    let mut out: Vec<f64> = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let p: f64 = item.trim_start_matches('p').parse().map_err(|_| {
            format!("--percentiles {text:?}: {item:?} is not a number; give percentiles like 50,95,99,99.9,99.99")
        })?;
        if !(p > 0.0 && p <= 100.0) {
            return Err(format!(
                "--percentiles {text:?}: {item} is outside (0, 100]; give percentiles like 50,99,99.99 (100 is the maximum)"
            ));
        }
        if let Some(q) = out
            .iter()
            .find(|q| percentile_tag(**q) == percentile_tag(p))
        {
            return Err(format!(
                "--percentiles {text:?}: {item} is given twice (or names the same column p{} as {q})",
                percentile_tag(p)
            ));
        }
        out.push(p);
    }
    if out.is_empty() {
        return Err(format!(
            "--percentiles {text:?} lists no percentile; give e.g. 50,95,99,99.9,99.99"
        ));
    }
    if out.len() > 16 {
        return Err(format!(
            "--percentiles {text:?} lists {} percentiles; at most 16",
            out.len()
        ));
    }
    Ok(out)
}

/// The percentiles a set of phases was summarised with: the first that holds a list, or
/// the default list.
pub fn shown_percentiles<'a>(phases: impl IntoIterator<Item = &'a PhaseResult>) -> Vec<f64> {
    let mut first = None;
    for p in phases {
        if !p.latency_us.percentiles.is_empty() {
            return p.latency_us.shown();
        }
        first.get_or_insert(p);
    }
    first.map_or_else(|| DEFAULT_PERCENTILES.to_vec(), |p| p.latency_us.shown())
}

impl LatencySummary {
    /// The latency at percentile `p`, µs: a requested one, or a fixed field (results
    /// written before `--percentiles`); `None` when neither holds it.
    pub fn at(&self, p: f64) -> Option<f64> {
        if let Some(q) = self.percentiles.iter().find(|q| (q.p - p).abs() < 1e-9) {
            return Some(q.us);
        }
        let fixed = [
            (50.0, self.p50),
            (95.0, self.p95),
            (99.0, self.p99),
            (99.9, self.p999),
            (99.99, self.p9999),
            (100.0, self.max),
        ];
        fixed
            .iter()
            .find(|(q, _)| (q - p).abs() < 1e-9)
            // p99.99 was not recorded by results older than the field.
            .filter(|(q, v)| *q != 99.99 || *v > 0.0 || self.samples == 0)
            .map(|(_, v)| *v)
    }

    /// The percentiles these figures were summarised with (the default list for results
    /// written before `--percentiles`).
    pub fn shown(&self) -> Vec<f64> {
        if self.percentiles.is_empty() {
            DEFAULT_PERCENTILES
                .into_iter()
                .filter(|p| self.at(*p).is_some())
                .collect()
        } else {
            self.percentiles.iter().map(|q| q.p).collect()
        }
    }
}

/// Throughput and latency of one op kind within a phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpSummary {
    pub kind: OpKind,
    /// Keys covered (a batch of b keys counts b).
    pub ops: u64,
    /// ops / phase elapsed seconds.
    pub ops_per_sec: f64,
    /// Per latency sample (one op, or one batch), µs.
    pub latency_us: LatencySummary,
    /// With a target rate: latency from each op's intended start, µs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intended_latency_us: Option<LatencySummary>,
    /// Reads: samples that found / did not find their key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_found: Option<u64>,
    /// YCSB phases with missing records: the latency of the samples that found theirs
    /// (upstream's `[READ]`) and of those that did not (`[READ-FAILED]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok_latency_us: Option<LatencySummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_latency_us: Option<LatencySummary>,
    /// YCSB phases: ops whose engine call failed (counted as upstream's `Return=ERROR`;
    /// the run went on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<u64>,
}

/// What one key group (a key range in one column family) got during a phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    /// The group's name (a scenario's `[[column_family]]`, or db_bench's family name).
    #[serde(default)]
    pub group: String,
    /// The RocksDB column family its keys live in.
    pub family: String,
    /// Key numbers [lo, hi).
    pub keys: (u64, u64),
    pub share_of_ops: f64,
    /// Keys covered (a batch of b keys counts b).
    pub ops: u64,
    /// ops / phase elapsed seconds.
    pub ops_per_sec: f64,
    /// Per sample, every op kind together, µs.
    pub latency_us: LatencySummary,
}

/// One second of a phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IntervalRow {
    /// End of the interval, seconds since the phase started.
    pub t_s: f64,
    /// Headline ops completed in the interval.
    pub ops: u64,
    pub ops_per_sec: f64,
    /// Latency percentiles of the interval's headline samples, µs (0 when none completed).
    pub p50_us: f64,
    pub p99_us: f64,
    /// Writer stall time within the interval (rocksdb.stall.micros delta), µs.
    pub stall_micros: u64,
    pub pending_compaction_bytes: u64,
    pub write_stopped: bool,
    pub rss_bytes: u64,
    /// RocksDB's own accounting at the interval's end: block cache usage + memtables +
    /// table readers.
    #[serde(default)]
    pub rocksdb_mem_bytes: u64,
    /// The write controller was delaying writes at the interval's end.
    #[serde(default)]
    pub write_delayed: bool,
    /// Write-stall causes RocksDB counted during the interval (rocksdb.cf-write-stall-stats),
    /// space-separated, e.g. "l0-file-count-limit-delays".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stall_causes: Option<String>,
    /// Block cache hits / lookups during the interval (none without lookups).
    #[serde(default)]
    pub cache_hit_rate: Option<f64>,
    /// Bytes in all memtables at the interval's end.
    #[serde(default)]
    pub memtable_bytes: u64,
    #[serde(default)]
    pub running_compactions: u64,
    #[serde(default)]
    pub running_flushes: u64,
    /// Bytes this process read and wrote at the storage layer during the interval
    /// (/proc/self/io read_bytes, write_bytes: page-cache hits are not reads); none when not
    /// measured (results written before, or no /proc/self/io).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_bytes: Option<u64>,
    /// Bytes this process passed to read and write system calls (rchar, wchar), page-cache
    /// hits included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syscall_read_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syscall_write_bytes: Option<u64>,
    /// The DB's block device during the interval (/proc/diskstats, every process's I/O):
    /// bytes read, bytes written, and the share of the interval it had I/O in flight. None
    /// when the DB directory has no block device (tmpfs, overlay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_read_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_write_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_busy: Option<f64>,
}

/// Write stalls and throughput dips over a phase's 1-second intervals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StallSummary {
    /// Writer stall time / phase wall time, % (rocksdb.stall.micros).
    pub stall_percent: f64,
    /// Runs of consecutive intervals with stall time or writes stopped.
    pub episodes: u64,
    /// Intervals with any stall time.
    pub stalled_intervals: u64,
    /// The lowest full-second throughput: (interval end t_s, ops/s, ops/s / median).
    pub worst_dip: Option<(f64, f64, f64)>,
}

impl StallSummary {
    /// Summarises `intervals` of a phase that stalled `stall_micros` over `elapsed_s`.
    pub fn of(intervals: &[IntervalRow], stall_micros: u64, elapsed_s: f64) -> StallSummary {
        let stalled = |r: &IntervalRow| r.stall_micros > 0 || r.write_stopped;
        let mut episodes = 0;
        let mut prev = false;
        for r in intervals {
            let now = stalled(r);
            if now && !prev {
                episodes += 1;
            }
            prev = now;
        }
        // Full seconds only: the last interval is usually partial.
        let full: Vec<&IntervalRow> = intervals.iter().filter(|r| r.t_s.fract() == 0.0).collect();
        let mut rates: Vec<f64> = full.iter().map(|r| r.ops_per_sec).collect();
        rates.sort_by(|a, b| a.total_cmp(b));
        let median = crate::stats::median(&rates);
        let worst_dip = full
            .iter()
            .min_by(|a, b| a.ops_per_sec.total_cmp(&b.ops_per_sec))
            .filter(|_| full.len() >= 2 && median > 0.0)
            .map(|r| (r.t_s, r.ops_per_sec, r.ops_per_sec / median));
        StallSummary {
            stall_percent: stall_percent(stall_micros, elapsed_s),
            episodes,
            stalled_intervals: intervals.iter().filter(|r| r.stall_micros > 0).count() as u64,
            worst_dip,
        }
    }
}

/// Engine figures for one phase: counters during it, state after it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseEngine {
    /// Raw key+value bytes / live SST bytes after the phase.
    pub compression_ratio: Option<f64>,
    /// Live SST bytes after the phase.
    pub sst_bytes: u64,
    /// DB directory bytes after the phase.
    pub disk_bytes: u64,
    /// Block cache hit rate during the phase.
    pub cache_hit_rate: Option<f64>,
    /// Writer stall time during the phase, µs.
    pub stall_micros: u64,
    /// (flush + compaction bytes) / user bytes, during the phase (and the compaction wait).
    pub write_amplification: Option<f64>,
    /// Counter deltas over the phase.
    pub during: Counters,
    /// Full state after the phase (counters cumulative since open).
    pub after: EngineStats,
}

/// Where one op kind's sampled ops spent their time, from RocksDB's PerfContext
/// (`--perf-sample`): each figure's mean per sampled op.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerfBreakdown {
    pub kind: OpKind,
    /// Ops of this kind measured with the PerfContext.
    pub sampled_ops: u64,
    /// The share of ops asked for (`--perf-sample`).
    pub sample_fraction: f64,
    /// Mean latency of the sampled ops as rdbtune measured it, ns (the timers' own cost
    /// included).
    pub mean_op_ns: f64,
    /// Mean per sampled op of each PerfContext figure, by its PerfContext name
    /// (`*_time` and `*_nanos` in ns, `*_count` in events, `*_byte(s)` in bytes).
    pub mean: std::collections::BTreeMap<String, f64>,
}

impl PerfBreakdown {
    /// A PerfContext time as a share of the sampled ops' latency (0 when absent).
    pub fn share(&self, name: &str) -> f64 {
        self.mean.get(name).copied().unwrap_or(0.0) / self.mean_op_ns.max(1.0)
    }
}

/// Where a phase's bytes went, over the phase and its compaction wait (the span of
/// [`PhaseEngine::during`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseIo {
    /// This process (/proc/self/io deltas; RocksDB's background threads included).
    pub process: crate::sysmon::ProcIo,
    /// The block device holding the DB directory, as /proc/diskstats names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// That device's counters over the span (every process's I/O to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_io: Option<crate::sysmon::DiskIo>,
    /// Why there are no device figures (tmpfs, overlay, no /proc/diskstats).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_note: Option<String>,
    /// Seconds the span covered (the phase's wall time plus its compaction wait).
    pub span_s: f64,
}

/// The result of one phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseResult {
    pub workload: Workload,
    pub spec: PhaseSpec,
    /// Headline ops (keys) completed.
    pub ops: u64,
    /// Wall time from the start of the workers to the last one finishing, s.
    pub elapsed_s: f64,
    /// ops / elapsed_s.
    pub ops_per_sec: f64,
    /// Headline (key + value) bytes / elapsed_s in MiB/s (db_bench's "MB/s").
    pub mb_per_sec: f64,
    /// Headline latency per sample (one op, or one batch), µs.
    pub latency_us: LatencySummary,
    pub per_op: Vec<OpSummary>,
    /// Per key group (column family) when the phase spread its ops over several.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub per_group: Vec<GroupSummary>,
    pub intervals: Vec<IntervalRow>,
    /// Stall share, stall episodes and the worst 1-second dip, from the intervals.
    #[serde(default)]
    pub stalls: StallSummary,
    /// RSS slope and throughput drift after the first 10% of the phase (at least 5 s);
    /// absent for phases too short to judge (fewer than 10 seconds left).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
    /// Seconds spent waiting for flush and compaction after the phase (not in elapsed_s).
    pub compaction_wait_s: f64,
    /// Process CPU seconds (user + system) during the phase, RocksDB's threads included.
    pub cpu_s: f64,
    /// The same split into user and system time (getrusage), s.
    #[serde(default)]
    pub cpu_user_s: f64,
    #[serde(default)]
    pub cpu_system_s: f64,
    /// When the phase's workers started, seconds since the Unix epoch.
    #[serde(default)]
    pub started_unix: f64,
    pub engine: PhaseEngine,
    /// Bytes read and written by the process and the DB's device; absent in results
    /// written before it was measured, and where /proc/self/io cannot be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io: Option<PhaseIo>,
    /// Alert episodes (rules from `--alert` or the scenario's `[alerts]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<super::alerts::AlertEvent>,
    /// With `--perf-sample`: the PerfContext breakdown per op kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perf: Vec<PerfBreakdown>,
    /// True when a signal cut the phase short.
    /// YCSB phases: the measurements as upstream's client exports them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ycsb: Option<super::ycsb::YcsbMeasurements>,
    pub interrupted: bool,
}
impl IntervalRow {
    /// Writer stall time as a share of the interval, %.
    pub fn stall_percent(&self, span_s: f64) -> f64 {
        stall_percent(self.stall_micros, span_s.max(1e-3))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t: f64, ops: f64, stall: u64, stopped: bool) -> IntervalRow {
        IntervalRow {
            t_s: t,
            ops: ops as u64,
            ops_per_sec: ops,
            p50_us: 1.0,
            p99_us: 2.0,
            stall_micros: stall,
            write_stopped: stopped,
            ..IntervalRow::default()
        }
    }

    #[test]
    fn stall_summary_counts_episodes_and_dips() {
        let rows = [
            row(1.0, 100.0, 0, false),
            row(2.0, 40.0, 500_000, false),
            row(3.0, 10.0, 900_000, true),
            row(4.0, 100.0, 0, false),
            row(5.0, 90.0, 0, true),
            row(5.4, 5.0, 0, false),
        ];
        let s = StallSummary::of(&rows, 1_400_000, 5.4);
        assert_eq!(s.episodes, 2);
        assert_eq!(s.stalled_intervals, 2);
        assert!((s.stall_percent - 1.4 / 5.4 * 100.0).abs() < 1e-9);
        let (t, ops, ratio) = s.worst_dip.unwrap();
        assert_eq!(
            (t, ops),
            (3.0, 10.0),
            "the partial last second is not a dip"
        );
        assert!((ratio - 10.0 / 90.0).abs() < 1e-9);
        let calm = StallSummary::of(&[row(1.0, 5.0, 0, false), row(2.0, 5.0, 0, false)], 0, 2.0);
        assert_eq!((calm.episodes, calm.stall_percent), (0, 0.0));
    }
}
