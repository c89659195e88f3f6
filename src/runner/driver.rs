//! Driving one phase: start the workers behind a barrier, run the collector beside them,
//! merge the per-thread totals and summarise them into a [`PhaseResult`].

use super::collector::{timeline, Collector};
use super::observer::{PhaseObserver, PhaseStart};
use super::recorder::{
    add_into, latency_summary, new_histogram, IntervalPiece, Recorder, Status, ThreadTotals,
};
use super::workers::worker;
use super::ycsb_totals::slot;
use crate::engine::perf::PERF_METRICS;
use crate::engine::{Engine, MergeOperator};
use crate::error::{Error, Result};
use crate::model::alerts::AlertSet;
use crate::model::{
    GroupSummary, OpSummary, PerfBreakdown, PhaseEngine, PhaseResult, StallSummary,
};
use crate::signals;
use crate::workload::ycsb::InsertSequence;
use crate::workload::{OpKind, PhaseSpec, Workload};
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc, Barrier};
use std::time::{Duration, Instant};

/// Per-thread share of `total` ops: thread `t` of `n` gets [lo, hi).
pub(super) fn share(total: u64, t: usize, n: usize) -> (u64, u64) {
    let (t, n) = (t as u64, n as u64);
    (total * t / n, total * (t + 1) / n)
}

/// What every worker of a phase shares.
pub(super) struct Shared<'a> {
    pub engine: &'a Engine,
    pub spec: &'a PhaseSpec,
    pub inserts: Option<InsertSequence>,
    pub writer_stop: AtomicBool,
    /// Set when a worker's op fails: every worker stops.
    pub abort: Arc<AtomicBool>,
    pub barrier: Barrier,
}

impl<'a> Shared<'a> {
    fn new(engine: &'a Engine, spec: &'a PhaseSpec, threads: usize) -> Self {
        Shared {
            engine,
            spec,
            inserts: spec
                .ycsb
                .as_ref()
                .map(|y| InsertSequence::new(y.recordcount)),
            writer_stop: AtomicBool::new(false),
            abort: Arc::new(AtomicBool::new(false)),
            // The workers and the collector.
            barrier: Barrier::new(threads + 1),
        }
    }
}

/// What one worker thread is told.
struct ThreadPlan {
    t: usize,
    role_writer: bool,
    quota: Option<u64>,
    headline: [bool; OpKind::COUNT],
    per_kind: bool,
    duration: Option<Duration>,
    perf_sample: Option<f64>,
}

impl ThreadPlan {
    /// Waits at the barrier, then measures its share of the phase.
    fn run(self, shared: &Shared, tx: mpsc::Sender<IntervalPiece>) -> Result<ThreadTotals> {
        shared.barrier.wait();
        let start = Instant::now();
        let mut rec = Recorder::new(start, self.headline, Some(tx));
        rec.set_abort(shared.abort.clone());
        if self.per_kind {
            rec.track_kinds();
        }
        if let Some(y) = &shared.spec.ycsb {
            let series = (y.measure.measurementtype
                == crate::workload::ycsb::MeasurementType::Timeseries)
                .then(|| Duration::from_millis(y.measure.granularity_ms));
            rec.measure_ycsb(series);
        }
        if let Some(f) = self.perf_sample {
            rec.sample_perf(f, shared.spec.seed.wrapping_add(self.t as u64));
        }
        rec.track_groups(shared.spec.key_groups.len());
        if let Some(target) = shared.spec.target_ops_per_sec {
            let per_thread = target / shared.spec.threads as f64;
            rec.set_pace(start, Duration::from_secs_f64(1.0 / per_thread));
        }
        if let Some(tick) = shared.spec.write_pace() {
            if self.role_writer || shared.spec.workload.background_writer().is_none() {
                rec.set_pace(start, tick);
            }
        }
        let deadline = self.duration.map(|d| start + d);
        worker(shared, self.t, self.role_writer, rec, self.quota, deadline)
    }
}

