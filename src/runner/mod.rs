//! How to ask: worker threads bounded by ops or a duration, warm-up, the per-thread
//! recorders, the collector that turns interval pieces and engine samples into a timeline,
//! and the observer seam through which live views, interval logs and metrics endpoints
//! watch a phase. No formatting and no command-line types live here.

pub mod alerts;
mod collector;
mod driver;
pub mod observer;
pub mod recorder;
mod route;
mod workers;
mod ycsb;
mod ycsb_report;
pub mod ycsb_totals;

pub use alerts::{AlertChange, AlertTracker};
pub use observer::{NoObserver, Observers, PhaseObserver, PhaseStart, Second};
pub use workers::ADAPTIVE_MAX_BATCH_LATENCY;

use crate::engine::stats::Counters;
use crate::engine::Engine;
use crate::error::Result;
use crate::model::alerts::AlertSet;
use crate::model::{PhaseEngine, PhaseIo, PhaseResult, StallSummary};
use crate::stats::{trend, Point, RSS_GROWTH_THRESHOLD_MIB_PER_H};
use crate::sysmon;
use crate::workload::PhaseSpec;
use std::time::Instant;

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

/// What is measured beside throughput and latency, and how latency is summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// Latency percentiles every summary holds (`--percentiles`).
    pub percentiles: Vec<f64>,
    /// Share of ops measured with RocksDB's PerfContext (`--perf-sample`); none: off, and
    /// the measured loop never touches it.
    pub perf_sample: Option<f64>,
}

impl Default for Measure {
    fn default() -> Self {
        Measure {
            percentiles: crate::model::DEFAULT_PERCENTILES.to_vec(),
            perf_sample: None,
        }
    }
}

/// How a phase is run beside its spec.
#[derive(Debug, Clone)]
pub struct PhaseOptions {
    /// Names the phase for observers and alert lines.
    pub label: String,
    pub after: AfterWrite,
    /// Thresholds judged on every full second.
    pub alerts: AlertSet,
    pub measure: Measure,
}

impl PhaseOptions {
    pub fn new(label: impl Into<String>, after: AfterWrite) -> Self {
        PhaseOptions {
            label: label.into(),
            after,
            alerts: AlertSet::default(),
            measure: Measure::default(),
        }
    }
}

/// Runs one phase (with its warm-up) on `engine`, then `opts.after` if it wrote.
pub fn run_phase(
    engine: &Engine,
    spec: &PhaseSpec,
    opts: &PhaseOptions,
    observer: &mut dyn PhaseObserver,
) -> Result<PhaseResult> {
    spec.validate()?;
    if spec.warmup_s > 0.0 {
        let mut w = spec.clone();
        w.duration_s = Some(spec.warmup_s);
        w.ops = None;
        w.seed ^= 0xA5A5_A5A5;
        driver::drive(
            engine,
            &w,
            &opts.label,
            &AlertSet::default(),
            &Measure {
                perf_sample: None,
                ..opts.measure.clone()
            },
            &mut NoObserver,
        )?;
    }
    let before = Counters::read(engine);
    let io0 = (sysmon::ProcIo::read(), device_io(engine));
    let (u0, s0) = sysmon::cpu_times();
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let mut r = driver::drive(
        engine,
        spec,
        &opts.label,
        &opts.alerts,
        &opts.measure,
        observer,
    )?;
    let (u1, s1) = sysmon::cpu_times();
    r.cpu_s = (u1 - u0) + (s1 - s0);
    r.cpu_user_s = u1 - u0;
    r.cpu_system_s = s1 - s0;
    r.started_unix = started;
    let after = match spec.wait_for_compaction {
        Some(false) => AfterWrite::Nothing,
        Some(true) if opts.after == AfterWrite::Nothing => AfterWrite::WaitForCompaction,
        _ => opts.after,
    };
    if after != AfterWrite::Nothing && spec.workload.writes() && !r.interrupted {
        let t = Instant::now();
        engine.wait_for_compaction(after == AfterWrite::FlushAndWait)?;
        r.compaction_wait_s = t.elapsed().as_secs_f64();
    }
    finish(engine, &mut r, &before)?;
    r.io = phase_io(engine, io0, r.elapsed_s + r.compaction_wait_s);
    Ok(r)
}

fn device_io(engine: &Engine) -> Option<sysmon::DiskIo> {
    engine.device().ok().and_then(sysmon::DiskIo::read)
}

/// The process's and the device's I/O since `before`, over `span_s` seconds.
fn phase_io(
    engine: &Engine,
    before: (Option<sysmon::ProcIo>, Option<sysmon::DiskIo>),
    span_s: f64,
) -> Option<PhaseIo> {
    let process = match (before.0, sysmon::ProcIo::read()) {
        (Some(a), Some(b)) => b.since(&a),
        _ => return None,
    };
    let (device, device_io, device_note) = match engine.device() {
        Ok(name) => match (before.1, device_io(engine)) {
            (Some(a), Some(b)) => (Some(name.to_string()), Some(b.since(&a)), None),
            _ => (
                Some(name.to_string()),
                None,
                Some(format!(
                    "/proc/diskstats lost device {name} during the phase"
                )),
            ),
        },
        Err(why) => (None, None, Some(why.to_string())),
    };
    Some(PhaseIo {
        process,
        device,
        device_io,
        device_note,
        span_s,
    })
}

/// Fills in what the phase did to the engine: stalls, memory trend, counters and state.
fn finish(engine: &Engine, r: &mut PhaseResult, before: &Counters) -> Result<()> {
    let after = engine.get_stats()?;
    let during = after.counters.since(before);
    r.stalls = StallSummary::of(&r.intervals, during.stall_micros, r.elapsed_s);
    let points: Vec<Point> = r
        .intervals
        .iter()
        .map(|i| Point {
            t_s: i.t_s,
            rss_bytes: i.rss_bytes,
            rocksdb_mem_bytes: i.rocksdb_mem_bytes,
            ops_per_sec: i.ops_per_sec,
        })
        .collect();
    r.trend = trend(
        &points,
        (r.elapsed_s * 0.1).max(5.0),
        RSS_GROWTH_THRESHOLD_MIB_PER_H,
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
    Ok(())
}
