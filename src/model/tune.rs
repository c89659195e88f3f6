//! `rdbtune.tune/v2`: what the tuner was asked, every evaluation of its search and the
//! final verdicts (the final round itself is a [`super::RunResult`] of kind `tune`).
//! v1 files (YCSB only, one objective) still read: their fields are a subset.

use super::{Constraint, Objective, PhaseTemplate};
use crate::engine::EngineConfig;
use crate::stats::Comparison;
use crate::sysmon::Machine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Schema tag of tune.json.
pub const TUNE_SCHEMA: &str = "rdbtune.tune/v2";

/// A tuning target at full fidelity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// `ycsb-a`, `readrandom`, or `scenario NAME`.
    pub name: String,
    /// Phases that fill the template DB (none: the run starts from an empty DB).
    pub load: Vec<PhaseTemplate>,
    /// The measured phases, each run for its share of the run length (steps as they are).
    pub run: Vec<PhaseTemplate>,
    /// Keys at full fidelity.
    pub records: u64,
    /// The config a scenario's [engine] gives (the start config unless another is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<EngineConfig>,
    /// The scenario's own objective and constraints, when it has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<Objective>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
}

/// The workload's data, as the memory model needs it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    /// Keys in the DB at full fidelity.
    pub keys: u64,
    /// Mean key and stored value bytes.
    pub key_size: f64,
    pub value_size: f64,
    /// The largest value a write stores, bytes.
    pub max_value_size: usize,
    /// Column families beside `default` that hold data.
    pub families: usize,
    /// The process's resident memory before any DB is open, bytes.
    #[serde(default)]
    pub process_bytes: u64,
}

/// A config's predicted memory, by part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MemoryEstimate {
    /// Block cache: its capacity, or the data when smaller, plus allocator slack.
    pub block_cache: u64,
    /// Every memtable that can exist: write_buffer_size x max_write_buffer_number per family.
    pub memtables: u64,
    /// Index and filter blocks held by the table readers (outside the cache).
    pub index_and_filters: u64,
    /// Per-file table reader state.
    pub table_readers: u64,
    /// The process before any DB, and RocksDB's fixed overhead.
    pub process: u64,
}

impl MemoryEstimate {
    pub fn total(&self) -> u64 {
        self.block_cache
            + self.memtables
            + self.index_and_filters
            + self.table_readers
            + self.process
    }
}

/// How the search proposes configs (within successive halving either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    /// Uniformly random configs.
    Random,
    /// A Tree-structured Parzen Estimator after the first bracket (a third still random).
    #[default]
    Tpe,
}

/// What `rdbtune tune` was asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneOptions {
    /// What is tuned: the load and run phases at full fidelity.
    pub target: Target,
    pub records: u64,
    pub memory_budget: u64,
    pub time_budget_s: f64,
    /// Hold-out target, checked for over-fitting (None: no check).
    pub holdout: Option<Target>,
    pub repeats: usize,
    pub threads: usize,
    pub seed: u64,
    pub objective: Objective,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
    /// `--pareto A,B`: the measured front of two objectives instead of one winner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pareto: Option<(Objective, Objective)>,
    #[serde(default)]
    pub search: SearchKind,
    /// `--knobs`: the knobs tuned (all when empty); `--fix KEY=VALUE` on every config.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub knobs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fix: Vec<(String, String)>,
    /// The user's config (`--options-file`, `--options-from-db`, `--rocksdb-options`, a
    /// scenario's [engine]): the start of the search, a finalist, the reference of the
    /// claims and of the minimal diff. `None`: RocksDB's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<EngineConfig>,
    /// Explain the winner (each changed knob reverted alone).
    #[serde(default = "yes")]
    pub explain: bool,
    #[serde(skip)]
    pub out: Option<PathBuf>,
    #[serde(skip)]
    pub quiet: bool,
}

