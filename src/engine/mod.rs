//! The shared RocksDB engine module: one place that opens, writes, reads and measures a DB.
//!
//! Everything in rdbtune (bench, scenarios, YCSB, monitoring, the gate) goes through
//! [`Engine`], so an option means the same thing everywhere and the statistics are read the
//! same way everywhere.

pub mod batch;
pub mod build;
pub mod config;
pub mod knobs;
pub mod options_file;
pub mod perf;
pub mod rocksdb_options;
pub mod sample;
pub mod size;
pub mod stats;
pub mod view;

pub use batch::{batch_capacity, AdaptiveBatcher, BatchTransaction};
pub use config::CfConfig;
pub use config::{Compression, EngineConfig, Preset};
pub use knobs::{CacheType, CompactionPri, CompactionStyle, FilterKind, IndexType, MergeOperator};
pub use size::Size;
pub use stats::{Counters, EngineStats};

use crate::error::{Error, Result};
pub use rocksdb::WriteBatch;
use rocksdb::{DBRawIterator, Options, ReadOptions, WaitForCompactOptions, WriteOptions, DB};
use std::path::{Path, PathBuf};

/// An open RocksDB instance with the config it was opened with.
pub struct Engine {
    // Field order matters: the DB must drop before the options that own its statistics and
    // block cache.
    db: DB,
    opts: Options,
    block_cache: Option<rocksdb::Cache>,
    write_opts: WriteOptions,
    /// The write options with `sync = true` (fillsync).
    sync_opts: WriteOptions,
    read_opts: ReadOptions,
    config: EngineConfig,
    path: PathBuf,
    families: Vec<String>,
    own_cache: Vec<bool>,
    /// The block device the DB directory is on (its /proc/diskstats name), or why none.
    device: std::result::Result<String, String>,
}

/// A column family handle of an open [`Engine`].
#[derive(Clone, Copy)]
pub struct Cf<'a>(&'a rocksdb::ColumnFamily, bool);

impl Cf<'_> {
    /// Stages a put into this family in `batch`. Into `default` it is a plain put, which
    /// skips RocksDB's per-key family and timestamp lookup (about 60 instructions a key).
    #[inline]
    pub fn put_in(&self, batch: &mut WriteBatch, key: &[u8], value: &[u8]) {
        if self.1 {
            batch.put(key, value);
        } else {
            batch.put_cf(self.0, key, value);
        }
    }

    /// Stages a delete from this family in `batch`.
    #[inline]
    pub fn delete_in(&self, batch: &mut WriteBatch, key: &[u8]) {
        if self.1 {
            batch.delete(key);
        } else {
            batch.delete_cf(self.0, key);
        }
    }

    /// Whether this is the `default` family.
    #[inline]
    pub fn is_default(&self) -> bool {
        self.1
    }
}

impl Engine {
    /// Opens (or creates, with `create_if_missing`) the DB at `path` with `config`, its
    /// column families included (created when missing; families the DB has that the config
    /// does not name are opened with the DB's options).
    pub fn open(config: &EngineConfig, path: &Path) -> Result<Engine> {
        config.validate()?;
        // What an earlier engine in this process freed is returned first, so this one's
        // RSS figures are its own.
        crate::sysmon::release_freed_memory();
        let mut built = config.build()?;
        if config.family_names().len() > 1 {
            // Only when there are families to create: Options::default() has it off, and
            // the default preset's OPTIONS file must be RocksDB's default exactly.
            built.options.create_missing_column_families(true);
        }
        let (descs, names, own) = Self::descriptors(config, &built, path, &built.options)?;
        let db = DB::open_cf_descriptors(&built.options, path, descs)
            .map_err(|e| open_error(config, path, e))?;
        Ok(Self::wrap(db, built, config, path, names, own))
    }

    /// The column family descriptors to open: the config's families, then the others the DB
    /// at `path` already has (with the DB's options).
    fn descriptors(
        config: &EngineConfig,
        built: &build::Built,
        path: &Path,
        opts: &Options,
    ) -> Result<(Vec<rocksdb::ColumnFamilyDescriptor>, Vec<String>, Vec<bool>)> {
        let mut descs = vec![rocksdb::ColumnFamilyDescriptor::new(
            "default",
            built.options.clone(),
        )];
        let mut names = vec!["default".to_string()];
        let mut own = vec![false];
        for (name, b) in config.build_families(built)? {
            own.push(config.own_cache(&config.family(&name)?));
            descs.push(rocksdb::ColumnFamilyDescriptor::new(&name, b.options));
            names.push(name);
        }
        if path.join("CURRENT").is_file() {
            let existing = DB::list_cf(opts, path).map_err(|e| {
                Error::engine(
                    format!("listing the column families of {}", path.display()),
                    e,
                )
            })?;
            let missing: Vec<String> = existing
                .into_iter()
                .filter(|n| !names.contains(n))
                .collect();
            for n in missing {
                descs.push(rocksdb::ColumnFamilyDescriptor::new(
                    &n,
                    built.options.clone(),
                ));
                names.push(n);
                own.push(false);
            }
        }
        Ok((descs, names, own))
    }

