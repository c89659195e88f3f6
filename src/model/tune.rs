//! `rdbtune.tune/v1`: what the tuner was asked, every evaluation of its search and the
//! final verdicts (the final round itself is a [`super::RunResult`] of kind `tune`).

use crate::stats::Comparison;
use crate::sysmon::Machine;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Schema tag of tune.json.
pub const TUNE_SCHEMA: &str = "rdbtune.tune/v1";

/// What `rdbtune tune` was asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneOptions {
    /// YCSB core workload letter (a..f).
    pub workload: String,
    pub records: u64,
    pub memory_budget: u64,
    pub time_budget_s: f64,
    /// Hold-out workload letter, checked for over-fitting (None: no check).
    pub holdout: Option<String>,
    pub repeats: usize,
    pub threads: usize,
    pub seed: u64,
    /// The config every candidate starts from (RocksDB's defaults, or the user's OPTIONS
    /// file and options string); the tuned knobs are set on top. `None`: RocksDB's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<crate::engine::EngineConfig>,
    #[serde(skip)]
    pub out: Option<PathBuf>,
    #[serde(skip)]
    pub quiet: bool,
}

/// One measured config at one fidelity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Eval {
    pub id: String,
    pub knobs: Vec<(String, String)>,
    /// Bracket, rung (0 = lowest fidelity) and how the config was proposed.
    pub bracket: usize,
    pub rung: usize,
    pub proposed_by: String,
    pub records: u64,
    pub run_s: f64,
    /// Run-phase ops / (run wall time + the compaction wait after it), ops/s.
    pub score: f64,
    pub ops_per_sec: f64,
    pub compaction_wait_s: f64,
    pub configured_memory_bytes: u64,
    /// Seconds since the tune started, at the end of this evaluation.
    pub at_s: f64,
}

/// The final verdicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneOutcome {
    pub winner: String,
    /// Winner vs each reference on the debt-aware score: relative change with its 95% CI.
    pub vs_default: Option<Comparison>,
    pub vs_production_optimized: Option<Comparison>,
    /// Winner vs the user's base config (`--options-file`, `--rocksdb-options`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vs_base: Option<Comparison>,
    /// Winner vs defaults on the hold-out workload.
    pub holdout: Option<(String, Comparison)>,
    pub holdout_regressed: Option<bool>,
}

/// `rdbtune.tune/v1`: the search history and the outcome (the final round itself is the
/// scenario result in results.json beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneResult {
    pub schema: String,
    pub options: TuneOptions,
    pub machine: Machine,
    pub command: Vec<String>,
    pub search_s: f64,
    pub total_s: f64,
    /// Full-fidelity run length chosen from the budget, s.
    pub run_s: f64,
    pub history: Vec<Eval>,
    pub outcome: Option<TuneOutcome>,
    pub interrupted: bool,
}
