//! What several commands share: the engine config from `--preset`/`--set`, the alert set
//! from `--alert`, the live view from the output flags, writing a one-DB result.

use super::cli::{AlertArgs, EngineArgs, MeasureArgs, RocksdbArgs};
use crate::engine::rocksdb_options::newest_options_file;
use crate::engine::{EngineConfig, Preset};
use crate::error::{Error, Result};
use crate::model::alerts::AlertSet;
use crate::model::RunResult;
use crate::model::Scenario;
use crate::output::write_output;
use crate::runner::Measure;
use crate::signals;
use crate::ui::Display;
use std::io::IsTerminal;
use std::path::Path;

/// Splits a `KEY=VALUE` flag value; the error names the flag and shows `example`.
pub fn split_kv<'a>(flag: &str, kv: &'a str, example: &str) -> Result<(&'a str, &'a str)> {
    kv.split_once('=').ok_or_else(|| {
        Error::usage(format!(
            "{flag} {kv:?}: expected KEY=VALUE, e.g. {flag} {example}"
        ))
    })
}

/// The base config: `--options-file`, the newest OPTIONS file of `--options-from-db`, or
/// `preset`; warnings name the options of the file this RocksDB does not know.
pub fn base_config(preset: Option<Preset>, r: &RocksdbArgs) -> Result<Option<EngineConfig>> {
    let file = match (&r.options_file, &r.options_from_db) {
        (Some(f), _) => f.clone(),
        (None, Some(d)) => {
            newest_options_file(d).map_err(|e| Error::usage(format!("--options-from-db: {e}")))?
        }
        (None, None) => return Ok(preset.map(Preset::config)),
    };
    let (cfg, warnings) = EngineConfig::from_options_file(&file)?;
    for w in warnings {
        eprintln!("warning: {}: {w}", file.display());
    }
    Ok(Some(cfg))
}

/// `--rocksdb-options` on top of `cfg`.
pub fn add_rocksdb_options(cfg: &mut EngineConfig, r: &RocksdbArgs) -> Result<()> {
    match &r.rocksdb_options {
        Some(s) => cfg.add_rocksdb_options(s, "--rocksdb-options"),
        None => Ok(()),
    }
}

/// The base config with every `--set KEY=VALUE` applied in order, then `--rocksdb-options`.
pub fn engine_config(args: &EngineArgs) -> Result<EngineConfig> {
    let cfg = base_config(args.preset, &args.rocksdb)?.unwrap_or_default();
    engine_config_on(cfg, args)
}

/// `cfg` with every `--set KEY=VALUE` applied in order, then `--rocksdb-options`.
pub fn engine_config_on(mut cfg: EngineConfig, args: &EngineArgs) -> Result<EngineConfig> {
    for kv in &args.set {
        let (k, v) = split_kv("--set", kv, "write_buffer_size=128MiB")?;
        cfg.set(k, v)
            .map_err(|e| Error::usage(format!("--set {kv}: {e}")))?;
    }
    add_rocksdb_options(&mut cfg, &args.rocksdb)?;
    Ok(cfg)
}

/// A scenario with the command line's base config and RocksDB options applied to every
/// trial: an OPTIONS file as the base under the file's own [engine] keys and grid (the
/// scenario is parsed again on top of it), `--rocksdb-options` after them.
pub fn scenario_with(scn: Scenario, origin: &str, r: &RocksdbArgs, gate: bool) -> Result<Scenario> {
    let mut scn = match base_config(None, r)? {
        Some(base) => Scenario::parse_with_base(&scn.source.clone(), origin, gate, base)?,
        None => scn,
    };
    if r.rocksdb_options.is_some() {
        for t in &mut scn.trials {
            add_rocksdb_options(&mut t.config, r)?;
        }
    }
    Ok(scn)
}
/// The `--alert` rules and `--alert-sustain`.
/// `--percentiles` and `--perf-sample`, checked.
pub fn measure(args: &MeasureArgs) -> Result<Measure> {
    let mut m = Measure::default();
    if let Some(p) = &args.percentiles {
        m.percentiles = crate::model::phase::parse_percentiles(p).map_err(Error::usage)?;
    }
    if let Some(f) = args.perf_sample {
        if !(f > 0.0 && f <= 1.0) {
            return Err(Error::usage(format!(
                "--perf-sample {f}: give the share of ops to measure, 0 < F <= 1 (e.g. 0.01 for 1%)"
            )));
        }
        m.perf_sample = Some(f);
    }
    Ok(m)
}

/// The `--hdr-log` and `--metrics-addr` observers of a one-DB command.
pub fn measure_observers(args: &MeasureArgs) -> Result<Vec<Box<dyn crate::runner::PhaseObserver>>> {
    let m = measure(args)?;
    crate::scenario::execute::measure_observers(
        args.hdr_log.as_deref(),
        args.metrics_addr.as_deref(),
        &m.percentiles,
    )
}

pub fn alerts(args: &AlertArgs) -> Result<AlertSet> {
    AlertSet::default().with_flags(&args.alerts, args.alert_sustain)
}

/// How a one-DB command shows its phases: quiet, the dashboard on a terminal, or status
/// lines every `status` seconds.
pub fn display(quiet: bool, status: u64) -> Display {
    if quiet {
        Display::Quiet
    } else if std::io::stderr().is_terminal() {
        Display::Dashboard
    } else {
        Display::Status(status)
    }
}

/// Whether `p` is `-` (stdout).
pub fn is_stdout(p: &Option<std::path::PathBuf>) -> bool {
    p.as_ref().is_some_and(|p| p.as_os_str() == "-")
}

/// Writes the HTML report of `r` to `p`.
pub fn write_html(p: &Path, r: &RunResult) -> Result<()> {
    write_output(p, crate::export::html::report(r)?.as_bytes())
}

/// The exit code after an interrupt (`None` when none happened).
pub fn interrupted_code() -> Option<i32> {
    signals::interrupted().map(|sig| 128 + sig)
}

/// With `--fail-on-alert`: a failure naming every alert that fired in `r`.
pub fn check_alerts(args: &AlertArgs, r: &RunResult) -> Result<()> {
    crate::model::alerts::check_alerts(args.fail_on_alert, r.all_phases())
}
