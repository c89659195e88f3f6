//! Parsing a scenario file: TOML into a validated [`Scenario`]. Every error names the file,
//! the line and the key (`file:line: key: problem`).

use super::expand::{axes, expand};
use crate::engine::config::one_line;
use crate::engine::size::Size;
use crate::engine::{EngineConfig, Preset};
use crate::error::{Error, Result};
use crate::metrics::{self, Scope};
use crate::model::alerts::{AlertRule, AlertSet};
use crate::model::{Constraint, Data, Objective, PhaseTemplate, RunFile, Scenario};
use crate::workload::ycsb::YcsbSpec;
use crate::workload::{BatchMode, PhaseSpec, Workload};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    pub(super) name: String,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) engine: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    pub(super) data: Data,
    #[serde(default)]
    pub(super) phase: Vec<Spanned<PhaseFile>>,
    #[serde(default)]
    pub(super) grid: BTreeMap<String, Spanned<Vec<toml::Value>>>,
    #[serde(default)]
    pub(super) trial: Vec<Spanned<TrialFile>>,
    #[serde(default)]
    pub(super) run: RunFile,
    pub(super) recommend: Option<RecommendFile>,
    pub(super) report: Option<ReportFile>,
    pub(super) memory_budget: Option<Size>,
    /// `[alerts]`: `METRIC = "> VALUE"` entries and `sustain_s`.
    #[serde(default)]
    pub(super) alerts: BTreeMap<String, Spanned<toml::Value>>,
    /// Gate files are scenario files with these tables (read by `crate::gate`).
    pub(super) policy: Option<Spanned<toml::Value>>,
    pub(super) check: Option<Spanned<toml::Value>>,
    pub(super) candidate: Option<Spanned<toml::Value>>,
    /// `[[column_family]]`: named families, their shares of the keys and the ops.
    #[serde(default)]
    pub(super) column_family: Vec<Spanned<FamilyFile>>,
}

/// One `[[column_family]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FamilyFile {
    pub(super) name: String,
    /// Fraction of the key space stored in this family (the families' shares add up to 1).
    pub(super) share_of_keys: f64,
    /// Fraction of the ops that go to this family (adding up to 1).
    pub(super) share_of_ops: f64,
    /// Engine keys that differ for this family (`[column_family.engine]`).
    #[serde(default)]
    pub(super) engine: toml::Table,
}

/// `[report]`: extra metrics shown in summary.md's table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReportFile {
    #[serde(default)]
    pub(super) columns: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PhaseFile {
    pub(super) workload: Spanned<String>,
    pub(super) name: Option<String>,
    pub(super) ops: Option<u64>,
    pub(super) duration_s: Option<f64>,
    pub(super) threads: Option<usize>,
    pub(super) batch_size: Option<usize>,
    pub(super) batch_mode: Option<BatchMode>,
    pub(super) read_percent: Option<u32>,
    pub(super) seek_nexts: Option<usize>,
    pub(super) merge_percent: Option<u32>,
    pub(super) read_random_exp_range: Option<f64>,
    pub(super) warmup_s: Option<f64>,
    /// ycsb-load / ycsb-run: the core workload (a..f).
    pub(super) ycsb: Option<String>,
    /// ycsb-load / ycsb-run: YCSB properties on top of the core workload.
    #[serde(default)]
    pub(super) properties: BTreeMap<String, toml::Value>,
    /// Pace the phase at this many ops/s over all threads (intended latency reported too).
    pub(super) target_ops_per_sec: Option<f64>,
    /// Run the phase on this `[[column_family]]` only (all of its ops, its keys).
    pub(super) column_family: Option<Spanned<String>>,
    /// This phase's key space instead of `[data] num` (db_bench's --num for one command).
    pub(super) num: Option<u64>,
    /// Write without the WAL (true) or with it (false) in this phase only.
    pub(super) disable_wal: Option<bool>,
    /// Pace the phase's writes at this many bytes/s ("2MiB" or a number).
    pub(super) write_rate_limit: Option<crate::engine::Size>,
    /// Wait for compactions after this phase (true) or not (false), whatever `[run]` says.
    pub(super) wait_for_compaction: Option<bool>,
    /// mixgraph: `[phase.mixgraph]`, db_bench's flag names (defaults for what is left out).
    pub(super) mixgraph: Option<crate::workload::mixgraph::MixGraphSpec>,
}

