//! The tuner's memory model: what a config will hold in memory on a workload's data. Block
//! cache and memtables alone (the usual formula) underestimate RocksDB's memory: index and
//! filter blocks held by the table readers outside the cache, per-file table reader state,
//! the allocator's slack on cached blocks and the process itself come on top (facebook/rocksdb
//! #184, #13199). Each finalist's peak RSS is measured too, and the budget is enforced on
//! that measurement (docs/tuning.md has the predicted-vs-measured table).

use crate::engine::{CompactionStyle, EngineConfig, FilterKind};
pub use crate::model::tune::{MemoryEstimate, Shape};

const MIB: u64 = 1024 * 1024;

/// Bytes of per-entry overhead in a data block (shared-prefix and length varints, sequence
/// number and type).
const ENTRY_OVERHEAD: f64 = 12.0;
/// Bytes per index entry beyond the separator key (the block handle's varints).
const INDEX_ENTRY_OVERHEAD: f64 = 10.0;
/// A table reader's fixed state per open SST file (properties, metadata, file handle).
const TABLE_READER_BYTES: u64 = 16 * 1024;
/// Working memory per open DB beyond the parts above: RocksDB's thread stacks, WAL and file
/// buffers, flush and compaction buffers, compression contexts, the allocator's arenas, and
/// the client's per-thread latency histograms. Measured: RocksDB's defaults on YCSB-A at 1M
/// records peaked 23-25 MiB above the other parts in two 30-minute tunes (2026-12-06/07);
/// 40 MiB covers that with margin.
const DB_FIXED_BYTES: u64 = 40 * MIB;
/// The allocator's slack on cached blocks (blocks are allocated one by one; glibc's
/// size classes and fragmentation add to the cache's charge).
const CACHE_SLACK: f64 = 0.10;

/// Predicts the memory `c` holds on `shape`'s data at full fidelity.
pub fn predict(c: &EngineConfig, shape: &Shape) -> MemoryEstimate {
    let keys = shape.keys as f64;
    let families = 1 + shape.families as u64;
    // Values stored in blob files leave a blob index (about 20 bytes) in the SST.
    let in_sst_value = if c.enable_blob_files && shape.value_size >= c.min_blob_size.bytes() as f64
    {
        20.0
    } else {
        shape.value_size
    };
    let entry = shape.key_size + in_sst_value + ENTRY_OVERHEAD;
    // The SSTs hold the live data times the compaction style's space amplification (old
    // versions of overwritten keys not yet compacted away), and the cache, the index and
    // the filters can grow with all of it.
    let amp = space_amplification(c);
    let keys = keys * amp;
    let data = keys * entry;
    let cache_fill = (c.block_cache_size.bytes() as f64).min(data);
    let block_cache = (cache_fill * (1.0 + CACHE_SLACK)) as u64;
    let memtables =
        c.write_buffer_size.bytes() * c.max_write_buffer_number.max(1) as u64 * families;
    let blocks = data / c.block_size.bytes().max(1) as f64;
    let index = blocks * (shape.key_size + INDEX_ENTRY_OVERHEAD);
    let filter = if c.bloom_bits_per_key > 0.0 {
        let bits = keys * c.bloom_bits_per_key;
        // Ribbon filters take about 30% less space for the same false-positive rate.
        let kind = if c.filter == FilterKind::Ribbon {
            0.7
        } else {
            1.0
        };
        bits / 8.0 * kind
    } else {
        0.0
    };
    let index_and_filters = if c.cache_index_and_filter_blocks {
        0
    } else {
        (index + filter) as u64
    };
    let files = (data / c.target_file_size_base.bytes().max(MIB) as f64).ceil() as u64 + 4;
    MemoryEstimate {
        block_cache,
        memtables,
        index_and_filters,
        table_readers: files * TABLE_READER_BYTES,
        process: shape.process_bytes + DB_FIXED_BYTES,
    }
}

/// The most the SSTs hold over the live data under `c`'s compaction style when keys are
/// overwritten: level, one more level's worth (1 + 1/multiplier); universal, its
/// `max_size_amplification_percent` (measured: a universal finalist at 200% held 2.5-3x the
/// live SST data in its block cache); FIFO, none beyond the data.
fn space_amplification(c: &EngineConfig) -> f64 {
    match c.compaction_style {
        CompactionStyle::Level => 1.0 + 1.0 / c.max_bytes_for_level_multiplier.max(1.0),
        CompactionStyle::Universal => {
            1.0 + f64::from(c.universal_max_size_amplification_percent) / 100.0
        }
        CompactionStyle::Fifo => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_counts_more_than_cache_and_memtables() {
        let shape = Shape {
            keys: 1_000_000,
            key_size: 24.0,
            value_size: 1140.0,
            max_value_size: 1140,
            families: 0,
            process_bytes: 20 * MIB,
        };
        let mut c = EngineConfig::default();
        c.set("block_cache_size", "512MiB").unwrap();
        c.set("bloom_bits_per_key", "10").unwrap();
        let m = predict(&c, &shape);
        // A full cache (the data, 1.2 GB, is larger than it) plus 10% slack.
        assert_eq!(m.block_cache, (512.0 * MIB as f64 * 1.1) as u64);
        assert_eq!(m.memtables, 64 * MIB * 2);
        // 10 bits a key: 1.25 MB of filters; 4 KiB blocks: ~290K index entries of 34 bytes;
        // both over the live data and a tenth more (level compaction's old versions).
        let filter = 1_100_000.0 * 10.0 / 8.0;
        let index = 1_100_000.0 * (24.0 + 1140.0 + 12.0) / 4096.0 * 34.0;
        assert_eq!(m.index_and_filters, (index + filter) as u64);
        assert!(m.total() > c.configured_memory() + 10 * MIB);
        // In the cache, index and filters cost nothing beyond it; a small DB does not fill
        // a large cache.
        c.cache_index_and_filter_blocks = true;
        assert_eq!(predict(&c, &shape).index_and_filters, 0);
        let small = Shape {
            keys: 1000,
            ..shape
        };
        assert!(predict(&c, &small).block_cache < 2 * MIB);
        // Values in blob files leave small entries in the SSTs: fewer blocks to index.
        c.cache_index_and_filter_blocks = false;
        c.enable_blob_files = true;
        assert!(predict(&c, &shape).index_and_filters < m.index_and_filters / 4);
        // Universal compaction at 200% size amplification: up to 3x the live SST data
        // cached (here blob indexes, 1M x 56 bytes live).
        c.block_cache_size = crate::engine::size::Size(768 * MIB);
        let level = predict(&c, &shape).block_cache;
        c.compaction_style = CompactionStyle::Universal;
        let universal = predict(&c, &shape).block_cache;
        assert!((universal as f64 / level as f64 - 3.0 / 1.1).abs() < 1e-6);
    }
}
