//! Fields as upstream YCSB builds them: names (`fieldnameprefix` + i), their order in a
//! stored record (the iteration order of the Java `HashMap` CoreWorkload fills and the
//! RocksDB binding serialises), field lengths (`fieldlengthdistribution`: constant, uniform,
//! zipfian, histogram) and the deterministic values of `dataintegrity`.

use super::generators::{Zipfian, ZIPFIAN_CONSTANT};
use crate::error::{Error, Result};
use rand::rngs::SmallRng;
use serde::{Deserialize, Serialize};

/// Java's `String.hashCode` over ASCII (or Latin-1) bytes: `h = 31 h + c`, wrapping i32.
#[inline]
pub fn java_hash(bytes: &[u8]) -> i32 {
    bytes
        .iter()
        .fold(0i32, |h, &c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// The iteration order of a `java.util.HashMap<String, _>` created with `new HashMap<>()`
/// (capacity 16, load factor 0.75) after `keys` are put in order: buckets in index order,
/// `bucket = (h ^ (h >>> 16)) & (capacity - 1)`, insertion order within a bucket, the table
/// doubling when the size passes three quarters of the capacity (a split keeps the relative
/// order). Returns indexes into `keys`. Tree bins (9+ keys in one bucket of a table of 64
/// or more) are not modelled: `None` then.
pub fn java_hashmap_order(keys: &[String]) -> Option<Vec<usize>> {
    let spread = |k: &str| {
        let h = java_hash(k.as_bytes()) as u32;
        h ^ (h >> 16)
    };
    let hashes: Vec<u32> = keys.iter().map(|k| spread(k)).collect();
    let mut cap = 16usize;
    let mut table: Vec<Vec<usize>> = vec![Vec::new(); cap];
    let mut size = 0usize;
    let resize = |table: &mut Vec<Vec<usize>>, cap: &mut usize| {
        let ncap = *cap * 2;
        let mut nt: Vec<Vec<usize>> = vec![Vec::new(); ncap];
        for b in table.iter() {
            for &i in b {
                nt[hashes[i] as usize & (ncap - 1)].push(i);
            }
        }
        *table = nt;
        *cap = ncap;
    };
    for (i, k) in keys.iter().enumerate() {
        let b = hashes[i] as usize & (cap - 1);
        if table[b].iter().any(|&j| keys[j] == *k) {
            continue;
        }
        table[b].push(i);
        if table[b].len() >= 9 {
            // HashMap.treeifyBin: resizes a small table instead of treeifying.
            if cap < 64 {
                resize(&mut table, &mut cap);
            } else {
                return None;
            }
        }
        size += 1;
        if size > cap * 3 / 4 {
            resize(&mut table, &mut cap);
        }
    }
    Some(table.into_iter().flatten().collect())
}

/// `fieldlengthdistribution`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FieldLengthDistribution {
    /// Every field `fieldlength` bytes.
    #[default]
    Constant,
    /// UniformLongGenerator(minfieldlength, fieldlength), both ends included.
    Uniform,
    /// ZipfianGenerator(minfieldlength, fieldlength): short fields the most frequent.
    Zipfian,
    /// HistogramGenerator over `fieldlengthhistogram`.
    Histogram,
}

/// The longest field value a histogram may allow (64 MiB).
const MAX_FIELD_BYTES: u64 = 64 << 20;

/// A `fieldlengthhistogram` file as upstream's HistogramGenerator reads it: a first line
/// `BlockSize<TAB>n`, then `bucket<TAB>count` lines with buckets 0, 1, 2, ... in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldHistogram {
    pub block_size: u64,
    pub buckets: Vec<u64>,
}

