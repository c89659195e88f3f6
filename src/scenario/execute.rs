//! Running a scenario: trials × repeats, interleaved, a fresh DB per trial run. results.json
//! is rewritten after every trial run (so an interrupted run keeps what it finished) and the
//! derived files are rendered once, at the end, on an interrupt or after an error.

use crate::dbdir::DbDir;
use crate::engine::size::human_bytes;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::metrics::run_metrics;
use crate::model::alerts::AlertSet;
use crate::model::{DbInfo, Kind, PhaseResult, RunResult, Scenario, Trial, TrialRun};
use crate::output::{load_folder, RunFolder};
use crate::recommend::finalise;
use crate::runner::{run_phase, AfterWrite, Measure, Observers, PhaseObserver, PhaseOptions};
use crate::signals;
use crate::sysmon::{self, Machine};
use crate::ui::{Display, LiveView, TrialBar};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Options from the command line.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub out: Option<PathBuf>,
    pub repeats: Option<usize>,
    pub quick: bool,
    pub shard: Option<(usize, usize)>,
    pub resume: Option<PathBuf>,
    pub quiet: bool,
    /// Replaces the duration of every timed phase (soak runs).
    pub duration_s: Option<f64>,
    /// rdbtune status lines every this many seconds when stderr is not a terminal (0: none).
    pub status_interval: u64,
    /// `--alert` rules, added to the scenario's `[alerts]`.
    pub alerts: Vec<String>,
    /// `--alert-sustain`.
    pub alert_sustain: Option<u32>,
    /// `--percentiles` and `--perf-sample`.
    pub measure: Measure,
    /// `--hdr-log DIR`: one HdrHistogram interval log per phase and op kind.
    pub hdr_log: Option<PathBuf>,
    /// `--metrics-addr`: the Prometheus endpoint's address.
    pub metrics_addr: Option<String>,
}

/// The observers `--hdr-log` and `--metrics-addr` ask for, beside the live view. The
/// endpoint's address goes to stderr (port 0 picks a free one).
pub fn measure_observers(
    hdr_log: Option<&std::path::Path>,
    metrics_addr: Option<&str>,
    percentiles: &[f64],
) -> Result<Vec<Box<dyn PhaseObserver>>> {
    let mut v: Vec<Box<dyn PhaseObserver>> = Vec::new();
    if let Some(dir) = hdr_log {
        v.push(Box::new(crate::output::HdrLog::new(dir)?));
    }
    if let Some(addr) = metrics_addr {
        let e = crate::endpoint::MetricsEndpoint::start(addr, percentiles)?;
        eprintln!("metrics: serving http://{}/metrics", e.addr());
        v.push(Box::new(e));
    }
    Ok(v)
}

/// Parses `I/N` (1-based), or `N` with the index taken from `JOB_COMPLETION_INDEX`
/// (0-based, as Kubernetes Indexed Jobs set it).
pub fn parse_shard(s: &str) -> Result<(usize, usize)> {
    let bad = |m: String| Error::usage(format!("--shard {s:?}: {m}; write I/N, e.g. --shard 1/4"));
    let (i, n) = match s.split_once('/') {
        Some((i, n)) => (
            i.trim()
                .parse::<usize>()
                .map_err(|_| bad("I is not a number".into()))?,
            n.trim()
                .parse::<usize>()
                .map_err(|_| bad("N is not a number".into()))?,
        ),
        None => {
            let n = s
                .trim()
                .parse::<usize>()
                .map_err(|_| bad("not a number".into()))?;
            let idx = std::env::var("JOB_COMPLETION_INDEX")
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .ok_or_else(|| bad("a bare N needs JOB_COMPLETION_INDEX to be set".into()))?;
            (idx + 1, n)
        }
    };
    if n == 0 || i == 0 || i > n {
        return Err(bad(format!("need 1 <= I <= N, got {i}/{n}")));
    }
    Ok((i, n))
}

