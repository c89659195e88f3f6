//! `rdbtune tune`: successive halving over data size and run length, proposals from random
//! sampling then from a TPE model, debt-aware scores, and a final round of interleaved
//! repeats against RocksDB's defaults and production_optimized. See docs/tuning.md.

use super::final_round;
use super::search::{rungs, Candidate, Point, Space};
use super::template::Template;
use crate::engine::size::human_bytes;
use crate::engine::Preset;
use crate::error::{Error, Result};
use crate::export;
use crate::metrics::debt_ops_per_sec;
use crate::model::tune::{Eval, TuneOptions, TuneResult, TUNE_SCHEMA};
use crate::output::{write_output, RunFolder};
use crate::scenario::execute::{now_unix, timestamp};
use crate::signals;
use crate::workload::ycsb::YcsbSpec;
use crate::workload::{PhaseSpec, Workload};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use std::path::PathBuf;
use std::time::Instant;

/// The load and run phases of YCSB workload `letter`.
pub(super) fn ycsb(
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

/// The final round's warm-up run per config, as a fraction of the run length.
pub(super) const FINAL_WARMUP_FRACTION: f64 = 0.25;

/// Rungs of a bracket: a ninth, a third and all of the records.
const FRACS: [f64; 3] = [1.0 / 9.0, 1.0 / 3.0, 1.0];

/// Configs proposed per bracket.
const PER_BRACKET: usize = 9;

pub(super) fn cand_id(p: &Point) -> String {
    format!("c{}", p.iter().map(|i| i.to_string()).collect::<String>())
}

/// The point an evaluation id names.
pub(super) fn point_of(id: &str) -> Point {
    id[1..]
        .chars()
        .map(|c| c.to_digit(10).unwrap_or(0) as usize)
        .collect()
}

/// How the time budget is split.
struct Budget {
    /// Full-fidelity run length, s.
    run_s: f64,
    /// Expected cost of the final round, s.
    final_cost: f64,
    /// The search stops proposing past this many seconds.
    search_deadline: f64,
    /// Per run beyond its run length: clone, open, the compaction wait.
    overhead: f64,
    full_load_s: f64,
}

impl Budget {
    /// The final round (a load per finalist but the defaults', a warm-up run per config at a
    /// quarter of the run length, configs x repeats runs, the hold-out) gets about 45% of
    /// the budget.
    fn plan(o: &TuneOptions, full_load_s: f64, now: f64) -> Budget {
        let budget = o.time_budget_s;
        // Up to three tuned configs, the defaults, production_optimized and the base.
        let configs = 5 + usize::from(o.base.is_some());
        let runs_in_final = configs * o.repeats + if o.holdout.is_some() { 2 * 3 } else { 0 };
        let overhead = 0.3 + 0.05 * full_load_s;
        let loads = (configs - 1) as f64;
        let (warm_runs, warm_frac) = (configs as f64, FINAL_WARMUP_FRACTION);
        let run_s = ((0.45 * budget - loads * full_load_s - warm_runs * overhead)
            / (runs_in_final as f64 + warm_runs * warm_frac)
            - overhead)
            .clamp(1.0, 60.0);
        let final_cost = loads * full_load_s
            + runs_in_final as f64 * (run_s + overhead)
            + warm_runs * (warm_frac * run_s + overhead);
        Budget {
            run_s,
            final_cost,
            search_deadline: (budget - final_cost).max(now),
            overhead,
            full_load_s,
        }
    }

    /// Seconds one evaluation at `frac` of the records with a `run_s` run takes.
    fn cost(&self, frac: f64, run_s: f64) -> f64 {
        self.full_load_s * frac + run_s + self.overhead + 0.5
    }
}

/// The search's state.
pub(super) struct Tuner<'a> {
    pub o: &'a TuneOptions,
    pub space: Space,
    rng: SmallRng,
    start: Instant,
    pub history: Vec<Eval>,
    /// Full-fidelity results, best first, with their templates (the best 3 kept).
    pub full: Vec<(f64, Candidate, Template)>,
    log: bool,
    /// Points proposed so far (none is proposed twice).
    seen: Vec<Point>,
}

