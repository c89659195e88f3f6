//! The seam between a running phase and whoever watches it: the terminal dashboard, status
//! lines, the live interval log, a metrics endpoint. The collector thread calls these; the
//! workers never do, so an observer costs the measured loop nothing.

use super::alerts::AlertChange;
use crate::model::IntervalRow;
use crate::workload::OpKind;
use hdrhistogram::Histogram;
use std::time::Duration;

/// What a phase is about to do.
#[derive(Debug, Clone, Copy)]
pub struct PhaseStart<'a> {
    /// Names the phase (trial, repeat and phase label in a scenario).
    pub label: &'a str,
    /// Headline ops the phase is bounded by, if it is bounded by a count.
    pub total_ops: Option<u64>,
    /// How long the phase runs, if it is bounded by time.
    pub duration: Option<Duration>,
}

/// One full second of a running phase.
#[derive(Debug, Clone, Copy)]
pub struct Second<'a> {
    pub label: &'a str,
    pub row: &'a IntervalRow,
    /// Headline ops completed since the phase started.
    pub total_ops: u64,
    /// p99 latency (µs) of each op kind within the second, in kind order; filled only when
    /// an observer [wants it](PhaseObserver::wants_per_kind).
    pub per_kind_p99_us: &'a [(OpKind, f64)],
    /// Alert rules active after this second, as written.
    pub active_alerts: &'a [String],
}

/// Watches a phase. Every method has a default that does nothing.
pub trait PhaseObserver {
    /// Before the workers start.
    fn start(&mut self, _phase: &PhaseStart<'_>) {}
    /// Headline ops completed so far, after each piece of a second arrives.
    fn progress(&mut self, _total_ops: u64) {}
    /// A full second, once every thread's share of it is in.
    fn second(&mut self, _s: &Second<'_>) {}
    /// An alert started or cleared.
    fn alert(&mut self, _label: &str, _change: &AlertChange) {}
    /// The final latency histograms (ns) of each op kind over one span of the phase: a full
    /// second `[start_s, start_s + span_s)` once all of it is in, a late thread's share of an
    /// earlier second, or the last partial second. Every sample of the phase's op kinds
    /// (nested parts of compound ops included) is handed over exactly once; called only
    /// when an observer [wants per-kind figures](PhaseObserver::wants_per_kind).
    fn histograms(&mut self, _start_s: f64, _span_s: f64, _per_kind: &[(OpKind, Histogram<u64>)]) {}
    /// After the last worker finished (also on errors and interrupts).
    fn finish(&mut self) {}
    /// Whether [`Second::per_kind_p99_us`] is needed (costs one histogram per op kind per
    /// thread per second).
    fn wants_per_kind(&self) -> bool {
        false
    }
}

/// Watches nothing (warm-ups, the tuner's quiet runs).
pub struct NoObserver;

impl PhaseObserver for NoObserver {}

/// Several observers, called in order.
#[derive(Default)]
pub struct Observers<'a>(pub Vec<&'a mut dyn PhaseObserver>);

impl PhaseObserver for Observers<'_> {
    fn start(&mut self, p: &PhaseStart<'_>) {
        self.0.iter_mut().for_each(|o| o.start(p));
    }
    fn progress(&mut self, total_ops: u64) {
        self.0.iter_mut().for_each(|o| o.progress(total_ops));
    }
    fn second(&mut self, s: &Second<'_>) {
        self.0.iter_mut().for_each(|o| o.second(s));
    }
    fn alert(&mut self, label: &str, c: &AlertChange) {
        self.0.iter_mut().for_each(|o| o.alert(label, c));
    }
    fn histograms(&mut self, start_s: f64, span_s: f64, per_kind: &[(OpKind, Histogram<u64>)]) {
        self.0
            .iter_mut()
            .filter(|o| o.wants_per_kind())
            .for_each(|o| o.histograms(start_s, span_s, per_kind));
    }
    fn finish(&mut self) {
        self.0.iter_mut().for_each(|o| o.finish());
    }
    fn wants_per_kind(&self) -> bool {
        self.0.iter().any(|o| o.wants_per_kind())
    }
}
