//! Statistics: RocksDB properties (state now) plus tickers and histogram counts (cumulative
//! since the DB was opened), turned into the figures a tuner needs.

use super::config::NUM_LEVELS;
use super::Engine;
use crate::error::Result;
use rocksdb::statistics::{Histogram, Ticker};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Cumulative counters read from RocksDB statistics. Subtract two snapshots with
/// [`Counters::since`] to get what happened during a phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Counters {
    pub block_cache_hits: u64,
    pub block_cache_misses: u64,
    pub block_cache_data_hits: u64,
    pub block_cache_data_misses: u64,
    pub bloom_useful: u64,
    pub memtable_hits: u64,
    pub memtable_misses: u64,
    /// Time writers spent stalled (rocksdb.stall.micros), µs.
    pub stall_micros: u64,
    /// User bytes handed to Put/Delete/Write (rocksdb.bytes.written).
    pub user_bytes_written: u64,
    pub keys_written: u64,
    pub wal_bytes: u64,
    pub flush_bytes_written: u64,
    pub compaction_bytes_read: u64,
    pub compaction_bytes_written: u64,
    /// Completed compactions (count of rocksdb.compaction.times.micros).
    pub compactions: u64,
    /// Wall time spent in compactions, µs (sum of rocksdb.compaction.times.micros).
    pub compaction_micros: u64,
    /// CPU time spent in compactions, µs.
    pub compaction_cpu_micros: u64,
    /// Completed flushes (count of rocksdb.db.flush.micros).
    pub flushes: u64,
    /// Bytes read from and written to blob files (rocksdb.blobdb.blob.file.bytes.read and
    /// .written: flushes, compactions and, for reads, gets and iterators too).
    pub blob_file_bytes_read: u64,
    pub blob_file_bytes_written: u64,
    /// Write stall conditions RocksDB applied: the delays and stops of
    /// rocksdb.cf-write-stall-stats (every family) and rocksdb.db-write-stall-stats, summed.
    pub write_stalls: u64,
    /// Value bytes returned by Get, MultiGet and iterators (rocksdb.bytes.read,
    /// rocksdb.number.multiget.bytes.read, rocksdb.db.iter.bytes.read).
    pub get_bytes_read: u64,
    pub multiget_bytes_read: u64,
    pub iter_bytes_read: u64,
    /// Bytes and reads of SST files through RocksDB's file reader, gets, iterators and
    /// compaction inputs alike (rocksdb.last.level.read.* + rocksdb.non.last.level.read.*).
    pub sst_read_bytes: u64,
    pub sst_reads: u64,
}