/// Civil UTC timestamp `YYYYmmdd-HHMMSS`.
pub fn timestamp(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Applies `--quick`, `--duration` and `--repeats` to the scenario.
fn adjust(scn: &mut Scenario, opts: &RunOptions) -> Result<()> {
    if opts.quick {
        scn.quick();
    }
    if let Some(d) = opts.duration_s {
        if !(d > 0.0 && d.is_finite()) {
            return Err(Error::usage(format!(
                "--duration {d} must be a positive number of seconds"
            )));
        }
        for t in &mut scn.trials {
            for p in &mut t.phases {
                if p.spec.duration_s.is_some() {
                    p.spec.duration_s = Some(d);
                }
            }
        }
    }
    if let Some(n) = opts.repeats {
        if n == 0 {
            return Err(Error::usage("--repeats must be at least 1"));
        }
        scn.run.repeats = n;
    }
    Ok(())
}

/// The output folder and the runs an earlier, interrupted run of it finished (`--resume`).
fn open_folder(
    scn: &Scenario,
    opts: &RunOptions,
    started: u64,
) -> Result<(RunFolder, Option<RunResult>)> {
    let Some(dir) = &opts.resume else {
        let out = opts.out.clone().unwrap_or_else(|| {
            PathBuf::from("results")
                .join(&scn.name)
                .join(timestamp(started))
        });
        return Ok((RunFolder::create(&out, "--out")?, None));
    };
    let prev = load_folder(dir).map_err(|e| Error::usage(format!("--resume: {e}")))?;
    if prev.scenario.name != scn.name
        || prev
            .scenario
            .trials
            .iter()
            .map(|t| &t.id)
            .ne(scn.trials.iter().map(|t| &t.id))
    {
        return Err(Error::usage(format!(
            "--resume {}: that folder holds scenario {:?} with other trials; resume with the same scenario file and flags",
            dir.display(),
            prev.scenario.name
        )));
    }
    Ok((RunFolder::create(dir, "--resume")?, Some(prev)))
}

/// The trials of this shard that fit the memory budget and the machine, and the others with
/// why they were skipped.
fn select(scn: &Scenario, shard: Option<(usize, usize)>) -> (Vec<Trial>, Vec<(String, String)>) {
    let available = sysmon::available_memory();
    let mut skipped = Vec::new();
    let mut selected = Vec::new();
    for (i, t) in scn.trials.iter().enumerate() {
        if shard.is_some_and(|(si, sn)| i % sn != si - 1) {
            continue;
        }
        let mem = t.config.configured_memory();
        if let Some(b) = scn.memory_budget.filter(|b| mem > b.0) {
            let why = format!(
                "configured memory {} exceeds memory_budget {b}",
                human_bytes(mem)
            );
            skipped.push((t.id.clone(), why));
        } else if available > 0 && mem > available {
            let why = format!(
                "configured memory {} exceeds available memory {}",
                human_bytes(mem),
                human_bytes(available)
            );
            skipped.push((t.id.clone(), why));
        } else {
            selected.push(t.clone());
        }
    }
    (selected, skipped)
}

/// Interleaved plan: repeat r runs the trials rotated by r, so drift favours none; runs
/// already in `done` are left out.
fn plan(selected: &[Trial], repeats: usize, done: &[TrialRun]) -> Vec<(Trial, usize)> {
    let mut plan = Vec::new();
    for r in 0..repeats {
        let n = selected.len();
        for k in 0..n {
            let t = &selected[(k + r) % n];
            if !done.iter().any(|x| x.trial == t.id && x.repeat == r) {
                plan.push((t.clone(), r));
            }
        }
    }
    plan
}

/// Runs the scenario; returns the result, its folder and the exit code.
pub fn run(mut scn: Scenario, opts: &RunOptions) -> Result<(RunResult, PathBuf, i32)> {
    adjust(&mut scn, opts)?;
    let started = now_unix();
    let (folder, previous) = open_folder(&scn, opts, started)?;
    signals::install();
    let (selected, skipped) = select(&scn, opts.shard);
    for (id, why) in &skipped {
        eprintln!("warning: skipping trial {id}: {why}");
    }
    let mut result = RunResult::new(
        Kind::Scenario,
        scn.clone(),
        Machine::detect(Some(&std::env::temp_dir())),
        previous.as_ref().map_or(started, |p| p.started_unix),
    );
    result.quick = opts.quick;
    result.shard = opts.shard;
    result.db = DbInfo {
        preparation: "fresh DB per trial run (no checkpoint reuse)".into(),
        path: None,
        temporary: true,
    };
    result.skipped = skipped;
    result.runs = previous.map(|p| p.runs).unwrap_or_default();
    let todo = plan(&selected, scn.run.repeats, &result.runs);
    if !opts.quiet {
        let done = result.runs.len();
        eprintln!(
            "{}: {} trials x {} repeats, {} runs to do{} -> {}",
            scn.name,
            selected.len(),
            scn.run.repeats,
            todo.len(),
            if done > 0 {
                format!(" ({done} already done)")
            } else {
                String::new()
            },
            folder.path().display()
        );
    }
    finalise(&mut result);
    folder.save_results(&result)?;
    let outcome = run_plan(&mut result, &folder, &todo, opts);
    result.interrupted = signals::interrupted().is_some();
    finalise(&mut result);
    if let Err(e) = outcome {
        // Keep what finished (the error itself is what the user needs to see).
        result.error = Some(e.to_string());
        let _ = folder.write_all(&result);
        return Err(e);
    }
    folder.write_all(&result)?;
    let code = match signals::interrupted() {
        Some(sig) => {
            eprintln!(
                "interrupted by signal {sig}: {} finished trial runs kept in {}; continue with --resume {}",
                result.runs.len(),
                folder.path().display(),
                folder.path().display()
            );
            128 + sig
        }
        None => 0,
    };
    Ok((result, folder.path().to_path_buf(), code))
}

/// Runs the planned trial runs in order, saving results.json after each one.
fn run_plan(
    result: &mut RunResult,
    folder: &RunFolder,
    todo: &[(Trial, usize)],
    opts: &RunOptions,
) -> Result<()> {
    let alerts = result
        .scenario
        .alerts
        .clone()
        .with_flags(&opts.alerts, opts.alert_sustain)?;
    let terminal = !opts.quiet && std::io::stderr().is_terminal();
    let bar = TrialBar::new(terminal, todo.len());
    let display = if opts.quiet {
        Display::Quiet
    } else if terminal {
        Display::Dashboard
    } else {
        Display::Status(opts.status_interval)
    };
    let mut live = LiveView::new(display, !opts.quiet, bar.multi());
    let mut extra = measure_observers(
        opts.hdr_log.as_deref(),
        opts.metrics_addr.as_deref(),
        &opts.measure.percentiles,
    )?;
    let mut view = Observers(vec![&mut live]);
    for o in &mut extra {
        view.0.push(o.as_mut());
    }
    let after = if result.scenario.run.wait_for_compaction {
        AfterWrite::FlushAndWait
    } else {
        AfterWrite::Nothing
    };
    for (k, (trial, rep)) in todo.iter().enumerate() {
        if signals::interrupted().is_some() {
            break;
        }
        bar.running(&format!("{} #{}", trial.id, rep + 1));
        let run = RunOfTrial {
            trial,
            repeat: *rep,
            after,
            alerts: &alerts,
            measure: &opts.measure,
            folder: Some(folder),
        };
        let (phases, final_stats, options) = run.execute(&mut view)?;
        if let Some(o) = options {
            result
                .effective_options
                .entry(trial.id.clone())
                .or_insert(o);
        }
        if signals::interrupted().is_some() {
            // Incomplete: kept for its timeline, not summarised.
            result.partial_run = Some(TrialRun {
                trial: trial.id.clone(),
                repeat: *rep,
                metrics: BTreeMap::new(),
                phases,
                final_stats: Some(final_stats),
            });
            break;
        }
        let labels: Vec<String> = trial.phases.iter().map(|p| p.label.clone()).collect();
        let metrics = run_metrics(&labels, &phases, trial.config.configured_memory());
        if !opts.quiet {
            bar.say(&run_line(k + 1, todo.len(), trial, *rep, &labels, &phases));
        }
        result.runs.push(TrialRun {
            trial: trial.id.clone(),
            repeat: *rep,
            metrics,
            phases,
            final_stats: Some(final_stats),
        });
        folder.save_results(result)?;
        bar.done_one();
    }
    bar.finish();
    Ok(())
}

/// `[3/12] trial (repeat 2): fill 123 ops/s p99 45 µs; ...`
fn run_line(
    k: usize,
    n: usize,
    trial: &Trial,
    rep: usize,
    labels: &[String],
    phases: &[PhaseResult],
) -> String {
    let head: Vec<String> = labels
        .iter()
        .zip(phases)
        .map(|(l, p)| {
            format!(
                "{l} {:.0} ops/s p99 {:.0} µs",
                p.ops_per_sec, p.latency_us.p99
            )
        })
        .collect();
    format!(
        "[{k}/{n}] {} (repeat {}): {}",
        trial.id,
        rep + 1,
        head.join("; ")
    )
}

/// One run of a trial's phases on a fresh temporary DB (removed afterwards).
pub struct RunOfTrial<'a> {
    pub trial: &'a Trial,
    pub repeat: usize,
    pub after: AfterWrite,
    pub alerts: &'a AlertSet,
    /// Percentiles and PerfContext sampling.
    pub measure: &'a Measure,
    /// The run folder whose intervals.csv gets each second live.
    pub folder: Option<&'a RunFolder>,
}

