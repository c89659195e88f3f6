//! Every metric rdbtune reports, with its unit, which direction is better, whether it can
//! be negative and where it comes from. Objectives, constraints, gate checks, alerts,
//! comparisons, tables and reports all look metrics up here; no other module decides a
//! metric's unit or direction from its name.

use crate::engine::size::human_bytes;
use crate::stats::{Direction, Estimate};

/// How a metric's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    OpsPerSec,
    MibPerSec,
    Micros,
    Seconds,
    Bytes,
    /// A ratio shown as `2.10x`.
    Ratio,
    /// A share in 0..1 shown as a percentage.
    Fraction,
    /// Already a percentage.
    Percent,
    Count,
    PerMinute,
    MibPerHour,
    /// A relative change (0.05 = 5% more).
    Relative,
}

impl Unit {
    /// What follows a value in text, e.g. " ops/s"; empty where the value carries it.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::OpsPerSec => " ops/s",
            Unit::MibPerSec => " MiB/s",
            Unit::Micros => " µs",
            Unit::Seconds => " s",
            Unit::Percent => "%",
            Unit::PerMinute => " /min",
            Unit::MibPerHour => " MiB/h",
            Unit::Bytes | Unit::Ratio | Unit::Fraction | Unit::Count | Unit::Relative => "",
        }
    }

    /// The value for people without its suffix: sizes as `1.5 MiB`, ratios as `2.10x`,
    /// fractions as `97.2%`, whole numbers from 1000 up, two decimals below.
    pub fn format(self, v: f64) -> String {
        match self {
            Unit::Bytes => human_bytes(v.max(0.0) as u64),
            Unit::Ratio => format!("{v:.2}x"),
            Unit::Fraction => format!("{:.1}%", v * 100.0),
            _ if v.abs() >= 1000.0 || v == 0.0 => format!("{v:.0}"),
            _ => format!("{v:.2}"),
        }
    }

    /// [`Unit::format`] with the suffix.
    pub fn show(self, v: f64) -> String {
        format!("{}{}", self.format(v), self.suffix())
    }
}

/// Where a metric is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Per phase, named `<phase label>.<name>`.
    Phase,
    /// Per trial run (after its last phase, or over all its phases).
    Trial,
    /// Per second while a phase runs (alerts, the live view, intervals.csv).
    Second,
}

/// One catalogued metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metric {
    pub name: &'static str,
    pub scope: Scope,
    pub unit: Unit,
    pub better: Direction,
    /// Slopes and drifts can be below zero; nothing else can.
    pub can_be_negative: bool,
    /// Where the number comes from.
    pub source: &'static str,
}

const fn m(
    name: &'static str,
    scope: Scope,
    unit: Unit,
    better: Direction,
    source: &'static str,
) -> Metric {
    Metric {
        name,
        scope,
        unit,
        better,
        can_be_negative: false,
        source,
    }
}

const fn signed(mut x: Metric) -> Metric {
    x.can_be_negative = true;
    x
}

use Direction::{Higher, Lower};
use Scope::{Phase, Second, Trial};