impl FieldHistogram {
    /// Parses the file's text; errors name `origin` and the line, and say the format.
    pub fn parse(text: &str, origin: &str) -> Result<FieldHistogram> {
        let format = "upstream's HistogramGenerator format: a first line \"BlockSize<TAB>N\", then one \"bucket<TAB>count\" line per bucket, buckets 0, 1, 2, ... in order";
        let bad = |line: usize, what: &str| {
            Error::usage(format!(
                "fieldlengthhistogram {origin}:{line}: {what} ({format})"
            ))
        };
        let mut lines = text.lines().enumerate();
        let (_, first) = lines.next().ok_or_else(|| bad(1, "the file is empty"))?;
        let block_size = first
            .split_once('\t')
            .filter(|(k, _)| *k == "BlockSize")
            .and_then(|(_, v)| v.trim().parse::<u64>().ok())
            .ok_or_else(|| bad(1, &format!("expected \"BlockSize<TAB>N\", got {first:?}")))?;
        let mut buckets = Vec::new();
        for (i, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let (b, c) = line
                .split_once('\t')
                .and_then(|(b, c)| {
                    Some((
                        b.trim().parse::<usize>().ok()?,
                        c.trim().parse::<u64>().ok()?,
                    ))
                })
                .ok_or_else(|| {
                    bad(
                        i + 1,
                        &format!("expected \"bucket<TAB>count\", got {line:?}"),
                    )
                })?;
            if b != buckets.len() {
                return Err(bad(
                    i + 1,
                    &format!("bucket {b} where bucket {} comes next", buckets.len()),
                ));
            }
            buckets.push(c);
        }
        if buckets.iter().sum::<u64>() == 0 {
            return Err(bad(1, "no bucket has a count above 0"));
        }
        // The longest field, (buckets) x BlockSize bytes, is allocated per thread.
        let longest = (buckets.len() as u64).checked_mul(block_size);
        if longest.is_none_or(|l| l > MAX_FIELD_BYTES) {
            return Err(bad(
                1,
                &format!(
                    "BlockSize {block_size} x {} buckets allows fields longer than {} MiB: use fewer buckets or a smaller BlockSize",
                    buckets.len(),
                    MAX_FIELD_BYTES >> 20
                ),
            ));
        }
        Ok(FieldHistogram {
            block_size,
            buckets,
        })
    }

    /// The mean of the values [`FieldLengths`] draws: upstream's nextValue returns
    /// `(i + 1) × BlockSize` for the first bucket where the running count reaches a uniform
    /// draw in `[0, area)`, and `(n − 1) × BlockSize` past the second-to-last bucket.
    pub fn mean_drawn(&self) -> f64 {
        let b = &self.buckets;
        let n = b.len();
        let area: u64 = b.iter().sum();
        let bs = self.block_size as f64;
        // Draw u in [0, area): bucket i (below the last) takes the draws up to its running
        // count: b[0] + 1 draws for i = 0 (u = 0 included), b[i] for the others, and the
        // rest fall past them to (n - 1) x BlockSize.
        if n <= 1 {
            return 0.0;
        }
        let mut sum = 0.0;
        let mut taken = 0u64;
        for (i, &c) in b[..n - 1].iter().enumerate() {
            let draws = if i == 0 {
                (c + 1).min(area)
            } else {
                c.min(area - taken)
            };
            sum += draws as f64 * (i + 1) as f64 * bs;
            taken += draws;
        }
        sum += (area - taken) as f64 * (n - 1) as f64 * bs;
        sum / area as f64
    }

    /// Upstream's nextValue for the uniform draw `number` in `[0, area)`.
    #[cfg(test)]
    fn value(&self, mut number: u64) -> u64 {
        let n = self.buckets.len();
        let mut i = 0;
        while i + 1 < n {
            if number <= self.buckets[i] {
                return (i as u64 + 1) * self.block_size;
            }
            number -= self.buckets[i];
            i += 1;
        }
        i as u64 * self.block_size
    }
}

/// Draws field lengths as the configured generator.
#[derive(Debug, Clone)]
pub enum FieldLengths {
    Constant(usize),
    Uniform {
        lo: u64,
        n: u64,
    },
    Zipfian(Zipfian),
    /// Cumulative bucket counts (up to the second-to-last bucket), block size, area.
    Histogram {
        cum: Vec<u64>,
        block: u64,
        area: u64,
    },
}

impl FieldLengths {
    pub fn new(
        d: FieldLengthDistribution,
        min: usize,
        max: usize,
        hist: Option<&FieldHistogram>,
    ) -> FieldLengths {
        match (d, hist) {
            (FieldLengthDistribution::Uniform, _) => FieldLengths::Uniform {
                lo: min as u64,
                n: (max - min) as u64 + 1,
            },
            (FieldLengthDistribution::Zipfian, _) => {
                FieldLengths::Zipfian(Zipfian::new(min as u64, max as u64, ZIPFIAN_CONSTANT))
            }
            (FieldLengthDistribution::Histogram, Some(h)) => {
                let n = h.buckets.len();
                let mut acc = 0;
                let cum = h.buckets[..n.saturating_sub(1)]
                    .iter()
                    .map(|b| {
                        acc += b;
                        acc
                    })
                    .collect();
                FieldLengths::Histogram {
                    cum,
                    block: h.block_size,
                    area: h.buckets.iter().sum(),
                }
            }
            _ => FieldLengths::Constant(max),
        }
    }

    /// The constant length, when every field has it.
    pub fn constant(&self) -> Option<usize> {
        match self {
            FieldLengths::Constant(n) => Some(*n),
            _ => None,
        }
    }

