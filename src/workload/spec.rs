//! What one phase asks: the workload, the key space, op counts or a duration, threads,
//! batches and value shape, checked before any thread starts.

use super::Workload;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// How write workloads build their WriteBatches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchMode {
    #[default]
    Presized,
    Default,
    Adaptive,
}

/// How value sizes are drawn (db_bench's `--value_size_distribution_type`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueSizeDistribution {
    /// Every value `value_size` bytes.
    #[default]
    Fixed,
    /// Uniform in `[value_size_min, value_size_max]`.
    Uniform,
    /// Normal with mean (min + max) / 2 and standard deviation (max - min) / 6, clamped to
    /// `[value_size_min, value_size_max]`.
    Normal,
}

impl std::str::FromStr for ValueSizeDistribution {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "fixed" => Ok(Self::Fixed),
            "uniform" => Ok(Self::Uniform),
            "normal" => Ok(Self::Normal),
            _ => Err(Error::usage(format!(
                "value size distribution {s:?}: use fixed, uniform or normal"
            ))),
        }
    }
}

impl ValueSizeDistribution {
    pub fn name(self) -> &'static str {
        match self {
            Self::Fixed => "fixed",
            Self::Uniform => "uniform",
            Self::Normal => "normal",
        }
    }
}

/// Everything one phase needs to know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseSpec {
    pub workload: Workload,
    /// Size of the key space: keys are numbered 0..num.
    pub num: u64,
    /// Operations to run (keys for writes; a batch of b keys counts b). Default: num.
    pub ops: Option<u64>,
    /// Run for this long instead (or stop at whichever of ops and duration comes first).
    pub duration_s: Option<f64>,
    /// Worker threads (for readwhilewriting: readers; one writer runs beside them).
    pub threads: usize,
    /// Keys per WriteBatch for write workloads; 1 writes single puts. With
    /// `batch_mode = adaptive` this is the largest batch the sizer may choose.
    pub batch_size: usize,
    /// How batches are built: `presized` (buffer sized exactly up front), `default`
    /// (RocksDB's default buffer, grown while filling) or `adaptive` (AdaptiveBatcher).
    #[serde(default)]
    pub batch_mode: BatchMode,
    pub key_size: usize,
    pub value_size: usize,
    /// Fraction of each value that is random (db_bench --compression_ratio).
    pub compressibility: f64,
    /// How value sizes are drawn; `value_size` is the size under `fixed`.
    #[serde(default)]
    pub value_size_distribution: ValueSizeDistribution,
    /// Bounds of `uniform` and `normal` value sizes (db_bench's defaults: 100 and 102400).
    #[serde(default = "default_value_size_min")]
    pub value_size_min: usize,
    #[serde(default = "default_value_size_max")]
    pub value_size_max: usize,
    /// readrandom and multireadrandom: skew of the keys read, db_bench's
    /// `--read_random_exp_range` (0: uniform; larger: hotter, the key is
    /// `exp(-U * range) * num` scrambled).
    #[serde(default)]
    pub read_random_exp_range: f64,
    /// readrandomwriterandom: percentage of reads.
    pub read_percent: u32,
    /// Seek workloads: iterator steps after each seek (db_bench's --seek_nexts; 10 for
    /// fwdrange and revrange, as benchmark.sh runs them).
    pub seek_nexts: usize,
    /// readrandommergerandom: percentage of ops that are merges (db_bench's
    /// --mergereadpercent, 70).
    #[serde(default = "default_merge_percent")]
    pub merge_percent: u32,
    /// Seconds run before measuring (same workload, results discarded).
    pub warmup_s: f64,
    pub seed: u64,
    /// Target throughput over all threads (ops/s): each thread paces its ops and the
    /// intended (coordinated-omission corrected) latency is reported beside the measured one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_ops_per_sec: Option<f64>,
    /// The YCSB workload of ycsb-load / ycsb-run phases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ycsb: Option<super::ycsb::YcsbSpec>,
    /// How keys and ops are spread over column families: key ranges, each in one family,
    /// each getting a share of the ops. Empty: every key in `default`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_groups: Vec<KeyGroup>,
    /// Write this phase without (true) or with (false) the WAL, whatever the config says
    /// (benchmark.sh's fillseq_disable_wal; db_bench's --disable_wal for one command).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wal: Option<bool>,
    /// Writes of the phase limited to this many bytes/s (key + value), over all writing
    /// threads; for the *whilewriting mixes the one writer beside the readers (db_bench's
    /// --benchmark_write_rate_limit). Writers are paced op by op, so the intended latency
    /// is reported too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_rate_limit: Option<u64>,
    /// After this phase, wait for compactions (true, benchmark.sh's overwriteandwait) or do
    /// not (false), whatever the run's setting; the wait's compaction counts in the phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_for_compaction: Option<bool>,
    /// db_bench's --keys_per_prefix: keys start with a prefix number shared by about this many
    /// keys (0: no prefix).
    #[serde(default)]
    pub keys_per_prefix: u64,
    /// db_bench's --prefix_size: bytes of the prefix (with keys_per_prefix > 0).
    #[serde(default)]
    pub prefix_size: usize,
    /// mixgraph's model parameters (db_bench's flags and defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mixgraph: Option<super::mixgraph::MixGraphSpec>,
}

