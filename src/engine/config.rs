//! [`EngineConfig`]: every RocksDB knob rdbtune drives, as one serialisable value.
//!
//! A config is always complete: presets fill every field, overrides (`--set KEY=VALUE`, a
//! scenario's `[engine]` table) replace single fields, and the effective config is what gets
//! printed, written to results and turned into `rocksdb::Options`.

pub use super::knobs::{
    CacheType, CompactionPri, CompactionStyle, FilterKind, IndexType, MergeOperator,
    DEFAULT_COMPRESSION_LEVEL,
};
use super::size::Size;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// Block compression codecs compiled into rdbtune's RocksDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Snappy,
    Lz4,
    Zstd,
    Zlib,
}

impl Compression {
    pub const ALL: [Compression; 5] = [
        Compression::None,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Zstd,
        Compression::Zlib,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Snappy => "snappy",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
            Compression::Zlib => "zlib",
        }
    }

    /// The name RocksDB uses in OPTIONS files and options strings.
    pub fn rocksdb_name(self) -> &'static str {
        match self {
            Compression::None => "kNoCompression",
            Compression::Snappy => "kSnappyCompression",
            Compression::Lz4 => "kLZ4Compression",
            Compression::Zstd => "kZSTD",
            Compression::Zlib => "kZlibCompression",
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Compression {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Compression::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::usage(format!(
                    "unknown compression {s:?}: valid codecs are none, snappy, lz4, zstd, zlib"
                ))
            })
    }
}

/// Named starting points for a config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// RocksDB 11.8's own defaults (LZ4, a 32 MiB HyperClockCache, ...), exactly.
    Default,
    /// The original plan's production settings: 256 MiB write buffer, 1 GiB block cache,
    /// 8 background jobs, 10000 open files, L0 none / L1 lz4 / L2+ zstd.
    ProductionOptimized,
    /// db_bench's flag defaults as Debian's db_bench 7.8.3 runs them (the OPTIONS file it
    /// writes, snappy, an 8 MiB LRU cache), so side-by-side runs compare like with like.
    DbBench,
}

impl Preset {
    pub const ALL: [Preset; 3] = [
        Preset::Default,
        Preset::ProductionOptimized,
        Preset::DbBench,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Default => "default",
            Preset::ProductionOptimized => "production_optimized",
            Preset::DbBench => "db_bench",
        }
    }

    pub fn config(self) -> EngineConfig {
        match self {
            Preset::Default => EngineConfig::rocksdb_defaults(),
            Preset::ProductionOptimized => EngineConfig::production_optimized(),
            Preset::DbBench => EngineConfig::db_bench(),
        }
    }
}

impl FromStr for Preset {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == s.trim().replace('-', "_"))
            .ok_or_else(|| {
                Error::usage(format!(
                    "unknown preset {s:?}: valid presets are default, production_optimized, db_bench"
                ))
            })
    }
}