/// Runs the workers and the collector; returns the measurement without engine stats.
pub(super) fn drive(
    engine: &Engine,
    spec: &PhaseSpec,
    label: &str,
    alerts: &AlertSet,
    measure: &super::Measure,
    observer: &mut dyn PhaseObserver,
) -> Result<PhaseResult> {
    if spec.workload.merges() && engine.config().merge_operator == MergeOperator::None {
        return Err(Error::usage(format!(
            "{} merges, and the config has no merge operator: --set merge_operator=uint64add (with --value-size 8, as db_bench suggests) or put or max",
            spec.workload
        )));
    }
    let workers = spec.threads;
    let extra_writer = spec.workload.background_writer().is_some();
    let shared = Shared::new(engine, spec, workers + usize::from(extra_writer));
    let total = spec.total_ops();
    let headline = headline_kinds(spec.workload);
    let duration = spec.duration_s.map(Duration::from_secs_f64);
    let per_kind = observer.wants_per_kind();
    let (tx, rx) = mpsc::channel::<IntervalPiece>();
    let mut collector = Collector::new(
        engine,
        label,
        &shared.writer_stop,
        workers,
        observer,
        alerts,
    );
    collector.start(&PhaseStart {
        label,
        total_ops: total,
        duration,
    });

    let (results, start, collected) = std::thread::scope(|s| {
        let mut handles = Vec::new();
        for t in 0..workers + usize::from(extra_writer) {
            let tx = tx.clone();
            let shared = &shared;
            let role_writer = extra_writer && t == workers;
            let quota = total.map(|n| {
                let (lo, hi) = share(n, t.min(workers - 1), workers);
                if role_writer {
                    u64::MAX
                } else {
                    hi - lo
                }
            });
            let plan = ThreadPlan {
                t,
                role_writer,
                quota,
                headline,
                per_kind,
                duration,
                perf_sample: measure.perf_sample,
            };
            handles.push(s.spawn(move || plan.run(shared, tx)));
        }
        drop(tx);
        // Taken before the barrier so it precedes every worker's start even when this thread
        // is descheduled at the barrier; elapsed time uses the workers' own starts.
        let start = Instant::now();
        shared.barrier.wait();
        let collected = collector.run(&rx, start, &handles);
        let results: Vec<Result<ThreadTotals>> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::usage("a worker thread panicked")))
            })
            .collect();
        (results, start, collected)
    });

    let mut totals = ThreadTotals::new();
    for r in results {
        totals.merge(&r?);
    }
    let mut r = result(spec, &totals, start, collected, &measure.percentiles);
    if let Some(f) = measure.perf_sample {
        r.perf = perf_breakdown(&totals, f);
    }
    Ok(r)
}

/// The PerfContext means per op kind that had sampled ops.
fn perf_breakdown(totals: &ThreadTotals, fraction: f64) -> Vec<PerfBreakdown> {
    OpKind::ALL
        .into_iter()
        .zip(&totals.perf)
        .filter(|(_, a)| a.samples > 0)
        .map(|(kind, a)| {
            let n = a.samples as f64;
            PerfBreakdown {
                kind,
                sampled_ops: a.samples,
                sample_fraction: fraction,
                mean_op_ns: a.op_ns as f64 / n,
                mean: PERF_METRICS
                    .iter()
                    .zip(a.sums)
                    .map(|((name, _), v)| (name.to_string(), v as f64 / n))
                    .collect(),
            }
        })
        .collect()
}

/// Which op kinds count toward the headline throughput of `w`.
fn headline_kinds(w: Workload) -> [bool; OpKind::COUNT] {
    let mut headline = [false; OpKind::COUNT];
    for k in OpKind::ALL {
        headline[k.index()] = w.headline(k);
    }
    headline
}

/// The phase's result from the merged totals and what the collector gathered.
fn result(
    spec: &PhaseSpec,
    totals: &ThreadTotals,
    start: Instant,
    collected: super::collector::Collected,
    pcts: &[f64],
) -> PhaseResult {
    // Wall time from the first worker's start to the last one's end (the collector may be
    // descheduled at the start barrier on a busy machine; the workers' clocks are not).
    let first = totals.start.unwrap_or(start);
    let end = totals.end.unwrap_or(first);
    let elapsed = (end.saturating_duration_since(first))
        .as_secs_f64()
        .max(1e-9);
    let mut r = summarise(spec, totals, elapsed, pcts);
    if let Some(y) = &spec.ycsb {
        r.ycsb = Some(super::ycsb_report::measurements(y, totals, elapsed, r.ops));
    }
    r.intervals = timeline(&collected.pieces, &collected.samples, elapsed);
    r.alerts = collected.alerts;
    r
}

