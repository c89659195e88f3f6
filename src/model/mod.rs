//! The one results model. Every command writes `rdbtune.result/v2` ([`RunResult`]); the
//! gate and the tuner add their own reports ([`gate`], [`tune`]). Exporters read these;
//! nothing else is a source of truth.

pub mod alerts;
pub mod compat;
pub mod gate;
pub mod phase;
pub mod plan;
pub mod recommend;
pub mod result;
pub mod tune;
pub mod ycsb;

pub use phase::{
    percentile_label, percentile_tag, shown_percentiles, stall_percent, GroupSummary, IntervalRow,
    LatencySummary, OpSummary, PerfBreakdown, PhaseEngine, PhaseIo, PhaseResult, Quantile,
    StallSummary, DEFAULT_PERCENTILES,
};
pub use plan::{Data, PhaseTemplate, RunFile, Scenario, Trial};
pub use recommend::{Constraint, Objective, Recommendation, TrialSummary};
pub use result::{DbInfo, Kind, RunResult, TrialRun, SCHEMA};
