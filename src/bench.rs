//! `rdbtune bench`: db_bench-style phases on one DB, with tables, JSON and CSV.

use crate::cli::{BenchArgs, EngineArgs};
use crate::dbdir::DbDir;
use crate::engine::{Engine, EngineConfig};
use crate::error::{Error, Result};
use crate::report;
use crate::results::{write_output, BenchResult, SCHEMA};
use crate::runner::{run_phase, AfterWrite, PhaseSpec, Progress};
use crate::signals;
use crate::sysmon::Machine;
use crate::workload::Workload;
use std::io::IsTerminal;

/// The preset with every `--set KEY=VALUE` applied, in order.
pub fn engine_config(args: &EngineArgs) -> Result<EngineConfig> {
    let mut cfg = args.preset.config();
    for kv in &args.set {
        let (k, v) = crate::cli::split_kv("--set", kv, "write_buffer_size=128MiB")?;
        cfg.set(k, v)
            .map_err(|e| Error::usage(format!("--set {kv}: {e}")))?;
    }
    Ok(cfg)
}

/// Builds the phase specs from the flags; every value is checked before the DB is touched.
pub fn phase_specs(args: &BenchArgs) -> Result<Vec<PhaseSpec>> {
    let workloads = Workload::parse_list(&args.workload)
        .map_err(|e| Error::usage(format!("--workload: {e}")))?;
    let specs: Vec<PhaseSpec> = workloads
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            let mut s = PhaseSpec::new(w, args.num);
            s.ops = args.ops.or(if w.reads() { args.reads } else { None });
            s.duration_s = args.duration;
            s.threads = args.threads;
            if let Some(b) = args.batch_size {
                s.batch_size = b;
            }
            s.key_size = args.key_size;
            s.value_size = args.value_size;
            s.compressibility = args.compressibility;
            s.read_percent = args.read_percent;
            s.seek_nexts = args.seek_nexts;
            s.warmup_s = args.warmup;
            // Each phase draws its own key sequence: a readrandom after a fillrandom must not
            // replay the keys the fill wrote, in the order it wrote them.
            s.seed = args
                .seed
                .wrapping_add((i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
            s
        })
        .collect();
    for s in &specs {
        s.validate()?;
    }
    Ok(specs)
}

fn list_workloads() -> String {
    Workload::ALL
        .iter()
        .filter(|w| !matches!(w, Workload::YcsbLoad | Workload::YcsbRun))
        .map(|w| format!("{:<22} {}\n", w.name(), w.description()))
        .collect()
}

/// Runs `rdbtune bench`; returns the exit code.
pub fn run(args: &BenchArgs) -> Result<i32> {
    if args.list {
        print!("{}", list_workloads());
        return Ok(0);
    }
    let cfg = engine_config(&args.engine)?;
    let specs = phase_specs(args)?;
    let to_stdout =
        |p: &Option<std::path::PathBuf>| p.as_ref().is_some_and(|p| p.as_os_str() == "-");
    let machine_out_on_stdout = to_stdout(&args.json) || to_stdout(&args.csv);

    let mut dir = match &args.db {
        Some(p) => DbDir::user(p, "--db", args.db_reuse)?,
        None => DbDir::temporary(None)?,
    };
    if args.keep_db {
        dir.keep();
    }
    signals::install();
    let command: Vec<String> = std::env::args().collect();
    let machine = Machine::detect(Some(dir.path()));
    let engine = Engine::open(&cfg, dir.path())?;
    let alerts = crate::runner::live::AlertSet::default().with_args(&args.alert)?;
    let progress = Progress {
        enabled: !args.quiet && std::io::stderr().is_terminal(),
        plain_every_s: (!args.quiet).then_some(args.status_interval),
        alerts,
        print_alerts: !args.quiet,
        ..Progress::default()
    };
    let mut phases = Vec::new();
    let mut failure: Option<crate::Error> = None;
    for spec in &specs {
        if signals::interrupted().is_some() {
            break;
        }
        if !args.quiet {
            eprintln!(
                "phase {}/{}: {} ({} threads, num {}{})",
                phases.len() + 1,
                specs.len(),
                spec.workload,
                spec.threads,
                spec.num,
                spec.duration_s
                    .map_or(String::new(), |d| format!(", {d} s"))
            );
        }
        let after = if args.no_wait_for_compaction {
            AfterWrite::Nothing
        } else {
            AfterWrite::WaitForCompaction
        };
        let progress = Progress {
            label: spec.workload.to_string(),
            ..progress.clone()
        };
        match run_phase(&engine, spec, after, &progress) {
            Ok(r) => phases.push(r),
            Err(e) => {
                // Keep what finished: the outputs below are written, then the error exits 3.
                failure = Some(e);
                break;
            }
        }
    }
    let final_stats = engine.get_stats()?;
    let result = BenchResult {
        schema: SCHEMA.to_string(),
        started_unix: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        command,
        seed: args.seed,
        machine,
        config: engine.config().clone(),
        db_temporary: dir.is_temporary(),
        phases,
        final_stats,
        interrupted: signals::interrupted().is_some(),
        error: failure.as_ref().map(|e| e.to_string()),
    };
    drop(engine);

    if let Some(p) = &args.json {
        write_output(p, &report::json(&result)?)?;
    }
    if let Some(p) = &args.csv {
        write_output(p, &report::csv(&result)?)?;
    }
    if let Some(p) = &args.html {
        let name = p
            .file_stem()
            .map_or("bench".into(), |s| s.to_string_lossy().into_owned());
        let html = report::html::report(&report::html::from_bench(&result, &name))?;
        write_output(p, html.as_bytes())?;
    }
    if !args.quiet {
        let text = report::table(&result);
        if machine_out_on_stdout {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
        if args.keep_db && args.db.is_none() {
            eprintln!("kept DB at {}", dir.path().display());
        }
    }
    if let Some(e) = failure {
        if args.json.is_some() || args.csv.is_some() {
            eprintln!("the phases finished before the error were written");
        }
        return Err(e);
    }
    if let Some(sig) = signals::interrupted() {
        eprintln!("interrupted by signal {sig}: results so far were written");
        return Ok(128 + sig);
    }
    crate::runner::live::check_alerts(args.alert.fail_on_alert, &result.phases)?;
    Ok(0)
}