// No deny_unknown_fields: serde cannot combine it with flatten. Unknown keys in `set` are
// rejected when the trial is expanded, with the file and line.
#[derive(Debug, Deserialize)]
pub(super) struct TrialFile {
    pub(super) name: String,
    #[serde(flatten)]
    pub(super) set: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RecommendFile {
    pub(super) objective: Spanned<String>,
    #[serde(default)]
    pub(super) constraints: Vec<Spanned<String>>,
    /// Report the smallest value of this axis within `threshold` of the best objective.
    pub(super) threshold_axis: Option<String>,
    #[serde(default = "default_threshold")]
    pub(super) threshold: f64,
}

fn default_threshold() -> f64 {
    0.05
}

/// 1-based line of a byte offset.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// The text being parsed, for errors that point into it.
pub(super) struct Source<'a> {
    pub text: &'a str,
    pub origin: &'a str,
}

impl Source<'_> {
    /// `origin:line: key: msg` for the byte offset `at`.
    pub fn err(&self, at: usize, key: &str, msg: impl AsRef<str>) -> Error {
        Error::usage(format!(
            "{}:{}: {key}: {}",
            self.origin,
            line_of(self.text, at),
            one_line(msg.as_ref())
        ))
    }

    /// A TOML error with its line and, when the line writes one, the key.
    fn toml_err(&self, e: toml::de::Error) -> Error {
        let line = e.span().map_or(1, |s| line_of(self.text, s.start));
        let key = self
            .text
            .lines()
            .nth(line - 1)
            .and_then(|l| l.split_once('='))
            .map(|(k, _)| k.trim())
            .filter(|k| !k.is_empty() && !k.starts_with('['))
            .map_or(String::new(), |k| format!("{k}: "));
        Error::usage(format!(
            "{}:{line}: {key}{}",
            self.origin,
            one_line(e.message())
        ))
    }
}

