//! The typed knobs in RocksDB's own terms: each knob's RocksDB name, section and value form,
//! used both ways. [`EngineConfig::rocksdb_items`] renders the config as options-string items
//! for RocksDB's parser; [`EngineConfig::adopt`] reads the knobs back from an OPTIONS file
//! (its base config). One list (`simple_knobs!`) holds the plain knobs for both directions.

use super::config::{Compression, EngineConfig};
use super::rocksdb_options::{items, unbrace, OptionsFile, Section};
use super::size::Size;
use serde::{Deserialize, Serialize};

/// RocksDB's "use the codec's default level" (`CompressionOptions::kDefaultCompressionLevel`).
pub const DEFAULT_COMPRESSION_LEVEL: i32 = 32767;

/// A value as RocksDB's option parser and OPTIONS files write it.
pub trait RocksValue: Sized {
    fn render(&self) -> String;
    fn parse(s: &str) -> Option<Self>;
}

impl RocksValue for i32 {
    fn render(&self) -> String {
        self.to_string()
    }
    fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

impl RocksValue for u32 {
    fn render(&self) -> String {
        self.to_string()
    }
    fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

impl RocksValue for bool {
    fn render(&self) -> String {
        self.to_string()
    }
    fn parse(s: &str) -> Option<Self> {
        match s {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        }
    }
}

impl RocksValue for f64 {
    fn render(&self) -> String {
        // RocksDB prints doubles with six decimals; any exact form parses.
        format!("{self}")
    }
    fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

impl RocksValue for Size {
    fn render(&self) -> String {
        self.0.to_string()
    }
    /// Bytes, or RocksDB's own size suffixes (16K, 64M, 1G) as options strings use them.
    fn parse(s: &str) -> Option<Self> {
        s.parse::<Size>().ok()
    }
}

/// A knob enum: its rdbtune names (serde) and RocksDB names, in the same order.
macro_rules! rocks_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $ours:literal / $theirs:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $ours)] $v),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            pub fn name(self) -> &'static str {
                match self { $($name::$v => $ours),* }
            }

            pub fn rocksdb_name(self) -> &'static str {
                match self { $($name::$v => $theirs),* }
            }
        }

        impl RocksValue for $name {
            fn render(&self) -> String {
                self.rocksdb_name().to_string()
            }
            fn parse(s: &str) -> Option<Self> {
                $name::ALL.iter().copied().find(|x| x.rocksdb_name() == s)
            }
        }
    };
}

rocks_enum!(
    /// `compaction_style`.
    CompactionStyle {
        Level = "level" / "kCompactionStyleLevel",
        Universal = "universal" / "kCompactionStyleUniversal",
        Fifo = "fifo" / "kCompactionStyleFIFO",
    }
);

rocks_enum!(
    /// `compaction_pri`: which file of a level compacts next.
    CompactionPri {
        ByCompensatedSize = "by_compensated_size" / "kByCompensatedSize",
        OldestLargestSeqFirst = "oldest_largest_seq_first" / "kOldestLargestSeqFirst",
        OldestSmallestSeqFirst = "oldest_smallest_seq_first" / "kOldestSmallestSeqFirst",
        MinOverlappingRatio = "min_overlapping_ratio" / "kMinOverlappingRatio",
        RoundRobin = "round_robin" / "kRoundRobin",
    }
);

rocks_enum!(
    /// The table's index: one binary-searched index block, a hash index, or a two-level
    /// (partitioned) index.
    IndexType {
        BinarySearch = "binary_search" / "kBinarySearch",
        HashSearch = "hash_search" / "kHashSearch",
        TwoLevel = "two_level" / "kTwoLevelIndexSearch",
        BinarySearchWithFirstKey = "binary_search_with_first_key" / "kBinarySearchWithFirstKey",
    }
);

rocks_enum!(
    /// The block cache's implementation. OPTIONS files do not record it.
    CacheType {
        HyperClock = "hyper_clock" / "HyperClockCache",
        Lru = "lru" / "LRUCache",
    }
);

