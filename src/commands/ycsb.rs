//! `rdbtune ycsb`: YCSB's core workloads A–F on the engine, reported in YCSB's own text
//! format (so existing YCSB parsing scripts work), as tables, or as rdbtune.result/v2 JSON.

use super::bench::{one_db_result, trial_run, OneDb};
use super::cli::{YcsbArgs, YcsbBinding, YcsbFormat, YcsbPhase};
use super::common::{self, base_config, engine_config, engine_config_on, split_kv};
use crate::dbdir::DbDir;
use crate::engine::{Engine, EngineConfig};
use crate::error::{Error, Result};
use crate::export;
use crate::model::{Kind, Scenario};
use crate::output::write_output;
use crate::runner::{AfterWrite, PhaseOptions};
use crate::signals;
use crate::sysmon::Machine;
use crate::ui::{Display, LiveView};
use crate::workload::ycsb::{Binding, YcsbSpec};
use crate::workload::{PhaseSpec, Workload};
use std::io::IsTerminal;
use std::time::Instant;

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
        let text = std::fs::read_to_string(f).map_err(|e| {
            Error::usage(format!(
                "-P {}: cannot read: {e} (upstream's workload files are in this repository's workloads/ folder)",
                f.display()
            ))
        })?;
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
    if let Some(b) = args.binding {
        s.binding = match b {
            YcsbBinding::Rdbtune => Binding::Rdbtune,
            YcsbBinding::Upstream => Binding::Upstream,
        };
    }
    // Upstream reads fieldlengthhistogram relative to the working directory.
    s.load_files(std::path::Path::new("."))?;
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
        let ops = if w == Workload::YcsbRun {
            y.operationcount
        } else {
            y.insert_count()
        };
        p.threads = args.threads.or(y.threadcount).unwrap_or(1);
        // Upstream: more threads than operations are cut to the operation count.
        if ops > 0 && p.threads as u64 > ops {
            eprintln!(
                "warning: {} threads for {ops} operations: using {ops} threads, as upstream's client does",
                p.threads
            );
            p.threads = ops as usize;
        }
        p.ycsb = Some(y.clone());
        p.seed = args.seed.wrapping_add(w as u64);
        // Upstream's client throttles and bounds by time the load as well as the run.
        p.target_ops_per_sec = args.target.or(y.target);
        if w == Workload::YcsbRun {
            // maxexecutiontime bounds the run by time too (and alone with operationcount=0).
            if let Some(d) = y.maxexecutiontime {
                p.duration_s = Some(d);
                p.ops = (y.operationcount > 0).then_some(y.operationcount);
            }
        } else if let Some(d) = y.maxexecutiontime {
            p.duration_s = Some(d);
            p.ops = Some(y.insert_count());
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
    if args.phase == YcsbPhase::Run && args.db.is_none() && y.rocksdb_dir.is_none() {
        return Err(Error::usage(
            "--phase run needs the loaded DB of an earlier --phase load: pass the same --db PATH to both, with --db-reuse for the run",
        ));
    }
    Ok(specs)
}

/// YCSB status lines by default; the dashboard on a terminal unless --status-interval,
/// status.interval or -s asks for the lines.
fn display(args: &YcsbArgs, y: &YcsbSpec) -> Display {
    let asked = args.status_interval.or(y.status_interval);
    if args.quiet {
        Display::Quiet
    } else if asked.is_none() && !args.status && std::io::stderr().is_terminal() {
        Display::Dashboard
    } else {
        Display::YcsbStatus(asked.unwrap_or(10))
    }
}

/// The engine config: rdbtune's flags as every command takes them, or (`--binding
/// upstream`) the setup of upstream's RocksDB binding, its `rocksdb.optionsfile` as the
/// base when given; `--set` and `--rocksdb-options` on top of either.
fn config(args: &YcsbArgs, y: &YcsbSpec) -> Result<EngineConfig> {
    let mut ea = args.engine.clone();
    if let Some(f) = &y.rocksdb_optionsfile {
        if ea.rocksdb.options_file.is_some() || ea.rocksdb.options_from_db.is_some() {
            return Err(Error::usage(
                "YCSB property rocksdb.optionsfile and --options-file/--options-from-db both name the base OPTIONS file: give one",
            ));
        }
        if ea.preset.is_some() {
            return Err(Error::usage(
                "YCSB property rocksdb.optionsfile is the base config: drop --preset (use --set for a knob on top)",
            ));
        }
        ea.rocksdb.options_file = Some(f.into());
    }
    match y.binding {
        Binding::Rdbtune => {
            if y.table != "usertable" {
                return Err(Error::usage(format!(
                    "YCSB property table={:?}: records go to the default column family unless --binding upstream (which puts them in the table's family, as YCSB's RocksDB binding does)",
                    y.table
                )));
            }
            engine_config(&ea)
        }
        Binding::Upstream => {
            if ea.preset.is_some() {
                return Err(Error::usage(
                    "--binding upstream sets the engine up as YCSB's RocksDB binding does: drop --preset (use --set for a knob on top)",
                ));
            }
            let mut base = match base_config(None, &ea.rocksdb)? {
                Some(file) => file,
                None => {
                    // RocksDBClient: 2 x Runtime.availableProcessors() background threads.
                    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                    EngineConfig::ycsb_binding(2 * cores as i32, &y.table)
                }
            };
            // With an OPTIONS file lacking the table, the binding creates its family with
            // the file's default column-family options.
            if !base.column_families.iter().any(|c| c.name == y.table) && y.table != "default" {
                base.column_families.push(crate::engine::CfConfig {
                    name: y.table.clone(),
                    overrides: Default::default(),
                });
            }
            let mut ea = ea;
            ea.rocksdb.options_file = None;
            ea.rocksdb.options_from_db = None;
            engine_config_on(base, &ea)
        }
    }
}

