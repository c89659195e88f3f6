//! `rdbtune gate`: fail a build when RocksDB performance misses a target or regresses,
//! without crying wolf on a noisy machine.
//!
//! A gate file is a scenario file (the workload to measure) with three more tables:
//! `[policy]` (runs, noise floor, confidence, confirmation), `[[check]]` (metric, direction,
//! absolute limits, regression limit) and optionally `[candidate]` (engine keys that make the
//! candidate differ from the baseline, measured paired and interleaved in the same job).
//! Instead of inline phases it may name `scenario = "FILE"`, or `results = "results.json"`
//! to check a finished run without running anything. See docs/ci.md.

pub mod judge;
pub mod output;

use crate::engine::EngineConfig;
use crate::error::{Error, Result};
use crate::runner::{AfterWrite, Progress};
use crate::scenario::run::{run_metrics, run_trial_once, ScenarioResult};
use crate::scenario::{Scenario, Trial};
use crate::signals;
use crate::sysmon::Machine;
use judge::{judge, Better, Judgement, Limits, Stats, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    metric: String,
    better: Option<Better>,
    min: Option<f64>,
    max: Option<f64>,
    max_regression: Option<f64>,
    /// Shown in reports instead of the metric name.
    name: Option<String>,
}

/// One `[[check]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub metric: String,
    pub limits: Limits,
}

/// The keys a gate file adds to a scenario file.
#[derive(Debug, Deserialize)]
struct GateTables {
    name: Option<String>,
    scenario: Option<Spanned<String>>,
    results: Option<Spanned<String>>,
    #[serde(default)]
    policy: Option<Spanned<Policy>>,
    #[serde(default)]
    check: Vec<Spanned<CheckFile>>,
    candidate: Option<Spanned<toml::Table>>,
}

/// The whole of a gate file that names its scenario or results file: only the gate's keys
/// (an inline gate's other keys are the scenario parser's to check).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // parsed for the key check only
struct GateOnly {
    name: Option<toml::Value>,
    description: Option<toml::Value>,
    scenario: Option<toml::Value>,
    results: Option<toml::Value>,
    policy: Option<toml::Value>,
    check: Option<toml::Value>,
    candidate: Option<toml::Value>,
}

/// What the gate measures, or reads.
#[derive(Debug, Clone)]
pub enum Source {
    Scenario(Box<Scenario>),
    Results(PathBuf),
}

