//! How to ask: worker threads, bounds (ops or duration), warm-up, the per-thread recorders and
//! the collector that turns interval pieces and engine samples into a timeline.

pub mod live;
pub mod recorder;
mod ycsb;

use crate::engine::stats::{Counters, EngineStats};
use crate::engine::{batch::uniform_batch_capacity, AdaptiveBatcher, Engine};
use crate::error::{Error, Result};
use crate::signals;
use crate::sysmon;
use crate::workload::keys::{encode_key, key_buffer, uniform, Permutation, ValueGen};
use crate::workload::{OpKind, Workload};
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use recorder::{
    new_histogram, IntervalPiece, LatencySummary, OpOutcome, Recorder, ThreadTotals, INTERVAL,
};
use rocksdb::WriteBatch;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Barrier};
use std::time::{Duration, Instant};

/// How write workloads build their WriteBatches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchMode {
    #[default]
    Presized,
    Default,
    Adaptive,
}

/// Everything one phase needs to know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseSpec {
    pub workload: Workload,
    /// Size of the key space: keys are numbered 0..num.
    pub num: u64,
    /// Operations to run (keys for writes; a batch of b keys counts b). Default: num.
    pub ops: Option<u64>,
    /// Run for this long instead (or stop at whichever of ops and duration comes first).
    pub duration_s: Option<f64>,
    /// Worker threads (for readwhilewriting: readers; one writer runs beside them).
    pub threads: usize,
    /// Keys per WriteBatch for write workloads; 1 writes single puts. With
    /// `batch_mode = adaptive` this is the largest batch the sizer may choose.
    pub batch_size: usize,
    /// How batches are built: `presized` (buffer sized exactly up front), `default`
    /// (RocksDB's default buffer, grown while filling) or `adaptive` (AdaptiveBatcher).
    #[serde(default)]
    pub batch_mode: BatchMode,
    pub key_size: usize,
    pub value_size: usize,
    /// Fraction of each value that is random (db_bench --compression_ratio).
    pub compressibility: f64,
    /// readrandomwriterandom: percentage of reads.
    pub read_percent: u32,
    /// seekrandom: iterator steps after each seek.
    pub seek_nexts: usize,
    /// Seconds run before measuring (same workload, results discarded).
    pub warmup_s: f64,
    pub seed: u64,
    /// Target throughput over all threads (ops/s): each thread paces its ops and the
    /// intended (coordinated-omission corrected) latency is reported beside the measured one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_ops_per_sec: Option<f64>,
    /// The YCSB workload of ycsb-load / ycsb-run phases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ycsb: Option<crate::workload::ycsb::YcsbSpec>,
}

impl PhaseSpec {
    /// A spec with db_bench's defaults for everything but the workload and key count.
    pub fn new(workload: Workload, num: u64) -> PhaseSpec {
        PhaseSpec {
            workload,
            num,
            ops: None,
            duration_s: None,
            batch_mode: BatchMode::Presized,
            threads: 1,
            batch_size: if workload == Workload::FillBatch {
                1000
            } else {
                1
            },
            key_size: 16,
            value_size: 100,
            compressibility: 0.5,
            read_percent: 90,
            seek_nexts: 0,
            warmup_s: 0.0,
            seed: 0x5EED,
            target_ops_per_sec: None,
            ycsb: None,
        }
    }