rocks_enum!(
    /// `merge_operator`: one of RocksDB's built-in operators, made by RocksDB's own object
    /// registry, so an OPTIONS file that names it loads into any RocksDB program.
    MergeOperator {
        None = "none" / "nullptr",
        Uint64Add = "uint64add" / "UInt64AddOperator",
        Put = "put" / "PutOperator",
        Max = "max" / "MaxOperator",
    }
);

rocks_enum!(
    /// The filter policy's family (bits per key in `bloom_bits_per_key`).
    FilterKind {
        Bloom = "bloom" / "bloomfilter",
        Ribbon = "ribbon" / "ribbonfilter",
    }
);

impl RocksValue for Compression {
    fn render(&self) -> String {
        self.rocksdb_name().to_string()
    }
    fn parse(s: &str) -> Option<Self> {
        Compression::ALL.into_iter().find(|c| c.rocksdb_name() == s)
    }
}

/// Where a knob goes in RocksDB's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sec {
    /// `[DBOptions]`
    Db,
    /// `[CFOptions "..."]`
    Cf,
    /// `[TableOptions/BlockBasedTable "..."]`
    Table,
}

/// The config as options-string items, by section.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Items {
    pub db: Vec<String>,
    pub cf: Vec<String>,
    pub table: Vec<String>,
}

impl Items {
    fn push(&mut self, sec: Sec, name: &str, value: String) {
        let item = format!("{name}={value}");
        match sec {
            Sec::Db => self.db.push(item),
            Sec::Cf => self.cf.push(item),
            Sec::Table => self.table.push(item),
        }
    }

    /// One options string: DB and CF items, then the table's inside
    /// `block_based_table_factory={...}`.
    pub fn to_options_string(&self) -> String {
        let mut v: Vec<String> = self.db.iter().chain(&self.cf).cloned().collect();
        if !self.table.is_empty() {
            v.push(format!(
                "block_based_table_factory={{{}}}",
                self.table.join(";")
            ));
        }
        v.join(";")
    }
}

/// The sections of an OPTIONS file a config reads its knobs from.
pub struct Base<'a> {
    pub db: Option<&'a Section>,
    pub cf: Option<&'a Section>,
    pub table: Option<&'a Section>,
}

impl<'a> Base<'a> {
    /// The sections of `f` for column family `family`.
    pub fn of(f: &'a OptionsFile, family: &str) -> Self {
        Base {
            db: f.section("DBOptions", None),
            cf: f.section("CFOptions", Some(family)),
            table: f.section("TableOptions/BlockBasedTable", Some(family)),
        }
    }

    fn get(&self, sec: Sec, name: &str) -> Option<&'a str> {
        match sec {
            Sec::Db => self.db,
            Sec::Cf => self.cf,
            Sec::Table => self.table,
        }?
        .get(name)
    }

    /// A field of a struct-valued option, e.g. `level` of `compression_opts={...;level=6}`.
    fn get_field(&self, sec: Sec, name: &str, field: &str) -> Option<String> {
        let v = self.get(sec, name)?;
        let inner = unbrace(v);
        items(inner).into_iter().find_map(|it| {
            let (k, v) = it.split_once('=')?;
            (k.trim() == field).then(|| v.trim().to_string())
        })
    }
}

/// The plain knobs: one field, one RocksDB option, one value form.
macro_rules! simple_knobs {
    ($($field:ident: $sec:ident $name:literal),* $(,)?) => {
        impl EngineConfig {
            fn render_simple(&self, out: &mut Items) {
                $( out.push(Sec::$sec, $name, self.$field.render()); )*
            }

            fn adopt_simple(&mut self, b: &Base, warn: &mut Vec<String>) {
                $(
                    if let Some(v) = b.get(Sec::$sec, $name) {
                        match RocksValue::parse(v) {
                            Some(x) => self.$field = x,
                            None => warn.push(format!("{}={v}: not read into {} (kept {})", $name, stringify!($field), self.$field.render())),
                        }
                    }
                )*
            }
        }
    };
}

