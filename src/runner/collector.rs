//! The collector: one thread beside the workers that receives each thread's 1-second pieces,
//! samples the engine at every boundary, judges alerts and hands each full second to the
//! observers. It also stops the readwhilewriting writer once every reader is done.

use super::alerts::AlertTracker;
use super::observer::{PhaseObserver, PhaseStart, Second};
use super::recorder::{IntervalPiece, ThreadTotals, INTERVAL};
use crate::engine::sample::{Sample, STALL_CAUSES};
use crate::engine::Engine;
use crate::error::Result;
use crate::model::alerts::{AlertEvent, AlertSet};
use crate::model::IntervalRow;
use crate::workload::OpKind;
use hdrhistogram::Histogram;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::ScopedJoinHandle;
use std::time::{Duration, Instant};

/// One second of the timeline while the phase runs. Its histogram is reduced to the
/// percentiles and dropped once the second is `SEAL_AFTER` seconds old, so a day-long run
/// keeps a few seconds of histograms, not 86,400 of them.
#[derive(Default)]
pub(super) struct IntervalAcc {
    pub ops: u64,
    hist: Option<Histogram<u64>>,
    pub p50_us: f64,
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

    pub fn p99_now(&self) -> f64 {
        match &self.hist {
            Some(h) if !h.is_empty() => h.value_at_quantile(0.99) as f64 / 1000.0,
            _ => self.p99_us,
        }
    }
}

pub(super) type Pieces = Vec<IntervalAcc>;

/// Builds the row of an interval of `span_s` seconds ending at `t_s` from the samples at its
/// start and end.
pub(super) fn interval_row(
    t_s: f64,
    span_s: f64,
    acc: (u64, f64, f64),
    s0: &Sample,
    s1: &Sample,
) -> IntervalRow {
    let (ops, p50_us, p99_us) = acc;
    let (hits, misses) = (
        s1.cache_hit.saturating_sub(s0.cache_hit),
        s1.cache_miss.saturating_sub(s0.cache_miss),
    );
    let disk = s0.disk.zip(s1.disk).map(|(a, b)| b.since(&a));
    let io = s0.io.zip(s1.io).map(|(a, b)| b.since(&a));
    let causes: Vec<&str> = STALL_CAUSES
        .iter()
        .zip(s0.stall_counts.iter().zip(&s1.stall_counts))
        .filter(|(_, (a, b))| b > a)
        .map(|(c, _)| *c)
        .collect();
    IntervalRow {
        t_s,
        ops,
        ops_per_sec: ops as f64 / span_s.max(1e-3),
        p50_us,
        p99_us,
        stall_micros: s1.stall_micros.saturating_sub(s0.stall_micros),
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
        read_bytes: io.map(|d| d.read_bytes),
        write_bytes: io.map(|d| d.write_bytes),
        syscall_read_bytes: io.map(|d| d.rchar),
        syscall_write_bytes: io.map(|d| d.wchar),
        device_read_bytes: disk.map(|d| d.read_bytes()),
        device_write_bytes: disk.map(|d| d.write_bytes()),
        device_busy: disk.map(|d| (d.busy_ms as f64 / 1000.0 / span_s.max(1e-3)).min(1.0)),
    }
}

/// What the collector hands back: the engine samples (one per boundary, first and last
/// included), the per-second accumulators and the alert episodes.
pub(super) struct Collected {
    pub samples: Vec<Sample>,
    pub pieces: Pieces,
    pub alerts: Vec<AlertEvent>,
}

/// The collector's view of the phase.
pub(super) struct Collector<'a, 'o> {
    pub engine: &'a Engine,
    pub label: &'a str,
    pub bounded_by_ops: bool,
    /// Set once every reader finished (the readwhilewriting writer then stops).
    pub writer_stop: &'a AtomicBool,
    /// Worker threads counted as readers (the writer, if any, comes after them).
    pub readers: usize,
    pub observer: &'o mut dyn PhaseObserver,
    pub alerts: AlertTracker,
    samples: Vec<Sample>,
    pieces: Pieces,
    /// Per second, per op kind latency (kept only when an observer wants it).
    kinds: Vec<Vec<(OpKind, Histogram<u64>)>>,
    /// Seconds already shown: a piece of one of them that arrives late goes to the
    /// observers on its own.
    shown: usize,
    started: Option<Instant>,
    total_ops: u64,
}

