//! Per-thread measurement: one HdrHistogram per op kind, counters, and 1-second interval
//! pieces sent to the collector when a boundary passes. Nothing here locks or allocates per
//! operation; an interval boundary costs one channel send per thread per second.

use super::ycsb_totals::{truncate_us, YcsbTotals};
use crate::engine::perf::{PerfProbe, PerfSums, PERF_FIELDS};
use crate::model::{LatencySummary, Quantile};
use crate::workload::OpKind;
use hdrhistogram::Histogram;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// Highest latency the histograms track: 10 minutes, in ns. Longer samples saturate.
const MAX_NS: u64 = 600 * 1_000_000_000;

/// A fresh latency histogram in nanoseconds with 3 significant digits (as YCSB and
/// db_bench's percentiles).
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_NS, 3).expect("valid histogram bounds")
}

/// The interval length.
pub const INTERVAL: Duration = Duration::from_secs(1);

/// What one thread measured during one interval, sent to the collector.
pub struct IntervalPiece {
    pub index: u64,
    pub ops: u64,
    pub hist: Histogram<u64>,
    /// Per op kind latency of the interval, when per-kind status lines are on.
    pub per_kind: Vec<(OpKind, Histogram<u64>)>,
}

/// An operation's status as upstream YCSB's `Status` names it (the ones rdbtune produces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok = 0,
    NotFound = 1,
    Error = 2,
    UnexpectedState = 3,
}

impl Status {
    pub const COUNT: usize = 4;
    pub const ALL: [Status; Status::COUNT] = [
        Status::Ok,
        Status::NotFound,
        Status::Error,
        Status::UnexpectedState,
    ];

    /// The name upstream prints (`Return=NOT_FOUND`, `READ-NOT_FOUND`).
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::NotFound => "NOT_FOUND",
            Status::Error => "ERROR",
            Status::UnexpectedState => "UNEXPECTED_STATE",
        }
    }
}

/// A part of a compound op measured on its own: YCSB's read-modify-write reports its read
/// and its update too, and a verified read its verification. Parts run one after the other
/// from the op's start.
#[derive(Debug, Clone, Copy)]
pub struct Nested {
    pub kind: OpKind,
    pub ns: u64,
    pub status: Status,
}

/// What one operation did, as returned by a workload step.
#[derive(Debug, Clone, Copy)]
pub struct OpOutcome {
    pub kind: OpKind,
    /// Keys (or entries) the op covered: 1, or the batch size for a batch.
    pub ops: u64,
    /// Key + value bytes moved.
    pub bytes: u64,
    /// For reads: whether the key was found.
    pub found: Option<bool>,
    /// For an op over several keys (MultiGet): how many of its `ops` keys were found.
    pub found_count: Option<u64>,
    /// The engine call failed and the workload goes on (YCSB counts it as `Return=ERROR`).
    pub error: bool,
    /// Parts of a compound op measured on their own. Not counted toward the phase's
    /// throughput.
    pub nested: [Option<Nested>; 3],
    /// Nanoseconds at the end of the op that are not part of its latency (YCSB's
    /// verification of a read's values, which upstream measures apart).
    pub untimed_ns: u64,
    /// Nanoseconds at the start of the op spent preparing it (YCSB: choosing and naming the
    /// key, building the values), which upstream's DB wrapper does not time; they count in
    /// the intended latency (measured from the scheduled start), not in the op's own.
    pub prep_ns: u64,
    /// The key group (column family) the op went to.
    pub group: u8,
}

impl OpOutcome {
    /// An outcome without nested parts.
    #[inline(always)]
    pub fn new(kind: OpKind, ops: u64, bytes: u64, found: Option<bool>) -> Self {
        OpOutcome {
            kind,
            ops,
            bytes,
            found,
            found_count: None,
            error: false,
            nested: [None, None, None],
            untimed_ns: 0,
            prep_ns: 0,
            group: 0,
        }
    }

    /// The outcome, as an op of key group `g`.
    #[inline(always)]
    pub fn in_group(mut self, g: u8) -> Self {
        self.group = g;
        self
    }