/// Keys `[lo, hi)` stored in column family `family` (an index into the engine's families),
/// getting `op_share` of the ops. Groups either partition the key space (a scenario's
/// `[[column_family]]`) or each span all of it (db_bench's `--num_column_families`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyGroup {
    /// Index of the RocksDB column family the group's keys live in (0 is `default`).
    pub family: usize,
    /// The group's name, for results (a scenario's `[[column_family]]` name).
    pub name: String,
    /// The RocksDB column family's name (the group's own name in the `separate` layout,
    /// `default` in the `one` layout).
    #[serde(default)]
    pub column_family: String,
    pub lo: u64,
    pub hi: u64,
    pub op_share: f64,
}

impl KeyGroup {
    /// Groups that each span `[0, num)`, one per family, sharing the ops as `percent` says
    /// (db_bench's `--num_column_families` and `--column_family_distribution`).
    pub fn spanning(names: &[String], percent: &[f64], num: u64) -> Vec<KeyGroup> {
        let total: f64 = percent.iter().sum();
        names
            .iter()
            .zip(percent)
            .enumerate()
            .map(|(i, (n, p))| KeyGroup {
                family: i,
                name: n.clone(),
                column_family: n.clone(),
                lo: 0,
                hi: num,
                op_share: p / total,
            })
            .collect()
    }

    /// Whether the groups split the key space between them (each key in one group).
    pub fn disjoint(groups: &[KeyGroup]) -> bool {
        groups.windows(2).all(|w| w[0].hi <= w[1].lo)
    }
}

fn default_merge_percent() -> u32 {
    70
}

fn default_value_size_min() -> usize {
    100
}

fn default_value_size_max() -> usize {
    102_400
}

impl PhaseSpec {
    /// The mean value size a phase writes (what a WriteBatch of n values is sized for).
    pub fn mean_value_size(&self) -> usize {
        match self.value_size_distribution {
            ValueSizeDistribution::Fixed => self.value_size,
            _ => (self.value_size_min + self.value_size_max) / 2,
        }
    }

    /// With `write_rate_limit`: the pace of one writing thread, one latency sample (an op,
    /// or a batch of `batch_size` keys) per returned duration. `None` without a limit.
    pub fn write_pace(&self) -> Option<std::time::Duration> {
        let limit = self.write_rate_limit? as f64;
        let writers = if self.workload.background_writer().is_some() {
            1
        } else {
            self.threads
        };
        let per_key = match self.workload {
            Workload::DeleteSeq | Workload::DeleteRandom => self.key_size,
            _ => self.key_size + self.mean_value_size(),
        };
        let batch = if self.workload.background_writer().is_some() {
            1
        } else {
            self.batch_size
        };
        let secs = (batch * per_key) as f64 * writers as f64 / limit;
        Some(std::time::Duration::from_secs_f64(secs))
    }

    /// The largest value a phase writes.
    pub fn max_value_size(&self) -> usize {
        match self.value_size_distribution {
            ValueSizeDistribution::Fixed => self.value_size,
            _ => self.value_size_max,
        }
    }

    /// How this phase turns key numbers into keys.
    pub fn key_format(&self) -> crate::workload::keys::KeyFormat {
        crate::workload::keys::KeyFormat::new(self.num, self.keys_per_prefix, self.prefix_size)
    }