/// A parsed gate file.
#[derive(Debug, Clone)]
pub struct GateFile {
    pub name: String,
    pub path: PathBuf,
    pub source: Source,
    pub policy: Policy,
    pub checks: Vec<Check>,
    /// Engine overrides of the candidate (paired mode).
    pub candidate: Option<toml::Table>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A metric value with its unit, e.g. `231000 ops/s`, `12.30 µs`, `0.42 s`, `2.10x`.
pub fn show_metric(metric: &str, v: f64) -> String {
    let base = crate::tune::recommend::fmt_metric(metric, v);
    let m = metric.rsplit('.').next().unwrap_or(metric);
    let unit = if m == "ops_per_sec" {
        " ops/s"
    } else if m == "mb_per_sec" {
        " MiB/s"
    } else if m.ends_with("_us") {
        " µs"
    } else if m.ends_with("_s") {
        " s"
    } else if m.ends_with("_percent") {
        "%"
    } else if m.ends_with("_mib_per_h") {
        " MiB/h"
    } else {
        ""
    };
    format!("{base}{unit}")
}

/// Lower-is-better metrics by name; everything else is higher-is-better.
fn default_better(metric: &str) -> Better {
    let m = metric.rsplit('.').next().unwrap_or(metric);
    let lower = m.ends_with("_us")
        || m.ends_with("_s")
        || m.ends_with("_bytes")
        || m.contains("stall")
        || m.contains("amplification")
        || m == "flushes"
        || m == "compactions"
        || m == "flushes_per_min"
        || m == "rss_slope_mib_per_h";
    if lower {
        Better::Lower
    } else {
        Better::Higher
    }
}

impl GateFile {
    pub fn load(path: &Path) -> Result<GateFile> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::usage(format!(
                "--gate {}: cannot read the gate file: {e}",
                path.display()
            ))
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<GateFile> {
        let origin = path.display().to_string();
        let at = |offset: usize, key: &str, msg: String| {
            Error::usage(format!("{origin}:{}: {key}: {msg}", line_of(text, offset)))
        };
        let g: GateTables = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            Error::usage(format!(
                "{origin}:{line}: {}",
                crate::engine::config::one_line(e.message())
            ))
        })?;
        if g.scenario.is_some() || g.results.is_some() {
            // The scenario parser rejects unknown keys of an inline gate; a gate that points
            // at a scenario or a results file has only the gate's own keys, so a typo such as
            // [polcy] must not pass as "no policy".
            toml::from_str::<GateOnly>(text).map_err(|e| {
                let line = e.span().map_or(1, |s| line_of(text, s.start));
                Error::usage(format!(
                    "{origin}:{line}: {} (a gate that names its scenario or results holds only the gate's keys)",
                    crate::engine::config::one_line(e.message())
                ))
            })?;
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let source = match (&g.scenario, &g.results) {
            (Some(_), Some(r)) => {
                return Err(at(
                    r.span().start,
                    "results",
                    "give either scenario = FILE or results = FILE, not both".into(),
                ))
            }
            (Some(s), None) => {
                let p = dir.join(s.get_ref());
                let mut scn = Scenario::load(&p)
                    .map_err(|e| at(s.span().start, "scenario", e.to_string()))?;
                if let Some(n) = &g.name {
                    scn.name = n.clone();
                }
                Source::Scenario(Box::new(scn))
            }
            (None, Some(r)) => Source::Results(dir.join(r.get_ref())),
            (None, None) => Source::Scenario(Box::new(Scenario::parse_as(text, &origin, true)?)),
        };
        let name = match (&g.name, &source) {
            (Some(n), _) => n.clone(),
            (None, Source::Scenario(s)) => s.name.clone(),
            (None, Source::Results(_)) => {
                return Err(Error::usage(format!(
                    "{origin}: name = \"...\" is required (it names the gate in every report)"
                )))
            }
        };
        let policy = g
            .policy
            .as_ref()
            .map(|p| p.get_ref().clone())
            .unwrap_or_default();
        let pat = g.policy.as_ref().map_or(0, |p| p.span().start);
        if policy.runs == 0 {
            return Err(at(pat, "policy.runs", "must be at least 1".into()));
        }
        if policy.max_runs < policy.runs {
            return Err(at(
                pat,
                "policy.max_runs",
                format!("{} is below runs = {}", policy.max_runs, policy.runs),
            ));
        }
        if !(0.0..1.0).contains(&policy.noise_floor) {
            return Err(at(
                pat,
                "policy.noise_floor",
                format!(
                    "{} must be a fraction in [0, 1), e.g. 0.02",
                    policy.noise_floor
                ),
            ));
        }
        if !(policy.confidence > 0.5 && policy.confidence < 1.0) {
            return Err(at(
                pat,
                "policy.confidence",
                format!("{} must be in (0.5, 1), e.g. 0.95", policy.confidence),
            ));
        }
        if g.check.is_empty() {
            return Err(Error::usage(format!(
                "{origin}: no [[check]]: add one, e.g. [[check]] metric = \"fillrandom.ops_per_sec\" min = 100000"
            )));
        }
        let labels: Option<Vec<String>> = match &source {
            Source::Scenario(s) => s
                .trials
                .first()
                .map(|t| t.phases.iter().map(|p| p.label.clone()).collect()),
            Source::Results(_) => None,
        };
        let mut checks = Vec::new();
        for c in &g.check {
            let cf = c.get_ref();
            let a = c.span().start;
            if let Some(l) = &labels {
                if !crate::tune::recommend::known_metric(l, &cf.metric) {
                    return Err(at(
                        a,
                        "check.metric",
                        format!(
                            "unknown metric {:?}: use PHASE.METRIC with a phase of this file ({}) or a trial metric (compression_ratio, sst_bytes, ...); docs/scenarios.md lists them",
                            cf.metric,
                            l.join(", ")
                        ),
                    ));
                }
            }
            if cf.min.is_none() && cf.max.is_none() && cf.max_regression.is_none() {
                return Err(at(
                    a,
                    &format!("check {}", cf.metric),
                    "give min, max or max_regression".into(),
                ));
            }
            if cf
                .max_regression
                .is_some_and(|r| !(r >= 0.0 && r.is_finite()))
            {
                return Err(at(
                    a,
                    "check.max_regression",
                    "must be a fraction >= 0, e.g. 0.10 for 10%".into(),
                ));
            }
            checks.push(Check {
                name: cf.name.clone().unwrap_or_else(|| cf.metric.clone()),
                metric: cf.metric.clone(),
                limits: Limits {
                    better: cf.better.unwrap_or_else(|| default_better(&cf.metric)),
                    min: cf.min,
                    max: cf.max,
                    max_regression: cf.max_regression,
                },
            });
        }
        let candidate = match &g.candidate {
            None => None,
            Some(c) => {
                if let Source::Scenario(s) = &source {
                    for t in &s.trials {
                        let mut cfg = t.config.clone();
                        cfg.merge_table(c.get_ref())
                            .map_err(|e| at(c.span().start, "candidate", e.to_string()))?;
                    }
                } else {
                    return Err(at(
                        c.span().start,
                        "candidate",
                        "a results = FILE gate runs nothing, so it has no candidate".into(),
                    ));
                }
                Some(c.get_ref().clone())
            }
        };
        Ok(GateFile {
            name,
            path: path.to_path_buf(),
            source,
            policy,
            checks,
            candidate,
        })
    }
}

