//! YCSB's generators and key naming, as upstream YCSB (brianfrankcooper/YCSB, core
//! `site.ycsb.generator` and `CoreWorkload`) defines them, so that a zipfian or latest key
//! choice here means what it means there.

use rand::rngs::SmallRng;
use rand::Rng;

/// YCSB's default zipfian constant.
pub const ZIPFIAN_CONSTANT: f64 = 0.99;
/// ScrambledZipfianGenerator draws from a zipfian over this many items...
pub const SCRAMBLED_ITEM_COUNT: u64 = 10_000_000_000;
/// ...whose zeta is this constant (upstream hard-codes it).
pub const SCRAMBLED_ZETAN: f64 = 26.46902820178302;

const FNV_OFFSET_BASIS_64: u64 = 0xCBF2_9CE4_8422_2325;
const FNV_PRIME_64: u64 = 1_099_511_628_211;

/// YCSB's `Utils.fnvhash64`: FNV-1 over the 8 bytes of `val`, lowest byte first, then the
/// absolute value as a signed 64-bit number.
pub fn fnvhash64(mut val: u64) -> u64 {
    let mut h = FNV_OFFSET_BASIS_64;
    for _ in 0..8 {
        let octet = val & 0xff;
        val >>= 8;
        h ^= octet;
        h = h.wrapping_mul(FNV_PRIME_64);
    }
    (h as i64).unsigned_abs()
}

/// `zeta(n, theta) = sum_{i=1..n} 1 / i^theta`, continued from `(st, initial)`.
pub fn zeta(st: u64, n: u64, theta: f64, initial: f64) -> f64 {
    let mut sum = initial;
    for i in st..n {
        sum += 1.0 / ((i + 1) as f64).powf(theta);
    }
    sum
}

/// Terms summed exactly by [`zeta_fast`]; beyond them the Euler-Maclaurin tail.
pub const ZETA_EXACT_TERMS: u64 = 1 << 20;

/// `zeta(n, theta)` for any `n` in milliseconds: the first [`ZETA_EXACT_TERMS`] terms summed
/// as upstream sums them, the rest from the Euler-Maclaurin formula
/// `sum_{i=m+1..n} f(i) = integral_m^n f + (f(n) - f(m)) / 2 + (f'(n) - f'(m)) / 12 + R`
/// with `f(x) = x^-theta`. The remainder is bounded by the third derivative's term, below
/// 1e-17 at m = 2^20, so the result agrees with the full sum to about 1e-13 relative
/// (floating-point summation error dominates). Upstream sums all `n` terms: 10^10 of them
/// for ScrambledZipfian with a constant other than 0.99, which takes minutes.
pub fn zeta_fast(n: u64, theta: f64) -> f64 {
    if n <= ZETA_EXACT_TERMS {
        return zeta(0, n, theta, 0.0);
    }
    let m = ZETA_EXACT_TERMS;
    let head = zeta(0, m, theta, 0.0);
    let (a, b) = (m as f64, n as f64);
    let f = |x: f64| x.powf(-theta);
    let fp = |x: f64| -theta * x.powf(-theta - 1.0);
    let integral = if (theta - 1.0).abs() < 1e-12 {
        (b / a).ln()
    } else {
        (b.powf(1.0 - theta) - a.powf(1.0 - theta)) / (1.0 - theta)
    };
    head + integral + (f(b) - f(a)) / 2.0 + (fp(b) - fp(a)) / 12.0
}

/// Upstream's ZipfianGenerator (Gray et al., "Quickly Generating Billion-Record Synthetic
/// Databases", SIGMOD 1994): item `base` is the most popular.
#[derive(Debug, Clone)]
pub struct Zipfian {
    pub items: u64,
    pub base: u64,
    pub theta: f64,
    pub zetan: f64,
    zeta2theta: f64,
    alpha: f64,
    pub eta: f64,
    count_for_zeta: u64,
}

impl Zipfian {
    /// A zipfian over `[min, max]` with constant `theta`; computes zeta(n) (O(n) once).
    pub fn new(min: u64, max: u64, theta: f64) -> Zipfian {
        let items = max - min + 1;
        let zetan = zeta_fast(items, theta);
        Self::with_zetan(min, items, theta, zetan)
    }

    /// As upstream's constructor that takes a precomputed zeta(n).
    pub fn with_zetan(base: u64, items: u64, theta: f64, zetan: f64) -> Zipfian {
        let zeta2theta = zeta(0, 2, theta, 0.0);
        let alpha = 1.0 / (1.0 - theta);
        let eta = (1.0 - (2.0 / items as f64).powf(1.0 - theta)) / (1.0 - zeta2theta / zetan);
        Zipfian {
            items,
            base,
            theta,
            zetan,
            zeta2theta,
            alpha,
            eta,
            count_for_zeta: items,
        }
    }

