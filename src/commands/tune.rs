//! `rdbtune tune`: the flags checked, the tuner run, its verdict printed.

use super::cli::{TuneArgs, TuneSearch};
use super::common::split_kv;
use crate::engine::size::Size;
use crate::error::{Error, Result};
use crate::export;
use crate::model::tune::{SearchKind, TuneOptions};
use crate::model::{Constraint, Objective};
use crate::signals;
use crate::tune::target::Target;
use crate::tune::{parse_duration, tune};

/// What a tune is judged by: the objective, the constraints, the Pareto pair.
type Judged = (Objective, Vec<Constraint>, Option<(Objective, Objective)>);

/// `--objective`, `--constraint` and `--pareto`, parsed (metrics are checked against the
/// target's phases by the tuner).
fn objectives(args: &TuneArgs, target: &Target) -> Result<Judged> {
    let pareto = match &args.pareto {
        None => None,
        Some(p) => {
            let parts: Vec<&str> = p.split(',').map(str::trim).collect();
            let [a, b] = parts[..] else {
                return Err(Error::usage(format!(
                    "--pareto {p:?}: give two metrics separated by a comma, e.g. run.ops_per_sec,run.p99_us"
                )));
            };
            let ob = |m: &str| Objective {
                maximize: crate::metrics::better(m) == crate::stats::Direction::Higher,
                metric: m.to_string(),
            };
            Some((ob(a), ob(b)))
        }
    };
    let objective = match (&args.objective, &pareto) {
        (Some(o), _) => o
            .parse::<Objective>()
            .map_err(|e| Error::usage(format!("--objective: {e}")))?,
        (None, Some((a, _))) => a.clone(),
        (None, None) => target.default_objective(),
    };
    let mut constraints = target.constraints.clone();
    for c in &args.constraint {
        constraints.push(
            c.parse::<Constraint>()
                .map_err(|e| Error::usage(format!("--constraint: {e}")))?,
        );
    }
    Ok((objective, constraints, pareto))
}

/// `rdbtune tune`.
pub fn run(args: &TuneArgs) -> Result<i32> {
    if args.threads == 0 {
        return Err(Error::usage("--threads must be at least 1"));
    }
    if args.records.is_some_and(|r| r < 1000) {
        return Err(Error::usage("--records must be at least 1000"));
    }
    let records = args.records.unwrap_or(100_000);
    let mut target =
        match (&args.workload, &args.scenario) {
            (Some(w), _) => Target::workload(w, records, args.threads, args.seed, "--workload")?,
            (None, Some(f)) => Target::scenario(f)?,
            (None, None) => return Err(Error::usage(
                "name what to tune: --workload ycsb-a (or a db_bench workload) or --scenario FILE",
            )),
        };
    if let (Some(r), Some(_)) = (args.records, &args.scenario) {
        target.scale_to(r);
    }
    // The hold-out loads the target's data with the target's seed (so the final round's
    // loads serve it when its load is the same) and draws its own run's keys.
    let holdout_workload = |name: &str| -> Result<Target> {
        let mut h = Target::workload(name, target.records, args.threads, args.seed, "--holdout")?;
        for p in &mut h.run {
            p.spec.seed ^= 0x401d;
        }
        Ok(h)
    };
    let holdout = match args.holdout.as_deref() {
        Some("none") => None,
        Some(h) if std::path::Path::new(h).is_file() => {
            let mut h = Target::scenario(std::path::Path::new(h))?;
            if args.records.is_some() {
                h.scale_to(target.records);
            }
            Some(h)
        }
        Some(h) => Some(holdout_workload(h)?),
        None => match target.name.as_str() {
            "ycsb-b" => Some(holdout_workload("ycsb-a")?),
            n if n.starts_with("ycsb-") => Some(holdout_workload("ycsb-b")?),
            _ => None,
        },
    };
    let budget: Size = args
        .memory_budget
        .parse()
        .map_err(|e| Error::usage(format!("--memory-budget: {e}")))?;
    let r = &args.rocksdb;
    let user =
        r.rocksdb_options.is_some() || r.options_file.is_some() || r.options_from_db.is_some();
    let base = if user {
        let start = super::common::base_config(None, r)?
            .or_else(|| target.engine.clone())
            .unwrap_or_default();
        let mut c = target.with_structure(start);
        super::common::add_rocksdb_options(&mut c, r)?;
        Some(c)
    } else {
        target
            .engine
            .clone()
            .filter(|c| *c != crate::engine::EngineConfig::default())
    };
    let fix = args
        .fix
        .iter()
        .map(|kv| {
            split_kv("--fix", kv, "compression=zstd").map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    let (objective, constraints, pareto) = objectives(args, &target)?;
    let o = TuneOptions {
        records: target.records,
        target,
        memory_budget: budget.bytes(),
        time_budget_s: parse_duration(&args.time_budget)?,
        holdout,
        repeats: args.repeats,
        threads: args.threads,
        seed: args.seed,
        objective,
        constraints,
        pareto,
        search: match args.search {
            TuneSearch::Random => SearchKind::Random,
            TuneSearch::Tpe => SearchKind::Tpe,
        },
        knobs: args.knobs.clone(),
        fix,
        base,
        explain: !args.no_explain,
        out: args.out.clone(),
        quiet: args.quiet,
    };
    let (r, out) = tune(&o)?;
    print!("{}", export::tune::describe(&r));
    eprintln!("results in {}", out.display());
    Ok(if r.interrupted {
        128 + signals::interrupted().unwrap_or(2)
    } else {
        0
    })
}
