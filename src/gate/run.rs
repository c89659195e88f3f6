//! Running a gate: warm-up rounds, measured rounds (paired and interleaved with a
//! `[candidate]`), extra rounds while a check is inconclusive, a confirmation rerun before a
//! failure stands; then the verdict and the exit code.

use super::file::{GateFile, Source};
use super::judge::{judge, Stats};
use crate::engine::EngineConfig;
use crate::error::{Error, Result};
use crate::metrics::{run_metrics, show as show_metric};
use crate::model::gate::{CheckResult, GateReport, Limits, Policy, Samples, Verdict, GATE_SCHEMA};
use crate::model::{RunResult, Trial};
use crate::output::load::{from_value, load_file};
use crate::runner::{AfterWrite, NoObserver};
use crate::scenario::execute::{now_unix, RunOfTrial};
use crate::signals;
use crate::sysmon::Machine;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// Metric samples of a finished result, per trial.
fn samples_of_result(r: &RunResult) -> BTreeMap<String, Samples> {
    let mut out: BTreeMap<String, Samples> = BTreeMap::new();
    for run in &r.runs {
        let s = out.entry(run.trial.clone()).or_default();
        for (k, v) in &run.metrics {
            s.candidate.entry(k.clone()).or_default().push(*v);
        }
    }
    out
}

/// Loads a baseline: a gate report (its candidate samples) or any rdbtune result file.
fn load_baseline(path: &Path) -> Result<(BTreeMap<String, Samples>, Machine)> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::usage(format!("--baseline {}: cannot read: {e}", path.display())))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Error::usage(format!("--baseline {}: not JSON: {e}", path.display())))?;
    if v.get("schema").and_then(|s| s.as_str()) == Some(GATE_SCHEMA) {
        let g: GateReport = serde_json::from_value(v).map_err(|e| {
            Error::usage(format!(
                "--baseline {}: not an rdbtune gate report: {e}",
                path.display()
            ))
        })?;
        return Ok((g.samples, g.machine));
    }
    let r = from_value(v, path).map_err(|e| Error::usage(format!("--baseline: {e}")))?;
    Ok((samples_of_result(&r), r.machine))
}

/// Runs one trial once with `config`; returns its metrics (`None` if interrupted).
fn measure(
    trial: &Trial,
    config: &EngineConfig,
    wait: bool,
) -> Result<Option<BTreeMap<String, f64>>> {
    let mut t = trial.clone();
    t.config = config.clone();
    let run = RunOfTrial {
        trial: &t,
        repeat: 0,
        after: if wait {
            AfterWrite::FlushAndWait
        } else {
            AfterWrite::Nothing
        },
        alerts: &Default::default(),
        measure: &Default::default(),
        folder: None,
    };
    let (phases, _, _) = run.execute(&mut NoObserver)?;
    if signals::interrupted().is_some() {
        return Ok(None);
    }
    let labels: Vec<String> = t.phases.iter().map(|p| p.label.clone()).collect();
    Ok(Some(run_metrics(
        &labels,
        &phases,
        t.config.configured_memory(),
    )))
}

