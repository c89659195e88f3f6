//! `rdbtune tune`: successive halving over data size and run length, proposals at random,
//! near the start config or from a TPE model, scores from any catalogued metric under
//! constraints, then a final round of interleaved repeats against RocksDB's defaults,
//! production_optimized and the start config, the winner explained knob by knob. See
//! docs/tuning.md.

use super::final_round;
use super::memory::Shape;
use super::space::{point_id, rungs, Candidate, Point, Space};
use super::template::{release_memory, Template};
use crate::engine::size::human_bytes;
use crate::engine::{EngineConfig, Preset};
use crate::error::{Error, Result};
use crate::export;
use crate::metrics::run_metrics;
use crate::model::tune::{Eval, SearchKind, TuneOptions, TuneResult, TUNE_SCHEMA};
use crate::model::{Objective, PhaseResult};
use crate::output::{write_output, RunFolder};
use crate::scenario::execute::{now_unix, timestamp};
use crate::signals;
use crate::ui::TuneBar;
use rand::rngs::SmallRng;
use rand::SeedableRng;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// Tuned configs in the final round: three, or five with --pareto (a front).
pub(super) fn tuned_finalists(o: &TuneOptions) -> usize {
    if o.pareto.is_some() {
        5
    } else {
        3
    }
}

/// The final round's warm-up run per config, as a fraction of the run length.
pub(super) const FINAL_WARMUP_FRACTION: f64 = 0.25;

/// Rungs of a bracket: a ninth, a third and all of the records.
const FRACS: [f64; 3] = [1.0 / 9.0, 1.0 / 3.0, 1.0];

/// Configs proposed per bracket.
const PER_BRACKET: usize = 9;

/// Shares of the budget: the final round (loads, warm-ups, repeats, hold-out) and, from 20
/// minutes on, the explanation of the winner; the search gets the rest.
const FINAL_SHARE: f64 = 0.40;
const EXPLAIN_SHARE: f64 = 0.15;

/// How the time budget is split.
pub(super) struct Budget {
    /// Full-fidelity run length, s.
    pub run_s: f64,
    /// Expected cost of the final round, s.
    pub final_cost: f64,
    /// The search stops proposing past this many seconds.
    pub search_deadline: f64,
    /// Per run beyond its run length: clone, open, the compaction wait.
    pub overhead: f64,
    pub full_load_s: f64,
}

impl Budget {
    /// The final round (a load for production_optimized and the base, the tuned finalists
    /// and the defaults having theirs, a warm-up run per config at a quarter of the run
    /// length, configs x repeats runs, the hold-out with two loads when it loads other data)
    /// gets about 40% of the budget; the explanation 15% from 20 minutes on (below, only the
    /// time left at the end).
    fn plan(o: &TuneOptions, full_load_s: f64, now: f64) -> Budget {
        let budget = o.time_budget_s;
        // The tuned configs, the defaults, production_optimized and the base.
        let configs = tuned_finalists(o) + 2 + usize::from(o.base.is_some());
        let (holdout_runs, holdout_loads) = holdout_cost(o);
        let runs_in_final = configs * o.repeats + holdout_runs;
        // Clone, page-cache warming (a read of the data: up to about a tenth of a load when
        // the system dropped it, with margin), open, the compaction wait.
        let overhead = 0.3 + 0.15 * full_load_s;
        let loads = 1.0 + f64::from(u8::from(o.base.is_some())) + holdout_loads;
        let (warm_runs, warm_frac) = (configs as f64, FINAL_WARMUP_FRACTION);
        let explain = if o.explain && budget >= 1200.0 {
            EXPLAIN_SHARE * budget
        } else {
            0.0
        };
        let run_s = ((FINAL_SHARE * budget - loads * full_load_s - warm_runs * overhead)
            / (runs_in_final as f64 + warm_runs * warm_frac)
            - overhead)
            .clamp(1.0, 60.0);
        let final_cost = loads * full_load_s
            + runs_in_final as f64 * (run_s + overhead)
            + warm_runs * (warm_frac * run_s + overhead);
        Budget {
            run_s,
            final_cost,
            search_deadline: (budget - final_cost - explain).max(now),
            overhead,
            full_load_s,
        }
    }

