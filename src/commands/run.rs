//! `rdbtune run FILE`, `rdbtune sweep NAME`, `rdbtune validate FILE...`, `rdbtune merge`.

use super::cli::{MergeArgs, RunArgs, ScenarioRunArgs, SweepArgs, ValidateArgs};
use crate::error::{Error, Result};
use crate::export;
use crate::model::alerts::check_alerts;
use crate::scenario::execute::{merge as merge_runs, parse_shard, run as run_scenario, RunOptions};
use crate::scenario::{builtin, Scenario};

/// `rdbtune run FILE`.
pub fn run(args: &RunArgs) -> Result<i32> {
    let origin = args.file.display().to_string();
    let scn = with_rocksdb(Scenario::load(&args.file)?, &origin, &args.opts)?;
    scenario(scn, &args.opts)
}

/// The command line's OPTIONS file and RocksDB options on every trial.
fn with_rocksdb(scn: Scenario, origin: &str, a: &ScenarioRunArgs) -> Result<Scenario> {
    super::common::scenario_with(scn, origin, &a.rocksdb, false)
}

/// `rdbtune sweep NAME` (or `--list`).
pub fn sweep(args: &SweepArgs) -> Result<i32> {
    if args.list {
        for (name, text) in builtin::BUILTIN {
            let s = Scenario::parse(text, &format!("scenarios/{name}.toml"))?;
            println!("{name:<18} {}", s.description);
        }
        return Ok(0);
    }
    let name = args.name.as_deref().unwrap_or_default();
    let text = builtin::find(name).ok_or_else(|| {
        Error::usage(format!(
            "unknown sweep {name:?}; built-in sweeps: {} (or run a file with rdbtune run FILE)",
            builtin::BUILTIN
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let origin = format!("scenarios/{name}.toml");
    let scn = with_rocksdb(Scenario::parse(text, &origin)?, &origin, &args.opts)?;
    scenario(scn, &args.opts)
}

/// `rdbtune validate FILE...`.
pub fn validate(args: &ValidateArgs) -> Result<i32> {
    for f in &args.files {
        let s = Scenario::load(f)?;
        println!(
            "{}: ok: scenario {:?}, {} trials x {} repeats, {} phases",
            f.display(),
            s.name,
            s.trials.len(),
            s.run.repeats,
            s.trials.first().map_or(0, |t| t.phases.len())
        );
    }
    Ok(0)
}

/// `rdbtune merge DIR...`.
pub fn merge(args: &MergeArgs) -> Result<i32> {
    let (r, out) = merge_runs(&args.dirs, args.out.clone())?;
    print!("{}", export::summary::summary_md(&r));
    eprintln!("merged {} runs into {}", r.runs.len(), out.display());
    Ok(0)
}

fn scenario(scn: Scenario, a: &ScenarioRunArgs) -> Result<i32> {
    let opts = RunOptions {
        out: a.out.clone(),
        repeats: a.repeats,
        quick: a.quick,
        shard: a.shard.as_deref().map(parse_shard).transpose()?,
        resume: a.resume.clone(),
        quiet: a.quiet,
        duration_s: a.duration,
        status_interval: a.status_interval,
        alerts: a.alert.alerts.clone(),
        alert_sustain: a.alert.alert_sustain,
        measure: super::common::measure(&a.measure)?,
        hdr_log: a.measure.hdr_log.clone(),
        metrics_addr: a.measure.metrics_addr.clone(),
    };
    let (r, out, code) = run_scenario(scn, &opts)?;
    if !a.quiet {
        print!("{}", export::summary::summary_md(&r));
        eprintln!("results in {}", out.display());
    }
    if code == 0 {
        check_alerts(a.alert.fail_on_alert, r.all_phases())?;
    }
    Ok(code)
}