    /// YCSB's status of the op: ERROR when the engine call failed, NOT_FOUND when the
    /// record was missing, else OK.
    #[inline(always)]
    pub fn status(&self) -> Status {
        if self.error {
            Status::Error
        } else if self.found == Some(false) {
            Status::NotFound
        } else {
            Status::Ok
        }
    }
}

/// PerfContext figures of one op kind's sampled ops, summed.
#[derive(Debug, Clone, Copy)]
pub struct PerfAcc {
    pub samples: u64,
    /// The sampled ops' own latency, ns (as the recorder measured it).
    pub op_ns: u64,
    pub sums: PerfSums,
}

impl Default for PerfAcc {
    fn default() -> Self {
        PerfAcc {
            samples: 0,
            op_ns: 0,
            sums: [0; PERF_FIELDS],
        }
    }
}

/// Which ops a thread measures with the PerfContext: random geometric gaps with mean
/// 1 / fraction, so no op pattern aliases with the sampling.
struct PerfSampler {
    probe: PerfProbe,
    rng: SmallRng,
    /// ln(1 - fraction); 0 when every op is sampled.
    ln_skip: f64,
}

impl PerfSampler {
    fn next_gap(&mut self) -> u64 {
        if self.ln_skip == 0.0 {
            return 1;
        }
        let u: f64 = self.rng.random::<f64>().max(f64::MIN_POSITIVE);
        1 + (u.ln() / self.ln_skip).floor().min(1e15) as u64
    }
}

/// Per-thread totals, merged across threads at the end of a phase.
pub struct ThreadTotals {
    pub hists: Vec<Option<Histogram<u64>>>,
    pub ops: [u64; OpKind::COUNT],
    pub bytes: [u64; OpKind::COUNT],
    pub found: [u64; OpKind::COUNT],
    pub not_found: [u64; OpKind::COUNT],
    /// Nested parts of compound ops (see [`OpOutcome::nested`]).
    pub nested_ops: [u64; OpKind::COUNT],
    pub nested_hists: Vec<Option<Histogram<u64>>>,
    /// With a target rate: latency from each op's intended start (coordinated-omission
    /// corrected), per kind.
    pub intended_hists: Vec<Option<Histogram<u64>>>,
    /// YCSB phases: upstream's statuses, failed ops' latencies, time series, cleanup.
    pub ycsb: Option<Box<YcsbTotals>>,
    /// Per key group (only with more than one): ops and the latency of every op kind.
    pub groups: Vec<(u64, Histogram<u64>)>,
    /// Per op kind, with `--perf-sample`: the sampled ops' PerfContext figures.
    pub perf: Vec<PerfAcc>,
    /// When the thread started measuring (the earliest over merged threads).
    pub start: Option<Instant>,
    pub end: Option<Instant>,
}

impl ThreadTotals {
    pub fn new() -> Self {
        ThreadTotals {
            hists: (0..OpKind::COUNT).map(|_| None).collect(),
            ops: [0; OpKind::COUNT],
            bytes: [0; OpKind::COUNT],
            found: [0; OpKind::COUNT],
            not_found: [0; OpKind::COUNT],
            nested_ops: [0; OpKind::COUNT],
            nested_hists: (0..OpKind::COUNT).map(|_| None).collect(),
            intended_hists: (0..OpKind::COUNT).map(|_| None).collect(),
            ycsb: None,
            groups: Vec::new(),
            perf: Vec::new(),
            start: None,
            end: None,
        }
    }

