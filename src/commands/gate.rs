//! `rdbtune gate`: run a gate file, write its reports, exit with its verdict.

use super::cli::GateArgs;
use crate::error::{Error, Result};
use crate::export;
use crate::gate::{GateFile, GateOptions, Source};
use crate::output::write_output;
use crate::scenario::execute::parse_shard;
use std::path::Path;

/// `rdbtune gate`.
pub fn run(a: &GateArgs) -> Result<i32> {
    let mut g = GateFile::load(&a.gate)?;
    if let Source::Scenario(s) = &g.source {
        let origin = a.gate.display().to_string();
        let scn = super::common::scenario_with((**s).clone(), &origin, &a.rocksdb, true)?;
        g.source = Source::Scenario(Box::new(scn));
    }
    let opts = GateOptions {
        baseline: a.baseline.clone(),
        save_baseline: a.save_baseline.clone(),
        force_baseline: a.force_baseline,
        strict: a.strict,
        warn_only: a.warn_only,
        quick: a.quick,
        runs: a.runs,
        shard: a.shard.as_deref().map(parse_shard).transpose()?,
        quiet: a.quiet,
    };
    let r = crate::gate::run(&g, &opts)?;
    let json = export::json::json(&r)?;
    if let Some(p) = &a.json {
        write_output(p, &json)?;
    }
    if let Some(p) = &a.save_baseline {
        write_output(p, &json)?;
    }
    if let Some(p) = &a.junit {
        write_output(p, export::gate::junit(&r).as_bytes())?;
    }
    if let Some(p) = &a.bmf {
        write_output(p, &export::gate::bmf(&r)?)?;
    }
    if let Some(m) = &a.markdown {
        markdown(m, &export::gate::markdown(&r))?;
    }
    if a.quiet {
        eprintln!("{}", export::gate::headline(&r));
    } else if a.json.as_deref() == Some(Path::new("-")) {
        eprint!("{}", export::gate::table(&r));
    } else {
        print!("{}", export::gate::table(&r));
    }
    if let Some(e) = export::gate::error_line(&r) {
        eprintln!("error: {e}");
    }
    Ok(r.exit_code)
}

/// `--markdown FILE`, or `auto`: appended to $GITHUB_STEP_SUMMARY (nothing when it is unset:
/// the table on stdout says the same).
fn markdown(m: &str, md: &str) -> Result<()> {
    match (m, std::env::var_os("GITHUB_STEP_SUMMARY")) {
        ("auto", Some(summary)) => {
            use std::io::Write as _;
            let path = std::path::PathBuf::from(summary);
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .and_then(|mut f| f.write_all(md.as_bytes()))
                .map_err(|e| Error::io("appending to $GITHUB_STEP_SUMMARY", &path, e))
        }
        ("auto", None) => Ok(()),
        (file, _) => write_output(Path::new(file), md.as_bytes()),
    }
}