/// What a measuring gate run needs.
struct Job<'a> {
    gate: &'a GateFile,
    opts: &'a GateOptions,
    policy: Policy,
    trials: Vec<Trial>,
    /// Paired: (baseline config, candidate config) per trial.
    configs: Vec<(EngineConfig, EngineConfig)>,
    paired: bool,
    wait: bool,
    /// A saved baseline's samples, per trial.
    saved: Option<&'a BTreeMap<String, Samples>>,
    /// The saved baseline comes from another machine and is not enforced.
    untrusted: bool,
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

    fn judge(&self, samples: &BTreeMap<String, Samples>) -> Vec<CheckResult> {
        judge_all(
            self.gate,
            &self.policy,
            samples,
            self.saved,
            self.paired,
            self.untrusted,
        )
    }

    /// Adds rounds to `samples` (which holds `n`) while a check in `watch` is inconclusive,
    /// up to max_runs. Returns the rounds now held and the latest judgement.
    fn extend_while_inconclusive(
        &self,
        samples: &mut BTreeMap<String, Samples>,
        mut n: usize,
        label: &str,
        watch: impl Fn(&CheckResult) -> bool,
    ) -> Result<(usize, Vec<CheckResult>, bool)> {
        let mut checks = self.judge(samples);
        while n < self.policy.max_runs
            && checks
                .iter()
                .any(|c| watch(c) && c.judgement.verdict == Verdict::Inconclusive)
        {
            if !self.round(n, samples, label)? {
                return Ok((n, checks, true));
            }
            n += 1;
            checks = self.judge(samples);
        }
        Ok((n, checks, false))
    }

    /// Reruns a fresh batch for the failed checks; a failure stands only when the rerun
    /// (extended while inconclusive, as the first batch was) fails too. Returns the rounds
    /// run and whether a signal interrupted them.
    fn confirm(&self, checks: &mut [CheckResult]) -> Result<(usize, bool)> {
        let mut fresh = BTreeMap::new();
        let mut fresh_n = 0;
        for r in 0..self.policy.runs {
            if !self.round(r, &mut fresh, "confirmation")? {
                return Ok((fresh_n, true));
            }
            fresh_n += 1;
        }
        let failed: Vec<String> = checks
            .iter()
            .filter(|c| c.judgement.verdict == Verdict::Fail)
            .map(|c| c.name.clone())
            .collect();
        let (fresh_n, again, interrupted) = self.extend_while_inconclusive(
            &mut fresh,
            fresh_n,
            "confirmation (inconclusive)",
            |a| failed.contains(&a.name),
        )?;
        if interrupted {
            return Ok((fresh_n, true));
        }
        for c in checks.iter_mut() {
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
        Ok((fresh_n, false))
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
            // Shown with intervals clipped to the metric's domain (no negative throughput),
            // as every other report shows them; the verdict reads medians and the change.
            j.candidate = crate::metrics::estimate(&c.metric, cand);
            j.baseline = base.and_then(|b| crate::metrics::estimate(&c.metric, b));
            if j.verdict == Verdict::Unmeasured {
                j.reason = format!(
                    "metric {} was not measured in trial {trial}: the scenario produces no value for it (e.g. no block cache lookups, a phase under 10 s for a trend, nothing in SST files); check the metric or the phases it reads",
                    c.metric
                );
            }
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

/// The report before anything is judged: who, where, which baseline.
fn new_report(
    gate: &GateFile,
    opts: &GateOptions,
    policy: &Policy,
    saved_machine: Option<&Machine>,
) -> GateReport {
    let machine = Machine::detect(Some(&std::env::temp_dir()));
    let fingerprint = machine.fingerprint();
    let baseline_warning = saved_machine.and_then(|m| {
        (m.fingerprint() != fingerprint).then(|| {
            format!(
                "baseline measured on another machine ({}); this one is {}",
                m.fingerprint(),
                fingerprint
            )
        })
    });
    GateReport {
        schema: GATE_SCHEMA.into(),
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
    }
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
    let mut report = new_report(gate, opts, &policy, saved.as_ref().map(|(_, m)| m));
    let untrusted = report.baseline_warning.is_some() && !opts.force_baseline;
    let saved_samples = saved.as_ref().map(|(s, _)| s);
    let scn = match &gate.source {
        Source::Results(p) => {
            let r = load_file(p)?;
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
    let (trials, configs) = trials_and_configs(gate, &scn, opts.shard)?;
    let paired = gate.candidate.is_some();
    report.mode = if paired {
        "paired"
    } else if saved.is_some() {
        "saved baseline"
    } else {
        "absolute"
    }
    .into();
    let job = Job {
        gate,
        opts,
        policy,
        trials,
        configs,
        paired,
        wait: scn.run.wait_for_compaction,
        saved: saved_samples,
        untrusted,
    };
    signals::install();
    measure_and_judge(&job, &mut report)?;
    finish(&mut report, opts, t0);
    Ok(report)
}

/// Warm-up, measured and extra rounds, then confirmation of failures.
fn measure_and_judge(job: &Job, report: &mut GateReport) -> Result<()> {
    let mut warm = BTreeMap::new();
    for r in 0..job.policy.warmup_runs {
        if !job.round(r, &mut warm, "warm-up")? {
            report.interrupted = true;
            return Ok(());
        }
    }
    let mut samples = BTreeMap::new();
    let mut n = 0;
    while n < job.policy.runs {
        if !job.round(n, &mut samples, "measured")? {
            report.interrupted = true;
            break;
        }
        n += 1;
        // A metric the first round did not produce will not appear later: stop and say so.
        if n == 1 && unmeasured(&job.judge(&samples)) {
            break;
        }
    }
    let mut checks = job.judge(&samples);
    if unmeasured(&checks) {
        report.runs = n;
        report.checks = checks;
        report.samples = samples;
        return Ok(());
    }
    if !report.interrupted {
        let (m, c, interrupted) =
            job.extend_while_inconclusive(&mut samples, n, "extra (inconclusive)", |_| true)?;
        (n, checks, report.interrupted) = (m, c, interrupted);
    }
    report.runs = n;
    for _ in 0..job.policy.confirm {
        if report.interrupted || !checks.iter().any(|c| c.judgement.verdict == Verdict::Fail) {
            break;
        }
        let (rounds, interrupted) = job.confirm(&mut checks)?;
        report.confirmation_runs += rounds;
        report.interrupted = interrupted;
    }
    report.checks = checks;
    report.samples = samples;
    Ok(())
}

/// Whether a check's metric was not measured (an error of the gate file).
fn unmeasured(checks: &[CheckResult]) -> bool {
    checks
        .iter()
        .any(|c| c.judgement.verdict == Verdict::Unmeasured)
}

/// This shard's trials, and per trial its (baseline, candidate) configs.
#[allow(clippy::type_complexity)]
fn trials_and_configs(
    gate: &GateFile,
    scn: &crate::model::Scenario,
    shard: Option<(usize, usize)>,
) -> Result<(Vec<Trial>, Vec<(EngineConfig, EngineConfig)>)> {
    let trials: Vec<Trial> = scn
        .trials
        .iter()
        .enumerate()
        .filter(|(k, _)| shard.is_none_or(|(i, n)| k % n == i - 1))
        .map(|(_, t)| t.clone())
        .collect();
    let mut configs = Vec::new();
    for t in &trials {
        let mut cand = t.config.clone();
        if let Some(c) = &gate.candidate {
            cand.merge_table(c)?;
        }
        configs.push((t.config.clone(), cand));
    }
    Ok((trials, configs))
}

/// Orders checks (failures first), sets the overall verdict and the exit code: 2 when a
/// check's metric was not measured or when no check could be judged at all (a gate that
/// judged nothing must not pass a build).
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
        (Verdict::Unmeasured, _) => 2,
        // Nothing judged; fine only when the point was to record a baseline.
        (Verdict::Skipped, _) if opts.save_baseline.is_none() => 2,
        (Verdict::Fail, _) if !opts.warn_only => 1,
        (Verdict::Inconclusive, _) if opts.strict => 4,
        _ => 0,
    };
    report.elapsed_s = t0.elapsed().as_secs_f64();
}