impl Counters {
    /// Reads every counter from the engine's statistics object (all 0 when statistics are off).
    pub fn read(engine: &Engine) -> Counters {
        let o = engine.options();
        let t = |x: Ticker| o.get_ticker_count(x);
        let comp = o.get_histogram_data(Histogram::CompactionTime);
        let comp_cpu = o.get_histogram_data(Histogram::CompactionCpuTime);
        let flush = o.get_histogram_data(Histogram::FlushTime);
        Counters {
            block_cache_hits: t(Ticker::BlockCacheHit),
            block_cache_misses: t(Ticker::BlockCacheMiss),
            block_cache_data_hits: t(Ticker::BlockCacheDataHit),
            block_cache_data_misses: t(Ticker::BlockCacheDataMiss),
            bloom_useful: t(Ticker::BloomFilterUseful),
            memtable_hits: t(Ticker::MemtableHit),
            memtable_misses: t(Ticker::MemtableMiss),
            stall_micros: t(Ticker::StallMicros),
            user_bytes_written: t(Ticker::BytesWritten),
            keys_written: t(Ticker::NumberKeysWritten),
            wal_bytes: t(Ticker::WalFileBytes),
            flush_bytes_written: t(Ticker::FlushWriteBytes),
            compaction_bytes_read: t(Ticker::CompactReadBytes),
            compaction_bytes_written: t(Ticker::CompactWriteBytes),
            compactions: comp.count(),
            compaction_micros: comp.sum(),
            compaction_cpu_micros: comp_cpu.sum(),
            flushes: flush.count(),
            blob_file_bytes_read: t(Ticker::BlobDbBlobFileBytesRead),
            blob_file_bytes_written: t(Ticker::BlobDbBlobFileBytesWritten),
            write_stalls: engine.stall_counts().iter().sum(),
            get_bytes_read: t(Ticker::BytesRead),
            multiget_bytes_read: t(Ticker::NumberMultigetBytesRead),
            iter_bytes_read: t(Ticker::IterBytesRead),
            sst_read_bytes: t(Ticker::LastLevelReadBytes) + t(Ticker::NonLastLevelReadBytes),
            sst_reads: t(Ticker::LastLevelReadCount) + t(Ticker::NonLastLevelReadCount),
        }
    }

    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &Counters) -> Counters {
        macro_rules! d {
            ($($f:ident),*) => { Counters { $($f: self.$f.saturating_sub(earlier.$f)),* } };
        }
        d!(
            block_cache_hits,
            block_cache_misses,
            block_cache_data_hits,
            block_cache_data_misses,
            bloom_useful,
            memtable_hits,
            memtable_misses,
            stall_micros,
            user_bytes_written,
            keys_written,
            wal_bytes,
            flush_bytes_written,
            compaction_bytes_read,
            compaction_bytes_written,
            compactions,
            compaction_micros,
            compaction_cpu_micros,
            flushes,
            blob_file_bytes_read,
            blob_file_bytes_written,
            write_stalls,
            get_bytes_read,
            multiget_bytes_read,
            iter_bytes_read,
            sst_read_bytes,
            sst_reads
        )
    }

    /// Block cache hits / (hits + misses), over all block types; `None` when the cache was
    /// never consulted.
    pub fn cache_hit_rate(&self) -> Option<f64> {
        ratio(
            self.block_cache_hits,
            self.block_cache_hits + self.block_cache_misses,
        )
    }

    /// Bytes read from SST files for users (every SST read minus compaction's) per value
    /// byte returned by gets, multigets and iterators; `None` without user reads.
    pub fn read_amplification(&self) -> Option<f64> {
        ratio(
            self.sst_read_bytes
                .saturating_sub(self.compaction_bytes_read),
            self.get_bytes_read + self.multiget_bytes_read + self.iter_bytes_read,
        )
    }

    /// (flush + compaction bytes written) / user bytes written; `None` without writes.
    pub fn write_amplification(&self) -> Option<f64> {
        ratio(
            self.flush_bytes_written + self.compaction_bytes_written,
            self.user_bytes_written,
        )
    }
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The DB's state (from properties and the file system) and its counters since open.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EngineStats {
    /// rocksdb.estimate-num-keys (an estimate: overwrites and deletes not yet compacted
    /// away are counted).
    pub estimated_keys: u64,
    /// rocksdb.live-sst-files-size: SST bytes of the current version.
    pub live_sst_bytes: u64,
    /// rocksdb.total-sst-files-size: SST bytes of all versions (includes obsolete files
    /// still referenced).
    pub total_sst_bytes: u64,
    /// Every file under the DB directory (SSTs, WAL, MANIFEST, LOG, OPTIONS).
    pub disk_bytes: u64,
    /// rocksdb.num-files-at-level<N>, N = 0..7.
    pub files_per_level: Vec<u64>,
    /// rocksdb.compression-ratio-at-level<N>: uncompressed / compressed data bytes, `None`
    /// for levels without files.
    pub compression_ratio_per_level: Vec<Option<f64>>,
    /// Raw (uncompressed) user key + value bytes stored in live SSTs, from
    /// rocksdb.aggregated-table-properties (internal 8-byte key tags excluded).
    pub sst_raw_bytes: u64,
    /// sst_raw_bytes / live_sst_bytes: user bytes per SST byte (index and filter blocks
    /// included). `None` until something has been flushed.
    pub compression_ratio: Option<f64>,
    /// rocksdb.cur-size-all-mem-tables.
    pub memtable_bytes: u64,
    /// rocksdb.block-cache-usage and -capacity.
    pub block_cache_usage: u64,
    pub block_cache_capacity: u64,
    /// rocksdb.estimate-table-readers-mem (index and filter blocks held outside the cache).
    pub table_readers_mem: u64,
    /// rocksdb.estimate-live-data-size: RocksDB's estimate of the SST bytes that hold live
    /// (not yet overwritten or deleted) data.
    #[serde(default)]
    pub live_data_bytes: u64,
    /// rocksdb.total-blob-file-size over the families: bytes in blob files.
    #[serde(default)]
    pub blob_file_bytes: u64,
    /// rocksdb.estimate-pending-compaction-bytes: compaction debt.
    pub pending_compaction_bytes: u64,
    pub running_compactions: u64,
    pub running_flushes: u64,
    /// rocksdb.is-write-stopped.
    pub write_stopped: bool,
    /// rocksdb.actual-delayed-write-rate, bytes/s; 0 when writes are not being delayed.
    pub delayed_write_rate: u64,
    /// Cumulative since open.
    pub counters: Counters,
    /// counters.cache_hit_rate().
    pub cache_hit_rate: Option<f64>,
    /// counters.write_amplification().
    pub write_amplification: Option<f64>,
    /// Per column family, when there is more than `default` (the figures above sum them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub families: Vec<FamilyStats>,
}

