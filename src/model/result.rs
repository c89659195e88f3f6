//! `rdbtune.result/v2`: the one results shape every command writes (bench, ycsb, run and
//! sweep, merge, the tune final round), told apart by `kind`. v1 files, which had a bench
//! shape and a scenario shape under one tag, still load ([`super::compat`]).

use super::plan::Scenario;
use super::recommend::{Recommendation, TrialSummary};
use super::PhaseResult;
use crate::engine::EngineStats;
use crate::sysmon::Machine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Schema tag written into every result file.
pub const SCHEMA: &str = "rdbtune.result/v2";

/// Which command produced a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `rdbtune bench`: phases in order on one DB.
    Bench,
    /// `rdbtune ycsb`: a YCSB load and/or run on one DB.
    Ycsb,
    /// `rdbtune run` / `sweep` / `merge`: trials x repeats of a scenario.
    Scenario,
    /// The final round of `rdbtune tune`.
    Tune,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Bench => "bench",
            Kind::Ycsb => "ycsb",
            Kind::Scenario => "scenario",
            Kind::Tune => "tune",
        }
    }
}

/// One completed (trial, repeat).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialRun {
    pub trial: String,
    pub repeat: usize,
    /// Every catalogued metric of the run (see `crate::metrics`), by name.
    pub metrics: BTreeMap<String, f64>,
    pub phases: Vec<PhaseResult>,
    /// Engine state after the run's last phase (counters cumulative since open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_stats: Option<EngineStats>,
}

/// Where the runs' DBs lived.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DbInfo {
    /// How each trial run's DB was prepared, in words.
    pub preparation: String,
    /// The DB directory when the user named one (`--db`); temporary DBs have none.
    pub path: Option<PathBuf>,
    /// Whether the DB was a temporary directory rdbtune created and removed.
    pub temporary: bool,
}

/// A whole result file. Every top-level key is present in every kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub schema: String,
    pub kind: Kind,
    /// Seconds since the Unix epoch when the run started.
    pub started_unix: u64,
    /// The command line, to reproduce the run.
    pub command: Vec<String>,
    pub machine: Machine,
    /// What was asked: trials with their effective engine config and phases.
    pub scenario: Scenario,
    /// `--quick`: data and durations scaled down.
    pub quick: bool,
    pub repeats: usize,
    /// (index, count), 1-based index, when this result holds one shard.
    pub shard: Option<(usize, usize)>,
    pub db: DbInfo,
    /// Trials not run and why (memory budget).
    pub skipped: Vec<(String, String)>,
    pub runs: Vec<TrialRun>,
    pub summaries: Vec<TrialSummary>,
    pub recommendation: Option<Recommendation>,
    /// True when a signal cut the run short.
    pub interrupted: bool,
    /// The trial run a signal cut short: kept for its timeline (intervals.csv, phases) but
    /// left out of the summaries and the recommendation.
    pub partial_run: Option<TrialRun>,
    /// The error that ended the run early (e.g. no space left); runs hold what finished.
    pub error: Option<String>,
    /// Per trial, the OPTIONS file RocksDB wrote when it opened the trial's DB: every option
    /// as RocksDB ran it, those rdbtune never names included, then a comment line naming the
    /// block cache (which OPTIONS files do not record).
    #[serde(default)]
    pub effective_options: BTreeMap<String, String>,
    /// $JOB_ID when the run started (benchmark.sh's job_id column), if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
}

impl RunResult {
    /// An empty result of `kind` for `scenario`, started now on this machine.
    pub fn new(kind: Kind, scenario: Scenario, machine: Machine, started_unix: u64) -> Self {
        RunResult {
            schema: SCHEMA.to_string(),
            kind,
            started_unix,
            command: std::env::args().collect(),
            machine,
            repeats: scenario.run.repeats,
            scenario,
            quick: false,
            shard: None,
            db: DbInfo::default(),
            skipped: Vec::new(),
            runs: Vec::new(),
            summaries: Vec::new(),
            recommendation: None,
            interrupted: false,
            partial_run: None,
            error: None,
            effective_options: BTreeMap::new(),
            job_id: std::env::var("JOB_ID").ok().filter(|j| !j.is_empty()),
        }
    }

    /// Every phase of every finished run, then those of the partial run.
    pub fn all_phases(&self) -> impl Iterator<Item = &PhaseResult> {
        self.runs
            .iter()
            .chain(self.partial_run.iter())
            .flat_map(|r| r.phases.iter())
    }

    /// The phase labels of `trial`'s phases (its workload names when the trial is unknown).
    pub fn labels(&self, run: &TrialRun) -> Vec<String> {
        match self.scenario.trials.iter().find(|t| t.id == run.trial) {
            Some(t) => t.phases.iter().map(|p| p.label.clone()).collect(),
            None => run.phases.iter().map(|p| p.workload.to_string()).collect(),
        }
    }
}