    /// `nextLong(itemcount)`: draws over the first `itemcount` items, updating zeta
    /// incrementally when the count grows (as the latest generator needs).
    pub fn next_over(&mut self, rng: &mut SmallRng, itemcount: u64) -> u64 {
        // As upstream: zeta grows incrementally with the item count; eta keeps the
        // constructor's item count; a smaller count changes nothing (allowitemcountdecrease
        // is false in CoreWorkload).
        if itemcount > self.count_for_zeta {
            self.zetan = zeta(self.count_for_zeta, itemcount, self.theta, self.zetan);
            self.count_for_zeta = itemcount;
            self.eta = (1.0 - (2.0 / self.items as f64).powf(1.0 - self.theta))
                / (1.0 - self.zeta2theta / self.zetan);
        }
        let u: f64 = rng.random();
        let uz = u * self.zetan;
        if uz < 1.0 {
            return self.base;
        }
        if uz < 1.0 + 0.5f64.powf(self.theta) {
            return self.base + 1;
        }
        self.base + (itemcount as f64 * (self.eta * u - self.eta + 1.0).powf(self.alpha)) as u64
    }

    pub fn next(&mut self, rng: &mut SmallRng) -> u64 {
        self.next_over(rng, self.items)
    }
}

/// Upstream's ScrambledZipfianGenerator: popular items scattered over the key space.
#[derive(Debug, Clone)]
pub struct ScrambledZipfian {
    min: u64,
    itemcount: u64,
    gen: Zipfian,
}

impl ScrambledZipfian {
    pub fn new(min: u64, max: u64, theta: f64) -> ScrambledZipfian {
        let gen = if theta == ZIPFIAN_CONSTANT {
            Zipfian::with_zetan(0, SCRAMBLED_ITEM_COUNT, theta, SCRAMBLED_ZETAN)
        } else {
            Zipfian::new(0, SCRAMBLED_ITEM_COUNT - 1, theta)
        };
        ScrambledZipfian {
            min,
            itemcount: max - min + 1,
            gen,
        }
    }

    pub fn next(&mut self, rng: &mut SmallRng) -> u64 {
        let r = self.gen.next(rng);
        self.min + fnvhash64(r) % self.itemcount
    }
}

/// Upstream's HotspotIntegerGenerator over `[lo, hi]`: a share `opn` of the draws is
/// uniform over the first `data` share of the items (the hot set, always the lowest
/// numbers), the rest uniform over the others.
#[derive(Debug, Clone, Copy)]
pub struct Hotspot {
    lo: u64,
    hot: u64,
    cold: u64,
    opn: f64,
}

impl Hotspot {
    /// As upstream's constructor: fractions outside [0, 1] become 0.
    pub fn new(lo: u64, hi: u64, data: f64, opn: f64) -> Hotspot {
        let clamp = |f: f64| if (0.0..=1.0).contains(&f) { f } else { 0.0 };
        let (lo, hi) = (lo.min(hi), lo.max(hi));
        let interval = hi - lo + 1;
        let hot = (interval as f64 * clamp(data)) as u64;
        Hotspot {
            lo,
            hot,
            cold: interval - hot,
            opn: clamp(opn),
        }
    }

    pub fn next(&self, rng: &mut SmallRng) -> u64 {
        // An empty hot (or cold) set draws from the other one; upstream would divide by 0.
        let hot = (rng.random::<f64>() < self.opn && self.hot > 0) || self.cold == 0;
        if hot {
            self.lo + crate::workload::keys::uniform(rng, self.hot)
        } else {
            self.lo + self.hot + crate::workload::keys::uniform(rng, self.cold)
        }
    }

    /// Upstream's `mean()`.
    pub fn mean(&self) -> f64 {
        self.opn * (self.lo as f64 + self.hot as f64 / 2.0)
            + (1.0 - self.opn) * (self.lo as f64 + self.hot as f64 + self.cold as f64 / 2.0)
    }
}

/// Upstream's ExponentialGenerator(percentile, range): `percentile`% of the draws fall
/// below `range`; CoreWorkload subtracts each draw from the newest acknowledged key.
#[derive(Debug, Clone, Copy)]
pub struct Exponential {
    pub gamma: f64,
}

impl Exponential {
    pub fn new(percentile: f64, range: f64) -> Exponential {
        Exponential {
            gamma: -(1.0 - percentile / 100.0).ln() / range,
        }
    }

    pub fn next(&self, rng: &mut SmallRng) -> u64 {
        let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
        (-u.ln() / self.gamma) as u64
    }
}

