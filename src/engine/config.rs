//! [`EngineConfig`]: every RocksDB knob rdbtune drives, as one serialisable value.
//!
//! A config is always complete: presets fill every field, overrides (`--set KEY=VALUE`, a
//! scenario's `[engine]` table) replace single fields, and the effective config is what gets
//! printed, written to results and turned into `rocksdb::Options`.

use super::size::Size;
use crate::error::{Error, Result};
use rocksdb::{BlockBasedOptions, Cache, DBCompressionType, Options};
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

    pub fn to_rocksdb(self) -> DBCompressionType {
        match self {
            Compression::None => DBCompressionType::None,
            Compression::Snappy => DBCompressionType::Snappy,
            Compression::Lz4 => DBCompressionType::Lz4,
            Compression::Zstd => DBCompressionType::Zstd,
            Compression::Zlib => DBCompressionType::Zlib,
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
    /// RocksDB's own defaults, written out explicitly.
    Default,
    /// The original plan's production settings: 256 MiB write buffer, 1 GiB block cache,
    /// 8 background jobs, 10000 open files, L0 none / L1 lz4 / L2+ zstd.
    ProductionOptimized,
}

impl Preset {
    pub const ALL: [Preset; 2] = [Preset::Default, Preset::ProductionOptimized];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Default => "default",
            Preset::ProductionOptimized => "production_optimized",
        }
    }

    pub fn config(self) -> EngineConfig {
        match self {
            Preset::Default => EngineConfig::rocksdb_defaults(),
            Preset::ProductionOptimized => EngineConfig::production_optimized(),
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
                    "unknown preset {s:?}: valid presets are default, production_optimized"
                ))
            })
    }
}

