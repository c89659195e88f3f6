//! The tuner's knob space: knobs from the engine's catalogue of typed knobs (compaction
//! style and its options, level sizes, caches, filters, index, compression per level with
//! dictionaries, blob files, write buffers, L0 triggers, background work), tied together as
//! RocksDB's tuning guide suggests, conditional where RocksDB's options are (universal
//! options only under universal compaction), narrowed by `--knobs` and `--fix`, and kept
//! within a memory budget by [`super::memory`]'s model.

use super::memory::{predict, Shape};
use crate::engine::size::Size;
use crate::engine::{CompactionStyle, EngineConfig};
use crate::error::{Error, Result};
use rand::rngs::SmallRng;
use rand::Rng;
use serde::{Deserialize, Serialize};

const MIB: u64 = 1024 * 1024;

/// One point of the space: per knob, the index of its choice, `None` where the knob does
/// not apply (a universal option under level compaction).
pub type Point = Vec<Option<usize>>;

/// A knob's condition on the config built so far (the start config, the fixed keys and the
/// knobs before it): the knob applies only when it holds.
type When = Option<fn(&EngineConfig) -> bool>;

fn is_level(c: &EngineConfig) -> bool {
    c.compaction_style == CompactionStyle::Level
}

fn is_universal(c: &EngineConfig) -> bool {
    c.compaction_style == CompactionStyle::Universal
}

fn has_filter(c: &EngineConfig) -> bool {
    c.bloom_bits_per_key > 0.0
}

fn uses_zstd(c: &EngineConfig) -> bool {
    use crate::engine::Compression::Zstd;
    c.compression == Zstd
        || c.bottommost_compression == Some(Zstd)
        || c.compression_per_level.contains(&Zstd)
}

/// Sets a knob's choice on a config being built (`budget` for shares of it).
type Apply = fn(&mut EngineConfig, &str, u64) -> Result<()>;

/// One tuned knob.
pub struct Knob {
    pub name: &'static str,
    /// The engine keys the knob sets (a choice equal to the start config's values is found
    /// by comparing these; "as the start config" copies them).
    pub keys: &'static [&'static str],
    pub choices: Vec<String>,
    pub when: When,
    /// The choice a conditional knob takes when it comes to apply and the start config has
    /// no value for it (RocksDB's default where it has one).
    pub default: &'static str,
    apply: Apply,
    /// Shown in `--help` and docs.
    pub what: &'static str,
}

/// A config built knob by knob: its point, the config, and (knob, choice) of the knobs
/// that apply.
type Walked = (Point, EngineConfig, Vec<(String, String)>);

/// The choice that keeps the start config's own values for a knob none of whose choices
/// equals them.
pub const AS_START: &str = "as the start config";