/// Key name as CoreWorkload's `buildKeyName`: "user" + (hashed ? fnvhash64(n) : n), left
/// padded with zeros to `zeropadding` digits. Written into `out` (cleared first).
pub fn key_name(keynum: u64, hashed: bool, zeropadding: usize, out: &mut Vec<u8>) {
    use std::io::Write;
    let n = if hashed { fnvhash64(keynum) } else { keynum };
    out.clear();
    out.extend_from_slice(b"user");
    let digits = if n == 0 { 1 } else { n.ilog10() as usize + 1 };
    for _ in digits..zeropadding {
        out.push(b'0');
    }
    let _ = write!(out, "{n}");
}

/// A scan length uniform in `[min, max]` (UniformLongGenerator).
#[inline]
pub fn scan_length(rng: &mut SmallRng, min: u64, max: u64) -> u64 {
    min + crate::workload::keys::uniform(rng, max - min + 1)
}

/// CoreWorkload's scan length chooser: UniformLongGenerator or ZipfianGenerator over
/// `[minscanlength, maxscanlength]` (zipfian: the shortest scans the most frequent).
#[derive(Debug, Clone)]
pub enum ScanLengths {
    Uniform { min: u64, max: u64 },
    Zipfian(Zipfian),
}

impl ScanLengths {
    pub fn new(s: &super::spec::YcsbSpec) -> ScanLengths {
        match s.scanlengthdistribution {
            super::spec::ScanLengthDistribution::Uniform => ScanLengths::Uniform {
                min: s.minscanlength,
                max: s.maxscanlength,
            },
            super::spec::ScanLengthDistribution::Zipfian => ScanLengths::Zipfian(Zipfian::new(
                s.minscanlength,
                s.maxscanlength,
                ZIPFIAN_CONSTANT,
            )),
        }
    }