    /// Seconds one evaluation at `frac` of the records with a `run_s` run takes.
    fn cost(&self, frac: f64, run_s: f64) -> f64 {
        self.full_load_s * frac + run_s + self.overhead + 0.5
    }

    /// The final round's run length, planned again once its loads and warm-ups are done:
    /// the `left` seconds of the budget, less the explanation's share (when it explains) and
    /// the hold-out's loads, with a tenth kept as margin, over the repeats and the hold-out's
    /// runs, less the per-run overhead the warm-ups measured (`warm_wall` seconds for
    /// `configs` warm-ups of `warm_run` seconds each). The plan's per-run overhead is a
    /// worst case (a page cache to warm again, up to a tenth of a load); measured, it is
    /// usually a fraction of a second, and planning on the worst case left a 10-minute tune
    /// with 1.3 s runs (95% intervals of +-35-65%) and 170 s of its budget unused. Never
    /// shorter than the plan's run length, at most 60 s.
    pub(super) fn final_run_s(
        &self,
        o: &TuneOptions,
        left: f64,
        warm_wall: f64,
        warm_run: f64,
        configs: usize,
    ) -> f64 {
        let (holdout_runs, holdout_loads) = holdout_cost(o);
        let explain = if o.explain {
            EXPLAIN_SHARE * o.time_budget_s
        } else {
            0.0
        };
        let overhead = (warm_wall / configs.max(1) as f64 - warm_run).max(0.1);
        let runs = (configs * o.repeats + holdout_runs).max(1) as f64;
        let per_run = 0.9 * (left - explain - holdout_loads * self.full_load_s) / runs - overhead;
        per_run.min(60.0).max(self.run_s)
    }
}

/// The hold-out's runs (the winner and the start config, one warm-up and 3 repeats each)
/// and loads (two when it loads other data than the target).
fn holdout_cost(o: &TuneOptions) -> (usize, f64) {
    match &o.holdout {
        Some(h) if !h.same_load(&o.target) => (2 * 4, 2.0),
        Some(_) => (2 * 4, 0.0),
        None => (0, 0.0),
    }
}

/// The search's state.
pub(super) struct Tuner<'a> {
    pub o: &'a TuneOptions,
    pub space: Space,
    rng: SmallRng,
    start: Instant,
    pub history: Vec<Eval>,
    /// Full-fidelity results (oriented objectives), best first, with their templates.
    pub full: Vec<(Vec<f64>, Candidate, Template)>,
    /// Points proposed so far (none is proposed twice).
    seen: Vec<Point>,
    bar: TuneBar,
    /// Best rank score at full fidelity so far, for the progress line.
    best: Option<(f64, String)>,
}

/// An evaluation's objective values (oriented: larger is better) and constraint verdict.
pub(super) struct Scored {
    pub values: Vec<f64>,
    pub feasible: bool,
    pub metrics: BTreeMap<String, f64>,
}

