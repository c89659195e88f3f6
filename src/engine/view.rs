//! What an existing DB looks like, read without changing it (read-only, or as a secondary
//! instance following a DB another process writes): `rdbtune stats`.

use super::{Engine, EngineConfig};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
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
    /// Every column family (names from the DB's MANIFEST), `default` first; the figures
    /// above sum them (or are one family's with `--cf`).
    pub column_families: Vec<super::stats::FamilyStats>,
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

impl DbView {
    /// The view narrowed to one column family (`--cf NAME`): its figures as the totals.
    pub fn only(mut self, name: &str) -> Result<DbView> {
        let names: Vec<String> = self
            .column_families
            .iter()
            .map(|f| f.name.clone())
            .collect();
        let f = self
            .column_families
            .iter()
            .find(|f| f.name == name)
            .cloned()
            .ok_or_else(|| {
                Error::usage(format!(
                    "--cf {name:?}: no such column family in {}; it has {}",
                    self.path,
                    names.join(", ")
                ))
            })?;
        self.estimated_keys = f.estimated_keys;
        self.live_sst_bytes = f.live_sst_bytes;
        self.total_sst_bytes = f.total_sst_bytes;
        self.files_per_level = f.files_per_level.clone();
        self.compression_ratio = f.compression_ratio;
        self.compression_ratio_per_level = f.compression_ratio_per_level.clone();
        self.sst_raw_bytes = f.sst_raw_bytes;
        self.pending_compaction_bytes = f.pending_compaction_bytes;
        self.memtable_bytes = f.memtable_bytes;
        self.table_readers_mem = f.table_readers_mem;
        self.column_families = vec![f];
        Ok(self)
    }
}

/// Reads the DB at `path` read-only, once.
pub fn view(path: &Path, verbose: bool) -> Result<DbView> {
    Watcher::open(path, Mode::ReadOnly)?.view(verbose)
}

fn describe(e: &Engine, path: &Path, mode: Mode, verbose: bool) -> Result<DbView> {
    let s = e.get_stats()?;
    let column_families = super::stats::families(e);
    Ok(DbView {
        column_families,
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