impl Tuner<'_> {
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    pub fn say(&self, m: String) {
        if self.log {
            eprintln!("[tune {:>5.0} s] {m}", self.elapsed());
        }
    }

    /// Loads at `records`, runs `run_s`; records the evaluation. `None` if interrupted.
    fn evaluate(
        &mut self,
        c: &Candidate,
        at: (usize, usize, &str),
        records: u64,
        run_s: f64,
    ) -> Result<Option<(f64, Template)>> {
        let (bracket, rung, how) = at;
        let o = self.o;
        let (load, run) = ycsb(&o.workload, records, o.threads, o.seed, run_s)?;
        let t = Template::load(&c.config, &load)?;
        if signals::interrupted().is_some() {
            return Ok(None);
        }
        let r = t.run_on_clone(&c.config, &run)?;
        if signals::interrupted().is_some() {
            return Ok(None);
        }
        let score = debt_ops_per_sec(&r);
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
            "bracket {bracket} rung {rung} {id} ({how}): {score:.0} ops/s debt-aware ({records} records, {run_s:.0} s run)"
        ));
        Ok(Some((score, t)))
    }

    /// A bracket's proposals: random in the first bracket, then two thirds from the TPE
    /// model fitted on every lowest-rung score so far.
    fn propose(&mut self, bracket: usize) -> Vec<(Candidate, &'static str)> {
        let scored: Vec<(Point, f64)> = self
            .history
            .iter()
            .filter(|e| e.rung == 0)
            .map(|e| (point_of(&e.id), e.score))
            .collect();
        let mut cands = Vec::new();
        for k in 0..PER_BRACKET {
            let c = if bracket > 0 && k % 3 != 2 {
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
            let cands = self.propose(bracket);
            let mut alive: Vec<(Candidate, &str)> = cands;
            for rung in 0..sizes.len() {
                let next = sizes.get(rung + 1).copied().unwrap_or(0);
                let keep = next.max(usize::from(rung + 1 < sizes.len()));
                match self.rung(b, bracket, rung, &alive, rung == sizes.len() - 1)? {
                    RungEnd::Done(mut scored) => {
                        scored.sort_by(|a, b| b.2.total_cmp(&a.2));
                        alive = scored
                            .into_iter()
                            .take(keep)
                            .map(|(c, h, _)| (c, h))
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
        let records = ((self.o.records as f64 * frac) as u64).max(1000);
        let rs = (b.run_s * frac.max(1.0 / 3.0)).max(1.0);
        let full = last && frac >= 1.0;
        let mut scored = Vec::new();
        for (c, how) in alive {
            if self.elapsed() + b.cost(frac, rs) > b.search_deadline {
                return Ok(RungEnd::Deadline);
            }
            let Some((score, tmpl)) = self.evaluate(c, (bracket, rung, how), records, rs)? else {
                return Ok(RungEnd::Interrupted);
            };
            if full {
                // Distinct configs: a point is never proposed twice.
                self.full.push((score, c.clone(), tmpl));
                self.full.sort_by(|a, b| b.0.total_cmp(&a.0));
                self.full.truncate(3);
            }
            scored.push((c.clone(), *how, score));
        }
        Ok(RungEnd::Done(scored))
    }
}

/// How a rung ended.
enum RungEnd<'c> {
    Done(Vec<(Candidate, &'c str, f64)>),
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
    let mut probe_rng = SmallRng::seed_from_u64(o.seed);
    if space.random(&mut probe_rng).is_none() {
        return Err(Error::usage(format!(
            "--memory-budget {}: too small for the smallest memtables and cache of the search space (give at least 64MiB)",
            human_bytes(o.memory_budget)
        )));
    }
    Ok(())
}

/// Runs the tuner; writes its folder; returns the result and the folder.
pub fn tune(o: &TuneOptions) -> Result<(TuneResult, PathBuf)> {
    let space = match &o.base {
        Some(b) => Space::with_base(o.memory_budget, b.clone()),
        None => Space::new(o.memory_budget),
    };
    validate(o, &space)?;
    signals::install();
    let out = o.out.clone().unwrap_or_else(|| {
        PathBuf::from("results")
            .join(format!("tune-ycsb-{}", o.workload))
            .join(timestamp(now_unix()))
    });
    let folder = RunFolder::create(&out, "--out")?;
    let mut t = Tuner {
        o,
        space,
        rng: SmallRng::seed_from_u64(o.seed),
        start: Instant::now(),
        history: Vec::new(),
        full: Vec::new(),
        log: !o.quiet,
        seen: Vec::new(),
    };
    // The defaults' full load: a reference for the final round and the load cost.
    let (load, _) = ycsb(&o.workload, o.records, o.threads, o.seed, 2.0)?;
    let default_t = Template::load(&Preset::Default.config(), &load)?;
    t.say(format!(
        "defaults loaded {} records in {:.1} s",
        o.records, default_t.load_s
    ));
    let b = Budget::plan(o, default_t.load_s, t.elapsed());
    t.say(format!(
        "full-fidelity run {:.0} s; search until {:.0} s, final round about {:.0} s",
        b.run_s, b.search_deadline, b.final_cost
    ));
    let interrupted = t.search(&b)?;
    let search_s = t.elapsed();
    let fin = final_round::run(&mut t, default_t, b.run_s, interrupted)?;
    folder.write_all(&fin.result)?;
    let result = TuneResult {
        schema: TUNE_SCHEMA.into(),
        options: o.clone(),
        machine: fin.result.machine.clone(),
        command: fin.result.command.clone(),
        search_s,
        total_s: t.elapsed(),
        run_s: b.run_s,
        history: t.history,
        outcome: fin.outcome,
        interrupted: fin.result.interrupted,
    };
    write_output(&out.join("tune.json"), &export::json::json(&result)?)?;
    Ok((result, out))
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