impl Tuner<'_> {
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// A progress line: above the bar on a terminal, on stderr otherwise.
    pub fn say(&self, m: String) {
        self.bar.say(self.elapsed(), &m);
    }

    /// The objectives this tune scores (one, or two with --pareto).
    pub fn objectives(&self) -> Vec<Objective> {
        match &self.o.pareto {
            Some((a, b)) => vec![a.clone(), b.clone()],
            None => vec![self.o.objective.clone()],
        }
    }

    /// Scores a finished evaluation: its objectives (oriented) and constraints.
    pub fn score(&self, phases: &[PhaseResult], cfg: &EngineConfig) -> Scored {
        let labels = self.o.target.labels();
        let m = run_metrics(&labels, phases, cfg.configured_memory());
        let mut metrics = BTreeMap::new();
        let mut values = Vec::new();
        for ob in self.objectives() {
            let v = m.get(&ob.metric).copied().unwrap_or(f64::NAN);
            metrics.insert(ob.metric.clone(), v);
            values.push(if ob.maximize { v } else { -v });
        }
        let mut feasible = values.iter().all(|v| v.is_finite());
        for c in &self.o.constraints {
            let v = m.get(&c.metric).copied().unwrap_or(f64::NAN);
            metrics.insert(c.metric.clone(), v);
            feasible &= v.is_finite() && c.holds(v);
        }
        Scored {
            values,
            feasible,
            metrics,
        }
    }

    /// Loads at `frac` of the records, runs `run_s`; records the evaluation. `None` if
    /// interrupted.
    fn evaluate(
        &mut self,
        c: &Candidate,
        at: (usize, usize, &str),
        frac: f64,
        run_s: f64,
    ) -> Result<Option<(Scored, Template)>> {
        let (bracket, rung, how) = at;
        let (load, run) = self.o.target.scaled(frac, run_s);
        let t = Template::load(&c.config, &load)?;
        if signals::interrupted().is_some() {
            return Ok(None);
        }
        let runs = t.run_on_clone(&c.config, &run)?;
        if signals::interrupted().is_some() {
            return Ok(None);
        }
        let phases: Vec<PhaseResult> = t.load.iter().cloned().chain(runs).collect();
        let s = self.score(&phases, &c.config);
        let id = point_id(&c.point);
        let ob = &self.o.objective;
        let score = s.metrics.get(&ob.metric).copied().unwrap_or(f64::NAN);
        let records = load.first().or(run.first()).map_or(0, |p| p.spec.num);
        self.history.push(Eval {
            id: id.clone(),
            knobs: c.knobs.clone(),
            point: c.point.clone(),
            bracket,
            rung,
            proposed_by: how.into(),
            records,
            run_s,
            score,
            metrics: s.metrics.clone(),
            feasible: s.feasible,
            configured_memory_bytes: c.config.configured_memory(),
            predicted_memory_bytes: c.predicted_memory,
            at_s: self.elapsed(),
        });
        let shown = crate::metrics::show(&ob.metric, score);
        if frac >= 1.0 && s.feasible {
            // The objective's own value, oriented (with --pareto it need not be the first).
            let v = if ob.maximize { score } else { -score };
            let better = self.best.as_ref().is_none_or(|(b, _)| v > *b);
            if better {
                self.best = Some((v, format!("best {shown} {} ({id})", ob.metric)));
                if let Some((_, m)) = &self.best {
                    self.bar.best(m.clone());
                }
            }
        }
        self.say(format!(
            "bracket {bracket} rung {rung} {id} ({how}): {} = {shown}{} ({records} keys, {run_s:.0} s run)",
            ob.metric,
            if s.feasible { "" } else { ", a constraint fails" }
        ));
        Ok(Some((s, t)))
    }

    /// A bracket's proposals: in the first, the start config itself and (with a base)
    /// configs near it or random ones; later, two thirds from the TPE model fitted on every
    /// lowest-rung score so far (with --search tpe) and one third at random.
    fn propose(&mut self, bracket: usize) -> Vec<(Candidate, &'static str)> {
        // Every lowest-rung evaluation ranked together (with --pareto, by non-dominated
        // sorting over all of them).
        let objectives = self.objectives();
        let low: Vec<&Eval> = self.history.iter().filter(|e| e.rung == 0).collect();
        let items: Vec<(bool, Vec<f64>)> = low.iter().map(|e| oriented(e, &objectives)).collect();
        let keys = order(&items, objectives.len());
        let scored: Vec<(Point, f64)> = low
            .iter()
            .zip(keys)
            .map(|(e, k)| (e.point.clone(), k))
            .collect();
        let mut cands = Vec::new();
        for k in 0..PER_BRACKET {
            let c = if bracket == 0 && k == 0 {
                // The start config, when it fits the budget (it is a
                // finalist either way).
                match self.space.start_candidate() {
                    Some(c) if self.space.fits(&c) => Some((c, "start")),
                    _ => self.space.random(&mut self.rng).map(|c| (c, "random")),
                }
            } else if bracket == 0 && self.o.base.is_some() && k % 2 == 1 {
                self.space
                    .near_start(&mut self.rng)
                    .map(|c| (c, "near-start"))
            } else if bracket > 0 && k % 3 != 2 && self.o.search == SearchKind::Tpe {
                self.space
                    .tpe(&scored, &mut self.rng, &self.seen)
                    .map(|c| (c, "tpe"))
            } else {
                self.space.random(&mut self.rng).map(|c| (c, "random"))
            };
            if let Some((c, how)) = c {
                if !self.seen.contains(&c.point) {
                    self.seen.push(c.point.clone());
                    cands.push((c, how));
                }
            }
        }
        cands
    }

    /// Successive halving brackets until the search deadline. Returns whether a signal
    /// interrupted the search.
    fn search(&mut self, b: &Budget) -> Result<bool> {
        let sizes = rungs(PER_BRACKET, 3);
        let bracket_cost: f64 = sizes
            .iter()
            .enumerate()
            .map(|(r, n)| {
                let f = FRACS[r.min(2)];
                *n as f64 * b.cost(f, b.run_s * f.max(1.0 / 3.0))
            })
            .sum();
        let mut bracket = 0;
        loop {
            let least = bracket_cost.min(b.cost(FRACS[0], b.run_s / 3.0) * 3.0);
            if self.elapsed() + least > b.search_deadline {
                return Ok(false);
            }
            let mut alive = self.propose(bracket);
            if alive.is_empty() {
                // Every config of the space was measured (a narrow --knobs/--fix space).
                self.say("every config of the space was measured: the search ends".into());
                return Ok(false);
            }
            for rung in 0..sizes.len() {
                let next = sizes.get(rung + 1).copied().unwrap_or(0);
                let keep = next.max(usize::from(rung + 1 < sizes.len()));
                match self.rung(b, bracket, rung, &alive, rung == sizes.len() - 1)? {
                    RungEnd::Done(scored) => {
                        let obj = self.objectives().len();
                        let keys = order(
                            &scored
                                .iter()
                                .map(|x| (x.2.feasible, x.2.values.clone()))
                                .collect::<Vec<_>>(),
                            obj,
                        );
                        let mut idx: Vec<usize> = (0..scored.len()).collect();
                        idx.sort_by(|a, b| keys[*b].total_cmp(&keys[*a]));
                        alive = idx
                            .into_iter()
                            .take(keep)
                            .map(|i| (scored[i].0.clone(), scored[i].1))
                            .collect();
                    }
                    RungEnd::Deadline => return Ok(false),
                    RungEnd::Interrupted => return Ok(true),
                }
                if alive.is_empty() {
                    break;
                }
            }
            bracket += 1;
        }
    }

    /// Evaluates every live config of one rung.
    fn rung<'c>(
        &mut self,
        b: &Budget,
        bracket: usize,
        rung: usize,
        alive: &[(Candidate, &'c str)],
        last: bool,
    ) -> Result<RungEnd<'c>> {
        let frac = FRACS[rung.min(2)];
        let rs = (b.run_s * frac.max(1.0 / 3.0)).max(1.0);
        let full = last && frac >= 1.0;
        let mut scored = Vec::new();
        for (c, how) in alive {
            if self.elapsed() + b.cost(frac, rs) > b.search_deadline {
                return Ok(RungEnd::Deadline);
            }
            let Some((s, tmpl)) = self.evaluate(c, (bracket, rung, how), frac, rs)? else {
                return Ok(RungEnd::Interrupted);
            };
            // The start config is a finalist already (default or base) unless fixed keys
            // make it another config.
            let is_start = c.point == self.space.start_point && self.space.fixed.is_empty();
            if full && s.feasible && !is_start {
                self.keep_full(s.values.clone(), c.clone(), tmpl);
            }
            scored.push((c.clone(), *how, s));
        }
        Ok(RungEnd::Done(scored))
    }
}