    /// Adds another thread's totals into these.
    pub fn merge(&mut self, other: &ThreadTotals) {
        for k in 0..OpKind::COUNT {
            self.ops[k] += other.ops[k];
            self.bytes[k] += other.bytes[k];
            self.found[k] += other.found[k];
            self.not_found[k] += other.not_found[k];
            self.nested_ops[k] += other.nested_ops[k];
            add_into(&mut self.hists[k], &other.hists[k]);
            add_into(&mut self.nested_hists[k], &other.nested_hists[k]);
            add_into(&mut self.intended_hists[k], &other.intended_hists[k]);
        }
        match (&mut self.ycsb, &other.ycsb) {
            (Some(a), Some(b)) => a.merge(b),
            (None, Some(b)) => self.ycsb = Some(b.clone()),
            _ => {}
        }
        if self.groups.len() < other.groups.len() {
            self.groups
                .resize_with(other.groups.len(), || (0, new_histogram()));
        }
        for (mine, theirs) in self.groups.iter_mut().zip(&other.groups) {
            mine.0 += theirs.0;
            mine.1.add(&theirs.1).expect("same bounds");
        }
        if self.perf.len() < other.perf.len() {
            self.perf.resize(other.perf.len(), PerfAcc::default());
        }
        for (mine, theirs) in self.perf.iter_mut().zip(&other.perf) {
            mine.samples += theirs.samples;
            mine.op_ns += theirs.op_ns;
            for (a, b) in mine.sums.iter_mut().zip(theirs.sums) {
                *a += b;
            }
        }
        self.end = match (self.end, other.end) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.start = match (self.start, other.start) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// Adds `other` into `slot` (a clone of it when `slot` is empty); used by the YCSB totals
/// and report too.
pub(super) fn add_into(slot: &mut Option<Histogram<u64>>, other: &Option<Histogram<u64>>) {
    if let Some(h) = other {
        match slot {
            Some(mine) => mine.add(h).expect("same bounds"),
            None => *slot = Some(h.clone()),
        }
    }
}

impl Default for ThreadTotals {
    fn default() -> Self {
        Self::new()
    }
}

/// The recorder a worker thread owns.
pub struct Recorder {
    pub totals: ThreadTotals,
    headline: [bool; OpKind::COUNT],
    start: Instant,
    interval_index: u64,
    next_boundary: Instant,
    interval_ops: u64,
    interval_hist: Histogram<u64>,
    tx: Option<Sender<IntervalPiece>>,
    /// Target pacing: the intended start of the next op and the interval between ops.
    pace: Option<(Instant, Duration)>,
    /// Per-kind interval histograms (only when a status line needs them).
    per_kind: Option<Vec<Option<Histogram<u64>>>>,
    /// Set by the first thread whose op fails, so the others stop too.
    abort: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// YCSB phases: latencies truncated to whole µs, statuses and failed ops kept apart.
    ycsb: bool,
    /// Ops until the next PerfContext sample (u64::MAX when sampling is off).
    perf_countdown: u64,
    perf: Option<Box<PerfSampler>>,
}

impl Recorder {
    /// `headline[k]` says whether op kind k counts toward the interval throughput.
    pub fn new(
        start: Instant,
        headline: [bool; OpKind::COUNT],
        tx: Option<Sender<IntervalPiece>>,
    ) -> Self {
        let mut totals = ThreadTotals::new();
        totals.start = Some(start);
        Recorder {
            totals,
            headline,
            start,
            interval_index: 0,
            next_boundary: start + INTERVAL,
            interval_ops: 0,
            interval_hist: new_histogram(),
            tx,
            pace: None,
            per_kind: None,
            abort: None,
            perf_countdown: u64::MAX,
            perf: None,
            ycsb: false,
        }
    }

    /// Measures as upstream YCSB: latencies truncated to whole µs, statuses, failed ops'
    /// latencies apart, and with `timeseries` a time series of that granularity.
    pub fn measure_ycsb(&mut self, timeseries: Option<Duration>) {
        self.ycsb = true;
        self.totals.ycsb = Some(Box::new(YcsbTotals::new(timeseries)));
    }

    /// Records a client thread's cleanup that took `ns` and ended at `end` (YCSB's
    /// `[CLEANUP]`).
    pub fn record_cleanup(&mut self, ns: u64, end: Instant) {
        let at = end.saturating_duration_since(self.start).as_nanos() as u64;
        if let Some(y) = &mut self.totals.ycsb {
            y.cleanup.push((at, ns / 1000));
        }
    }

    /// Keeps the first engine error a YCSB thread met (its ops counted it and went on).
    pub fn note_error(&mut self, msg: String) {
        if let Some(y) = &mut self.totals.ycsb {
            y.first_error.get_or_insert(msg);
        }
    }

    /// Starts the pace over at `start` (after a YCSB thread's setup and start offset).
    pub fn restart_pace(&mut self, start: Instant) {
        if let Some((_, tick)) = self.pace {
            self.pace = Some((start, tick));
        }
    }

    /// The interval between paced ops, when pacing.
    pub fn tick(&self) -> Option<Duration> {
        self.pace.map(|(_, t)| t)
    }

    /// Measures about `fraction` of this thread's ops with RocksDB's PerfContext. Call on
    /// the thread that runs the ops (the context is per thread).
    pub fn sample_perf(&mut self, fraction: f64, seed: u64) {
        let mut p = PerfSampler {
            probe: PerfProbe::new(),
            rng: SmallRng::seed_from_u64(seed ^ 0x9E2F_0A11),
            ln_skip: if fraction >= 1.0 {
                0.0
            } else {
                (1.0 - fraction).ln()
            },
        };
        self.perf_countdown = p.next_gap();
        self.perf = Some(Box::new(p));
        self.totals.perf = vec![PerfAcc::default(); OpKind::COUNT];
    }

    /// Whether `--perf-sample` is on for this thread (the measured loop then runs its
    /// sampling copy; off, the loop has no sampling code at all).
    pub fn perf_on(&self) -> bool {
        self.perf.is_some()
    }

    /// Before each op of the sampling loop: whether to measure it with the PerfContext
    /// (then call [`perf_done`](Self::perf_done) after it).
    #[inline(always)]
    pub fn perf_arm(&mut self) -> bool {
        if self.perf_countdown > 1 {
            self.perf_countdown -= 1;
            return false;
        }
        self.perf_begin()
    }

    #[cold]
    fn perf_begin(&mut self) -> bool {
        match &mut self.perf {
            None => {
                self.perf_countdown = u64::MAX;
                false
            }
            Some(p) => {
                p.probe.begin();
                self.perf_countdown = p.next_gap();
                true
            }
        }
    }

    /// After a sampled op of `kind` that took `ns`: adds its PerfContext figures.
    #[cold]
    pub fn perf_done(&mut self, kind: OpKind, ns: u64) {
        if let Some(p) = &mut self.perf {
            let acc = &mut self.totals.perf[kind.index()];
            p.probe.end(&mut acc.sums);
            acc.samples += 1;
            acc.op_ns += ns;
        }
    }

    /// Keeps ops and latency per key group (`n` groups; nothing for one).
    pub fn track_groups(&mut self, n: usize) {
        if n > 1 {
            self.totals.groups = (0..n).map(|_| (0, new_histogram())).collect();
        }
    }

    /// Also keeps per-op-kind latency per interval (for status lines with per-op p99).
    pub fn track_kinds(&mut self) {
        self.per_kind = Some((0..OpKind::COUNT).map(|_| None).collect());
    }

    /// Paces this thread at one op per `tick` from `start` (a target rate): the loop waits
    /// for each op's intended start, and latency from that intended start is recorded too.
    pub fn set_pace(&mut self, start: Instant, tick: Duration) {
        self.pace = Some((start, tick));
    }

    /// Changes the pace from the next op on (the intended start of the next op stays).
    pub fn set_tick(&mut self, tick: Duration) {
        if let Some((next, _)) = self.pace {
            self.pace = Some((next, tick));
        }
    }

    /// Sleeps until the next op's intended start, if pacing. Returns immediately when the
    /// thread is behind schedule (the intended-latency histogram then shows the backlog).
    #[inline]
    pub fn wait_for_turn(&self) {
        if let Some((next, _)) = self.pace {
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
        }
    }

    /// Records one operation that ran from `t0` to `t1`.
    #[inline]
    pub fn record(&mut self, out: OpOutcome, t0: Instant, t1: Instant) {
        if t1 >= self.next_boundary {
            self.roll(t1);
        }
        let k = out.kind.index();
        let mut ns = (t1 - t0).as_nanos().min(MAX_NS as u128) as u64;
        if self.ycsb {
            // Upstream records (end - start) / 1000 µs, truncated (0 for a sub-µs op); a
            // verification after a read is measured apart.
            ns = truncate_us(ns.saturating_sub(out.untimed_ns + out.prep_ns));
        } else {
            ns = ns.max(1);
        }
        let h = self.totals.hists[k].get_or_insert_with(new_histogram);
        h.saturating_record(ns);
        self.totals.ops[k] += out.ops;
        self.totals.bytes[k] += out.bytes;
        if let Some(n) = out.found_count {
            self.totals.found[k] += n;
            self.totals.not_found[k] += out.ops - n;
        }
        match out.found {
            Some(true) => self.totals.found[k] += 1,
            Some(false) => self.totals.not_found[k] += 1,
            None => {}
        }
        if self.headline[k] {
            self.interval_ops += out.ops;
            self.interval_hist.saturating_record(ns);
        }
        if !self.totals.groups.is_empty() {
            let g = &mut self.totals.groups[out.group as usize];
            g.0 += out.ops;
            g.1.saturating_record(ns);
        }
        if let Some(pk) = &mut self.per_kind {
            pk[k]
                .get_or_insert_with(new_histogram)
                .saturating_record(ns);
        }
        for n in out.nested.into_iter().flatten() {
            let i = n.kind.index();
            let nns = if self.ycsb {
                truncate_us(n.ns)
            } else {
                n.ns.max(1)
            };
            self.totals.nested_ops[i] += 1;
            self.totals.nested_hists[i]
                .get_or_insert_with(new_histogram)
                .saturating_record(nns);
            if let Some(pk) = &mut self.per_kind {
                pk[i]
                    .get_or_insert_with(new_histogram)
                    .saturating_record(nns);
            }
        }
        let mut intended_ns = None;
        let mut base = None;
        if let Some((intended, tick)) = self.pace {
            let b = intended.min(t0);
            let mut late =
                ((t1 - b).as_nanos().min(MAX_NS as u128) as u64).saturating_sub(out.untimed_ns);
            late = if self.ycsb {
                truncate_us(late)
            } else {
                late.max(1)
            };
            self.totals.intended_hists[k]
                .get_or_insert_with(new_histogram)
                .saturating_record(late);
            // A compound op's parts share its intended start (upstream: each part reads the
            // thread's intended start time): part i ends after parts 0..=i.
            let mut end = t0 + Duration::from_nanos(out.prep_ns);
            for n in out.nested.iter().flatten() {
                end += Duration::from_nanos(n.ns);
                if n.kind == OpKind::Verify {
                    continue;
                }
                let l = (end - b).as_nanos().min(MAX_NS as u128) as u64;
                self.totals.intended_hists[n.kind.index()]
                    .get_or_insert_with(new_histogram)
                    .saturating_record(if self.ycsb { truncate_us(l) } else { l.max(1) });
            }
            intended_ns = Some(late);
            base = Some(b);
            self.pace = Some((intended + tick, tick));
        }
        if let Some(y) = &mut self.totals.ycsb {
            let end = t1 - Duration::from_nanos(out.untimed_ns);
            y.record(&out, ns, intended_ns, (self.start, t0, end, base));
        }
    }

    /// Sends the finished interval and starts the one `now` falls in.
    #[cold]
    fn roll(&mut self, now: Instant) {
        self.send_piece();
        self.interval_index = ((now - self.start).as_nanos() / INTERVAL.as_nanos()) as u64;
        self.next_boundary = self.start + INTERVAL * (self.interval_index as u32 + 1);
    }

    fn send_piece(&mut self) {
        let kinds_empty = self
            .per_kind
            .as_ref()
            .is_none_or(|pk| pk.iter().all(Option::is_none));
        if self.interval_ops == 0 && self.interval_hist.is_empty() && kinds_empty {
            return;
        }
        let hist = std::mem::replace(&mut self.interval_hist, new_histogram());
        let per_kind = self.per_kind.as_mut().map_or_else(Vec::new, |pk| {
            OpKind::ALL
                .into_iter()
                .filter_map(|k| pk[k.index()].take().map(|h| (k, h)))
                .collect()
        });
        if let Some(tx) = &self.tx {
            let _ = tx.send(IntervalPiece {
                index: self.interval_index,
                ops: self.interval_ops,
                hist,
                per_kind,
            });
        }
        self.interval_ops = 0;
    }

    /// Shares the phase's abort flag with this thread.
    pub fn set_abort(&mut self, flag: std::sync::Arc<std::sync::atomic::AtomicBool>) {
        self.abort = Some(flag);
    }

    /// Whether another thread's op failed (one relaxed load).
    #[inline]
    pub fn aborted(&self) -> bool {
        self.abort
            .as_ref()
            .is_some_and(|a| a.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Tells the other threads to stop: this thread's op failed.
    pub fn abort(&self) {
        if let Some(a) = &self.abort {
            a.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Sends the last partial interval and returns the totals.
    pub fn finish(mut self, end: Instant) -> ThreadTotals {
        self.send_piece();
        self.totals.end = Some(end);
        self.totals
    }
}

/// Summarises a nanosecond histogram in µs, with the percentiles `pcts` asked for.
pub fn latency_summary(h: &Histogram<u64>, pcts: &[f64]) -> LatencySummary {
    if h.is_empty() {
        return LatencySummary::default();
    }
    let us = |ns: u64| ns as f64 / 1000.0;
    let percentiles = pcts
        .iter()
        .map(|&p| Quantile {
            p,
            us: if p >= 100.0 {
                us(h.max())
            } else {
                us(h.value_at_quantile(p / 100.0))
            },
        })
        .collect();
    LatencySummary {
        samples: h.len(),
        avg: h.mean() / 1000.0,
        min: us(h.min()),
        p50: us(h.value_at_quantile(0.50)),
        p95: us(h.value_at_quantile(0.95)),
        p99: us(h.value_at_quantile(0.99)),
        p999: us(h.value_at_quantile(0.999)),
        p9999: us(h.value_at_quantile(0.9999)),
        max: us(h.max()),
        percentiles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(kind: OpKind) -> OpOutcome {
        OpOutcome::new(kind, 1, 10, Some(true))
    }

    #[test]
    fn records_per_kind_and_sends_intervals() {
        let (tx, rx) = std::sync::mpsc::channel();
        let start = Instant::now();
        let mut headline = [false; OpKind::COUNT];
        headline[OpKind::Read.index()] = true;
        let mut r = Recorder::new(start, headline, Some(tx));
        r.record(out(OpKind::Read), start, start + Duration::from_micros(5));
        r.record(out(OpKind::Write), start, start + Duration::from_micros(50));
        // crosses into interval 2
        r.record(
            out(OpKind::Read),
            start + Duration::from_millis(2500),
            start + Duration::from_millis(2501),
        );
        let t = r.finish(start + Duration::from_secs(3));
        assert_eq!(t.ops[OpKind::Read.index()], 2);
        assert_eq!(t.ops[OpKind::Write.index()], 1);
        assert_eq!(t.found[OpKind::Read.index()], 2);
        let pieces: Vec<IntervalPiece> = rx.try_iter().collect();
        assert_eq!(pieces.len(), 2);
        assert_eq!(
            (pieces[0].index, pieces[0].ops),
            (0, 1),
            "the write is not headline"
        );
        assert_eq!((pieces[1].index, pieces[1].ops), (2, 1));
        let s = latency_summary(
            t.hists[OpKind::Read.index()].as_ref().unwrap(),
            &[50.0, 99.99, 100.0],
        );
        assert_eq!(s.percentiles.len(), 3);
        assert_eq!(s.at(100.0), Some(s.max));
        assert_eq!(s.at(99.99), Some(s.percentiles[1].us));
        assert!((s.percentiles[1].us - 1000.0).abs() < 1.0, "{s:?}");
        assert_eq!(s.samples, 2);
        assert!(
            (s.min - 5.0).abs() < 0.01 && (s.max - 1000.0).abs() < 1.0,
            "{s:?}"
        );
    }

    #[test]
    fn nested_parts_and_intended_latency() {
        let start = Instant::now();
        let mut r = Recorder::new(start, [true; OpKind::COUNT], None);
        r.set_pace(start, Duration::from_millis(10));
        let mut o = out(OpKind::ReadModifyWrite);
        o.nested = [
            Some(Nested {
                kind: OpKind::Read,
                ns: 2_000,
                status: Status::Ok,
            }),
            Some(Nested {
                kind: OpKind::Update,
                ns: 5_000,
                status: Status::Ok,
            }),
            None,
        ];
        // the op ran 30 ms late: intended latency includes the wait
        r.record(
            o,
            start + Duration::from_millis(30),
            start + Duration::from_millis(31),
        );
        let t = r.finish(start + Duration::from_millis(40));
        assert_eq!(t.ops[OpKind::ReadModifyWrite.index()], 1);
        assert_eq!(
            t.ops[OpKind::Read.index()],
            0,
            "nested parts are not top-level ops"
        );
        assert_eq!(t.nested_ops[OpKind::Read.index()], 1);
        let upd = t.nested_hists[OpKind::Update.index()].as_ref().unwrap();
        assert!(upd.equivalent(upd.max(), 5_000), "{}", upd.max());
        let i = t.intended_hists[OpKind::ReadModifyWrite.index()]
            .as_ref()
            .unwrap();
        assert!(i.max() >= 31_000_000 - 100_000, "{}", i.max());
        let m = t.hists[OpKind::ReadModifyWrite.index()].as_ref().unwrap();
        assert!(m.max() <= 1_100_000);
    }

    #[test]
    fn merge_adds_up() {
        let mut a = ThreadTotals::new();
        let mut b = ThreadTotals::new();
        let mut h = new_histogram();
        h.record(1000).unwrap();
        b.hists[0] = Some(h.clone());
        b.ops[0] = 5;
        a.merge(&b);
        a.merge(&b);
        assert_eq!(a.ops[0], 10);
        assert_eq!(a.hists[0].as_ref().unwrap().len(), 2);
    }

    /// YCSB phases record whole µs truncated, as upstream's `(end - start) / 1000`: 5.9 µs
    /// is 5, 0.7 µs is 0; other phases keep nanoseconds.
    #[test]
    fn ycsb_latencies_are_truncated_to_whole_microseconds() {
        let start = Instant::now();
        let mut r = Recorder::new(start, [true; OpKind::COUNT], None);
        r.measure_ycsb(None);
        r.record(
            out(OpKind::Read),
            start,
            start + Duration::from_nanos(5_900),
        );
        r.record(out(OpKind::Read), start, start + Duration::from_nanos(700));
        let mut e = out(OpKind::Update);
        e.error = true;
        r.record(e, start, start + Duration::from_nanos(3_100));
        let t = r.finish(start);
        let h = t.hists[OpKind::Read.index()].as_ref().unwrap();
        assert_eq!((h.min(), h.max()), (0, h.highest_equivalent(5_000)));
        let y = t.ycsb.as_ref().unwrap();
        assert_eq!(y.statuses[OpKind::Read.index()][Status::Ok as usize], 2);
        assert_eq!(
            y.statuses[OpKind::Update.index()][Status::Error as usize],
            1
        );
        let f = y.failed[super::super::ycsb_totals::slot(OpKind::Update, Status::Error)]
            .as_ref()
            .unwrap();
        assert_eq!(f.len(), 1);
        assert!(f.equivalent(f.max(), 3_000));
        let mut plain = Recorder::new(start, [true; OpKind::COUNT], None);
        plain.record(
            out(OpKind::Read),
            start,
            start + Duration::from_nanos(5_900),
        );
        let t = plain.finish(start);
        assert!(t.hists[OpKind::Read.index()]
            .as_ref()
            .unwrap()
            .equivalent(5_900, t.hists[OpKind::Read.index()].as_ref().unwrap().max()));
    }
}
