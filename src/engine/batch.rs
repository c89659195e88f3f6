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
    1 + varint_len(key_len)
        + key_len
        + value_len.map_or(0, |v| varint_len(v) + v)
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
