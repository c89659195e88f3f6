//! `rdbtune report` (the HTML report of any result) and `rdbtune compare A B`.

use super::cli::{CompareArgs, ReportArgs};
use crate::error::{Error, Result};
use crate::export;
use crate::output::{load, write_output};

/// `rdbtune report INPUT`.
pub fn report(args: &ReportArgs) -> Result<i32> {
    let (r, dir) = load(&args.input)?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| dir.join("report.html"));
    let html = export::html::report(&r)?;
    write_output(&out, html.as_bytes())?;
    eprintln!("report: {} ({} KiB)", out.display(), html.len() / 1024);
    Ok(0)
}

/// `rdbtune compare A B`.
pub fn compare(args: &CompareArgs) -> Result<i32> {
    let (a, _) = load(&args.a)?;
    let (b, _) = load(&args.b)?;
    let rows = export::compare::compare(&a, &b);
    if rows.is_empty() {
        return Err(Error::usage(format!(
            "{} and {} share no trial and no metric: compare runs of the same scenario (or two single-trial runs)",
            args.a.display(),
            args.b.display()
        )));
    }
    let (an, bn) = (args.a.display().to_string(), args.b.display().to_string());
    print!("{}", export::compare::table(&rows, &an, &bn));
    if let Some(p) = &args.markdown {
        write_output(p, export::compare::markdown(&rows, &an, &bn).as_bytes())?;
    }
    if let Some(p) = &args.html {
        write_output(p, export::compare::html(&rows, &an, &bn)?.as_bytes())?;
    }
    Ok(0)
}
