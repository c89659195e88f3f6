//! Running a scenario: trials × repeats (interleaved), a fresh DB per trial run, outputs
//! rewritten atomically after every trial so an interrupted run keeps what it finished.

use super::{Scenario, Trial};
use crate::dbdir::DbDir;
use crate::engine::options_file::{db_bench_flags, recommended_toml, rocksdb_options_file};
use crate::engine::size::human_bytes;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::results::{write_output, SCHEMA};
use crate::runner::{run_phase, AfterWrite, PhaseResult, Progress};
use crate::signals;
use crate::sysmon::{self, Machine};
use crate::tune::recommend::{recommend, Recommendation, TrialSummary};
use crate::tune::stats::Estimate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// One completed (trial, repeat).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialRun {
    pub trial: String,
    pub repeat: usize,
    pub metrics: BTreeMap<String, f64>,
    pub phases: Vec<PhaseResult>,
}

/// `rdbtune.result/v1` for a scenario run (also what `merge` reads and writes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub schema: String,
    pub kind: String,
    pub scenario: Scenario,
    pub command: Vec<String>,
    pub machine: Machine,
    pub started_unix: u64,
    pub quick: bool,
    pub repeats: usize,
    /// (index, count), 1-based index, when this folder holds one shard.
    pub shard: Option<(usize, usize)>,
    /// How each trial's DB was prepared.
    pub db_preparation: String,
    /// Trials not run and why (memory budget).
    pub skipped: Vec<(String, String)>,
    pub runs: Vec<TrialRun>,
    pub summaries: Vec<TrialSummary>,
    pub recommendation: Option<Recommendation>,
    pub interrupted: bool,
    /// The trial run a signal cut short: kept for its timeline (intervals.csv, phases) but
    /// left out of the summaries and the recommendation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial_run: Option<TrialRun>,
}

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
    /// `--alert` rules and sustain, added to the scenario's `[alerts]`.
    pub alert: crate::cli::AlertArgs,
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

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The metrics of one trial run, named as objectives and constraints refer to them.
pub fn run_metrics(trial: &Trial, phases: &[PhaseResult]) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    let mut stall = 0u64;
    let mut peak_rss = 0u64;
    for (t, p) in trial.phases.iter().zip(phases) {
        let l = &t.label;
        let mut put = |k: &str, v: f64| {
            m.insert(format!("{l}.{k}"), v);
        };
        put("ops_per_sec", p.ops_per_sec);
        put("mb_per_sec", p.mb_per_sec);
        put("elapsed_s", p.elapsed_s);
        put("avg_us", p.latency_us.avg);
        put("p50_us", p.latency_us.p50);
        put("p95_us", p.latency_us.p95);
        put("p99_us", p.latency_us.p99);
        put("p999_us", p.latency_us.p999);
        put("max_us", p.latency_us.max);
        if let Some(h) = p.engine.cache_hit_rate {
            put("cache_hit_rate", h);
        }
        put("stall_micros", p.engine.stall_micros as f64);
        put(
            "stall_percent",
            p.engine.stall_micros as f64 / 1e4 / p.elapsed_s.max(1e-9),
        );
        if let Some(w) = p.engine.write_amplification {
            put("write_amplification", w);
        }
        put("compaction_wait_s", p.compaction_wait_s);
        put("cpu_s", p.cpu_s);
        let d = &p.engine.during;
        put("flushes", d.flushes as f64);
        put(
            "flushes_per_min",
            d.flushes as f64 * 60.0 / (p.elapsed_s + p.compaction_wait_s).max(1e-9),
        );
        put("compactions", d.compactions as f64);
        put("compaction_s", d.compaction_micros as f64 / 1e6);
        stall += p.engine.stall_micros;
        peak_rss = peak_rss.max(p.intervals.iter().map(|i| i.rss_bytes).max().unwrap_or(0));
        if let Some(tr) = &p.trend {
            m.insert(format!("{l}.rss_slope_mib_per_h"), tr.rss_slope_mib_per_h);
            if let Some(d) = tr.throughput_drift {
                m.insert(format!("{l}.throughput_drift"), d);
            }
        }
    }
    if let Some(last) = phases.last() {
        let a = &last.engine.after;
        if let Some(r) = a.compression_ratio {
            m.insert("compression_ratio".into(), r);
        }
        m.insert("disk_bytes".into(), a.disk_bytes as f64);
        m.insert("sst_bytes".into(), a.live_sst_bytes as f64);
        m.insert("memtable_bytes".into(), a.memtable_bytes as f64);
        if let Some(w) = a.write_amplification {
            m.insert("write_amplification".into(), w);
        }
    }
    m.insert(
        "configured_memory_bytes".into(),
        trial.config.configured_memory() as f64,
    );
    m.insert("peak_rss_bytes".into(), peak_rss as f64);
    m.insert("stall_micros".into(), stall as f64);
    m
}

