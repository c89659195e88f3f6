//! `rdbtune ycsb`: YCSB's core workloads A–F on the engine, reported in YCSB's own text
//! format (so existing YCSB parsing scripts work), as tables, or as rdbtune.result/v1 JSON.

use crate::bench::engine_config;
use crate::cli::{YcsbArgs, YcsbFormat, YcsbPhase};
use crate::dbdir::DbDir;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::report;
use crate::results::{BenchResult, SCHEMA};
use crate::runner::recorder::LatencySummary;
use crate::runner::{run_phase, AfterWrite, PhaseResult, PhaseSpec, Progress};
use crate::signals;
use crate::sysmon::Machine;
use crate::workload::ycsb::YcsbSpec;
use crate::workload::{OpKind, Workload};
use std::fmt::Write as _;
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
        let (k, v) = crate::cli::split_kv("-p", kv, "requestdistribution=uniform")?;
        s.set(k, v)
            .map_err(|e| Error::usage(format!("-p {kv}: {e}")))?;
    }
    if let Some(n) = args.records {
        s.recordcount = n;
    }
    if let Some(n) = args.operations {
        s.operationcount = n;
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

/// Runs `rdbtune ycsb`; returns the exit code.
pub fn run(args: &YcsbArgs) -> Result<i32> {
    let cfg = engine_config(&args.engine)?;
    let y = spec(args)?;
    let mk = |w: Workload| {
        let mut p = PhaseSpec::new(w, y.recordcount);
        p.threads = args.threads;
        p.ycsb = Some(y.clone());
        p.seed = args.seed.wrapping_add(w as u64);
        if w == Workload::YcsbRun {
            p.target_ops_per_sec = args.target;
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
    let dir = match &args.db {
        Some(p) => DbDir::user(p, "--db", args.db_reuse)?,
        None => DbDir::temporary(None)?,
    };
    signals::install();
    let machine = Machine::detect(Some(dir.path()));
    let engine = Engine::open(&cfg, dir.path())?;
    let progress = Progress {
        enabled: !args.quiet && args.status_interval.is_none() && std::io::stderr().is_terminal(),
        status_every_s: if args.quiet {
            None
        } else {
            args.status_interval.or(Some(10)).filter(|s| *s > 0)
        },
        alerts: crate::runner::live::AlertSet::default().with_args(&args.alert)?,
        print_alerts: !args.quiet,
        ..Progress::default()
    };
    let mut phases = Vec::new();
    for s in &specs {
        if signals::interrupted().is_some() {
            break;
        }
        if !args.quiet {
            eprintln!(
                "ycsb workload {}: {} ({} threads)",
                y.workload, s.workload, s.threads
            );
        }
        let progress = Progress {
            label: format!("ycsb-{} {}", y.workload, s.workload),
            ..progress.clone()
        };
        phases.push(run_phase(
            &engine,
            s,
            AfterWrite::WaitForCompaction,
            &progress,
        )?);
    }
    let result = BenchResult {
        schema: SCHEMA.into(),
        started_unix: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        command: std::env::args().collect(),
        seed: args.seed,
        machine,
        config: engine.config().clone(),
        db_temporary: dir.is_temporary(),
        final_stats: engine.get_stats()?,
        phases,
        interrupted: signals::interrupted().is_some(),
        error: None,
    };
    drop(engine);
    let out = match args.format {
        YcsbFormat::Ycsb => ycsb_text(&result).into_bytes(),
        YcsbFormat::Table => report::table(&result).into_bytes(),
        YcsbFormat::Json => report::json(&result)?,
    };
    crate::results::write_output(
        args.output.as_deref().unwrap_or(std::path::Path::new("-")),
        &out,
    )?;
    if let Some(p) = &args.html {
        let name = format!("ycsb-{}", y.workload);
        let html = report::html::report(&report::html::from_bench(&result, &name))?;
        crate::results::write_output(p, html.as_bytes())?;
    }
    if let Some(sig) = signals::interrupted() {
        return Ok(128 + sig);
    }
    crate::runner::live::check_alerts(args.alert.fail_on_alert, &result.phases)?;
    Ok(0)
}

fn latency_lines(o: &mut String, label: &str, l: &LatencySummary) {
    // As YCSB's HdrHistogram measurement: average as a double, the rest whole µs.
    let _ = writeln!(o, "[{label}], AverageLatency(us), {}", l.avg);
    for (name, v) in [
        ("MinLatency(us)", l.min),
        ("MaxLatency(us)", l.max),
        ("50thPercentileLatency(us)", l.p50),
        ("95thPercentileLatency(us)", l.p95),
        ("99thPercentileLatency(us)", l.p99),
        ("99.9PercentileLatency(us)", l.p999),
    ] {
        let _ = writeln!(o, "[{label}], {name}, {}", v.round() as u64);
    }
}

/// YCSB's text output, one block per phase (load, run), each starting with `[OVERALL]`.
pub fn ycsb_text(r: &BenchResult) -> String {
    let mut o = String::new();
    for p in &r.phases {
        phase_text(&mut o, p);
    }
    o
}

fn phase_text(o: &mut String, p: &PhaseResult) {
    let w = p.spec.ycsb.as_ref().map_or("?", |y| y.workload.as_str());
    let _ = writeln!(
        o,
        "# rdbtune ycsb: workload {w}, {} phase, {} threads",
        if p.workload == Workload::YcsbLoad {
            "load"
        } else {
            "run"
        },
        p.spec.threads
    );
    let _ = writeln!(o, "[OVERALL], RunTime(ms), {:.0}", p.elapsed_s * 1000.0);
    let _ = writeln!(o, "[OVERALL], Throughput(ops/sec), {}", p.ops_per_sec);
    let order = [
        OpKind::Insert,
        OpKind::Read,
        OpKind::Update,
        OpKind::Scan,
        OpKind::ReadModifyWrite,
    ];
    for k in order {
        let Some(s) = p.per_op.iter().find(|s| s.kind == k) else {
            continue;
        };
        let label = k.ycsb_label();
        let _ = writeln!(o, "[{label}], Operations, {}", s.ops);
        latency_lines(o, label, &s.latency_us);
        let (ok, nf) = match (s.found, s.not_found) {
            (Some(f), Some(n)) => (f + (s.ops - (f + n)), n),
            _ => (s.ops, 0),
        };
        let _ = writeln!(o, "[{label}], Return=OK, {ok}");
        if nf > 0 {
            let _ = writeln!(o, "[{label}], Return=NOT_FOUND, {nf}");
        }
        if let Some(i) = &s.intended_latency_us {
            let il = format!("Intended-{label}");
            let _ = writeln!(o, "[{il}], Operations, {}", i.samples);
            latency_lines(o, &il, i);
        }
    }
}
