//! Scenario files: a declarative experiment (base engine config, data, phases, a grid of
//! variations, repeats, an objective) parsed, validated and expanded into trials.
//! The format is documented key by key in docs/scenarios.md.

pub mod builtin;
pub mod run;

use crate::engine::size::Size;
use crate::engine::{EngineConfig, Preset};
use crate::error::{Error, Result};
use crate::runner::PhaseSpec;
use crate::tune::recommend::{known_metric, Constraint, Objective, PHASE_METRICS, TRIAL_METRICS};
use crate::workload::Workload;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use toml::Spanned;

/// Workload parameters a grid axis or a trial may vary (beside every engine key).
pub const PARAM_KEYS: &[&str] = &[
    "num",
    "key_size",
    "value_size",
    "compressibility",
    "threads",
    "batch_size",
    "batch_mode",
    "read_percent",
    "seek_nexts",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    engine: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    data: Data,
    #[serde(default)]
    phase: Vec<Spanned<PhaseFile>>,
    #[serde(default)]
    grid: BTreeMap<String, Spanned<Vec<toml::Value>>>,
    #[serde(default)]
    trial: Vec<Spanned<TrialFile>>,
    #[serde(default)]
    run: RunFile,
    recommend: Option<RecommendFile>,
    report: Option<ReportFile>,
    memory_budget: Option<Size>,
    /// `[alerts]`: `METRIC = "> VALUE"` entries and `sustain_s`.
    #[serde(default)]
    alerts: BTreeMap<String, Spanned<toml::Value>>,
    /// Gate files are scenario files with these tables (read by `crate::gate`).
    policy: Option<Spanned<toml::Value>>,
    check: Option<Spanned<toml::Value>>,
    candidate: Option<Spanned<toml::Value>>,
}

/// `[report]`: extra metrics shown in summary.md's table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportFile {
    #[serde(default)]
    columns: Vec<Spanned<String>>,
}

/// `[data]`: the key space and values every phase uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Data {
    pub num: u64,
    pub key_size: usize,
    pub value_size: usize,
    pub compressibility: f64,
}

