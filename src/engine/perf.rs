//! RocksDB's PerfContext around one operation: the per-thread counters and timers that say
//! where a get or a write spent its time. Only sampled operations touch it (`--perf-sample`);
//! the perf level is raised for the sampled op and dropped right after, so every other op
//! runs at RocksDB's default level (counters and timers off).

use rocksdb::perf::{set_perf_stats, PerfContext, PerfMetric, PerfStatsLevel};

/// RocksDB 11's `kEnableTimeExceptForMutex` is 4: RocksDB 8 inserted `kEnableWait = 3`, and
/// the crate's enum (0.25) still numbers the levels as before, so its
/// `EnableTimeExceptForMutex` (3) would only turn on the wait timers. The variant whose
/// value is 4 is passed instead; `tests/engine.rs` checks that the timers then run.
const TIME_EXCEPT_FOR_MUTEX: PerfStatsLevel = PerfStatsLevel::EnableTimeAndCPUTimeExceptForMutex;
const _: () = assert!(TIME_EXCEPT_FOR_MUTEX as i32 == 4);

/// Number of PerfContext figures kept per sampled op.
pub const PERF_FIELDS: usize = 31;

/// The PerfContext figures kept, by their PerfContext names (`_time`/`_nanos` are ns).
pub const PERF_METRICS: [(&str, PerfMetric); PERF_FIELDS] = [
    (
        "user_key_comparison_count",
        PerfMetric::UserKeyComparisonCount,
    ),
    ("block_cache_hit_count", PerfMetric::BlockCacheHitCount),
    ("block_read_count", PerfMetric::BlockReadCount),
    ("block_read_byte", PerfMetric::BlockReadByte),
    ("block_read_time", PerfMetric::BlockReadTime),
    ("block_checksum_time", PerfMetric::BlockChecksumTime),
    ("block_decompress_time", PerfMetric::BlockDecompressTime),
    ("get_read_bytes", PerfMetric::GetReadBytes),
    ("multiget_read_bytes", PerfMetric::MultigetReadBytes),
    ("iter_read_bytes", PerfMetric::IterReadBytes),
    (
        "internal_key_skipped_count",
        PerfMetric::InternalKeySkippedCount,
    ),
    (
        "internal_delete_skipped_count",
        PerfMetric::InternalDeleteSkippedCount,
    ),
    ("get_snapshot_time", PerfMetric::GetSnapshotTime),
    ("get_from_memtable_time", PerfMetric::GetFromMemtableTime),
    ("get_from_memtable_count", PerfMetric::GetFromMemtableCount),
    ("get_post_process_time", PerfMetric::GetPostProcessTime),
    (
        "get_from_output_files_time",
        PerfMetric::GetFromOutputFilesTime,
    ),
    ("seek_on_memtable_time", PerfMetric::SeekOnMemtableTime),
    ("seek_child_seek_time", PerfMetric::SeekChildSeekTime),
    ("seek_internal_seek_time", PerfMetric::SeekInternalSeekTime),
    (
        "find_next_user_entry_time",
        PerfMetric::FindNextUserEntryTime,
    ),
    ("write_wal_time", PerfMetric::WriteWalTime),
    ("write_memtable_time", PerfMetric::WriteMemtableTime),
    ("write_delay_time", PerfMetric::WriteDelayTime),
    (
        "write_pre_and_post_process_time",
        PerfMetric::WritePreAndPostProcessTime,
    ),
    ("read_index_block_nanos", PerfMetric::ReadIndexBlockNanos),
    ("read_filter_block_nanos", PerfMetric::ReadFilterBlockNanos),
    ("find_table_nanos", PerfMetric::FindTableNanos),
    (
        "bloom_memtable_miss_count",
        PerfMetric::BloomMemtableMissCount,
    ),
    ("bloom_sst_hit_count", PerfMetric::BloomSstHitCount),
    ("bloom_sst_miss_count", PerfMetric::BloomSstMissCount),
];

/// The figures of one or more sampled ops, summed, in [`PERF_METRICS`] order.
pub type PerfSums = [u64; PERF_FIELDS];

/// One worker thread's handle on its PerfContext.
pub struct PerfProbe {
    ctx: PerfContext,
}

impl PerfProbe {
    /// The calling thread's PerfContext (each thread has its own; create it on the thread
    /// that runs the ops).
    pub fn new() -> Self {
        PerfProbe {
            ctx: PerfContext::default(),
        }
    }

    /// Starts measuring the next op on this thread: counters and timers except mutexes
    /// (RocksDB's `kEnableTimeExceptForMutex`), from zero.
    #[cold]
    pub fn begin(&mut self) {
        set_perf_stats(TIME_EXCEPT_FOR_MUTEX);
        self.ctx.reset();
    }

    /// Adds what the op since [`begin`](Self::begin) did to `sums` and turns measuring off.
    #[cold]
    pub fn end(&mut self, sums: &mut PerfSums) {
        set_perf_stats(PerfStatsLevel::Disable);
        for (s, (_, m)) in sums.iter_mut().zip(PERF_METRICS.iter()) {
            *s += self.ctx.metric(*m);
        }
    }
}

impl Default for PerfProbe {
    fn default() -> Self {
        Self::new()
    }
}
