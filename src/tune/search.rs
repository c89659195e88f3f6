//! The tuner's search space and proposal models: knobs tied together as RocksDB's tuning
//! guide suggests and kept within a memory budget, random sampling, and a Tree-structured
//! Parzen Estimator (TPE) over the knobs' categorical choices.

use crate::engine::size::Size;
use crate::engine::{Compression, EngineConfig};
use rand::rngs::SmallRng;
use rand::Rng;
use serde::{Deserialize, Serialize};

const MIB: u64 = 1024 * 1024;

/// One point of the search space: an index into each knob's choices.
pub type Point = Vec<usize>;

/// The knobs and their choices. Derived settings follow RocksDB's tuning guide: L0 slowdown
/// and stop triggers scale with the compaction trigger; max_bytes_for_level_base is the size
/// of L0 when it compacts (write buffer × trigger); target_file_size_base is a tenth of it.
pub struct Space {
    pub budget: u64,
    /// The config each candidate starts from.
    pub base: EngineConfig,
}

/// Knob names in `Point` order.
pub const KNOBS: [&str; 9] = [
    "cache_share",
    "write_buffer_size",
    "max_write_buffer_number",
    "level0_file_num_compaction_trigger",
    "block_size",
    "bloom_bits_per_key",
    "compression_layout",
    "max_background_jobs",
    "bytes_per_sync",
];

const CACHE_SHARE: [f64; 4] = [0.35, 0.5, 0.65, 0.8];
const WBS_MIB: [u64; 5] = [16, 32, 64, 128, 256];
const MWBN: [i32; 3] = [2, 3, 4];
const L0_TRIGGER: [i32; 3] = [2, 4, 8];
const BLOCK_KIB: [u64; 4] = [4, 8, 16, 32];
const BLOOM: [f64; 3] = [0.0, 10.0, 14.0];
const LAYOUTS: [&str; 3] = ["lz4", "none-lz4-zstd", "zstd"];
const JOBS: [i32; 3] = [2, 4, 8];
const BPS_MIB: [u64; 2] = [0, 1];

/// Number of choices per knob.
pub const CHOICES: [usize; 9] = [
    CACHE_SHARE.len(),
    WBS_MIB.len(),
    MWBN.len(),
    L0_TRIGGER.len(),
    BLOCK_KIB.len(),
    BLOOM.len(),
    LAYOUTS.len(),
    JOBS.len(),
    BPS_MIB.len(),
];

/// A config with the knob values that made it, for reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub point: Point,
    pub knobs: Vec<(String, String)>,
    pub config: EngineConfig,
}

impl Space {
    pub fn new(budget: u64) -> Space {
        Self::with_base(budget, EngineConfig::default())
    }

    /// A space whose candidates start from `base` instead of RocksDB's defaults.
    pub fn with_base(budget: u64, base: EngineConfig) -> Space {
        Space { budget, base }
    }

    /// Block cache + all memtables, the memory the config asks for.
    pub fn memory(c: &EngineConfig) -> u64 {
        c.block_cache_size.bytes()
            + c.write_buffer_size.bytes() * c.max_write_buffer_number.max(1) as u64
    }

    /// The config of `p`, or `None` when it does not fit the budget.
    pub fn config(&self, p: &Point) -> Option<Candidate> {
        let share = CACHE_SHARE[p[0]];
        let wbs = WBS_MIB[p[1]] * MIB;
        let n = MWBN[p[2]];
        let memtables = wbs * n as u64;
        let cache = (self.budget as f64 * share) as u64;
        if memtables + cache > self.budget
            || memtables as f64 > self.budget as f64 * (1.0 - share) + 1.0
        {
            return None;
        }
        let trig = L0_TRIGGER[p[3]];
        let mut c = self.base.clone();
        c.block_cache_size = Size(cache / MIB * MIB);
        c.write_buffer_size = Size(wbs);
        c.max_write_buffer_number = n;
        c.level0_file_num_compaction_trigger = trig;
        c.level0_slowdown_writes_trigger = (trig * 5).max(20);
        c.level0_stop_writes_trigger = (trig * 9).max(36);
        let base = wbs * trig as u64;
        c.max_bytes_for_level_base = Size(base.max(64 * MIB));
        c.target_file_size_base = Size((base / 10).clamp(8 * MIB, 256 * MIB));
        c.block_size = Size(BLOCK_KIB[p[4]] * 1024);
        c.bloom_bits_per_key = BLOOM[p[5]];
        match LAYOUTS[p[6]] {
            "lz4" => {
                c.compression = Compression::Lz4;
                c.compression_per_level = Vec::new();
            }
            "zstd" => {
                c.compression = Compression::Zstd;
                c.compression_per_level = Vec::new();
            }
            _ => {
                c.compression = Compression::Lz4;
                c.compression_per_level = vec![
                    Compression::None,
                    Compression::None,
                    Compression::Lz4,
                    Compression::Lz4,
                    Compression::Zstd,
                    Compression::Zstd,
                    Compression::Zstd,
                ];
            }
        }
        c.max_background_jobs = JOBS[p[7]];
        c.bytes_per_sync = Size(BPS_MIB[p[8]] * MIB);
        c.validate().ok()?;
        let knobs = vec![
            (
                "block_cache_size".into(),
                format!("{} MiB ({:.0}% of the budget)", cache / MIB, share * 100.0),
            ),
            ("write_buffer_size".into(), format!("{} MiB", WBS_MIB[p[1]])),
            ("max_write_buffer_number".into(), n.to_string()),
            (
                "level0_file_num_compaction_trigger".into(),
                trig.to_string(),
            ),
            ("block_size".into(), format!("{} KiB", BLOCK_KIB[p[4]])),
            ("bloom_bits_per_key".into(), BLOOM[p[5]].to_string()),
            ("compression".into(), LAYOUTS[p[6]].to_string()),
            ("max_background_jobs".into(), JOBS[p[7]].to_string()),
            ("bytes_per_sync".into(), format!("{} MiB", BPS_MIB[p[8]])),
        ];
        Some(Candidate {
            point: p.clone(),
            knobs,
            config: c,
        })
    }

