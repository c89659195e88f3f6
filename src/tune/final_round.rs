//! The tuner's final round: the best configs of the search, RocksDB's defaults and
//! production_optimized, each loaded once; one unmeasured warm-up run each, then interleaved
//! repeats on fresh clones; the winner by the recommender's rule, its gains with intervals,
//! and a hold-out workload.

use super::search::{Candidate, Point};
use super::template::Template;
use super::tuner::{point_of, ycsb, Tuner, FINAL_WARMUP_FRACTION};
use crate::engine::size::{human_bytes, Size};
use crate::engine::{EngineConfig, Preset};
use crate::error::Result;
use crate::metrics::{debt_ops_per_sec, run_metrics};
use crate::model::tune::{Eval, TuneOutcome};
use crate::model::{
    Constraint, DbInfo, Kind, Objective, PhaseTemplate, RunFile, RunResult, Scenario, Trial,
    TrialRun,
};
use crate::recommend::finalise;
use crate::signals;
use crate::stats::compare;
use crate::sysmon::Machine;
use crate::workload::PhaseSpec;

/// A final-round entry: id, config, knob values, its loaded DB when one exists already.
struct Finalist {
    id: String,
    config: EngineConfig,
    knobs: Vec<(String, String)>,
    template: Option<Template>,
}

/// What the final round produced.
pub(super) struct FinalRound {
    pub result: RunResult,
    pub outcome: Option<TuneOutcome>,
}

/// The best three measured at full fidelity (or, with a small budget, the best of the
/// highest rung reached), RocksDB defaults and production_optimized.
fn finalists(t: &mut Tuner, default_t: Template) -> Vec<Finalist> {
    let mut out = Vec::new();
    let full = std::mem::take(&mut t.full);
    for (i, (_, c, tmpl)) in full.into_iter().enumerate() {
        out.push(Finalist {
            id: format!("tuned-{}", i + 1),
            config: c.config,
            knobs: c.knobs,
            template: Some(tmpl),
        });
    }
    if out.is_empty() {
        let mut best: Vec<&Eval> = t.history.iter().collect();
        best.sort_by(|a, b| b.rung.cmp(&a.rung).then(b.score.total_cmp(&a.score)));
        let mut ids: Vec<&str> = Vec::new();
        for e in best {
            if ids.len() == 3 || ids.contains(&e.id.as_str()) {
                continue;
            }
            ids.push(&e.id);
            let p: Point = point_of(&e.id);
            if let Some(Candidate { config, knobs, .. }) = t.space.config(&p) {
                out.push(Finalist {
                    id: format!("tuned-{}", ids.len()),
                    config,
                    knobs,
                    template: None,
                });
            }
        }
    }
    out.push(Finalist {
        id: "default".into(),
        config: Preset::Default.config(),
        knobs: Vec::new(),
        template: Some(default_t),
    });
    out.push(Finalist {
        id: "production_optimized".into(),
        config: Preset::ProductionOptimized.config(),
        knobs: Vec::new(),
        template: None,
    });
    if let Some(base) = &t.o.base {
        out.push(Finalist {
            id: "base".into(),
            config: base.clone(),
            knobs: Vec::new(),
            template: None,
        });
    }
    out
}

/// The final round's plan: one trial per finalist with the load and run phases.
fn plan(t: &Tuner, finalists: &[Finalist], load: &PhaseSpec, run: &PhaseSpec) -> Scenario {
    let o = t.o;
    let trials = finalists
        .iter()
        .map(|f| Trial {
            id: f.id.clone(),
            axes: std::iter::once(("trial".to_string(), f.id.clone()))
                .chain(f.knobs.iter().cloned())
                .collect(),
            config: f.config.clone(),
            phases: vec![
                PhaseTemplate {
                    label: "load".into(),
                    spec: load.clone(),
                },
                PhaseTemplate {
                    label: "run".into(),
                    spec: run.clone(),
                },
            ],
        })
        .collect();
    Scenario {
        name: format!("tune-ycsb-{}", o.workload),
        description: format!(
            "rdbtune tune: YCSB-{} with {} records within {} of memory; final round of {} interleaved repeats; the score is run-phase ops over its wall time plus the compaction wait after it",
            o.workload.to_uppercase(),
            o.records,
            human_bytes(o.memory_budget),
            o.repeats
        ),
        source: String::new(),
        data: Default::default(),
        run: RunFile {
            repeats: o.repeats,
            ..Default::default()
        },
        objective: Some(Objective {
            maximize: true,
            metric: "run.debt_ops_per_sec".into(),
        }),
        constraints: vec![Constraint {
            metric: "configured_memory_bytes".into(),
            op: "<=".into(),
            value: o.memory_budget as f64,
        }],
        threshold_axis: None,
        threshold: 0.05,
        memory_budget: Some(Size(o.memory_budget)),
        columns: vec![
            "run.ops_per_sec".into(),
            "run.p99_us".into(),
            "run.compaction_wait_s".into(),
        ],
        alerts: Default::default(),
        axes: Vec::new(),
        trials,
    }
}