    /// A spec with db_bench's defaults for everything but the workload and key count.
    pub fn new(workload: Workload, num: u64) -> PhaseSpec {
        PhaseSpec {
            workload,
            num,
            ops: None,
            duration_s: None,
            batch_mode: BatchMode::Presized,
            threads: 1,
            batch_size: if workload == Workload::FillBatch {
                1000
            } else {
                1
            },
            key_size: 16,
            value_size: 100,
            compressibility: 0.5,
            value_size_distribution: ValueSizeDistribution::Fixed,
            value_size_min: 100,
            value_size_max: 102_400,
            read_random_exp_range: 0.0,
            read_percent: 90,
            seek_nexts: if workload.seeks()
                && workload != Workload::SeekRandom
                && workload != Workload::SeekRandomWhileWriting
            {
                10
            } else {
                0
            },
            merge_percent: 70,
            warmup_s: 0.0,
            seed: 0x5EED,
            target_ops_per_sec: None,
            ycsb: None,
            key_groups: Vec::new(),
            disable_wal: None,
            write_rate_limit: None,
            wait_for_compaction: None,
            keys_per_prefix: 0,
            prefix_size: 0,
            mixgraph: (workload == Workload::MixGraph).then(super::mixgraph::MixGraphSpec::default),
        }
    }

