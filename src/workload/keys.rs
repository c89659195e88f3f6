//! db_bench-compatible keys and values.
//!
//! Keys: the key number as 8 big-endian bytes (so byte order is numeric order) followed by
//! `'0'` padding up to `key_size`, exactly as db_bench's `GenerateKeyFromInt` without
//! prefixes. Values: windows into a 1 MiB buffer of 100-byte fragments, each fragment
//! `max(1, 100 * compressibility)` random bytes (0..127) repeated to fill 100 bytes, as
//! db_bench's `RandomGenerator` does. At the default compressibility 0.5 a codec gets about 2x.

use rand::rngs::SmallRng;
use rand::{Rng, RngCore, SeedableRng};

/// Smallest key rdbtune generates: the 8-byte key number.
pub const MIN_KEY_SIZE: usize = 8;

/// Writes key number `n` into the first 8 bytes of `buf`; the rest of `buf` must already hold
/// the padding (see [`key_buffer`]).
#[inline(always)]
pub fn encode_key(n: u64, buf: &mut [u8]) {
    buf[..8].copy_from_slice(&n.to_be_bytes());
}

/// A reusable key buffer of `key_size` bytes, padded with `'0'`.
pub fn key_buffer(key_size: usize) -> Vec<u8> {
    vec![b'0'; key_size.max(MIN_KEY_SIZE)]
}

/// How key numbers become keys: db_bench's `GenerateKeyFromInt`. Without prefixes the key
/// number's 8 big-endian bytes, then `'0'` padding. With `keys_per_prefix` k > 0 and
/// `prefix_size` p: first the prefix number `n % (num / k)` as min(p, 8) big-endian bytes
/// (`'0'` padding up to p), then the key number's 8 bytes, then padding (so every prefix
/// holds about k of the num keys, spread over the key space).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyFormat {
    /// num / keys_per_prefix; 0 without prefixes.
    num_prefix: u64,
    prefix_size: usize,
}

impl KeyFormat {
    /// The format of a phase over `num` keys (`keys_per_prefix` 0: no prefix).
    pub fn new(num: u64, keys_per_prefix: u64, prefix_size: usize) -> KeyFormat {
        if keys_per_prefix == 0 || prefix_size == 0 {
            return KeyFormat::default();
        }
        KeyFormat {
            num_prefix: (num / keys_per_prefix).max(1),
            prefix_size,
        }
    }

    /// Writes key number `n` into `buf` (a [`key_buffer`], whose padding is in place).
    #[inline(always)]
    pub fn encode(&self, n: u64, buf: &mut [u8]) {
        if self.num_prefix == 0 {
            encode_key(n, buf);
            return;
        }
        let prefix = n % self.num_prefix;
        let pb = self.prefix_size.min(8);
        buf[..pb].copy_from_slice(&prefix.to_be_bytes()[8 - pb..]);
        let p = self.prefix_size;
        buf[p..p + 8].copy_from_slice(&n.to_be_bytes());
    }
}

/// Key number of a key produced by [`encode_key`].
pub fn decode_key(key: &[u8]) -> Option<u64> {
    key.get(..8)
        .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes")))
}

/// Size of db_bench's value buffer.
const VALUE_BUFFER: usize = 1 << 20;
const FRAGMENT: usize = 100;

/// Compressible values, db_bench style. Each worker thread owns one.
pub struct ValueGen {
    data: Vec<u8>,
    pos: usize,
}

impl ValueGen {
    /// `compressibility` is the fraction of each fragment that is random (db_bench's
    /// `--compression_ratio`): 1.0 is incompressible, 0.5 about 2x, 0.1 about 10x.
    pub fn new(compressibility: f64, max_value_size: usize, seed: u64) -> ValueGen {
        let mut rng = SmallRng::seed_from_u64(seed);
        let raw = ((FRAGMENT as f64 * compressibility) as usize).max(1);
        let total = VALUE_BUFFER.max(max_value_size);
        let mut data = Vec::with_capacity(total + FRAGMENT);
        let mut piece = vec![0u8; raw];
        while data.len() < total {
            for b in piece.iter_mut() {
                *b = rng.random_range(0..127u8);
            }
            let start = data.len();
            while data.len() - start < FRAGMENT {
                let take = (FRAGMENT - (data.len() - start)).min(raw);
                data.extend_from_slice(&piece[..take]);
            }
        }
        ValueGen { data, pos: 0 }
    }

