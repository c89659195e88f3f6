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
        let zetan = zeta(0, items, theta, 0.0);
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
        if itemcount != self.count_for_zeta {
            if itemcount > self.count_for_zeta {
                self.zetan = zeta(self.count_for_zeta, itemcount, self.theta, self.zetan);
            } else {
                self.zetan = zeta(0, itemcount, self.theta, 0.0);
            }
            self.count_for_zeta = itemcount;
            self.eta = (1.0 - (2.0 / itemcount as f64).powf(1.0 - self.theta))
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
    fn fnv_is_as_upstream() {
        assert_eq!(fnvhash64(0), 6284781860667377211);
        assert_ne!(fnvhash64(1), fnvhash64(2));
    }
}