impl Default for Data {
    fn default() -> Self {
        Data {
            num: 1_000_000,
            key_size: 16,
            value_size: 100,
            compressibility: 0.5,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhaseFile {
    workload: Spanned<String>,
    name: Option<String>,
    ops: Option<u64>,
    duration_s: Option<f64>,
    threads: Option<usize>,
    batch_size: Option<usize>,
    batch_mode: Option<crate::runner::BatchMode>,
    read_percent: Option<u32>,
    seek_nexts: Option<usize>,
    warmup_s: Option<f64>,
    /// ycsb-load / ycsb-run: the core workload (a..f).
    ycsb: Option<String>,
    /// ycsb-load / ycsb-run: YCSB properties on top of the core workload.
    #[serde(default)]
    properties: BTreeMap<String, toml::Value>,
    /// Pace the phase at this many ops/s over all threads (intended latency reported too).
    target_ops_per_sec: Option<f64>,
}

// No deny_unknown_fields: serde cannot combine it with flatten. Unknown keys in `set` are
// rejected when the trial is expanded, with the file and line.
#[derive(Debug, Deserialize)]
struct TrialFile {
    name: String,
    #[serde(flatten)]
    set: BTreeMap<String, toml::Value>,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecommendFile {
    objective: Spanned<String>,
    #[serde(default)]
    constraints: Vec<Spanned<String>>,
    /// Report the smallest value of this axis within `threshold` of the best objective.
    threshold_axis: Option<String>,
    #[serde(default = "default_threshold")]
    threshold: f64,
}

fn default_threshold() -> f64 {
    0.05
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
    pub alerts: crate::runner::live::AlertSet,
    pub axes: Vec<String>,
    pub trials: Vec<Trial>,
}

/// A trial before expansion: its name, the keys it sets, and where it was written.
type Point = (String, Vec<(String, toml::Value)>, usize);

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

impl Scenario {
    /// Parses and validates scenario text. `origin` names the file in errors
    /// (`file:line: key ...: problem`).
    pub fn parse(text: &str, origin: &str) -> Result<Scenario> {
        Self::parse_as(text, origin, false)
    }

    /// Parses a scenario that may carry gate tables (`[policy]`, `[[check]]`, `[candidate]`);
    /// `gate = false` rejects them.
    pub fn parse_as(text: &str, origin: &str, gate: bool) -> Result<Scenario> {
        let err_at = |offset: usize, key: &str, msg: String| {
            Error::usage(format!(
                "{origin}:{}: {key}: {}",
                line_of(text, offset),
                crate::engine::config::one_line(&msg)
            ))
        };
        let f: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            // Name the key written on that line, when there is one.
            let key = text
                .lines()
                .nth(line - 1)
                .and_then(|l| l.split_once('='))
                .map(|(k, _)| k.trim())
                .filter(|k| !k.is_empty() && !k.starts_with('['))
                .map_or(String::new(), |k| format!("{k}: "));
            Error::usage(format!(
                "{origin}:{line}: {key}{}",
                crate::engine::config::one_line(e.message())
            ))
        })?;

        if !gate {
            for (key, v) in [
                ("policy", &f.policy),
                ("check", &f.check),
                ("candidate", &f.candidate),
            ] {
                if let Some(v) = v {
                    return Err(err_at(
                        v.span().start,
                        key,
                        format!("[{key}] belongs in gate files: run this file with rdbtune gate --gate {origin}"),
                    ));
                }
            }
        }

        // Base engine config: preset + overrides.
        let mut config = EngineConfig::default();
        let mut overrides = toml::Table::new();
        for (k, v) in &f.engine {
            if k == "preset" {
                let name = v.get_ref().as_str().unwrap_or_default();
                config = name
                    .parse::<Preset>()
                    .map_err(|e| err_at(v.span().start, "engine.preset", e.to_string()))?
                    .config();
            }
        }
        for (k, v) in &f.engine {
            if k == "preset" {
                continue;
            }
            overrides.insert(k.clone(), v.get_ref().clone());
            config
                .check_key(k, v.get_ref())
                .map_err(|e| err_at(v.span().start, &format!("engine.{k}"), e.to_string()))?;
        }
        // Combinations (L0 trigger order, sync without WAL) are checked together; the error
        // points at the first key it names.
        config.merge_table(&overrides).map_err(|e| {
            let msg = e.to_string();
            let at = f
                .engine
                .iter()
                .find(|(k, _)| msg.contains(k.as_str()))
                .map_or(0, |(_, v)| v.span().start);
            err_at(at, "engine", msg)
        })?;

        if f.phase.is_empty() {
            return Err(Error::usage(format!(
                "{origin}: no [[phase]]: add at least one, e.g. [[phase]] workload = \"fillrandom\""
            )));
        }
        if f.run.repeats == 0 {
            return Err(Error::usage(format!(
                "{origin}: run.repeats must be at least 1"
            )));
        }

        // Phase templates.
        let mut templates = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (i, p) in f.phase.iter().enumerate() {
            let pf = p.get_ref();
            let w: Workload = pf.workload.get_ref().parse().map_err(|e: Error| {
                err_at(pf.workload.span().start, "phase.workload", e.to_string())
            })?;
            let mut spec = PhaseSpec::new(w, f.data.num);
            spec.key_size = f.data.key_size;
            spec.value_size = f.data.value_size;
            spec.compressibility = f.data.compressibility;
            spec.threads = pf.threads.unwrap_or(f.run.threads);
            spec.ops = pf.ops;
            spec.duration_s = pf.duration_s;
            if let Some(b) = pf.batch_size {
                spec.batch_size = b;
            }
            if let Some(m) = pf.batch_mode {
                spec.batch_mode = m;
            }
            if let Some(r) = pf.read_percent {
                if w != Workload::ReadRandomWriteRandom {
                    return Err(err_at(
                        pf.workload.span().start,
                        "phase.read_percent",
                        format!(
                            "has no effect on {w}: only readrandomwriterandom mixes reads and writes; remove it"
                        ),
                    ));
                }
                spec.read_percent = r;
            }
            if let Some(s) = pf.seek_nexts {
                if w != Workload::SeekRandom {
                    return Err(err_at(
                        pf.workload.span().start,
                        "phase.seek_nexts",
                        format!("has no effect on {w}: only seekrandom seeks; remove it"),
                    ));
                }
                spec.seek_nexts = s;
            }
            spec.warmup_s = pf.warmup_s.unwrap_or(f.run.warmup_s);
            spec.target_ops_per_sec = pf.target_ops_per_sec;
            let is_ycsb = matches!(w, Workload::YcsbLoad | Workload::YcsbRun);
            match (&pf.ycsb, is_ycsb) {
                (Some(name), true) => {
                    let mut y = crate::workload::ycsb::YcsbSpec::core(name)
                        .map_err(|e| err_at(p.span().start, "phase.ycsb", e.to_string()))?;
                    y.recordcount = f.data.num;
                    y.operationcount = pf.ops.unwrap_or(f.data.num);
                    for (k, v) in &pf.properties {
                        let text = match v {
                            toml::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        y.set(k, &text).map_err(|e| {
                            err_at(
                                p.span().start,
                                &format!("phase.properties.{k}"),
                                e.to_string(),
                            )
                        })?;
                    }
                    spec.ops = None;
                    spec.ycsb = Some(y);
                }
                (None, true) => {
                    return Err(err_at(
                        pf.workload.span().start,
                        "phase.ycsb",
                        format!("{w} needs ycsb = \"a\" (a..f): the YCSB core workload"),
                    ))
                }
                (Some(_), false) => {
                    return Err(err_at(
                        p.span().start,
                        "phase.ycsb",
                        format!("ycsb is only for ycsb-load and ycsb-run phases, not {w}"),
                    ))
                }
                (None, false) => {}
            }
            spec.seed = f
                .run
                .seed
                .wrapping_add((i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
            spec.validate()
                .map_err(|e| err_at(p.span().start, &format!("phase {}", i + 1), e.to_string()))?;
            let base = pf.name.clone().unwrap_or_else(|| w.name().to_string());
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let label = if *n == 1 { base } else { format!("{base}#{n}") };
            templates.push(PhaseTemplate { label, spec });
        }

        // Grid axes.
        let mut axes = Vec::new();
        for (k, v) in &f.grid {
            if v.get_ref().is_empty() {
                return Err(err_at(
                    v.span().start,
                    &format!("grid.{k}"),
                    "empty axis: list at least one value, e.g. [\"lz4\", \"zstd\"]".into(),
                ));
            }
            if !EngineConfig::KEYS.contains(&k.as_str()) && !PARAM_KEYS.contains(&k.as_str()) {
                return Err(err_at(
                    v.span().start,
                    &format!("grid.{k}"),
                    format!(
                        "unknown axis {k:?}: use an engine key ({}) or a workload parameter ({})",
                        EngineConfig::KEYS.join(", "),
                        PARAM_KEYS.join(", ")
                    ),
                ));
            }
            axes.push(k.clone());
        }

        // Trials: the cartesian product of the grid, or the explicit list (each crossed
        // with the grid when both are given).
        let mut points: Vec<Point> = vec![(String::new(), Vec::new(), 0)];
        if !f.trial.is_empty() {
            points = f
                .trial
                .iter()
                .map(|t| {
                    let tf = t.get_ref();
                    (
                        tf.name.clone(),
                        tf.set.clone().into_iter().collect(),
                        t.span().start,
                    )
                })
                .collect();
        }
        for (k, v) in &f.grid {
            let mut next = Vec::new();
            for (name, set, at) in &points {
                for val in v.get_ref() {
                    let mut s = set.clone();
                    s.push((k.clone(), val.clone()));
                    next.push((name.clone(), s, v.span().start.max(*at)));
                }
            }
            points = next;
        }
        let mut trials = Vec::new();
        for (name, set, at) in points {
            let axes_txt: Vec<(String, String)> = set
                .iter()
                .map(|(k, v)| (k.clone(), value_text(v)))
                .collect();
            let grid_id = axes_txt
                .iter()
                .filter(|(k, _)| f.grid.contains_key(k))
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            let id = match (name.is_empty(), grid_id.is_empty()) {
                (true, true) => "base".to_string(),
                (true, false) => grid_id,
                (false, true) => name.clone(),
                (false, false) => format!("{name},{grid_id}"),
            };
            let mut cfg = config.clone();
            let mut eng = toml::Table::new();
            let mut phases = templates.clone();
            for (k, v) in &set {
                if EngineConfig::KEYS.contains(&k.as_str()) {
                    eng.insert(k.clone(), v.clone());
                } else if PARAM_KEYS.contains(&k.as_str()) {
                    for p in &mut phases {
                        apply_param(&mut p.spec, k, v)
                            .map_err(|e| err_at(at, &format!("trial {id}: {k}"), e))?;
                    }
                } else {
                    return Err(err_at(
                        at,
                        &format!("trial {id}"),
                        format!(
                            "unknown key {k:?}: use an engine key or a workload parameter ({})",
                            PARAM_KEYS.join(", ")
                        ),
                    ));
                }
            }
            cfg.merge_table(&eng)
                .map_err(|e| err_at(at, &format!("trial {id}"), e.to_string()))?;
            for p in &phases {
                p.spec
                    .validate()
                    .map_err(|e| err_at(at, &format!("trial {id}"), e.to_string()))?;
            }
            let axes = if name.is_empty() {
                axes_txt
            } else {
                let mut a = vec![("trial".to_string(), name.clone())];
                a.extend(axes_txt.into_iter().filter(|(k, _)| f.grid.contains_key(k)));
                a
            };
            trials.push(Trial {
                id,
                axes,
                config: cfg,
                phases,
            });
        }
        let mut ids: Vec<&str> = trials.iter().map(|t| t.id.as_str()).collect();
        ids.sort();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::usage(format!(
                "{origin}: two trials share the id {:?}: give each [[trial]] a distinct name",
                w[0]
            )));
        }

        let labels: Vec<String> = templates.iter().map(|t| t.label.clone()).collect();
        let check = |metric: &str, at: usize, key: &str| -> Result<()> {
            if known_metric(&labels, metric) {
                Ok(())
            } else {
                Err(err_at(
                    at,
                    key,
                    format!(
                        "unknown metric {metric:?}: use <phase>.<metric> with a phase of this file ({}) and one of {}, or one of {}",
                        labels.join(", "),
                        PHASE_METRICS.join(", "),
                        TRIAL_METRICS.join(", ")
                    ),
                ))
            }
        };
        let mut columns = Vec::new();
        if let Some(r) = &f.report {
            for c in &r.columns {
                check(c.get_ref(), c.span().start, "report.columns")?;
                columns.push(c.get_ref().clone());
            }
        }
        let (objective, constraints, threshold_axis, threshold) = match &f.recommend {
            None => (None, Vec::new(), None, 0.05),
            Some(r) => {
                let o: Objective = r.objective.get_ref().parse().map_err(|e: Error| {
                    err_at(
                        r.objective.span().start,
                        "recommend.objective",
                        e.to_string(),
                    )
                })?;
                let cs = r
                    .constraints
                    .iter()
                    .map(|c| {
                        c.get_ref().parse::<Constraint>().map_err(|e| {
                            err_at(c.span().start, "recommend.constraints", e.to_string())
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                check(&o.metric, r.objective.span().start, "recommend.objective")?;
                for (c, sp) in cs.iter().zip(&r.constraints) {
                    check(&c.metric, sp.span().start, "recommend.constraints")?;
                }
                if let Some(a) = &r.threshold_axis {
                    if !f.grid.contains_key(a) {
                        return Err(Error::usage(format!(
                            "{origin}: recommend.threshold_axis {a:?} is not a grid axis ({})",
                            axes.join(", ")
                        )));
                    }
                }
                (Some(o), cs, r.threshold_axis.clone(), r.threshold)
            }
        };

        let mut alerts = crate::runner::live::AlertSet::default();
        for (k, v) in &f.alerts {
            let at = v.span().start;
            if k == "sustain_s" {
                alerts.sustain_s = v
                    .get_ref()
                    .as_integer()
                    .filter(|n| (1..=86_400).contains(n))
                    .ok_or_else(|| {
                        err_at(
                            at,
                            "alerts.sustain_s",
                            "expected whole seconds >= 1, e.g. sustain_s = 3".into(),
                        )
                    })? as u32;
                continue;
            }
            let cond = v.get_ref().as_str().ok_or_else(|| {
                err_at(
                    at,
                    &format!("alerts.{k}"),
                    format!("expected a condition in quotes, e.g. {k} = \"> 10000\""),
                )
            })?;
            let rule = crate::runner::live::AlertRule::from_parts(k, cond, &format!("alerts.{k}"))
                .map_err(|e| Error::usage(format!("{origin}:{}: {e}", line_of(text, at))))?;
            alerts.rules.push(rule);
        }
        Ok(Scenario {
            alerts,
            name: f.name,
            description: f.description,
            source: text.to_string(),
            data: f.data,
            run: f.run,
            objective,
            constraints,
            threshold_axis,
            threshold,
            memory_budget: f.memory_budget,
            columns,
            axes,
            trials,
        })
    }

    /// Reads and parses a scenario file.
    pub fn load(path: &std::path::Path) -> Result<Scenario> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::usage(format!(
                "{}: cannot read scenario file: {e}",
                path.display()
            ))
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Scales data and run length down for a smoke run (`--quick`).
    pub fn quick(&mut self) {
        let s = self.run.quick_scale.max(1);
        self.run.repeats = self.run.repeats.min(3);
        for t in &mut self.trials {
            for p in &mut t.phases {
                p.spec.num = (p.spec.num / s).max(1000);
                p.spec.ops = p.spec.ops.map(|o| (o / s).max(1000));
                p.spec.duration_s = p.spec.duration_s.map(|d| (d / s as f64).max(1.0));
                p.spec.warmup_s /= s as f64;
                if let Some(y) = &mut p.spec.ycsb {
                    y.recordcount = (y.recordcount / s).max(1000);
                    y.operationcount = (y.operationcount / s).max(1000);
                }
                if p.spec.batch_size as u64 > p.spec.num {
                    p.spec.batch_size = p.spec.num as usize;
                }
            }
        }
    }
}

/// Sets one workload parameter on a phase.
fn apply_param(
    spec: &mut PhaseSpec,
    key: &str,
    v: &toml::Value,
) -> std::result::Result<(), String> {
    let int = || {
        v.as_integer()
            .filter(|i| *i >= 0)
            .map(|i| i as u64)
            .ok_or_else(|| format!("expected a non-negative integer, got {v}"))
    };
    match key {
        "num" => spec.num = int()?,
        "key_size" => spec.key_size = int()? as usize,
        "value_size" => spec.value_size = int()? as usize,
        "threads" => spec.threads = int()? as usize,
        "batch_size" => {
            if spec.workload.writes() {
                spec.batch_size = int()? as usize
            }
        }
        "read_percent" => spec.read_percent = int()? as u32,
        "seek_nexts" => spec.seek_nexts = int()? as usize,
        "compressibility" => {
            spec.compressibility = v
                .as_float()
                .or_else(|| v.as_integer().map(|i| i as f64))
                .ok_or_else(|| format!("expected a number, got {v}"))?
        }
        "batch_mode" => {
            if spec.workload.writes() {
                spec.batch_mode = v
                    .clone()
                    .try_into()
                    .map_err(|e: toml::de::Error| e.message().to_string())?
            }
        }
        _ => return Err(format!("unknown parameter {key:?}")),
    }
    Ok(())
}