    /// A uniformly random point that fits the budget.
    pub fn random(&self, rng: &mut SmallRng) -> Option<Candidate> {
        for _ in 0..1000 {
            let p: Point = CHOICES.iter().map(|&n| rng.random_range(0..n)).collect();
            if let Some(c) = self.config(&p) {
                return Some(c);
            }
        }
        None
    }

    /// A TPE proposal: split the scored points into the best `gamma` share ("good") and the
    /// rest; per knob, estimate choice frequencies in each (with a +1 prior); draw candidates
    /// from the good densities and keep the one with the largest l(x)/g(x).
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
            let mut c = vec![1.0; CHOICES[k]];
            for (p, _) in set {
                c[p[k]] += 1.0;
            }
            let t: f64 = c.iter().sum();
            c.iter().map(|x| x / t).collect()
        };
        let l: Vec<Vec<f64>> = (0..KNOBS.len()).map(|k| density(good, k)).collect();
        let g: Vec<Vec<f64>> = (0..KNOBS.len()).map(|k| density(bad, k)).collect();
        let mut best: Option<(f64, Candidate)> = None;
        for _ in 0..64 {
            let p: Point = (0..KNOBS.len())
                .map(|k| {
                    let u: f64 = rng.random();
                    let mut acc = 0.0;
                    for (i, w) in l[k].iter().enumerate() {
                        acc += w;
                        if u <= acc {
                            return i;
                        }
                    }
                    CHOICES[k] - 1
                })
                .collect();
            if seen.contains(&p) {
                continue;
            }
            let Some(c) = self.config(&p) else { continue };
            let ratio: f64 = (0..KNOBS.len())
                .map(|k| (l[k][p[k]] / g[k][p[k]]).ln())
                .sum();
            if best.as_ref().is_none_or(|(r, _)| ratio > *r) {
                best = Some((ratio, c));
            }
        }
        best.map(|(_, c)| c).or_else(|| self.random(rng))
    }
}

/// Successive halving: the rungs' fidelities (fractions of the full record count and run
/// length) and how many configs each keeps.
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

    #[test]
    fn every_sampled_config_fits_the_budget_and_is_valid() {
        let mut rng = SmallRng::seed_from_u64(7);
        for budget in [64 * MIB, 256 * MIB, 2048 * MIB] {
            let s = Space::new(budget);
            for _ in 0..200 {
                let c = s.random(&mut rng).expect("a point fits");
                assert!(
                    Space::memory(&c.config) <= budget,
                    "{budget}: {:?}",
                    c.knobs
                );
                c.config.validate().unwrap();
                let t = c.config.level0_file_num_compaction_trigger as u64;
                assert_eq!(
                    c.config.max_bytes_for_level_base.bytes(),
                    (c.config.write_buffer_size.bytes() * t).max(64 * MIB)
                );
            }
        }
        // A budget too small for the smallest memtables has no point at all.
        assert!(Space::new(8 * MIB).random(&mut rng).is_none());
    }

    #[test]
    fn candidates_start_from_the_base() {
        let mut base = EngineConfig::default();
        base.set("compaction_style", "universal").unwrap();
        base.set("rocksdb_options", "max_subcompactions=3").unwrap();
        let s = Space::with_base(512 * MIB, base);
        let mut rng = SmallRng::seed_from_u64(11);
        for _ in 0..20 {
            let c = s.random(&mut rng).unwrap().config;
            assert_eq!(
                c.compaction_style,
                crate::engine::CompactionStyle::Universal
            );
            assert_eq!(c.rocksdb_options, "max_subcompactions=3");
            c.validate().unwrap();
        }
    }

    #[test]
    fn tpe_moves_towards_good_choices() {
        // Score = 1 when bloom is on (choice 1 or 2), 0 otherwise, plus noise-free ties.
        let s = Space::new(1024 * MIB);
        let mut rng = SmallRng::seed_from_u64(3);
        let mut scored = Vec::new();
        for _ in 0..30 {
            let c = s.random(&mut rng).unwrap();
            let score = if c.point[5] > 0 { 1.0 } else { 0.0 } + c.point[6] as f64 * 0.1;
            scored.push((c.point, score));
        }
        let seen: Vec<Point> = scored.iter().map(|x| x.0.clone()).collect();
        let with_bloom = (0..40)
            .filter(|_| s.tpe(&scored, &mut rng, &seen).unwrap().point[5] > 0)
            .count();
        assert!(with_bloom >= 32, "TPE proposed bloom in {with_bloom}/40");
    }

    #[test]
    fn halving_rungs() {
        assert_eq!(rungs(9, 3), vec![9, 3, 1]);
        assert_eq!(rungs(6, 3), vec![6, 2, 1]);
        assert_eq!(rungs(1, 3), vec![1]);
    }
}
