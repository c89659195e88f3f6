//! A run folder: results.json rewritten after every trial run (so an interrupted grid or a
//! dead soak run keeps what it measured, and the live intervals.csv keeps every second),
//! and the derived files rendered from it once, at the end or on an interrupt.

use super::atomic::write_output;
use super::interval_log::IntervalLog;
use crate::engine::options_file::{self, rocksdb_options_file};
use crate::error::{Error, Result};
use crate::export;
use crate::model::{RunResult, Trial};
use std::path::{Path, PathBuf};

/// The files of a run folder (the last five need a recommendation).
pub const OUTPUT_FILES: [&str; 11] = [
    "results.json",
    "report.html",
    "trials.csv",
    "intervals.csv",
    "report.tsv",
    "summary.md",
    "recommended.toml",
    "OPTIONS.ini",
    "options.txt",
    export::options::PORTABLE_OPTIONS,
    "db_bench.flags",
];

/// An output folder of a scenario, merge or tune run.
#[derive(Debug, Clone)]
pub struct RunFolder {
    dir: PathBuf,
}

impl RunFolder {
    /// Creates `dir` (and its parents) if missing; `flag` names it in the error.
    pub fn create(dir: &Path, flag: &str) -> Result<RunFolder> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::usage(format!("{flag} {}: cannot create: {e}", dir.display())))?;
        Ok(RunFolder {
            dir: dir.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Rewrites results.json, atomically: what a trial run adds is durable once this returns.
    pub fn save_results(&self, r: &RunResult) -> Result<()> {
        write_output(&self.dir.join("results.json"), &export::json::json(r)?)
    }

    /// The live interval log of one phase of one trial run.
    pub fn interval_log(&self, trial: &str, repeat: usize, phase: &str) -> Result<IntervalLog> {
        IntervalLog::open(&self.dir, trial, repeat, phase)
    }

    /// results.json and every derived file (see [`OUTPUT_FILES`]), each atomically.
    pub fn write_all(&self, r: &RunResult) -> Result<()> {
        self.save_results(r)?;
        self.write_derived(r)
    }

    /// trials.csv, intervals.csv (rewritten whole: the final partial second of each phase
    /// included), report.tsv (benchmark.sh's columns), summary.md, report.html and, with a winner, the recommendation files.
    pub fn write_derived(&self, r: &RunResult) -> Result<()> {
        let put = |name: &str, bytes: &[u8]| write_output(&self.dir.join(name), bytes);
        put("trials.csv", &export::csv::trials_csv(r)?)?;
        put("intervals.csv", &export::csv::intervals_csv(r)?)?;
        put("report.tsv", export::tsv::report_tsv(r).as_bytes())?;
        put("summary.md", export::summary::summary_md(r).as_bytes())?;
        put("report.html", export::html::report(r)?.as_bytes())?;
        let Some(rec) = &r.recommendation else {
            return Ok(());
        };
        let Some(t) = r.scenario.trials.iter().find(|t| t.id == rec.winner) else {
            return Ok(());
        };
        let lines = rationale_lines(r, t);
        put(
            "recommended.toml",
            export::options::recommended_toml(&t.config, &lines).as_bytes(),
        )?;
        put(
            "OPTIONS.ini",
            rocksdb_options_file(&t.config, &lines)?.as_bytes(),
        )?;
        let changes = options_file::changes(&t.config)?;
        let string = options_file::options_string(&t.config, &changes);
        let note = options_file::cache_note(&t.config);
        put(
            "options.txt",
            export::options::options_txt(&string, &note, &lines).as_bytes(),
        )?;
        let mut header = lines.clone();
        header.push("only what differs from RocksDB 11.8's defaults (and the options whose defaults changed between releases): older releases load it (db_bench 7.8.3 --options_file)".into());
        header.push(note);
        put(
            export::options::PORTABLE_OPTIONS,
            options_file::portable_options_file(&changes, &header).as_bytes(),
        )?;
        put(
            "db_bench.flags",
            export::options::db_bench_command(t, &lines[0]).as_bytes(),
        )
    }
}

/// The header comments of the recommendation files: what won, on which objective, why.
fn rationale_lines(r: &RunResult, winner: &Trial) -> Vec<String> {
    let Some(rec) = &r.recommendation else {
        return Vec::new();
    };
    let mut lines = vec![
        format!(
            "rdbtune recommendation for scenario {:?}: trial {}",
            r.scenario.name, winner.id
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
    match (&rec.proven_against, rec.tie_broken_by_cost) {
        (None, true) => lines.push(
            "the best objective was within noise of this cheaper config, which was chosen".into(),
        ),
        (Some(r), true) => lines.push(format!(
            "the best objective was within noise of this cheaper config, the cheapest whose gain over {r} its interval confirms, which was chosen"
        )),
        (Some(r), false) => lines.push(format!(
            "cheaper configs were within noise of this one, but their gains over {r} are not confirmed by their intervals, so this one was kept"
        )),
        (None, false) => {}
    }
    lines.extend(rec.rationale.iter().cloned());
    lines
}