/// Per-trial samples and estimates over the completed repeats.
pub fn summarise(scn: &Scenario, runs: &[TrialRun]) -> Vec<TrialSummary> {
    scn.trials
        .iter()
        .filter_map(|t| {
            let mine: Vec<&TrialRun> = runs.iter().filter(|r| r.trial == t.id).collect();
            if mine.is_empty() {
                return None;
            }
            let mut samples: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            for r in &mine {
                for (k, v) in &r.metrics {
                    samples.entry(k.clone()).or_default().push(*v);
                }
            }
            let estimates = samples
                .iter()
                .filter_map(|(k, v)| Estimate::of_metric(k, v).map(|e| (k.clone(), e)))
                .collect();
            Some(TrialSummary {
                id: t.id.clone(),
                axes: t.axes.clone(),
                samples,
                estimates,
                configured_memory: t.config.configured_memory(),
                background_jobs: t.config.max_background_jobs,
                threads: t.phases.iter().map(|p| p.spec.threads).max().unwrap_or(1),
            })
        })
        .collect()
}

/// Recomputes summaries and the recommendation from the runs.
pub fn finalise(r: &mut ScenarioResult) {
    r.summaries = summarise(&r.scenario, &r.runs);
    // Named [[trial]]s form one more axis, so the rationale compares them too.
    let mut axes = r.scenario.axes.clone();
    if r.scenario
        .trials
        .iter()
        .any(|t| t.axes.iter().any(|(k, _)| k == "trial"))
    {
        axes.insert(0, "trial".to_string());
    }
    r.recommendation = r.scenario.objective.as_ref().and_then(|o| {
        recommend(
            o,
            &r.scenario.constraints,
            &axes,
            r.scenario.threshold_axis.as_deref(),
            r.scenario.threshold,
            &r.summaries,
        )
    });
}

/// Loads a result folder's results.json.
pub fn load_result(dir: &Path) -> Result<ScenarioResult> {
    let p = dir.join("results.json");
    let bytes = std::fs::read(&p).map_err(|e| {
        Error::usage(format!(
            "{}: cannot read: {e}; is it an rdbtune run folder?",
            p.display()
        ))
    })?;
    let r: ScenarioResult = serde_json::from_slice(&bytes).map_err(|e| {
        Error::usage(format!(
            "{}: not an rdbtune scenario result: {e}",
            p.display()
        ))
    })?;
    if r.schema != SCHEMA {
        return Err(Error::usage(format!(
            "{}: schema {:?}, expected {SCHEMA}",
            p.display(),
            r.schema
        )));
    }
    Ok(r)
}

