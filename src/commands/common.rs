//! What several commands share: the engine config from `--preset`/`--set`, the alert set
//! from `--alert`, the live view from the output flags, writing a one-DB result.

use super::cli::{AlertArgs, EngineArgs};
use crate::engine::EngineConfig;
use crate::error::{Error, Result};
use crate::model::alerts::AlertSet;
use crate::model::RunResult;
use crate::output::write_output;
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

/// The preset with every `--set KEY=VALUE` applied, in order.
pub fn engine_config(args: &EngineArgs) -> Result<EngineConfig> {
    let mut cfg = args.preset.config();
    for kv in &args.set {
        let (k, v) = split_kv("--set", kv, "write_buffer_size=128MiB")?;
        cfg.set(k, v)
            .map_err(|e| Error::usage(format!("--set {kv}: {e}")))?;
    }
    Ok(cfg)
}

/// The `--alert` rules and `--alert-sustain`.
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