    /// Every column family of an existing DB opened with the config's options (read-only and
    /// secondary views open what is there).
    fn existing(
        built: &build::Built,
        path: &Path,
    ) -> Result<(Vec<rocksdb::ColumnFamilyDescriptor>, Vec<String>)> {
        let names = DB::list_cf(&built.options, path).map_err(|e| {
            Error::engine(
                format!("listing the column families of {}", path.display()),
                e,
            )
        })?;
        let descs = names
            .iter()
            .map(|n| rocksdb::ColumnFamilyDescriptor::new(n, built.options.clone()))
            .collect();
        Ok((descs, names))
    }

    /// Opens an existing DB read-only, every column family: nothing in its directory is
    /// created, renamed or written (RocksDB's info LOG goes to `log_dir`, which the caller
    /// owns).
    pub fn open_read_only(config: &EngineConfig, path: &Path, log_dir: &Path) -> Result<Engine> {
        let mut cfg = config.clone();
        cfg.create_if_missing = false;
        let mut built = cfg.build()?;
        built.options.set_db_log_dir(log_dir);
        let (descs, names) = Self::existing(&built, path)?;
        let db = DB::open_cf_descriptors_read_only(&built.options, path, descs, false)
            .map_err(|e| Error::engine(format!("opening {} read-only", path.display()), e))?;
        let own = vec![false; names.len()];
        Ok(Self::wrap(db, built, &cfg, path, names, own))
    }

    /// Opens the DB at `path` as a secondary instance, every column family: it reads the
    /// files of a DB another process (the primary) is writing, and sees its progress after
    /// each [`Engine::catch_up`]. Its own info log goes to `secondary_dir`; nothing is written
    /// under `path`.
    pub fn open_secondary(
        config: &EngineConfig,
        path: &Path,
        secondary_dir: &Path,
    ) -> Result<Engine> {
        let mut cfg = config.clone();
        cfg.create_if_missing = false;
        let mut built = cfg.build()?;
        // RocksDB requires a secondary to keep every table file open.
        built.options.set_max_open_files(-1);
        let (descs, names) = Self::existing(&built, path)?;
        let db = DB::open_cf_descriptors_as_secondary(&built.options, path, secondary_dir, descs)
            .map_err(|e| {
            Error::engine(
                format!("opening {} as a secondary instance", path.display()),
                e,
            )
        })?;
        let own = vec![false; names.len()];
        Ok(Self::wrap(db, built, &cfg, path, names, own))
    }

    /// The column families, `default` first.
    pub fn families(&self) -> &[String] {
        &self.families
    }