simple_knobs!(
    create_if_missing: Db "create_if_missing",
    max_open_files: Db "max_open_files",
    max_background_jobs: Db "max_background_jobs",
    max_subcompactions: Db "max_subcompactions",
    bytes_per_sync: Db "bytes_per_sync",
    use_direct_reads: Db "use_direct_reads",
    use_direct_io_for_flush_and_compaction: Db "use_direct_io_for_flush_and_compaction",
    enable_pipelined_write: Db "enable_pipelined_write",
    unordered_write: Db "unordered_write",
    max_total_wal_size: Db "max_total_wal_size",
    write_buffer_size: Cf "write_buffer_size",
    max_write_buffer_number: Cf "max_write_buffer_number",
    min_write_buffer_number_to_merge: Cf "min_write_buffer_number_to_merge",
    compression: Cf "compression",
    compaction_style: Cf "compaction_style",
    compaction_pri: Cf "compaction_pri",
    max_bytes_for_level_multiplier: Cf "max_bytes_for_level_multiplier",
    level0_file_num_compaction_trigger: Cf "level0_file_num_compaction_trigger",
    level0_slowdown_writes_trigger: Cf "level0_slowdown_writes_trigger",
    level0_stop_writes_trigger: Cf "level0_stop_writes_trigger",
    target_file_size_base: Cf "target_file_size_base",
    max_bytes_for_level_base: Cf "max_bytes_for_level_base",
    level_compaction_dynamic_level_bytes: Cf "level_compaction_dynamic_level_bytes",
    soft_pending_compaction_bytes_limit: Cf "soft_pending_compaction_bytes_limit",
    hard_pending_compaction_bytes_limit: Cf "hard_pending_compaction_bytes_limit",
    enable_blob_files: Cf "enable_blob_files",
    min_blob_size: Cf "min_blob_size",
    blob_file_size: Cf "blob_file_size",
    blob_compression: Cf "blob_compression_type",
    enable_blob_garbage_collection: Cf "enable_blob_garbage_collection",
    blob_garbage_collection_age_cutoff: Cf "blob_garbage_collection_age_cutoff",
    memtable_prefix_bloom_size_ratio: Cf "memtable_prefix_bloom_size_ratio",
    memtable_whole_key_filtering: Cf "memtable_whole_key_filtering",
    optimize_filters_for_hits: Cf "optimize_filters_for_hits",
    merge_operator: Cf "merge_operator",
    block_size: Table "block_size",
    partition_filters: Table "partition_filters",
    index_type: Table "index_type",
    cache_index_and_filter_blocks: Table "cache_index_and_filter_blocks",
    whole_key_filtering: Table "whole_key_filtering",
    format_version: Table "format_version",
);

impl EngineConfig {
    /// Every typed knob as RocksDB options-string items, by section (the block cache, the
    /// row cache, the rate limiter and statistics are set through the API instead: RocksDB's
    /// parser cannot make a HyperClockCache, and OPTIONS files do not record them).
    pub fn rocksdb_items(&self) -> Items {
        let mut out = Items::default();
        self.render_simple(&mut out);
        out.push(Sec::Db, "wal_bytes_per_sync", self.bytes_per_sync.render());
        let levels: Vec<String> = self
            .compression_per_level
            .iter()
            .map(|c| c.rocksdb_name().to_string())
            .collect();
        out.push(Sec::Cf, "compression_per_level", levels.join(":"));
        out.push(
            Sec::Cf,
            "compression_opts",
            format!(
                "{{level={};max_dict_bytes={};zstd_max_train_bytes={}}}",
                self.compression_level,
                self.compression_max_dict_bytes,
                self.compression_zstd_max_train_bytes
            ),
        );
        out.push(
            Sec::Cf,
            "bottommost_compression",
            self.bottommost_compression
                .map_or("kDisableCompressionOption", |c| c.rocksdb_name())
                .to_string(),
        );
        // RocksDB reads the bottommost options only when `enabled`.
        let bottom_enabled = self.bottommost_compression_level != DEFAULT_COMPRESSION_LEVEL
            || self.bottommost_max_dict_bytes != 0
            || self.bottommost_zstd_max_train_bytes != 0;
        out.push(
            Sec::Cf,
            "bottommost_compression_opts",
            format!(
                "{{enabled={bottom_enabled};level={};max_dict_bytes={};zstd_max_train_bytes={}}}",
                self.bottommost_compression_level,
                self.bottommost_max_dict_bytes,
                self.bottommost_zstd_max_train_bytes
            ),
        );
        out.push(
            Sec::Cf,
            "compaction_options_universal",
            format!(
                "{{size_ratio={};min_merge_width={};max_size_amplification_percent={}}}",
                self.universal_size_ratio,
                self.universal_min_merge_width,
                self.universal_max_size_amplification_percent
            ),
        );
        out.push(
            Sec::Cf,
            "compaction_options_fifo",
            format!(
                "{{max_table_files_size={}}}",
                self.fifo_max_table_files_size.0
            ),
        );
        out.push(Sec::Table, "filter_policy", self.filter_policy());
        out.push(
            Sec::Table,
            "no_block_cache",
            (self.block_cache_size.0 == 0).render(),
        );
        out
    }

