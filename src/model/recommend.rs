//! The recommender's inputs and output: objective, constraints, per-trial summaries and the
//! recommendation with its margin and rationale.

use crate::error::{Error, Result};
use crate::stats::{Comparison, Estimate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::str::FromStr;

/// `maximize METRIC` or `minimize METRIC`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub maximize: bool,
    pub metric: String,
}

impl FromStr for Objective {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let mut it = s.split_whitespace();
        let (dir, metric) = (it.next(), it.next());
        let maximize = match dir {
            Some("maximize") | Some("max") => true,
            Some("minimize") | Some("min") => false,
            _ => {
                return Err(Error::usage(format!(
                    "objective {s:?}: write \"maximize METRIC\" or \"minimize METRIC\", e.g. \"maximize fillrandom.ops_per_sec\""
                )))
            }
        };
        match (metric, it.next()) {
            (Some(m), None) => Ok(Objective {
                maximize,
                metric: m.to_string(),
            }),
            _ => Err(Error::usage(format!(
                "objective {s:?}: expected one metric after {}",
                dir.unwrap_or_default()
            ))),
        }
    }
}

impl std::fmt::Display for Objective {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}",
            if self.maximize {
                "maximize"
            } else {
                "minimize"
            },
            self.metric
        )
    }
}

/// `METRIC OP NUMBER`, OP one of `>=`, `<=`, `>`, `<`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Constraint {
    pub metric: String,
    pub op: String,
    pub value: f64,
}

impl FromStr for Constraint {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::usage(format!(
                "constraint {s:?}: write METRIC OP NUMBER with OP one of >= <= > <, e.g. \"readrandom.p99_us <= 10000\""
            ))
        };
        for op in [">=", "<=", ">", "<"] {
            if let Some((m, v)) = s.split_once(op) {
                let metric = m.trim();
                if metric.is_empty() || metric.contains(char::is_whitespace) {
                    return Err(bad());
                }
                let value: f64 = v.trim().parse().map_err(|_| bad())?;
                return Ok(Constraint {
                    metric: metric.to_string(),
                    op: op.to_string(),
                    value,
                });
            }
        }
        Err(bad())
    }
}

impl Constraint {
    pub fn holds(&self, x: f64) -> bool {
        match self.op.as_str() {
            ">=" => x >= self.value,
            "<=" => x <= self.value,
            ">" => x > self.value,
            _ => x < self.value,
        }
    }
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.metric, self.op, self.value)
    }
}

/// What the recommender knows about one trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialSummary {
    pub id: String,
    pub axes: Vec<(String, String)>,
    /// Per metric, the values of each completed repeat.
    pub samples: BTreeMap<String, Vec<f64>>,
    /// Per metric, the repeat each sample came from (in memory only: pairs the samples of
    /// two trials by their round of interleaved repeats).
    #[serde(skip)]
    pub repeats: BTreeMap<String, Vec<usize>>,
    pub estimates: BTreeMap<String, Estimate>,
    /// Block cache + memtables, bytes: the cost used to break ties.
    pub configured_memory: u64,
    pub background_jobs: i32,
    pub threads: usize,
}

impl TrialSummary {
    pub fn median(&self, metric: &str) -> Option<f64> {
        self.estimates.get(metric).map(|e| e.median)
    }

    /// This trial's and `other`'s samples of `metric` from the repeats both have, in pairs
    /// (one round of interleaved repeats each); `None` without the repeats' numbers (a
    /// summary read back from JSON).
    pub fn paired_with(&self, other: &TrialSummary, metric: &str) -> Option<(Vec<f64>, Vec<f64>)> {
        let (sa, ra) = (self.samples.get(metric)?, self.repeats.get(metric)?);
        let (sb, rb) = (other.samples.get(metric)?, other.repeats.get(metric)?);
        if sa.len() != ra.len() || sb.len() != rb.len() {
            return None;
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for (x, r) in sa.iter().zip(ra) {
            if let Some(i) = rb.iter().position(|q| q == r) {
                a.push(*x);
                b.push(sb[i]);
            }
        }
        // Fewer than two rounds in common: the samples are compared as independent.
        (a.len() >= 2).then_some((a, b))
    }
}

/// The recommendation and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub objective: Objective,
    pub winner: String,
    pub runner_up: Option<String>,
    /// Winner vs runner-up on the objective, oriented so positive means better.
    pub margin: Option<Comparison>,
    /// The best objective was inside the noise of a cheaper config, which won instead.
    pub tie_broken_by_cost: bool,
    /// Trials that ranked within the noise of the best.
    pub tied_with_best: Vec<String>,
    /// The tie-break kept to the tied trials whose gain over this reference trial the
    /// interval confirms (the tuner's start config), so a cheaper config whose own claim
    /// does not stand does not displace one whose claim does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proven_against: Option<String>,
    /// Trials left out and why (constraints, missing metrics).
    pub excluded: Vec<(String, String)>,
    /// One plain-words line per alternative on each axis.
    pub rationale: Vec<String>,
    /// (axis, value, objective median): smallest axis value within `threshold` of the best.
    pub threshold: Option<(String, String, f64)>,
}