    /// Checks values before any thread starts; errors name the setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::usage(m));
        if self.num == 0 {
            return bad("--num must be at least 1 (the number of keys)".into());
        }
        if self.threads == 0 || self.threads > 1024 {
            return bad(format!(
                "--threads {} is out of range: use 1 to 1024",
                self.threads
            ));
        }
        if self.batch_size == 0 {
            return bad("--batch-size must be at least 1".into());
        }
        if !(8..=1 << 16).contains(&self.key_size) {
            return bad(format!(
                "--key-size {} is out of range: keys hold an 8-byte key number, use 8 to 65536",
                self.key_size
            ));
        }
        if self.value_size == 0 || self.value_size > 64 << 20 {
            return bad(format!(
                "--value-size {} is out of range: use 1 byte to 64MiB",
                self.value_size
            ));
        }
        if !(self.compressibility > 0.0 && self.compressibility <= 1.0) {
            return bad(format!(
                "--compressibility {} is out of range: use a fraction in (0, 1], e.g. 0.5 for about 2x",
                self.compressibility
            ));
        }
        if self.keys_per_prefix > 0 {
            if self.keys_per_prefix > self.num || self.prefix_size == 0 {
                return bad(format!(
                    "--keys-per-prefix {} needs 1 <= keys_per_prefix <= --num ({}) and --prefix-size of at least 1",
                    self.keys_per_prefix, self.num
                ));
            }
            if self.key_size < self.prefix_size + 8 {
                return bad(format!(
                    "--key-size {} leaves no 8 bytes for the key number after --prefix-size {}: use --key-size {} or more",
                    self.key_size,
                    self.prefix_size,
                    self.prefix_size + 8
                ));
            }
        }
        if self.read_percent > 100 {
            return bad(format!("--read-percent {} is over 100", self.read_percent));
        }
        if self.value_size_distribution != ValueSizeDistribution::Fixed
            && !(1 <= self.value_size_min
                && self.value_size_min <= self.value_size_max
                && self.value_size_max <= 64 << 20)
        {
            return bad(format!(
                "--value-size-min {} and --value-size-max {}: need 1 <= min <= max <= 64MiB for the {} distribution",
                self.value_size_min,
                self.value_size_max,
                self.value_size_distribution.name()
            ));
        }
        if !(self.read_random_exp_range >= 0.0 && self.read_random_exp_range.is_finite()) {
            return bad(format!(
                "--read-random-exp-range {} must be a number >= 0 (0 reads uniformly)",
                self.read_random_exp_range
            ));
        }
        if self.merge_percent > 100 {
            return bad(format!(
                "--merge-percent {} is over 100",
                self.merge_percent
            ));
        }
        if let Some(d) = self.duration_s {
            if !(d > 0.0 && d.is_finite()) {
                return bad(format!(
                    "--duration {d} must be a positive number of seconds"
                ));
            }
        }
        if self.batch_mode == BatchMode::Adaptive
            && !matches!(self.workload, Workload::FillSeq | Workload::FillBatch)
        {
            return bad(format!(
                "batch_mode = adaptive works with fillseq and fillbatch, not {}",
                self.workload
            ));
        }
        if let Some(t) = self.target_ops_per_sec {
            if !(t > 0.0 && t.is_finite()) {
                return bad(format!("--target {t} must be a positive number of ops/s"));
            }
        }
        match (
            &self.ycsb,
            matches!(self.workload, Workload::YcsbLoad | Workload::YcsbRun),
        ) {
            (Some(y), true) => y.validate()?,
            (None, true) => {
                return bad(format!(
                    "{} needs a YCSB workload (use rdbtune ycsb or a scenario's ycsb key)",
                    self.workload
                ))
            }
            _ => {}
        }
        match (&self.mixgraph, self.workload == Workload::MixGraph) {
            (Some(m), true) => {
                m.validate(self.num)?;
                if !self.key_groups.is_empty() {
                    return bad("mixgraph runs on one column family: leave out --num-column-families and [[column_family]]".into());
                }
                if m.sine_mix_rate && self.target_ops_per_sec.is_some() {
                    return bad("mixgraph takes --sine-mix-rate or a target rate, not both".into());
                }
            }
            (None, true) => return bad("mixgraph needs its model parameters".into()),
            (Some(_), false) => {
                return bad(format!(
                    "mixgraph parameters have no effect on {}: remove them",
                    self.workload
                ))
            }
            _ => {}
        }
        self.validate_groups()?;
        if self.write_rate_limit == Some(0) {
            return bad(
                "write_rate_limit must be at least 1 byte/s (leave it out for no limit)".into(),
            );
        }
        if self.write_rate_limit.is_some() && self.target_ops_per_sec.is_some() {
            return bad("a phase takes target_ops_per_sec or write_rate_limit, not both".into());
        }
        if self.write_rate_limit.is_some()
            && !(self.workload.is_fill() || self.workload.background_writer().is_some())
        {
            return bad(format!(
                "write_rate_limit paces the writes of fills, overwrites and the *whilewriting mixes' writer, not {}",
                self.workload
            ));
        }
        if self.ops == Some(0) {
            return bad("--ops must be at least 1".into());
        }
        if !(self.warmup_s >= 0.0 && self.warmup_s.is_finite()) {
            return bad(format!("--warmup {} must be >= 0 seconds", self.warmup_s));
        }
        Ok(())
    }

    fn validate_groups(&self) -> Result<()> {
        if self.key_groups.is_empty() {
            return Ok(());
        }
        let ops: f64 = self.key_groups.iter().map(|g| g.op_share).sum();
        if (ops - 1.0).abs() > 1e-6 {
            return Err(Error::usage(format!(
                "column family shares of ops add up to {ops}, not 1"
            )));
        }
        for g in &self.key_groups {
            if g.hi <= g.lo || g.hi > self.num || g.op_share.is_nan() || g.op_share < 0.0 {
                return Err(Error::usage(format!(
                    "column family {}: keys [{}, {}) are not a range within [0, {}) (share_of_keys too small for num?)",
                    g.name, g.lo, g.hi, self.num
                )));
            }
        }
        Ok(())
    }

    /// Scales the phase to `num` keys: key groups, YCSB's record count and a batch larger
    /// than the key space follow; op counts are the caller's.
    pub fn scale_keys(&mut self, num: u64) {
        let old = self.num.max(1);
        // x * num / old without overflow (the result is at most max(x, num) for x <= old).
        let at = |x: u64| (u128::from(x) * u128::from(num) / u128::from(old)) as u64;
        self.num = num;
        for g in &mut self.key_groups {
            g.lo = at(g.lo);
            g.hi = at(g.hi).max(g.lo + 1);
        }
        if let Some(y) = &mut self.ycsb {
            y.recordcount = num;
            y.insertstart = at(y.insertstart);
            y.insertcount = y.insertcount.map(|c| at(c).max(1));
        }
        if self.batch_size as u64 > num {
            self.batch_size = num as usize;
        }
    }

    /// Total operations when bounded by count: explicit ops, else num (YCSB: recordcount
    /// for load, operationcount for run).
    pub fn total_ops(&self) -> Option<u64> {
        match (&self.ycsb, self.workload) {
            (Some(y), Workload::YcsbLoad) => return Some(self.ops.unwrap_or(y.insert_count())),
            (Some(y), Workload::YcsbRun) if self.duration_s.is_none() => {
                return Some(self.ops.unwrap_or(y.operationcount))
            }
            _ => {}
        }
        if self.workload.is_step() {
            return Some(1);
        }
        if self.workload == Workload::FillSync && self.ops.is_none() && self.duration_s.is_none() {
            return Some((self.num / 1000).max(1));
        }
        match (self.ops, self.duration_s) {
            (Some(n), _) => Some(n),
            (None, Some(_)) => None,
            (None, None) => Some(self.num),
        }
    }
}
