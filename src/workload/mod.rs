//! What to ask RocksDB: db_bench-compatible workloads, their keys and values.

pub mod keys;
pub mod mixgraph;
pub mod spec;
pub mod ycsb;

pub use spec::{BatchMode, KeyGroup, PhaseSpec, ValueSizeDistribution};

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kinds of operation rdbtune times. Each gets its own latency histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// A single Put.
    Write,
    /// A WriteBatch of `batch_size` puts; one latency sample per batch.
    BatchWrite,
    /// A point Get of a key that may exist.
    Read,
    /// An iterator step in key order.
    Next,
    /// Seek to a random key, then `seek_nexts` steps.
    Seek,
    /// YCSB update (read the record, change fields, write it back).
    Update,
    /// YCSB insert of a new record.
    Insert,
    /// YCSB scan: seek, then up to maxscanlength records.
    Scan,
    /// YCSB read-modify-write (its read and update are also reported under read and update).
    ReadModifyWrite,
    /// A delete (or a WriteBatch of `batch_size` deletes).
    Delete,
    /// A Merge through the config's merge operator.
    Merge,
    /// A MultiGet of `batch_size` keys; one latency sample per call.
    #[serde(rename = "multiget")]
    MultiGet,
    /// An iterator step in reverse key order.
    Prev,
    /// A phase step: flush, full compaction, wait for compactions.
    Step,
    /// YCSB dataintegrity: a read's values checked against their deterministic values
    /// (measured apart from the read, as upstream's `[VERIFY]`).
    Verify,
}

impl OpKind {
    pub const COUNT: usize = 15;
    pub const ALL: [OpKind; OpKind::COUNT] = [
        OpKind::Write,
        OpKind::BatchWrite,
        OpKind::Read,
        OpKind::Next,
        OpKind::Seek,
        OpKind::Update,
        OpKind::Insert,
        OpKind::Scan,
        OpKind::ReadModifyWrite,
        OpKind::Delete,
        OpKind::Merge,
        OpKind::MultiGet,
        OpKind::Prev,
        OpKind::Step,
        OpKind::Verify,
    ];

    #[inline(always)]
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            OpKind::Write => "write",
            OpKind::BatchWrite => "batch_write",
            OpKind::Read => "read",
            OpKind::Next => "next",
            OpKind::Seek => "seek",
            OpKind::Update => "update",
            OpKind::Insert => "insert",
            OpKind::Scan => "scan",
            OpKind::ReadModifyWrite => "read_modify_write",
            OpKind::Delete => "delete",
            OpKind::Merge => "merge",
            OpKind::MultiGet => "multiget",
            OpKind::Prev => "prev",
            OpKind::Step => "step",
            OpKind::Verify => "verify",
        }
    }
}

impl OpKind {
    /// The label YCSB prints for this operation (`[READ]`, `[READ-MODIFY-WRITE]`, ...).
    pub fn ycsb_label(self) -> &'static str {
        match self {
            OpKind::Write => "WRITE",
            OpKind::BatchWrite => "BATCH-WRITE",
            OpKind::Read => "READ",
            OpKind::Next => "NEXT",
            OpKind::Seek => "SEEK",
            OpKind::Update => "UPDATE",
            OpKind::Insert => "INSERT",
            OpKind::Scan => "SCAN",
            OpKind::ReadModifyWrite => "READ-MODIFY-WRITE",
            OpKind::Delete => "DELETE",
            OpKind::Merge => "MERGE",
            OpKind::MultiGet => "MULTIGET",
            OpKind::Prev => "PREV",
            OpKind::Step => "STEP",
            OpKind::Verify => "VERIFY",
        }
    }
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// db_bench-style workloads. Names and meanings follow db_bench where it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    FillSeq,
    FillRandom,
    FillUniqueRandom,
    Overwrite,
    FillBatch,
    ReadSeq,
    ReadRandom,
    ReadMissing,
    ReadHot,
    SeekRandom,
    ReadRandomWriteRandom,
    ReadWhileWriting,
    DeleteSeq,
    DeleteRandom,
    FillSync,
    UpdateRandom,
    MergeRandom,
    ReadRandomMergeRandom,
    ReadWhileMerging,
    MultiReadRandom,
    ReadReverse,
    /// benchmark.sh's names for seekrandom with 10 nexts / prevs.
    FwdRange,
    RevRange,
    SeekRandomWhileWriting,
    FwdRangeWhileWriting,
    RevRangeWhileWriting,
    /// db_bench's mixgraph: the FAST '20 model of gets, puts and seeks.
    MixGraph,
    /// Steps: flush the memtables, compact the whole key space, wait for compactions.
    Flush,
    Compact,
    WaitForCompaction,
    /// YCSB load phase: insert recordcount records.
    #[serde(rename = "ycsb-load")]
    YcsbLoad,
    /// YCSB run phase: operationcount operations of the workload's mix.
    #[serde(rename = "ycsb-run")]
    YcsbRun,
}

