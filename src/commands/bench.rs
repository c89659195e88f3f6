//! `rdbtune bench`: db_bench-style phases on one DB, with tables, JSON and CSV.

use super::cli::BenchArgs;
use super::common::{self, engine_config};
use crate::dbdir::DbDir;
use crate::engine::{Engine, EngineConfig};
use crate::error::{Error, Result};
use crate::export;
use crate::metrics::run_metrics;
use crate::model::{DbInfo, Kind, PhaseResult, PhaseTemplate, RunResult, Scenario, TrialRun};
use crate::output::write_output;
use crate::runner::{run_phase, AfterWrite, PhaseOptions};
use crate::signals;
use crate::sysmon::Machine;
use crate::ui::LiveView;
use crate::workload::{PhaseSpec, Workload};

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
            if let Some(n) = args.seek_nexts {
                s.seek_nexts = n;
            }
            s.merge_percent = args.merge_percent;
            s.value_size_distribution = args.value_size_distribution_type;
            s.value_size_min = args.value_size_min;
            s.value_size_max = args.value_size_max;
            if matches!(w, Workload::ReadRandom | Workload::MultiReadRandom) {
                s.read_random_exp_range = args.read_random_exp_range;
            }
            if w == Workload::MixGraph {
                let m = args.mixgraph.spec();
                if let Some(warn) = m.warning() {
                    eprintln!("warning: {warn}");
                }
                s.mixgraph = Some(m);
            }
            s.keys_per_prefix = args.keys_per_prefix;
            s.prefix_size = args.prefix_size;
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

/// db_bench's name of column family `i` (`default` for 0).
pub fn db_bench_family(i: usize) -> String {
    if i == 0 {
        "default".into()
    } else {
        format!("column_family_name_{i:06}")
    }
}

/// `--num-column-families` and its siblings: the families in the engine config, and key
/// groups that each span the key space with db_bench's shares of the ops.
pub fn column_families(
    args: &BenchArgs,
    cfg: &mut EngineConfig,
    specs: &mut [PhaseSpec],
) -> Result<()> {
    let n = args.num_column_families;
    if n == 0 {
        return Err(Error::usage("--num-column-families must be at least 1"));
    }
    let hot = args.num_hot_column_families.unwrap_or(n);
    if hot == 0 || hot > n {
        return Err(Error::usage(format!(
            "--num-hot-column-families {hot}: give 1 to {n} (--num-column-families)"
        )));
    }
    let shares: Vec<f64> = match &args.column_family_distribution {
        None => vec![1.0; hot],
        Some(d) => d
            .split(',')
            .map(|x| {
                x.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| *v >= 0.0)
                    .ok_or_else(|| {
                        Error::usage(format!(
                            "--column-family-distribution {d:?}: {x:?} is not a percentage"
                        ))
                    })
            })
            .collect::<Result<_>>()?,
    };
    if shares.len() != hot {
        return Err(Error::usage(format!(
            "--column-family-distribution has {} shares for {hot} hot families: give one per hot family, e.g. 60,40",
            shares.len()
        )));
    }
    let total: f64 = shares.iter().sum();
    if args.column_family_distribution.is_some() && (total - 100.0).abs() > 1e-6 {
        return Err(Error::usage(format!(
            "--column-family-distribution adds up to {total}, not 100: give percentages, as db_bench does, e.g. 60,40"
        )));
    }
    if n == 1 {
        return Ok(());
    }
    for i in 1..n {
        cfg.column_families.push(crate::engine::CfConfig {
            name: db_bench_family(i),
            overrides: toml::Table::new(),
        });
    }
    let names: Vec<String> = (0..hot).map(db_bench_family).collect();
    for s in specs {
        s.key_groups = crate::workload::KeyGroup::spanning(&names, &shares, s.num);
    }
    Ok(())
}

fn list_workloads() -> String {
    Workload::ALL
        .iter()
        .filter(|w| !matches!(w, Workload::YcsbLoad | Workload::YcsbRun))
        .map(|w| format!("{:<22} {}\n", w.name(), w.description()))
        .collect()
}

/// Runs the phases in order on one engine; keeps the phases that finished when one fails.
pub struct OneDb {
    pub after: AfterWrite,
    pub opts: PhaseOptions,
    pub view: LiveView,
    /// `--hdr-log` and `--metrics-addr`.
    pub extra: Vec<Box<dyn crate::runner::PhaseObserver>>,
    pub quiet: bool,
}

impl OneDb {
    /// Runs one phase on `engine` with the live view and the extra observers.
    pub fn phase(&mut self, engine: &Engine, p: &PhaseTemplate) -> Result<PhaseResult> {
        let opts = PhaseOptions {
            label: p.label.clone(),
            after: self.after,
            ..self.opts.clone()
        };
        let mut view = crate::runner::Observers(vec![&mut self.view]);
        for o in &mut self.extra {
            view.0.push(o.as_mut());
        }
        run_phase(engine, &p.spec, &opts, &mut view)
    }

    /// The run of `plan`'s single trial, and the error that cut it short, if any.
    pub fn run(
        &mut self,
        engine: &Engine,
        plan: &Scenario,
        describe: impl Fn(usize, &PhaseSpec) -> String,
    ) -> (TrialRun, Option<Error>) {
        let trial = &plan.trials[0];
        let mut phases = Vec::new();
        let mut failure = None;
        for (i, p) in trial.phases.iter().enumerate() {
            if signals::interrupted().is_some() {
                break;
            }
            if !self.quiet {
                eprintln!("{}", describe(i, &p.spec));
            }
            match self.phase(engine, p) {
                Ok(r) => phases.push(r),
                Err(e) => {
                    // Keep what finished: the outputs are written, then the error exits 3.
                    failure = Some(e);
                    break;
                }
            }
        }
        let run = trial_run(plan, phases, engine.get_stats().ok());
        (run, failure)
    }
}