    /// The filter policy as RocksDB's own objects serialise it (so the OPTIONS file RocksDB
    /// writes keeps the bits): `bloomfilter:10:false`, `ribbonfilter:10:-1` or `nullptr`.
    pub fn filter_policy(&self) -> String {
        if self.bloom_bits_per_key <= 0.0 {
            return "nullptr".into();
        }
        match self.filter {
            FilterKind::Bloom => format!("bloomfilter:{}:false", self.bloom_bits_per_key),
            FilterKind::Ribbon => format!("ribbonfilter:{}:-1", self.bloom_bits_per_key),
        }
    }

    /// Reads every typed knob the OPTIONS file's default column family sets; returns what it
    /// could not read (the base file still applies those options as written).
    pub fn adopt(&mut self, f: &OptionsFile) -> Vec<String> {
        let b = Base::of(f, self.base_family.as_deref().unwrap_or("default"));
        let mut warn = Vec::new();
        self.adopt_simple(&b, &mut warn);
        if let Some(v) = b.get(Sec::Db, "bytes_per_sync") {
            self.bytes_per_sync = Size::parse(v).unwrap_or(self.bytes_per_sync);
        }
        if let Some(v) = b.get(Sec::Cf, "compression_per_level") {
            self.compression_per_level = v
                .split(':')
                .filter(|s| !s.is_empty())
                .filter_map(Compression::parse)
                .collect();
        }
        if let Some(v) = b.get(Sec::Cf, "bottommost_compression") {
            self.bottommost_compression = Compression::parse(v);
        }
        let field = |name: &str, f: &str| b.get_field(Sec::Cf, name, f);
        let int = |v: Option<String>, d: i32| v.and_then(|v| v.parse().ok()).unwrap_or(d);
        let uint = |v: Option<String>, d: u32| v.and_then(|v| v.parse().ok()).unwrap_or(d);
        self.compression_level = int(field("compression_opts", "level"), self.compression_level);
        self.compression_max_dict_bytes = uint(
            field("compression_opts", "max_dict_bytes"),
            self.compression_max_dict_bytes,
        );
        self.compression_zstd_max_train_bytes = uint(
            field("compression_opts", "zstd_max_train_bytes"),
            self.compression_zstd_max_train_bytes,
        );
        if field("bottommost_compression_opts", "enabled").as_deref() == Some("true") {
            let bo = "bottommost_compression_opts";
            self.bottommost_compression_level =
                int(field(bo, "level"), self.bottommost_compression_level);
            self.bottommost_max_dict_bytes =
                uint(field(bo, "max_dict_bytes"), self.bottommost_max_dict_bytes);
            self.bottommost_zstd_max_train_bytes = uint(
                field(bo, "zstd_max_train_bytes"),
                self.bottommost_zstd_max_train_bytes,
            );
        }
        let u = "compaction_options_universal";
        self.universal_size_ratio = uint(field(u, "size_ratio"), self.universal_size_ratio);
        self.universal_min_merge_width =
            uint(field(u, "min_merge_width"), self.universal_min_merge_width);
        self.universal_max_size_amplification_percent = uint(
            field(u, "max_size_amplification_percent"),
            self.universal_max_size_amplification_percent,
        );
        if let Some(v) = field("compaction_options_fifo", "max_table_files_size") {
            self.fifo_max_table_files_size =
                Size::parse(&v).unwrap_or(self.fifo_max_table_files_size);
        }
        if let Some(v) = b.get(Sec::Table, "filter_policy") {
            self.adopt_filter(v, &mut warn);
        }
        if b.get(Sec::Table, "no_block_cache") == Some("true") {
            self.block_cache_size = Size(0);
        }
        warn
    }

