//! Alert rules (`--alert`, a scenario's `[alerts]`) and the episodes they record. The
//! runner judges them every second (`runner::alerts`); units and formats come from the
//! metrics catalogue's per-second metrics.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// What an alert watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertMetric {
    OpsPerSec,
    P50Us,
    P99Us,
    StallPercent,
    CacheHitRate,
    PendingCompactionBytes,
    MemtableBytes,
    RssBytes,
    RssGrowthMibPerH,
    UnaccountedRssGrowthMibPerH,
}

impl AlertMetric {
    /// Every alert metric with its name (units and meanings are in the metrics catalogue).
    pub const ALL: [(AlertMetric, &'static str); 10] = [
        (AlertMetric::OpsPerSec, "ops_per_sec"),
        (AlertMetric::P50Us, "p50_us"),
        (AlertMetric::P99Us, "p99_us"),
        (AlertMetric::StallPercent, "stall_percent"),
        (AlertMetric::CacheHitRate, "cache_hit_rate"),
        (
            AlertMetric::PendingCompactionBytes,
            "pending_compaction_bytes",
        ),
        (AlertMetric::MemtableBytes, "memtable_bytes"),
        (AlertMetric::RssBytes, "rss_bytes"),
        (AlertMetric::RssGrowthMibPerH, "rss_growth_mib_per_h"),
        (
            AlertMetric::UnaccountedRssGrowthMibPerH,
            "unaccounted_rss_growth_mib_per_h",
        ),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(m, _)| *m == self)
            .map_or("", |(_, n)| n)
    }

    pub fn from_name(s: &str) -> Option<AlertMetric> {
        Self::ALL.iter().find(|(_, n)| *n == s).map(|(m, _)| *m)
    }
}

/// One threshold: `metric op threshold`, e.g. `p99_us > 10000`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    pub metric: AlertMetric,
    /// ">", ">=", "<" or "<=".
    pub op: String,
    pub threshold: f64,
}

/// Alert rules with how long a condition must hold (and be gone) to start (and clear).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertSet {
    pub rules: Vec<AlertRule>,
    /// Consecutive 1-second intervals a condition must hold to start an alert, and must not
    /// hold to clear it (default 1).
    pub sustain_s: u32,
}

impl AlertSet {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Seconds a condition must hold to start an alert (at least 1).
    pub fn sustain(&self) -> u32 {
        self.sustain_s.max(1)
    }
}

/// One alert episode within a phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    /// The rule as written, e.g. "p99_us > 10000.0 µs".
    pub rule: String,
    pub metric: AlertMetric,
    /// Phase seconds at which the condition started to hold (the end of the first breaching
    /// interval) and at which the alert cleared; `None` when still active at the phase's end.
    pub started_t_s: f64,
    pub cleared_t_s: Option<f64>,
    /// The most extreme value seen while active.
    pub worst: f64,
    /// Intervals that breached.
    pub breached_intervals: u64,
}

/// With `--fail-on-alert`: a failure naming the alerts that fired in `phases`.
pub fn check_alerts<'a>(
    fail_on_alert: bool,
    phases: impl IntoIterator<Item = &'a super::PhaseResult>,
) -> Result<()> {
    let fired: Vec<String> = phases
        .into_iter()
        .flat_map(|p| {
            p.alerts
                .iter()
                .map(move |a| format!("{} at {:.0} s of {}", a.rule, a.started_t_s, p.workload))
        })
        .collect();
    if fail_on_alert && !fired.is_empty() {
        return Err(Error::Failed(format!(
            "{} alert(s) fired (--fail-on-alert): {}",
            fired.len(),
            fired.join("; ")
        )));
    }
    Ok(())
}
