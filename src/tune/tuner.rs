//! `rdbtune tune`: successive halving over data size and run length, proposals from random
//! sampling then from a TPE model, debt-aware scores, and a final round of interleaved
//! repeats against RocksDB's defaults and production_optimized. See docs/tuning.md.

use super::search::{rungs, Candidate, Point, Space};
use crate::dbdir::DbDir;
use crate::engine::{Engine, EngineConfig, Preset};
use crate::error::{Error, Result};
use crate::runner::{run_phase, AfterWrite, PhaseResult, PhaseSpec, Progress};
use crate::scenario::run::{finalise, run_metrics, write_all, ScenarioResult, TrialRun};
use crate::scenario::{PhaseTemplate, Scenario, Trial};
use crate::signals;
use crate::sysmon::Machine;
use crate::tune::stats::{compare, Comparison, Estimate};
use crate::workload::ycsb::YcsbSpec;
use crate::workload::Workload;
use rand::rngs::SmallRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `rdbtune tune` was asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneOptions {
    /// YCSB core workload letter (a..f).
    pub workload: String,
    pub records: u64,
    pub memory_budget: u64,
    pub time_budget_s: f64,
    /// Hold-out workload letter, checked for over-fitting (None: no check).
    pub holdout: Option<String>,
    pub repeats: usize,
    pub threads: usize,
    pub seed: u64,
    #[serde(skip)]
    pub out: Option<PathBuf>,
    #[serde(skip)]
    pub quiet: bool,
}

/// One measured config at one fidelity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Eval {
    pub id: String,
    pub knobs: Vec<(String, String)>,
    /// Bracket, rung (0 = lowest fidelity) and how the config was proposed.
    pub bracket: usize,
    pub rung: usize,
    pub proposed_by: String,
    pub records: u64,
    pub run_s: f64,
    /// Run-phase ops / (run wall time + the compaction wait after it), ops/s.
    pub score: f64,
    pub ops_per_sec: f64,
    pub compaction_wait_s: f64,
    pub configured_memory_bytes: u64,
    /// Seconds since the tune started, at the end of this evaluation.
    pub at_s: f64,
}

/// The final verdicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneOutcome {
    pub winner: String,
    /// Winner vs each reference on the debt-aware score: relative change with its 95% CI.
    pub vs_default: Option<Comparison>,
    pub vs_production_optimized: Option<Comparison>,
    /// Winner vs defaults on the hold-out workload.
    pub holdout: Option<(String, Comparison)>,
    pub holdout_regressed: Option<bool>,
}

/// `rdbtune.tune/v1`: the search history and the outcome (the final round itself is the
/// scenario result in results.json beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneResult {
    pub schema: String,
    pub options: TuneOptions,
    pub machine: Machine,
    pub command: Vec<String>,
    pub search_s: f64,
    pub total_s: f64,
    /// Full-fidelity run length chosen from the budget, s.
    pub run_s: f64,
    pub history: Vec<Eval>,
    pub outcome: Option<TuneOutcome>,
    pub interrupted: bool,
}

fn ycsb(
    letter: &str,
    records: u64,
    threads: usize,
    seed: u64,
    run_s: f64,
) -> Result<(PhaseSpec, PhaseSpec)> {
    let mut y = YcsbSpec::core(letter)?;
    y.recordcount = records;
    y.operationcount = u64::MAX / 4;
    let mut load = PhaseSpec::new(Workload::YcsbLoad, records);
    load.threads = threads;
    load.ycsb = Some(y.clone());
    load.seed = seed;
    let mut run = PhaseSpec::new(Workload::YcsbRun, records);
    run.threads = threads;
    run.ycsb = Some(y);
    run.duration_s = Some(run_s.max(1.0));
    run.seed = seed ^ 0x5EED;
    Ok((load, run))
}

/// A final-round entry: id, config, knob values, its loaded DB when one exists already.
type Finalist = (
    String,
    EngineConfig,
    Vec<(String, String)>,
    Option<Template>,
);

/// A loaded DB kept closed on disk; runs use hard-linked clones of it.
struct Template {
    dir: DbDir,
    load: PhaseResult,
    load_s: f64,
}

impl Template {
    fn db(&self) -> PathBuf {
        self.dir.path().join("db")
    }
}

