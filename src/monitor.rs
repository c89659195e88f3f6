//! `rdbtune stats`: what an existing DB looks like, read without changing it.

use crate::cli::StatsArgs;
use crate::engine::size::human_bytes;
use crate::engine::{Engine, EngineConfig};
use crate::error::{Error, Result};
use crate::signals;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

/// The state of a DB as another process left it (counters of the writer are not visible
/// to a read-only instance, so only properties and files are reported).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbView {
    pub schema: String,
    pub path: String,
    /// "read-only" or "secondary" (following a DB another process writes).
    #[serde(default)]
    pub opened_as: String,
    pub estimated_keys: u64,
    pub live_sst_bytes: u64,
    pub total_sst_bytes: u64,
    pub disk_bytes: u64,
    pub files_per_level: Vec<u64>,
    pub compression_ratio: Option<f64>,
    pub compression_ratio_per_level: Vec<Option<f64>>,
    pub sst_raw_bytes: u64,
    pub pending_compaction_bytes: u64,
    pub memtable_bytes: u64,
    pub table_readers_mem: u64,
    /// rocksdb.levelstats (per level: files and size).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub levelstats: Option<String>,
    /// rocksdb.stats of the read-only instance (with --verbose).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rocksdb_stats: Option<String>,
}

/// How `stats` opens the DB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Read-only, opened afresh for every view: what is on disk (and in the WAL) then.
    ReadOnly,
    /// A secondary instance kept open, catching up with the writing process before each view.
    Secondary,
}

/// An open view of a DB that `stats` reads, repeatedly with `--watch`.
pub struct Watcher {
    path: std::path::PathBuf,
    mode: Mode,
    /// Info logs of the read-only / secondary instance (never the DB's own directory).
    logs: crate::dbdir::DbDir,
    secondary: Option<Engine>,
}

impl Watcher {
    pub fn open(path: &Path, mode: Mode) -> Result<Watcher> {
        if !path.join("CURRENT").is_file() {
            return Err(Error::usage(format!(
                "--db {}: no RocksDB there (no CURRENT file); point --db at a DB directory",
                path.display()
            )));
        }
        let logs = crate::dbdir::DbDir::temporary(None)?;
        let secondary = match mode {
            Mode::Secondary => Some(Engine::open_secondary(
                &EngineConfig::default(),
                path,
                logs.path(),
            )?),
            Mode::ReadOnly => None,
        };
        Ok(Watcher {
            path: path.to_path_buf(),
            mode,
            logs,
            secondary,
        })
    }

    /// The DB as it is now.
    pub fn view(&mut self, verbose: bool) -> Result<DbView> {
        match &self.secondary {
            Some(e) => {
                e.catch_up()?;
                describe(e, &self.path, self.mode, verbose)
            }
            None => {
                let e =
                    Engine::open_read_only(&EngineConfig::default(), &self.path, self.logs.path())?;
                describe(&e, &self.path, self.mode, verbose)
            }
        }
    }
}

/// Reads the DB at `path` read-only, once.
pub fn view(path: &Path, verbose: bool) -> Result<DbView> {
    Watcher::open(path, Mode::ReadOnly)?.view(verbose)
}

fn describe(e: &Engine, path: &Path, mode: Mode, verbose: bool) -> Result<DbView> {
    let s = e.get_stats()?;
    Ok(DbView {
        schema: "rdbtune.dbstats/v1".into(),
        path: path.display().to_string(),
        opened_as: match mode {
            Mode::ReadOnly => "read-only".into(),
            Mode::Secondary => "secondary".into(),
        },
        estimated_keys: s.estimated_keys,
        live_sst_bytes: s.live_sst_bytes,
        total_sst_bytes: s.total_sst_bytes,
        disk_bytes: s.disk_bytes,
        files_per_level: s.files_per_level,
        compression_ratio: s.compression_ratio,
        compression_ratio_per_level: s.compression_ratio_per_level,
        sst_raw_bytes: s.sst_raw_bytes,
        pending_compaction_bytes: s.pending_compaction_bytes,
        memtable_bytes: s.memtable_bytes,
        table_readers_mem: s.table_readers_mem,
        levelstats: e.property_str("rocksdb.levelstats"),
        rocksdb_stats: verbose.then(|| e.property_str("rocksdb.stats")).flatten(),
    })
}

/// A human-readable view.
pub fn render(v: &DbView) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "=== {} ({}) ===", v.path, v.opened_as);
    let _ = writeln!(o, "keys (estimate)        {}", v.estimated_keys);
    let _ = writeln!(
        o,
        "live SST / total SST   {} / {}",
        human_bytes(v.live_sst_bytes),
        human_bytes(v.total_sst_bytes)
    );
    let _ = writeln!(o, "disk usage (DB dir)    {}", human_bytes(v.disk_bytes));
    let _ = writeln!(
        o,
        "compression ratio      {} (raw key+value bytes / live SST bytes)",
        v.compression_ratio
            .map_or("n/a".into(), |r| format!("{r:.2}x"))
    );
    let _ = writeln!(
        o,
        "level  files  compression (uncompressed/compressed data blocks)"
    );
    for (l, (f, r)) in v
        .files_per_level
        .iter()
        .zip(&v.compression_ratio_per_level)
        .enumerate()
    {
        if *f > 0 {
            let _ = writeln!(
                o,
                "L{l}     {f:>5}  {}",
                r.map_or("n/a".into(), |r| format!("{r:.2}x"))
            );
        }
    }
    let _ = writeln!(
        o,
        "pending compaction     {}",
        human_bytes(v.pending_compaction_bytes)
    );
    let _ = writeln!(
        o,
        "write amplification and stall counters belong to the writing process (rdbtune bench/run report them)"
    );
    if let Some(s) = &v.rocksdb_stats {
        o.push_str("\n--- rocksdb.stats ---\n");
        o.push_str(s);
    }
    o
}

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
        let v = w.view(args.verbose)?;
        if args.json {
            let mut j = serde_json::to_vec_pretty(&v).map_err(|e| Error::usage(e.to_string()))?;
            j.push(b'\n');
            crate::results::write_output(Path::new("-"), &j)?;
        } else {
            print!("{}", render(&v));
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
