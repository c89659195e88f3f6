//! The tuner's final round: the best configs of the search, RocksDB's defaults,
//! production_optimized and the user's start config, each loaded once; one unmeasured
//! warm-up run each, then interleaved repeats on fresh clones; the winner by the
//! recommender's rule under the constraints and the memory budget (on the configured
//! capacities and the measured peak RSS),
//! its gains with intervals, the hold-out, the Pareto front, and the winner explained.

use super::explain;
use super::memory::predict;
use super::space::{Candidate, Point};
use super::template::Template;
use super::tuner::{order, oriented, tuned_finalists, Budget, Tuner, FINAL_WARMUP_FRACTION};
use crate::engine::options_file;
use crate::engine::size::{human_bytes, Size};
use crate::engine::{EngineConfig, Preset};
use crate::error::Result;
use crate::metrics::run_metrics;
use crate::model::tune::{Eval, FrontPoint, MemoryCheck, Target, TuneOptions, TuneOutcome};
use crate::model::{
    Constraint, DbInfo, Kind, Objective, PhaseResult, PhaseTemplate, RunFile, RunResult, Scenario,
    Trial, TrialRun,
};
use crate::recommend::{finalise, recommend_against};
use crate::signals;
use crate::stats::{compare_paired, Comparison};
use crate::sysmon::Machine;

/// A final-round entry: id, config, knob values and point, its loaded DB when one exists.
pub(super) struct Finalist {
    pub id: String,
    pub config: EngineConfig,
    pub knobs: Vec<(String, String)>,
    pub point: Option<Point>,
    pub template: Option<Template>,
}

/// What the final round produced.
pub(super) struct FinalRound {
    pub result: RunResult,
    pub outcome: Option<TuneOutcome>,
    pub memory: Vec<MemoryCheck>,
    /// The run length of the final round's repeats, the hold-out and the explanation, s.
    pub run_s: f64,
    pub front: Vec<FrontPoint>,
    /// options.txt as the minimal change from the user's base config.
    pub diff_from_base: Option<String>,
}

/// The best configs measured at full fidelity (or, with a small budget, the best of the
/// highest rung reached), RocksDB's defaults, production_optimized and the base.
fn finalists(t: &mut Tuner, default_t: Template) -> Vec<Finalist> {
    let mut out = Vec::new();
    let full = std::mem::take(&mut t.full);
    for (i, (_, c, tmpl)) in full.into_iter().enumerate() {
        out.push(Finalist {
            id: format!("tuned-{}", i + 1),
            config: c.config,
            knobs: c.knobs,
            point: Some(c.point),
            template: Some(tmpl),
        });
    }
    if out.is_empty() {
        let objectives = t.objectives();
        let mut best: Vec<&Eval> = t.history.iter().filter(|e| e.feasible).collect();
        let key = |e: &Eval| order(&[(true, oriented(e, &objectives).1)], 1)[0];
        best.sort_by(|a, b| b.rung.cmp(&a.rung).then(key(b).total_cmp(&key(a))));
        let mut ids: Vec<&str> = Vec::new();
        for e in best {
            if ids.len() == tuned_finalists(t.o) || ids.contains(&e.id.as_str()) {
                continue;
            }
            ids.push(&e.id);
            if let Some(Candidate {
                config,
                knobs,
                point,
                ..
            }) = t.space.config(&e.point)
            {
                out.push(Finalist {
                    id: format!("tuned-{}", ids.len()),
                    config,
                    knobs,
                    point: Some(point),
                    template: None,
                });
            }
        }
    }
    out.push(Finalist {
        id: "default".into(),
        config: t.o.target.with_structure(Preset::Default.config()),
        knobs: Vec::new(),
        point: None,
        template: Some(default_t),
    });
    out.push(Finalist {
        id: "production_optimized".into(),
        config: t
            .o
            .target
            .with_structure(Preset::ProductionOptimized.config()),
        knobs: Vec::new(),
        point: None,
        template: None,
    });
    if let Some(base) = &t.o.base {
        out.push(Finalist {
            id: "base".into(),
            config: base.clone(),
            knobs: Vec::new(),
            point: Some(t.space.start_point.clone()),
            template: None,
        });
    }
    out
}