impl<'a, 'o> Collector<'a, 'o> {
    pub fn new(
        engine: &'a Engine,
        label: &'a str,
        writer_stop: &'a AtomicBool,
        readers: usize,
        observer: &'o mut dyn PhaseObserver,
        alerts: &AlertSet,
    ) -> Self {
        Collector {
            engine,
            label,
            bounded_by_ops: true,
            writer_stop,
            readers,
            observer,
            alerts: AlertTracker::new(alerts),
            samples: Vec::new(),
            pieces: Vec::new(),
            kinds: Vec::new(),
            shown: 0,
            started: None,
            total_ops: 0,
        }
    }

    /// Announces the phase to the observers.
    pub fn start(&mut self, start: &PhaseStart<'_>) {
        self.bounded_by_ops = start.total_ops.is_some();
        self.observer.start(start);
    }

    /// Receives pieces until every worker is done. Each second is shown a moment after its
    /// boundary (200 ms), once every thread's piece of it has arrived: threads send a piece
    /// on their first op after the boundary.
    pub fn run(
        mut self,
        rx: &mpsc::Receiver<IntervalPiece>,
        start: Instant,
        handles: &[ScopedJoinHandle<'_, Result<ThreadTotals>>],
    ) -> Collected {
        self.samples.push(self.engine.sample());
        self.started = Some(start);
        let mut due: Option<(Instant, u64)> = None;
        let mut next = start + INTERVAL;
        loop {
            self.stop_writer_when_readers_are_done(handles);
            if let Some((at, secs)) = due {
                if Instant::now() >= at {
                    due = None;
                    self.show(secs);
                }
            }
            let wait = next
                .saturating_duration_since(Instant::now())
                .min(Duration::from_millis(50));
            match rx.recv_timeout(wait) {
                Ok(p) => self.receive(p),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if Instant::now() >= next {
                        self.samples.push(self.engine.sample());
                        next += INTERVAL;
                        let secs = self.samples.len() as u64 - 1;
                        if let Some((_, pending)) = due.take() {
                            self.show(pending);
                        }
                        self.seal_old(secs as usize);
                        due = Some((Instant::now() + Duration::from_millis(200), secs));
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        if let Some((_, secs)) = due {
            self.show(secs);
        }
        self.samples.push(self.engine.sample());
        for a in &mut self.pieces {
            a.seal();
        }
        self.flush_kinds(start.elapsed().as_secs_f64());
        self.observer.finish();
        Collected {
            samples: self.samples,
            pieces: self.pieces,
            alerts: self.alerts.finish(),
        }
    }

    fn stop_writer_when_readers_are_done(
        &self,
        handles: &[ScopedJoinHandle<'_, Result<ThreadTotals>>],
    ) {
        if !self.writer_stop.load(Ordering::Relaxed)
            && handles.len() > self.readers
            && handles[..self.readers].iter().all(|h| h.is_finished())
        {
            self.writer_stop.store(true, Ordering::Relaxed);
        }
    }

    fn receive(&mut self, p: IntervalPiece) {
        let i = p.index as usize;
        if self.pieces.len() <= i {
            self.pieces.resize_with(i + 1, IntervalAcc::default);
        }
        self.pieces[i].add(p.ops, &p.hist);
        self.total_ops += p.ops;
        if !p.per_kind.is_empty() && i < self.shown {
            // A thread's late share of a second already shown.
            self.observer.histograms(i as f64, 1.0, &p.per_kind);
        } else if !p.per_kind.is_empty() {
            if self.kinds.len() <= i {
                self.kinds.resize_with(i + 1, Vec::new);
            }
            for (k, h) in p.per_kind {
                match self.kinds[i].iter_mut().find(|(kk, _)| *kk == k) {
                    Some((_, mine)) => mine.add(&h).expect("same bounds"),
                    None => self.kinds[i].push((k, h)),
                }
            }
        }
        self.observer.progress(self.total_ops);
    }

    /// Hands the per-kind histograms never shown (the last partial second) to the
    /// observers, once every worker is done; `elapsed` ends the last span.
    fn flush_kinds(&mut self, elapsed: f64) {
        for i in self.shown..self.kinds.len() {
            let mut kinds = std::mem::take(&mut self.kinds[i]);
            if kinds.is_empty() {
                continue;
            }
            kinds.sort_by_key(|(k, _)| *k);
            let span = (elapsed - i as f64).clamp(1e-3, 1.0);
            self.observer.histograms(i as f64, span, &kinds);
        }
        self.shown = self.shown.max(self.kinds.len());
    }

    /// Reduces seconds older than `SEAL_AFTER` to their percentiles.
    fn seal_old(&mut self, secs: usize) {
        if let Some(old) = secs.checked_sub(SEAL_AFTER) {
            if let Some(a) = self.pieces.get_mut(old) {
                a.seal();
            }
            if let Some(k) = self.kinds.get_mut(old) {
                k.clear();
            }
        }
    }

    /// Shows full second `secs` (1-based): alerts, then the observers.
    fn show(&mut self, secs: u64) {
        let i = secs as usize - 1;
        let acc = self
            .pieces
            .get(i)
            .map_or((0, 0.0, 0.0), |a| (a.ops, a.p50_now(), a.p99_now()));
        let row = interval_row(
            secs as f64,
            1.0,
            acc,
            &self.samples[i],
            &self.samples[i + 1],
        );
        for c in self.alerts.observe(&row) {
            self.observer.alert(self.label, &c);
        }
        let mut kinds = self
            .kinds
            .get_mut(i)
            .map(std::mem::take)
            .unwrap_or_default();
        kinds.sort_by_key(|(k, _)| *k);
        let per_kind: Vec<(OpKind, f64)> = kinds
            .iter()
            .map(|(k, h)| (*k, h.value_at_quantile(0.99) as f64 / 1000.0))
            .collect();
        if !kinds.is_empty() {
            self.observer.histograms(i as f64, 1.0, &kinds);
        }
        self.shown = self.shown.max(i + 1);
        let active = self.alerts.active();
        self.observer.second(&Second {
            label: self.label,
            row: &row,
            total_ops: self.total_ops,
            per_kind_p99_us: &per_kind,
            active_alerts: &active,
        });
    }
}

/// The timeline of a finished phase: one row per second (the last one partial), from the
/// accumulators and the samples at each boundary.
pub(super) fn timeline(pieces: &Pieces, samples: &[Sample], elapsed: f64) -> Vec<IntervalRow> {
    pieces
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
            interval_row(t_end, span, (a.ops, a.p50_us, a.p99_now()), &s0, &s1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sample::{parse_stall_counts, StallCounts};

    #[test]
    fn sealed_intervals_keep_percentiles_and_drop_histograms() {
        let mut h = super::super::recorder::new_histogram();
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
        let mut late = super::super::recorder::new_histogram();
        late.record(500_000).unwrap();
        a.add(1, &late);
        assert_eq!(a.ops, 101);
        assert!((a.p99_now() - 500.0).abs() < 1.0);
        let mut small = super::super::recorder::new_histogram();
        small.record(1_000).unwrap();
        a.add(1, &small);
        assert!((a.p99_now() - 500.0).abs() < 1.0);
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
        let r = interval_row(1.0, 1.0, (5, 1.0, 2.0), &s0, &s1);
        assert_eq!(
            r.write_state(),
            "stopped (l0-file-count-limit-delays l0-file-count-limit-stops write-buffer-manager-limit-stops)"
        );
        assert_eq!(r.cache_hit_rate, Some(0.9));
        assert!((r.stall_percent(1.0) - 25.0).abs() < 1e-9);
    }
}
