//! What a YCSB phase measures beside rdbtune's usual histograms, per thread and merged:
//! upstream's statuses (`Return=` counts), the latency of failed ops per status
//! (`[READ-FAILED]`, `[READ-NOT_FOUND]`), their intended latency, a time series of average
//! latency (`measurementtype=timeseries`) and each client thread's cleanup.

use super::recorder::{add_into, new_histogram, Nested, OpOutcome, Status};
use crate::workload::OpKind;
use hdrhistogram::Histogram;
use std::time::{Duration, Instant};

/// A metric's slot: op kind × status.
#[inline(always)]
pub fn slot(kind: OpKind, status: Status) -> usize {
    kind.index() * Status::COUNT + status as usize
}

const SLOTS: usize = OpKind::COUNT * Status::COUNT;

/// One metric's time series: samples per window of `granularity` from the phase start,
/// plus count, sum, min and max over all windows (upstream's OneMeasurementTimeSeries).
#[derive(Debug, Clone, Default)]
pub struct Series {
    pub count: u64,
    pub sum_us: u64,
    pub min_us: u64,
    pub max_us: u64,
    /// The windows with samples, in order: (window index, sum of µs, samples).
    pub windows: Vec<(u64, u64, u64)>,
}

impl Series {
    #[inline]
    fn add(&mut self, window: usize, us: u64) {
        if self.count == 0 || us < self.min_us {
            self.min_us = us;
        }
        self.max_us = self.max_us.max(us);
        self.count += 1;
        self.sum_us += us;
        let w = window as u64;
        match self.windows.last_mut() {
            Some(last) if last.0 == w => {
                last.1 += us;
                last.2 += 1;
            }
            // A thread's windows only move forward; another thread's are merged later.
            _ => self.windows.push((w, us, 1)),
        }
    }

    /// Adds another series' samples into this one.
    pub fn merge_from(&mut self, o: &Series) {
        if o.count == 0 {
            return;
        }
        if self.count == 0 || o.min_us < self.min_us {
            self.min_us = o.min_us;
        }
        self.max_us = self.max_us.max(o.max_us);
        self.count += o.count;
        self.sum_us += o.sum_us;
        let mut all: std::collections::BTreeMap<u64, (u64, u64)> =
            std::collections::BTreeMap::new();
        for &(w, s, c) in self.windows.iter().chain(&o.windows) {
            let e = all.entry(w).or_default();
            e.0 += s;
            e.1 += c;
        }
        self.windows = all.into_iter().map(|(w, (s, c))| (w, s, c)).collect();
    }
}

/// The YCSB measurements of one thread (or, merged, of a phase).
#[derive(Debug, Clone)]
pub struct YcsbTotals {
    /// Per op kind and status: how many (top-level and nested ops).
    pub statuses: [[u64; Status::COUNT]; OpKind::COUNT],
    /// Per slot (kind × status, status not OK): latency of the failed ops, ns.
    pub failed: Vec<Option<Histogram<u64>>>,
    /// Per slot: intended latency of the failed ops (when paced), ns.
    pub intended_failed: Vec<Option<Histogram<u64>>>,
    /// Per slot, with `measurementtype=timeseries`: the time series.
    pub series: Option<Vec<Series>>,
    pub granularity: Duration,
    /// Each client thread's cleanup: (its end, ns since the phase start; whole µs).
    pub cleanup: Vec<(u64, u64)>,
    /// The first engine error an op met (the run went on).
    pub first_error: Option<String>,
}

impl YcsbTotals {
    pub fn new(timeseries: Option<Duration>) -> Self {
        YcsbTotals {
            statuses: [[0; Status::COUNT]; OpKind::COUNT],
            failed: (0..SLOTS).map(|_| None).collect(),
            intended_failed: (0..SLOTS).map(|_| None).collect(),
            series: timeseries.map(|_| vec![Series::default(); SLOTS]),
            granularity: timeseries.unwrap_or(Duration::from_secs(1)),
            cleanup: Vec::new(),
            first_error: None,
        }
    }

    pub fn merge(&mut self, o: &YcsbTotals) {
        for (a, b) in self.statuses.iter_mut().zip(&o.statuses) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.failed.iter_mut().zip(&o.failed) {
            add_into(a, b);
        }
        for (a, b) in self.intended_failed.iter_mut().zip(&o.intended_failed) {
            add_into(a, b);
        }
        if let (Some(a), Some(b)) = (&mut self.series, &o.series) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge_from(y);
            }
        }
        self.cleanup.extend_from_slice(&o.cleanup);
        if self.first_error.is_none() {
            self.first_error.clone_from(&o.first_error);
        }
    }

    /// Records the statuses, failed latencies and time series of one op that ran from `t0`
    /// to `t1`, `ns` long (whole µs, in ns), with `intended_ns` when paced. Its nested parts
    /// ran one after the other from `t0`; `base` is the op's intended start when paced;
    /// `start` the thread's start.
    #[inline]
    pub fn record(
        &mut self,
        out: &OpOutcome,
        ns: u64,
        intended_ns: Option<u64>,
        (start, t0, t1, base): (Instant, Instant, Instant, Option<Instant>),
    ) {
        let st = out.status();
        self.one(out.kind, st, ns, intended_ns, start, t1);
        let mut end = t0 + Duration::from_nanos(out.prep_ns);
        for n in out.nested.iter().flatten() {
            end += Duration::from_nanos(n.ns);
            // A verification ends the op: stamped at its end.
            if n.kind == OpKind::Verify {
                end = end.max(t1);
            }
            let nns = truncate_us(n.ns);
            // Upstream measures a verification directly, with no intended latency.
            let intended = base
                .filter(|_| n.kind != OpKind::Verify)
                .map(|b| truncate_us((end - b).as_nanos() as u64));
            self.nested(n, nns, intended, start, end);
        }
    }

    #[inline]
    fn nested(&mut self, n: &Nested, ns: u64, intended: Option<u64>, start: Instant, end: Instant) {
        self.one(n.kind, n.status, ns, intended, start, end);
    }

    #[inline]
    fn one(
        &mut self,
        kind: OpKind,
        st: Status,
        ns: u64,
        intended: Option<u64>,
        start: Instant,
        end: Instant,
    ) {
        self.statuses[kind.index()][st as usize] += 1;
        let s = slot(kind, st);
        // A verification's status is reported, its latency is not split by it (upstream
        // measures VERIFY directly, not through the DB wrapper).
        let split = st != Status::Ok && kind != OpKind::Verify;
        if split {
            self.failed[s]
                .get_or_insert_with(new_histogram)
                .saturating_record(ns);
            if let Some(i) = intended {
                self.intended_failed[s]
                    .get_or_insert_with(new_histogram)
                    .saturating_record(i);
            }
        }
        if let Some(series) = &mut self.series {
            let w = (end.saturating_duration_since(start).as_nanos()
                / self.granularity.as_nanos().max(1)) as usize;
            let slot = if split { s } else { slot(kind, Status::Ok) };
            series[slot].add(w, ns / 1000);
        }
    }
}

/// Nanoseconds truncated to whole microseconds, as upstream records latency
/// (`(end - start) / 1000` in integer arithmetic).
#[inline(always)]
pub fn truncate_us(ns: u64) -> u64 {
    ns / 1000 * 1000
}