    /// Checks values before any thread starts; errors name the setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::usage(m));
        if self.num == 0 {
            return bad("--num must be at least 1 (the number of keys)".into());
        }
        if self.threads == 0 || self.threads > 1024 {
            return bad(format!(
                "--threads {} is out of range: use 1 to 1024",
                self.threads
            ));
        }
        if self.batch_size == 0 {
            return bad("--batch-size must be at least 1".into());
        }
        if !(8..=1 << 16).contains(&self.key_size) {
            return bad(format!(
                "--key-size {} is out of range: keys hold an 8-byte key number, use 8 to 65536",
                self.key_size
            ));
        }
        if self.value_size == 0 || self.value_size > 64 << 20 {
            return bad(format!(
                "--value-size {} is out of range: use 1 byte to 64MiB",
                self.value_size
            ));
        }
        if !(self.compressibility > 0.0 && self.compressibility <= 1.0) {
            return bad(format!(
                "--compressibility {} is out of range: use a fraction in (0, 1], e.g. 0.5 for about 2x",
                self.compressibility
            ));
        }
        if self.read_percent > 100 {
            return bad(format!("--read-percent {} is over 100", self.read_percent));
        }
        if let Some(d) = self.duration_s {
            if !(d > 0.0 && d.is_finite()) {
                return bad(format!(
                    "--duration {d} must be a positive number of seconds"
                ));
            }
        }
        if self.batch_mode == BatchMode::Adaptive
            && !matches!(self.workload, Workload::FillSeq | Workload::FillBatch)
        {
            return bad(format!(
                "batch_mode = adaptive works with fillseq and fillbatch, not {}",
                self.workload
            ));
        }
        if let Some(t) = self.target_ops_per_sec {
            if !(t > 0.0 && t.is_finite()) {
                return bad(format!("--target {t} must be a positive number of ops/s"));
            }
        }
        match (
            &self.ycsb,
            matches!(self.workload, Workload::YcsbLoad | Workload::YcsbRun),
        ) {
            (Some(y), true) => y.validate()?,
            (None, true) => {
                return bad(format!(
                    "{} needs a YCSB workload (use rdbtune ycsb or a scenario's ycsb key)",
                    self.workload
                ))
            }
            _ => {}
        }
        if self.ops == Some(0) {
            return bad("--ops must be at least 1".into());
        }
        if !(self.warmup_s >= 0.0 && self.warmup_s.is_finite()) {
            return bad(format!("--warmup {} must be >= 0 seconds", self.warmup_s));
        }
        Ok(())
    }

    /// Total operations when bounded by count: explicit ops, else num (YCSB: recordcount
    /// for load, operationcount for run).
    fn total_ops(&self) -> Option<u64> {
        match (&self.ycsb, self.workload) {
            (Some(y), Workload::YcsbLoad) => return Some(self.ops.unwrap_or(y.recordcount)),
            (Some(y), Workload::YcsbRun) if self.duration_s.is_none() => {
                return Some(self.ops.unwrap_or(y.operationcount))
            }
            _ => {}
        }
        match (self.ops, self.duration_s) {
            (Some(n), _) => Some(n),
            (None, Some(_)) => None,
            (None, None) => Some(self.num),
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
        let median = crate::tune::stats::median(&rates);
        let worst_dip = full
            .iter()
            .min_by(|a, b| a.ops_per_sec.total_cmp(&b.ops_per_sec))
            .filter(|_| full.len() >= 2 && median > 0.0)
            .map(|r| (r.t_s, r.ops_per_sec, r.ops_per_sec / median));
        StallSummary {
            stall_percent: stall_micros as f64 / 1e4 / elapsed_s.max(1e-9),
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
    pub intervals: Vec<IntervalRow>,
    /// Stall share, stall episodes and the worst 1-second dip, from the intervals.
    #[serde(default)]
    pub stalls: StallSummary,
    /// RSS slope and throughput drift after the first 10% of the phase (at least 5 s);
    /// absent for phases too short to judge (fewer than 10 seconds left).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<crate::tune::soak::Trend>,
    /// Seconds spent waiting for flush and compaction after the phase (not in elapsed_s).
    pub compaction_wait_s: f64,
    /// Process CPU seconds (user + system) during the phase, RocksDB's threads included.
    pub cpu_s: f64,
    pub engine: PhaseEngine,
    /// Alert episodes (rules from `--alert` or the scenario's `[alerts]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<live::AlertEvent>,
    /// True when a signal cut the phase short.
    pub interrupted: bool,
}

/// How the phase reports progress while it runs.
#[derive(Clone, Default)]
pub struct Progress {
    /// Draw the progress bar with the live dashboard under it (stderr must be a terminal).
    pub enabled: bool,
    /// YCSB-format status lines on stderr every this many seconds (`rdbtune ycsb`).
    pub status_every_s: Option<u64>,
    /// rdbtune status lines on stderr every this many seconds (logs, no dashboard).
    pub plain_every_s: Option<u64>,
    /// Names the phase in the dashboard, status lines and alerts.
    pub label: String,
    /// Thresholds judged on every full second.
    pub alerts: live::AlertSet,
    /// Print a line on stderr when an alert starts or clears.
    pub print_alerts: bool,
    /// Draw under this multi-bar (a scenario's trial bar) instead of alone.
    pub multi: Option<indicatif::MultiProgress>,
    /// Append each full second to this CSV as it completes.
    pub log: Option<live::IntervalLog>,
}

/// What to do after a writing phase, outside its timed span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterWrite {
    /// Nothing: the next phase inherits any compaction debt.
    Nothing,
    /// Wait until no flush or compaction is pending or running.
    WaitForCompaction,
    /// Flush the memtables, then wait: space and compression figures cover all data.
    FlushAndWait,
}

/// Runs one phase (with its warm-up) on `engine`, then `after` if it wrote.
pub fn run_phase(
    engine: &Engine,
    spec: &PhaseSpec,
    after: AfterWrite,
    progress: &Progress,
) -> Result<PhaseResult> {
    spec.validate()?;
    if spec.warmup_s > 0.0 {
        let mut w = spec.clone();
        w.duration_s = Some(spec.warmup_s);
        w.ops = None;
        w.seed ^= 0xA5A5_A5A5;
        drive(engine, &w, &Progress::default())?;
    }
    let before = Counters::read(engine);
    let (u0, s0) = sysmon::cpu_times();
    let mut r = drive(engine, spec, progress)?;
    let (u1, s1) = sysmon::cpu_times();
    r.cpu_s = (u1 - u0) + (s1 - s0);
    if after != AfterWrite::Nothing && spec.workload.writes() && !r.interrupted {
        let t = Instant::now();
        engine.wait_for_compaction(after == AfterWrite::FlushAndWait)?;
        r.compaction_wait_s = t.elapsed().as_secs_f64();
    }
    let after = engine.get_stats()?;
    let during = after.counters.since(&before);
    r.stalls = StallSummary::of(&r.intervals, during.stall_micros, r.elapsed_s);
    let points: Vec<crate::tune::soak::Point> = r
        .intervals
        .iter()
        .map(|i| crate::tune::soak::Point {
            t_s: i.t_s,
            rss_bytes: i.rss_bytes,
            rocksdb_mem_bytes: i.rocksdb_mem_bytes,
            ops_per_sec: i.ops_per_sec,
        })
        .collect();
    r.trend = crate::tune::soak::trend(
        &points,
        (r.elapsed_s * 0.1).max(5.0),
        crate::tune::soak::RSS_GROWTH_THRESHOLD_MIB_PER_H,
    );
    r.engine = PhaseEngine {
        compression_ratio: after.compression_ratio,
        sst_bytes: after.live_sst_bytes,
        disk_bytes: after.disk_bytes,
        cache_hit_rate: during.cache_hit_rate(),
        stall_micros: during.stall_micros,
        write_amplification: during.write_amplification(),
        during,
        after,
    };
    Ok(r)
}

/// Longest a batch may take before the adaptive sizer halves it.
pub const ADAPTIVE_MAX_BATCH_LATENCY: Duration = Duration::from_millis(50);

/// Per-thread share of `total` ops: thread `t` of `n` gets [lo, hi).
fn share(total: u64, t: usize, n: usize) -> (u64, u64) {
    let (t, n) = (t as u64, n as u64);
    (total * t / n, total * (t + 1) / n)
}

struct Shared<'a> {
    engine: &'a Engine,
    spec: &'a PhaseSpec,
    inserts: Option<crate::workload::ycsb::InsertSequence>,
    writer_stop: AtomicBool,
    /// Set when a worker's op fails: every worker stops.
    abort: std::sync::Arc<AtomicBool>,
    barrier: Barrier,
}