/// Runs the scenario; returns the result, its folder and the exit code.
pub fn run(mut scn: Scenario, opts: &RunOptions) -> Result<(ScenarioResult, PathBuf, i32)> {
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
    let started = now_unix();
    let (out, previous) = match &opts.resume {
        Some(dir) => {
            let prev = load_result(dir).map_err(|e| Error::usage(format!("--resume: {e}")))?;
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
            (dir.clone(), Some(prev))
        }
        None => (
            opts.out.clone().unwrap_or_else(|| {
                PathBuf::from("results")
                    .join(&scn.name)
                    .join(timestamp(started))
            }),
            None,
        ),
    };
    std::fs::create_dir_all(&out)
        .map_err(|e| Error::usage(format!("--out {}: cannot create: {e}", out.display())))?;

    signals::install();
    let machine = Machine::detect(Some(&std::env::temp_dir()));
    let available = sysmon::available_memory();
    let mut skipped = Vec::new();
    let mut selected = Vec::new();
    for (i, t) in scn.trials.iter().enumerate() {
        if let Some((si, sn)) = opts.shard {
            if i % sn != si - 1 {
                continue;
            }
        }
        let mem = t.config.configured_memory();
        if let Some(b) = scn.memory_budget {
            if mem > b.0 {
                skipped.push((
                    t.id.clone(),
                    format!(
                        "configured memory {} exceeds memory_budget {}",
                        human_bytes(mem),
                        b
                    ),
                ));
                continue;
            }
        }
        if available > 0 && mem > available {
            skipped.push((
                t.id.clone(),
                format!(
                    "configured memory {} exceeds available memory {}",
                    human_bytes(mem),
                    human_bytes(available)
                ),
            ));
            continue;
        }
        selected.push(t.clone());
    }
    for (id, why) in &skipped {
        eprintln!("warning: skipping trial {id}: {why}");
    }
    let mut result = ScenarioResult {
        schema: SCHEMA.into(),
        kind: "scenario".into(),
        scenario: scn.clone(),
        command: std::env::args().collect(),
        machine,
        started_unix: previous.as_ref().map_or(started, |p| p.started_unix),
        quick: opts.quick,
        repeats: scn.run.repeats,
        shard: opts.shard,
        db_preparation: "fresh DB per trial run (no checkpoint reuse)".into(),
        skipped,
        runs: previous.map(|p| p.runs).unwrap_or_default(),
        summaries: Vec::new(),
        recommendation: None,
        interrupted: false,
        partial_run: None,
    };

    // Interleaved plan: repeat r runs the trials rotated by r.
    let mut plan = Vec::new();
    for r in 0..scn.run.repeats {
        let n = selected.len();
        for k in 0..n {
            let t = &selected[(k + r) % n];
            if !result.runs.iter().any(|x| x.trial == t.id && x.repeat == r) {
                plan.push((t.clone(), r));
            }
        }
    }
    let done_before = result.runs.len();
    if !opts.quiet {
        eprintln!(
            "{}: {} trials x {} repeats, {} runs to do{} -> {}",
            scn.name,
            selected.len(),
            scn.run.repeats,
            plan.len(),
            if done_before > 0 {
                format!(" ({done_before} already done)")
            } else {
                String::new()
            },
            out.display()
        );
    }
    let alerts = scn.alerts.clone().with_args(&opts.alert)?;
    let terminal = !opts.quiet && std::io::stderr().is_terminal();
    let multi = terminal.then(indicatif::MultiProgress::new);
    let bar = if let Some(m) = &multi {
        let b = m.add(indicatif::ProgressBar::new(plan.len() as u64));
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} trial runs (ETA {eta}) {msg}",
            )
            .expect("valid template"),
        );
        b.enable_steady_tick(std::time::Duration::from_millis(500));
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    finalise(&mut result);
    write_all(&result, &out)?;
    let progress = Progress {
        enabled: terminal,
        plain_every_s: (!opts.quiet).then_some(opts.status_interval),
        alerts,
        print_alerts: !opts.quiet,
        multi,
        ..Progress::default()
    };
    let after = if scn.run.wait_for_compaction {
        AfterWrite::FlushAndWait
    } else {
        AfterWrite::Nothing
    };
    for (k, (trial, rep)) in plan.iter().enumerate() {
        if signals::interrupted().is_some() {
            break;
        }
        bar.set_message(format!("{} #{}", trial.id, rep + 1));
        let phases = run_trial_once(trial, after, |p| Progress {
            label: format!("{} #{} {}", trial.id, rep + 1, p.label),
            log: Some(crate::runner::live::interval_log(
                &out, &trial.id, *rep, &p.label,
            )),
            ..progress.clone()
        })?;
        if signals::interrupted().is_some() {
            // Incomplete: kept for its timeline, not summarised.
            result.partial_run = Some(TrialRun {
                trial: trial.id.clone(),
                repeat: *rep,
                metrics: BTreeMap::new(),
                phases,
            });
            break;
        }
        let metrics = run_metrics(trial, &phases);
        if !opts.quiet {
            let head: Vec<String> = trial
                .phases
                .iter()
                .zip(&phases)
                .map(|(t, p)| {
                    format!(
                        "{} {:.0} ops/s p99 {:.0} µs",
                        t.label, p.ops_per_sec, p.latency_us.p99
                    )
                })
                .collect();
            bar.suspend(|| {
                eprintln!(
                    "[{}/{}] {} (repeat {}): {}",
                    k + 1,
                    plan.len(),
                    trial.id,
                    rep + 1,
                    head.join("; ")
                )
            });
        }
        result.runs.push(TrialRun {
            trial: trial.id.clone(),
            repeat: *rep,
            metrics,
            phases,
        });
        finalise(&mut result);
        write_all(&result, &out)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    result.interrupted = signals::interrupted().is_some();
    finalise(&mut result);
    write_all(&result, &out)?;
    let code = match signals::interrupted() {
        Some(sig) => {
            eprintln!(
                "interrupted by signal {sig}: {} finished trial runs kept in {}; continue with --resume {}",
                result.runs.len(),
                out.display(),
                out.display()
            );
            128 + sig
        }
        None => 0,
    };
    Ok((result, out, code))
}