/// Runs the final round and, with a winner, the hold-out.
pub(super) fn run(
    t: &mut Tuner,
    default_t: Template,
    run_s: f64,
    mut interrupted: bool,
) -> Result<FinalRound> {
    let o = t.o;
    let mut finalists = finalists(t, default_t);
    let (load, run) = ycsb(&o.workload, o.records, o.threads, o.seed, run_s)?;
    let mut templates: Vec<Template> = Vec::new();
    for f in &mut finalists {
        if interrupted {
            break;
        }
        let tm = match f.template.take() {
            Some(tm) => tm,
            None => {
                t.say(format!("loading {} for the final round", f.id));
                Template::load(&f.config, &load)?
            }
        };
        templates.push(tm);
        interrupted |= signals::interrupted().is_some();
    }
    let scn = plan(t, &finalists, &load, &run);
    let mut result = RunResult::new(
        Kind::Tune,
        scn,
        Machine::detect(Some(&std::env::temp_dir())),
        0,
    );
    result.db = DbInfo {
        preparation: "one load per config (after a flush and compaction wait), then each repeat runs on a hard-linked clone of it".into(),
        path: None,
        temporary: true,
    };
    interrupted = interrupted || warm_up(t, &result.scenario.trials, &templates, &run, run_s)?;
    if !interrupted {
        interrupted = repeats(t, &mut result, &templates, &run)?;
    }
    result.interrupted = interrupted;
    finalise(&mut result);
    let outcome = outcome(t, &result, &templates, run_s)?;
    Ok(FinalRound { result, outcome })
}

/// One short unmeasured run per finalist. The search's loads have pushed the finalists'
/// files out of the page cache, so a first measured repeat would measure a cold start (in a
/// 30-minute acceptance run every config's first repeat was 6-73% below the mean of its
/// later ones), widening every interval with one outlier round. Returns whether a signal
/// interrupted it.
fn warm_up(
    t: &Tuner,
    trials: &[Trial],
    templates: &[Template],
    run: &PhaseSpec,
    run_s: f64,
) -> Result<bool> {
    let mut warm = run.clone();
    warm.duration_s = Some((run_s * FINAL_WARMUP_FRACTION).max(1.0));
    for (tr, tm) in trials.iter().zip(templates) {
        tm.run_on_clone(&tr.config, &warm)?;
        t.say(format!("final warm-up {} (not measured)", tr.id));
        if signals::interrupted().is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The interleaved repeats: repeat r runs the finalists rotated by r. Returns whether a
/// signal interrupted them.
fn repeats(
    t: &Tuner,
    result: &mut RunResult,
    templates: &[Template],
    run: &PhaseSpec,
) -> Result<bool> {
    let n = result.scenario.trials.len().min(templates.len());
    let labels = ["load".to_string(), "run".to_string()];
    for rep in 0..t.o.repeats {
        for k in 0..n {
            let i = (k + rep) % n;
            let trial = &result.scenario.trials[i];
            let r = templates[i].run_on_clone(&trial.config, run)?;
            if signals::interrupted().is_some() {
                return Ok(true);
            }
            let score = debt_ops_per_sec(&r);
            let phases = vec![templates[i].load.clone(), r];
            let metrics = run_metrics(&labels, &phases, trial.config.configured_memory());
            t.say(format!(
                "final repeat {} {}: {score:.0} ops/s debt-aware",
                rep + 1,
                trial.id
            ));
            result.runs.push(TrialRun {
                trial: trial.id.clone(),
                repeat: rep,
                metrics,
                phases,
                final_stats: None,
            });
        }
    }
    Ok(false)
}

/// The winner's gains over the references and, on the hold-out workload, over the defaults.
fn outcome(
    t: &Tuner,
    result: &RunResult,
    templates: &[Template],
    run_s: f64,
) -> Result<Option<TuneOutcome>> {
    let Some(rec) = &result.recommendation else {
        return Ok(None);
    };
    let samples = |id: &str| -> Vec<f64> {
        result
            .summaries
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.samples.get("run.debt_ops_per_sec").cloned())
            .unwrap_or_default()
    };
    let w = samples(&rec.winner);
    let mut oc = TuneOutcome {
        winner: rec.winner.clone(),
        vs_default: compare(&w, &samples("default")),
        vs_production_optimized: compare(&w, &samples("production_optimized")),
        vs_base: t
            .o
            .base
            .as_ref()
            .and_then(|_| compare(&w, &samples("base"))),
        holdout: None,
        holdout_regressed: None,
    };
    let trials = &result.scenario.trials;
    let wi = trials.iter().position(|x| x.id == rec.winner);
    let di = trials.iter().position(|x| x.id == "default");
    if let (Some(h), false, Some(wi), Some(di)) = (&t.o.holdout, result.interrupted, wi, di) {
        let o = t.o;
        let (_, hrun) = ycsb(h, o.records, o.threads, o.seed ^ 0x401d, run_s)?;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for rep in 0..3 {
            let order = if rep % 2 == 0 { [wi, di] } else { [di, wi] };
            for i in order {
                let r = templates[i].run_on_clone(&trials[i].config, &hrun)?;
                if i == wi {
                    a.push(debt_ops_per_sec(&r));
                } else {
                    b.push(debt_ops_per_sec(&r));
                }
            }
        }
        if wi == di {
            b = a.clone();
        }
        if let Some(c) = compare(&a, &b) {
            oc.holdout_regressed = Some(c.rel < -0.05);
            t.say(format!(
                "hold-out ycsb-{h}: winner vs defaults {}",
                c.describe()
            ));
            oc.holdout = Some((format!("ycsb-{h}"), c));
        }
    }
    Ok(Some(oc))
}
