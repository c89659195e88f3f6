//! `rdbtune.gate/v1`: a gate run's policy, checks, verdicts and the samples behind them.

use crate::stats::{Change, Direction, Estimate};
use crate::sysmon::Machine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Schema tag of a gate report.
pub const GATE_SCHEMA: &str = "rdbtune.gate/v1";

/// A check's outcome, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Not judged: a regression-only check without a baseline. Never counts as a pass.
    Skipped,
    Pass,
    Warn,
    Inconclusive,
    Fail,
    /// The metric was not measured: the gate file asks for something the scenario does not
    /// produce. An error of the gate file (exit 2), worse than a failure.
    Unmeasured,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Skipped => "skipped",
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Fail => "fail",
            Verdict::Unmeasured => "unmeasured",
        }
    }
}

/// What a check asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub better: Direction,
    /// Absolute bounds on the candidate's median.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Largest tolerated change in the worse direction, as a fraction (0.10 = 10%).
    pub max_regression: Option<f64>,
}

/// A check's verdict with the figures behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    pub verdict: Verdict,
    pub reason: String,
    pub candidate: Option<Estimate>,
    pub baseline: Option<Estimate>,
    pub change: Option<Change>,
}
/// `[policy]`: how many runs, and how sure a verdict must be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Measured runs per config (paired rounds with a `[candidate]`).
    pub runs: usize,
    /// Runs an inconclusive check may grow to.
    pub max_runs: usize,
    /// Unmeasured rounds first (page cache, CPU frequency, allocator warm-up).
    pub warmup_runs: usize,
    /// Relative changes inside this band are noise: a regression fails only when its whole
    /// interval is past it.
    pub noise_floor: f64,
    /// Two-sided confidence of the intervals.
    pub confidence: f64,
    /// Failures are confirmed by this many fresh batches of `runs` before the gate fails.
    pub confirm: usize,
    /// Divide data and durations by the scenario's quick_scale (as `--quick`).
    pub quick: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            runs: 5,
            max_runs: 10,
            warmup_runs: 1,
            noise_floor: 0.02,
            confidence: 0.95,
            confirm: 1,
            quick: false,
        }
    }
}

/// One `[[check]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub metric: String,
    pub limits: Limits,
}

/// Samples of one trial: metric -> per-run values, candidate and (paired) baseline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Samples {
    pub candidate: BTreeMap<String, Vec<f64>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub baseline: BTreeMap<String, Vec<f64>>,
}

/// One check on one trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// `check` (one trial) or `trial/check`.
    pub name: String,
    pub metric: String,
    pub trial: String,
    pub limits: Limits,
    #[serde(flatten)]
    pub judgement: Judgement,
    /// The verdict before the confirmation rerun, when one was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_verdict: Option<Verdict>,
}

/// `rdbtune.gate/v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateReport {
    pub schema: String,
    pub gate: String,
    pub file: String,
    pub command: Vec<String>,
    pub machine: Machine,
    pub fingerprint: String,
    pub started_unix: u64,
    pub elapsed_s: f64,
    pub policy: Policy,
    /// "paired" (baseline and candidate configs interleaved in this job), "saved baseline",
    /// "absolute" (no baseline) or "results" (a finished run, nothing measured).
    pub mode: String,
    /// Where the baseline came from, and a warning when its machine differs.
    pub baseline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_warning: Option<String>,
    /// Measured runs per config (confirmation runs not included).
    pub runs: usize,
    pub confirmation_runs: usize,
    pub checks: Vec<CheckResult>,
    pub verdict: Verdict,
    pub exit_code: i32,
    /// Per trial.
    pub samples: BTreeMap<String, Samples>,
    pub interrupted: bool,
}
