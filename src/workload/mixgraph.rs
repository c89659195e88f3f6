//! db_bench's `mixgraph`: the workload model of "Characterizing, Modeling, and Benchmarking
//! RocksDB Key-Value Workloads at Facebook" (Cao et al., FAST '20) as
//! facebook/rocksdb tools/db_bench_tool.cc implements it (`MixGraph`,
//! `GenerateTwoTermExpKeys`, `QueryDecider`, `ParetoCdfInversion`, `PowerCdfInversion`,
//! `SineRate`), with its flag names and defaults.
//!
//! As in db_bench, one uniform draw `r` in `[0, num)` per operation decides everything:
//! `u = r / num` gives the key (uniform, power law, or two-term-exponential key ranges with a
//! power law inside each), the operation (`r % 1000` against the get/put/seek shares), the
//! value size of a put (Generalized Pareto) and the scan length of a seek (Generalized
//! Pareto). Where rdbtune differs from db_bench 7.8.3 (docs/workloads.md, "mixgraph"):
//! - db_bench scatters a key seed over the key space with the first output of
//!   `std::mt19937_64(seed)`; rdbtune uses a SplitMix64 hash of the seed. The distribution
//!   is the same, and the hot keys are different ones.
//! - db_bench shuffles the key ranges with `mt19937_64(keyrange_rand_max)`; rdbtune uses a
//!   seeded shuffle of its own. Which range is hot differs, and the shares do not.
//! - db_bench's power-law path without key ranges takes `(int64_t)rand.Next() % num`,
//!   which is negative for half the seeds. Those keys are never found (measured: 10,089 of
//!   20,000 gets found after a full fill). rdbtune takes the unsigned remainder.

use crate::error::{Error, Result};
use rand::rngs::SmallRng;
use rand::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

/// mixgraph's parameters under db_bench's flag names, with db_bench's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MixGraphSpec {
    /// Key-range hotness f(x) = a*exp(b*x) + c*exp(d*x) over ranges x = 1..keyrange_num.
    pub keyrange_dist_a: f64,
    pub keyrange_dist_b: f64,
    pub keyrange_dist_c: f64,
    pub keyrange_dist_d: f64,
    /// Number of key ranges (the key space split evenly).
    pub keyrange_num: i64,
    /// Key access within the key space or a range, f(x) = a*x^b (both 0: uniform).
    pub key_dist_a: f64,
    pub key_dist_b: f64,
    /// Put value sizes: Generalized Pareto (theta, k, sigma).
    pub value_theta: f64,
    pub value_k: f64,
    pub value_sigma: f64,
    /// Seek scan lengths: Generalized Pareto (theta, k, sigma).
    pub iter_theta: f64,
    pub iter_k: f64,
    pub iter_sigma: f64,
    /// Shares of gets, puts and seeks (normalised by their sum).
    pub mix_get_ratio: f64,
    pub mix_put_ratio: f64,
    pub mix_seek_ratio: f64,
    /// Scan lengths are taken modulo this.
    pub mix_max_scan_len: i64,
    /// Value sizes above min(this, 1 MiB) wrap around modulo it.
    pub mix_max_value_size: i64,
    /// Pace the ops at sine_a * sin(sine_b * t + sine_c) + sine_d ops/s (t in seconds).
    pub sine_mix_rate: bool,
    /// How often the sine rate is re-evaluated.
    pub sine_mix_rate_interval_milliseconds: u64,
    pub sine_a: f64,
    pub sine_b: f64,
    pub sine_c: f64,
    pub sine_d: f64,
}

impl Default for MixGraphSpec {
    /// db_bench's flag defaults (7.8.3 and main).
    fn default() -> Self {
        MixGraphSpec {
            keyrange_dist_a: 0.0,
            keyrange_dist_b: 0.0,
            keyrange_dist_c: 0.0,
            keyrange_dist_d: 0.0,
            keyrange_num: 1,
            key_dist_a: 0.0,
            key_dist_b: 0.0,
            value_theta: 0.0,
            value_k: 0.2615,
            value_sigma: 25.45,
            iter_theta: 0.0,
            iter_k: 2.517,
            iter_sigma: 14.236,
            mix_get_ratio: 1.0,
            mix_put_ratio: 0.0,
            mix_seek_ratio: 0.0,
            mix_max_scan_len: 10000,
            mix_max_value_size: 1024,
            sine_mix_rate: false,
            sine_mix_rate_interval_milliseconds: 10000,
            sine_a: 1.0,
            sine_b: 1.0,
            sine_c: 0.0,
            sine_d: 1.0,
        }
    }
}