/// Sums the sizes of every file below `dir` (0 for a missing directory).
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            Ok(_) => e.metadata().map(|m| m.len()).unwrap_or(0),
            Err(_) => 0,
        })
        .sum()
}

/// Reads `key=value` numbers out of rocksdb.aggregated-table-properties.
fn table_property(text: &str, key: &str) -> Option<u64> {
    text.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        (k.trim() == key).then(|| v.trim().parse().ok()).flatten()
    })
}

/// One column family's state, from its own properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FamilyStats {
    pub name: String,
    pub estimated_keys: u64,
    pub live_sst_bytes: u64,
    pub total_sst_bytes: u64,
    pub files_per_level: Vec<u64>,
    pub compression_ratio_per_level: Vec<Option<f64>>,
    pub sst_raw_bytes: u64,
    pub compression_ratio: Option<f64>,
    pub memtable_bytes: u64,
    pub pending_compaction_bytes: u64,
    pub table_readers_mem: u64,
    #[serde(default)]
    pub live_data_bytes: u64,
    /// rocksdb.total-blob-file-size: bytes of the family's blob files.
    #[serde(default)]
    pub blob_file_bytes: u64,
    /// The family's block cache, when it has one of its own (else the DB's, shared).
    pub own_block_cache: bool,
    pub block_cache_usage: u64,
    pub block_cache_capacity: u64,
}

/// One family's properties.
fn family(engine: &Engine, i: usize) -> FamilyStats {
    let cf = engine.cf(i);
    let p = |name: &str| engine.property_int_cf(cf, name).unwrap_or(0);
    let live_sst_bytes = p("rocksdb.live-sst-files-size");
    let agg = engine
        .property_str_cf(cf, "rocksdb.aggregated-table-properties")
        .unwrap_or_default();
    // "raw key size" counts internal keys: the user key plus an 8-byte sequence/type tag.
    let entries = table_property(&agg, "# entries").unwrap_or(0);
    let sst_raw_bytes = table_property(&agg, "raw key size")
        .unwrap_or(0)
        .saturating_sub(8 * entries)
        + table_property(&agg, "raw value size").unwrap_or(0);
    FamilyStats {
        name: engine.families()[i].clone(),
        estimated_keys: p("rocksdb.estimate-num-keys"),
        live_sst_bytes,
        total_sst_bytes: p("rocksdb.total-sst-files-size"),
        files_per_level: (0..NUM_LEVELS)
            .map(|l| p(&format!("rocksdb.num-files-at-level{l}")))
            .collect(),
        compression_ratio_per_level: (0..NUM_LEVELS)
            .map(|l| {
                engine
                    .property_str_cf(cf, &format!("rocksdb.compression-ratio-at-level{l}"))
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .filter(|r| *r > 0.0)
            })
            .collect(),
        sst_raw_bytes,
        compression_ratio: (live_sst_bytes > 0 && sst_raw_bytes > 0)
            .then(|| sst_raw_bytes as f64 / live_sst_bytes as f64),
        memtable_bytes: p("rocksdb.cur-size-all-mem-tables"),
        pending_compaction_bytes: p("rocksdb.estimate-pending-compaction-bytes"),
        table_readers_mem: p("rocksdb.estimate-table-readers-mem"),
        live_data_bytes: p("rocksdb.estimate-live-data-size"),
        blob_file_bytes: p("rocksdb.total-blob-file-size"),
        own_block_cache: engine.has_own_cache(i),
        block_cache_usage: p("rocksdb.block-cache-usage"),
        block_cache_capacity: p("rocksdb.block-cache-capacity"),
    }
}