    /// Bytes as upstream YCSB's RandomByteIterator makes field values: printable ASCII, six
    /// bytes from each random 32-bit number, taking 5, 6, 6 (mask 95), 5, 6, 6 (mask 95) of
    /// its bits in turn and adding them to ' ' (so byte values 32..127, about 5.7 bits of
    /// entropy a byte where db_bench's generator has 7).
    pub fn ycsb_ascii(max_value_size: usize, seed: u64) -> ValueGen {
        let mut rng = SmallRng::seed_from_u64(seed);
        let total = VALUE_BUFFER.max(max_value_size);
        let mut data = Vec::with_capacity(total + 6);
        while data.len() < total {
            let b: u32 = rng.random();
            data.extend_from_slice(&[
                (b & 31) as u8 + b' ',
                ((b >> 5) & 63) as u8 + b' ',
                ((b >> 10) & 95) as u8 + b' ',
                ((b >> 15) & 31) as u8 + b' ',
                ((b >> 20) & 63) as u8 + b' ',
                ((b >> 25) & 95) as u8 + b' ',
            ]);
        }
        ValueGen { data, pos: 0 }
    }

    /// The next `len` bytes of the buffer, wrapping to the start when it runs out.
    #[inline]
    pub fn next(&mut self, len: usize) -> &[u8] {
        if self.pos + len > self.data.len() {
            self.pos = 0;
        }
        let s = self.pos;
        self.pos += len;
        &self.data[s..s + len]
    }
}

/// A uniform number in `[0, n)` by Lemire's multiply-shift (no division, no allocation).
#[inline(always)]
pub fn uniform(rng: &mut SmallRng, n: u64) -> u64 {
    ((rng.next_u64() as u128 * n as u128) >> 64) as u64
}

/// A pseudo-random permutation of `[0, n)` (a 4-round Feistel network with cycle walking):
/// `filluniquerandom` writes every key exactly once, in random order, without a table of `n`
/// entries.
#[derive(Debug, Clone)]
pub struct Permutation {
    n: u64,
    half_bits: u32,
    mask: u64,
    round_keys: [u64; 4],
}