    #[inline]
    pub fn next(&mut self, rng: &mut SmallRng) -> usize {
        use crate::workload::keys::uniform;
        match self {
            FieldLengths::Constant(n) => *n,
            FieldLengths::Uniform { lo, n } => (*lo + uniform(rng, *n)) as usize,
            FieldLengths::Zipfian(z) => z.next(rng) as usize,
            FieldLengths::Histogram { cum, block, area } => {
                // The first bucket i (below the last) whose running count reaches the draw
                // gives (i + 1) x block; past them all, (n - 1) x block.
                let number = uniform(rng, *area);
                let i = cum.partition_point(|&c| c < number);
                if i < cum.len() {
                    (i as u64 + 1) as usize * *block as usize
                } else {
                    cum.len() * *block as usize
                }
            }
        }
    }
}

/// CoreWorkload's `buildDeterministicValue(key, fieldkey)` with `dataintegrity`: `key:field`,
/// then while shorter than `size`, `':'` and the Java hashCode of everything so far (signed
/// decimal), cut to `size`. Written into `out` (cleared first); no allocation once `out`
/// has grown.
pub fn deterministic_value(key: &[u8], field: &[u8], size: usize, out: &mut Vec<u8>) {
    use std::io::Write;
    out.clear();
    out.extend_from_slice(key);
    out.push(b':');
    out.extend_from_slice(field);
    let mut h = java_hash(out);
    while out.len() < size {
        out.push(b':');
        h = h.wrapping_mul(31).wrapping_add(b':' as i32);
        let at = out.len();
        let _ = write!(out, "{h}");
        h = out[at..]
            .iter()
            .fold(h, |h, &c| h.wrapping_mul(31).wrapping_add(c as i32));
    }
    out.truncate(size);
}

/// The (name, value) pairs of a record in the RocksDB binding's layout (4-byte big-endian
/// name length, name, 4-byte big-endian value length, value), in stored order; stops at
/// the first malformed field (then [`FieldIter::malformed`] is set).
pub struct FieldIter<'a> {
    bytes: &'a [u8],
    at: usize,
    pub malformed: bool,
}

impl<'a> FieldIter<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        FieldIter {
            bytes,
            at: 0,
            malformed: false,
        }
    }

    fn take(&mut self) -> Option<&'a [u8]> {
        let b = self.bytes;
        let n = u32::from_be_bytes(b.get(self.at..self.at + 4)?.try_into().ok()?) as usize;
        let s = b.get(self.at + 4..self.at + 4 + n)?;
        self.at += 4 + n;
        Some(s)
    }
}