/// The final round's plan: one trial per finalist with the load and run phases.
fn plan(
    t: &Tuner,
    finalists: &[Finalist],
    load: &[PhaseTemplate],
    run: &[PhaseTemplate],
) -> Scenario {
    let o = t.o;
    let trials = finalists
        .iter()
        .map(|f| Trial {
            id: f.id.clone(),
            axes: std::iter::once(("trial".to_string(), f.id.clone()))
                .chain(f.knobs.iter().cloned())
                .collect(),
            config: f.config.clone(),
            phases: load.iter().chain(run).cloned().collect(),
        })
        .collect();
    let mut constraints = o.constraints.clone();
    constraints.push(Constraint {
        metric: "peak_rss_bytes".into(),
        op: "<=".into(),
        value: o.memory_budget as f64,
    });
    let mut columns: Vec<String> = t.objectives().iter().map(|x| x.metric.clone()).collect();
    columns.push("peak_rss_bytes".into());
    Scenario {
        name: format!("tune-{}", o.target.name.replace(' ', "-")),
        description: format!(
            "rdbtune tune: {} with {} keys within {} of memory (measured peak RSS); final round of {} interleaved repeats; objective {}{}",
            o.target.name,
            o.target.records,
            human_bytes(o.memory_budget),
            o.repeats,
            o.objective,
            o.constraints
                .iter()
                .map(|c| format!(", {c}"))
                .collect::<String>()
        ),
        source: String::new(),
        data: Default::default(),
        run: RunFile {
            repeats: o.repeats,
            ..Default::default()
        },
        objective: Some(o.objective.clone()),
        constraints,
        threshold_axis: None,
        threshold: 0.05,
        memory_budget: Some(Size(o.memory_budget)),
        columns,
        alerts: Default::default(),
        axes: Vec::new(),
        trials,
    }
}

/// Runs the final round, the hold-out and the explanation.
pub(super) fn run(
    t: &mut Tuner,
    default_t: Template,
    b: &Budget,
    mut interrupted: bool,
) -> Result<FinalRound> {
    let o = t.o;
    let mut finalists = finalists(t, default_t);
    // Tuned finalists the search did not load at full size cost a load each (the final
    // cost has the others' loads): the best ones the time left affords are kept, tuned-1
    // always.
    let left = o.time_budget_s - t.elapsed() - b.final_cost;
    let mut affordable = (left / b.full_load_s.max(1e-3)).floor().max(0.0) as usize;
    finalists.retain(|f| {
        if f.template.is_some() || !f.id.starts_with("tuned-") {
            return true;
        }
        let keep = f.id == "tuned-1" || affordable > 0;
        affordable = affordable.saturating_sub(1);
        keep
    });
    let (load, run) = o.target.scaled(1.0, b.run_s);
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
    let warm_started = t.elapsed();
    interrupted = interrupted || warm_up(t, &finalists, &templates, &run, b.run_s)?;
    let warm_wall = t.elapsed() - warm_started;
    // The run length again, from the time left and the overhead the warm-ups measured.
    let run_s = if interrupted {
        b.run_s
    } else {
        let n = finalists.len().min(templates.len());
        let (left, warm_run) = (o.time_budget_s - t.elapsed(), warm_run_s(&run, b.run_s));
        let run_s = b.final_run_s(o, left, warm_wall, warm_run, n);
        t.say(format!(
            "final round: runs of {run_s:.1} s ({left:.0} s left; the warm-ups took {:.1} s each with {warm_run:.1} s of run)",
            warm_wall / n.max(1) as f64,
        ));
        run_s
    };
    let (_, run) = o.target.scaled(1.0, run_s);
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
    let mut peaks = vec![0u64; finalists.len()];
    if !interrupted {
        interrupted = repeats(t, &mut result, &templates, &run, &mut peaks)?;
    }
    result.interrupted = interrupted;
    finalise(&mut result);
    rerank(&mut result, o.memory_budget, start_id(o));
    let memory = memory_checks(t, &finalists, &peaks);
    let front = front(t, &result, &finalists);
    let mut outcome = outcome(t, &result, &templates, &finalists, run_s)?;
    if let (Some(oc), false) = (&mut outcome, result.interrupted || !o.explain) {
        let deadline = o.time_budget_s;
        let wi = finalists.iter().position(|f| f.id == oc.winner);
        if let Some(wi) = wi {
            oc.explained =
                explain::explain(t, &finalists[wi], &templates[wi], &run, run_s, deadline)?;
        }
    }
    let diff_from_base = match (&o.base, &outcome) {
        (Some(base), Some(oc)) => finalists
            .iter()
            .find(|f| f.id == oc.winner)
            .map(|w| diff_text(&w.config, base, &oc.winner))
            .transpose()?,
        _ => None,
    };
    Ok(FinalRound {
        result,
        outcome,
        memory,
        front,
        diff_from_base,
        run_s,
    })
}