/// db_bench's `ParetoCdfInversion`: the Generalized Pareto quantile at `u`, rounded up.
/// (u = 0 gives +inf, which saturates to i64::MAX.)
#[inline]
pub fn pareto_cdf_inversion(u: f64, theta: f64, k: f64, sigma: f64) -> i64 {
    let ret = if k == 0.0 {
        theta - sigma * u.ln()
    } else {
        theta + sigma * (u.powf(-k) - 1.0) / k
    };
    ret.ceil() as i64
}

/// db_bench's `PowerCdfInversion`: ceil((u / a)^(1 / b)), the key seed of a power law.
#[inline]
pub fn power_cdf_inversion(u: f64, a: f64, b: f64) -> i64 {
    (u / a).powf(1.0 / b).ceil() as i64
}

/// Scatters a key seed over the key space (db_bench: the first output of mt19937_64(seed)).
#[inline]
fn scatter(seed: i64) -> u64 {
    let mut z = (seed as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The operation of one draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MixOp {
    Get,
    Put,
    Seek,
}

/// One operation: its key number, kind, and the value size (put) or scan length (seek).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Draw {
    pub key: u64,
    pub op: MixOp,
    pub value_size: usize,
    pub scan_length: usize,
}

/// How keys are chosen.
#[derive(Debug, Clone)]
enum KeyMode {
    /// key_dist_a or key_dist_b is 0: the draw itself (db_bench checks this first, so key
    /// ranges have no effect without key_dist_a/b).
    Uniform,
    /// A power law over the whole key space.
    Power,
    /// Two-term exponential key ranges, a power law inside each.
    Ranges {
        /// (first access number, accesses) per range, in key order after the shuffle.
        starts: Vec<u64>,
        rand_max: u64,
        size: u64,
    },
}

/// The model for one worker thread, built before its loop (as db_bench builds its
/// GenerateTwoTermExpKeys per thread).
#[derive(Debug, Clone)]
pub struct MixGraph {
    num: u64,
    mode: KeyMode,
    a: f64,
    b: f64,
    /// QueryDecider: cumulative bounds of get, put, seek within `range`.
    bounds: [u64; 3],
    range: u64,
    value_max: i64,
    spec: MixGraphSpec,
}

/// The accesses per key range, in range order x = keyrange_num..1 as db_bench pushes them,
/// and their total: floor(amplify * f(x)), amplify = floor(1 / f(keyrange_num)) + 1.
pub fn range_accesses(s: &MixGraphSpec) -> Vec<u64> {
    let n = s.keyrange_num.max(1);
    let mut amplify = 0.0;
    let mut out = Vec::with_capacity(n as usize);
    for pfx in (1..=n).rev() {
        let x = pfx as f64;
        let mut p = s.keyrange_dist_a * (s.keyrange_dist_b * x).exp()
            + s.keyrange_dist_c * (s.keyrange_dist_d * x).exp();
        if p < 1e-16 {
            p = 0.0;
        }
        if amplify == 0.0 && p > 0.0 {
            amplify = (1.0 / p).floor() + 1.0;
        }
        out.push(if p <= 0.0 {
            0
        } else {
            (amplify * p).floor() as u64
        });
    }
    out
}

impl MixGraphSpec {
    fn prefix_modeling(&self) -> bool {
        [
            self.keyrange_dist_a,
            self.keyrange_dist_b,
            self.keyrange_dist_c,
            self.keyrange_dist_d,
        ]
        .iter()
        .any(|v| *v != 0.0)
    }

    fn uniform_keys(&self) -> bool {
        self.key_dist_a == 0.0 || self.key_dist_b == 0.0
    }

    /// What db_bench would silently ignore or crash on; errors name the flag.
    pub fn validate(&self, num: u64) -> Result<()> {
        let bad = |m: String| Err(Error::usage(m));
        let ratios = [self.mix_get_ratio, self.mix_put_ratio, self.mix_seek_ratio];
        if ratios.iter().any(|r| !(r.is_finite() && *r >= 0.0)) || ratios.iter().sum::<f64>() <= 0.0
        {
            return bad(format!(
                "--mix-get-ratio {}, --mix-put-ratio {}, --mix-seek-ratio {}: give shares >= 0 with a positive sum",
                self.mix_get_ratio, self.mix_put_ratio, self.mix_seek_ratio
            ));
        }
        if self.mix_max_scan_len < 1 || self.mix_max_value_size < 1 {
            return bad(format!(
                "--mix-max-scan-len {} and --mix-max-value-size {} must be at least 1",
                self.mix_max_scan_len, self.mix_max_value_size
            ));
        }
        if self.keyrange_num < 1 || self.keyrange_num as u64 > num {
            return bad(format!(
                "--keyrange-num {} must be 1 to --num ({num})",
                self.keyrange_num
            ));
        }
        if self.prefix_modeling() && range_accesses(self).iter().sum::<u64>() == 0 {
            return bad(format!(
                "--keyrange-dist-a..d ({}, {}, {}, {}) give no key range a positive share: f(x) = a*exp(b*x) + c*exp(d*x) must be > 0 for some x in 1..{}",
                self.keyrange_dist_a, self.keyrange_dist_b, self.keyrange_dist_c, self.keyrange_dist_d, self.keyrange_num
            ));
        }
        if self.sine_mix_rate && self.sine_mix_rate_interval_milliseconds == 0 {
            return bad("--sine-mix-rate-interval-milliseconds must be at least 1".into());
        }
        for (name, v) in [
            ("value_sigma", self.value_sigma),
            ("iter_sigma", self.iter_sigma),
            ("sine_a", self.sine_a),
            ("sine_b", self.sine_b),
            ("sine_d", self.sine_d),
            ("key_dist_a", self.key_dist_a),
            ("key_dist_b", self.key_dist_b),
        ] {
            if !v.is_finite() {
                return bad(format!("mixgraph {name} = {v} is not a number"));
            }
        }
        Ok(())
    }

    /// db_bench's `SineRate(t)`: the target ops/s t seconds into the phase.
    pub fn sine_rate(&self, t_s: f64) -> f64 {
        self.sine_a * (self.sine_b * t_s + self.sine_c).sin() + self.sine_d
    }

    /// Why a combination does nothing in db_bench (and so here): a warning for the user.
    pub fn warning(&self) -> Option<String> {
        (self.prefix_modeling() && self.uniform_keys()).then(|| {
            "mixgraph: --keyrange-dist-a..d have no effect while --key-dist-a or --key-dist-b is 0 (keys are uniform, as in db_bench); set both, e.g. --key-dist-a 0.002312 --key-dist-b 0.3467".to_string()
        })
    }
}

impl MixGraph {
    /// The model over keys `[0, num)`.
    pub fn new(spec: &MixGraphSpec, num: u64) -> MixGraph {
        let s = spec;
        let mode = if s.uniform_keys() {
            KeyMode::Uniform
        } else if s.prefix_modeling() {
            let mut acc = range_accesses(s);
            let rand_max: u64 = acc.iter().sum();
            // db_bench: for i in 0..n, swap(i, rand.Next() % n), seeded by rand_max.
            let mut rng = SmallRng::seed_from_u64(rand_max);
            let n = acc.len();
            for i in 0..n {
                let pos = (rng.next_u64() % n as u64) as usize;
                acc.swap(i, pos);
            }
            let mut starts = Vec::with_capacity(n);
            let mut sum = 0;
            for a in &acc {
                starts.push(sum);
                sum += a;
            }
            KeyMode::Ranges {
                starts,
                rand_max,
                size: (num / n as u64).max(1),
            }
        } else {
            KeyMode::Power
        };
        let ratios = [s.mix_get_ratio, s.mix_put_ratio, s.mix_seek_ratio];
        let sum: f64 = ratios.iter().sum();
        let mut bounds = [0u64; 3];
        let mut range = 0u64;
        for (i, r) in ratios.iter().enumerate() {
            range += (1000.0 * (r / sum)).ceil() as u64;
            bounds[i] = range;
        }
        MixGraph {
            num,
            mode,
            a: s.key_dist_a,
            b: s.key_dist_b,
            bounds,
            range: range.max(1),
            value_max: s.mix_max_value_size.min(1 << 20),
            spec: s.clone(),
        }
    }

    /// The key range of access number `r` (the last range starting at or before it).
    #[inline]
    fn range_of(starts: &[u64], r: u64) -> usize {
        starts.partition_point(|&s| s <= r).saturating_sub(1)
    }

    /// The key of draw `r` (`u = r / num`).
    #[inline]
    pub fn key(&self, r: u64, u: f64) -> u64 {
        match &self.mode {
            KeyMode::Uniform => r,
            KeyMode::Power => scatter(power_cdf_inversion(u, self.a, self.b)) % self.num,
            KeyMode::Ranges {
                starts,
                rand_max,
                size,
            } => {
                let id = Self::range_of(starts, r % rand_max) as u64;
                let u2 = (r % size) as f64 / *size as f64;
                let offset = scatter(power_cdf_inversion(u2, self.a, self.b)) % size;
                (size * id + offset).min(self.num - 1)
            }
        }
    }

    /// The key range (0-based, in key order) that key number `k` falls in.
    pub fn range_index(&self, k: u64) -> Option<u64> {
        match &self.mode {
            KeyMode::Ranges { size, .. } => Some(k / size),
            _ => None,
        }
    }

    /// QueryDecider's type of draw `r`.
    #[inline]
    pub fn op(&self, r: u64) -> MixOp {
        let pos = r % self.range;
        if pos < self.bounds[0] {
            MixOp::Get
        } else if pos < self.bounds[1] {
            MixOp::Put
        } else if pos < self.bounds[2] {
            MixOp::Seek
        } else {
            MixOp::Get
        }
    }

    /// A put's value size: Pareto, at least 10, wrapped modulo the largest value.
    #[inline]
    pub fn value_size(&self, u: f64) -> usize {
        let s = &self.spec;
        let v = pareto_cdf_inversion(u, s.value_theta, s.value_k, s.value_sigma);
        (if v < 10 {
            10
        } else if v > self.value_max {
            v % self.value_max
        } else {
            v
        }) as usize
    }

    /// A seek's scan length: Pareto modulo mix_max_scan_len (0 or less: no step).
    #[inline]
    pub fn scan_length(&self, u: f64) -> usize {
        let s = &self.spec;
        let l = pareto_cdf_inversion(u, s.iter_theta, s.iter_k, s.iter_sigma) % s.mix_max_scan_len;
        l.max(0) as usize
    }

    /// The whole operation of one uniform draw from `rng`.
    #[inline]
    pub fn draw(&self, rng: &mut SmallRng) -> Draw {
        let r = rng.next_u64() % self.num;
        let u = r as f64 / self.num as f64;
        let op = self.op(r);
        Draw {
            key: self.key(r, u),
            op,
            value_size: if op == MixOp::Put {
                self.value_size(u)
            } else {
                0
            },
            scan_length: if op == MixOp::Seek {
                self.scan_length(u)
            } else {
                0
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: u64 = 1_000_000;

    /// The FAST '20 / wiki parameters (db_bench's commit #5953 example).
    fn wiki() -> MixGraphSpec {
        MixGraphSpec {
            keyrange_dist_a: 14.18,
            keyrange_dist_b: -2.917,
            keyrange_dist_c: 0.0164,
            keyrange_dist_d: -0.08082,
            keyrange_num: 30,
            key_dist_a: 0.002312,
            key_dist_b: 0.3467,
            mix_get_ratio: 0.85,
            mix_put_ratio: 0.14,
            mix_seek_ratio: 0.01,
            ..MixGraphSpec::default()
        }
    }

    /// Survival function of the Generalized Pareto distribution, P(X > x).
    fn gpd_survival(x: f64, theta: f64, k: f64, sigma: f64) -> f64 {
        if x <= theta {
            return 1.0;
        }
        if k == 0.0 {
            (-(x - theta) / sigma).exp()
        } else {
            (1.0 + k * (x - theta) / sigma).powf(-1.0 / k)
        }
    }

    /// Largest |empirical CDF - model CDF| over the integer points lo..=hi.
    fn ks(sorted: &[i64], lo: i64, hi: i64, cdf: impl Fn(f64) -> f64) -> f64 {
        let n = sorted.len() as f64;
        let mut d: f64 = 0.0;
        for x in lo..=hi {
            let below = sorted.partition_point(|&v| v <= x) as f64 / n;
            d = d.max((below - cdf(x as f64)).abs());
        }
        d
    }

    /// The KS bound for 1M draws: 1.95 / sqrt(n) is the 0.1% critical value (conservative
    /// for a discrete distribution), plus 1e-6 for u's grid of 1/num.
    const KS_1M: f64 = 1.95 / 1000.0 + 1e-6;

    /// Value sizes over 1M draws: the Generalized Pareto of db_bench's defaults (k 0.2615,
    /// sigma 25.45), at least 10 bytes, KS distance under the 0.1% critical value over 10..1024.
    #[test]
    fn value_sizes_follow_the_generalized_pareto() {
        let s = MixGraphSpec {
            mix_put_ratio: 1.0,
            mix_get_ratio: 0.0,
            ..MixGraphSpec::default()
        };
        let m = MixGraph::new(&s, N);
        let mut rng = SmallRng::seed_from_u64(7);
        let mut v: Vec<i64> = (0..N)
            .map(|_| {
                let d = m.draw(&mut rng);
                assert_eq!(d.op, MixOp::Put);
                d.value_size as i64
            })
            .collect();
        v.sort_unstable();
        assert!(v[0] >= 1 && *v.last().unwrap() <= 1024);
        // The wrap above 1024 moves P(X > 1024) = 8.6e-5 of the mass below: within the bound.
        let d = ks(&v, 10, 1024, |x| 1.0 - gpd_survival(x, 0.0, 0.2615, 25.45));
        println!("value sizes: KS D = {d:.5} (bound {KS_1M:.5})");
        assert!(d < KS_1M, "KS D {d}");
        // Below 10 bytes only the wrapped ones: P(X <= 10) of draws are clamped to 10.
        let ten = v.partition_point(|&x| x <= 10) as f64 / N as f64;
        let expect = 1.0 - gpd_survival(10.0, 0.0, 0.2615, 25.45);
        assert!((ten - expect).abs() < 0.003, "{ten} vs {expect}");
        let median = v[v.len() / 2];
        assert_eq!(median, 20, "db_bench: u = 0.5 gives 20 bytes");
    }

    /// Scan lengths before the modulo: the Generalized Pareto of db_bench's defaults (k 2.517,
    /// sigma 14.236), KS distance under the bound over 1..10000; and the modulo as db_bench's.
    #[test]
    fn scan_lengths_follow_the_generalized_pareto() {
        let s = MixGraphSpec::default();
        let m = MixGraph::new(&s, N);
        let mut rng = SmallRng::seed_from_u64(8);
        let mut raw = Vec::with_capacity(N as usize);
        for _ in 0..N {
            let r = rng.next_u64() % N;
            let u = r as f64 / N as f64;
            let l = pareto_cdf_inversion(u, 0.0, 2.517, 14.236);
            assert_eq!(m.scan_length(u), (l % 10000).max(0) as usize);
            raw.push(l);
        }
        raw.sort_unstable();
        let d = ks(&raw, 1, 10_000, |x| {
            1.0 - gpd_survival(x, 0.0, 2.517, 14.236)
        });
        println!("scan lengths: KS D = {d:.5} (bound {KS_1M:.5})");
        assert!(d < KS_1M, "KS D {d}");
    }

    /// Key ranges with the wiki's two-term exponential: each range's share of 1M draws within
    /// 5 binomial standard deviations of its access count / total, and those shares within
    /// 0.02 of the normalised f(x) = a*exp(b*x) + c*exp(d*x) (db_bench's floor(amplify * f)
    /// moves the hottest range's share by 0.0153 with these parameters).
    #[test]
    fn key_range_shares_follow_the_two_term_exponential() {
        let s = wiki();
        let m = MixGraph::new(&s, N);
        let KeyMode::Ranges {
            starts, rand_max, ..
        } = &m.mode
        else {
            panic!("prefix modeling expected")
        };
        let n = starts.len();
        let access: Vec<u64> = (0..n)
            .map(|i| starts.get(i + 1).copied().unwrap_or(*rand_max) - starts[i])
            .collect();
        assert_eq!(*rand_max, 667, "db_bench's amplify 689 gives 667 accesses");
        let mut hits = vec![0u64; n];
        let mut rng = SmallRng::seed_from_u64(9);
        for _ in 0..N {
            let d = m.draw(&mut rng);
            hits[m.range_index(d.key).unwrap() as usize] += 1;
        }
        let f = |x: f64| 14.18 * (-2.917 * x).exp() + 0.0164 * (-0.08082 * x).exp();
        let total_f: f64 = (1..=30).map(|x| f(x as f64)).sum();
        let mut model: Vec<f64> = (1..=30).map(|x| f(x as f64) / total_f).collect();
        model.sort_by(|a, b| b.total_cmp(a));
        let mut shares: Vec<f64> = access
            .iter()
            .map(|a| *a as f64 / *rand_max as f64)
            .collect();
        shares.sort_by(|a, b| b.total_cmp(a));
        for (i, (a, h)) in access.iter().zip(&hits).enumerate() {
            let p = *a as f64 / *rand_max as f64;
            let sd = (p * (1.0 - p) / N as f64).sqrt();
            let got = *h as f64 / N as f64;
            assert!(
                (got - p).abs() <= 5.0 * sd + 1e-9,
                "range {i}: {got} of draws, model {p}"
            );
        }
        for (s, m) in shares.iter().zip(&model) {
            assert!((s - m).abs() < 0.02, "share {s} vs f(x) share {m}");
        }
        assert!(shares[0] > 0.8, "the hottest range gets {}", shares[0]);
    }

    /// Within the key space the key seeds follow the power law: P(seed <= s) = a * s^b.
    #[test]
    fn key_seeds_follow_the_power_law() {
        let (a, b) = (0.002312, 0.3467);
        let mut rng = SmallRng::seed_from_u64(10);
        let mut seeds: Vec<i64> = (0..N)
            .map(|_| {
                let u = (rng.next_u64() % N) as f64 / N as f64;
                power_cdf_inversion(u, a, b)
            })
            .collect();
        seeds.sort_unstable();
        let d = ks(&seeds, 1, 20_000, |s| (a * s.powf(b)).min(1.0));
        println!("key seeds: KS D = {d:.5}");
        assert!(d < KS_1M, "KS D {d}");
        // Power mode keys stay in range and are skewed: the hottest key gets far more than
        // its uniform share of 1M draws over 1M keys.
        let s = MixGraphSpec {
            key_dist_a: a,
            key_dist_b: b,
            ..MixGraphSpec::default()
        };
        let m = MixGraph::new(&s, N);
        let mut counts = std::collections::HashMap::new();
        for _ in 0..N {
            let k = m.draw(&mut rng).key;
            assert!(k < N);
            *counts.entry(k).or_insert(0u32) += 1;
        }
        let top = *counts.values().max().unwrap();
        assert!(top > 1000, "hottest key drawn {top} times");
    }

    /// QueryDecider: ranges of ceil(1000 * share); 0.85/0.14/0.01 give 850/990/1000, and the
    /// draws' op shares match within 0.3%.
    #[test]
    fn op_mix_follows_the_ratios() {
        let m = MixGraph::new(&wiki(), N);
        assert_eq!((m.bounds, m.range), ([850, 990, 1000], 1000));
        let mut rng = SmallRng::seed_from_u64(11);
        let mut c = [0u64; 3];
        for _ in 0..N {
            c[m.draw(&mut rng).op as usize] += 1;
        }
        for (got, want) in c.iter().zip([0.85, 0.14, 0.01]) {
            assert!((*got as f64 / N as f64 - want).abs() < 0.003, "{c:?}");
        }
    }

    #[test]
    fn validation_names_the_flag_and_sine_rate_is_db_benchs() {
        let s = MixGraphSpec {
            mix_get_ratio: 0.0,
            ..MixGraphSpec::default()
        };
        assert!(s
            .validate(1000)
            .unwrap_err()
            .to_string()
            .contains("--mix-get-ratio"));
        let s = MixGraphSpec {
            keyrange_num: 5000,
            ..MixGraphSpec::default()
        };
        assert!(s
            .validate(1000)
            .unwrap_err()
            .to_string()
            .contains("--keyrange-num"));
        let s = MixGraphSpec {
            keyrange_dist_a: -1.0,
            keyrange_num: 3,
            key_dist_a: 0.1,
            key_dist_b: 0.5,
            ..MixGraphSpec::default()
        };
        assert!(s
            .validate(1000)
            .unwrap_err()
            .to_string()
            .contains("no key range"));
        assert!(MixGraphSpec::default().validate(1000).is_ok());
        let w = MixGraphSpec {
            key_dist_a: 0.0,
            ..wiki()
        };
        assert!(w.warning().unwrap().contains("no effect"));
        assert!(wiki().warning().is_none());
        let s = MixGraphSpec {
            sine_a: 1000.0,
            sine_b: 0.000073,
            sine_d: 4500.0,
            ..MixGraphSpec::default()
        };
        assert_eq!(s.sine_rate(0.0), 4500.0);
        let quarter = std::f64::consts::FRAC_PI_2 / 0.000073;
        assert!((s.sine_rate(quarter) - 5500.0).abs() < 1e-6);
    }
}