/// Per op kind: the op's own samples plus its nested appearances (an RMW's read).
fn per_op(totals: &ThreadTotals, elapsed: f64, pcts: &[f64]) -> Vec<OpSummary> {
    let mut per_op = Vec::new();
    for k in OpKind::ALL {
        let i = k.index();
        let mut all = None;
        add_into(&mut all, &totals.hists[i]);
        add_into(&mut all, &totals.nested_hists[i]);
        let Some(all) = all else { continue };
        let ops = totals.ops[i] + totals.nested_ops[i];
        let is_read = totals.found[i] + totals.not_found[i] > 0;
        // YCSB: the samples that returned OK, and those that did not (NOT_FOUND, ERROR).
        let mut failed: Option<hdrhistogram::Histogram<u64>> = None;
        let mut errors = None;
        if let Some(y) = &totals.ycsb {
            for s in [Status::NotFound, Status::Error] {
                add_into(&mut failed, &y.failed[slot(k, s)]);
            }
            errors = Some(y.statuses[i][Status::Error as usize]).filter(|n| *n > 0);
        }
        let (ok_latency_us, failed_latency_us) = match &failed {
            Some(f) => {
                let mut ok = all.clone();
                ok.subtract(f)
                    .expect("failed samples are among all samples");
                (
                    Some(latency_summary(&ok, pcts)),
                    Some(latency_summary(f, pcts)),
                )
            }
            None => (None, None),
        };
        per_op.push(OpSummary {
            kind: k,
            ops,
            ops_per_sec: ops as f64 / elapsed,
            latency_us: latency_summary(&all, pcts),
            intended_latency_us: totals.intended_hists[i]
                .as_ref()
                .map(|h| latency_summary(h, pcts)),
            found: is_read.then_some(totals.found[i]),
            not_found: is_read.then_some(totals.not_found[i]),
            ok_latency_us,
            failed_latency_us,
            errors,
        });
    }
    per_op
}

/// The phase's headline figures and per-kind breakdown (timeline and engine figures are
/// filled in by the caller).
fn summarise(spec: &PhaseSpec, totals: &ThreadTotals, elapsed: f64, pcts: &[f64]) -> PhaseResult {
    let w = spec.workload;
    let mut head_hist = new_histogram();
    let (mut head_ops, mut head_bytes) = (0u64, 0u64);
    for k in OpKind::ALL.into_iter().filter(|k| w.headline(*k)) {
        let i = k.index();
        if let Some(h) = &totals.hists[i] {
            head_hist.add(h).expect("same bounds");
            head_ops += totals.ops[i];
            head_bytes += totals.bytes[i];
        }
    }
    let per_group = spec
        .key_groups
        .iter()
        .zip(&totals.groups)
        .map(|(g, (ops, h))| GroupSummary {
            group: g.name.clone(),
            family: g.column_family.clone(),
            keys: (g.lo, g.hi),
            share_of_ops: g.op_share,
            ops: *ops,
            ops_per_sec: *ops as f64 / elapsed,
            latency_us: latency_summary(h, pcts),
        })
        .collect();
    PhaseResult {
        per_group,
        workload: w,
        spec: spec.clone(),
        ops: head_ops,
        elapsed_s: elapsed,
        ops_per_sec: head_ops as f64 / elapsed,
        mb_per_sec: head_bytes as f64 / elapsed / (1024.0 * 1024.0),
        latency_us: latency_summary(&head_hist, pcts),
        per_op: per_op(totals, elapsed, pcts),
        intervals: Vec::new(),
        stalls: StallSummary::default(),
        trend: None,
        compaction_wait_s: 0.0,
        cpu_s: 0.0,
        cpu_user_s: 0.0,
        cpu_system_s: 0.0,
        started_unix: 0.0,
        engine: PhaseEngine::default(),
        io: None,
        perf: Vec::new(),
        alerts: Vec::new(),
        ycsb: None,
        interrupted: signals::interrupted().is_some(),
    }
}