/// Runs a trial's phases once on a fresh temporary DB (removed afterwards); stops after the
/// phase a signal interrupts.
pub fn run_trial_once(
    trial: &Trial,
    after: AfterWrite,
    progress: impl Fn(&super::PhaseTemplate) -> Progress,
) -> Result<Vec<PhaseResult>> {
    let dir = DbDir::temporary(None)?;
    let engine = Engine::open(&trial.config, dir.path())?;
    let mut phases = Vec::new();
    for p in &trial.phases {
        phases.push(run_phase(&engine, &p.spec, after, &progress(p))?);
        if signals::interrupted().is_some() {
            break;
        }
    }
    Ok(phases)
}

/// Joins shard folders into one result and writes it to `out`.
pub fn merge(dirs: &[PathBuf], out: Option<PathBuf>) -> Result<(ScenarioResult, PathBuf)> {
    let mut parts = dirs.iter().map(|d| load_result(d));
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
    finalise(&mut first);
    let out = out.unwrap_or_else(|| {
        PathBuf::from("results")
            .join(&first.scenario.name)
            .join(format!("{}-merged", timestamp(now_unix())))
    });
    write_all(&first, &out)?;
    Ok((first, out))
}

/// The files of a scenario output folder (the last three need a recommendation).
pub const OUTPUT_FILES: [&str; 8] = [
    "results.json",
    "report.html",
    "trials.csv",
    "intervals.csv",
    "summary.md",
    "recommended.toml",
    "OPTIONS.ini",
    "db_bench.flags",
];

/// Writes every file of the output folder (see [`OUTPUT_FILES`]), each atomically.
pub fn write_all(r: &ScenarioResult, out: &Path) -> Result<()> {
    let mut json = serde_json::to_vec_pretty(r)
        .map_err(|e| Error::usage(format!("serialising results: {e}")))?;
    json.push(b'\n');
    write_output(&out.join("results.json"), &json)?;
    write_output(
        &out.join("trials.csv"),
        &crate::report::scenario::trials_csv(r)?,
    )?;
    write_output(
        &out.join("intervals.csv"),
        &crate::report::scenario::intervals_csv(r)?,
    )?;
    write_output(
        &out.join("summary.md"),
        crate::report::scenario::summary_md(r).as_bytes(),
    )?;
    write_output(
        &out.join("report.html"),
        crate::report::html::report(r)?.as_bytes(),
    )?;
    if let Some(rec) = &r.recommendation {
        if let Some(t) = r.scenario.trials.iter().find(|t| t.id == rec.winner) {
            let mut lines = vec![
                format!(
                    "rdbtune recommendation for scenario {:?}: trial {}",
                    r.scenario.name, rec.winner
                ),
                format!("objective: {}", rec.objective),
            ];
            if let Some(m) = &rec.margin {
                lines.push(format!(
                    "margin over runner-up {}: {}",
                    rec.runner_up.as_deref().unwrap_or("-"),
                    m.describe()
                ));
            }
            if rec.tie_broken_by_cost {
                lines.push(
                    "the best objective was within noise of this cheaper config, which was chosen"
                        .into(),
                );
            }
            lines.extend(rec.rationale.iter().cloned());
            write_output(
                &out.join("recommended.toml"),
                recommended_toml(&t.config, &lines).as_bytes(),
            )?;
            write_output(
                &out.join("OPTIONS.ini"),
                rocksdb_options_file(&t.config, &lines)?.as_bytes(),
            )?;
            let phases: Vec<&str> = t.phases.iter().map(|p| p.spec.workload.name()).collect();
            let ycsb_note = if t.phases.iter().any(|p| p.spec.ycsb.is_some()) {
                "# db_bench has no YCSB core workloads: run them with rdbtune ycsb; the engine flags below\n# reproduce the recommended config for db_bench's own workloads.\n"
            } else {
                ""
            };
            let p0 = &t.phases[0].spec;
            let mut flags = vec![
                "db_bench".to_string(),
                format!("--benchmarks={}", phases.join(",")),
                format!("--num={}", p0.num),
                format!("--key_size={}", p0.key_size),
                format!("--value_size={}", p0.value_size),
                format!("--compression_ratio={}", p0.compressibility),
                format!("--threads={}", p0.threads),
            ];
            flags.extend(db_bench_flags(&t.config));
            if !t.config.compression_per_level.is_empty() {
                flags.push("--options_file=OPTIONS.ini".into());
            }
            let text = format!("# {}\n{ycsb_note}{}\n", lines[0], flags.join(" \\\n  "));
            write_output(&out.join("db_bench.flags"), text.as_bytes())?;
        }
    }
    Ok(())
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