/// Every typed knob rdbtune drives, plus RocksDB options by their own names. Field names are
/// the keys accepted by `--set` and by a scenario's `[engine]` table; sizes accept
/// `"64MiB"`-style strings or bytes. docs/engine.md gives each knob's RocksDB name, meaning and
/// default. Keys missing from a file take RocksDB's default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineConfig {
    /// DB directory. Usually chosen per run (`--db`), so presets leave it unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    pub create_if_missing: bool,
    /// -1 keeps every table file open.
    pub max_open_files: i32,
    /// Size of one memtable.
    pub write_buffer_size: Size,
    pub max_write_buffer_number: i32,
    pub min_write_buffer_number_to_merge: i32,
    /// Block cache capacity; 0 disables the block cache.
    pub block_cache_size: Size,
    /// hyper_clock (RocksDB 11's default) or lru.
    pub block_cache_type: CacheType,
    /// Uncompressed data block size.
    pub block_size: Size,
    /// Filter bits per key; 0 means no filter.
    pub bloom_bits_per_key: f64,
    /// bloom or ribbon (same false-positive rate as bloom at these bits, less memory).
    pub filter: FilterKind,
    /// Partitioned filters (implies the two-level index).
    pub partition_filters: bool,
    pub index_type: IndexType,
    pub cache_index_and_filter_blocks: bool,
    pub whole_key_filtering: bool,
    pub optimize_filters_for_hits: bool,
    /// A built-in merge operator for merge workloads: none, uint64add (8-byte little-endian
    /// counters), put (the last operand wins), max.
    pub merge_operator: MergeOperator,
    pub format_version: u32,
    /// Codec for every level not named in `compression_per_level`.
    pub compression: Compression,
    /// Codec per level index, as RocksDB's `compression_per_level` (with dynamic level bytes,
    /// index i > 0 applies to the base level + i - 1). Empty: use `compression` everywhere.
    pub compression_per_level: Vec<Compression>,
    /// Compression level (codec-specific; 32767 is RocksDB's "codec default").
    pub compression_level: i32,
    /// Dictionary compression: dictionary bytes and zstd training bytes (0 = off).
    pub compression_max_dict_bytes: u32,
    pub compression_zstd_max_train_bytes: u32,
    /// Codec for the bottommost level; unset: the level's usual codec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bottommost_compression: Option<Compression>,
    pub bottommost_compression_level: i32,
    pub bottommost_max_dict_bytes: u32,
    pub bottommost_zstd_max_train_bytes: u32,
    pub compaction_style: CompactionStyle,
    pub compaction_pri: CompactionPri,
    pub max_bytes_for_level_multiplier: f64,
    pub universal_size_ratio: u32,
    pub universal_min_merge_width: u32,
    pub universal_max_size_amplification_percent: u32,
    pub fifo_max_table_files_size: Size,
    pub max_background_jobs: i32,
    pub max_subcompactions: u32,
    pub level0_file_num_compaction_trigger: i32,
    pub level0_slowdown_writes_trigger: i32,
    pub level0_stop_writes_trigger: i32,
    pub target_file_size_base: Size,
    pub max_bytes_for_level_base: Size,
    pub level_compaction_dynamic_level_bytes: bool,
    pub soft_pending_compaction_bytes_limit: Size,
    pub hard_pending_compaction_bytes_limit: Size,
    pub enable_blob_files: bool,
    pub min_blob_size: Size,
    pub blob_file_size: Size,
    pub blob_compression: Compression,
    pub enable_blob_garbage_collection: bool,
    pub blob_garbage_collection_age_cutoff: f64,
    pub memtable_prefix_bloom_size_ratio: f64,
    pub memtable_whole_key_filtering: bool,
    /// Row cache capacity; 0: no row cache.
    pub row_cache_size: Size,
    /// Rate limit of flush and compaction writes, bytes/s; 0: none.
    pub rate_limiter_bytes_per_sec: Size,
    pub use_direct_reads: bool,
    pub use_direct_io_for_flush_and_compaction: bool,
    pub enable_pipelined_write: bool,
    pub unordered_write: bool,
    /// 0: RocksDB's dynamic limit (4 x the memtables).
    pub max_total_wal_size: Size,
    /// Sync SST and WAL data incrementally every this many bytes; 0 is off.
    pub bytes_per_sync: Size,
    pub disable_wal: bool,
    /// fsync the WAL on every write.
    pub sync: bool,
    /// Collect RocksDB statistics (tickers and histograms). rdbtune's stats need it; it costs
    /// a few percent of throughput, equally in every trial.
    pub statistics: bool,
    /// Any RocksDB option by its own name, as a RocksDB options string parsed by RocksDB
    /// (`max_subcompactions=4;block_based_table_factory={block_size=16K}`), applied last.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub rocksdb_options: String,
    /// A RocksDB OPTIONS file used as the base config (its default column family); the typed
    /// knobs were read from it and apply on top.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options_file: Option<PathBuf>,
    /// The base OPTIONS file's text, kept so results reproduce without the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_options: Option<String>,
    /// Column families beside `default`, each with its own options on top of this config's
    /// (the DB-wide options are this config's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub column_families: Vec<CfConfig>,
    /// Which column family of the base OPTIONS file this config reads (`default` when unset).
    #[serde(skip)]
    pub base_family: Option<String>,
}

