//! What a run was asked to do: a scenario's data, run settings and trials (an engine config
//! and phase templates each), with its objective, constraints and alerts. The scenario
//! parser builds these from TOML; `bench` and `ycsb` build a one-trial plan from their flags.

use super::alerts::AlertSet;
use super::recommend::{Constraint, Objective};
use crate::engine::size::Size;
use crate::engine::EngineConfig;
use crate::workload::PhaseSpec;
use serde::{Deserialize, Serialize};

/// `[data]`: the key space and values every phase uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Data {
    pub num: u64,
    pub key_size: usize,
    pub value_size: usize,
    pub compressibility: f64,
    /// fixed (every value value_size bytes), uniform or normal between the bounds below.
    pub value_size_distribution_type: crate::workload::ValueSizeDistribution,
    pub value_size_min: usize,
    pub value_size_max: usize,
    /// db_bench's keys_per_prefix and prefix_size (0: keys without a prefix).
    pub keys_per_prefix: u64,
    pub prefix_size: usize,
}

impl Default for Data {
    fn default() -> Self {
        Data {
            num: 1_000_000,
            key_size: 16,
            value_size: 100,
            compressibility: 0.5,
            value_size_distribution_type: crate::workload::ValueSizeDistribution::Fixed,
            value_size_min: 100,
            value_size_max: 102_400,
            keys_per_prefix: 0,
            prefix_size: 0,
        }
    }
}

/// `[run]`: how trials are repeated and measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunFile {
    pub repeats: usize,
    pub threads: usize,
    pub warmup_s: f64,
    pub seed: u64,
    pub wait_for_compaction: bool,
    /// `--quick` divides num, ops and durations by this.
    pub quick_scale: u64,
}

impl Default for RunFile {
    fn default() -> Self {
        RunFile {
            repeats: 3,
            threads: 1,
            warmup_s: 0.0,
            seed: 0x5EED,
            wait_for_compaction: true,
            quick_scale: 10,
        }
    }
}

/// One phase template; the trial's parameters fill in the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseTemplate {
    /// Metric prefix: the phase's `name`, else its workload (suffixed `#2`, `#3` on repeats).
    pub label: String,
    pub spec: PhaseSpec,
}

/// One point of the experiment: an engine config and workload parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    /// Stable id: the axis values (`compression=zstd,write_buffer_size=128MiB`) or the
    /// `[[trial]]` name.
    pub id: String,
    /// Axis name -> value as written, for tables.
    pub axes: Vec<(String, String)>,
    pub config: EngineConfig,
    pub phases: Vec<PhaseTemplate>,
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub source: String,
    pub data: Data,
    pub run: RunFile,
    pub objective: Option<Objective>,
    pub constraints: Vec<Constraint>,
    pub threshold_axis: Option<String>,
    pub threshold: f64,
    pub memory_budget: Option<Size>,
    /// Extra metrics for the summary table (`[report] columns`).
    #[serde(default)]
    pub columns: Vec<String>,
    /// `[alerts]`: thresholds judged on every second of every phase.
    #[serde(default)]
    pub alerts: AlertSet,
    pub axes: Vec<String>,
    pub trials: Vec<Trial>,
}

impl Scenario {
    /// A plan of one trial named `name` running `phases` in order with `config` (what
    /// `bench` and `ycsb` run). Phase labels are the workload names, suffixed `#2`, `#3` when
    /// a workload repeats.
    pub fn one_trial(name: &str, config: EngineConfig, phases: Vec<PhaseSpec>, seed: u64) -> Self {
        let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
        let phases = phases
            .into_iter()
            .map(|spec| {
                let base = spec.workload.name().to_string();
                let n = seen.entry(base.clone()).or_insert(0);
                *n += 1;
                PhaseTemplate {
                    label: if *n == 1 { base } else { format!("{base}#{n}") },
                    spec,
                }
            })
            .collect();
        Scenario {
            name: name.to_string(),
            description: String::new(),
            source: String::new(),
            data: Data::default(),
            run: RunFile {
                repeats: 1,
                seed,
                ..RunFile::default()
            },
            objective: None,
            constraints: Vec::new(),
            threshold_axis: None,
            threshold: 0.05,
            memory_budget: None,
            columns: Vec::new(),
            alerts: AlertSet::default(),
            axes: Vec::new(),
            trials: vec![Trial {
                id: name.to_string(),
                axes: Vec::new(),
                config,
                phases,
            }],
        }
    }

    /// The labels of the first trial's phases (every trial has the same phases).
    pub fn labels(&self) -> Vec<String> {
        self.trials
            .first()
            .map(|t| t.phases.iter().map(|p| p.label.clone()).collect())
            .unwrap_or_default()
    }
}