    /// `bloomfilter:10:false`, `ribbonfilter:10:-1`, `nullptr` (or a policy rdbtune does not
    /// type, which the base file keeps).
    fn adopt_filter(&mut self, v: &str, warn: &mut Vec<String>) {
        if v == "nullptr" || v.is_empty() {
            self.bloom_bits_per_key = 0.0;
            return;
        }
        let mut parts = v.split(':');
        let kind = parts.next().and_then(FilterKind::parse);
        let bits = parts.next().and_then(|b| b.parse::<f64>().ok());
        match (kind, bits) {
            (Some(k), Some(b)) => {
                self.filter = k;
                self.bloom_bits_per_key = b;
            }
            _ => warn.push(format!(
                "filter_policy={v}: not read into bloom_bits_per_key and filter"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knobs_render_and_read_back() {
        let mut c = EngineConfig::production_optimized();
        c.bloom_bits_per_key = 10.0;
        c.filter = FilterKind::Ribbon;
        c.compaction_style = CompactionStyle::Universal;
        c.universal_size_ratio = 7;
        c.compression_level = 6;
        c.bottommost_compression = Some(Compression::Zstd);
        c.bottommost_max_dict_bytes = 16384;
        let items = c.rocksdb_items();
        let s = items.to_options_string();
        for needle in [
            "compaction_style=kCompactionStyleUniversal",
            "compression_per_level=kNoCompression:kLZ4Compression:kZSTD",
            "filter_policy=ribbonfilter:10:-1",
            "compaction_options_universal={size_ratio=7;",
            "compression_opts={level=6;",
            "bottommost_compression_opts={enabled=true;",
            "block_based_table_factory={",
        ] {
            assert!(s.contains(needle), "{needle} missing in {s}");
        }
        // The same items, as RocksDB writes them into an OPTIONS file, read back.
        let mut text = String::from("[DBOptions]\n");
        for i in &items.db {
            text.push_str(&format!("  {i}\n"));
        }
        text.push_str("[CFOptions \"default\"]\n");
        for i in &items.cf {
            text.push_str(&format!("  {i}\n"));
        }
        text.push_str("[TableOptions/BlockBasedTable \"default\"]\n");
        for i in &items.table {
            text.push_str(&format!("  {i}\n"));
        }
        let f = OptionsFile::parse(&text, "t").unwrap();
        let mut back = EngineConfig::rocksdb_defaults();
        let warn = back.adopt(&f);
        assert!(warn.is_empty(), "{warn:?}");
        back.block_cache_size = c.block_cache_size;
        assert_eq!(back, c);
    }

    #[test]
    fn enums_have_both_names() {
        assert_eq!(CompactionStyle::Fifo.rocksdb_name(), "kCompactionStyleFIFO");
        assert_eq!(
            CompactionPri::parse("kRoundRobin"),
            Some(CompactionPri::RoundRobin)
        );
        assert_eq!(IndexType::TwoLevel.name(), "two_level");
        let v: CacheType = serde_json::from_str("\"lru\"").unwrap();
        assert_eq!(v, CacheType::Lru);
    }
}