/// One column family beside `default`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CfConfig {
    pub name: String,
    /// Engine keys that differ from the DB's config for this family (typed knobs, a
    /// `rocksdb_options` string); DB-wide knobs have no effect here. A family with its own
    /// `block_cache_size` or `block_cache_type` gets its own block cache; the others share
    /// the DB's.
    #[serde(default)]
    pub overrides: toml::Table,
}

/// The OPTIONS file Debian's db_bench 7.8.3 writes with its flag defaults (RocksDB 11.8 reads
/// every option in it: a test checks).
const DB_BENCH_OPTIONS: &str = include_str!("presets/db_bench-7.8.3.ini");

/// Number of LSM levels RocksDB uses by default (`num_levels`).
pub const NUM_LEVELS: usize = 7;

impl Default for EngineConfig {
    fn default() -> Self {
        Self::rocksdb_defaults()
    }
}

impl EngineConfig {
    /// Every key `--set` and `[engine]` accept, in declaration order.
    pub const KEYS: &'static [&'static str] = &[
        "path",
        "create_if_missing",
        "max_open_files",
        "write_buffer_size",
        "max_write_buffer_number",
        "min_write_buffer_number_to_merge",
        "block_cache_size",
        "block_cache_type",
        "block_size",
        "bloom_bits_per_key",
        "filter",
        "partition_filters",
        "index_type",
        "cache_index_and_filter_blocks",
        "whole_key_filtering",
        "optimize_filters_for_hits",
        "merge_operator",
        "format_version",
        "compression",
        "compression_per_level",
        "compression_level",
        "compression_max_dict_bytes",
        "compression_zstd_max_train_bytes",
        "bottommost_compression",
        "bottommost_compression_level",
        "bottommost_max_dict_bytes",
        "bottommost_zstd_max_train_bytes",
        "compaction_style",
        "compaction_pri",
        "max_bytes_for_level_multiplier",
        "universal_size_ratio",
        "universal_min_merge_width",
        "universal_max_size_amplification_percent",
        "fifo_max_table_files_size",
        "max_background_jobs",
        "max_subcompactions",
        "level0_file_num_compaction_trigger",
        "level0_slowdown_writes_trigger",
        "level0_stop_writes_trigger",
        "target_file_size_base",
        "max_bytes_for_level_base",
        "level_compaction_dynamic_level_bytes",
        "soft_pending_compaction_bytes_limit",
        "hard_pending_compaction_bytes_limit",
        "enable_blob_files",
        "min_blob_size",
        "blob_file_size",
        "blob_compression",
        "enable_blob_garbage_collection",
        "blob_garbage_collection_age_cutoff",
        "memtable_prefix_bloom_size_ratio",
        "memtable_whole_key_filtering",
        "row_cache_size",
        "rate_limiter_bytes_per_sec",
        "use_direct_reads",
        "use_direct_io_for_flush_and_compaction",
        "enable_pipelined_write",
        "unordered_write",
        "max_total_wal_size",
        "bytes_per_sync",
        "disable_wal",
        "sync",
        "statistics",
        "rocksdb_options",
        "options_file",
        "column_families",
    ];

    /// RocksDB 11.8's defaults (include/rocksdb/options.h, advanced_options.h, table.h, and
    /// the 32 MiB HyperClockCache the table factory makes when given none), with statistics
    /// switched on because every rdbtune measurement reads them. A test opens a DB with
    /// `Options::default()` and one with this preset and finds the OPTIONS files identical.
    pub fn rocksdb_defaults() -> Self {
        EngineConfig {
            path: None,
            create_if_missing: true,
            max_open_files: -1,
            write_buffer_size: Size::mib(64),
            max_write_buffer_number: 2,
            min_write_buffer_number_to_merge: 1,
            block_cache_size: Size::mib(32),
            block_cache_type: CacheType::HyperClock,
            block_size: Size::kib(4),
            bloom_bits_per_key: 0.0,
            filter: FilterKind::Bloom,
            partition_filters: false,
            index_type: IndexType::BinarySearch,
            cache_index_and_filter_blocks: false,
            whole_key_filtering: true,
            optimize_filters_for_hits: false,
            merge_operator: MergeOperator::None,
            format_version: 7,
            compression: Compression::Lz4,
            compression_per_level: Vec::new(),
            compression_level: DEFAULT_COMPRESSION_LEVEL,
            compression_max_dict_bytes: 0,
            compression_zstd_max_train_bytes: 0,
            bottommost_compression: None,
            bottommost_compression_level: DEFAULT_COMPRESSION_LEVEL,
            bottommost_max_dict_bytes: 0,
            bottommost_zstd_max_train_bytes: 0,
            compaction_style: CompactionStyle::Level,
            compaction_pri: CompactionPri::MinOverlappingRatio,
            max_bytes_for_level_multiplier: 10.0,
            universal_size_ratio: 1,
            universal_min_merge_width: 2,
            universal_max_size_amplification_percent: 200,
            fifo_max_table_files_size: Size::gib(1),
            max_background_jobs: 2,
            max_subcompactions: 1,
            level0_file_num_compaction_trigger: 4,
            level0_slowdown_writes_trigger: 20,
            level0_stop_writes_trigger: 36,
            target_file_size_base: Size::mib(64),
            max_bytes_for_level_base: Size::mib(256),
            level_compaction_dynamic_level_bytes: true,
            soft_pending_compaction_bytes_limit: Size::gib(64),
            hard_pending_compaction_bytes_limit: Size::gib(256),
            enable_blob_files: false,
            min_blob_size: Size(0),
            blob_file_size: Size::mib(256),
            blob_compression: Compression::None,
            enable_blob_garbage_collection: false,
            blob_garbage_collection_age_cutoff: 0.25,
            memtable_prefix_bloom_size_ratio: 0.0,
            memtable_whole_key_filtering: false,
            row_cache_size: Size(0),
            rate_limiter_bytes_per_sec: Size(0),
            use_direct_reads: false,
            use_direct_io_for_flush_and_compaction: false,
            enable_pipelined_write: false,
            unordered_write: false,
            max_total_wal_size: Size(0),
            bytes_per_sync: Size(0),
            disable_wal: false,
            sync: false,
            statistics: true,
            rocksdb_options: String::new(),
            options_file: None,
            base_options: None,
            column_families: Vec::new(),
            base_family: None,
        }
    }

    /// The original plan's `production_optimized()`: larger memtables and cache, more
    /// background jobs, and tiered compression (hot levels uncompressed, cold levels zstd).
    pub fn production_optimized() -> Self {
        use Compression::*;
        EngineConfig {
            max_open_files: 10_000,
            write_buffer_size: Size::mib(256),
            block_cache_size: Size::gib(1),
            max_background_jobs: 8,
            compression: Lz4,
            compression_per_level: vec![None, Lz4, Zstd, Zstd, Zstd, Zstd, Zstd],
            ..Self::rocksdb_defaults()
        }
    }

    /// What upstream YCSB's RocksDB binding (RocksDBClient, without `rocksdb.optionsfile`)
    /// opens: RocksDB's defaults, `optimizeLevelStyleCompaction()` (512 MiB memtable budget:
    /// 128 MiB write buffers, 6 of them, 2 merged per flush, L0 trigger 2, 64 MiB target
    /// files, a 512 MiB base level, no compression on L0-L1 and LZ4 below), and
    /// `setIncreaseParallelism(threads)` with `setMaxBackgroundCompactions(threads)`, where
    /// the binding passes 2 x the cores: that many background jobs and compactions, one
    /// flush. The records go to the `table` column family (default `usertable`), opened with
    /// the same column-family options.
    pub fn ycsb_binding(threads: i32, table: &str) -> Self {
        use Compression::*;
        let mut c = EngineConfig {
            write_buffer_size: Size::mib(128),
            min_write_buffer_number_to_merge: 2,
            max_write_buffer_number: 6,
            level0_file_num_compaction_trigger: 2,
            target_file_size_base: Size::mib(64),
            max_bytes_for_level_base: Size::mib(512),
            compaction_style: CompactionStyle::Level,
            compression_per_level: vec![None, None, Lz4, Lz4, Lz4, Lz4, Lz4],
            max_background_jobs: threads,
            rocksdb_options: format!("max_background_compactions={threads}"),
            ..Self::rocksdb_defaults()
        };
        c.column_families.push(CfConfig {
            name: table.to_string(),
            overrides: toml::Table::new(),
        });
        c
    }

    /// db_bench's flag defaults as Debian's db_bench 7.8.3 runs them: the OPTIONS file it
    /// writes for `--benchmarks=fillseq` with no other flag (engine/presets/), with its 8 MiB
    /// LRU block cache (`--cache_size=8388608 --cache_type=lru_cache`), which the file cannot
    /// record. Statistics stay on (rdbtune's figures read them; db_bench's default is off).
    pub fn db_bench() -> Self {
        let (mut c, _) = Self::from_options_text(DB_BENCH_OPTIONS, "db_bench 7.8.3 preset")
            .expect("the embedded db_bench OPTIONS file parses");
        c.block_cache_type = CacheType::Lru;
        c.block_cache_size = Size::mib(8);
        c.statistics = true;
        c.create_if_missing = true;
        c
    }

    /// Sets one key from its text form, as `--set KEY=VALUE` does. Values are read as TOML
    /// (numbers, booleans, strings); list keys also take comma-separated items.
    pub fn set(&mut self, key: &str, raw: &str) -> Result<()> {
        let key = key.trim();
        Self::check_name(key)?;
        let raw = raw.trim();
        let value = if key == "compression_per_level" && !raw.starts_with('[') {
            toml::Value::Array(
                raw.split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| toml::Value::String(s.trim().to_string()))
                    .collect(),
            )
        } else if key.starts_with("rocksdb") || key == "options_file" {
            toml::Value::String(raw.to_string())
        } else {
            parse_toml_scalar(raw)
        };
        let mut t = toml::Table::new();
        t.insert(key.to_string(), value);
        let mut next = self.clone();
        next.merge_table(&t).map_err(|e| {
            Error::usage(format!(
                "invalid value {raw:?} for engine key {key:?}: {}",
                e.to_string()
                    .trim_start_matches(&format!("engine key {key:?}: "))
            ))
        })?;
        *self = next;
        Ok(())
    }

    /// Whether `key` is an engine key (see [`EngineConfig::check_name`]).
    pub fn is_key(key: &str) -> bool {
        Self::KEYS.contains(&key) || key.strip_prefix("rocksdb.").is_some_and(|n| !n.is_empty())
    }

    /// Whether `key` is an engine key: a typed knob, `rocksdb_options`, `options_file`, or
    /// `rocksdb.NAME` (any RocksDB option by its own name, checked by RocksDB when applied).
    fn check_name(key: &str) -> Result<()> {
        if Self::is_key(key) {
            return Ok(());
        }
        Err(Error::usage(format!(
            "unknown engine key {key:?}; valid keys: {}, or rocksdb.NAME for any RocksDB option by its own name",
            Self::KEYS.join(", ")
        )))
    }

    /// Applies overrides from a TOML table on top of this config; unknown keys are errors.
    /// `options_file` replaces the base first; typed knobs apply next; `rocksdb_options` and
    /// `rocksdb.NAME` keys last, through RocksDB's parser.
    pub fn merge_table(&mut self, overrides: &toml::Table) -> Result<()> {
        for k in overrides.keys() {
            Self::check_name(k)?;
        }
        let mut next = match overrides.get("options_file") {
            Some(v) => {
                let p = v.as_str().ok_or_else(|| {
                    Error::usage("engine key \"options_file\": expected a path in quotes")
                })?;
                let (mut c, warnings) = Self::from_options_file(std::path::Path::new(p))?;
                for w in warnings {
                    eprintln!("warning: options_file {p}: {w}");
                }
                c.path = self.path.clone();
                c
            }
            None => self.clone(),
        };
        let mut table = toml::Table::try_from(&next)
            .map_err(|e| Error::usage(format!("cannot serialise engine config: {e}")))?;
        let mut raw = Vec::new();
        for (k, v) in overrides {
            if k == "options_file" {
                continue;
            } else if k == "rocksdb_options" {
                let s = v.as_str().ok_or_else(|| {
                    Error::usage("engine key \"rocksdb_options\": expected a RocksDB options string in quotes, e.g. \"max_subcompactions=4\"")
                })?;
                raw.push((k.clone(), s.to_string()));
            } else if let Some(name) = k.strip_prefix("rocksdb.") {
                let text = match v {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                raw.push((k.clone(), format!("{name}={text}")));
            } else {
                table.insert(k.clone(), v.clone());
            }
        }
        next = Self::from_table_unchecked(table).map_err(Error::usage)?;
        for (k, s) in raw {
            next.add_rocksdb_options(&s, &format!("engine key {k:?}"))?;
        }
        next.validate()?;
        *self = next;
        Ok(())
    }

    fn from_table_unchecked(table: toml::Table) -> std::result::Result<Self, String> {
        toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| one_line(&e.to_string()))
    }

    /// Checks that `value` has the right type and form for `key`, without checking how it
    /// combines with the other keys (that is [`validate`](Self::validate)'s job).
    pub fn check_key(&self, key: &str, value: &toml::Value) -> Result<()> {
        Self::check_name(key)?;
        if key.starts_with("rocksdb") || key == "options_file" {
            let mut t = toml::Table::new();
            t.insert(key.to_string(), value.clone());
            return self.clone().merge_table(&t);
        }
        let mut table = toml::Table::try_from(self)
            .map_err(|e| Error::usage(format!("cannot serialise engine config: {e}")))?;
        table.insert(key.to_string(), value.clone());
        Self::from_table_unchecked(table)
            .map(|_| ())
            .map_err(Error::usage)
    }

    /// Checks combinations RocksDB would silently sanitise or reject at write time.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::usage(msg));
        if self.write_buffer_size.0 < 64 * 1024 {
            return bad(format!(
                "write_buffer_size {} is too small: use at least 64KiB",
                self.write_buffer_size
            ));
        }
        if self.max_write_buffer_number < 1 {
            return bad("max_write_buffer_number must be at least 1".into());
        }
        if self.min_write_buffer_number_to_merge < 1 {
            return bad("min_write_buffer_number_to_merge must be at least 1".into());
        }
        if self.block_size.0 == 0 {
            return bad("block_size must be greater than 0 (e.g. \"4KiB\")".into());
        }
        if !(0.0..=100.0).contains(&self.bloom_bits_per_key) || self.bloom_bits_per_key.is_nan() {
            return bad(format!(
                "bloom_bits_per_key {} is out of range: use 0 (no filter) to 100, typically 10",
                self.bloom_bits_per_key
            ));
        }
        if self.compression_per_level.len() > NUM_LEVELS {
            return bad(format!(
                "compression_per_level has {} entries but RocksDB has {NUM_LEVELS} levels",
                self.compression_per_level.len()
            ));
        }
        if self.max_background_jobs < 1 {
            return bad("max_background_jobs must be at least 1".into());
        }
        if self.level0_file_num_compaction_trigger < 1 {
            return bad("level0_file_num_compaction_trigger must be at least 1".into());
        }
        if self.level0_slowdown_writes_trigger < self.level0_file_num_compaction_trigger
            || self.level0_stop_writes_trigger < self.level0_slowdown_writes_trigger
        {
            return bad(format!(
                "L0 triggers must satisfy level0_file_num_compaction_trigger ({}) <= level0_slowdown_writes_trigger ({}) <= level0_stop_writes_trigger ({}); set them together",
                self.level0_file_num_compaction_trigger,
                self.level0_slowdown_writes_trigger,
                self.level0_stop_writes_trigger
            ));
        }
        if self.target_file_size_base.0 == 0 || self.max_bytes_for_level_base.0 == 0 {
            return bad("target_file_size_base and max_bytes_for_level_base must be > 0".into());
        }
        for (train, dict, t, d) in [
            (
                "compression_zstd_max_train_bytes",
                "compression_max_dict_bytes",
                self.compression_zstd_max_train_bytes,
                self.compression_max_dict_bytes,
            ),
            (
                "bottommost_zstd_max_train_bytes",
                "bottommost_max_dict_bytes",
                self.bottommost_zstd_max_train_bytes,
                self.bottommost_max_dict_bytes,
            ),
        ] {
            if t > 0 && d == 0 {
                return bad(format!(
                    "{train} = {t} needs a dictionary: set {dict} too (e.g. 16384; zstd trains a dictionary of that size from {train} bytes of samples)"
                ));
            }
        }
        if self.partition_filters && self.index_type != IndexType::TwoLevel {
            return bad("partition_filters = true needs index_type = \"two_level\" (partitioned filters follow the partitioned index); set both".into());
        }
        if !(0.0..=1.0).contains(&self.blob_garbage_collection_age_cutoff) {
            return bad(format!(
                "blob_garbage_collection_age_cutoff {} must be a fraction in [0, 1]",
                self.blob_garbage_collection_age_cutoff
            ));
        }
        if self.sync && self.disable_wal {
            return bad(
                "sync = true needs the WAL: RocksDB rejects synced writes with disable_wal = true; drop one of them".into(),
            );
        }
        Ok(())
    }

    /// Memory the config reserves by design: the block cache plus all memtables, and for
    /// each other column family its memtables and its own block cache if it has one (a
    /// capacity: RocksDB allocates cache and memtable memory as they fill).
    pub fn configured_memory(&self) -> u64 {
        let memtables =
            |c: &EngineConfig| c.write_buffer_size.0 * c.max_write_buffer_number.max(1) as u64;
        let mut total = self.block_cache_size.0 + memtables(self);
        for cf in &self.column_families {
            if let Ok(fc) = self.family(&cf.name) {
                total += memtables(&fc);
                if self.own_cache(&fc) {
                    total += fc.block_cache_size.0;
                }
            }
        }
        total
    }

    /// The codec RocksDB will use for each level index, in `compression_per_level` terms.
    pub fn effective_compression_per_level(&self) -> Vec<Compression> {
        if self.compression_per_level.is_empty() {
            return vec![self.compression; NUM_LEVELS];
        }
        let mut v = self.compression_per_level.clone();
        let last = *v.last().expect("non-empty");
        v.resize(NUM_LEVELS, last);
        v
    }

    /// The config as TOML, the form `recommended.toml` and `--print-config` use.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("EngineConfig always serialises")
    }
}