/// Runs `rdbtune ycsb`; returns the exit code.
pub fn run(args: &YcsbArgs) -> Result<i32> {
    let y = spec(args)?;
    let cfg = config(args, &y)?;
    let specs = phase_specs(args, &y)?;
    // rocksdb.dir, as upstream's binding, opens the DB there in place (creating it).
    let dir = match (&args.db, &y.rocksdb_dir) {
        (Some(p), _) => DbDir::user(p, "--db", args.db_reuse)?,
        (None, Some(p)) => DbDir::user(std::path::Path::new(p), "rocksdb.dir", true)?,
        (None, None) => DbDir::temporary(None)?,
    };
    signals::install();
    let machine = Machine::detect(Some(dir.path()));
    let name = format!("ycsb-{}", y.workload);
    let mut one = OneDb {
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
        view: LiveView::new(display(args, &y), !args.quiet, None),
        extra: common::measure_observers(&args.measure)?,
        quiet: args.quiet,
    };
    // As upstream, where load and run are two client processes: each phase opens the DB,
    // and the last client thread's cleanup closes it (measured as [CLEANUP]), so the run
    // starts with a closed and reopened DB (cold caches) and the load's compaction debt.
    let mut plan = None;
    let mut options = None;
    let mut phases = Vec::new();
    let mut failure = None;
    let mut final_stats = None;
    for spec in specs {
        if signals::interrupted().is_some() {
            break;
        }
        let opened = Instant::now();
        let engine = match Engine::open(&cfg, dir.path()) {
            Ok(e) => e,
            // The run's reopen failed: the load's results are still written.
            Err(e) if plan.is_some() => {
                failure = Some(e);
                break;
            }
            Err(e) => return Err(e),
        };
        let open_us = opened.elapsed().as_micros() as u64;
        let whole = plan.get_or_insert_with(|| {
            options = crate::scenario::execute::effective_options(&engine);
            Scenario::one_trial(&name, engine.config().clone(), Vec::new(), args.seed)
        });
        let p = Scenario::one_trial(&name, engine.config().clone(), vec![spec], args.seed)
            .trials
            .remove(0)
            .phases
            .remove(0);
        if !args.quiet {
            eprintln!(
                "ycsb workload {}: {} ({} threads)",
                y.workload, p.spec.workload, p.spec.threads
            );
        }
        whole.trials[0].phases.push(p.clone());
        let r = one.phase(&engine, &p);
        final_stats = engine.get_stats().ok();
        let t = Instant::now();
        drop(engine);
        let close_us = t.elapsed().as_micros() as u64;
        match r {
            Ok(mut r) => {
                if let Some(m) = &mut r.ycsb {
                    m.set_cleanup(&y.measure, Some(close_us));
                    // Upstream's clock runs from before its client threads start (the first
                    // one opens the DB) until every thread has cleaned up (the last one
                    // closes it).
                    m.runtime_ms = ((r.elapsed_s * 1e6) as u64 + open_us + close_us) / 1000;
                }
                phases.push(r);
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let Some(plan) = plan else {
        // Interrupted before the first phase began: nothing was measured.
        return Err(Error::Interrupted(signals::interrupted().unwrap_or(2)));
    };
    let run = trial_run(&plan, phases, final_stats);
    let mut result = one_db_result(Kind::Ycsb, plan, machine, run, &dir, options);
    result.error = failure.as_ref().map(|e| e.to_string());
    for p in result.all_phases() {
        if let Some(e) = p.ycsb.as_ref().and_then(|m| m.first_error.as_ref()) {
            let n: u64 = p
                .per_op
                .iter()
                .filter(|o| o.kind != crate::workload::OpKind::Verify)
                .filter_map(|o| o.errors)
                .sum();
            eprintln!(
                "warning: {} phase: {n} ops failed in RocksDB (counted as Return=ERROR; the run went on as upstream's does); the first: {e}",
                p.workload
            );
        }
    }
    let out = match args.format {
        YcsbFormat::Ycsb => export::ycsb::ycsb_output(&result, y.measure.exporter),
        YcsbFormat::Table => export::table::table(&result).into_bytes(),
        YcsbFormat::Json => export::json::json(&result)?,
    };
    let to = args
        .output
        .clone()
        .or_else(|| y.measure.exportfile.as_ref().map(Into::into))
        .unwrap_or_else(|| "-".into());
    write_output(&to, &out)?;
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