/// The single trial's run of `plan` from its finished phases.
pub fn trial_run(
    plan: &Scenario,
    phases: Vec<PhaseResult>,
    final_stats: Option<crate::engine::EngineStats>,
) -> TrialRun {
    let trial = &plan.trials[0];
    let labels: Vec<String> = trial.phases.iter().map(|p| p.label.clone()).collect();
    let metrics = run_metrics(&labels, &phases, trial.config.configured_memory());
    TrialRun {
        trial: trial.id.clone(),
        repeat: 0,
        metrics,
        phases,
        final_stats,
    }
}

/// A one-DB result of `kind` for `plan`, its single run and the DB it ran on.
pub fn one_db_result(
    kind: Kind,
    plan: Scenario,
    machine: Machine,
    run: TrialRun,
    dir: &DbDir,
    options: Option<String>,
) -> RunResult {
    let mut r = RunResult::new(kind, plan, machine, crate::scenario::execute::now_unix());
    if let Some(o) = options {
        r.effective_options.insert(run.trial.clone(), o);
    }
    r.repeats = 1;
    r.db = DbInfo {
        preparation: if dir.is_temporary() {
            "a fresh temporary DB".into()
        } else {
            "the DB at --db".into()
        },
        path: (!dir.is_temporary()).then(|| dir.path().to_path_buf()),
        temporary: dir.is_temporary(),
    };
    r.runs.push(run);
    r.interrupted = signals::interrupted().is_some();
    crate::recommend::finalise(&mut r);
    r
}

/// Runs `rdbtune bench`; returns the exit code.
pub fn run(args: &BenchArgs) -> Result<i32> {
    if args.list {
        print!("{}", list_workloads());
        return Ok(0);
    }
    let mut cfg = engine_config(&args.engine)?;
    if args.prefix_size > 0 && !cfg.rocksdb_options.contains("prefix_extractor") {
        // db_bench: --prefix_size != 0 installs NewFixedPrefixTransform(prefix_size).
        let sep = if cfg.rocksdb_options.is_empty() {
            ""
        } else {
            ";"
        };
        cfg.rocksdb_options = format!(
            "{}{sep}prefix_extractor=rocksdb.FixedPrefix.{}",
            cfg.rocksdb_options, args.prefix_size
        );
    }
    let mut specs = phase_specs(args)?;
    column_families(args, &mut cfg, &mut specs)?;
    let mut dir = match &args.db {
        Some(p) => DbDir::user(p, "--db", args.db_reuse)?,
        None => DbDir::temporary(None)?,
    };
    if args.keep_db {
        dir.keep();
    }
    signals::install();
    let machine = Machine::detect(Some(dir.path()));
    let engine = Engine::open(&cfg, dir.path())?;
    let plan = Scenario::one_trial("bench", engine.config().clone(), specs, args.seed);
    let options = crate::scenario::execute::effective_options(&engine);
    let mut one = OneDb {
        after: if args.no_wait_for_compaction {
            AfterWrite::Nothing
        } else {
            AfterWrite::WaitForCompaction
        },
        opts: PhaseOptions {
            alerts: common::alerts(&args.alert)?,
            measure: common::measure(&args.measure)?,
            ..PhaseOptions::new("", AfterWrite::Nothing)
        },
        view: LiveView::new(
            common::display(args.quiet, args.status_interval),
            !args.quiet,
            None,
        ),
        extra: common::measure_observers(&args.measure)?,
        quiet: args.quiet,
    };
    let n = plan.trials[0].phases.len();
    let (run, failure) = one.run(&engine, &plan, |i, s| {
        format!(
            "phase {}/{n}: {} ({} threads, num {}{})",
            i + 1,
            s.workload,
            s.threads,
            s.num,
            s.duration_s.map_or(String::new(), |d| format!(", {d} s"))
        )
    });
    drop(engine);
    let mut result = one_db_result(Kind::Bench, plan, machine, run, &dir, options);
    result.error = failure.as_ref().map(|e| e.to_string());
    write_outputs(args, &result)?;
    if args.keep_db && args.db.is_none() && !args.quiet {
        eprintln!("kept DB at {}", dir.path().display());
    }
    if let Some(e) = failure {
        if args.json.is_some() || args.csv.is_some() {
            eprintln!("the phases finished before the error were written");
        }
        return Err(e);
    }
    if let Some(code) = common::interrupted_code() {
        eprintln!(
            "interrupted by signal {}: results so far were written",
            code - 128
        );
        return Ok(code);
    }
    common::check_alerts(&args.alert, &result)?;
    Ok(0)
}

/// --json, --csv, --html and the tables (on stderr when stdout carries JSON or CSV).
fn write_outputs(args: &BenchArgs, result: &RunResult) -> Result<()> {
    if let Some(p) = &args.json {
        write_output(p, &export::json::json(result)?)?;
    }
    if let Some(p) = &args.csv {
        write_output(p, &export::csv::phases_csv(result)?)?;
    }
    if let Some(p) = &args.html {
        common::write_html(p, result)?;
    }
    if !args.quiet {
        let text = export::table::table(result);
        if common::is_stdout(&args.json) || common::is_stdout(&args.csv) {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
    }
    Ok(())
}
