//! The live interval log: each full second of a phase appended to a run folder's
//! intervals.csv as it completes (handed to the OS per row, so a killed process keeps every
//! second; not fsynced per row). It is a [`PhaseObserver`]; the rows are encoded by the same
//! function and encoder as the intervals.csv written at the end.

use crate::error::{Error, Result};
use crate::export::csv::{interval_record, INTERVAL_COLUMNS};
use crate::runner::{PhaseObserver, Second};
use std::path::{Path, PathBuf};

/// Appends rows to an intervals.csv, each led by (trial, repeat, phase).
pub struct IntervalLog {
    writer: csv::Writer<std::fs::File>,
    path: PathBuf,
    prefix: [String; 3],
    failed: bool,
}

impl IntervalLog {
    /// Opens `dir/intervals.csv` for appending (writing the header if the file is new or
    /// empty); rows are led by `trial`, `repeat` and `phase`.
    pub fn open(dir: &Path, trial: &str, repeat: usize, phase: &str) -> Result<IntervalLog> {
        let path = dir.join("intervals.csv");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| Error::io("opening the interval log", &path, e))?;
        let empty = file.metadata().map(|m| m.len() == 0).unwrap_or(false);
        let mut log = IntervalLog {
            writer: csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(file),
            path,
            prefix: [trial.to_string(), repeat.to_string(), phase.to_string()],
            failed: false,
        };
        if empty {
            log.write(INTERVAL_COLUMNS.iter().map(|s| s.to_string()));
        }
        Ok(log)
    }

    fn write(&mut self, fields: impl IntoIterator<Item = String>) {
        if self.failed {
            return;
        }
        let res = self
            .writer
            .write_record(fields)
            .map_err(std::io::Error::other)
            .and_then(|_| self.writer.flush());
        if let Err(e) = res {
            // The run goes on; the intervals.csv written at the end still has every row.
            eprintln!(
                "warning: appending to {}: {e}; the live interval log stops here",
                self.path.display()
            );
            self.failed = true;
        }
    }
}

impl PhaseObserver for IntervalLog {
    fn second(&mut self, s: &Second<'_>) {
        let [t, r, p] = &self.prefix;
        let rec = interval_record(t, r, p, s.row);
        self.write(rec);
    }
}