fn load_template(cfg: &EngineConfig, load: &PhaseSpec) -> Result<Template> {
    let t0 = Instant::now();
    let dir = DbDir::temporary(None)?;
    let db = dir.path().join("db");
    let e = Engine::open(cfg, &db)?;
    let r = run_phase(&e, load, AfterWrite::FlushAndWait, &Progress::default())?;
    drop(e);
    Ok(Template {
        dir,
        load: r,
        load_s: t0.elapsed().as_secs_f64(),
    })
}

/// Copies a closed DB: SST files are hard links (immutable), the rest is copied; info logs
/// are left out.
fn clone_db(src: &Path, dst: &Path) -> Result<()> {
    std::fs::create_dir_all(dst).map_err(|e| Error::io("creating", dst, e))?;
    for f in std::fs::read_dir(src)
        .map_err(|e| Error::io("reading", src, e))?
        .flatten()
    {
        let name = f.file_name();
        let n = name.to_string_lossy();
        if n.starts_with("LOG") {
            continue;
        }
        let to = dst.join(&name);
        let res = if n.ends_with(".sst") {
            std::fs::hard_link(f.path(), &to)
        } else {
            std::fs::copy(f.path(), &to).map(|_| ())
        };
        res.map_err(|e| Error::io("cloning", f.path(), e))?;
    }
    Ok(())
}

/// The final round's warm-up run per config, as a fraction of the run length.
const FINAL_WARMUP_FRACTION: f64 = 0.25;

/// Runs `run` on a clone of `t` with `cfg`; the clone is removed afterwards.
fn run_on_clone(t: &Template, cfg: &EngineConfig, run: &PhaseSpec) -> Result<PhaseResult> {
    let dir = DbDir::temporary(None)?;
    let db = dir.path().join("db");
    clone_db(&t.db(), &db)?;
    let e = Engine::open(cfg, &db)?;
    run_phase(&e, run, AfterWrite::WaitForCompaction, &Progress::default())
}

/// Run-phase ops over its wall time plus the compaction wait after it: a config that only
/// defers work pays for it here.
pub fn debt_aware(p: &PhaseResult) -> f64 {
    p.ops as f64 / (p.elapsed_s + p.compaction_wait_s).max(1e-9)
}

fn cand_id(p: &Point) -> String {
    format!("c{}", p.iter().map(|i| i.to_string()).collect::<String>())
}

struct Tuner<'a> {
    o: &'a TuneOptions,
    space: Space,
    rng: SmallRng,
    start: Instant,
    history: Vec<Eval>,
    /// Full-fidelity results, best first, with their templates (the best 3 kept).
    full: Vec<(f64, Candidate, Template)>,
    log: bool,
}

impl Tuner<'_> {
    fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    fn say(&self, m: String) {
        if self.log {
            eprintln!("[tune {:>5.0} s] {m}", self.elapsed());
        }
    }

    /// Loads at `records`, runs `run_s`; records the evaluation.
    #[allow(clippy::too_many_arguments)]
    fn evaluate(
        &mut self,
        c: &Candidate,
        bracket: usize,
        rung: usize,
        how: &str,
        records: u64,
        run_s: f64,
    ) -> Result<Option<(f64, Template)>> {
        let (load, run) = ycsb(
            &self.o.workload,
            records,
            self.o.threads,
            self.o.seed,
            run_s,
        )?;
        let t = load_template(&c.config, &load)?;
        if signals::interrupted().is_some() {
            return Ok(None);
        }
        let r = run_on_clone(&t, &c.config, &run)?;
        if signals::interrupted().is_some() {
            return Ok(None);
        }
        let score = debt_aware(&r);
        let id = cand_id(&c.point);
        self.history.push(Eval {
            id: id.clone(),
            knobs: c.knobs.clone(),
            bracket,
            rung,
            proposed_by: how.into(),
            records,
            run_s,
            score,
            ops_per_sec: r.ops_per_sec,
            compaction_wait_s: r.compaction_wait_s,
            configured_memory_bytes: Space::memory(&c.config),
            at_s: self.elapsed(),
        });
        self.say(format!(
            "bracket {bracket} rung {rung} {id} ({how}): {score:.0} ops/s debt-aware ({} records, {run_s:.0} s run)",
            records
        ));
        Ok(Some((score, t)))
    }
}