fn set(c: &mut EngineConfig, key: &str, v: &str) -> Result<()> {
    c.set(key, v)
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Every knob the tuner knows, in the order they are applied (a condition refers to a knob
/// before it; derived values read knobs set before them).
pub fn catalogue() -> Vec<Knob> {
    vec![
        Knob {
            name: "compaction_style",
            keys: &["compaction_style"],
            choices: s(&["level", "universal"]),
            when: None,
            default: "",
            apply: |c, v, _| set(c, "compaction_style", v),
            what: "level or universal compaction",
        },
        Knob {
            name: "max_bytes_for_level_multiplier",
            keys: &["max_bytes_for_level_multiplier"],
            choices: s(&["6", "8", "10", "12"]),
            when: Some(is_level),
            default: "10",
            apply: |c, v, _| set(c, "max_bytes_for_level_multiplier", v),
            what: "size ratio between adjacent levels (level compaction)",
        },
        Knob {
            name: "universal_size_ratio",
            keys: &["universal_size_ratio"],
            choices: s(&["1", "10", "20"]),
            when: Some(is_universal),
            default: "1",
            apply: |c, v, _| set(c, "universal_size_ratio", v),
            what: "universal: percent slack when picking files of similar size",
        },
        Knob {
            name: "universal_max_size_amplification_percent",
            keys: &["universal_max_size_amplification_percent"],
            choices: s(&["100", "200", "400"]),
            when: Some(is_universal),
            default: "200",
            apply: |c, v, _| set(c, "universal_max_size_amplification_percent", v),
            what: "universal: space amplification that forces a full compaction",
        },
        Knob {
            name: "write_buffer_size",
            keys: &["write_buffer_size"],
            choices: s(&["16MiB", "32MiB", "64MiB", "128MiB", "256MiB"]),
            when: None,
            default: "",
            apply: |c, v, _| set(c, "write_buffer_size", v),
            what: "size of one memtable",
        },
        Knob {
            name: "max_write_buffer_number",
            keys: &["max_write_buffer_number", "min_write_buffer_number_to_merge"],
            choices: s(&["2", "3", "4", "6"]),
            when: None,
            default: "",
            apply: |c, v, _| {
                set(c, "max_write_buffer_number", v)?;
                // A flush merges two memtables when there is room for them (RocksDB's
                // OptimizeLevelStyleCompaction does so with 6).
                let n: i32 = v.parse().unwrap_or(2);
                set(c, "min_write_buffer_number_to_merge", if n >= 4 { "2" } else { "1" })
            },
            what: "memtables per family (2 merged per flush from 4 on)",
        },
        Knob {
            name: "level0_file_num_compaction_trigger",
            keys: &[
                "level0_file_num_compaction_trigger",
                "level0_slowdown_writes_trigger",
                "level0_stop_writes_trigger",
                "max_bytes_for_level_base",
                "target_file_size_base",
            ],
            choices: s(&["2", "4", "8"]),
            when: None,
            default: "",
            apply: |c, v, _| {
                // RocksDB's tuning guide: the base level about the size of L0 when it
                // compacts (write buffer x trigger, at least 64 MiB), target files a tenth of
                // it; slowdown and stop triggers scale with the trigger.
                let t: i32 = v.parse().unwrap_or(4);
                c.level0_file_num_compaction_trigger = t;
                c.level0_slowdown_writes_trigger = (t * 5).max(20);
                c.level0_stop_writes_trigger = (t * 9).max(36);
                let base = c.write_buffer_size.bytes() * t as u64;
                c.max_bytes_for_level_base = Size(base.max(64 * MIB));
                c.target_file_size_base = Size((base / 10).clamp(8 * MIB, 256 * MIB));
                Ok(())
            },
            what: "L0 files that start a compaction (slowdown/stop triggers, base level and target file sizes derived)",
        },
        Knob {
            name: "block_cache_share",
            keys: &["block_cache_size"],
            choices: s(&["0.2", "0.35", "0.5", "0.65", "0.8"]),
            when: None,
            default: "",
            apply: |c, v, budget| {
                let share: f64 = v.parse().unwrap_or(0.5);
                c.block_cache_size = Size((budget as f64 * share) as u64 / MIB * MIB);
                Ok(())
            },
            what: "block cache capacity as a share of the memory budget",
        },
        Knob {
            name: "block_cache_type",
            keys: &["block_cache_type"],
            choices: s(&["hyper_clock", "lru"]),
            when: None,
            default: "",
            apply: |c, v, _| set(c, "block_cache_type", v),
            what: "HyperClockCache or LRUCache",
        },
        Knob {
            name: "block_size",
            keys: &["block_size"],
            choices: s(&["4KiB", "8KiB", "16KiB", "32KiB"]),
            when: None,
            default: "",
            apply: |c, v, _| set(c, "block_size", v),
            what: "uncompressed size of a data block",
        },
        Knob {
            name: "filter",
            keys: &["filter", "bloom_bits_per_key"],
            choices: s(&["none", "bloom", "ribbon"]),
            when: None,
            default: "",
            apply: |c, v, _| {
                if v == "none" {
                    return set(c, "bloom_bits_per_key", "0");
                }
                set(c, "filter", v)?;
                if c.bloom_bits_per_key <= 0.0 {
                    c.bloom_bits_per_key = 10.0;
                }
                Ok(())
            },
            what: "no filter, a Bloom filter or a Ribbon filter (same false-positive rate, less memory)",
        },
        Knob {
            name: "bloom_bits_per_key",
            keys: &["bloom_bits_per_key"],
            choices: s(&["6", "10", "14"]),
            when: Some(has_filter),
            default: "10",
            apply: |c, v, _| set(c, "bloom_bits_per_key", v),
            what: "filter bits per key",
        },
        Knob {
            name: "index_and_filters",
            keys: &[
                "index_type",
                "partition_filters",
                "cache_index_and_filter_blocks",
            ],
            choices: s(&["outside the cache", "in the cache", "partitioned, in the cache"]),
            when: None,
            default: "",
            apply: |c, v, _| {
                let (index, part, cached) = match v {
                    "in the cache" => ("binary_search", false, true),
                    "partitioned, in the cache" => ("two_level", true, true),
                    _ => ("binary_search", false, false),
                };
                set(c, "index_type", index)?;
                c.partition_filters = part && c.bloom_bits_per_key > 0.0;
                c.cache_index_and_filter_blocks = cached;
                Ok(())
            },
            what: "index and filter blocks held by the table readers, in the block cache, or partitioned (two-level index) in the cache",
        },
        Knob {
            name: "compression",
            keys: &[
                "compression",
                "compression_per_level",
                "bottommost_compression",
            ],
            choices: s(&[
                "lz4",
                "zstd",
                "lz4, zstd at the bottom",
                "none on L0-L1, lz4, zstd below",
                "none",
            ]),
            when: None,
            default: "",
            apply: |c, v, _| {
                c.compression_per_level = Vec::new();
                c.bottommost_compression = None;
                match v {
                    "zstd" => set(c, "compression", "zstd"),
                    "lz4, zstd at the bottom" => {
                        set(c, "compression", "lz4")?;
                        set(c, "bottommost_compression", "zstd")
                    }
                    "none on L0-L1, lz4, zstd below" => {
                        set(c, "compression", "lz4")?;
                        set(c, "compression_per_level", "none,none,lz4,lz4,zstd")
                    }
                    "none" => set(c, "compression", "none"),
                    _ => set(c, "compression", "lz4"),
                }
            },
            what: "codec per level (the first entries of compression_per_level are L0 and the level below it)",
        },
        Knob {
            name: "compression_dictionary",
            keys: &[
                "compression_max_dict_bytes",
                "compression_zstd_max_train_bytes",
                "bottommost_max_dict_bytes",
                "bottommost_zstd_max_train_bytes",
            ],
            choices: s(&["0", "16KiB"]),
            when: Some(uses_zstd),
            default: "0",
            apply: |c, v, _| {
                // zstd trains its dictionary on samples of 100 x its size, as RocksDB's
                // wiki suggests.
                let d: u32 = if v == "0" { 0 } else { 16 * 1024 };
                c.compression_max_dict_bytes = d;
                c.compression_zstd_max_train_bytes = d * 100;
                c.bottommost_max_dict_bytes = d;
                c.bottommost_zstd_max_train_bytes = d * 100;
                Ok(())
            },
            what: "a zstd dictionary per SST file (trained on 100 x its size)",
        },
        Knob {
            name: "blob_files",
            keys: &[
                "enable_blob_files",
                "min_blob_size",
                "blob_compression",
                "enable_blob_garbage_collection",
            ],
            choices: s(&["off", "values of 512 B or more", "values of 4 KiB or more"]),
            when: None,
            default: "",
            apply: |c, v, _| {
                let min = match v {
                    "values of 512 B or more" => 512,
                    "values of 4 KiB or more" => 4096,
                    _ => {
                        c.enable_blob_files = false;
                        return Ok(());
                    }
                };
                c.enable_blob_files = true;
                c.min_blob_size = Size(min);
                set(c, "blob_compression", "lz4")?;
                c.enable_blob_garbage_collection = true;
                Ok(())
            },
            what: "large values in blob files (BlobDB), LZ4, garbage collected",
        },
        Knob {
            name: "max_background_jobs",
            keys: &["max_background_jobs"],
            choices: s(&["2", "4", "8"]),
            when: None,
            default: "",
            apply: |c, v, _| set(c, "max_background_jobs", v),
            what: "flush and compaction threads",
        },
        Knob {
            name: "max_subcompactions",
            keys: &["max_subcompactions"],
            choices: s(&["1", "2", "4"]),
            when: None,
            default: "",
            apply: |c, v, _| set(c, "max_subcompactions", v),
            what: "threads that split one compaction",
        },
        Knob {
            name: "bytes_per_sync",
            keys: &["bytes_per_sync"],
            choices: s(&["0", "1MiB"]),
            when: None,
            default: "",
            apply: |c, v, _| set(c, "bytes_per_sync", v),
            what: "incremental syncs of SST and WAL data",
        },
    ]
}

/// A config of the space with the knob values that made it, for reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub point: Point,
    /// (knob, choice) of the knobs that apply.
    pub knobs: Vec<(String, String)>,
    pub config: EngineConfig,
    /// Predicted memory, bytes (see [`super::memory`]).
    pub predicted_memory: u64,
}

/// The space: the knobs that are tuned, the start config and what is fixed.
pub struct Space {
    pub knobs: Vec<Knob>,
    pub budget: u64,
    /// The config every candidate starts from (RocksDB's defaults, the user's config, or a
    /// scenario's [engine]), with the fixed keys set.
    pub start: EngineConfig,
    /// `--fix KEY=VALUE` on engine keys, set on the start and again after the knobs.
    pub fixed: Vec<(String, String)>,
    /// The workload's data, for the memory model and the knobs that need it.
    pub shape: Shape,
    /// Per knob, the choice a config takes unless told otherwise: the start config's own
    /// (a listed value, or [`AS_START`]), or for a knob the start has no value for (a
    /// universal option under level compaction), its default.
    pub defaults: Vec<usize>,
    /// The start config as a point (None where a knob does not apply to it).
    pub start_point: Point,
    /// Knobs left out, and why (a fix, the start's own options string).
    pub left_out: Vec<(String, String)>,
}

impl Space {
    /// The space over `only` (every knob when empty) from `start`. `fixed` holds engine
    /// keys (set on every config; a knob that sets one is left out) or knob names (that
    /// knob held at one of its choices).
    pub fn new(
        budget: u64,
        start: EngineConfig,
        shape: Shape,
        only: &[String],
        fixed: Vec<(String, String)>,
    ) -> Result<Space> {
        let mut knobs = catalogue();
        let names: Vec<&str> = knobs.iter().map(|k| k.name).collect();
        for n in only {
            if !names.contains(&n.as_str()) {
                return Err(Error::usage(format!(
                    "--knobs {n:?}: not a knob of the tuner; the knobs are {}",
                    names.join(", ")
                )));
            }
        }
        let mut start = start;
        let mut engine_fixes = Vec::new();
        let mut knob_fixes = Vec::new();
        for (k, v) in fixed {
            if let Some(knob) = knobs
                .iter()
                .find(|x| x.name == k && !EngineConfig::is_key(&k))
            {
                if !knob.choices.contains(&v) {
                    return Err(Error::usage(format!(
                        "--fix {k}={v}: the knob {k} takes {}",
                        knob.choices.join(" | ")
                    )));
                }
                knob_fixes.push((k, v));
                continue;
            }
            start.set(&k, &v).map_err(|e| {
                Error::usage(format!(
                    "--fix {k}={v}: {e} (or a knob name: {})",
                    names.join(", ")
                ))
            })?;
            engine_fixes.push((k, v));
        }
        let mut left_out = Vec::new();
        let max_value = shape.max_value_size;
        knobs.retain(|k| {
            if !(only.is_empty() || only.iter().any(|n| n == k.name)) {
                return false;
            }
            if let Some((f, _)) = engine_fixes
                .iter()
                .find(|(f, _)| k.keys.contains(&f.as_str()))
            {
                left_out.push((k.name.to_string(), format!("--fix {f}")));
                return false;
            }
            // The start's own options string is applied last: a knob it sets would not
            // take effect.
            if let Some(key) = k
                .keys
                .iter()
                .find(|key| mentions(&start.rocksdb_options, key))
            {
                left_out.push((
                    k.name.to_string(),
                    format!("the start config's options string sets {key}"),
                ));
                return false;
            }
            // Blob files only for values that large.
            k.name != "blob_files" || max_value >= 512
        });
        for k in &mut knobs {
            if k.name == "blob_files" && max_value < 4096 {
                k.choices.retain(|c| !c.contains("4 KiB"));
            }
            if let Some((_, v)) = knob_fixes.iter().find(|(n, _)| n == k.name) {
                k.choices.retain(|c| c == v);
            }
        }
        let mut space = Space {
            knobs,
            budget,
            start,
            fixed: engine_fixes,
            shape,
            defaults: Vec::new(),
            start_point: Vec::new(),
            left_out,
        };
        space.defaults = space.find_defaults();
        space.start_point = space
            .walk(|i| space.defaults[i])
            .map(|(p, _, _)| p)
            .unwrap_or_else(|| space.defaults.iter().map(|d| Some(*d)).collect());
        Ok(space)
    }

    /// Per knob, the choice whose keys equal the start config's (a knob without one gets
    /// the extra choice [`AS_START`]); for a knob whose condition does not hold at the start,
    /// its default.
    fn find_defaults(&mut self) -> Vec<usize> {
        let start_values = toml::Value::try_from(&self.start).ok();
        let get = |v: &Option<toml::Value>, key: &str| v.as_ref().and_then(|t| t.get(key)).cloned();
        let mut out = Vec::new();
        for i in 0..self.knobs.len() {
            let k = &self.knobs[i];
            if k.when.is_some_and(|w| !w(&self.start)) {
                let d = k.choices.iter().position(|c| c == k.default).unwrap_or(0);
                out.push(d);
                continue;
            }
            let mut found = None;
            for (ci, c) in k.choices.iter().enumerate() {
                let mut probe = self.start.clone();
                if (k.apply)(&mut probe, c, self.budget).is_err() {
                    continue;
                }
                let after = toml::Value::try_from(&probe).ok();
                if k.keys
                    .iter()
                    .all(|key| get(&after, key) == get(&start_values, key))
                {
                    found = Some(ci);
                    break;
                }
            }
            out.push(found.unwrap_or_else(|| {
                self.knobs[i].choices.push(AS_START.to_string());
                self.knobs[i].choices.len() - 1
            }));
        }
        out
    }

    /// Builds a config knob by knob from the start: a knob whose condition fails on the
    /// config so far is skipped (None), the others take `pick(i)`; then the fixed keys.
    /// Returns the point, the config and the (knob, choice) list; None when invalid.
    fn walk(&self, mut pick: impl FnMut(usize) -> usize) -> Option<Walked> {
        let mut c = self.start.clone();
        let mut p: Point = vec![None; self.knobs.len()];
        let mut knobs = Vec::new();
        for (i, k) in self.knobs.iter().enumerate() {
            if k.when.is_some_and(|w| !w(&c)) {
                continue;
            }
            let ci = pick(i).min(k.choices.len() - 1);
            let choice = &k.choices[ci];
            if choice == AS_START {
                self.copy_keys(&mut c, k.keys).ok()?;
            } else {
                (k.apply)(&mut c, choice, self.budget).ok()?;
            }
            p[i] = Some(ci);
            knobs.push((k.name.to_string(), choice.clone()));
        }
        for (k, v) in &self.fixed {
            c.set(k, v).ok()?;
        }
        c.validate().ok()?;
        Some((p, c, knobs))
    }

    /// A candidate from a walk.
    fn candidate(&self, w: Option<Walked>) -> Option<Candidate> {
        let (point, config, knobs) = w?;
        let predicted = predict(&config, &self.shape).total();
        Some(Candidate {
            point,
            knobs,
            config,
            predicted_memory: predicted,
        })
    }

    /// The config of `p`, or `None` when it is invalid or its predicted memory is over the
    /// budget.
    pub fn config(&self, p: &Point) -> Option<Candidate> {
        self.config_any(p).filter(|c| self.fits(c))
    }

    /// Whether `c` fits the memory budget: its predicted memory on the workload's data and
    /// its configured capacities (block cache and every memtable, as RocksDB is told them)
    /// both within it. The prediction fills the cache only as far as the data reaches; the
    /// capacities keep the recommendation within the budget when the data grows past that.
    pub fn fits(&self, c: &Candidate) -> bool {
        c.predicted_memory <= self.budget && c.config.configured_memory() <= self.budget
    }

    /// The config of `p` whatever its memory (`None` when invalid). A knob `p` has no choice
    /// for takes its default.
    pub fn config_any(&self, p: &Point) -> Option<Candidate> {
        self.candidate(self.walk(|i| p.get(i).copied().flatten().unwrap_or(self.defaults[i])))
    }

    /// Copies `keys` from the start config into `c`.
    fn copy_keys(&self, c: &mut EngineConfig, keys: &[&str]) -> Result<()> {
        let Ok(toml::Value::Table(start)) = toml::Value::try_from(&self.start) else {
            return Ok(());
        };
        let mut t = toml::Table::new();
        for k in keys {
            if let Some(v) = start.get(*k) {
                t.insert(k.to_string(), v.clone());
            }
        }
        c.merge_table(&t)
    }

    /// The start config (with the fixed keys) as a candidate.
    pub fn start_candidate(&self) -> Option<Candidate> {
        self.config_any(&self.start_point)
    }

    /// `p` with knob `i` as the start config has it (knobs that come to apply take their
    /// defaults), for explaining a winner.
    pub fn revert(&self, p: &Point, i: usize) -> Point {
        let mut q = p.clone();
        q[i] = Some(self.defaults[i]);
        self.config_any(&q).map_or(q, |c| c.point)
    }

    fn draw_knob(&self, i: usize, rng: &mut SmallRng) -> usize {
        rng.random_range(0..self.knobs[i].choices.len())
    }

    /// A uniformly random point within the budget.
    pub fn random(&self, rng: &mut SmallRng) -> Option<Candidate> {
        for _ in 0..2000 {
            let c = self.candidate(self.walk(|i| self.draw_knob(i, rng)));
            if let Some(c) = c.filter(|c| self.fits(c)) {
                return Some(c);
            }
        }
        None
    }

    /// A point near the start config: 1 to 3 of its knobs changed at random.
    pub fn near_start(&self, rng: &mut SmallRng) -> Option<Candidate> {
        if self.knobs.is_empty() {
            return None;
        }
        for _ in 0..2000 {
            let n = rng.random_range(1..=3usize);
            let changed: Vec<usize> = (0..n)
                .map(|_| rng.random_range(0..self.knobs.len()))
                .collect();
            let w = self.walk(|i| {
                if changed.contains(&i) {
                    self.draw_knob(i, rng)
                } else {
                    self.defaults[i]
                }
            });
            if let Some(c) = self.candidate(w) {
                if c.point != self.start_point && self.fits(&c) {
                    return Some(c);
                }
            }
        }
        self.random(rng)
    }

    /// A TPE proposal (Bergstra et al. 2011): split the scored points into the best quarter
    /// ("good") and the rest; per knob, among the points where it applies, estimate choice
    /// frequencies in each (a +1 prior); draw candidates from the good densities and keep
    /// the one with the largest sum of log l(x)/g(x) over the knobs that apply.
    pub fn tpe(
        &self,
        scored: &[(Point, f64)],
        rng: &mut SmallRng,
        seen: &[Point],
    ) -> Option<Candidate> {
        if scored.len() < 6 {
            return self.random(rng);
        }
        let mut s: Vec<&(Point, f64)> = scored.iter().collect();
        s.sort_by(|a, b| b.1.total_cmp(&a.1));
        let n_good = ((s.len() as f64 * 0.25).ceil() as usize).max(2);
        let (good, bad) = s.split_at(n_good.min(s.len() - 1));
        let density = |set: &[&(Point, f64)], k: usize| -> Vec<f64> {
            let mut c = vec![1.0; self.knobs[k].choices.len()];
            for (p, _) in set {
                if let Some(x) = p.get(k).copied().flatten() {
                    if x < c.len() {
                        c[x] += 1.0;
                    }
                }
            }
            let t: f64 = c.iter().sum();
            c.iter().map(|x| x / t).collect()
        };
        let n = self.knobs.len();
        let l: Vec<Vec<f64>> = (0..n).map(|k| density(good, k)).collect();
        let g: Vec<Vec<f64>> = (0..n).map(|k| density(bad, k)).collect();
        let mut best: Option<(f64, Candidate)> = None;
        for _ in 0..64 {
            let w = self.walk(|k| {
                let u: f64 = rng.random();
                let mut acc = 0.0;
                for (i, w) in l[k].iter().enumerate() {
                    acc += w;
                    if u <= acc {
                        return i;
                    }
                }
                l[k].len() - 1
            });
            let Some(c) = self.candidate(w).filter(|c| self.fits(c)) else {
                continue;
            };
            if seen.contains(&c.point) {
                continue;
            }
            let ratio: f64 = (0..n)
                .filter_map(|k| c.point[k].map(|x| (l[k][x] / g[k][x]).ln()))
                .sum();
            if best.as_ref().is_none_or(|(r, _)| ratio > *r) {
                best = Some((ratio, c));
            }
        }
        best.map(|(_, c)| c).or_else(|| self.random(rng))
    }

    /// The knobs' names and choices, for docs and `--help`.
    pub fn describe_knobs() -> Vec<(String, String, String)> {
        catalogue()
            .iter()
            .map(|k| {
                (
                    k.name.to_string(),
                    k.choices.join(" | "),
                    k.what.to_string(),
                )
            })
            .collect()
    }
}

/// Whether the options string `s` sets the RocksDB option `key` (at any depth).
fn mentions(s: &str, key: &str) -> bool {
    s.split([';', '{', '}']).any(|item| {
        item.trim()
            .split_once('=')
            .is_some_and(|(k, _)| k.trim() == key)
    })
}

/// A short stable id for a point: `c` and 8 hex digits of its FNV hash.
pub fn point_id(p: &Point) -> String {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for x in p {
        let v = x.map_or(0xFF, |v| v as u64);
        h ^= v;
        h = h.wrapping_mul(0x100_0000_01B3);
    }
    format!("c{:08x}", (h >> 32) as u32 ^ h as u32)
}

/// Successive halving: how many configs each rung keeps.
pub fn rungs(n0: usize, eta: usize) -> Vec<usize> {
    let mut v = vec![n0.max(1)];
    while *v.last().unwrap() > 1 {
        let next = (v.last().unwrap() / eta).max(1);
        v.push(next);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn shape() -> Shape {
        Shape {
            keys: 1_000_000,
            key_size: 24.0,
            value_size: 1000.0,
            max_value_size: 1140,
            families: 0,
            process_bytes: 0,
        }
    }

    #[test]
    fn every_sampled_config_fits_the_budget_and_is_valid() {
        let mut rng = SmallRng::seed_from_u64(7);
        // A small data set too: the prediction fills the cache only as far as the data
        // reaches, and the configured capacities must fit all the same.
        let small = Shape {
            keys: 3000,
            ..shape()
        };
        for (budget, shape) in [
            (128 * MIB, shape()),
            (128 * MIB, small),
            (512 * MIB, shape()),
            (2048 * MIB, shape()),
        ] {
            let s = Space::new(budget, EngineConfig::default(), shape, &[], Vec::new()).unwrap();
            for _ in 0..100 {
                let c = s.random(&mut rng).expect("a point fits");
                assert!(
                    predict(&c.config, &s.shape).total() <= budget,
                    "{:?}",
                    c.knobs
                );
                assert!(
                    c.config.configured_memory() <= budget,
                    "configured {} over {budget}: {:?}",
                    c.config.configured_memory(),
                    c.knobs
                );
                c.config.validate().unwrap();
                // Conditional knobs: universal options only under universal compaction.
                let universal = c.config.compaction_style == CompactionStyle::Universal;
                let has = |n: &str| c.knobs.iter().any(|(k, _)| k == n);
                assert_eq!(has("universal_size_ratio"), universal, "{:?}", c.knobs);
                assert_eq!(has("max_bytes_for_level_multiplier"), !universal);
                let derived = c
                    .knobs
                    .iter()
                    .any(|(k, v)| k == "level0_file_num_compaction_trigger" && v != AS_START);
                if derived {
                    let t = c.config.level0_file_num_compaction_trigger as u64;
                    assert_eq!(
                        c.config.max_bytes_for_level_base.bytes(),
                        (c.config.write_buffer_size.bytes() * t).max(64 * MIB)
                    );
                }
            }
        }
        let tiny = Space::new(8 * MIB, EngineConfig::default(), shape(), &[], Vec::new()).unwrap();
        assert!(tiny.random(&mut rng).is_none());
    }

    /// The start config is a point of the space: RocksDB's defaults map to their own
    /// choices (level compaction, LZ4, HyperClockCache, 4 KiB blocks, no filter), and knobs
    /// without an equal choice get "as the start config".
    #[test]
    fn the_start_config_is_a_point_and_candidates_start_from_it() {
        let s = Space::new(
            1024 * MIB,
            EngineConfig::default(),
            shape(),
            &[],
            Vec::new(),
        )
        .unwrap();
        let choice = |name: &str| {
            let i = s.knobs.iter().position(|k| k.name == name).unwrap();
            s.start_point[i].map(|c| s.knobs[i].choices[c].clone())
        };
        assert_eq!(choice("compaction_style").as_deref(), Some("level"));
        assert_eq!(choice("compression").as_deref(), Some("lz4"));
        assert_eq!(choice("block_cache_type").as_deref(), Some("hyper_clock"));
        assert_eq!(choice("block_size").as_deref(), Some("4KiB"));
        assert_eq!(choice("filter").as_deref(), Some("none"));
        assert_eq!(choice("bloom_bits_per_key"), None);
        assert_eq!(choice("universal_size_ratio"), None);
        // 32 MiB of 1 GiB is no share on the list; the trigger's derived sizes differ too.
        assert_eq!(choice("block_cache_share").as_deref(), Some(AS_START));
        let c = s.config(&s.start_point).unwrap();
        assert_eq!(c.config, EngineConfig::default());

        let mut base = EngineConfig::default();
        base.set("compaction_style", "universal").unwrap();
        base.set("rocksdb_options", "max_total_wal_size=1073741824")
            .unwrap();
        let s = Space::new(512 * MIB, base, shape(), &[], Vec::new()).unwrap();
        let mut rng = SmallRng::seed_from_u64(11);
        for _ in 0..20 {
            let c = s.near_start(&mut rng).unwrap();
            assert_eq!(c.config.rocksdb_options, "max_total_wal_size=1073741824");
            let changed = c
                .point
                .iter()
                .zip(&s.start_point)
                .filter(|(a, b)| a != b)
                .count();
            assert!((1..=8).contains(&changed), "{changed}");
        }
    }

    /// --knobs narrows the space, --fix pins a key and takes its knob out; unknown names
    /// are refused naming the list.
    #[test]
    fn knobs_and_fix_narrow_the_space() {
        let s = Space::new(
            1024 * MIB,
            EngineConfig::default(),
            shape(),
            &["block_size".into(), "compression".into()],
            vec![("compression".into(), "zstd".into())],
        )
        .unwrap();
        let names: Vec<&str> = s.knobs.iter().map(|k| k.name).collect();
        assert_eq!(names, ["block_size"]);
        let mut rng = SmallRng::seed_from_u64(1);
        let c = s.random(&mut rng).unwrap();
        assert_eq!(c.config.compression, crate::engine::Compression::Zstd);
        let e = Space::new(
            1024 * MIB,
            EngineConfig::default(),
            shape(),
            &["blocksize".into()],
            Vec::new(),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("blocksize") && e.contains("block_size"), "{e}");
        let e = Space::new(
            1024 * MIB,
            EngineConfig::default(),
            shape(),
            &[],
            vec![("block_size".into(), "big".into())],
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("--fix block_size=big"), "{e}");
    }

    #[test]
    fn tpe_moves_towards_good_choices() {
        let s = Space::new(
            1024 * MIB,
            EngineConfig::default(),
            shape(),
            &[],
            Vec::new(),
        )
        .unwrap();
        let f = s.knobs.iter().position(|k| k.name == "filter").unwrap();
        let mut rng = SmallRng::seed_from_u64(3);
        let mut scored = Vec::new();
        for _ in 0..40 {
            let c = s.random(&mut rng).unwrap();
            let score = if c.point[f] != Some(0) { 1.0 } else { 0.0 };
            scored.push((c.point, score));
        }
        let seen: Vec<Point> = scored.iter().map(|x| x.0.clone()).collect();
        let with_filter = (0..40)
            .filter(|_| s.tpe(&scored, &mut rng, &seen).unwrap().point[f] != Some(0))
            .count();
        assert!(
            with_filter >= 32,
            "TPE proposed a filter in {with_filter}/40"
        );
    }

    #[test]
    fn halving_rungs_and_ids() {
        assert_eq!(rungs(9, 3), vec![9, 3, 1]);
        assert_eq!(rungs(1, 3), vec![1]);
        let p = vec![Some(1), None, Some(3)];
        assert_eq!(point_id(&p), point_id(&p.clone()));
        assert_ne!(point_id(&p), point_id(&vec![Some(1), Some(0), Some(3)]));
    }
}
