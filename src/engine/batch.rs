//! Batched writes: capacity planning for `WriteBatch` and the transactional
//! [`BatchTransaction`] (begin / put / delete / commit / rollback).

use super::Engine;
use crate::error::Result;
use rocksdb::WriteBatch;

/// Bytes of a WriteBatch header (8-byte sequence number + 4-byte count).
const HEADER: usize = 12;

fn varint_len(mut v: usize) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Bytes one record takes in a WriteBatch's buffer: a tag byte, then the length-prefixed key
/// and, for a put, the length-prefixed value.
#[inline]
pub fn record_bytes(key_len: usize, value_len: Option<usize>) -> usize {
    1 + varint_len(key_len) + key_len + value_len.map_or(0, |v| varint_len(v) + v)
}

/// The exact buffer size a WriteBatch needs for these items, so it is allocated once.
pub fn batch_capacity<K: AsRef<[u8]>, V: AsRef<[u8]>>(items: &[(K, Option<V>)]) -> usize {
    HEADER
        + items
            .iter()
            .map(|(k, v)| record_bytes(k.as_ref().len(), v.as_ref().map(|v| v.as_ref().len())))
            .sum::<usize>()
}

/// The buffer size for `n` puts of fixed-size keys and values.
pub fn uniform_batch_capacity(n: usize, key_len: usize, value_len: usize) -> usize {
    HEADER + n * record_bytes(key_len, Some(value_len))
}

/// A group of writes that becomes visible all at once on [`commit`](Self::commit), or not
/// at all: [`rollback`](Self::rollback) and dropping without commit discard it.
#[must_use = "a BatchTransaction writes nothing until commit() is called"]
pub struct BatchTransaction<'a> {
    engine: &'a Engine,
    batch: WriteBatch,
}

impl<'a> BatchTransaction<'a> {
    pub(crate) fn new(engine: &'a Engine) -> Self {
        BatchTransaction {
            engine,
            batch: WriteBatch::default(),
        }
    }

    /// Stages a put.
    pub fn put(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> &mut Self {
        self.batch.put(key, value);
        self
    }

    /// Stages a put into column family `cf`: one commit is atomic across families.
    pub fn put_cf(
        &mut self,
        cf: super::Cf<'_>,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> &mut Self {
        cf.put_in(&mut self.batch, key.as_ref(), value.as_ref());
        self
    }

    /// Stages a delete.
    pub fn delete(&mut self, key: impl AsRef<[u8]>) -> &mut Self {
        self.batch.delete(key);
        self
    }

    /// Number of staged operations.
    pub fn len(&self) -> usize {
        self.batch.len()
    }

    pub fn is_empty(&self) -> bool {
        self.batch.is_empty()
    }

    /// Bytes staged so far (the WriteBatch's serialised size).
    pub fn size_in_bytes(&self) -> usize {
        self.batch.size_in_bytes()
    }

    /// Writes every staged operation atomically. On error nothing was applied and the error
    /// is returned; the staged operations are gone either way.
    pub fn commit(self) -> Result<()> {
        let BatchTransaction { engine, batch } = self;
        engine.write(batch)
    }

    /// Discards every staged operation. Dropping the transaction does the same.
    pub fn rollback(self) {}
}

/// Chooses a WriteBatch size while writing, by hill climbing on measured throughput.
///
/// It starts at `min` keys per batch and, after each window of batches, compares the
/// window's keys/s with the best seen so far: a gain of more than 5% doubles the size
/// (up to `max`); no such gain settles on the best size found. A window whose average
/// batch latency exceeds `max_batch_latency` halves the size whatever the throughput, so
/// batches never hold writers (and readers of fresh data) longer than that. A settled
/// batcher probes one size up again every `reprobe_windows` windows, so it follows a
/// workload that changes.
#[derive(Debug, Clone)]
pub struct AdaptiveBatcher {
    size: usize,
    min: usize,
    max: usize,
    max_batch_latency: std::time::Duration,
    window: usize,
    reprobe_windows: usize,
    // current window
    batches: usize,
    keys: u64,
    busy: std::time::Duration,
    // search state
    best_size: usize,
    best_rate: f64,
    settled: bool,
    windows_since_settle: usize,
}

impl AdaptiveBatcher {
    /// Gain a larger batch must bring to be kept.
    pub const MIN_GAIN: f64 = 1.05;