/// Reads a `--set` value: TOML literals where they parse (42, true, 1.5, "x", [..]),
/// otherwise the raw text as a string (so `lz4` and `64MiB` need no quotes).
fn parse_toml_scalar(raw: &str) -> toml::Value {
    let doc = format!("v = {raw}");
    match toml::from_str::<toml::Table>(&doc) {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.into())),
        Err(_) => toml::Value::String(raw.to_string()),
    }
}

/// Joins a possibly multi-line parser message into one line.
pub fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_list_matches_fields() {
        let mut full = EngineConfig::production_optimized();
        full.path = Some("/x".into());
        full.bottommost_compression = Some(Compression::Zstd);
        full.rocksdb_options = "max_subcompactions=2".into();
        full.options_file = Some("/o".into());
        full.column_families.push(CfConfig {
            name: "hot".into(),
            overrides: toml::Table::new(),
        });
        let table = toml::Table::try_from(&full).unwrap();
        let keys: Vec<&str> = table.keys().map(String::as_str).collect();
        let mut expected: Vec<&str> = EngineConfig::KEYS.to_vec();
        expected.sort();
        let mut got = keys.clone();
        got.sort();
        assert_eq!(got, expected);
    }

    #[test]
    fn presets_are_valid_and_round_trip() {
        for p in Preset::ALL {
            let c = p.config();
            c.validate().unwrap();
            let text = c.to_toml();
            let back: EngineConfig = toml::from_str(&text).unwrap();
            assert_eq!(back, c, "{}", p.name());
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<EngineConfig>(&json).unwrap(), c);
        }
        let p = EngineConfig::production_optimized();
        assert_eq!(p.write_buffer_size, Size::mib(256));
        assert_eq!(p.block_cache_size, Size::gib(1));
        assert_eq!(p.max_background_jobs, 8);
        assert_eq!(p.max_open_files, 10_000);
        assert_eq!(
            &p.compression_per_level[..3],
            &[Compression::None, Compression::Lz4, Compression::Zstd]
        );
    }

    #[test]
    fn set_parses_each_kind() {
        let mut c = EngineConfig::default();
        c.set("write_buffer_size", "128MiB").unwrap();
        c.set("block_cache_size", "1048576").unwrap();
        c.set("compression", "zstd").unwrap();
        c.set("bloom_bits_per_key", "10").unwrap();
        c.set("disable_wal", "true").unwrap();
        c.set("compression_per_level", "none,lz4,zstd").unwrap();
        c.set("bottommost_compression", "zlib").unwrap();
        assert_eq!(c.write_buffer_size, Size::mib(128));
        assert_eq!(c.block_cache_size, Size::mib(1));
        assert_eq!(c.compression, Compression::Zstd);
        assert_eq!(c.bloom_bits_per_key, 10.0);
        assert!(c.disable_wal);
        assert_eq!(c.compression_per_level.len(), 3);
        assert_eq!(c.effective_compression_per_level()[6], Compression::Zstd);
        assert_eq!(c.bottommost_compression, Some(Compression::Zlib));
    }

    #[test]
    fn set_errors_name_the_key() {
        let mut c = EngineConfig::default();
        let e = c.set("write_bufer_size", "1").unwrap_err().to_string();
        assert!(
            e.contains("write_bufer_size") && e.contains("write_buffer_size"),
            "{e}"
        );
        let e = c.set("compression", "lz5").unwrap_err().to_string();
        assert!(
            e.contains("compression") && e.contains("lz5") && e.contains("zstd"),
            "{e}"
        );
        let e = c.set("write_buffer_size", "12XB").unwrap_err().to_string();
        assert!(e.contains("write_buffer_size") && e.contains("12XB"), "{e}");
        assert!(!e.contains('\n'));
        let e = c
            .set("max_background_jobs", "lots")
            .unwrap_err()
            .to_string();
        assert!(e.contains("max_background_jobs"), "{e}");
        c.set("disable_wal", "true").unwrap();
        let e = c.set("sync", "true").unwrap_err().to_string();
        assert!(e.contains("disable_wal"), "{e}");
        assert!(!c.sync, "a failed set leaves the config unchanged");
    }

    #[test]
    fn l0_trigger_order_is_checked() {
        let mut c = EngineConfig::default();
        let e = c
            .set("level0_stop_writes_trigger", "2")
            .unwrap_err()
            .to_string();
        assert!(e.contains("level0_stop_writes_trigger"), "{e}");
        let mut t = toml::Table::new();
        t.insert("level0_file_num_compaction_trigger".into(), 1.into());
        t.insert("level0_slowdown_writes_trigger".into(), 2.into());
        t.insert("level0_stop_writes_trigger".into(), 2.into());
        c.merge_table(&t).unwrap();
        assert_eq!(c.level0_stop_writes_trigger, 2);
    }

    #[test]
    fn the_db_bench_preset_is_db_benchs_options_file() {
        let (_, warnings) =
            EngineConfig::from_options_text(DB_BENCH_OPTIONS, "db_bench preset").unwrap();
        assert!(warnings.is_empty(), "{warnings:#?}");
        let c = Preset::DbBench.config();
        assert_eq!(c.compression, Compression::Snappy);
        assert_eq!(
            (c.block_cache_type, c.block_cache_size),
            (CacheType::Lru, Size::mib(8))
        );
        assert!(!c.level_compaction_dynamic_level_bytes);
        assert_eq!(c.format_version, 5);
    }

    #[test]
    fn memory_and_names() {
        let mut c = EngineConfig::default();
        assert_eq!(c.configured_memory(), (32 + 128) << 20);
        // A family with its own cache adds it and its memtables; a shared one only memtables.
        let mut own = toml::Table::new();
        own.insert("block_cache_size".into(), "16MiB".into());
        own.insert("write_buffer_size".into(), "8MiB".into());
        c.column_families.push(CfConfig {
            name: "own".into(),
            overrides: own,
        });
        c.column_families.push(CfConfig {
            name: "shared".into(),
            overrides: toml::Table::new(),
        });
        assert_eq!(c.configured_memory(), (32 + 128 + (16 + 16) + 128) << 20);
        assert_eq!("ZSTD".parse::<Compression>().unwrap(), Compression::Zstd);
        assert!("lzma".parse::<Compression>().is_err());
        assert_eq!(
            "production-optimized".parse::<Preset>().unwrap(),
            Preset::ProductionOptimized
        );
    }
}
