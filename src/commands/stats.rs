//! `rdbtune stats --db PATH`: an existing DB, read without changing it, once or every
//! `--watch` seconds.

use super::cli::StatsArgs;
use crate::engine::view::{Mode, Watcher};
use crate::error::{Error, Result};
use crate::export;
use crate::output::write_output;
use crate::signals;
use std::path::Path;

/// Runs `rdbtune stats`.
pub fn run(args: &StatsArgs) -> Result<i32> {
    if let Some(w) = args.watch {
        if !(w > 0.0 && w.is_finite()) {
            return Err(Error::usage(format!(
                "--watch {w}: give the seconds between reports, e.g. --watch 5"
            )));
        }
    }
    signals::install();
    let mode = if args.secondary || args.watch.is_some() {
        Mode::Secondary
    } else {
        Mode::ReadOnly
    };
    let mut w = Watcher::open(&args.db, mode)?;
    loop {
        let mut v = w.view(args.verbose)?;
        if let Some(cf) = &args.cf {
            v = v.only(cf)?;
        }
        if args.json {
            write_output(Path::new("-"), &export::json::json(&v)?)?;
        } else {
            print!("{}", export::dbstats::render(&v));
        }
        let Some(secs) = args.watch else { return Ok(0) };
        let until = std::time::Instant::now() + std::time::Duration::from_secs_f64(secs.max(0.1));
        while std::time::Instant::now() < until {
            if let Some(sig) = signals::interrupted() {
                return Ok(128 + sig);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}