impl Workload {
    pub const ALL: [Workload; 32] = [
        Workload::FillSeq,
        Workload::FillRandom,
        Workload::FillUniqueRandom,
        Workload::Overwrite,
        Workload::FillBatch,
        Workload::ReadSeq,
        Workload::ReadRandom,
        Workload::ReadMissing,
        Workload::ReadHot,
        Workload::SeekRandom,
        Workload::ReadRandomWriteRandom,
        Workload::ReadWhileWriting,
        Workload::DeleteSeq,
        Workload::DeleteRandom,
        Workload::FillSync,
        Workload::UpdateRandom,
        Workload::MergeRandom,
        Workload::ReadRandomMergeRandom,
        Workload::ReadWhileMerging,
        Workload::MultiReadRandom,
        Workload::ReadReverse,
        Workload::FwdRange,
        Workload::RevRange,
        Workload::SeekRandomWhileWriting,
        Workload::FwdRangeWhileWriting,
        Workload::RevRangeWhileWriting,
        Workload::MixGraph,
        Workload::Flush,
        Workload::Compact,
        Workload::WaitForCompaction,
        Workload::YcsbLoad,
        Workload::YcsbRun,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::FillSeq => "fillseq",
            Workload::FillRandom => "fillrandom",
            Workload::FillUniqueRandom => "filluniquerandom",
            Workload::Overwrite => "overwrite",
            Workload::FillBatch => "fillbatch",
            Workload::ReadSeq => "readseq",
            Workload::ReadRandom => "readrandom",
            Workload::ReadMissing => "readmissing",
            Workload::ReadHot => "readhot",
            Workload::SeekRandom => "seekrandom",
            Workload::ReadRandomWriteRandom => "readrandomwriterandom",
            Workload::ReadWhileWriting => "readwhilewriting",
            Workload::DeleteSeq => "deleteseq",
            Workload::DeleteRandom => "deleterandom",
            Workload::FillSync => "fillsync",
            Workload::UpdateRandom => "updaterandom",
            Workload::MergeRandom => "mergerandom",
            Workload::ReadRandomMergeRandom => "readrandommergerandom",
            Workload::ReadWhileMerging => "readwhilemerging",
            Workload::MultiReadRandom => "multireadrandom",
            Workload::ReadReverse => "readreverse",
            Workload::FwdRange => "fwdrange",
            Workload::RevRange => "revrange",
            Workload::SeekRandomWhileWriting => "seekrandomwhilewriting",
            Workload::FwdRangeWhileWriting => "fwdrangewhilewriting",
            Workload::RevRangeWhileWriting => "revrangewhilewriting",
            Workload::MixGraph => "mixgraph",
            Workload::Flush => "flush",
            Workload::Compact => "compact",
            Workload::WaitForCompaction => "waitforcompaction",
            Workload::YcsbLoad => "ycsb-load",
            Workload::YcsbRun => "ycsb-run",
        }
    }

    /// One line for `--help` and `bench --list`.
    pub fn description(self) -> &'static str {
        match self {
            Workload::FillSeq => "write num keys in key order (threads split the range)",
            Workload::FillRandom => "write num keys drawn uniformly from [0, num), repeats allowed",
            Workload::FillUniqueRandom => "write each of num keys exactly once, in random order",
            Workload::Overwrite => "overwrite random existing keys (run after a fill)",
            Workload::FillBatch => "write keys in order, batch_size per WriteBatch (default 1000)",
            Workload::ReadSeq => "iterate the DB in key order, one op per entry",
            Workload::ReadRandom => "get random keys from [0, num)",
            Workload::ReadMissing => "get keys that do not exist (key + '.')",
            Workload::ReadHot => "get random keys from the hottest 1% of the key space",
            Workload::SeekRandom => "a new iterator per op: seek to a random key, then seek_nexts steps (found: the key itself)",
            Workload::ReadRandomWriteRandom => "random gets and puts, read_percent% reads",
            Workload::ReadWhileWriting => "threads readers get random keys while one writer puts",
            Workload::DeleteSeq => "delete keys in key order (threads split the range), batch_size per WriteBatch",
            Workload::DeleteRandom => "delete random keys from [0, num), batch_size per WriteBatch",
            Workload::FillSync => "random puts with sync = true; ops default num/1000, keys in [0, num/1000)",
            Workload::UpdateRandom => "read-modify-write: get a random key, then put a new value",
            Workload::MergeRandom => "merge a value into random keys (needs merge_operator)",
            Workload::ReadRandomMergeRandom => "random merges (merge_percent%) and gets (needs merge_operator)",
            Workload::ReadWhileMerging => "threads readers get random keys while one writer merges",
            Workload::MultiReadRandom => "MultiGet of batch_size random keys per call (ops count keys)",
            Workload::ReadReverse => "iterate the DB in reverse key order, one op per entry",
            Workload::FwdRange => "benchmark.sh's fwdrange: seekrandom with seek_nexts (default 10) nexts",
            Workload::RevRange => "benchmark.sh's revrange: seekrandom with seek_nexts (default 10) prevs",
            Workload::SeekRandomWhileWriting => "seekrandom readers while one writer puts",
            Workload::FwdRangeWhileWriting => "fwdrange readers while one writer puts",
            Workload::RevRangeWhileWriting => "revrange readers while one writer puts",
            Workload::MixGraph => "db_bench's mixgraph: gets, puts and seeks of the FAST '20 model (--mix-*, --key*-dist-*, --value-*, --iter-*, --sine-*)",
            Workload::Flush => "step: flush every family's memtables (one op, its duration)",
            Workload::Compact => "step: compact every family's whole key range (one op)",
            Workload::WaitForCompaction => "step: flush and wait until no compaction is pending (one op)",
            Workload::YcsbLoad => "YCSB load: insert the records (see rdbtune ycsb --help)",
            Workload::YcsbRun => "YCSB run: the workload's operation mix (see rdbtune ycsb --help)",
        }
    }

    /// Whether the workload only writes (a fill or overwrite).
    pub fn is_fill(self) -> bool {
        matches!(
            self,
            Workload::FillSeq
                | Workload::FillRandom
                | Workload::FillUniqueRandom
                | Workload::Overwrite
                | Workload::FillBatch
                | Workload::FillSync
                | Workload::DeleteSeq
                | Workload::DeleteRandom
                | Workload::MergeRandom
                | Workload::YcsbLoad
        )
    }

    /// Seek workloads: a new iterator per op, a seek, then `seek_nexts` steps.
    pub fn seeks(self) -> bool {
        matches!(
            self,
            Workload::SeekRandom
                | Workload::FwdRange
                | Workload::RevRange
                | Workload::SeekRandomWhileWriting
                | Workload::FwdRangeWhileWriting
                | Workload::RevRangeWhileWriting
        )
    }

    /// Seek workloads that step backwards (db_bench's `--reverse_iterator`).
    pub fn reverse(self) -> bool {
        matches!(self, Workload::RevRange | Workload::RevRangeWhileWriting)
    }

    /// Readers with one more thread writing beside them (db_bench's BGWriter): what it does.
    pub fn background_writer(self) -> Option<OpKind> {
        match self {
            Workload::ReadWhileWriting
            | Workload::SeekRandomWhileWriting
            | Workload::FwdRangeWhileWriting
            | Workload::RevRangeWhileWriting => Some(OpKind::Write),
            Workload::ReadWhileMerging => Some(OpKind::Merge),
            _ => None,
        }
    }

    /// Flush, compact, wait for compaction: one op on one thread.
    pub fn is_step(self) -> bool {
        matches!(
            self,
            Workload::Flush | Workload::Compact | Workload::WaitForCompaction
        )
    }

    /// Whether the workload merges (it needs a merge operator).
    pub fn merges(self) -> bool {
        matches!(
            self,
            Workload::MergeRandom | Workload::ReadRandomMergeRandom | Workload::ReadWhileMerging
        )
    }

    /// Whether the workload writes (so it is billed compaction debt and write stats).
    pub fn writes(self) -> bool {
        self.is_fill()
            || matches!(
                self,
                Workload::ReadRandomWriteRandom
                    | Workload::ReadWhileWriting
                    | Workload::UpdateRandom
                    | Workload::ReadRandomMergeRandom
                    | Workload::ReadWhileMerging
                    | Workload::SeekRandomWhileWriting
                    | Workload::FwdRangeWhileWriting
                    | Workload::RevRangeWhileWriting
                    | Workload::MixGraph
                    | Workload::Compact
                    | Workload::Flush
                    | Workload::YcsbLoad
                    | Workload::YcsbRun
            )
    }

    /// Whether the workload reads (db_bench's `--reads` sets its op count).
    pub fn reads(self) -> bool {
        !self.is_fill() && !self.is_step()
    }

    /// The op kinds whose counts make the phase's headline throughput. For
    /// readwhilewriting that is the readers only (the writer is reported beside it).
    pub fn headline(self, kind: OpKind) -> bool {
        match self.background_writer() {
            Some(w) => kind != w,
            None => true,
        }
    }

    /// Parses a comma-separated list such as `fillrandom,readrandom`.
    pub fn parse_list(s: &str) -> Result<Vec<Workload>> {
        let list: Vec<Workload> = s
            .split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::parse)
            .collect::<Result<_>>()?;
        if list.is_empty() {
            return Err(Error::usage(
                "--workload is empty: name at least one workload, e.g. --workload fillrandom,readrandom",
            ));
        }
        Ok(list)
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Workload {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        Workload::ALL
            .into_iter()
            .find(|w| w.name() == t)
            .ok_or_else(|| {
                Error::usage(format!(
                    "unknown workload {s:?}; valid workloads: {}",
                    Workload::ALL.map(Workload::name).join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for w in Workload::ALL {
            assert_eq!(w.name().parse::<Workload>().unwrap(), w);
            let json = serde_json::to_string(&w).unwrap();
            assert_eq!(json, format!("\"{}\"", w.name()));
        }
        for (i, k) in OpKind::ALL.into_iter().enumerate() {
            assert_eq!(k.index(), i);
        }
    }

    #[test]
    fn list_parsing_names_the_bad_entry() {
        assert_eq!(
            Workload::parse_list("fillrandom, readrandom").unwrap(),
            vec![Workload::FillRandom, Workload::ReadRandom]
        );
        let e = Workload::parse_list("fillrandom,readrandon")
            .unwrap_err()
            .to_string();
        assert!(e.contains("readrandon") && e.contains("readrandom"), "{e}");
        assert!(Workload::parse_list(" , ").is_err());
    }
}