/// Runs the workers and the collector; returns the measurement without engine stats.
fn drive(engine: &Engine, spec: &PhaseSpec, progress: &Progress) -> Result<PhaseResult> {
    let workers = spec.threads;
    let extra_writer = spec.workload == Workload::ReadWhileWriting;
    let shared = Shared {
        engine,
        spec,
        inserts: spec
            .ycsb
            .as_ref()
            .map(|y| crate::workload::ycsb::InsertSequence::new(y.recordcount)),
        writer_stop: AtomicBool::new(false),
        abort: std::sync::Arc::new(AtomicBool::new(false)),
        barrier: Barrier::new(workers + usize::from(extra_writer) + 1),
    };
    let total = spec.total_ops();
    let deadline_d = spec.duration_s.map(Duration::from_secs_f64);
    let bar = make_bar(progress, total, deadline_d);
    let mut headline = [false; OpKind::COUNT];
    for k in OpKind::ALL {
        headline[k.index()] = spec.workload.headline(k);
    }
    let (tx, rx) = mpsc::channel::<IntervalPiece>();
    let log = progress
        .log
        .as_ref()
        .map(live::IntervalAppender::open)
        .transpose()?;

    let (results, start, collected) = std::thread::scope(|s| {
        let mut handles = Vec::new();
        for t in 0..workers + usize::from(extra_writer) {
            let tx = tx.clone();
            let shared = &shared;
            let role_writer = extra_writer && t == workers;
            handles.push(s.spawn(move || {
                shared.barrier.wait();
                let start = Instant::now();
                let mut rec = Recorder::new(start, headline, Some(tx));
                rec.set_abort(shared.abort.clone());
                if progress.status_every_s.is_some() {
                    rec.track_kinds();
                }
                if let Some(target) = spec.target_ops_per_sec {
                    let per_thread = target / workers as f64;
                    rec.set_pace(start, Duration::from_secs_f64(1.0 / per_thread));
                }
                let quota = total.map(|n| {
                    let (lo, hi) = share(n, t.min(workers - 1), workers);
                    if role_writer {
                        u64::MAX
                    } else {
                        hi - lo
                    }
                });
                let deadline = deadline_d.map(|d| start + d);
                worker(shared, t, role_writer, rec, quota, deadline)
            }));
        }
        drop(tx);
        // Taken before the barrier so it precedes every worker's start even when this thread
        // is descheduled at the barrier; elapsed time uses the workers' own starts.
        let start = Instant::now();
        shared.barrier.wait();
        let collected = collect(&shared, &rx, start, &bar, &handles, workers, progress, log);
        let results: Vec<Result<ThreadTotals>> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::usage("a worker thread panicked")))
            })
            .collect();
        (results, start, collected)
    });
    bar.finish_and_clear();
    if let Some(m) = &progress.multi {
        m.remove(&bar);
    }
    let (samples, pieces, alerts) = collected;

    let mut totals = ThreadTotals::new();
    for r in results {
        totals.merge(&r?);
    }
    // Wall time from the first worker's start to the last one's end (the collector may be
    // descheduled at the start barrier on a busy machine; the workers' clocks are not).
    let first = totals.start.unwrap_or(start);
    let end = totals.end.unwrap_or(first);
    let elapsed = (end.saturating_duration_since(first))
        .as_secs_f64()
        .max(1e-9);
    let mut r = summarise(spec, totals, elapsed, samples, pieces);
    r.alerts = alerts;
    Ok(r)
}