impl RunOfTrial<'_> {
    /// Runs the phases in order; stops after the phase a signal interrupts. Returns the
    /// phases, the engine state after the last one and the OPTIONS file RocksDB wrote.
    pub fn execute(
        &self,
        view: &mut dyn PhaseObserver,
    ) -> Result<(Vec<PhaseResult>, crate::engine::EngineStats, Option<String>)> {
        let dir = DbDir::temporary(None)?;
        let mut engine = Engine::open(&self.trial.config, dir.path())?;
        let options = effective_options(&engine);
        let mut phases = Vec::new();
        for p in &self.trial.phases {
            engine.set_disable_wal(p.spec.disable_wal.unwrap_or(self.trial.config.disable_wal));
            let opts = PhaseOptions {
                label: format!("{} #{} {}", self.trial.id, self.repeat + 1, p.label),
                after: self.after,
                alerts: self.alerts.clone(),
                measure: self.measure.clone(),
            };
            let mut log = self
                .folder
                .map(|f| f.interval_log(&self.trial.id, self.repeat, &p.label))
                .transpose()?;
            let mut observers = Observers(vec![&mut *view]);
            if let Some(l) = log.as_mut() {
                observers.0.push(l);
            }
            phases.push(run_phase(&engine, &p.spec, &opts, &mut observers)?);
            if signals::interrupted().is_some() {
                break;
            }
        }
        Ok((phases, engine.get_stats()?, options))
    }
}

