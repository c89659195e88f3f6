//! What to ask RocksDB: db_bench-compatible workloads, their keys and values.

pub mod keys;
pub mod spec;
pub mod ycsb;

pub use spec::{BatchMode, KeyGroup, PhaseSpec};

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
}

impl OpKind {
    pub const COUNT: usize = 9;
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
    /// YCSB load phase: insert recordcount records.
    #[serde(rename = "ycsb-load")]
    YcsbLoad,
    /// YCSB run phase: operationcount operations of the workload's mix.
    #[serde(rename = "ycsb-run")]
    YcsbRun,
}

impl Workload {
    pub const ALL: [Workload; 14] = [
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
            Workload::SeekRandom => "seek to a random key, then seek_nexts iterator steps",
            Workload::ReadRandomWriteRandom => "random gets and puts, read_percent% reads",
            Workload::ReadWhileWriting => "threads readers get random keys while one writer puts",
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
                | Workload::YcsbLoad
        )
    }

    /// Whether the workload writes (so it is billed compaction debt and write stats).
    pub fn writes(self) -> bool {
        self.is_fill()
            || matches!(
                self,
                Workload::ReadRandomWriteRandom
                    | Workload::ReadWhileWriting
                    | Workload::YcsbLoad
                    | Workload::YcsbRun
            )
    }

    /// Whether the workload reads (db_bench's `--reads` sets its op count).
    pub fn reads(self) -> bool {
        !self.is_fill()
    }

    /// The op kinds whose counts make the phase's headline throughput. For
    /// readwhilewriting that is the readers only (the writer is reported beside it).
    pub fn headline(self, kind: OpKind) -> bool {
        match self {
            Workload::ReadWhileWriting => kind == OpKind::Read,
            _ => true,
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
