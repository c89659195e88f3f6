//! rdbtune: benchmark and tune RocksDB.
//!
//! The library holds everything; `main.rs` only parses the command line and calls [`run`].
//! README.md (Layout) and docs/ describe how data flows from a workload to a report.

pub mod bench;
pub mod cli;
pub mod dbdir;
pub mod engine;
pub mod error;
pub mod gate;
pub mod monitor;
pub mod report;
pub mod results;
pub mod runner;
pub mod scenario;
pub mod signals;
pub mod sysmon;
pub mod tune;
pub mod workload;
pub mod ycsb_cmd;

pub use error::{Error, Result};

/// Runs one command; returns the process exit code (0, or 130/143 after an interrupt).
pub fn run(cli: cli::Cli) -> Result<i32> {
    match cli.command {
        cli::Command::Bench(args) => bench::run(&args),
        cli::Command::Run(args) => {
            let scn = scenario::Scenario::load(&args.file)?;
            run_scenario(scn, &args.opts)
        }
        cli::Command::Sweep(args) => {
            if args.list {
                for (name, text) in scenario::builtin::BUILTIN {
                    let s = scenario::Scenario::parse(text, &format!("scenarios/{name}.toml"))?;
                    println!("{name:<18} {}", s.description);
                }
                return Ok(0);
            }
            let name = args.name.as_deref().unwrap_or_default();
            let text = scenario::builtin::find(name).ok_or_else(|| {
                Error::usage(format!(
                    "unknown sweep {name:?}; built-in sweeps: {} (or run a file with rdbtune run FILE)",
                    scenario::builtin::BUILTIN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                ))
            })?;
            let scn = scenario::Scenario::parse(text, &format!("scenarios/{name}.toml"))?;
            run_scenario(scn, &args.opts)
        }
        cli::Command::Ycsb(args) => ycsb_cmd::run(&args),
        cli::Command::Stats(args) => monitor::run(&args),
        cli::Command::Validate(args) => {
            for f in &args.files {
                let s = scenario::Scenario::load(f)?;
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
        cli::Command::Merge(args) => {
            let (r, out) = scenario::run::merge(&args.dirs, args.out.clone())?;
            print!("{}", report::scenario::summary_md(&r));
            eprintln!("merged {} runs into {}", r.runs.len(), out.display());
            Ok(0)
        }
        cli::Command::Gate(args) => run_gate(&args),
        cli::Command::Tune(args) => {
            let letter = |w: &str, flag: &str| -> Result<String> {
                let l = w.trim().to_ascii_lowercase();
                let l = l.strip_prefix("ycsb-").unwrap_or(&l).to_string();
                if l.len() == 1 && "abcdef".contains(l.as_str()) {
                    Ok(l)
                } else {
                    Err(Error::usage(format!(
                        "{flag} {w:?}: give a YCSB core workload, ycsb-a .. ycsb-f"
                    )))
                }
            };
            let workload = letter(&args.workload, "--workload")?;
            let holdout = match args.holdout.as_deref() {
                Some("none") => None,
                Some(h) => Some(letter(h, "--holdout")?),
                None => Some(if workload == "b" {
                    "a".into()
                } else {
                    "b".into()
                }),
            };
            let budget: engine::size::Size = args
                .memory_budget
                .parse()
                .map_err(|e| Error::usage(format!("--memory-budget: {e}")))?;
            if args.records < 1000 {
                return Err(Error::usage("--records must be at least 1000"));
            }
            if args.threads == 0 {
                return Err(Error::usage("--threads must be at least 1"));
            }
            let o = tune::tuner::TuneOptions {
                workload,
                records: args.records,
                memory_budget: budget.bytes(),
                time_budget_s: tune::tuner::parse_duration(&args.time_budget)?,
                holdout,
                repeats: args.repeats,
                threads: args.threads,
                seed: args.seed,
                out: args.out.clone(),
                quiet: args.quiet,
            };
            let (r, out) = tune::tuner::tune(&o)?;
            print!("{}", tune::tuner::describe(&r));
            eprintln!("results in {}", out.display());
            Ok(if r.interrupted {
                128 + signals::interrupted().unwrap_or(2)
            } else {
                0
            })
        }
        cli::Command::Report(args) => {
            let (r, dir) = load_any(&args.input)?;
            let out = args
                .output
                .clone()
                .unwrap_or_else(|| dir.join("report.html"));
            let html = report::html::report(&r)?;
            results::write_output(&out, html.as_bytes())?;
            eprintln!("report: {} ({} KiB)", out.display(), html.len() / 1024);
            Ok(0)
        }
        cli::Command::Compare(args) => {
            let (a, _) = load_any(&args.a)?;
            let (b, _) = load_any(&args.b)?;
            let rows = report::compare::compare(&a, &b);
            if rows.is_empty() {
                return Err(Error::usage(format!(
                    "{} and {} share no trial and no metric: compare runs of the same scenario (or two single-trial runs)",
                    args.a.display(),
                    args.b.display()
                )));
            }
            let (an, bn) = (args.a.display().to_string(), args.b.display().to_string());
            print!("{}", report::compare::table(&rows, &an, &bn));
            if let Some(p) = &args.markdown {
                results::write_output(p, report::compare::markdown(&rows, &an, &bn).as_bytes())?;
            }
            if let Some(p) = &args.html {
                results::write_output(p, report::compare::html(&rows, &an, &bn)?.as_bytes())?;
            }
            Ok(0)
        }
        cli::Command::Config(args) => {
            let cfg = bench::engine_config(&args.engine)?;
            print!("{}", cfg.to_toml());
            Ok(0)
        }
    }
}

fn run_scenario(scn: scenario::Scenario, a: &cli::ScenarioRunArgs) -> Result<i32> {
    let opts = scenario::run::RunOptions {
        out: a.out.clone(),
        repeats: a.repeats,
        quick: a.quick,
        shard: a
            .shard
            .as_deref()
            .map(scenario::run::parse_shard)
            .transpose()?,
        resume: a.resume.clone(),
        quiet: a.quiet,
        duration_s: a.duration,
        status_interval: a.status_interval,
        alert: a.alert.clone(),
    };
    let (r, out, code) = scenario::run::run(scn, &opts)?;
    if !a.quiet {
        print!("{}", report::scenario::summary_md(&r));
        eprintln!("results in {}", out.display());
    }
    if code == 0 {
        let phases = r.runs.iter().flat_map(|run| run.phases.iter());
        runner::live::check_alerts(a.alert.fail_on_alert, phases)?;
    }
    Ok(code)
}

fn run_gate(a: &cli::GateArgs) -> Result<i32> {
    use std::path::Path;
    let g = gate::GateFile::load(&a.gate)?;
    let opts = gate::GateOptions {
        baseline: a.baseline.clone(),
        save_baseline: a.save_baseline.clone(),
        force_baseline: a.force_baseline,
        strict: a.strict,
        warn_only: a.warn_only,
        quick: a.quick,
        runs: a.runs,
        shard: a
            .shard
            .as_deref()
            .map(scenario::run::parse_shard)
            .transpose()?,
        quiet: a.quiet,
    };
    let r = gate::run(&g, &opts)?;
    let json = gate::output::json(&r)?;
    let json_on_stdout = a.json.as_deref() == Some(Path::new("-"));
    if let Some(p) = &a.json {
        results::write_output(p, &json)?;
    }
    if let Some(p) = &a.save_baseline {
        results::write_output(p, &json)?;
    }
    if let Some(p) = &a.junit {
        results::write_output(p, gate::output::junit(&r).as_bytes())?;
    }
    if let Some(p) = &a.bmf {
        results::write_output(p, &gate::output::bmf(&r)?)?;
    }
    if let Some(m) = &a.markdown {
        let md = gate::output::markdown(&r);
        match (m.as_str(), std::env::var_os("GITHUB_STEP_SUMMARY")) {
            ("auto", Some(summary)) => {
                use std::io::Write as _;
                let path = std::path::PathBuf::from(summary);
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .and_then(|mut f| f.write_all(md.as_bytes()))
                    .map_err(|e| Error::io("appending to $GITHUB_STEP_SUMMARY", &path, e))?;
            }
            // Not on GitHub Actions: the table below says the same.
            ("auto", None) => {}
            (file, _) => results::write_output(Path::new(file), md.as_bytes())?,
        }
    }
    if a.quiet {
        eprintln!("{}", gate::output::headline(&r));
    } else if json_on_stdout {
        eprint!("{}", gate::output::table(&r));
    } else {
        print!("{}", gate::output::table(&r));
    }
    Ok(r.exit_code)
}

/// Reads a run folder, a scenario results.json, or a bench/ycsb JSON (seen as one trial);
/// returns it with the folder its report goes to by default.
fn load_any(p: &std::path::Path) -> Result<(scenario::run::ScenarioResult, std::path::PathBuf)> {
    let (file, dir) = if p.is_dir() {
        (p.join("results.json"), p.to_path_buf())
    } else {
        (
            p.to_path_buf(),
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(|| std::path::PathBuf::from("."), |d| d.to_path_buf()),
        )
    };
    let bytes = std::fs::read(&file).map_err(|e| {
        Error::usage(format!(
            "{}: cannot read: {e}; give a run folder or an rdbtune JSON file",
            file.display()
        ))
    })?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Error::usage(format!("{}: not JSON: {e}", file.display())))?;
    if v.get("scenario").is_some() {
        let r = serde_json::from_value(v).map_err(|e| {
            Error::usage(format!(
                "{}: not an rdbtune results.json: {e}",
                file.display()
            ))
        })?;
        Ok((r, dir))
    } else {
        let b: results::BenchResult = serde_json::from_value(v).map_err(|e| {
            Error::usage(format!(
                "{}: neither a scenario results.json nor a bench/ycsb JSON: {e}",
                file.display()
            ))
        })?;
        let name = file
            .file_stem()
            .map_or("run".into(), |s| s.to_string_lossy().into_owned());
        Ok((report::html::from_bench(&b, &name), dir))
    }
}