impl Tuner<'_> {
    /// Keeps a full-fidelity config with its loaded DB among the finalists: the best by
    /// the objective, or with --pareto the first non-dominated fronts. Distinct configs: a
    /// point is never proposed twice.
    fn keep_full(&mut self, values: Vec<f64>, c: Candidate, tmpl: Template) {
        self.full.push((values, c, tmpl));
        let n = self.objectives().len();
        let items: Vec<(bool, Vec<f64>)> = self.full.iter().map(|f| (true, f.0.clone())).collect();
        let keys = order(&items, n);
        let mut idx: Vec<usize> = (0..self.full.len()).collect();
        idx.sort_by(|a, b| keys[*b].total_cmp(&keys[*a]));
        let mut all: Vec<Option<(Vec<f64>, Candidate, Template)>> = std::mem::take(&mut self.full)
            .into_iter()
            .map(Some)
            .collect();
        self.full = idx
            .into_iter()
            .take(tuned_finalists(self.o))
            .filter_map(|i| all[i].take())
            .collect();
    }
}

/// An evaluation's objectives, oriented so larger is better, and whether it met every
/// constraint.
pub(super) fn oriented(e: &Eval, objectives: &[Objective]) -> (bool, Vec<f64>) {
    let v = objectives
        .iter()
        .map(|o| {
            let x = e.metrics.get(&o.metric).copied().unwrap_or(f64::NAN);
            if o.maximize {
                x
            } else {
                -x
            }
        })
        .collect();
    (e.feasible, v)
}