impl<'a> Iterator for FieldIter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.bytes.len() || self.malformed {
            return None;
        }
        let r = self.take().and_then(|n| Some((n, self.take()?)));
        if r.is_none() {
            self.malformed = true;
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn names(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    /// Orders computed on a JVM (java.util.HashMap keySet, JDK 17) for upstream's default
    /// fields and for 20 fields (one resize, 16 -> 32).
    #[test]
    fn hashmap_order_is_javas() {
        let order = |n: usize| -> Vec<String> {
            let k = names("field", n);
            java_hashmap_order(&k)
                .unwrap()
                .into_iter()
                .map(|i| k[i].clone())
                .collect()
        };
        assert_eq!(
            order(10).join(" "),
            "field1 field0 field7 field6 field9 field8 field3 field2 field5 field4"
        );
        assert_eq!(
            order(20).join(" "),
            "field19 field17 field18 field11 field12 field1 field0 field10 field15 field16 field13 field14 field7 field6 field9 field8 field3 field2 field5 field4"
        );
        assert_eq!(java_hash(b"field0"), -1274708362);
        // Every order is a permutation.
        for n in 1..200 {
            let mut o = java_hashmap_order(&names("f", n)).unwrap();
            o.sort_unstable();
            assert_eq!(o, (0..n).collect::<Vec<_>>());
        }
    }

    /// Upstream's buildDeterministicValue, checked on a JVM.
    #[test]
    fn deterministic_values_are_upstreams() {
        let mut v = Vec::new();
        deterministic_value(b"user1", b"field3", 40, &mut v);
        assert_eq!(v, b"user1:field3:-1268391123:-559500112:-142");
        deterministic_value(b"user1", b"field3", 10, &mut v);
        assert_eq!(v, b"user1:fiel");
    }

    /// HistogramGenerator's quirks: counts [5, 3, 2, 4] with block 100 give 100 with
    /// probability 6/14, 200 with 3/14, 300 with 5/14, never 400.
    #[test]
    fn histogram_lengths_follow_upstreams_next_value() {
        let h = FieldHistogram::parse("BlockSize\t100\n0\t5\n1\t3\n2\t2\n3\t4\n", "h").unwrap();
        assert_eq!(h.buckets, [5, 3, 2, 4]);
        let exact: Vec<u64> = (0..14).map(|u| h.value(u)).collect();
        let share = |v: u64| exact.iter().filter(|&&x| x == v).count();
        assert_eq!(
            (share(100), share(200), share(300), share(400)),
            (6, 3, 5, 0)
        );
        let mut g = FieldLengths::new(FieldLengthDistribution::Histogram, 1, 100, Some(&h));
        let mut rng = SmallRng::seed_from_u64(4);
        let n = 140_000;
        let mut counts = std::collections::HashMap::new();
        for _ in 0..n {
            *counts.entry(g.next(&mut rng)).or_insert(0u32) += 1;
        }
        for (v, p) in [(100, 6.0 / 14.0), (200, 3.0 / 14.0), (300, 5.0 / 14.0)] {
            let got = f64::from(counts[&v]) / n as f64;
            let sd = (p * (1.0 - p) / n as f64).sqrt();
            assert!((got - p).abs() < 5.0 * sd, "{v}: {got} vs {p}");
        }
        assert_eq!(counts.len(), 3);
        assert!((h.mean_drawn() - (600.0 + 600.0 + 1500.0) / 14.0).abs() < 1e-9);
        // The one-pass mean equals the mean over every draw, whatever the counts.
        for counts in [
            vec![0, 0, 5],
            vec![7],
            vec![3, 0],
            vec![0, 9, 1, 0, 4],
            vec![2, 2, 2, 2],
        ] {
            let h = FieldHistogram {
                block_size: 10,
                buckets: counts.clone(),
            };
            let area: u64 = counts.iter().sum();
            if area == 0 {
                continue;
            }
            let brute = (0..area).map(|u| h.value(u) as f64).sum::<f64>() / area as f64;
            assert!((h.mean_drawn() - brute).abs() < 1e-9, "{counts:?}");
        }
        for (text, needle) in [
            ("", "empty"),
            ("Blocksize\t10\n0\t1\n", "BlockSize"),
            ("BlockSize\t10\n1\t1\n", "bucket 1 where bucket 0"),
            ("BlockSize\t10\n0 1\n", "bucket<TAB>count"),
            ("BlockSize\t10\n0\t0\n", "no bucket"),
            ("BlockSize\t100000000\n0\t1\n", "longer than 64 MiB"),
            (
                "BlockSize\t18446744073709551615\n0\t1\n1\t1\n",
                "smaller BlockSize",
            ),
        ] {
            let e = FieldHistogram::parse(text, "hist.txt")
                .unwrap_err()
                .to_string();
            assert!(
                e.contains(needle) && e.contains("hist.txt"),
                "{text:?}: {e}"
            );
        }
    }

    /// Means of the drawn lengths against upstream's generators' definitions.
    #[test]
    fn field_length_means() {
        let mut rng = SmallRng::seed_from_u64(9);
        let n = 200_000;
        let mean = |g: &mut FieldLengths, rng: &mut SmallRng| {
            (0..n).map(|_| g.next(rng) as f64).sum::<f64>() / n as f64
        };
        let mut u = FieldLengths::new(FieldLengthDistribution::Uniform, 1, 100, None);
        // Uniform over 1..=100: mean 50.5, sd 28.87.
        let m = mean(&mut u, &mut rng);
        assert!((m - 50.5).abs() < 5.0 * 28.87 / (n as f64).sqrt(), "{m}");
        let mut z = FieldLengths::new(FieldLengthDistribution::Zipfian, 1, 100, None);
        // Zipfian(1, 100) at 0.99: P(k) = k^-0.99 / zeta(100) for k = 1..100 (Gray's
        // approximation beyond the first two items); mean of the exact law 19.9.
        let zeta100 = super::super::generators::zeta(0, 100, 0.99, 0.0);
        let exact: f64 = (1..=100)
            .map(|k| k as f64 * (k as f64).powf(-0.99))
            .sum::<f64>()
            / zeta100;
        let m = mean(&mut z, &mut rng);
        assert!((m - exact).abs() < 0.05 * exact, "{m} vs {exact}");
        let mut c = FieldLengths::new(FieldLengthDistribution::Constant, 1, 100, None);
        assert_eq!(mean(&mut c, &mut rng), 100.0);
    }

    #[test]
    fn field_iter_reads_the_bindings_layout() {
        let mut b = Vec::new();
        for (n, v) in [("a", "xy"), ("bb", "")] {
            b.extend_from_slice(&(n.len() as u32).to_be_bytes());
            b.extend_from_slice(n.as_bytes());
            b.extend_from_slice(&(v.len() as u32).to_be_bytes());
            b.extend_from_slice(v.as_bytes());
        }
        let f: Vec<_> = FieldIter::new(&b).collect();
        assert_eq!(f, [(&b"a"[..], &b"xy"[..]), (&b"bb"[..], &b""[..])]);
        let mut it = FieldIter::new(&b[..b.len() - 2]);
        assert_eq!(it.by_ref().count(), 1);
        assert!(it.malformed);
    }
}
