//! `rdbtune ycsb`: YCSB's core workloads A–F on the engine, reported in YCSB's own text
//! format (so existing YCSB parsing scripts work), as tables, or as rdbtune.result/v2 JSON.

use super::bench::{one_db_result, OneDb};
use super::cli::{YcsbArgs, YcsbFormat, YcsbPhase};
use super::common::{self, engine_config, split_kv};
use crate::dbdir::DbDir;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::export;
use crate::model::{Kind, Scenario};
use crate::output::write_output;
use crate::runner::{AfterWrite, PhaseOptions};
use crate::signals;
use crate::sysmon::Machine;
use crate::ui::{Display, LiveView};
use crate::workload::ycsb::YcsbSpec;
use crate::workload::{PhaseSpec, Workload};
use std::io::IsTerminal;

/// The YCSB workload from the flags: core workload, then -P files, then -p properties,
/// then --records / --operations.
pub fn spec(args: &YcsbArgs) -> Result<YcsbSpec> {
    let mut s =
        match &args.workload {
            Some(w) => YcsbSpec::core(w).map_err(|e| Error::usage(format!("--workload: {e}")))?,
            None if !args.property_files.is_empty() => YcsbSpec::default(),
            None => return Err(Error::usage(
                "name a workload with --workload a|b|c|d|e|f, or give a YCSB property file with -P",
            )),
        };
    for f in &args.property_files {
        let text = std::fs::read_to_string(f)
            .map_err(|e| Error::usage(format!("-P {}: cannot read: {e}", f.display())))?;
        s.apply_properties(&text, &f.display().to_string())?;
    }
    for kv in &args.properties {
        let (k, v) = split_kv("-p", kv, "requestdistribution=uniform")?;
        s.set(k, v)
            .map_err(|e| Error::usage(format!("-p {kv}: {e}")))?;
    }
    if let Some(n) = args.records {
        s.recordcount = n;
    }
    if let Some(n) = args.operations {
        s.operationcount = n;
    }
    for w in s.unknown_warnings() {
        eprintln!("{w}");
    }
    s.validate().map_err(|e| {
        if args.property_files.is_empty() {
            e
        } else {
            let files: Vec<String> = args
                .property_files
                .iter()
                .map(|f| f.display().to_string())
                .collect();
            Error::usage(format!("{e} (properties from -P {})", files.join(", -P ")))
        }
    })?;
    Ok(s)
}

/// The phases `--phase` asks for.
fn phase_specs(args: &YcsbArgs, y: &YcsbSpec) -> Result<Vec<PhaseSpec>> {
    let mk = |w: Workload| {
        let mut p = PhaseSpec::new(w, y.recordcount);
        p.threads = args.threads.or(y.threadcount).unwrap_or(1);
        p.ycsb = Some(y.clone());
        p.seed = args.seed.wrapping_add(w as u64);
        if w == Workload::YcsbRun {
            p.target_ops_per_sec = args.target.or(y.target);
            // maxexecutiontime bounds the run by time too (and alone with operationcount=0).
            if let Some(d) = y.maxexecutiontime {
                p.duration_s = Some(d);
                p.ops = (y.operationcount > 0).then_some(y.operationcount);
            }
        }
        p
    };
    let specs: Vec<PhaseSpec> = match args.phase {
        YcsbPhase::Load => vec![mk(Workload::YcsbLoad)],
        YcsbPhase::Run => vec![mk(Workload::YcsbRun)],
        YcsbPhase::Both => vec![mk(Workload::YcsbLoad), mk(Workload::YcsbRun)],
    };
    for s in &specs {
        s.validate()?;
    }
    if args.phase == YcsbPhase::Run && args.db.is_none() {
        return Err(Error::usage(
            "--phase run needs the loaded DB of an earlier --phase load: pass the same --db PATH to both, with --db-reuse for the run",
        ));
    }
    Ok(specs)
}

/// YCSB status lines by default; the dashboard on a terminal unless --status-interval is
/// given.
fn display(args: &YcsbArgs) -> Display {
    if args.quiet {
        Display::Quiet
    } else if args.status_interval.is_none() && std::io::stderr().is_terminal() {
        Display::Dashboard
    } else {
        Display::YcsbStatus(args.status_interval.unwrap_or(10))
    }
}

/// Runs `rdbtune ycsb`; returns the exit code.
pub fn run(args: &YcsbArgs) -> Result<i32> {
    let cfg = engine_config(&args.engine)?;
    let y = spec(args)?;
    let specs = phase_specs(args, &y)?;
    let dir = match &args.db {
        Some(p) => DbDir::user(p, "--db", args.db_reuse)?,
        None => DbDir::temporary(None)?,
    };
    signals::install();
    let machine = Machine::detect(Some(dir.path()));
    let engine = Engine::open(&cfg, dir.path())?;
    let name = format!("ycsb-{}", y.workload);
    let plan = Scenario::one_trial(&name, engine.config().clone(), specs, args.seed);
    let options = crate::scenario::execute::effective_options(&engine);
    let mut one = OneDb {
        engine: &engine,
        after: if args.wait_for_compaction {
            AfterWrite::WaitForCompaction
        } else {
            AfterWrite::Nothing
        },
        opts: PhaseOptions {
            alerts: common::alerts(&args.alert)?,
            measure: common::measure(&args.measure)?,
            ..PhaseOptions::new("", AfterWrite::Nothing)
        },
        view: LiveView::new(display(args), !args.quiet, None),
        extra: common::measure_observers(&args.measure)?,
        quiet: args.quiet,
    };
    let (run, failure) = one.run(&plan, |_, s| {
        format!(
            "ycsb workload {}: {} ({} threads)",
            y.workload, s.workload, s.threads
        )
    });
    drop(engine);
    let mut result = one_db_result(Kind::Ycsb, plan, machine, run, &dir, options);
    result.error = failure.as_ref().map(|e| e.to_string());
    let out = match args.format {
        YcsbFormat::Ycsb => export::ycsb::ycsb_text(&result).into_bytes(),
        YcsbFormat::Table => export::table::table(&result).into_bytes(),
        YcsbFormat::Json => export::json::json(&result)?,
    };
    write_output(
        args.output.as_deref().unwrap_or(std::path::Path::new("-")),
        &out,
    )?;
    if let Some(p) = &args.html {
        common::write_html(p, &result)?;
    }
    if let Some(e) = failure {
        return Err(e);
    }
    if let Some(code) = common::interrupted_code() {
        return Ok(code);
    }
    common::check_alerts(&args.alert, &result)?;
    Ok(0)
}