    /// Column family `i` (0 is `default`).
    #[inline]
    pub fn cf(&self, i: usize) -> Cf<'_> {
        Cf(
            self.db
                .cf_handle(&self.families[i])
                .expect("a family the engine opened"),
            i == 0,
        )
    }

    /// Every column family, `default` first (handles for a worker to index per op).
    pub fn cfs(&self) -> Vec<Cf<'_>> {
        (0..self.families.len()).map(|i| self.cf(i)).collect()
    }

    /// Whether family `i` has a block cache of its own (not the DB's shared one).
    pub fn has_own_cache(&self, i: usize) -> bool {
        self.own_cache.get(i).copied().unwrap_or(false)
    }

    /// The OPTIONS file RocksDB wrote when it opened this DB: every option as it ran,
    /// including those rdbtune never names (none for read-only and secondary instances,
    /// which write nothing).
    pub fn written_options(&self) -> Option<String> {
        let p = rocksdb_options::newest_options_file(&self.path).ok()?;
        std::fs::read_to_string(p).ok()
    }

    /// The block cache: its kind (OPTIONS files do not record it), capacity and usage.
    pub fn block_cache(&self) -> Option<(CacheType, usize, usize)> {
        self.block_cache.as_ref().map(|c| {
            (
                self.config.block_cache_type,
                self.config.block_cache_size.0 as usize,
                c.get_usage(),
            )
        })
    }

    /// A secondary instance: replays what the primary wrote since the last call.
    pub fn catch_up(&self) -> Result<()> {
        self.db
            .try_catch_up_with_primary()
            .map_err(|e| Error::engine(format!("catching up with {}", self.path.display()), e))
    }

    fn wrap(
        db: DB,
        built: build::Built,
        config: &EngineConfig,
        path: &Path,
        families: Vec<String>,
        own_cache: Vec<bool>,
    ) -> Self {
        let mut write_opts = WriteOptions::default();
        write_opts.set_sync(config.sync);
        write_opts.disable_wal(config.disable_wal);
        let mut sync_opts = WriteOptions::default();
        sync_opts.set_sync(true);
        let mut config = config.clone();
        config.path = Some(path.to_path_buf());
        Engine {
            db,
            opts: built.options,
            block_cache: built.block_cache,
            families,
            own_cache,
            write_opts,
            sync_opts,
            read_opts: ReadOptions::default(),
            config,
            device: crate::sysmon::block_device(path),
            path: path.to_path_buf(),
        }
    }

    /// Writes from now on skip the WAL (true) or use it (false): a phase's `disable_wal`.
    /// The config keeps what the DB was opened with.
    pub fn set_disable_wal(&mut self, disable: bool) {
        self.write_opts = WriteOptions::default();
        self.write_opts.set_sync(self.config.sync);
        self.write_opts.disable_wal(disable);
    }

    /// The effective config, with `path` set to the DB directory.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The block device the DB directory is on, as /proc/diskstats names it, or why there
    /// is none (tmpfs, overlay).
    pub fn device(&self) -> std::result::Result<&str, &str> {
        self.device.as_deref().map_err(|e| e.as_str())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying `rocksdb::DB`, for benchmarks that compare rdbtune's calls with bare
    /// ones on the same DB (benches/engine.rs). rdbtune itself goes through the methods here.
    pub fn db(&self) -> &DB {
        &self.db
    }

    /// The options the DB was opened with (they also hold its statistics object).
    pub fn options(&self) -> &Options {
        &self.opts
    }

    pub fn put(&self, key: &[u8], value: &[u8]) -> Result<()> {
        self.db
            .put_opt(key, value, &self.write_opts)
            .map_err(|e| Error::engine("writing a key", e))
    }

    /// Writes a key into family `cf`.
    #[inline]
    pub fn put_cf(&self, cf: Cf<'_>, key: &[u8], value: &[u8]) -> Result<()> {
        self.db
            .put_cf_opt(cf.0, key, value, &self.write_opts)
            .map_err(|e| Error::engine("writing a key", e))
    }

    /// Writes a key into family `cf` with `sync = true` whatever the config says (fillsync).
    #[inline]
    pub fn put_cf_sync(&self, cf: Cf<'_>, key: &[u8], value: &[u8]) -> Result<()> {
        self.db
            .put_cf_opt(cf.0, key, value, &self.sync_opts)
            .map_err(|e| Error::engine("writing a key with sync", e))
    }

    /// Deletes a key from family `cf`.
    #[inline]
    pub fn delete_cf(&self, cf: Cf<'_>, key: &[u8]) -> Result<()> {
        self.db
            .delete_cf_opt(cf.0, key, &self.write_opts)
            .map_err(|e| Error::engine("deleting a key", e))
    }

    /// Merges `value` into a key of family `cf` through the config's merge operator.
    #[inline]
    pub fn merge_cf(&self, cf: Cf<'_>, key: &[u8], value: &[u8]) -> Result<()> {
        self.db
            .merge_cf_opt(cf.0, key, value, &self.write_opts)
            .map_err(|e| Error::engine("merging into a key", e))
    }

    /// One MultiGet of `keys` in family `cf` (RocksDB's batched MultiGet); returns how many
    /// were found and their value bytes.
    pub fn multi_get_cf(&self, cf: Cf<'_>, keys: &[&[u8]]) -> Result<(u64, u64)> {
        let (mut found, mut bytes) = (0, 0);
        for r in self
            .db
            .batched_multi_get_cf_opt(cf.0, keys, false, &self.read_opts)
        {
            if let Some(v) = r.map_err(|e| Error::engine("reading keys (MultiGet)", e))? {
                found += 1;
                bytes += v.len() as u64;
            }
        }
        Ok((found, bytes))
    }

    /// Compacts every family's whole key range, the last level included (db_bench's
    /// `compact`: `BottommostLevelCompaction::kForceOptimized`).
    pub fn compact_all(&self) -> Result<()> {
        let mut o = rocksdb::CompactOptions::default();
        o.set_bottommost_level_compaction(rocksdb::BottommostLevelCompaction::ForceOptimized);
        for cf in self.cfs() {
            self.db
                .compact_range_cf_opt(cf.0, None::<&[u8]>, None::<&[u8]>, &o);
        }
        Ok(())
    }

    /// [`Engine::get_len`] in family `cf`.
    #[inline]
    pub fn get_len_cf(&self, cf: Cf<'_>, key: &[u8]) -> Result<Option<usize>> {
        match self.db.get_pinned_cf_opt(cf.0, key, &self.read_opts) {
            Ok(v) => Ok(v.map(|s| s.len())),
            Err(e) => Err(Error::engine("reading a key", e)),
        }
    }

    /// [`Engine::get_into`] in family `cf`.
    pub fn get_into_cf(&self, cf: Cf<'_>, key: &[u8], out: &mut Vec<u8>) -> Result<bool> {
        match self.db.get_pinned_cf_opt(cf.0, key, &self.read_opts) {
            Ok(Some(v)) => {
                out.clear();
                out.extend_from_slice(&v);
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(e) => Err(Error::engine("reading a key", e)),
        }
    }

    /// A raw iterator over family `cf`.
    pub fn raw_iterator_cf(&self, cf: Cf<'_>) -> DBRawIterator<'_> {
        self.db.raw_iterator_cf(cf.0)
    }

    /// An integer property of family `cf`.
    pub fn property_int_cf(&self, cf: Cf<'_>, name: &str) -> Option<u64> {
        self.db.property_int_value_cf(cf.0, name).ok().flatten()
    }

    /// A text property of family `cf`.
    pub fn property_str_cf(&self, cf: Cf<'_>, name: &str) -> Option<String> {
        self.db.property_value_cf(cf.0, name).ok().flatten()
    }

    pub fn delete(&self, key: &[u8]) -> Result<()> {
        self.db
            .delete_opt(key, &self.write_opts)
            .map_err(|e| Error::engine("deleting a key", e))
    }

    /// Reads a key into an owned buffer.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.db
            .get_opt(key, &self.read_opts)
            .map_err(|e| Error::engine("reading a key", e))
    }

    /// Reads a key into `out` (replacing its contents); returns whether it was found.
    pub fn get_into(&self, key: &[u8], out: &mut Vec<u8>) -> Result<bool> {
        match self.db.get_pinned_opt(key, &self.read_opts) {
            Ok(Some(v)) => {
                out.clear();
                out.extend_from_slice(&v);
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(e) => Err(Error::engine("reading a key", e)),
        }
    }

    /// Reads a key without copying its value; returns the value length if found. This is
    /// the measured read path.
    #[inline]
    pub fn get_len(&self, key: &[u8]) -> Result<Option<usize>> {
        match self.db.get_pinned_opt(key, &self.read_opts) {
            Ok(v) => Ok(v.map(|s| s.len())),
            Err(e) => Err(Error::engine("reading a key", e)),
        }
    }

    /// Visits up to `limit` entries in key order starting at the first key >= `start`;
    /// returns how many were visited.
    pub fn scan(
        &self,
        start: &[u8],
        limit: usize,
        visit: impl FnMut(&[u8], &[u8]),
    ) -> Result<usize> {
        self.scan_cf(self.cf(0), start, limit, visit)
    }

    /// [`Engine::scan`] in family `cf`.
    pub fn scan_cf(
        &self,
        cf: Cf<'_>,
        start: &[u8],
        limit: usize,
        mut visit: impl FnMut(&[u8], &[u8]),
    ) -> Result<usize> {
        let mut it = self.db.raw_iterator_cf(cf.0);
        it.seek(start);
        let mut n = 0;
        while n < limit && it.valid() {
            if let (Some(k), Some(v)) = (it.key(), it.value()) {
                visit(k, v);
            }
            n += 1;
            it.next();
        }
        it.status().map_err(|e| Error::engine("scanning", e))?;
        Ok(n)
    }

    /// A raw iterator over the whole DB, for sequential reads and seeks.
    pub fn raw_iterator(&self) -> DBRawIterator<'_> {
        self.db.raw_iterator()
    }

    /// Writes a pre-built batch atomically with the config's write options.
    #[inline]
    pub fn write(&self, batch: WriteBatch) -> Result<()> {
        self.db
            .write_opt(batch, &self.write_opts)
            .map_err(|e| Error::engine("writing a batch", e))
    }

    /// Writes puts (`Some(value)`) and deletes (`None`) as one atomic batch whose buffer is
    /// sized up front, so it never grows while being filled.
    pub fn write_batch<K: AsRef<[u8]>, V: AsRef<[u8]>>(
        &self,
        items: &[(K, Option<V>)],
    ) -> Result<()> {
        let mut batch = WriteBatch::with_capacity_bytes(batch_capacity(items));
        for (k, v) in items {
            match v {
                Some(v) => batch.put(k, v),
                None => batch.delete(k),
            }
        }
        self.write(batch)
    }

    /// A consistent point-in-time view: reads through it see no write made after it.
    pub fn snapshot(&self) -> Snapshot<'_> {
        Snapshot(self.db.snapshot())
    }

    /// Starts a transactional batch: nothing is visible until `commit`, and dropping it
    /// without committing writes nothing.
    pub fn begin_batch(&self) -> BatchTransaction<'_> {
        BatchTransaction::new(self)
    }

    /// Flushes memtables to SST files and waits.
    pub fn flush(&self) -> Result<()> {
        for cf in self.cfs() {
            self.db
                .flush_cf(cf.0)
                .map_err(|e| Error::engine("flushing memtables", e))?;
        }
        Ok(())
    }

    /// Waits until no flush or compaction is pending or running (RocksDB's
    /// `WaitForCompact`), optionally flushing memtables first. Benchmarks call this between
    /// phases so compaction debt left by one phase is not billed to the next.
    ///
    /// Waits in 200 ms slices so SIGINT/SIGTERM end the wait promptly (the DB stays valid:
    /// RocksDB finishes or abandons the background work on close).
    pub fn wait_for_compaction(&self, flush_first: bool) -> Result<()> {
        let mut o = WaitForCompactOptions::default();
        o.set_flush(flush_first);
        o.set_timeout(200_000);
        loop {
            match self.db.wait_for_compact(&o) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == rocksdb::ErrorKind::TimedOut => {
                    if crate::signals::interrupted().is_some() {
                        return Ok(());
                    }
                    // The flush (if asked) was requested in the first slice.
                    o.set_flush(false);
                }
                Err(e) => return Err(Error::engine("waiting for compaction", e)),
            }
        }
    }

    /// An integer property such as `rocksdb.estimate-num-keys`; `None` if RocksDB does not
    /// know it.
    pub fn property_int(&self, name: &str) -> Option<u64> {
        self.db.property_int_value(name).ok().flatten()
    }

    /// A text property such as `rocksdb.stats`.
    pub fn property_str(&self, name: &str) -> Option<String> {
        self.db.property_value(name).ok().flatten()
    }

    /// A cumulative RocksDB ticker (0 when statistics are off).
    pub fn ticker(&self, t: rocksdb::statistics::Ticker) -> u64 {
        self.opts.get_ticker_count(t)
    }

    /// Everything rdbtune reads about the DB's state and its counters since open.
    pub fn get_stats(&self) -> Result<EngineStats> {
        stats::collect(self)
    }
}

/// A point-in-time view of an [`Engine`] (RocksDB's snapshot), released on drop.
pub struct Snapshot<'a>(rocksdb::Snapshot<'a>);

impl Snapshot<'_> {
    /// Reads a key as of the snapshot.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.0
            .get(key)
            .map_err(|e| Error::engine("reading a key from a snapshot", e))
    }
}

/// An open error with a fix where one is known (O_DIRECT refused by the file system).
fn open_error(config: &EngineConfig, path: &Path, e: rocksdb::Error) -> Error {
    let msg = e.to_string();
    let direct = config.use_direct_reads || config.use_direct_io_for_flush_and_compaction;
    if direct
        && (msg.contains("Direct I/O")
            || msg.contains("Invalid argument")
            || msg.contains("O_DIRECT"))
    {
        return Error::usage(format!(
            "opening {} with direct I/O: the file system refused O_DIRECT ({msg}); put --db on a file system that supports it (ext4, xfs; not tmpfs) or set use_direct_reads and use_direct_io_for_flush_and_compaction to false",
            path.display()
        ));
    }
    Error::engine(format!("opening {}", path.display()), msg)
}