/// One second of the timeline while the phase runs. Its histogram is reduced to the
/// percentiles and dropped once the second is `SEAL_AFTER` seconds old, so a day-long run
/// keeps a few seconds of histograms, not 86,400 of them.
#[derive(Default)]
struct IntervalAcc {
    ops: u64,
    hist: Option<Histogram<u64>>,
    p50_us: f64,
    p99_us: f64,
}

/// Seconds after which an interval's histogram is reduced to its percentiles. A thread
/// stalled longer delivers its piece late; it is then folded in conservatively (its p99 can
/// only raise the interval's p99).
const SEAL_AFTER: usize = 30;

impl IntervalAcc {
    fn add(&mut self, ops: u64, h: &Histogram<u64>) {
        self.ops += ops;
        match &mut self.hist {
            Some(mine) => mine.add(h).expect("same bounds"),
            None if self.p99_us == 0.0 && self.p50_us == 0.0 => self.hist = Some(h.clone()),
            None => {
                if !h.is_empty() {
                    self.p99_us = self.p99_us.max(h.value_at_quantile(0.99) as f64 / 1000.0);
                }
            }
        }
    }

    fn seal(&mut self) {
        if let Some(h) = self.hist.take() {
            if !h.is_empty() {
                self.p50_us = h.value_at_quantile(0.5) as f64 / 1000.0;
                self.p99_us = h.value_at_quantile(0.99) as f64 / 1000.0;
            }
        }
    }

    fn p50_now(&self) -> f64 {
        match &self.hist {
            Some(h) if !h.is_empty() => h.value_at_quantile(0.5) as f64 / 1000.0,
            _ => self.p50_us,
        }
    }

    fn p99_now(&self) -> f64 {
        match &self.hist {
            Some(h) if !h.is_empty() => h.value_at_quantile(0.99) as f64 / 1000.0,
            _ => self.p99_us,
        }
    }
}

type Pieces = Vec<IntervalAcc>;
/// Per interval, per op kind latency (filled only for status lines).
type KindPieces = Vec<Vec<(OpKind, Histogram<u64>)>>;