/// Every RocksDB option rdbtune sets. Field names are the keys accepted by `--set` and by a
/// scenario's `[engine]` table; sizes accept `"64MiB"`-style strings or bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// DB directory. Usually chosen per run (`--db`), so presets leave it unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    pub create_if_missing: bool,
    /// -1 keeps every table file open.
    pub max_open_files: i32,
    /// Size of one memtable.
    pub write_buffer_size: Size,
    pub max_write_buffer_number: i32,
    pub min_write_buffer_number_to_merge: i32,
    /// LRU block cache capacity; 0 disables the block cache.
    pub block_cache_size: Size,
    /// Uncompressed data block size.
    pub block_size: Size,
    /// Bloom filter bits per key; 0 means no filter.
    pub bloom_bits_per_key: f64,
    pub cache_index_and_filter_blocks: bool,
    /// Codec for every level not named in `compression_per_level`.
    pub compression: Compression,
    /// Codec per level index, as RocksDB's `compression_per_level` (with dynamic level bytes,
    /// index i > 0 applies to the base level + i - 1). Empty: use `compression` everywhere.
    pub compression_per_level: Vec<Compression>,
    /// Codec for the bottommost level; unset: the level's usual codec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottommost_compression: Option<Compression>,
    pub max_background_jobs: i32,
    pub level0_file_num_compaction_trigger: i32,
    pub level0_slowdown_writes_trigger: i32,
    pub level0_stop_writes_trigger: i32,
    pub target_file_size_base: Size,
    pub max_bytes_for_level_base: Size,
    pub level_compaction_dynamic_level_bytes: bool,
    /// Sync SST and WAL data incrementally every this many bytes; 0 is off.
    pub bytes_per_sync: Size,
    pub disable_wal: bool,
    /// fsync the WAL on every write.
    pub sync: bool,
    /// Collect RocksDB statistics (tickers and histograms). rdbtune's stats need it; it costs
    /// a few percent of throughput, equally in every trial.
    pub statistics: bool,
}

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
        "block_size",
        "bloom_bits_per_key",
        "cache_index_and_filter_blocks",
        "compression",
        "compression_per_level",
        "bottommost_compression",
        "max_background_jobs",
        "level0_file_num_compaction_trigger",
        "level0_slowdown_writes_trigger",
        "level0_stop_writes_trigger",
        "target_file_size_base",
        "max_bytes_for_level_base",
        "level_compaction_dynamic_level_bytes",
        "bytes_per_sync",
        "disable_wal",
        "sync",
        "statistics",
    ];

    /// RocksDB 11.x defaults (include/rocksdb/options.h, advanced_options.h, table.h), with
    /// statistics switched on because every rdbtune measurement reads them.
    pub fn rocksdb_defaults() -> Self {
        EngineConfig {
            path: None,
            create_if_missing: true,
            max_open_files: -1,
            write_buffer_size: Size::mib(64),
            max_write_buffer_number: 2,
            min_write_buffer_number_to_merge: 1,
            block_cache_size: Size::mib(32),
            block_size: Size::kib(4),
            bloom_bits_per_key: 0.0,
            cache_index_and_filter_blocks: false,
            compression: Compression::Snappy,
            compression_per_level: Vec::new(),
            bottommost_compression: None,
            max_background_jobs: 2,
            level0_file_num_compaction_trigger: 4,
            level0_slowdown_writes_trigger: 20,
            level0_stop_writes_trigger: 36,
            target_file_size_base: Size::mib(64),
            max_bytes_for_level_base: Size::mib(256),
            level_compaction_dynamic_level_bytes: true,
            bytes_per_sync: Size(0),
            disable_wal: false,
            sync: false,
            statistics: true,
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

    /// Sets one key from its text form, as `--set KEY=VALUE` does. Values are read as TOML
    /// (numbers, booleans, strings); list keys also take comma-separated items.
    pub fn set(&mut self, key: &str, raw: &str) -> Result<()> {
        let key = key.trim();
        if !Self::KEYS.contains(&key) {
            return Err(Error::usage(format!(
                "unknown engine key {key:?}; valid keys: {}",
                Self::KEYS.join(", ")
            )));
        }
        let raw = raw.trim();
        let value = if key == "compression_per_level" && !raw.starts_with('[') {
            toml::Value::Array(
                raw.split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| toml::Value::String(s.trim().to_string()))
                    .collect(),
            )
        } else {
            parse_toml_scalar(raw)
        };
        let mut table = toml::Table::try_from(&*self)
            .map_err(|e| Error::usage(format!("cannot serialise engine config: {e}")))?;
        table.insert(key.to_string(), value);
        *self = Self::from_table(table).map_err(|e| {
            Error::usage(format!("invalid value {raw:?} for engine key {key:?}: {e}"))
        })?;
        Ok(())
    }

    /// Applies overrides from a TOML table on top of this config; unknown keys are errors.
    pub fn merge_table(&mut self, overrides: &toml::Table) -> Result<()> {
        let mut table = toml::Table::try_from(&*self)
            .map_err(|e| Error::usage(format!("cannot serialise engine config: {e}")))?;
        for (k, v) in overrides {
            if !Self::KEYS.contains(&k.as_str()) {
                return Err(Error::usage(format!(
                    "unknown engine key {k:?}; valid keys: {}",
                    Self::KEYS.join(", ")
                )));
            }
            table.insert(k.clone(), v.clone());
        }
        *self = Self::from_table(table).map_err(|e| Error::usage(e.to_string()))?;
        Ok(())
    }

    fn from_table(table: toml::Table) -> std::result::Result<Self, String> {
        let cfg = Self::from_table_unchecked(table)?;
        cfg.validate().map_err(|e| e.to_string())?;
        Ok(cfg)
    }

    fn from_table_unchecked(table: toml::Table) -> std::result::Result<Self, String> {
        toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| one_line(&e.to_string()))
    }

    /// Checks that `value` has the right type and form for `key`, without checking how it
    /// combines with the other keys (that is [`validate`](Self::validate)'s job).
    pub fn check_key(&self, key: &str, value: &toml::Value) -> Result<()> {
        if !Self::KEYS.contains(&key) {
            return Err(Error::usage(format!(
                "unknown engine key {key:?}; valid keys: {}",
                Self::KEYS.join(", ")
            )));
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
        if self.sync && self.disable_wal {
            return bad(
                "sync = true needs the WAL: RocksDB rejects synced writes with disable_wal = true; drop one of them".into(),
            );
        }
        Ok(())
    }

    /// Memory the config reserves by design: block cache plus all memtables.
    pub fn configured_memory(&self) -> u64 {
        self.block_cache_size.0
            + self.write_buffer_size.0 * self.max_write_buffer_number.max(1) as u64
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

    /// Builds RocksDB options. The block cache lives as long as the returned `Options`.
    pub fn to_options(&self) -> Options {
        let mut o = Options::default();
        o.create_if_missing(self.create_if_missing);
        o.set_max_open_files(self.max_open_files);
        o.set_write_buffer_size(self.write_buffer_size.0 as usize);
        o.set_max_write_buffer_number(self.max_write_buffer_number);
        o.set_min_write_buffer_number_to_merge(self.min_write_buffer_number_to_merge);
        o.set_compression_type(self.compression.to_rocksdb());
        if !self.compression_per_level.is_empty() {
            let levels: Vec<DBCompressionType> = self
                .effective_compression_per_level()
                .into_iter()
                .map(Compression::to_rocksdb)
                .collect();
            o.set_compression_per_level(&levels);
        }
        if let Some(b) = self.bottommost_compression {
            o.set_bottommost_compression_type(b.to_rocksdb());
        }
        o.set_max_background_jobs(self.max_background_jobs);
        o.set_level_zero_file_num_compaction_trigger(self.level0_file_num_compaction_trigger);
        o.set_level_zero_slowdown_writes_trigger(self.level0_slowdown_writes_trigger);
        o.set_level_zero_stop_writes_trigger(self.level0_stop_writes_trigger);
        o.set_target_file_size_base(self.target_file_size_base.0);
        o.set_max_bytes_for_level_base(self.max_bytes_for_level_base.0);
        o.set_level_compaction_dynamic_level_bytes(self.level_compaction_dynamic_level_bytes);
        o.set_bytes_per_sync(self.bytes_per_sync.0);
        o.set_wal_bytes_per_sync(self.bytes_per_sync.0);
        if self.statistics {
            o.enable_statistics();
        }

        let mut t = BlockBasedOptions::default();
        if self.block_cache_size.0 == 0 {
            t.disable_cache();
        } else {
            let cache = Cache::new_lru_cache(self.block_cache_size.0 as usize);
            t.set_block_cache(&cache);
        }
        t.set_block_size(self.block_size.0 as usize);
        if self.bloom_bits_per_key > 0.0 {
            t.set_bloom_filter(self.bloom_bits_per_key, false);
        }
        t.set_cache_index_and_filter_blocks(self.cache_index_and_filter_blocks);
        o.set_block_based_table_factory(&t);
        o
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
    fn memory_and_names() {
        let c = EngineConfig::default();
        assert_eq!(c.configured_memory(), (32 + 128) << 20);
        assert_eq!("ZSTD".parse::<Compression>().unwrap(), Compression::Zstd);
        assert!("lzma".parse::<Compression>().is_err());
        assert_eq!(
            "production-optimized".parse::<Preset>().unwrap(),
            Preset::ProductionOptimized
        );
    }
}