/// Parses and validates scenario text; `gate` allows the gate tables.
pub(super) fn parse(
    text: &str,
    origin: &str,
    gate: bool,
    base: Option<EngineConfig>,
) -> Result<Scenario> {
    let src = Source { text, origin };
    let f: File = toml::from_str(text).map_err(|e| src.toml_err(e))?;
    if !gate {
        reject_gate_tables(&src, &f)?;
    }
    let config = engine_config(&src, &f.engine, base)?;
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
    super::families::check(&src, &f)?;
    let templates = phases(&src, &f)?;
    let axes = axes(&src, &f.grid)?;
    let trials = expand(&src, &f, &config, &templates)?;
    let labels: Vec<String> = templates.iter().map(|t| t.label.clone()).collect();
    let columns = f
        .report
        .as_ref()
        .map(|r| {
            r.columns
                .iter()
                .map(|c| {
                    check_metric(&src, &labels, c.get_ref(), c.span().start, "report.columns")
                        .map(|_| c.get_ref().clone())
                })
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    let rec = recommend(&src, &f, &labels, &axes)?;
    Ok(Scenario {
        alerts: alerts(&src, &f.alerts)?,
        name: f.name,
        description: f.description,
        source: text.to_string(),
        data: f.data,
        run: f.run,
        objective: rec.objective,
        constraints: rec.constraints,
        threshold_axis: rec.threshold_axis,
        threshold: rec.threshold,
        memory_budget: f.memory_budget,
        columns,
        axes,
        trials,
    })
}

fn reject_gate_tables(src: &Source, f: &File) -> Result<()> {
    for (key, v) in [
        ("policy", &f.policy),
        ("check", &f.check),
        ("candidate", &f.candidate),
    ] {
        if let Some(v) = v {
            return Err(src.err(
                v.span().start,
                key,
                format!(
                    "[{key}] belongs in gate files: run this file with rdbtune gate --gate {}",
                    src.origin
                ),
            ));
        }
    }
    Ok(())
}

/// `[engine]`: a preset plus overrides, each key checked where it is written, then the
/// combinations (L0 trigger order, sync without WAL) together.
fn engine_config(
    src: &Source,
    engine: &BTreeMap<String, Spanned<toml::Value>>,
    base: Option<EngineConfig>,
) -> Result<EngineConfig> {
    let from_cli = base.is_some();
    let mut config = base.unwrap_or_default();
    if let (Some(v), true) = (engine.get("preset"), from_cli) {
        eprintln!(
            "warning: {}:{}: engine.preset is replaced by the OPTIONS file given on the command line",
            src.origin,
            line_of(src.text, v.span().start)
        );
    } else if let Some(v) = engine.get("preset") {
        let name = v.get_ref().as_str().unwrap_or_default();
        config = name
            .parse::<Preset>()
            .map_err(|e| src.err(v.span().start, "engine.preset", e.to_string()))?
            .config();
    }
    let mut overrides = toml::Table::new();
    for (k, v) in engine.iter().filter(|(k, _)| *k != "preset") {
        let mut v = v.clone();
        if k == "options_file" {
            // Relative to the scenario file, as a reader of the file expects.
            if let (Some(p), Some(dir)) = (v.get_ref().as_str(), Path::new(src.origin).parent()) {
                let joined = dir.join(p).display().to_string();
                v = Spanned::new(v.span(), toml::Value::String(joined));
            }
        }
        overrides.insert(k.clone(), v.get_ref().clone());
        config
            .check_key(k, v.get_ref())
            .map_err(|e| src.err(v.span().start, &format!("engine.{k}"), e.to_string()))?;
    }
    // The error of a combination points at the first key it names.
    config.merge_table(&overrides).map_err(|e| {
        let msg = e.to_string();
        let at = engine
            .iter()
            .find(|(k, _)| msg.contains(k.as_str()))
            .map_or(0, |(_, v)| v.span().start);
        src.err(at, "engine", msg)
    })?;
    Ok(config)
}

/// The phase templates, labelled by name or workload (`#2`, `#3` on repeats).
fn phases(src: &Source, f: &File) -> Result<Vec<PhaseTemplate>> {
    let mut templates = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, p) in f.phase.iter().enumerate() {
        let spec = phase_spec(src, f, i, p)?;
        let base = p
            .get_ref()
            .name
            .clone()
            .unwrap_or_else(|| spec.workload.name().to_string());
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        let label = if *n == 1 { base } else { format!("{base}#{n}") };
        templates.push(PhaseTemplate { label, spec });
    }
    Ok(templates)
}

/// One `[[phase]]` over the file's `[data]` and `[run]`.
fn phase_spec(src: &Source, f: &File, i: usize, p: &Spanned<PhaseFile>) -> Result<PhaseSpec> {
    let pf = p.get_ref();
    let at_w = pf.workload.span().start;
    let w: Workload = pf
        .workload
        .get_ref()
        .parse()
        .map_err(|e: Error| src.err(at_w, "phase.workload", e.to_string()))?;
    let mut spec = PhaseSpec::new(w, pf.num.unwrap_or(f.data.num));
    spec.disable_wal = pf.disable_wal;
    spec.write_rate_limit = pf.write_rate_limit.map(|s| s.0);
    spec.wait_for_compaction = pf.wait_for_compaction;
    if let Some(m) = &pf.mixgraph {
        if w != Workload::MixGraph {
            return Err(src.err(
                at_w,
                "phase.mixgraph",
                format!("has no effect on {w}: only the mixgraph workload reads it; remove it"),
            ));
        }
        spec.mixgraph = Some(m.clone());
    }
    spec.key_size = f.data.key_size;
    spec.value_size = f.data.value_size;
    spec.compressibility = f.data.compressibility;
    spec.value_size_distribution = f.data.value_size_distribution_type;
    spec.value_size_min = f.data.value_size_min;
    spec.value_size_max = f.data.value_size_max;
    spec.keys_per_prefix = f.data.keys_per_prefix;
    spec.prefix_size = f.data.prefix_size;
    if let Some(r) = pf.read_random_exp_range {
        if !matches!(w, Workload::ReadRandom | Workload::MultiReadRandom) {
            return Err(src.err(
                at_w,
                "phase.read_random_exp_range",
                format!("has no effect on {w}: only readrandom and multireadrandom skew their keys this way (as db_bench); remove it"),
            ));
        }
        spec.read_random_exp_range = r;
    }
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
            return Err(src.err(
                at_w,
                "phase.read_percent",
                format!("has no effect on {w}: only readrandomwriterandom mixes reads and writes; remove it"),
            ));
        }
        spec.read_percent = r;
    }
    if let Some(s) = pf.seek_nexts {
        if !w.seeks() {
            return Err(src.err(
                at_w,
                "phase.seek_nexts",
                format!("has no effect on {w}: only the seek workloads (seekrandom, fwdrange, revrange and their whilewriting forms) seek; remove it"),
            ));
        }
        spec.seek_nexts = s;
    }
    if let Some(m) = pf.merge_percent {
        if w != Workload::ReadRandomMergeRandom {
            return Err(src.err(
                at_w,
                "phase.merge_percent",
                format!("has no effect on {w}: only readrandommergerandom mixes merges and reads; remove it"),
            ));
        }
        spec.merge_percent = m;
    }
    spec.warmup_s = pf.warmup_s.unwrap_or(f.run.warmup_s);
    spec.target_ops_per_sec = pf.target_ops_per_sec;
    spec.ycsb = ycsb(src, f, p, w)?;
    if spec.ycsb.is_some() {
        spec.ops = None;
    }
    spec.seed = f
        .run
        .seed
        .wrapping_add((i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    spec.validate()
        .map_err(|e| src.err(p.span().start, &format!("phase {}", i + 1), e.to_string()))?;
    Ok(spec)
}

/// The YCSB workload of a ycsb-load / ycsb-run phase (and none for other workloads).
fn ycsb(src: &Source, f: &File, p: &Spanned<PhaseFile>, w: Workload) -> Result<Option<YcsbSpec>> {
    let pf = p.get_ref();
    let is_ycsb = matches!(w, Workload::YcsbLoad | Workload::YcsbRun);
    match (&pf.ycsb, is_ycsb) {
        (Some(name), true) => {
            let mut y = YcsbSpec::core(name)
                .map_err(|e| src.err(p.span().start, "phase.ycsb", e.to_string()))?;
            y.recordcount = f.data.num;
            y.operationcount = pf.ops.unwrap_or(f.data.num);
            for (k, v) in &pf.properties {
                let text = match v {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                y.set(k, &text).map_err(|e| {
                    src.err(
                        p.span().start,
                        &format!("phase.properties.{k}"),
                        e.to_string(),
                    )
                })?;
            }
            // The phase's own keys say these in a scenario.
            for (k, set, instead) in [
                ("threadcount", y.threadcount.is_some(), "threads"),
                ("target", y.target.is_some(), "target_ops_per_sec"),
                (
                    "maxexecutiontime",
                    y.maxexecutiontime.is_some(),
                    "duration_s",
                ),
            ] {
                if set {
                    return Err(src.err(
                        p.span().start,
                        &format!("phase.properties.{k}"),
                        format!("in a scenario, give the phase's {instead} instead of the YCSB property {k}"),
                    ));
                }
            }
            // What a scenario says elsewhere.
            for (k, set, instead) in [
                (
                    "table",
                    y.table != "usertable",
                    "[[column_family]] and its share_of_keys",
                ),
                (
                    "rocksdb.optionsfile",
                    y.rocksdb_optionsfile.is_some(),
                    "options_file in [engine]",
                ),
                ("rocksdb.dir", y.rocksdb_dir.is_some(), "--db"),
                (
                    "exportfile",
                    y.measure.exportfile.is_some(),
                    "the run folder (results.json keeps each phase's YCSB measurements)",
                ),
                (
                    "status.interval",
                    y.status_interval.is_some(),
                    "--status-interval",
                ),
            ] {
                if set {
                    return Err(src.err(
                        p.span().start,
                        &format!("phase.properties.{k}"),
                        format!("in a scenario, use {instead} instead of the YCSB property {k}"),
                    ));
                }
            }
            let dir = Path::new(src.origin).parent().unwrap_or(Path::new("."));
            y.load_files(dir).map_err(|e| {
                src.err(
                    p.span().start,
                    "phase.properties.fieldlengthhistogram",
                    e.to_string(),
                )
            })?;
            // A scenario is checked strictly: a property no part of YCSB reads is an error.
            if let Some(k) = y.unknown.first() {
                let hint = crate::workload::ycsb::spec::nearest_property(k)
                    .map_or(String::new(), |n| format!("; did you mean {n}?"));
                return Err(src.err(
                    p.span().start,
                    &format!("phase.properties.{k}"),
                    format!("{k:?} is read by no part of YCSB (docs/ycsb.md lists the properties){hint}"),
                ));
            }
            Ok(Some(y))
        }
        (None, true) => Err(src.err(
            pf.workload.span().start,
            "phase.ycsb",
            format!("{w} needs ycsb = \"a\" (a..f): the YCSB core workload"),
        )),
        (Some(_), false) => Err(src.err(
            p.span().start,
            "phase.ycsb",
            format!("ycsb is only for ycsb-load and ycsb-run phases, not {w}"),
        )),
        (None, false) => Ok(None),
    }
}

/// A metric an objective, constraint or report column names must be one the phases produce.
fn check_metric(src: &Source, labels: &[String], metric: &str, at: usize, key: &str) -> Result<()> {
    if metrics::known(labels, metric) {
        return Ok(());
    }
    Err(src.err(
        at,
        key,
        format!(
            "unknown metric {metric:?}: use <phase>.<metric> with a phase of this file ({}) and one of {}, or one of {}",
            labels.join(", "),
            metrics::names(Scope::Phase).join(", "),
            metrics::names(Scope::Trial).join(", ")
        ),
    ))
}

/// `[recommend]`, checked against the phases and axes.
struct Recommend {
    objective: Option<Objective>,
    constraints: Vec<Constraint>,
    threshold_axis: Option<String>,
    threshold: f64,
}

fn recommend(src: &Source, f: &File, labels: &[String], axes: &[String]) -> Result<Recommend> {
    let Some(r) = &f.recommend else {
        return Ok(Recommend {
            objective: None,
            constraints: Vec::new(),
            threshold_axis: None,
            threshold: 0.05,
        });
    };
    let at_o = r.objective.span().start;
    let o: Objective = r
        .objective
        .get_ref()
        .parse()
        .map_err(|e: Error| src.err(at_o, "recommend.objective", e.to_string()))?;
    check_metric(src, labels, &o.metric, at_o, "recommend.objective")?;
    let mut constraints = Vec::new();
    for c in &r.constraints {
        let at = c.span().start;
        let parsed = c
            .get_ref()
            .parse::<Constraint>()
            .map_err(|e| src.err(at, "recommend.constraints", e.to_string()))?;
        check_metric(src, labels, &parsed.metric, at, "recommend.constraints")?;
        constraints.push(parsed);
    }
    if let Some(a) = &r.threshold_axis {
        if !f.grid.contains_key(a) {
            return Err(Error::usage(format!(
                "{}: recommend.threshold_axis {a:?} is not a grid axis ({})",
                src.origin,
                axes.join(", ")
            )));
        }
    }
    Ok(Recommend {
        objective: Some(o),
        constraints,
        threshold_axis: r.threshold_axis.clone(),
        threshold: r.threshold,
    })
}

/// `[alerts]`: `METRIC = "> VALUE"` entries and `sustain_s`.
fn alerts(src: &Source, table: &BTreeMap<String, Spanned<toml::Value>>) -> Result<AlertSet> {
    let mut alerts = AlertSet::default();
    for (k, v) in table {
        let at = v.span().start;
        if k == "sustain_s" {
            alerts.sustain_s = v
                .get_ref()
                .as_integer()
                .filter(|n| (1..=86_400).contains(n))
                .ok_or_else(|| {
                    src.err(
                        at,
                        "alerts.sustain_s",
                        "expected whole seconds >= 1, e.g. sustain_s = 3",
                    )
                })? as u32;
            continue;
        }
        let cond = v.get_ref().as_str().ok_or_else(|| {
            src.err(
                at,
                &format!("alerts.{k}"),
                format!("expected a condition in quotes, e.g. {k} = \"> 10000\""),
            )
        })?;
        let rule = AlertRule::from_parts(k, cond, &format!("alerts.{k}"))
            .map_err(|e| Error::usage(format!("{}:{}: {e}", src.origin, line_of(src.text, at))))?;
        alerts.rules.push(rule);
    }
    Ok(alerts)
}