/// A scalar per item, larger is better: the objective (oriented) for one objective; for
/// two, minus the Pareto front index (non-dominated sorting), ties by the sum of the two
/// ranks. Items failing a constraint (or unmeasured) rank below all others.
pub(super) fn order(items: &[(bool, Vec<f64>)], objectives: usize) -> Vec<f64> {
    const LOW: f64 = -1e300;
    if objectives <= 1 {
        return items
            .iter()
            .map(|(ok, v)| {
                let x = v.first().copied().unwrap_or(f64::NAN);
                if *ok && x.is_finite() {
                    x
                } else {
                    LOW
                }
            })
            .collect();
    }
    let n = items.len();
    let dominates = |a: &[f64], b: &[f64]| {
        a.iter().zip(b).all(|(x, y)| x >= y) && a.iter().zip(b).any(|(x, y)| x > y)
    };
    let mut front = vec![usize::MAX; n];
    let mut left: Vec<usize> = (0..n).filter(|&i| items[i].0).collect();
    let mut level = 0;
    while !left.is_empty() {
        let now: Vec<usize> = left
            .iter()
            .copied()
            .filter(|&i| {
                !left
                    .iter()
                    .any(|&j| j != i && dominates(&items[j].1, &items[i].1))
            })
            .collect();
        for &i in &now {
            front[i] = level;
        }
        left.retain(|i| !now.contains(i));
        level += 1;
    }
    (0..n)
        .map(|i| {
            if front[i] == usize::MAX {
                return LOW;
            }
            let rank_sum: usize = (0..items[i].1.len())
                .map(|d| items.iter().filter(|x| x.1[d] > items[i].1[d]).count())
                .sum();
            -(front[i] as f64) - rank_sum as f64 / (n * 4) as f64
        })
        .collect()
}