#[cfg(test)]
impl TuneOptions {
    /// Options for unit tests: `target` within the budgets, RocksDB's defaults as the start,
    /// the default objective, 5 repeats, explained, no hold-out.
    pub fn for_test(target: Target, memory_budget: u64, time_budget_s: f64) -> TuneOptions {
        TuneOptions {
            records: target.records,
            target,
            memory_budget,
            time_budget_s,
            holdout: None,
            repeats: 5,
            threads: 1,
            seed: 1,
            objective: "maximize run.debt_ops_per_sec".parse().unwrap(),
            constraints: Vec::new(),
            pareto: None,
            search: Default::default(),
            knobs: Vec::new(),
            fix: Vec::new(),
            base: None,
            explain: true,
            out: None,
            quiet: true,
        }
    }
}

fn yes() -> bool {
    true
}

/// One measured config at one fidelity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Eval {
    pub id: String,
    pub knobs: Vec<(String, String)>,
    /// The point (choice per knob, null where a knob does not apply).
    #[serde(default)]
    pub point: Vec<Option<usize>>,
    /// Bracket, rung (0 = lowest fidelity) and how the config was proposed (random, tpe,
    /// near-start, start).
    pub bracket: usize,
    pub rung: usize,
    pub proposed_by: String,
    pub records: u64,
    pub run_s: f64,
    /// The objective's value (its unit; with --pareto, `--objective`'s, one of the two).
    pub score: f64,
    /// The objective's and constraints' metrics.
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
    /// Every constraint held.
    #[serde(default = "yes")]
    pub feasible: bool,
    pub configured_memory_bytes: u64,
    #[serde(default)]
    pub predicted_memory_bytes: u64,
    /// Seconds since the tune started, at the end of this evaluation.
    pub at_s: f64,
}

/// A finalist's memory: the model's prediction by part and the measured peak RSS while
/// it ran (the budget is enforced on the measurement).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryCheck {
    pub id: String,
    pub predicted: MemoryEstimate,
    pub predicted_bytes: u64,
    /// Block cache + memtables, the usual formula.
    pub configured_bytes: u64,
    /// Largest per-second RSS of the process while this finalist's repeats ran.
    pub measured_peak_bytes: u64,
    /// The measured peak and the configured bytes both within the budget (a finalist that
    /// is not cannot win).
    pub within_budget: bool,
}

/// One knob of the winner reverted to the start config's choice: what the winner loses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnobEffect {
    pub knob: String,
    pub winner: String,
    pub start: String,
    /// Winner vs the winner with this knob reverted, on the objective (better > 0), with
    /// its 95% interval; None when not measured (time).
    pub effect: Option<Comparison>,
    /// The objective's median with the knob reverted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverted_median: Option<f64>,
}

/// A point of the measured Pareto front.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontPoint {
    pub id: String,
    /// Median of each objective over the final round's repeats.
    pub values: Vec<f64>,
    pub knobs: Vec<(String, String)>,
}

/// The final verdicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneOutcome {
    pub winner: String,
    /// Winner vs each reference on the objective: relative change (better > 0) with its
    /// 95% CI.
    pub vs_default: Option<Comparison>,
    pub vs_production_optimized: Option<Comparison>,
    /// Winner vs the user's base config, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vs_base: Option<Comparison>,
    /// Winner vs the start config on the hold-out target.
    pub holdout: Option<(String, Comparison)>,
    pub holdout_regressed: Option<bool>,
    /// Each knob the winner changed from the start config, reverted alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub explained: Vec<KnobEffect>,
}

/// `rdbtune.tune/v2`: the search history and the outcome (the final round itself is the
/// scenario result in results.json beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneResult {
    pub schema: String,
    pub options: TuneOptions,
    pub machine: Machine,
    pub command: Vec<String>,
    pub search_s: f64,
    pub total_s: f64,
    /// Full-fidelity run length chosen from the budget, s (the search's longest runs).
    pub run_s: f64,
    /// The final round's run length, s: planned again from the time left after its loads
    /// and warm-ups, at least `run_s` (0 in files written before it was recorded).
    #[serde(default)]
    pub final_run_s: f64,
    pub history: Vec<Eval>,
    pub outcome: Option<TuneOutcome>,
    /// The finalists' predicted and measured memory.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub memory: Vec<MemoryCheck>,
    /// With --pareto: the measured front, best first on the first objective.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub front: Vec<FrontPoint>,
    pub interrupted: bool,
}