/// Command-line options of `rdbtune gate`.
#[derive(Debug, Clone, Default)]
pub struct GateOptions {
    pub baseline: Option<PathBuf>,
    pub save_baseline: Option<PathBuf>,
    pub force_baseline: bool,
    pub strict: bool,
    pub warn_only: bool,
    pub quick: bool,
    pub runs: Option<usize>,
    pub shard: Option<(usize, usize)>,
    pub quiet: bool,
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

/// Metric samples of a finished scenario result, per trial.
fn samples_of_result(r: &ScenarioResult) -> BTreeMap<String, Samples> {
    let mut out: BTreeMap<String, Samples> = BTreeMap::new();
    for run in &r.runs {
        let s = out.entry(run.trial.clone()).or_default();
        for (k, v) in &run.metrics {
            s.candidate.entry(k.clone()).or_default().push(*v);
        }
    }
    out
}

/// Loads a baseline: a gate report (its candidate samples) or a scenario results.json.
fn load_baseline(path: &Path) -> Result<(BTreeMap<String, Samples>, Machine)> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::usage(format!("--baseline {}: cannot read: {e}", path.display())))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Error::usage(format!("--baseline {}: not JSON: {e}", path.display())))?;
    let bad = |e: serde_json::Error| {
        Error::usage(format!(
            "--baseline {}: not an rdbtune gate report or results.json: {e}",
            path.display()
        ))
    };
    if v.get("schema").and_then(|s| s.as_str()) == Some(output::SCHEMA) {
        let g: GateReport = serde_json::from_value(v).map_err(bad)?;
        Ok((g.samples, g.machine))
    } else {
        let r: ScenarioResult = serde_json::from_value(v).map_err(bad)?;
        Ok((samples_of_result(&r), r.machine))
    }
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Runs one trial once with `config`; returns its metrics.
fn measure(
    trial: &Trial,
    config: &EngineConfig,
    wait: bool,
) -> Result<Option<BTreeMap<String, f64>>> {
    let mut t = trial.clone();
    t.config = config.clone();
    let after = if wait {
        AfterWrite::FlushAndWait
    } else {
        AfterWrite::Nothing
    };
    let phases = run_trial_once(&t, after, |p| Progress {
        label: p.label.clone(),
        ..Progress::default()
    })?;
    if signals::interrupted().is_some() {
        return Ok(None);
    }
    Ok(Some(run_metrics(&t, &phases)))
}