/// Every column family's state, `default` first.
pub fn families(engine: &Engine) -> Vec<FamilyStats> {
    (0..engine.families().len())
        .map(|i| family(engine, i))
        .collect()
}

/// Per family and, summed over families (each block cache counted once), for the DB.
pub(crate) fn collect(engine: &Engine) -> Result<EngineStats> {
    let fams = families(engine);
    let sum = |f: fn(&FamilyStats) -> u64| fams.iter().map(f).sum::<u64>();
    let caches = fams
        .iter()
        .enumerate()
        .filter(|(i, f)| *i == 0 || f.own_block_cache);
    let (cache_usage, cache_capacity) = caches.fold((0, 0), |(u, c), (_, f)| {
        (u + f.block_cache_usage, c + f.block_cache_capacity)
    });
    let live_sst_bytes = sum(|f| f.live_sst_bytes);
    let sst_raw_bytes = sum(|f| f.sst_raw_bytes);
    let counters = Counters::read(engine);
    let p = |name: &str| engine.property_int(name).unwrap_or(0);
    Ok(EngineStats {
        estimated_keys: sum(|f| f.estimated_keys),
        live_sst_bytes,
        total_sst_bytes: sum(|f| f.total_sst_bytes),
        disk_bytes: dir_size(engine.path()),
        files_per_level: (0..NUM_LEVELS)
            .map(|l| fams.iter().map(|f| f.files_per_level[l]).sum())
            .collect(),
        // Per level over every family: the level's data blocks are what the ratio weighs; a
        // single family's ratio is exact, several families' is the family-weighted mean.
        compression_ratio_per_level: (0..NUM_LEVELS)
            .map(|l| {
                let rs: Vec<f64> = fams
                    .iter()
                    .filter_map(|f| f.compression_ratio_per_level[l])
                    .collect();
                (!rs.is_empty()).then(|| rs.iter().sum::<f64>() / rs.len() as f64)
            })
            .collect(),
        sst_raw_bytes,
        compression_ratio: (live_sst_bytes > 0 && sst_raw_bytes > 0)
            .then(|| sst_raw_bytes as f64 / live_sst_bytes as f64),
        memtable_bytes: sum(|f| f.memtable_bytes),
        block_cache_usage: cache_usage,
        block_cache_capacity: cache_capacity,
        table_readers_mem: sum(|f| f.table_readers_mem),
        live_data_bytes: sum(|f| f.live_data_bytes),
        blob_file_bytes: sum(|f| f.blob_file_bytes),
        pending_compaction_bytes: sum(|f| f.pending_compaction_bytes),
        running_compactions: p("rocksdb.num-running-compactions"),
        running_flushes: p("rocksdb.num-running-flushes"),
        write_stopped: p("rocksdb.is-write-stopped") != 0,
        delayed_write_rate: p("rocksdb.actual-delayed-write-rate"),
        cache_hit_rate: counters.cache_hit_rate(),
        write_amplification: counters.write_amplification(),
        counters,
        families: if fams.len() > 1 { fams } else { Vec::new() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aggregated_properties() {
        let t = "# data blocks=12; # entries=1000; raw key size=16000; raw average key size=16.000000; raw value size=100000; data block size=60000";
        assert_eq!(table_property(t, "raw key size"), Some(16000));
        assert_eq!(table_property(t, "raw value size"), Some(100000));
        assert_eq!(table_property(t, "# entries"), Some(1000));
        assert_eq!(table_property(t, "missing"), None);
    }

    #[test]
    fn counter_deltas_and_ratios() {
        let a = Counters {
            block_cache_hits: 10,
            block_cache_misses: 10,
            user_bytes_written: 100,
            flush_bytes_written: 50,
            ..Default::default()
        };
        let b = Counters {
            block_cache_hits: 40,
            block_cache_misses: 20,
            user_bytes_written: 300,
            flush_bytes_written: 250,
            compaction_bytes_written: 100,
            ..Default::default()
        };
        let d = b.since(&a);
        assert_eq!(d.block_cache_hits, 30);
        assert_eq!(d.cache_hit_rate(), Some(0.75));
        assert_eq!(d.write_amplification(), Some(1.5));
        assert_eq!(Counters::default().cache_hit_rate(), None);
        assert_eq!(
            a.since(&b).block_cache_hits,
            0,
            "saturates instead of wrapping"
        );
    }
}