/// Parses `30m`, `90s`, `1h`, `1h30m` or plain seconds.
pub fn parse_duration(s: &str) -> Result<f64> {
    let bad = || {
        Error::usage(format!(
            "--time-budget {s:?}: write a duration like 30m, 90s, 1h or 1h30m"
        ))
    };
    let t = s.trim();
    if let Ok(x) = t.parse::<f64>() {
        return (x > 0.0 && x.is_finite()).then_some(x).ok_or_else(bad);
    }
    let (mut total, mut num) = (0.0, String::new());
    for ch in t.chars() {
        if ch.is_ascii_digit() || ch == '.' {
            num.push(ch);
            continue;
        }
        let n: f64 = num.parse().map_err(|_| bad())?;
        num.clear();
        total += n * match ch {
            'h' => 3600.0,
            'm' => 60.0,
            's' => 1.0,
            _ => return Err(bad()),
        };
    }
    if !num.is_empty() || total <= 0.0 {
        return Err(bad());
    }
    Ok(total)
}

/// Runs the tuner; writes its folder; returns the result and the folder.
pub fn tune(o: &TuneOptions) -> Result<(TuneResult, PathBuf)> {
    if !"abcdef".contains(o.workload.as_str()) || o.workload.len() != 1 {
        return Err(Error::usage(format!(
            "--workload ycsb-{}: tune knows YCSB core workloads ycsb-a .. ycsb-f",
            o.workload
        )));
    }
    if o.repeats < 2 {
        return Err(Error::usage(
            "--repeats must be at least 2: the final round needs intervals",
        ));
    }
    let space = Space::new(o.memory_budget);
    let mut probe_rng = SmallRng::seed_from_u64(o.seed);
    if space.random(&mut probe_rng).is_none() {
        return Err(Error::usage(format!(
            "--memory-budget {}: too small for the smallest memtables and cache of the search space (give at least 64MiB)",
            crate::engine::size::human_bytes(o.memory_budget)
        )));
    }
    signals::install();
    let out = o.out.clone().unwrap_or_else(|| {
        PathBuf::from("results")
            .join(format!("tune-ycsb-{}", o.workload))
            .join(crate::scenario::run::timestamp(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs()),
            ))
    });
    let mut t = Tuner {
        o,
        space,
        rng: SmallRng::seed_from_u64(o.seed),
        start: Instant::now(),
        history: Vec::new(),
        full: Vec::new(),
        log: !o.quiet,
    };
    let budget = o.time_budget_s;

    // 1. The defaults' full load: a reference for the final round and the load cost.
    let default_cfg = Preset::Default.config();
    let prod_cfg = Preset::ProductionOptimized.config();
    let probe_run = 2.0;
    let (load, _) = ycsb(&o.workload, o.records, o.threads, o.seed, probe_run)?;
    let default_t = load_template(&default_cfg, &load)?;
    let full_load_s = default_t.load_s;
    t.say(format!(
        "defaults loaded {} records in {full_load_s:.1} s",
        o.records
    ));
    // 2. Run length: the final round (4 more loads, a warm-up run per config at a quarter of
    //    the run length, 5 configs x repeats runs, the hold-out) gets about 45% of the budget.
    let runs_in_final = 5 * o.repeats + if o.holdout.is_some() { 2 * 3 } else { 0 };
    // Per run beyond its run length: clone, open, the compaction wait (more with more data).
    let overhead = 0.3 + 0.05 * full_load_s;
    // One warm-up run per finalist: up to three tuned configs, the defaults and
    // production_optimized.
    let (warm_runs, warm_frac) = (5.0, FINAL_WARMUP_FRACTION);
    let run_s = ((0.45 * budget - 4.0 * full_load_s - warm_runs * overhead)
        / (runs_in_final as f64 + warm_runs * warm_frac)
        - overhead)
        .clamp(1.0, 60.0);
    let final_cost = 4.0 * full_load_s
        + runs_in_final as f64 * (run_s + overhead)
        + warm_runs * (warm_frac * run_s + overhead);
    let search_deadline = (budget - final_cost).max(t.elapsed());
    t.say(format!(
        "full-fidelity run {run_s:.0} s; search until {search_deadline:.0} s, final round about {final_cost:.0} s"
    ));
    // 3. Successive halving brackets: rungs at 1/9, 1/3 and all of the records and at a third,
    //    a third and all of the run length.
    let fracs = [1.0 / 9.0, 1.0 / 3.0, 1.0];
    let cost = |frac: f64, rs: f64| full_load_s * frac + rs + overhead + 0.5;
    let mut seen: Vec<Point> = Vec::new();
    let mut bracket = 0;
    let mut interrupted = false;
    'search: loop {
        let n0 = 9usize;
        let sizes = rungs(n0, 3);
        let bracket_cost: f64 = sizes
            .iter()
            .enumerate()
            .map(|(r, n)| *n as f64 * cost(fracs[r.min(2)], run_s * fracs[r.min(2)].max(1.0 / 3.0)))
            .sum();
        if t.elapsed() + bracket_cost.min(cost(fracs[0], run_s / 3.0) * 3.0) > search_deadline {
            break;
        }
        // Proposals: random in the first bracket, then two thirds from the TPE model fitted on
        // every lowest-rung score so far.
        let scored: Vec<(Point, f64)> = t
            .history
            .iter()
            .filter(|e| e.rung == 0)
            .map(|e| {
                let p: Point = e.id[1..]
                    .chars()
                    .map(|c| c.to_digit(10).unwrap_or(0) as usize)
                    .collect();
                (p, e.score)
            })
            .collect();
        let mut cands: Vec<(Candidate, &str)> = Vec::new();
        for k in 0..n0 {
            let use_model = bracket > 0 && k % 3 != 2;
            let c = if use_model {
                t.space.tpe(&scored, &mut t.rng, &seen).map(|c| (c, "tpe"))
            } else {
                t.space.random(&mut t.rng).map(|c| (c, "random"))
            };
            if let Some((c, how)) = c {
                if !seen.contains(&c.point) {
                    seen.push(c.point.clone());
                    cands.push((c, how));
                }
            }
        }
        let mut alive: Vec<(Candidate, &str, f64)> =
            cands.into_iter().map(|(c, h)| (c, h, 0.0)).collect();
        for rung in 0..sizes.len() {
            let frac = fracs[rung.min(2)];
            let records = ((o.records as f64 * frac) as u64).max(1000);
            let rs = (run_s * frac.max(1.0 / 3.0)).max(1.0);
            let full = rung == sizes.len() - 1 && frac >= 1.0;
            let mut scored_rung = Vec::new();
            for (c, how, _) in &alive {
                if t.elapsed() + cost(frac, rs) > search_deadline {
                    break 'search;
                }
                match t.evaluate(c, bracket, rung, how, records, rs)? {
                    Some((score, tmpl)) => {
                        if full {
                            // Distinct configs: `seen` never proposes a point twice.
                            t.full.push((score, c.clone(), tmpl));
                            t.full.sort_by(|a, b| b.0.total_cmp(&a.0));
                            t.full.truncate(3);
                        }
                        scored_rung.push((c.clone(), *how, score));
                    }
                    None => {
                        interrupted = true;
                        break 'search;
                    }
                }
            }
            scored_rung.sort_by(|a, b| b.2.total_cmp(&a.2));
            let next = sizes.get(rung + 1).copied().unwrap_or(0);
            alive = scored_rung
                .into_iter()
                .take(next.max(if rung + 1 < sizes.len() { 1 } else { 0 }))
                .collect();
            if alive.is_empty() {
                break;
            }
        }
        bracket += 1;
    }
    let search_s = t.elapsed();

    // 4. Final round: the best three measured at full fidelity (or, with a small budget, the
    //    best of the highest rung reached), RocksDB defaults and production_optimized.
    let mut finalists: Vec<Finalist> = Vec::new();
    let full = std::mem::take(&mut t.full);
    for (i, (_, c, tmpl)) in full.into_iter().enumerate() {
        finalists.push((format!("tuned-{}", i + 1), c.config, c.knobs, Some(tmpl)));
    }
    if finalists.is_empty() {
        let mut best: Vec<&Eval> = t.history.iter().collect();
        best.sort_by(|a, b| b.rung.cmp(&a.rung).then(b.score.total_cmp(&a.score)));
        let mut ids: Vec<&str> = Vec::new();
        for e in best {
            if ids.len() == 3 || ids.contains(&e.id.as_str()) {
                continue;
            }
            ids.push(&e.id);
            let p: Point = e.id[1..]
                .chars()
                .map(|c| c.to_digit(10).unwrap_or(0) as usize)
                .collect();
            if let Some(c) = t.space.config(&p) {
                finalists.push((format!("tuned-{}", ids.len()), c.config, c.knobs, None));
            }
        }
    }
    finalists.push((
        "default".into(),
        default_cfg.clone(),
        Vec::new(),
        Some(default_t),
    ));
    finalists.push(("production_optimized".into(), prod_cfg, Vec::new(), None));
    let (load, run) = ycsb(&o.workload, o.records, o.threads, o.seed, run_s)?;
    let mut templates: Vec<Template> = Vec::new();
    for f in &mut finalists {
        if interrupted {
            break;
        }
        let tm = match f.3.take() {
            Some(tm) => tm,
            None => {
                t.say(format!("loading {} for the final round", f.0));
                load_template(&f.1, &load)?
            }
        };
        templates.push(tm);
        interrupted |= signals::interrupted().is_some();
    }
    let trials: Vec<Trial> = finalists
        .iter()
        .map(|(id, cfg, knobs, _)| Trial {
            id: id.clone(),
            axes: std::iter::once(("trial".to_string(), id.clone()))
                .chain(knobs.iter().cloned())
                .collect(),
            config: cfg.clone(),
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
    let mut runs: Vec<TrialRun> = Vec::new();
    // Warm-up: one short unmeasured run per finalist first. The search's loads have pushed
    // the finalists' files out of the page cache, so a first measured repeat would measure a
    // cold start (in a 30-minute acceptance run every config's first repeat was 6-73% below
    // the mean of its later ones), widening every interval with one outlier round.
    let mut warm = run.clone();
    warm.duration_s = Some((run_s * FINAL_WARMUP_FRACTION).max(1.0));
    for k in 0..trials.len().min(templates.len()) {
        if interrupted {
            break;
        }
        run_on_clone(&templates[k], &trials[k].config, &warm)?;
        t.say(format!("final warm-up {} (not measured)", trials[k].id));
        interrupted |= signals::interrupted().is_some();
    }
    'final_round: for rep in 0..o.repeats {
        if interrupted {
            break;
        }
        let n = trials.len().min(templates.len());
        for k in 0..n {
            let i = (k + rep) % n;
            let r = run_on_clone(&templates[i], &trials[i].config, &run)?;
            if signals::interrupted().is_some() {
                interrupted = true;
                break 'final_round;
            }
            let phases = vec![templates[i].load.clone(), r];
            let mut metrics = run_metrics(&trials[i], &phases);
            metrics.insert("run.debt_ops_per_sec".into(), debt_aware(&phases[1]));
            t.say(format!(
                "final repeat {} {}: {:.0} ops/s debt-aware",
                rep + 1,
                trials[i].id,
                debt_aware(&phases[1])
            ));
            runs.push(TrialRun {
                trial: trials[i].id.clone(),
                repeat: rep,
                metrics,
                phases,
            });
        }
    }
    let objective: crate::tune::recommend::Objective = "maximize run.debt_ops_per_sec".parse()?;
    let constraint: crate::tune::recommend::Constraint =
        format!("configured_memory_bytes <= {}", o.memory_budget).parse()?;
    let scn = Scenario {
        name: format!("tune-ycsb-{}", o.workload),
        description: format!(
            "rdbtune tune: YCSB-{} with {} records within {} of memory; final round of {} interleaved repeats; the score is run-phase ops over its wall time plus the compaction wait after it",
            o.workload.to_uppercase(),
            o.records,
            crate::engine::size::human_bytes(o.memory_budget),
            o.repeats
        ),
        source: String::new(),
        data: Default::default(),
        run: crate::scenario::RunFile { repeats: o.repeats, ..Default::default() },
        objective: Some(objective),
        constraints: vec![constraint],
        threshold_axis: None,
        threshold: 0.05,
        memory_budget: Some(crate::engine::size::Size(o.memory_budget)),
        columns: vec!["run.ops_per_sec".into(), "run.p99_us".into(), "run.compaction_wait_s".into()],
        alerts: Default::default(),
        axes: Vec::new(),
        trials,
    };
    let mut sr = ScenarioResult {
        schema: crate::results::SCHEMA.into(),
        kind: "tune".into(),
        scenario: scn,
        command: std::env::args().collect(),
        machine: Machine::detect(Some(&std::env::temp_dir())),
        started_unix: 0,
        quick: false,
        repeats: o.repeats,
        shard: None,
        db_preparation: "one load per config (after a flush and compaction wait), then each repeat runs on a hard-linked clone of it".into(),
        skipped: Vec::new(),
        runs,
        summaries: Vec::new(),
        recommendation: None,
        interrupted,
        partial_run: None,
    };
    finalise(&mut sr);
    let samples = |id: &str| -> Vec<f64> {
        sr.summaries
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.samples.get("run.debt_ops_per_sec").cloned())
            .unwrap_or_default()
    };
    let mut outcome = None;
    if let Some(rec) = &sr.recommendation {
        let w = samples(&rec.winner);
        let mut oc = TuneOutcome {
            winner: rec.winner.clone(),
            vs_default: compare(&w, &samples("default")),
            vs_production_optimized: compare(&w, &samples("production_optimized")),
            holdout: None,
            holdout_regressed: None,
        };
        // 5. Hold-out: the winner and the defaults on another workload over the same data.
        if let (Some(h), false) = (&o.holdout, interrupted) {
            let wi = sr.scenario.trials.iter().position(|x| x.id == rec.winner);
            let di = sr.scenario.trials.iter().position(|x| x.id == "default");
            if let (Some(wi), Some(di)) = (wi, di) {
                let (_, hrun) = ycsb(h, o.records, o.threads, o.seed ^ 0x401d, run_s)?;
                let (mut a, mut b) = (Vec::new(), Vec::new());
                for rep in 0..3 {
                    let order = if rep % 2 == 0 { [wi, di] } else { [di, wi] };
                    for i in order {
                        let r = run_on_clone(&templates[i], &sr.scenario.trials[i].config, &hrun)?;
                        if i == wi {
                            a.push(debt_aware(&r));
                        } else {
                            b.push(debt_aware(&r));
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
        }
        outcome = Some(oc);
    }
    drop(templates);
    write_all(&sr, &out)?;
    let result = TuneResult {
        schema: "rdbtune.tune/v1".into(),
        options: o.clone(),
        machine: sr.machine.clone(),
        command: sr.command.clone(),
        search_s,
        total_s: t.elapsed(),
        run_s,
        history: t.history,
        outcome,
        interrupted,
    };
    let mut j = serde_json::to_vec_pretty(&result).map_err(|e| Error::usage(e.to_string()))?;
    j.push(b'\n');
    crate::results::write_output(&out.join("tune.json"), &j)?;
    Ok((result, out))
}

/// The closing lines: the winner and its gains with intervals.
pub fn describe(r: &TuneResult) -> String {
    let mut s = format!(
        "tune: {} evaluations in {:.0} s of search, {:.0} s in all (budget {:.0} s)\n",
        r.history.len(),
        r.search_s,
        r.total_s,
        r.options.time_budget_s
    );
    let gain = |c: &Option<Comparison>| match c {
        Some(c) if c.rel_low.is_finite() => format!(
            "{:.2}x [95% CI {:.2}x to {:.2}x]{}",
            1.0 + c.rel,
            1.0 + c.rel_low,
            1.0 + c.rel_high,
            if c.rel_low > 0.0 {
                ""
            } else {
                " (not above 1 with 95% confidence)"
            }
        ),
        Some(c) => format!("{:.2}x (no interval)", 1.0 + c.rel),
        None => "-".into(),
    };
    match &r.outcome {
        Some(o) => {
            s.push_str(&format!("winner: {}\n", o.winner));
            s.push_str(&format!(
                "  vs RocksDB defaults:       {}\n",
                gain(&o.vs_default)
            ));
            s.push_str(&format!(
                "  vs production_optimized:   {}\n",
                gain(&o.vs_production_optimized)
            ));
            if let Some((h, c)) = &o.holdout {
                let ci = if c.rel_low.is_finite() {
                    format!(
                        " [95% CI {:.2}x to {:.2}x]",
                        1.0 + c.rel_low,
                        1.0 + c.rel_high
                    )
                } else {
                    String::new()
                };
                s.push_str(&format!(
                    "  hold-out {h}, winner vs defaults: {:.2}x{ci}: {}\n",
                    1.0 + c.rel,
                    if c.rel < -0.05 {
                        "REGRESSED by more than 5% (over-fitted to the tuned workload)"
                    } else {
                        "no regression beyond 5%"
                    }
                ));
            }
        }
        None if r.interrupted => {
            s.push_str("no recommendation: interrupted before the final round finished\n")
        }
        None => s.push_str(
            "no recommendation: no finalist within the memory budget finished the final round\n",
        ),
    }
    s
}

/// Mean of an estimate, for reports.
pub fn est(e: &Option<Estimate>) -> f64 {
    e.map_or(f64::NAN, |e| e.mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("30m").unwrap(), 1800.0);
        assert_eq!(parse_duration("1h30m").unwrap(), 5400.0);
        assert_eq!(parse_duration("90").unwrap(), 90.0);
        assert_eq!(parse_duration("45s").unwrap(), 45.0);
        for bad in ["", "0", "-5", "10x", "m", "1h30"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
