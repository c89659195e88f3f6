//! CoreWorkload's transaction insert sequence with upstream's AcknowledgedCounterGenerator:
//! key numbers are handed out from an atomic counter, each finished insert sets its slot in
//! a window of flags, and whoever wins a try-lock advances the acknowledged limit over the
//! run of set slots. No insert blocks on a lock and nothing is allocated per insert.

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Slots of the acknowledgement window (upstream's WINDOW_SIZE, 2^20): inserts may run this
/// far ahead of the oldest one not yet acknowledged.
pub const WINDOW: u64 = 1 << 20;
const MASK: u64 = WINDOW - 1;

/// Key numbers for inserts and the highest one below which every insert is written, so
/// readers never pick a key that is not written yet.
pub struct InsertSequence {
    next: AtomicU64,
    /// Highest key number with every key up to it acknowledged; `start - 1` at first (as a
    /// wrapping value when `start` is 0).
    limit: AtomicU64,
    window: Box<[AtomicBool]>,
    /// Held by the thread advancing `limit`; others skip (try-lock).
    advancing: AtomicBool,
    /// requestdistribution=sequential's counter, shared by every thread as upstream's one
    /// SequentialGenerator is.
    sequential: AtomicU64,
}

impl InsertSequence {
    /// A sequence whose first insert gets key number `start` (keys below it exist).
    pub fn new(start: u64) -> Self {
        InsertSequence {
            next: AtomicU64::new(start),
            limit: AtomicU64::new(start.wrapping_sub(1)),
            window: (0..WINDOW).map(|_| AtomicBool::new(false)).collect(),
            advancing: AtomicBool::new(false),
            sequential: AtomicU64::new(0),
        }
    }

    /// The next key number of requestdistribution=sequential (before the modulo).
    #[inline]
    pub fn next_sequential(&self) -> u64 {
        self.sequential.fetch_add(1, Ordering::Relaxed)
    }

    /// The key number for the next insert.
    #[inline]
    pub fn next(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// Highest key number with every key up to it written.
    #[inline]
    pub fn last_acknowledged(&self) -> u64 {
        self.limit.load(Ordering::Acquire)
    }

    /// Marks `n` as written. An error when `n` is a whole window ahead of the oldest insert
    /// not yet acknowledged (upstream's "Too many unacknowledged insertion keys").
    #[inline]
    pub fn acknowledge(&self, n: u64) -> Result<()> {
        // SeqCst on the slot, the lock and the recheck: a thread that sets its slot and then
        // finds the lock taken must be seen by the holder's recheck after it unlocks (a
        // store-then-load pattern on both sides, which acquire/release alone allows to miss).
        let slot = &self.window[(n & MASK) as usize];
        if slot.swap(true, Ordering::SeqCst) {
            return Err(Error::usage(format!(
                "too many unacknowledged YCSB inserts: key {n} is {WINDOW} ahead of the oldest insert not yet written"
            )));
        }
        // Whoever holds the lock advances; a slot set while it scans is picked up by the
        // next acknowledgement (or by this loop's recheck).
        while self
            .advancing
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            let mut limit = self.limit.load(Ordering::Relaxed);
            loop {
                let s = &self.window[(limit.wrapping_add(1) & MASK) as usize];
                if !s.swap(false, Ordering::AcqRel) {
                    break;
                }
                limit = limit.wrapping_add(1);
            }
            self.limit.store(limit, Ordering::Release);
            self.advancing.store(false, Ordering::SeqCst);
            let next = &self.window[(limit.wrapping_add(1) & MASK) as usize];
            if !next.load(Ordering::SeqCst) {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledges_in_order() {
        let seq = InsertSequence::new(10);
        assert_eq!(seq.last_acknowledged(), 9);
        let (a, b, c) = (seq.next(), seq.next(), seq.next());
        assert_eq!((a, b, c), (10, 11, 12));
        seq.acknowledge(12).unwrap();
        assert_eq!(seq.last_acknowledged(), 9);
        seq.acknowledge(10).unwrap();
        assert_eq!(seq.last_acknowledged(), 10);
        seq.acknowledge(11).unwrap();
        assert_eq!(seq.last_acknowledged(), 12);
    }

    #[test]
    fn a_window_ahead_is_refused() {
        let seq = InsertSequence::new(0);
        seq.acknowledge(5).unwrap();
        let e = seq.acknowledge(5 + WINDOW).unwrap_err().to_string();
        assert!(e.contains("unacknowledged"), "{e}");
        assert_eq!(
            seq.last_acknowledged(),
            u64::MAX,
            "nothing below 5 is written"
        );
    }

    #[test]
    fn threads_acknowledging_out_of_order_reach_every_key() {
        let seq = InsertSequence::new(1000);
        let per = 50_000u64;
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    let mut held = Vec::new();
                    for i in 0..per {
                        let n = seq.next();
                        // Hold some back and acknowledge them late, out of order.
                        if i % 7 == 0 {
                            held.push(n);
                        } else {
                            seq.acknowledge(n).unwrap();
                        }
                        assert!(seq.last_acknowledged() < 1000 + 4 * per);
                    }
                    for n in held.into_iter().rev() {
                        seq.acknowledge(n).unwrap();
                    }
                });
            }
        });
        // Acknowledgements that found the lock taken were picked up by the holder's recheck:
        // the limit reaches the last key without any further acknowledgement.
        assert_eq!(seq.last_acknowledged(), 1000 + 4 * per - 1);
    }
}
