//! Judging alert rules on each full second of a phase: sustain, start and clear, growth
//! slopes that wait until their threshold means more than RSS jitter.

use crate::model::alerts::{AlertEvent, AlertMetric, AlertRule, AlertSet};
use crate::model::IntervalRow;
use crate::stats::RunningSlope;

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
            (s.len() >= growth_min_samples(rule.threshold))
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
}