/// The catalogue. docs/metrics.md explains each source at length.
pub const CATALOGUE: &[Metric] = &[
    m("ops_per_sec", Phase, Unit::OpsPerSec, Higher, "headline ops (keys; a batch of b keys counts b) / the phase's wall time, all threads"),
    m("debt_ops_per_sec", Phase, Unit::OpsPerSec, Higher, "headline ops / (wall time + the compaction wait after the phase): throughput that pays its compaction debt"),
    m("mb_per_sec", Phase, Unit::MibPerSec, Higher, "headline key + value bytes / wall time, MiB/s (db_bench's MB/s)"),
    m("elapsed_s", Phase, Unit::Seconds, Lower, "wall time from the first worker's start to the last one's end"),
    m("avg_us", Phase, Unit::Micros, Lower, "mean latency per sample (one op or one batch), per-thread HdrHistograms"),
    m("p50_us", Phase, Unit::Micros, Lower, "median latency per sample"),
    m("p95_us", Phase, Unit::Micros, Lower, "95th percentile latency per sample"),
    m("p99_us", Phase, Unit::Micros, Lower, "99th percentile latency per sample"),
    m("p999_us", Phase, Unit::Micros, Lower, "99.9th percentile latency per sample"),
    m("p9999_us", Phase, Unit::Micros, Lower, "99.99th percentile latency per sample"),
    m("max_us", Phase, Unit::Micros, Lower, "largest latency sample"),
    m("cache_hit_rate", Phase, Unit::Fraction, Higher, "block cache hits / lookups during the phase (rocksdb.block.cache.hit/miss)"),
    m("stall_micros", Phase, Unit::Micros, Lower, "writer stall time during the phase (rocksdb.stall.micros)"),
    m("stall_percent", Phase, Unit::Percent, Lower, "writer stall time / the phase's wall time"),
    m("write_amplification", Phase, Unit::Ratio, Lower, "(flush + compaction bytes written) / user bytes written, during the phase and its compaction wait"),
    m("compaction_wait_s", Phase, Unit::Seconds, Lower, "untimed wait for flushes and compactions after a writing phase"),
    m("cpu_s", Phase, Unit::Seconds, Lower, "process CPU seconds (user + system), RocksDB's threads included"),
    m("flushes", Phase, Unit::Count, Lower, "completed flushes (count of rocksdb.db.flush.micros)"),
    m("flushes_per_min", Phase, Unit::PerMinute, Lower, "flushes per minute of wall time and compaction wait"),
    m("compactions", Phase, Unit::Count, Lower, "completed compactions (count of rocksdb.compaction.times.micros)"),
    m("compaction_s", Phase, Unit::Seconds, Lower, "wall time spent in compactions (sum of rocksdb.compaction.times.micros)"),
    m("read_amplification", Phase, Unit::Ratio, Lower, "bytes read from SST files for users (rocksdb.last.level.read.bytes + non.last.level, minus rocksdb.compact.read.bytes) / value bytes returned (rocksdb.bytes.read + multiget + rocksdb.db.iter.bytes.read), over the phase and its compaction wait"),
    m("read_bytes_per_op", Phase, Unit::Bytes, Lower, "bytes this process read from storage (/proc/self/io read_bytes: page-cache hits excluded) per headline op, over the phase and its compaction wait"),
    m("write_bytes_per_op", Phase, Unit::Bytes, Lower, "bytes this process sent to storage (/proc/self/io write_bytes, counted as pages are dirtied) per headline op"),
    m("syscall_read_bytes_per_op", Phase, Unit::Bytes, Lower, "bytes passed to read system calls (/proc/self/io rchar, page-cache hits included) per headline op"),
    m("syscall_write_bytes_per_op", Phase, Unit::Bytes, Lower, "bytes passed to write system calls (/proc/self/io wchar) per headline op"),
    m("sst_read_bytes_per_op", Phase, Unit::Bytes, Lower, "SST bytes RocksDB read for users (file-reader tickers minus compaction reads) per headline op"),
    m("wal_bytes_per_op", Phase, Unit::Bytes, Lower, "WAL bytes written (rocksdb.wal.bytes) per headline op"),
    m("device_read_bytes_per_op", Phase, Unit::Bytes, Lower, "bytes read from the DB's block device (/proc/diskstats sectors x 512, every process) per headline op; absent without a device (tmpfs, overlay)"),
    m("device_write_bytes_per_op", Phase, Unit::Bytes, Lower, "bytes written to the DB's block device (/proc/diskstats, every process) per headline op"),
    signed(m("rss_slope_mib_per_h", Phase, Unit::MibPerHour, Lower, "least-squares slope of RSS after the first 10% of the phase (phases of 10 s or more)")),
    signed(m("throughput_drift", Phase, Unit::Relative, Higher, "mean ops/s of the last 10% of seconds / of the first 10%, minus 1")),
    m("compression_ratio", Trial, Unit::Ratio, Higher, "raw key + value bytes in live SSTs / live SST bytes, after the last phase"),
    m("disk_bytes", Trial, Unit::Bytes, Lower, "every file under the DB directory after the last phase"),
    m("sst_bytes", Trial, Unit::Bytes, Lower, "rocksdb.live-sst-files-size after the last phase"),
    m("table_readers_bytes", Trial, Unit::Bytes, Lower, "rocksdb.estimate-table-readers-mem after the last phase: index and filter blocks held outside the block cache"),
    m("space_amplification", Trial, Unit::Ratio, Lower, "rocksdb.total-sst-files-size / rocksdb.estimate-live-data-size after the last phase (1.0 = no dead bytes on disk)"),
    m("memtable_bytes", Trial, Unit::Bytes, Lower, "rocksdb.cur-size-all-mem-tables after the last phase"),
    m("configured_memory_bytes", Trial, Unit::Bytes, Lower, "block cache capacity + all memtables (write_buffer_size x max_write_buffer_number)"),
    m("peak_rss_bytes", Trial, Unit::Bytes, Lower, "largest per-second RSS over the run's phases"),
    m("write_amplification", Trial, Unit::Ratio, Lower, "(flush + compaction bytes written) / user bytes written since the DB was opened"),
    m("stall_micros", Trial, Unit::Micros, Lower, "writer stall time summed over the run's phases"),
    m("ops_per_sec", Second, Unit::OpsPerSec, Higher, "headline ops/s over the 1-second interval"),
    m("p50_us", Second, Unit::Micros, Lower, "median latency of the interval's samples"),
    m("p99_us", Second, Unit::Micros, Lower, "p99 latency of the interval's samples"),
    m("stall_percent", Second, Unit::Percent, Lower, "writer stall time / interval time"),
    m("cache_hit_rate", Second, Unit::Fraction, Higher, "block cache hits / lookups in the interval (not judged without lookups)"),
    m("pending_compaction_bytes", Second, Unit::Bytes, Lower, "rocksdb.estimate-pending-compaction-bytes at the interval's end"),
    m("memtable_bytes", Second, Unit::Bytes, Lower, "rocksdb.cur-size-all-mem-tables at the interval's end"),
    m("rss_bytes", Second, Unit::Bytes, Lower, "process resident memory (/proc/self/statm)"),
    signed(m("rss_growth_mib_per_h", Second, Unit::MibPerHour, Lower, "least-squares RSS slope since 60 s into the phase (judged once the window is long enough)")),
    signed(m("unaccounted_rss_growth_mib_per_h", Second, Unit::MibPerHour, Lower, "the same slope of RSS minus RocksDB's own accounting (cache, memtables, table readers)")),
];