/// How a rung ended.
enum RungEnd<'c> {
    Done(Vec<(Candidate, &'c str, Scored)>),
    Deadline,
    Interrupted,
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

/// Checks the options before anything runs.
fn validate(o: &TuneOptions, space: &Space) -> Result<()> {
    if o.repeats < 2 {
        return Err(Error::usage(
            "--repeats must be at least 2: the final round needs intervals",
        ));
    }
    let t = &o.target;
    for ob in std::iter::once(&o.objective).chain(o.pareto.iter().flat_map(|(a, b)| [a, b])) {
        t.check_metric(&ob.metric, "--objective")?;
    }
    for c in &o.constraints {
        t.check_metric(&c.metric, "--constraint")?;
    }
    if let Some((a, b)) = &o.pareto {
        if o.objective.metric != a.metric && o.objective.metric != b.metric {
            return Err(Error::usage(format!(
                "--objective {} with --pareto {},{}: the search ranks configs by the two Pareto metrics; give an --objective on one of them (it picks the recommendation files' config), or leave --objective out",
                o.objective, a.metric, b.metric
            )));
        }
    }
    if space.start_candidate().is_none() && space.config_any(&space.start_point).is_none() {
        return Err(Error::usage(
            "the start config with the --fix keys is not a valid config: check --fix against docs/engine.md",
        ));
    }
    let mut probe_rng = SmallRng::seed_from_u64(o.seed);
    if space.random(&mut probe_rng).is_none() {
        return Err(Error::usage(format!(
            "--memory-budget {}: too small for the smallest configs of the search space on this data ({} keys; the model counts block cache, memtables, index and filters, table readers and the process, and the block cache and memtables as configured, --fix keys included, must fit too: docs/tuning.md); give more",
            human_bytes(o.memory_budget),
            t.records
        )));
    }
    Ok(())
}

/// The process's resident memory now, bytes.
pub(super) fn rss_now() -> u64 {
    crate::sysmon::rss_bytes()
}

/// Runs the tuner; writes its folder; returns the result and the folder.
pub fn tune(o: &TuneOptions) -> Result<(TuneResult, PathBuf)> {
    let start_cfg = o.base.clone().unwrap_or_else(|| Preset::Default.config());
    release_memory();
    let shape: Shape = o.target.shape(rss_now());
    let space = Space::new(o.memory_budget, start_cfg, shape, &o.knobs, o.fix.clone())?;
    validate(o, &space)?;
    signals::install();
    let slug: String = o
        .target
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let out = o.out.clone().unwrap_or_else(|| {
        PathBuf::from("results")
            .join(format!("tune-{slug}"))
            .join(timestamp(now_unix()))
    });
    let folder = RunFolder::create(&out, "--out")?;
    let bar = TuneBar::new(o.time_budget_s, o.quiet);
    let mut t = Tuner {
        o,
        space,
        rng: SmallRng::seed_from_u64(o.seed),
        start: Instant::now(),
        history: Vec::new(),
        full: Vec::new(),
        seen: Vec::new(),
        bar,
        best: None,
    };
    // The defaults' full load: a finalist and the price of every other load.
    let (load, _) = o.target.scaled(1.0, 2.0);
    let default_t = Template::load(&Preset::Default.config(), &load)?;
    t.say(format!(
        "{}: RocksDB's defaults loaded {} keys in {:.1} s",
        o.target.name, o.target.records, default_t.load_s
    ));
    let b = Budget::plan(o, default_t.load_s, t.elapsed());
    t.say(format!(
        "full-fidelity run {:.0} s; search until {:.0} s, final round about {:.0} s; {} knobs ({})",
        b.run_s,
        b.search_deadline,
        b.final_cost,
        t.space.knobs.len(),
        t.space
            .knobs
            .iter()
            .map(|k| k.name)
            .collect::<Vec<_>>()
            .join(", ")
    ));
    for (k, why) in &t.space.left_out {
        t.say(format!("knob {k} left out: {why}"));
    }
    let interrupted = t.search(&b)?;
    let search_s = t.elapsed();
    let fin = final_round::run(&mut t, default_t, &b, interrupted)?;
    folder.write_all(&fin.result)?;
    if let Some(diff) = &fin.diff_from_base {
        write_output(&out.join("options.txt"), diff.as_bytes())?;
    }
    t.bar.finish();
    let result = TuneResult {
        schema: TUNE_SCHEMA.into(),
        options: o.clone(),
        machine: fin.result.machine.clone(),
        command: fin.result.command.clone(),
        search_s,
        total_s: t.elapsed(),
        run_s: b.run_s,
        final_run_s: fin.run_s,
        history: t.history,
        outcome: fin.outcome,
        memory: fin.memory,
        front: fin.front,
        interrupted: fin.result.interrupted,
    };
    write_output(&out.join("tune.json"), &export::json::json(&result)?)?;
    Ok((result, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tune::target::Target;

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

    fn options(budget_s: f64, holdout: Option<&str>) -> TuneOptions {
        let records = 1_000_000;
        TuneOptions {
            holdout: holdout.map(|h| Target::workload(h, records, 1, 1, "--holdout").unwrap()),
            ..TuneOptions::for_test(
                Target::workload("ycsb-a", records, 1, 1, "--workload").unwrap(),
                1536 << 20,
                budget_s,
            )
        }
    }

    /// The final round's run length planned again from the time left and the measured
    /// overhead: a 10-minute tune whose defaults loaded in 26.9 s planned 1.3 s runs on a
    /// worst-case overhead of 4.3 s a run; with 206 s left after warm-ups of 1.4 s (1 s of
    /// run), the runs grow to fill the time left (the explanation's 15% and a tenth kept).
    #[test]
    fn the_final_round_run_length_is_planned_again_from_the_time_left() {
        let o = options(600.0, Some("ycsb-b"));
        let b = Budget::plan(&o, 26.9, 27.0);
        assert!((b.overhead - (0.3 + 0.15 * 26.9)).abs() < 1e-9);
        assert!(b.run_s > 1.0 && b.run_s < 1.5, "{}", b.run_s);
        // 5 finalists x 5 repeats + the hold-out's 8 runs; the hold-out loads nothing.
        let r = b.final_run_s(&o, 206.0, 5.0 * 1.4, 1.0, 5);
        let want = 0.9 * (206.0 - 0.15 * 600.0) / 33.0 - 0.4;
        assert!((r - want).abs() < 1e-9, "{r} vs {want}");
        assert!(r > 2.0 * b.run_s);
        // Without the explanation, its share goes to the runs too.
        let mut quiet = o.clone();
        quiet.explain = false;
        assert!(b.final_run_s(&quiet, 206.0, 7.0, 1.0, 5) > r);
        // A hold-out on other data (db_bench readrandom loads its own) costs two loads first.
        let other = options(600.0, Some("readrandom"));
        let b2 = Budget::plan(&other, 26.9, 27.0);
        let r2 = b2.final_run_s(&other, 206.0, 7.0, 1.0, 5);
        assert!(r2 < r, "{r2} vs {r}");
        // Behind schedule, the runs keep the plan's length; never over 60 s.
        assert_eq!(b.final_run_s(&o, 20.0, 7.0, 1.0, 5), b.run_s);
        assert_eq!(b.final_run_s(&o, 1e6, 7.0, 1.0, 5), 60.0);
    }

    /// Two objectives: the non-dominated configs first, configs failing a constraint last.
    #[test]
    fn pareto_order_puts_the_front_first() {
        let items = vec![
            (true, vec![10.0, -5.0]),
            (true, vec![8.0, -3.0]),
            (true, vec![7.0, -6.0]),
            (false, vec![20.0, -1.0]),
        ];
        let k = order(&items, 2);
        assert!(k[0] > k[2] && k[1] > k[2], "{k:?}");
        assert!(k[3] < k[2]);
        let one = order(
            &[
                (true, vec![3.0]),
                (false, vec![9.0]),
                (true, vec![f64::NAN]),
            ],
            1,
        );
        assert_eq!(one[0], 3.0);
        assert!(one[1] < -1e200 && one[2] < -1e200);
    }
}