struct Job<'a> {
    gate: &'a GateFile,
    opts: &'a GateOptions,
    policy: Policy,
    trials: Vec<Trial>,
    /// Paired: (baseline config, candidate config) per trial.
    configs: Vec<(EngineConfig, EngineConfig)>,
    paired: bool,
    wait: bool,
}

impl Job<'_> {
    /// One round: every trial, every config (order alternates by round). False if
    /// interrupted.
    fn round(&self, r: usize, into: &mut BTreeMap<String, Samples>, label: &str) -> Result<bool> {
        for (t, (base, cand)) in self.trials.iter().zip(&self.configs) {
            let mut order: Vec<(bool, &EngineConfig)> = vec![(true, cand)];
            if self.paired {
                order.push((false, base));
                if r % 2 == 1 {
                    order.reverse();
                }
            }
            let mut got: Vec<(bool, BTreeMap<String, f64>)> = Vec::new();
            for (is_cand, cfg) in order {
                match measure(t, cfg, self.wait)? {
                    Some(m) => got.push((is_cand, m)),
                    None => return Ok(false),
                }
            }
            let s = into.entry(t.id.clone()).or_default();
            for (is_cand, m) in got {
                let side = if is_cand {
                    &mut s.candidate
                } else {
                    &mut s.baseline
                };
                for (k, v) in m {
                    side.entry(k).or_default().push(v);
                }
            }
            if !self.opts.quiet {
                eprintln!(
                    "[gate {}] {label} round {}: trial {} measured",
                    self.gate.name,
                    r + 1,
                    t.id
                );
            }
        }
        Ok(true)
    }
}

/// Judges every check on every trial of `samples` against `baseline` (paired when the
/// baseline is `samples`' own).
fn judge_all(
    gate: &GateFile,
    policy: &Policy,
    samples: &BTreeMap<String, Samples>,
    saved: Option<&BTreeMap<String, Samples>>,
    paired: bool,
    baseline_untrusted: bool,
) -> Vec<CheckResult> {
    let stats = Stats {
        noise_floor: policy.noise_floor,
        confidence: policy.confidence,
    };
    let many = samples.len() > 1;
    let mut out = Vec::new();
    for (trial, s) in samples {
        for c in &gate.checks {
            let cand = s.candidate.get(&c.metric).map_or(&[][..], |v| v.as_slice());
            let base: Option<&[f64]> = if paired {
                s.baseline.get(&c.metric).map(|v| v.as_slice())
            } else {
                saved
                    .and_then(|b| b.get(trial))
                    .and_then(|b| b.candidate.get(&c.metric))
                    .map(|v| v.as_slice())
            };
            let show = |x: f64| show_metric(&c.metric, x);
            let mut j = judge(&c.limits, cand, base, paired, stats, show);
            if baseline_untrusted && j.change.is_some() && j.verdict > Verdict::Warn {
                // Judge the absolute part alone; the baseline part only warns.
                let abs = Limits {
                    max_regression: None,
                    ..c.limits.clone()
                };
                let a = judge(&abs, cand, None, false, stats, show);
                j.verdict = a.verdict.max(Verdict::Warn);
                j.reason = format!(
                    "{} (baseline from another machine: a warning only; --force-baseline to enforce)",
                    j.reason
                );
            }
            out.push(CheckResult {
                name: if many {
                    format!("{trial}/{}", c.name)
                } else {
                    c.name.clone()
                },
                metric: c.metric.clone(),
                trial: trial.clone(),
                limits: c.limits.clone(),
                judgement: j,
                first_verdict: None,
            });
        }
    }
    out
}

