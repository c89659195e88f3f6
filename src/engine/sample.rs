//! The engine state read once per second while a phase runs: a handful of property reads
//! and tickers, plus the process RSS.

use super::Engine;
use rocksdb::statistics::Ticker;

/// Write-stall causes counted by `rocksdb.cf-write-stall-stats` and
/// `rocksdb.db-write-stall-stats` (each count is a stall condition RocksDB applied).
pub const STALL_CAUSES: [&str; 7] = [
    "memtable-limit-delays",
    "memtable-limit-stops",
    "l0-file-count-limit-delays",
    "l0-file-count-limit-stops",
    "pending-compaction-bytes-delays",
    "pending-compaction-bytes-stops",
    "write-buffer-manager-limit-stops",
];

/// Cumulative write-stall counts, in [`STALL_CAUSES`] order.
pub type StallCounts = [u64; STALL_CAUSES.len()];

/// Parses RocksDB's "Write Stall (count): name: n, name: n" text into `counts`.
pub fn parse_stall_counts(text: &str, counts: &mut StallCounts) {
    let body = text.split_once("):").map_or(text, |(_, b)| b);
    for item in body.split(',') {
        if let Some((name, n)) = item.split_once(':') {
            if let Some(i) = STALL_CAUSES.iter().position(|c| *c == name.trim()) {
                counts[i] = n.trim().parse().unwrap_or(0);
            }
        }
    }
}

/// Engine state sampled by the collector at each interval boundary.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    pub stall_micros: u64,
    pub pending: u64,
    pub stopped: bool,
    /// The write controller is delaying writes (rocksdb.actual-delayed-write-rate > 0).
    pub delayed: bool,
    pub rss: u64,
    /// Block cache usage + memtables + table readers.
    pub rocksdb_mem: u64,
    pub memtable: u64,
    pub cache_hit: u64,
    pub cache_miss: u64,
    pub running_compactions: u64,
    pub running_flushes: u64,
    pub stall_counts: StallCounts,
    /// This process's I/O counters (/proc/self/io), cumulative.
    pub io: Option<crate::sysmon::ProcIo>,
    /// The DB's block device counters (/proc/diskstats), cumulative; none without a device.
    pub disk: Option<crate::sysmon::DiskIo>,
}

impl Engine {
    /// Cumulative write-stall counts since open, every family and the DB-wide ones.
    pub fn stall_counts(&self) -> StallCounts {
        let mut stall_counts = StallCounts::default();
        for cf in &self.cfs() {
            let mut c = StallCounts::default();
            if let Some(t) = self.property_str_cf(*cf, "rocksdb.cf-write-stall-stats") {
                parse_stall_counts(&t, &mut c);
            }
            for (a, b) in stall_counts.iter_mut().zip(c) {
                *a += b;
            }
        }
        if let Some(t) = self.property_str("rocksdb.db-write-stall-stats") {
            parse_stall_counts(&t, &mut stall_counts);
        }
        stall_counts
    }

    /// Reads the engine's state for one interval boundary (a handful of property reads).
    pub fn sample(&self) -> Sample {
        let engine = self;
        let p = |name: &str| engine.property_int(name).unwrap_or(0);
        let cfs = engine.cfs();
        // Per-family properties summed over the families (one, usually); each block cache once.
        let per_cf = |name: &str| -> u64 {
            cfs.iter()
                .map(|cf| engine.property_int_cf(*cf, name).unwrap_or(0))
                .sum()
        };
        let cache_usage: u64 = cfs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i == 0 || engine.has_own_cache(*i))
            .map(|(_, cf)| {
                engine
                    .property_int_cf(*cf, "rocksdb.block-cache-usage")
                    .unwrap_or(0)
            })
            .sum();
        let stall_counts = engine.stall_counts();
        let memtable = per_cf("rocksdb.cur-size-all-mem-tables");
        Sample {
            stall_micros: engine.ticker(Ticker::StallMicros),
            pending: per_cf("rocksdb.estimate-pending-compaction-bytes"),
            stopped: p("rocksdb.is-write-stopped") != 0,
            delayed: p("rocksdb.actual-delayed-write-rate") != 0,
            rss: crate::sysmon::rss_bytes(),
            rocksdb_mem: cache_usage + memtable + per_cf("rocksdb.estimate-table-readers-mem"),
            memtable,
            cache_hit: engine.ticker(Ticker::BlockCacheHit),
            cache_miss: engine.ticker(Ticker::BlockCacheMiss),
            running_compactions: p("rocksdb.num-running-compactions"),
            running_flushes: p("rocksdb.num-running-flushes"),
            stall_counts,
            io: crate::sysmon::ProcIo::read(),
            disk: engine.device().ok().and_then(crate::sysmon::DiskIo::read),
        }
    }
}