/// Receives interval pieces until every worker is done; samples the engine each second and,
/// a moment later (once every thread's piece of that second is in), shows the second: log
/// row, alerts, dashboard or status line. Stops the readwhilewriting writer once all readers
/// have finished.
#[allow(clippy::too_many_arguments)]
fn collect(
    shared: &Shared,
    rx: &mpsc::Receiver<IntervalPiece>,
    start: Instant,
    bar: &ProgressBar,
    handles: &[std::thread::ScopedJoinHandle<'_, Result<ThreadTotals>>],
    readers: usize,
    progress: &Progress,
    mut log: Option<live::IntervalAppender>,
) -> (Vec<live::Sample>, Pieces, Vec<live::AlertEvent>) {
    let mut total_ops = 0u64;
    let mut due: Option<(Instant, u64)> = None;
    let mut kinds: KindPieces = Vec::new();
    let mut samples = vec![live::sample(shared.engine)];
    let mut pieces: Pieces = Vec::new();
    let mut alerts = live::AlertTracker::new(&progress.alerts);
    let say = |line: &str| bar.suspend(|| eprintln!("{line}"));
    // Shows full second `secs` (1-based) once its pieces are in.
    let mut show = |secs: u64,
                    pieces: &Pieces,
                    kinds: &mut KindPieces,
                    samples: &[live::Sample],
                    total_ops: u64| {
        let i = secs as usize - 1;
        let (ops, p50, p99) = pieces
            .get(i)
            .map_or((0, 0.0, 0.0), |a| (a.ops, a.p50_now(), a.p99_now()));
        let row = live::interval_row(
            secs as f64,
            1.0,
            ops,
            p50,
            p99,
            &samples[i],
            &samples[i + 1],
        );
        if let Some(l) = &mut log {
            l.append(&row);
        }
        for c in alerts.observe(&row) {
            if progress.print_alerts {
                say(&live::alert_line(&progress.label, &c));
            }
        }
        if !bar.is_hidden() {
            bar.set_message(live::dashboard(&progress.label, &row, &alerts.active()));
        } else if progress
            .plain_every_s
            .is_some_and(|e| e > 0 && secs % e == 0)
        {
            say(&live::status_line(&progress.label, &row, total_ops));
        }
        if progress
            .status_every_s
            .is_some_and(|e| e > 0 && secs % e == 0)
        {
            let mut p99s: Vec<String> = kinds
                .get(i)
                .map(|v| {
                    let mut v: Vec<&(OpKind, Histogram<u64>)> = v.iter().collect();
                    v.sort_by_key(|(k, _)| *k);
                    v.iter()
                        .map(|(k, h)| {
                            let p99 = h.value_at_quantile(0.99) as f64 / 1000.0;
                            format!("{} p99 {p99:.1} µs", k.ycsb_label())
                        })
                        .collect()
                })
                .unwrap_or_default();
            if p99s.is_empty() {
                p99s.push("no ops completed".into());
            }
            say(&format!(
                "{secs} sec: {total_ops} operations; {ops} current ops/sec; second {secs}: {}",
                p99s.join(", ")
            ));
        }
        if let Some(k) = kinds.get_mut(i) {
            k.clear(); // shown: not needed any more
        }
    };
    // Bounded by ops: the bar counts ops; by time only: it counts seconds.
    let by_time = shared.spec.total_ops().is_none();
    let mut next = start + INTERVAL;
    loop {
        if !shared.writer_stop.load(Ordering::Relaxed)
            && handles.len() > readers
            && handles[..readers].iter().all(|h| h.is_finished())
        {
            shared.writer_stop.store(true, Ordering::Relaxed);
        }
        if let Some((at, secs)) = due {
            if Instant::now() >= at {
                due = None;
                show(secs, &pieces, &mut kinds, &samples, total_ops);
            }
        }
        let wait = next
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(50));
        match rx.recv_timeout(wait) {
            Ok(p) => {
                let i = p.index as usize;
                if pieces.len() <= i {
                    pieces.resize_with(i + 1, IntervalAcc::default);
                }
                pieces[i].add(p.ops, &p.hist);
                total_ops += p.ops;
                if !p.per_kind.is_empty() {
                    if kinds.len() <= i {
                        kinds.resize_with(i + 1, Vec::new);
                    }
                    for (k, h) in p.per_kind {
                        match kinds[i].iter_mut().find(|(kk, _)| *kk == k) {
                            Some((_, mine)) => mine.add(&h).expect("same bounds"),
                            None => kinds[i].push((k, h)),
                        }
                    }
                }
                if !by_time {
                    bar.inc(p.ops);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if Instant::now() >= next {
                    samples.push(live::sample(shared.engine));
                    next += INTERVAL;
                    let secs = samples.len() as u64 - 1;
                    if let Some((_, pending)) = due.take() {
                        show(pending, &pieces, &mut kinds, &samples, total_ops);
                    }
                    // Shown a moment later, once every thread's piece of that second has
                    // arrived (threads send it on their first op after the boundary).
                    due = Some((Instant::now() + Duration::from_millis(200), secs));
                    if let Some(old) = (secs as usize).checked_sub(SEAL_AFTER) {
                        if let Some(a) = pieces.get_mut(old) {
                            a.seal();
                        }
                        if let Some(k) = kinds.get_mut(old) {
                            k.clear();
                        }
                    }
                    if by_time {
                        bar.set_position(start.elapsed().as_secs());
                    }
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if let Some((_, secs)) = due {
        show(secs, &pieces, &mut kinds, &samples, total_ops);
    }
    samples.push(live::sample(shared.engine));
    for a in &mut pieces {
        a.seal();
    }
    (samples, pieces, alerts.finish())
}

fn make_bar(progress: &Progress, total: Option<u64>, duration: Option<Duration>) -> ProgressBar {
    if !progress.enabled {
        return ProgressBar::hidden();
    }
    let bar = match (total, duration) {
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
    bar.set_message(format!(
        "  {}: waiting for the first full second",
        progress.label
    ));
    match &progress.multi {
        Some(m) => m.add(bar),
        None => {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar
        }
    }
}

/// One worker thread: builds its reusable buffers, then runs its op loop.
fn worker(
    sh: &Shared,
    t: usize,
    role_writer: bool,
    mut rec: Recorder,
    quota: Option<u64>,
    deadline: Option<Instant>,
) -> Result<ThreadTotals> {
    let spec = sh.spec;
    let e = sh.engine;
    let seed = spec
        .seed
        .wrapping_add((t as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut vals = ValueGen::new(spec.compressibility, spec.value_size, seed ^ 0x301);
    let mut key = key_buffer(spec.key_size);
    let vs = spec.value_size;
    let ks = key.len();
    let num = spec.num;
    let batch = spec.batch_size as u64;
    let total_for_share = spec.total_ops().unwrap_or(num);
    let (lo, _hi) = share(total_for_share, t.min(spec.threads - 1), spec.threads);
    let stop = &sh.writer_stop;

    // Writes `n` keys chosen by `pick` as one WriteBatch (or a single put when n == 1).
    macro_rules! write_keys {
        ($n:expr, $pick:expr) => {{
            let n: u64 = $n;
            if n == 1 {
                encode_key($pick, &mut key);
                e.put(&key, vals.next(vs))?;
                OpOutcome::new(OpKind::Write, 1, (ks + vs) as u64, None)
            } else {
                let mut b =
                    WriteBatch::with_capacity_bytes(uniform_batch_capacity(n as usize, ks, vs));
                for _ in 0..n {
                    encode_key($pick, &mut key);
                    b.put(&key, vals.next(vs));
                }
                e.write(b)?;
                OpOutcome::new(OpKind::BatchWrite, n, n * (ks + vs) as u64, None)
            }
        }};
    }
    macro_rules! read_key {
        ($k:expr) => {{
            encode_key($k, &mut key);
            let r = e.get_len(&key)?;
            OpOutcome::new(
                OpKind::Read,
                1,
                r.map_or(0, |l| (l + ks) as u64),
                Some(r.is_some()),
            )
        }};
    }

    let w = spec.workload;
    match w {
        Workload::YcsbLoad | Workload::YcsbRun => {
            ycsb::worker(sh, lo, &mut rec, quota, deadline, &mut rng, seed)?
        }
        _ if role_writer => run_loop(&mut rec, quota, deadline, Some(stop), |_| {
            Ok(write_keys!(1, uniform(&mut rng, num)))
        })?,
        Workload::FillSeq | Workload::FillBatch if spec.batch_mode == BatchMode::Adaptive => {
            let mut next = lo;
            let mut sizer =
                AdaptiveBatcher::new(16, spec.batch_size.max(16), ADAPTIVE_MAX_BATCH_LATENCY);
            run_loop(&mut rec, quota, deadline, None, |left| {
                let n = (sizer.size() as u64).min(left);
                let t0 = Instant::now();
                let out = write_keys!(n, {
                    let k = next;
                    next += 1;
                    k
                });
                sizer.observe(n as usize, t0.elapsed());
                Ok(out)
            })?
        }
        Workload::FillSeq | Workload::FillBatch => {
            let mut next = lo;
            run_loop(&mut rec, quota, deadline, None, |left| {
                let n = batch.min(left);
                Ok(write_keys!(n, {
                    let k = next;
                    next += 1;
                    k
                }))
            })?
        }
        Workload::FillRandom | Workload::Overwrite => {
            run_loop(&mut rec, quota, deadline, None, |left| {
                Ok(write_keys!(batch.min(left), uniform(&mut rng, num)))
            })?
        }
        Workload::FillUniqueRandom => {
            let perm = Permutation::new(num, spec.seed);
            let mut next = lo;
            run_loop(&mut rec, quota, deadline, None, |left| {
                Ok(write_keys!(batch.min(left), {
                    let k = perm.get(next % num);
                    next += 1;
                    k
                }))
            })?
        }
        Workload::ReadRandom | Workload::ReadWhileWriting => {
            run_loop(&mut rec, quota, deadline, None, |_| {
                Ok(read_key!(uniform(&mut rng, num)))
            })?
        }
        Workload::ReadHot => {
            let hot = (num / 100).max(1);
            run_loop(&mut rec, quota, deadline, None, |_| {
                Ok(read_key!(uniform(&mut rng, hot)))
            })?
        }
        Workload::ReadMissing => {
            let mut missing = key.clone();
            missing.push(b'.');
            run_loop(&mut rec, quota, deadline, None, |_| {
                encode_key(uniform(&mut rng, num), &mut missing);
                let r = e.get_len(&missing)?;
                Ok(OpOutcome::new(OpKind::Read, 1, 0, Some(r.is_some())))
            })?
        }
        Workload::ReadRandomWriteRandom => {
            let pct = spec.read_percent as u64;
            run_loop(&mut rec, quota, deadline, None, |_| {
                if uniform(&mut rng, 100) < pct {
                    Ok(read_key!(uniform(&mut rng, num)))
                } else {
                    Ok(write_keys!(1, uniform(&mut rng, num)))
                }
            })?
        }
        Workload::ReadSeq => {
            let mut it = e.raw_iterator();
            encode_key(lo % num, &mut key);
            it.seek(&key);
            run_loop(&mut rec, quota, deadline, None, |_| {
                if !it.valid() {
                    it.status().map_err(|er| Error::engine("iterating", er))?;
                    it.seek_to_first();
                    if !it.valid() {
                        return Err(Error::usage(
                            "readseq found an empty DB: run a fill workload first (e.g. --workload fillseq,readseq)",
                        ));
                    }
                }
                let bytes = it.key().map_or(0, |k| k.len()) + it.value().map_or(0, |v| v.len());
                it.next();
                Ok(OpOutcome::new(OpKind::Next, 1, bytes as u64, None))
            })?
        }
        Workload::SeekRandom => {
            let mut it = e.raw_iterator();
            let nexts = spec.seek_nexts;
            run_loop(&mut rec, quota, deadline, None, |_| {
                encode_key(uniform(&mut rng, num), &mut key);
                it.seek(&key);
                let found = it.valid();
                let mut bytes = 0;
                for _ in 0..nexts {
                    if !it.valid() {
                        break;
                    }
                    bytes += it.key().map_or(0, |k| k.len()) + it.value().map_or(0, |v| v.len());
                    it.next();
                }
                Ok(OpOutcome::new(OpKind::Seek, 1, bytes as u64, Some(found)))
            })?
        }
    }
    let end = Instant::now();
    Ok(rec.finish(end))
}

/// The measured loop: runs `op(keys_left)` until the quota, the deadline, a stop flag or a
/// signal ends it. Per op: two clock reads, the op, one histogram record; nothing else.
#[inline(always)]
fn run_loop(
    rec: &mut Recorder,
    quota: Option<u64>,
    deadline: Option<Instant>,
    stop: Option<&AtomicBool>,
    mut op: impl FnMut(u64) -> Result<OpOutcome>,
) -> Result<()> {
    let mut done = 0u64;
    let quota = quota.unwrap_or(u64::MAX);
    while done < quota {
        if signals::interrupted().is_some()
            || stop.is_some_and(|s| s.load(Ordering::Relaxed))
            || rec.aborted()
        {
            break;
        }
        rec.wait_for_turn();
        let t0 = Instant::now();
        let out = match op(quota - done) {
            Ok(o) => o,
            Err(e) => {
                rec.abort();
                return Err(e);
            }
        };
        let t1 = Instant::now();
        rec.record(out, t0, t1);
        done += out.ops;
        if deadline.is_some_and(|d| t1 >= d) {
            break;
        }
    }
    Ok(())
}

fn summarise(
    spec: &PhaseSpec,
    totals: ThreadTotals,
    elapsed: f64,
    samples: Vec<live::Sample>,
    pieces: Pieces,
) -> PhaseResult {
    let w = spec.workload;
    let mut per_op = Vec::new();
    let mut head_hist = new_histogram();
    let (mut head_ops, mut head_bytes) = (0u64, 0u64);
    for k in OpKind::ALL {
        let i = k.index();
        if let Some(h) = &totals.hists[i] {
            if w.headline(k) {
                head_hist.add(h).expect("same bounds");
                head_ops += totals.ops[i];
                head_bytes += totals.bytes[i];
            }
        }
        // Per kind: the op's own samples plus its nested appearances (an RMW's read).
        let mut all = match (&totals.hists[i], &totals.nested_hists[i]) {
            (None, None) => continue,
            (Some(h), _) | (None, Some(h)) => h.clone(),
        };
        if let (Some(_), Some(n)) = (&totals.hists[i], &totals.nested_hists[i]) {
            all.add(n).expect("same bounds");
        }
        let ops = totals.ops[i] + totals.nested_ops[i];
        let is_read = totals.found[i] + totals.not_found[i] > 0;
        per_op.push(OpSummary {
            kind: k,
            ops,
            ops_per_sec: ops as f64 / elapsed,
            latency_us: LatencySummary::from_histogram(&all),
            intended_latency_us: totals.intended_hists[i]
                .as_ref()
                .map(LatencySummary::from_histogram),
            found: is_read.then_some(totals.found[i]),
            not_found: is_read.then_some(totals.not_found[i]),
        });
    }
    let intervals = pieces
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let t_end = ((i + 1) as f64).min(elapsed.max(i as f64 + 1e-3));
            let span = t_end - i as f64;
            let s0 = samples.get(i).copied().unwrap_or_default();
            let s1 = samples
                .get(i + 1)
                .or(samples.last())
                .copied()
                .unwrap_or_default();
            live::interval_row(t_end, span, a.ops, a.p50_us, a.p99_now(), &s0, &s1)
        })
        .collect();
    PhaseResult {
        workload: w,
        spec: spec.clone(),
        ops: head_ops,
        elapsed_s: elapsed,
        ops_per_sec: head_ops as f64 / elapsed,
        mb_per_sec: head_bytes as f64 / elapsed / (1024.0 * 1024.0),
        latency_us: LatencySummary::from_histogram(&head_hist),
        per_op,
        intervals,
        stalls: StallSummary::default(),
        trend: None,
        compaction_wait_s: 0.0,
        cpu_s: 0.0,
        engine: PhaseEngine::default(),
        alerts: Vec::new(),
        interrupted: signals::interrupted().is_some(),
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
    fn sealed_intervals_keep_percentiles_and_drop_histograms() {
        let mut h = recorder::new_histogram();
        for v in 1..=100u64 {
            h.record(v * 1000).unwrap();
        }
        let mut a = IntervalAcc::default();
        a.add(100, &h);
        a.seal();
        assert!(a.hist.is_none());
        assert!(
            (a.p50_us - 50.0).abs() < 0.1 && (a.p99_us - 99.0).abs() < 0.1,
            "{} {}",
            a.p50_us,
            a.p99_us
        );
        // a late piece (a thread stalled past SEAL_AFTER) can only raise p99
        let mut late = recorder::new_histogram();
        late.record(500_000).unwrap();
        a.add(1, &late);
        assert_eq!(a.ops, 101);
        assert!((a.p99_now() - 500.0).abs() < 1.0);
        let mut small = recorder::new_histogram();
        small.record(1_000).unwrap();
        a.add(1, &small);
        assert!((a.p99_now() - 500.0).abs() < 1.0);
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