/// options.txt with a base: only what the winner changes in the user's config.
fn diff_text(winner: &EngineConfig, base: &EngineConfig, id: &str) -> Result<String> {
    let changes = options_file::changes_from(winner, base)?;
    let s = options_file::options_string_from(winner, base, &changes);
    Ok(format!(
        "# rdbtune tune: the winner ({id}) as the change from your base config (--options-file / --options-from-db / --rocksdb-options): apply this options string on top of it (GetOptionsFromString with your options as the base). OPTIONS.ini beside it is the whole config.\n# {}\n{s}\n",
        options_file::cache_note(winner)
    ))
}

/// One short unmeasured run per finalist. The search's loads have pushed the finalists'
/// files out of the page cache, so a first measured repeat would measure a cold start (in a
/// 30-minute acceptance run every config's first repeat was 6-73% below the mean of its
/// later ones), widening every interval with one outlier round. Returns whether a signal
/// interrupted it.
fn warm_up(
    t: &Tuner,
    finalists: &[Finalist],
    templates: &[Template],
    run: &[PhaseTemplate],
    run_s: f64,
) -> Result<bool> {
    let mut warm = run.to_vec();
    let phase_s = warm_phase_s(run, run_s);
    for p in &mut warm {
        if !p.spec.workload.is_step() {
            p.spec.duration_s = Some(phase_s);
        }
    }
    for (tr, tm) in finalists.iter().zip(templates) {
        tm.run_on_clone(&tr.config, &warm)?;
        t.say(format!("final warm-up {} (not measured)", tr.id));
        if signals::interrupted().is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The timed (not step) phases of `run`, at least 1.
fn timed_phases(run: &[PhaseTemplate]) -> usize {
    run.iter()
        .filter(|p| !p.spec.workload.is_step())
        .count()
        .max(1)
}

/// Seconds each timed phase of a warm-up run runs: its share of a quarter of `run_s`.
fn warm_phase_s(run: &[PhaseTemplate], run_s: f64) -> f64 {
    (run_s * FINAL_WARMUP_FRACTION / timed_phases(run) as f64).max(1.0)
}

/// Seconds of timed phases in one warm-up run.
fn warm_run_s(run: &[PhaseTemplate], run_s: f64) -> f64 {
    timed_phases(run) as f64 * warm_phase_s(run, run_s)
}

/// The largest per-second RSS of `phases`.
fn peak_rss(phases: &[PhaseResult]) -> u64 {
    phases
        .iter()
        .flat_map(|p| p.intervals.iter().map(|i| i.rss_bytes))
        .max()
        .unwrap_or(0)
}

/// The interleaved repeats: repeat r runs the finalists rotated by r. Each run's
/// `peak_rss_bytes` is the RSS while its run phases ran (the load ran earlier, among other
/// configs' loads). Returns whether a signal interrupted them.
fn repeats(
    t: &Tuner,
    result: &mut RunResult,
    templates: &[Template],
    run: &[PhaseTemplate],
    peaks: &mut [u64],
) -> Result<bool> {
    let n = result.scenario.trials.len().min(templates.len());
    let labels = t.o.target.labels();
    let ob = &t.o.objective;
    for rep in 0..t.o.repeats {
        for k in 0..n {
            let i = (k + rep) % n;
            let trial = &result.scenario.trials[i];
            let r = templates[i].run_on_clone(&trial.config, run)?;
            if signals::interrupted().is_some() {
                return Ok(true);
            }
            let peak = peak_rss(&r);
            peaks[i] = peaks[i].max(peak);
            let phases: Vec<PhaseResult> = templates[i].load.iter().cloned().chain(r).collect();
            let mut metrics = run_metrics(&labels, &phases, trial.config.configured_memory());
            metrics.insert("peak_rss_bytes".into(), peak as f64);
            t.say(format!(
                "final repeat {} {}: {} = {}, peak RSS {}",
                rep + 1,
                trial.id,
                ob.metric,
                crate::metrics::show(
                    &ob.metric,
                    metrics.get(&ob.metric).copied().unwrap_or(f64::NAN)
                ),
                human_bytes(peak)
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

/// The finalist the search started from, the reference of the claims: the user's config
/// when given, else RocksDB's defaults.
fn start_id(o: &TuneOptions) -> &'static str {
    if o.base.is_some() {
        "base"
    } else {
        "default"
    }
}

/// The recommendation again, as the tuner judges it: the memory budget on each finalist's
/// configured capacities (block cache and memtables: a config over it would outgrow the
/// budget as the data grows, whatever it measured on this data) and on its measured peak (a
/// finalist whose RSS went over it in any repeat cannot win; the recommender's constraint
/// judges the median repeat); among finalists tied with the best, the cost tie-break keeps
/// to those whose gain over the start config is confirmed when any is. A finalist barred by
/// the budget is still the reference when it is the start config.
fn rerank(result: &mut RunResult, budget: u64, start_id: &str) {
    let barred: Vec<(String, String)> = result
        .summaries
        .iter()
        .filter_map(|s| {
            if s.configured_memory > budget {
                return Some((
                    s.id.clone(),
                    format!(
                        "block cache and memtables configured at {}, over the memory budget {}",
                        human_bytes(s.configured_memory),
                        human_bytes(budget)
                    ),
                ));
            }
            let peak = s
                .samples
                .get("peak_rss_bytes")?
                .iter()
                .copied()
                .fold(0.0, f64::max);
            (peak > budget as f64).then(|| {
                (
                    s.id.clone(),
                    format!(
                        "peak RSS {} in one repeat, over the memory budget {}",
                        human_bytes(peak as u64),
                        human_bytes(budget)
                    ),
                )
            })
        })
        .collect();
    let Some(objective) = result.scenario.objective.clone() else {
        return;
    };
    if result.recommendation.is_none() {
        return;
    }
    let axes = vec!["trial".to_string()];
    result.recommendation = recommend_against(
        &objective,
        &result.scenario.constraints,
        &axes,
        None,
        result.scenario.threshold,
        &result.summaries,
        Some(start_id),
        &barred,
    );
}

/// Each finalist's predicted memory against its measured peak RSS.
fn memory_checks(t: &Tuner, finalists: &[Finalist], peaks: &[u64]) -> Vec<MemoryCheck> {
    finalists
        .iter()
        .zip(peaks)
        .filter(|(_, p)| **p > 0)
        .map(|(f, &p)| {
            let predicted = predict(&f.config, &t.space.shape);
            MemoryCheck {
                id: f.id.clone(),
                predicted_bytes: predicted.total(),
                predicted,
                configured_bytes: f.config.configured_memory(),
                measured_peak_bytes: p,
                within_budget: p <= t.o.memory_budget
                    && f.config.configured_memory() <= t.o.memory_budget,
            }
        })
        .collect()
}

/// How much better `a`'s samples are than `b`'s on `o` (better > 0), with its interval;
/// `a[i]` and `b[i]` ran in one round of interleaved runs, so they are compared in pairs.
pub(super) fn gain(o: &Objective, a: &[f64], b: &[f64]) -> Option<Comparison> {
    if o.maximize {
        compare_paired(a, b)
    } else {
        compare_paired(b, a)
    }
}

/// Finalist `a` against `b` on `o` over the final round's repeats, paired by repeat.
fn gain_over(result: &RunResult, o: &Objective, a: &str, b: &str) -> Option<Comparison> {
    let find = |id: &str| result.summaries.iter().find(|s| s.id == id);
    let (x, y) = find(a)?.paired_with(find(b)?, &o.metric)?;
    gain(o, &x, &y)
}

/// With --pareto: the finalists no other finalist beats on both objectives (medians),
/// among those within the constraints and the memory budget.
fn front(t: &Tuner, result: &RunResult, finalists: &[Finalist]) -> Vec<FrontPoint> {
    let Some((a, b)) = &t.o.pareto else {
        return Vec::new();
    };
    let median = |id: &str, m: &str| {
        result
            .summaries
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.median(m))
    };
    let mut items = Vec::new();
    for f in finalists {
        // Without a recommendation no finalist met the constraints and the budget.
        let ok = result
            .recommendation
            .as_ref()
            .is_some_and(|r| !r.excluded.iter().any(|(id, _)| *id == f.id));
        let (Some(x), Some(y)) = (median(&f.id, &a.metric), median(&f.id, &b.metric)) else {
            continue;
        };
        let orient = |o: &Objective, v: f64| if o.maximize { v } else { -v };
        items.push((f, ok, vec![orient(a, x), orient(b, y)], vec![x, y]));
    }
    let keys = order(
        &items.iter().map(|i| (i.1, i.2.clone())).collect::<Vec<_>>(),
        2,
    );
    let mut front: Vec<(f64, FrontPoint)> = items
        .iter()
        .zip(&keys)
        .filter(|(_, k)| **k > -1.0 && **k <= 0.0)
        .map(|(i, _)| {
            (
                i.2[0],
                FrontPoint {
                    id: i.0.id.clone(),
                    values: i.3.clone(),
                    knobs: i.0.knobs.clone(),
                },
            )
        })
        .collect();
    front.sort_by(|x, y| y.0.total_cmp(&x.0));
    front.into_iter().map(|(_, p)| p).collect()
}

/// The winner's gains over the references and, on the hold-out target, over the start
/// config.
fn outcome(
    t: &Tuner,
    result: &RunResult,
    templates: &[Template],
    finalists: &[Finalist],
    run_s: f64,
) -> Result<Option<TuneOutcome>> {
    let Some(rec) = &result.recommendation else {
        return Ok(None);
    };
    let o = t.o;
    let ob = &o.objective;
    let w = &rec.winner;
    let mut oc = TuneOutcome {
        winner: rec.winner.clone(),
        vs_default: gain_over(result, ob, w, "default"),
        vs_production_optimized: gain_over(result, ob, w, "production_optimized"),
        vs_base: o
            .base
            .as_ref()
            .and_then(|_| gain_over(result, ob, w, "base")),
        holdout: None,
        holdout_regressed: None,
        explained: Vec::new(),
    };
    let start_id = start_id(o);
    let wi = finalists.iter().position(|x| x.id == rec.winner);
    let si = finalists.iter().position(|x| x.id == start_id);
    // A winner that is the start config has nothing to check on the hold-out.
    let si = si.filter(|&i| Some(i) != wi);
    if let (Some(h), false, Some(wi), Some(si)) = (&o.holdout, result.interrupted, wi, si) {
        if let Some((c, metric)) = holdout(
            t,
            h,
            (&finalists[wi], &templates[wi]),
            (&finalists[si], &templates[si]),
            run_s,
        )? {
            // Regressed: a drop beyond 5% that the interval confirms.
            oc.holdout_regressed = Some(c.rel < -0.05 && c.rel_high < 0.0);
            t.say(format!(
                "hold-out {}: winner vs {start_id} on {metric}: {}",
                h.name,
                c.describe()
            ));
            oc.holdout = Some((h.name.clone(), c));
        }
    }
    Ok(Some(oc))
}

/// The winner and the start config on the hold-out target, 3 interleaved repeats each (on
/// the final round's loads when the hold-out loads the same data, else on loads of its
/// own). Judged by the tune's objective when the hold-out has that metric, else by its
/// default objective.
fn holdout(
    t: &Tuner,
    h: &Target,
    winner: (&Finalist, &Template),
    start: (&Finalist, &Template),
    run_s: f64,
) -> Result<Option<(Comparison, String)>> {
    let (hload, hrun) = h.scaled(1.0, run_s);
    let same = h.same_load(&t.o.target);
    let (own_w, own_s);
    let (tw, ts): (&Template, &Template) = if same {
        (winner.1, start.1)
    } else {
        t.say(format!(
            "loading the hold-out {} for the winner and the start config",
            h.name
        ));
        own_w = Template::load(&winner.0.config, &hload)?;
        own_s = Template::load(&start.0.config, &hload)?;
        (&own_w, &own_s)
    };
    // One unmeasured run each first, as in the final round (cold page cache otherwise).
    for (f, tm) in [(winner.0, tw), (start.0, ts)] {
        tm.run_on_clone(&f.config, &hrun)?;
    }
    let ob = if crate::metrics::known(&h.labels(), &t.o.objective.metric) {
        t.o.objective.clone()
    } else {
        h.default_objective()
    };
    let labels = h.labels();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for rep in 0..3 {
        let order: [(bool, &Finalist, &Template); 2] = if rep % 2 == 0 {
            [(true, winner.0, tw), (false, start.0, ts)]
        } else {
            [(false, start.0, ts), (true, winner.0, tw)]
        };
        for (is_w, f, tm) in order {
            let r = tm.run_on_clone(&f.config, &hrun)?;
            if signals::interrupted().is_some() {
                return Ok(None);
            }
            let phases: Vec<PhaseResult> = tm.load.iter().cloned().chain(r).collect();
            let m = run_metrics(&labels, &phases, f.config.configured_memory());
            let v = m.get(&ob.metric).copied().unwrap_or(f64::NAN);
            if is_w {
                a.push(v);
            } else {
                b.push(v);
            }
        }
    }
    Ok(gain(&ob, &a, &b).map(|c| (c, ob.metric.clone())))
}
