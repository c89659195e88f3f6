//! `rdbtune tune`: the flags checked, the tuner run, its verdict printed.

use super::cli::TuneArgs;
use crate::engine::size::Size;
use crate::error::{Error, Result};
use crate::export;
use crate::model::tune::TuneOptions;
use crate::signals;
use crate::tune::{parse_duration, tune};

/// A YCSB core workload letter from `ycsb-a` .. `ycsb-f` (or `a` .. `f`).
fn letter(w: &str, flag: &str) -> Result<String> {
    let l = w.trim().to_ascii_lowercase();
    let l = l.strip_prefix("ycsb-").unwrap_or(&l).to_string();
    if l.len() == 1 && "abcdef".contains(l.as_str()) {
        Ok(l)
    } else {
        Err(Error::usage(format!(
            "{flag} {w:?}: give a YCSB core workload, ycsb-a .. ycsb-f"
        )))
    }
}

/// `rdbtune tune`.
pub fn run(args: &TuneArgs) -> Result<i32> {
    let workload = letter(&args.workload, "--workload")?;
    let holdout = match args.holdout.as_deref() {
        Some("none") => None,
        Some(h) => Some(letter(h, "--holdout")?),
        None => Some(if workload == "b" { "a" } else { "b" }.to_string()),
    };
    let budget: Size = args
        .memory_budget
        .parse()
        .map_err(|e| Error::usage(format!("--memory-budget: {e}")))?;
    if args.records < 1000 {
        return Err(Error::usage("--records must be at least 1000"));
    }
    if args.threads == 0 {
        return Err(Error::usage("--threads must be at least 1"));
    }
    let r = &args.rocksdb;
    let base =
        if r.rocksdb_options.is_some() || r.options_file.is_some() || r.options_from_db.is_some() {
            Some(super::common::engine_config(&super::cli::EngineArgs {
                preset: None,
                set: Vec::new(),
                rocksdb: r.clone(),
            })?)
        } else {
            None
        };
    let o = TuneOptions {
        base,
        workload,
        records: args.records,
        memory_budget: budget.bytes(),
        time_budget_s: parse_duration(&args.time_budget)?,
        holdout,
        repeats: args.repeats,
        threads: args.threads,
        seed: args.seed,
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