/// The OPTIONS file RocksDB wrote on open, with the block cache it was given named after it.
pub fn effective_options(engine: &Engine) -> Option<String> {
    let mut text = engine.written_options()?;
    text.push_str(&format!(
        "# {}\n",
        crate::engine::options_file::cache_note(engine.config())
    ));
    Some(text)
}

/// Joins shard folders into one result and writes it to `out`.
pub fn merge(dirs: &[PathBuf], out: Option<PathBuf>) -> Result<(RunResult, PathBuf)> {
    let mut parts = dirs.iter().map(|d| load_folder(d));
    let mut first = parts
        .next()
        .ok_or_else(|| Error::usage("merge needs at least one result folder"))??;
    for (d, p) in dirs.iter().skip(1).zip(parts) {
        let p = p?;
        if p.scenario.name != first.scenario.name || p.scenario.source != first.scenario.source {
            return Err(Error::usage(format!(
                "{}: scenario {:?} differs from {}'s {:?}; merge only shards of one scenario file",
                d.display(),
                p.scenario.name,
                dirs[0].display(),
                first.scenario.name
            )));
        }
        for r in p.runs {
            if !first
                .runs
                .iter()
                .any(|x| x.trial == r.trial && x.repeat == r.repeat)
            {
                first.runs.push(r);
            }
        }
        for s in p.skipped {
            if !first.skipped.contains(&s) {
                first.skipped.push(s);
            }
        }
        first.interrupted |= p.interrupted;
    }
    first.shard = None;
    first.command = std::env::args().collect();
    let order: Vec<String> = first.scenario.trials.iter().map(|t| t.id.clone()).collect();
    first
        .runs
        .sort_by_key(|r| (r.repeat, order.iter().position(|id| *id == r.trial)));
    // Each shard ran its own rounds (possibly on another machine at another time): repeat r
    // of two trials from different shards is no pair.
    if dirs.len() > 1 {
        crate::recommend::finalise_unpaired(&mut first);
    } else {
        finalise(&mut first);
    }
    let out = out.unwrap_or_else(|| {
        PathBuf::from("results")
            .join(&first.scenario.name)
            .join(format!("{}-merged", timestamp(now_unix())))
    });
    RunFolder::create(&out, "--out")?.write_all(&first)?;
    Ok((first, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_civil_utc() {
        assert_eq!(timestamp(0), "19700101-000000");
        assert_eq!(timestamp(1_795_700_000), "20261126-133320");
        assert_eq!(timestamp(951_782_400), "20000229-000000");
    }

    #[test]
    fn shards_parse() {
        assert_eq!(parse_shard("2/4").unwrap(), (2, 4));
        for bad in ["0/4", "5/4", "a/4", "1/0", "x"] {
            let e = parse_shard(bad).unwrap_err().to_string();
            assert!(e.contains("--shard"), "{e}");
        }
    }
}