/// The catalogued metric of `scope` named `name` (no phase prefix).
pub fn get(scope: Scope, name: &str) -> Option<&'static Metric> {
    CATALOGUE
        .iter()
        .find(|x| x.scope == scope && x.name == name)
        .or_else(|| (scope == Phase && is_percentile_name(name)).then_some(&PERCENTILE))
}

/// Any `--percentiles` latency percentile of a phase: `p<digits>_us` (p75_us, p99999_us).
pub const PERCENTILE: Metric = m(
    "p<N>_us",
    Phase,
    Unit::Micros,
    Lower,
    "a latency percentile --percentiles asked for, per sample: the digits without the dot (p75_us = p75, p99999_us = p99.999)",
);

fn is_percentile_name(name: &str) -> bool {
    name.strip_prefix('p')
        .and_then(|r| r.strip_suffix("_us"))
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The metric a result name refers to: `<phase>.<name>` for phase metrics, a bare name for
/// trial metrics. The phase label is not checked (see [`known`]).
pub fn lookup(name: &str) -> Option<&'static Metric> {
    get(Scope::Trial, name).or_else(|| {
        name.rsplit_once('.')
            .and_then(|(_, m)| get(Scope::Phase, m))
    })
}

/// Whether `name` is a metric a scenario with these phase labels produces.
pub fn known(labels: &[String], name: &str) -> bool {
    if get(Scope::Trial, name).is_some() {
        return true;
    }
    match name.rsplit_once('.') {
        Some((label, m)) => labels.iter().any(|l| l == label) && get(Scope::Phase, m).is_some(),
        None => false,
    }
}

/// Names of the metrics of `scope`, in catalogue order.
pub fn names(scope: Scope) -> Vec<&'static str> {
    CATALOGUE
        .iter()
        .filter(|x| x.scope == scope)
        .map(|x| x.name)
        .collect()
}

/// Which direction is better for a result metric (higher for names not catalogued).
pub fn better(name: &str) -> Direction {
    lookup(name).map_or(Direction::Higher, |x| x.better)
}

/// The unit of a result metric (a plain number for names not catalogued).
pub fn unit(name: &str) -> Unit {
    lookup(name).map_or(Unit::Count, |x| x.unit)
}

/// A value of a result metric for people, without its unit suffix.
pub fn format(name: &str, v: f64) -> String {
    unit(name).format(v)
}

/// A value of a result metric with its unit, e.g. `231000 ops/s`, `12.30 µs`, `2.10x`.
pub fn show(name: &str, v: f64) -> String {
    unit(name).show(v)
}

/// The estimate of a result metric over repeats, its interval clipped to the metric's
/// domain (no negative throughput).
pub fn estimate(name: &str, xs: &[f64]) -> Option<Estimate> {
    let nonnegative = !lookup(name).is_some_and(|x| x.can_be_negative);
    Estimate::of_domain(xs, nonnegative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_with_and_without_phase_labels() {
        let labels = vec!["fillrandom".to_string(), "readrandom#2".to_string()];
        assert!(known(&labels, "fillrandom.p99_us"));
        assert!(known(&labels, "readrandom#2.ops_per_sec"));
        assert!(known(&labels, "compression_ratio"));
        assert!(!known(&labels, "readrandom.p99_us"));
        assert!(!known(&labels, "fillrandom.speed"));
        assert_eq!(better("w.p99_us"), Direction::Lower);
        assert_eq!(better("compression_ratio"), Direction::Higher);
        assert_eq!(better("disk_bytes"), Direction::Lower);
        assert_eq!(show("w.ops_per_sec", 231_000.4), "231000 ops/s");
        assert_eq!(show("w.p99_us", 12.3), "12.30 µs");
        assert_eq!(show("compression_ratio", 2.1), "2.10x");
        assert_eq!(show("w.cache_hit_rate", 0.972), "97.2%");
        assert_eq!(format("disk_bytes", 1536.0 * 1024.0), "1.5 MiB");
        assert!(estimate("w.ops_per_sec", &[10.0, 300.0]).unwrap().ci_low >= 0.0);
        assert!(
            estimate("w.rss_slope_mib_per_h", &[3.0, 40.0])
                .unwrap()
                .ci_low
                < 0.0
        );
    }

    #[test]
    fn every_entry_is_unique_within_its_scope() {
        for (i, a) in CATALOGUE.iter().enumerate() {
            assert!(
                !CATALOGUE[i + 1..]
                    .iter()
                    .any(|b| a.scope == b.scope && a.name == b.name),
                "{} twice",
                a.name
            );
            assert!(!a.source.is_empty(), "{} has no source", a.name);
        }
    }
}
