//! The one loader of result files: a run folder or a results.json / bench / ycsb JSON file,
//! `rdbtune.result/v2` or v1 (either v1 shape), checked the same way for every command
//! that reads one (report, compare, merge, --resume, gate baselines).

use crate::error::{Error, Result};
use crate::metrics::run_metrics;
use crate::model::compat::{from_v1, SCHEMA_V1};
use crate::model::{Kind, RunResult, SCHEMA};
use crate::recommend::finalise;
use std::path::{Path, PathBuf};

/// Reads `p` (a run folder, or a JSON file); returns the result and the folder its report
/// goes to by default.
pub fn load(p: &Path) -> Result<(RunResult, PathBuf)> {
    let (file, dir) = if p.is_dir() {
        (p.join("results.json"), p.to_path_buf())
    } else {
        (
            p.to_path_buf(),
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), |d| d.to_path_buf()),
        )
    };
    Ok((load_file(&file)?, dir))
}

/// Reads one result file.
pub fn load_file(file: &Path) -> Result<RunResult> {
    let bytes = std::fs::read(file).map_err(|e| {
        Error::usage(format!(
            "{}: cannot read: {e}; give a run folder or an rdbtune JSON file",
            file.display()
        ))
    })?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Error::usage(format!("{}: not JSON: {e}", file.display())))?;
    from_value(v, file)
}

/// A result from parsed JSON; `file` names it in errors and names a v1 bench's trial.
pub fn from_value(v: serde_json::Value, file: &Path) -> Result<RunResult> {
    let bad = |e: String| {
        Error::usage(format!(
            "{}: not an rdbtune result ({SCHEMA}, or {SCHEMA_V1}): {e}",
            file.display()
        ))
    };
    let mut r = match v.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => serde_json::from_value(v).map_err(|e| bad(e.to_string()))?,
        Some(SCHEMA_V1) => {
            let name = file
                .file_stem()
                .map_or("run".into(), |s| s.to_string_lossy().into_owned());
            from_v1(v, &name).map_err(bad)?
        }
        Some(other) => return Err(bad(format!("schema {other:?}"))),
        None => return Err(bad("no schema key".into())),
    };
    // A file that stores raw measurements only (a v1 bench, a fixture) gets its metrics,
    // summaries and recommendation derived by today's code.
    if r.runs.iter().any(|run| run.metrics.is_empty()) {
        rederive(&mut r);
    }
    Ok(r)
}

/// Derives every run's metrics from its phases, then the summaries and the recommendation:
/// what a result holds besides its raw measurements, computed by this build.
pub fn rederive(r: &mut RunResult) {
    let RunResult {
        scenario,
        runs,
        partial_run,
        ..
    } = r;
    for run in runs.iter_mut().chain(partial_run.iter_mut()) {
        if let Some(t) = scenario.trials.iter().find(|t| t.id == run.trial) {
            let labels: Vec<String> = t.phases.iter().map(|p| p.label.clone()).collect();
            run.metrics = run_metrics(&labels, &run.phases, t.config.configured_memory());
        }
    }
    finalise(r);
}

/// Reads a scenario run folder (for `--resume` and `merge`): its results.json must be a
/// scenario result.
pub fn load_folder(dir: &Path) -> Result<RunResult> {
    let r = load_file(&dir.join("results.json"))
        .map_err(|e| Error::usage(format!("{e} (is {} an rdbtune run folder?)", dir.display())))?;
    if r.kind != Kind::Scenario {
        return Err(Error::usage(format!(
            "{}: holds a {} result, not a scenario run",
            dir.display(),
            r.kind.name()
        )));
    }
    Ok(r)
}