    pub fn new(min: usize, max: usize, max_batch_latency: std::time::Duration) -> Self {
        let min = min.max(1);
        AdaptiveBatcher {
            size: min,
            min,
            max: max.max(min),
            max_batch_latency,
            window: 8,
            reprobe_windows: 64,
            batches: 0,
            keys: 0,
            busy: std::time::Duration::ZERO,
            best_size: min,
            best_rate: 0.0,
            settled: false,
            windows_since_settle: 0,
        }
    }

    /// Keys to put in the next batch.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the search has stopped growing the batch.
    pub fn is_settled(&self) -> bool {
        self.settled
    }

    /// Reports one committed batch of `keys` keys that took `elapsed` to build and write.
    pub fn observe(&mut self, keys: usize, elapsed: std::time::Duration) {
        self.batches += 1;
        self.keys += keys as u64;
        self.busy += elapsed;
        if self.batches < self.window {
            return;
        }
        let rate = self.keys as f64 / self.busy.as_secs_f64().max(1e-9);
        let avg_latency = self.busy / self.batches as u32;
        self.batches = 0;
        self.keys = 0;
        self.busy = std::time::Duration::ZERO;

        if avg_latency > self.max_batch_latency && self.size > self.min {
            self.size = (self.size / 2).max(self.min);
            self.best_size = self.size;
            self.best_rate = 0.0;
            self.settled = true;
            self.windows_since_settle = 0;
            return;
        }
        if self.settled {
            if self.size == self.best_size {
                self.best_rate = rate; // track drift at the chosen size
                self.windows_since_settle += 1;
                if self.windows_since_settle >= self.reprobe_windows && self.size < self.max {
                    self.size = (self.size * 2).min(self.max);
                    self.windows_since_settle = 0;
                }
            } else if rate > self.best_rate * Self::MIN_GAIN {
                self.best_size = self.size;
                self.best_rate = rate;
                self.settled = false;
                self.size = (self.size * 2).min(self.max);
            } else {
                self.size = self.best_size;
            }
            return;
        }
        if rate > self.best_rate * Self::MIN_GAIN {
            self.best_size = self.size;
            self.best_rate = rate;
            if self.size < self.max {
                self.size = (self.size * 2).min(self.max);
            } else {
                self.settled = true;
            }
        } else {
            self.size = self.best_size;
            self.settled = true;
            self.windows_since_settle = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Feeds the batcher a cost model: `fixed` per batch plus `per_key` per key.
    fn drive(b: &mut AdaptiveBatcher, fixed_us: f64, per_key_us: f64, batches: usize) {
        for _ in 0..batches {
            let n = b.size();
            let us = fixed_us + per_key_us * n as f64;
            b.observe(n, Duration::from_nanos((us * 1000.0) as u64));
        }
    }

    #[test]
    fn grows_while_it_pays_then_settles() {
        // 100 µs per batch + 1 µs per key: gains fall under 5% past ~2000 keys.
        let mut b = AdaptiveBatcher::new(16, 100_000, Duration::from_secs(1));
        drive(&mut b, 100.0, 1.0, 8 * 20);
        assert!(b.is_settled());
        let s = b.size();
        assert!((1024..=4096).contains(&s), "settled at {s}");
    }

    #[test]
    fn respects_max_and_latency_budget() {
        let mut b = AdaptiveBatcher::new(1, 256, Duration::from_secs(1));
        drive(&mut b, 1000.0, 0.01, 8 * 20);
        assert_eq!(b.size(), 256, "all gain, capped at max");

        // 2 µs per key, at most 1 ms per batch: no more than 500 keys.
        let mut b = AdaptiveBatcher::new(64, 1 << 20, Duration::from_millis(1));
        drive(&mut b, 50.0, 2.0, 8 * 40);
        assert!(b.size() <= 512 && b.size() >= 128, "{}", b.size());
    }

    #[test]
    fn no_gain_stays_small() {
        // Pure per-key cost: batching brings nothing, so it stays at the minimum.
        let mut b = AdaptiveBatcher::new(10, 10_000, Duration::from_secs(1));
        drive(&mut b, 0.0, 5.0, 8 * 10);
        assert_eq!(b.size(), 10);
        assert!(b.is_settled());
    }

    #[test]
    fn capacity_counts_varints() {
        assert_eq!(record_bytes(16, Some(100)), 1 + 1 + 16 + 1 + 100);
        assert_eq!(record_bytes(200, None), 1 + 2 + 200);
        assert_eq!(uniform_batch_capacity(0, 16, 100), HEADER);
    }
}