    #[inline]
    pub fn next(&mut self, rng: &mut SmallRng) -> u64 {
        match self {
            ScanLengths::Uniform { min, max } => scan_length(rng, *min, *max),
            ScanLengths::Zipfian(z) => z.next(rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn key_names_match_upstream() {
        let mut k = Vec::new();
        key_name(0, true, 1, &mut k);
        assert_eq!(k, b"user6284781860667377211");
        key_name(5, false, 10, &mut k);
        assert_eq!(k, b"user0000000005");
        key_name(123, false, 1, &mut k);
        assert_eq!(k, b"user123");
    }

    #[test]
    fn zipfian_constants_match_upstream() {
        let z = Zipfian::new(0, 999, ZIPFIAN_CONSTANT);
        assert!((z.zetan - 7.728953217284729).abs() < 1e-9, "{}", z.zetan);
        assert!((z.eta - 0.074806086706898).abs() < 1e-12, "{}", z.eta);
    }

    #[test]
    fn zipfian_item0_frequency() {
        let mut z = Zipfian::new(0, 999, ZIPFIAN_CONSTANT);
        let mut rng = SmallRng::seed_from_u64(7);
        let n = 1_000_000;
        let hits = (0..n).filter(|_| z.next(&mut rng) == 0).count();
        let f = hits as f64 / n as f64;
        let expect = 1.0 / 7.728953217284729; // 12.938%
        assert!(
            (f - expect).abs() < 0.0015,
            "item 0 drawn {:.4}%",
            f * 100.0
        );
        assert!((0..10_000).all(|_| z.next(&mut rng) < 1000));
    }

    #[test]
    fn scrambled_zipfian_hottest_key() {
        // Workload A over 1000 records: the zipfian's item 0 maps to fnvhash64(0) % 1000.
        let mut z = ScrambledZipfian::new(0, 999, ZIPFIAN_CONSTANT);
        let mut rng = SmallRng::seed_from_u64(9);
        let mut counts = vec![0u32; 1000];
        for _ in 0..200_000 {
            counts[z.next(&mut rng) as usize] += 1;
        }
        let hottest = (0..1000).max_by_key(|&i| counts[i]).unwrap() as u64;
        assert_eq!(hottest, fnvhash64(0) % 1000);
        assert_eq!(hottest, 211);
    }

    #[test]
    fn zeta_fast_agrees_with_the_sums() {
        // Upstream's precomputed zeta(10^10, 0.99) for ScrambledZipfian.
        let z = zeta_fast(SCRAMBLED_ITEM_COUNT, ZIPFIAN_CONSTANT);
        assert!((z - SCRAMBLED_ZETAN).abs() < 1e-9, "{z}");
        // Against the full sum where it is affordable (4M terms), any constant.
        for theta in [0.5, 0.99, 1.2] {
            let n = 4 << 20;
            let exact = zeta(0, n, theta, 0.0);
            let fast = zeta_fast(n, theta);
            assert!(
                ((fast - exact) / exact).abs() < 1e-12,
                "{theta}: {fast} vs {exact}"
            );
        }
    }

    /// Zipfian with constants other than 0.99: setup for 1M items (and a scrambled zipfian
    /// over 10^10) well under a second; items 0 and 1 drawn at 1/zeta(n) and
    /// 2^-theta/zeta(n) as Gray's method defines them (within 5 standard deviations); the
    /// mass beyond the first 100 items within 0.01 of the exact zipfian's at 0.5. Gray's
    /// method draws items past the second from a continuous approximation, exact only as
    /// theta nears 0: at 1.2 its mass beyond item 100 is 0.302 where the exact zipfian has
    /// 0.317 (upstream's generator, which this is, has the same bias), so 0.02 there.
    #[test]
    fn zipfian_any_constant_sets_up_fast_and_draws_the_target_frequencies() {
        for theta in [0.5, 1.2] {
            let t = std::time::Instant::now();
            let mut z = Zipfian::new(0, 999_999, theta);
            let _s = ScrambledZipfian::new(0, 999_999, theta);
            let setup = t.elapsed().as_secs_f64();
            assert!(setup < 1.0, "theta {theta}: setup {setup:.3} s");
            let mut rng = SmallRng::seed_from_u64(3);
            let n = 1_000_000u64;
            let (mut c0, mut c1, mut tail) = (0u64, 0u64, 0u64);
            for _ in 0..n {
                let k = z.next(&mut rng);
                assert!(k < 1_000_000);
                c0 += u64::from(k == 0);
                c1 += u64::from(k == 1);
                tail += u64::from(k >= 100);
            }
            let zn = zeta(0, 1_000_000, theta, 0.0);
            for (got, p) in [(c0, 1.0 / zn), (c1, 0.5f64.powf(theta) / zn)] {
                let sd = (n as f64 * p * (1.0 - p)).sqrt();
                assert!(
                    (got as f64 - n as f64 * p).abs() < 5.0 * sd,
                    "theta {theta}: {got} draws, expected {:.0} (sd {sd:.0})",
                    n as f64 * p
                );
            }
            let exact_tail = 1.0 - zeta(0, 100, theta, 0.0) / zn;
            let got_tail = tail as f64 / n as f64;
            let bound = if theta < 1.0 { 0.01 } else { 0.02 };
            assert!(
                (got_tail - exact_tail).abs() < bound,
                "theta {theta}: mass beyond 100 items {got_tail:.4} vs {exact_tail:.4}"
            );
        }
    }

    /// Upstream's hotspot: opn of the draws in the lowest data share of the items, uniform
    /// within each set; the mean is upstream's mean().
    #[test]
    fn hotspot_shares_are_upstreams() {
        let h = Hotspot::new(0, 9_999, 0.2, 0.8);
        let mut rng = SmallRng::seed_from_u64(5);
        let n = 500_000;
        let (mut hot, mut sum) = (0u64, 0f64);
        let mut counts = vec![0u32; 10_000];
        for _ in 0..n {
            let k = h.next(&mut rng);
            hot += u64::from(k < 2_000);
            sum += k as f64;
            counts[k as usize] += 1;
        }
        let share = hot as f64 / n as f64;
        let sd = (0.8f64 * 0.2 / n as f64).sqrt();
        assert!((share - 0.8).abs() < 5.0 * sd, "{share}");
        let mean = sum / n as f64;
        assert!(
            (mean - h.mean()).abs() / h.mean() < 0.01,
            "{mean} vs {}",
            h.mean()
        );
        // Uniform within the hot set: about 0.8 / 2000 of the draws each.
        let hot_max = *counts[..2000].iter().max().unwrap() as f64 / n as f64;
        assert!(hot_max < 0.8 / 2000.0 * 1.5, "{hot_max}");
        // Out-of-range fractions become 0, as upstream: everything is cold.
        let cold = Hotspot::new(0, 99, 1.5, 0.8);
        assert!((0..1000).all(|_| cold.next(&mut rng) < 100));
    }

    /// Upstream's exponential: `percentile`% of draws below `range`, mean 1/gamma.
    #[test]
    fn exponential_percentile_is_upstreams() {
        let range = 1_000_000.0 * 0.8571428571;
        let e = Exponential::new(95.0, range);
        let mut rng = SmallRng::seed_from_u64(6);
        let n = 400_000;
        let below = (0..n).filter(|_| (e.next(&mut rng) as f64) < range).count();
        let share = below as f64 / n as f64;
        assert!(
            (share - 0.95).abs() < 5.0 * (0.95f64 * 0.05 / n as f64).sqrt(),
            "{share}"
        );
        assert!((1.0 / e.gamma - range / -(0.05f64).ln()).abs() < 1e-6);
    }

    #[test]
    fn fnv_is_as_upstream() {
        assert_eq!(fnvhash64(0), 6284781860667377211);
        assert_ne!(fnvhash64(1), fnvhash64(2));
    }
}