/// Runs (or reads) the gate and judges it. The exit code is in the report.
pub fn run(gate: &GateFile, opts: &GateOptions) -> Result<GateReport> {
    let t0 = std::time::Instant::now();
    let mut policy = gate.policy.clone();
    if let Some(n) = opts.runs {
        if n == 0 {
            return Err(Error::usage("--runs must be at least 1"));
        }
        policy.runs = n;
        policy.max_runs = policy.max_runs.max(n);
    }
    if opts.baseline.is_some() && gate.candidate.is_some() {
        return Err(Error::usage(format!(
            "--baseline with a [candidate] in {}: the candidate is already compared with the file's own config; drop one",
            gate.path.display()
        )));
    }
    let saved = opts.baseline.as_deref().map(load_baseline).transpose()?;
    let machine = Machine::detect(Some(&std::env::temp_dir()));
    let fingerprint = machine.fingerprint();
    let baseline_warning = saved.as_ref().and_then(|(_, m)| {
        (m.fingerprint() != fingerprint).then(|| {
            format!(
                "baseline measured on another machine ({}); this one is {}",
                m.fingerprint(),
                fingerprint
            )
        })
    });
    let untrusted = baseline_warning.is_some() && !opts.force_baseline;
    let mut report = GateReport {
        schema: output::SCHEMA.into(),
        gate: gate.name.clone(),
        file: gate.path.display().to_string(),
        command: std::env::args().collect(),
        machine,
        fingerprint,
        started_unix: now_unix(),
        elapsed_s: 0.0,
        policy: policy.clone(),
        mode: String::new(),
        baseline: opts
            .baseline
            .as_ref()
            .map(|p| p.display().to_string())
            .or_else(|| {
                gate.candidate
                    .as_ref()
                    .map(|_| "the gate file's [engine] config, paired in this job".into())
            }),
        baseline_warning,
        runs: 0,
        confirmation_runs: 0,
        checks: Vec::new(),
        verdict: Verdict::Pass,
        exit_code: 0,
        samples: BTreeMap::new(),
        interrupted: false,
    };
    let saved_samples = saved.as_ref().map(|(s, _)| s);

    let scn = match &gate.source {
        Source::Results(p) => {
            let b = std::fs::read(p)
                .map_err(|e| Error::usage(format!("{}: cannot read: {e}", p.display())))?;
            let r: ScenarioResult = serde_json::from_slice(&b).map_err(|e| {
                Error::usage(format!("{}: not an rdbtune results.json: {e}", p.display()))
            })?;
            report.mode = "results".into();
            report.samples = samples_of_result(&r);
            report.runs = r.runs.len();
            report.checks = judge_all(
                gate,
                &policy,
                &report.samples,
                saved_samples,
                false,
                untrusted,
            );
            finish(&mut report, opts, t0);
            return Ok(report);
        }
        Source::Scenario(s) => s,
    };
    let mut scn = (**scn).clone();
    if policy.quick || opts.quick {
        scn.quick();
    }
    let mut trials = scn.trials.clone();
    if let Some((i, n)) = opts.shard {
        trials = trials
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % n == i - 1)
            .map(|(_, t)| t)
            .collect();
    }
    let mut configs = Vec::new();
    for t in &trials {
        let mut cand = t.config.clone();
        if let Some(c) = &gate.candidate {
            cand.merge_table(c)?;
        }
        configs.push((t.config.clone(), cand));
    }
    let paired = gate.candidate.is_some();
    report.mode = if paired {
        "paired".into()
    } else if saved.is_some() {
        "saved baseline".into()
    } else {
        "absolute".into()
    };
    let job = Job {
        gate,
        opts,
        policy: policy.clone(),
        trials,
        configs,
        paired,
        wait: scn.run.wait_for_compaction,
    };
    signals::install();
    let mut warm = BTreeMap::new();
    for r in 0..job.policy.warmup_runs {
        if !job.round(r, &mut warm, "warm-up")? {
            report.interrupted = true;
            break;
        }
    }
    let mut samples = BTreeMap::new();
    let mut n = 0;
    while !report.interrupted && n < job.policy.runs {
        if !job.round(n, &mut samples, "measured")? {
            report.interrupted = true;
        }
        n += 1;
    }
    let mut checks = judge_all(gate, &policy, &samples, saved_samples, paired, untrusted);
    // Inconclusive: add rounds up to max_runs.
    while !report.interrupted
        && n < job.policy.max_runs
        && checks
            .iter()
            .any(|c| c.judgement.verdict == Verdict::Inconclusive)
    {
        if !job.round(n, &mut samples, "extra (inconclusive)")? {
            report.interrupted = true;
            break;
        }
        n += 1;
        checks = judge_all(gate, &policy, &samples, saved_samples, paired, untrusted);
    }
    report.runs = n;
    // Failures: confirm on fresh batches before failing the gate.
    let mut confirm_rounds = 0;
    for _ in 0..job.policy.confirm {
        if report.interrupted || !checks.iter().any(|c| c.judgement.verdict == Verdict::Fail) {
            break;
        }
        let mut fresh = BTreeMap::new();
        let mut fresh_n = 0;
        for r in 0..job.policy.runs {
            if !job.round(r, &mut fresh, "confirmation")? {
                report.interrupted = true;
                break;
            }
            fresh_n += 1;
        }
        let mut again = judge_all(gate, &policy, &fresh, saved_samples, paired, untrusted);
        // An inconclusive rerun of a failed check gets extra rounds up to max_runs, as the
        // first batch did: a rerun must pass or stay inconclusive at max_runs to overrule
        // the failure, not merely be too short to conclude.
        let failed: Vec<&str> = checks
            .iter()
            .filter(|c| c.judgement.verdict == Verdict::Fail)
            .map(|c| c.name.as_str())
            .collect();
        while !report.interrupted
            && fresh_n < job.policy.max_runs
            && again.iter().any(|a| {
                failed.contains(&a.name.as_str()) && a.judgement.verdict == Verdict::Inconclusive
            })
        {
            if !job.round(fresh_n, &mut fresh, "confirmation (inconclusive)")? {
                report.interrupted = true;
                break;
            }
            fresh_n += 1;
            again = judge_all(gate, &policy, &fresh, saved_samples, paired, untrusted);
        }
        confirm_rounds += fresh_n;
        if report.interrupted {
            break;
        }
        for c in &mut checks {
            if c.judgement.verdict != Verdict::Fail {
                continue;
            }
            let Some(a) = again.iter().find(|a| a.name == c.name) else {
                continue;
            };
            c.first_verdict = Some(Verdict::Fail);
            if a.judgement.verdict == Verdict::Fail {
                c.judgement.reason = format!(
                    "{}; confirmed by a rerun of {fresh_n} run(s): {}",
                    c.judgement.reason, a.judgement.reason
                );
            } else {
                c.judgement = a.judgement.clone();
                c.judgement.verdict = Verdict::Warn;
                c.judgement.reason = format!(
                    "failed, then not confirmed by a rerun ({}): {}",
                    a.judgement.verdict.name(),
                    a.judgement.reason
                );
            }
        }
    }
    report.confirmation_runs = confirm_rounds;
    report.checks = checks;
    report.samples = samples;
    finish(&mut report, opts, t0);
    Ok(report)
}

/// Orders checks (failures first), sets the overall verdict and the exit code.
fn finish(report: &mut GateReport, opts: &GateOptions, t0: std::time::Instant) {
    report.checks.sort_by(|a, b| {
        b.judgement
            .verdict
            .cmp(&a.judgement.verdict)
            .then(a.name.cmp(&b.name))
    });
    report.verdict = report
        .checks
        .iter()
        .map(|c| c.judgement.verdict)
        .max()
        .unwrap_or(Verdict::Skipped);
    report.exit_code = match (report.verdict, report.interrupted) {
        (_, true) => 128 + signals::interrupted().unwrap_or(2),
        (Verdict::Fail, _) if !opts.warn_only => 1,
        (Verdict::Inconclusive, _) if opts.strict => 4,
        _ => 0,
    };
    report.elapsed_s = t0.elapsed().as_secs_f64();
}
