//! Reading `rdbtune.result/v1`. v1 had two shapes under one tag: a bench/ycsb result (one
//! DB, `phases` at the top) and a scenario result (`scenario`, `runs`). Both become a v2
//! [`RunResult`]; a v1 scenario keeps its summaries and recommendation as written, a v1
//! bench becomes a one-trial plan whose metrics and summaries the caller derives.

use super::plan::Scenario;
use super::recommend::{Recommendation, TrialSummary};
use super::result::{DbInfo, Kind, RunResult, TrialRun, SCHEMA};
use super::PhaseResult;
use crate::engine::{EngineConfig, EngineStats};
use crate::sysmon::Machine;
use serde::Deserialize;

/// The v1 schema tag.
pub const SCHEMA_V1: &str = "rdbtune.result/v1";

/// A v1 bench or ycsb result.
#[derive(Debug, Deserialize)]
struct BenchV1 {
    started_unix: u64,
    command: Vec<String>,
    seed: u64,
    machine: Machine,
    config: EngineConfig,
    db_temporary: bool,
    phases: Vec<PhaseResult>,
    final_stats: EngineStats,
    interrupted: bool,
    #[serde(default)]
    error: Option<String>,
}

/// A v1 scenario result.
#[derive(Debug, Deserialize)]
struct ScenarioV1 {
    scenario: Scenario,
    command: Vec<String>,
    machine: Machine,
    started_unix: u64,
    quick: bool,
    repeats: usize,
    shard: Option<(usize, usize)>,
    db_preparation: String,
    skipped: Vec<(String, String)>,
    runs: Vec<TrialRun>,
    summaries: Vec<TrialSummary>,
    recommendation: Option<Recommendation>,
    interrupted: bool,
    #[serde(default)]
    partial_run: Option<TrialRun>,
}

/// Reads a v1 value (either shape). `name` names a v1 bench's trial (the file's stem).
pub fn from_v1(v: serde_json::Value, name: &str) -> Result<RunResult, String> {
    if v.get("scenario").is_some() {
        let s: ScenarioV1 = serde_json::from_value(v).map_err(|e| e.to_string())?;
        let mut r = RunResult::new(Kind::Scenario, s.scenario, s.machine, s.started_unix);
        r.command = s.command;
        r.quick = s.quick;
        r.repeats = s.repeats;
        r.shard = s.shard;
        r.db = DbInfo {
            preparation: s.db_preparation,
            path: None,
            temporary: true,
        };
        r.skipped = s.skipped;
        r.runs = s.runs;
        // Kept as written: a v1 result renders as it did.
        r.summaries = s.summaries;
        r.recommendation = s.recommendation;
        r.interrupted = s.interrupted;
        r.partial_run = s.partial_run;
        return Ok(r);
    }
    let b: BenchV1 = serde_json::from_value(v).map_err(|e| e.to_string())?;
    let kind = if b.phases.iter().any(|p| p.spec.ycsb.is_some()) {
        Kind::Ycsb
    } else {
        Kind::Bench
    };
    let specs = b.phases.iter().map(|p| p.spec.clone()).collect();
    let path = if b.db_temporary {
        None
    } else {
        b.config.path.clone()
    };
    let scenario = Scenario::one_trial(name, b.config, specs, b.seed);
    let mut r = RunResult::new(kind, scenario, b.machine, b.started_unix);
    r.command = b.command;
    r.repeats = 1;
    r.db = DbInfo {
        preparation: if b.db_temporary {
            "a fresh temporary DB".into()
        } else {
            "the DB at --db".into()
        },
        path,
        temporary: b.db_temporary,
    };
    r.runs.push(TrialRun {
        trial: name.to_string(),
        repeat: 0,
        metrics: Default::default(),
        phases: b.phases,
        final_stats: Some(b.final_stats),
    });
    r.interrupted = b.interrupted;
    r.error = b.error;
    debug_assert_eq!(r.schema, SCHEMA);
    Ok(r)
}