impl Permutation {
    pub fn new(n: u64, seed: u64) -> Permutation {
        let bits = 64 - n.max(2).saturating_sub(1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        let mut rng = SmallRng::seed_from_u64(seed);
        Permutation {
            n,
            half_bits,
            mask: (1u64 << half_bits) - 1,
            round_keys: [
                rng.next_u64(),
                rng.next_u64(),
                rng.next_u64(),
                rng.next_u64(),
            ],
        }
    }

    #[inline]
    fn round(x: u64, k: u64) -> u64 {
        let mut h = (x ^ k).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^= h >> 29;
        h.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (h >> 32)
    }

    /// The `i`-th element of the permutation, `i < n`.
    #[inline]
    pub fn get(&self, i: u64) -> u64 {
        debug_assert!(i < self.n);
        let mut x = i;
        loop {
            let mut l = x >> self.half_bits;
            let mut r = x & self.mask;
            for k in self.round_keys {
                let nl = r;
                r = l ^ (Self::round(r, k) & self.mask);
                l = nl;
            }
            x = (l << self.half_bits) | r;
            if x < self.n {
                return x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// db_bench's GenerateKeyFromInt with keys_per_prefix 10 over 1000 keys and an 8-byte
    /// prefix in 24-byte keys: prefix n % 100 big-endian, the key number, '0' padding; keys
    /// with the same prefix number share their first 8 bytes.
    #[test]
    fn prefixed_keys_are_db_benchs() {
        let f = KeyFormat::new(1000, 10, 8);
        let mut k = key_buffer(24);
        f.encode(1234 % 1000 + 100, &mut k);
        let n: u64 = 334;
        assert_eq!(&k[..8], &(n % 100).to_be_bytes());
        assert_eq!(&k[8..16], &n.to_be_bytes());
        assert_eq!(&k[16..], b"00000000");
        let mut other = key_buffer(24);
        f.encode(434, &mut other);
        assert_eq!(k[..8], other[..8], "334 and 434 share prefix 34");
        assert_ne!(k, other);
        // A 12-byte prefix: 8 bytes of prefix number, then 4 of '0'.
        let f = KeyFormat::new(1000, 10, 12);
        let mut k = key_buffer(24);
        f.encode(7, &mut k);
        assert_eq!(&k[..8], &7u64.to_be_bytes());
        assert_eq!(&k[8..12], b"0000");
        assert_eq!(&k[12..20], &7u64.to_be_bytes());
        // A 3-byte prefix: the low 3 bytes of the prefix number.
        let f = KeyFormat::new(1 << 30, 1, 3);
        let mut k = key_buffer(16);
        f.encode(0x0102_0304, &mut k);
        assert_eq!(&k[..3], &[0x02, 0x03, 0x04]);
        // Without prefixes: the plain layout.
        let mut a = key_buffer(16);
        let mut b = key_buffer(16);
        KeyFormat::new(1000, 0, 8).encode(5, &mut a);
        encode_key(5, &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn keys_match_db_bench_layout() {
        let mut k = key_buffer(16);
        encode_key(0x0102, &mut k);
        assert_eq!(&k[..8], &[0, 0, 0, 0, 0, 0, 1, 2]);
        assert_eq!(&k[8..], b"00000000");
        assert_eq!(decode_key(&k), Some(0x0102));
        let mut a = key_buffer(16);
        let mut b = key_buffer(16);
        encode_key(255, &mut a);
        encode_key(256, &mut b);
        assert!(a < b, "byte order is numeric order");
    }

    #[test]
    fn values_have_requested_redundancy() {
        // YCSB's ASCII bytes: 32..127, each position of a 6-byte group with its mask's
        // values (32, 64, 64, 32, 64, 64 distinct).
        let y = ValueGen::ycsb_ascii(100, 3);
        assert!(y.data.iter().all(|b| (32..128).contains(b)));
        for (i, want) in [32usize, 64, 64, 32, 64, 64].into_iter().enumerate() {
            let seen: std::collections::HashSet<u8> =
                y.data.iter().skip(i).step_by(6).copied().collect();
            assert_eq!(seen.len(), want, "position {i}");
        }
        let mut g = ValueGen::new(0.5, 100, 1);
        let v = g.next(100).to_vec();
        // 50 random bytes then the same 50 again.
        assert_eq!(v[..50], v[50..]);
        assert!(v.iter().all(|&b| b < 127));
        let distinct: std::collections::HashSet<u8> = v.iter().copied().collect();
        assert!(
            distinct.len() > 20,
            "not all-zero or constant: {}",
            distinct.len()
        );
        let mut g1 = ValueGen::new(1.0, 100, 1);
        let w = g1.next(100).to_vec();
        assert_ne!(w[..50], w[50..]);
    }

    #[test]
    fn value_windows_wrap() {
        let mut g = ValueGen::new(0.5, 1000, 7);
        // 1 MiB rounded up to whole 100-byte fragments: 10,486 of them.
        assert_eq!(g.data.len(), 1_048_600);
        let first = g.next(1000).to_vec();
        // Windows follow one another through the buffer: the 1,048 that fit...
        let fit = g.data.len() / 1000;
        for i in 1..fit {
            let v = g.next(1000).to_vec();
            assert_eq!(v[..], g.data[i * 1000..(i + 1) * 1000], "window {i}");
            assert_ne!(v, first, "window {i} is the first again before the end");
        }
        // ...then the one that would run past the end starts over at the beginning.
        assert_eq!(g.next(1000), &first[..], "wraps to the start");
        let second = g.next(1000).to_vec();
        assert_eq!(second[..], g.data[1000..2000], "and goes on from there");
        let mut g2 = ValueGen::new(0.5, 1000, 7);
        assert_eq!(g2.next(1000), &first[..], "seeded: same values every run");
    }

    #[test]
    fn permutation_is_a_bijection() {
        for n in [1u64, 2, 3, 10, 1000, 4097] {
            let p = Permutation::new(n, 42);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let x = p.get(i);
                assert!(x < n);
                assert!(!seen[x as usize], "n={n}: {x} twice");
                seen[x as usize] = true;
            }
        }
        let p = Permutation::new(1000, 42);
        let moved = (0..1000).filter(|&i| p.get(i) != i).count();
        assert!(moved > 900, "looks shuffled: {moved}");
    }

    #[test]
    fn uniform_stays_in_range() {
        let mut rng = SmallRng::seed_from_u64(3);
        let mut hits = [0u32; 10];
        for _ in 0..100_000 {
            hits[uniform(&mut rng, 10) as usize] += 1;
        }
        assert!(
            hits.iter().all(|&h| (9_000..11_000).contains(&h)),
            "{hits:?}"
        );
    }
}
