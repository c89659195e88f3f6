//! The measured loops of the db_bench-style workloads. Each worker thread owns its RNG, its
//! key buffer and its value generator; an op builds its key in place, calls the engine once
//! and returns an [`OpOutcome`] for the recorder. Nothing here allocates per op except the
//! WriteBatch buffer of a batched write (sized exactly up front in `presized` mode).

use super::driver::{share, Shared};
use super::recorder::{OpOutcome, Recorder, ThreadTotals};
use super::route::{Group, Router};
use super::ycsb;
use crate::engine::batch::uniform_batch_capacity;
use crate::engine::{AdaptiveBatcher, Engine, WriteBatch};
use crate::error::{Error, Result};
use crate::signals;
use crate::workload::keys::{key_buffer, uniform, KeyFormat, Permutation, ValueGen};
use crate::workload::{BatchMode, OpKind, PhaseSpec, ValueSizeDistribution, Workload};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Longest a batch may take before the adaptive sizer halves it.
pub const ADAPTIVE_MAX_BATCH_LATENCY: Duration = Duration::from_millis(50);

/// One worker thread's reusable state.
struct Thread<'a> {
    e: &'a Engine,
    spec: &'a PhaseSpec,
    rng: SmallRng,
    vals: ValueGen,
    key: Vec<u8>,
    /// Key numbers to keys (db_bench's GenerateKeyFromInt, prefixes included).
    kf: KeyFormat,
    route: Router<'a>,
}

impl<'a> Thread<'a> {
    fn new(e: &'a Engine, spec: &'a PhaseSpec, seed: u64) -> Self {
        Thread {
            e,
            spec,
            rng: SmallRng::seed_from_u64(seed),
            vals: ValueGen::new(spec.compressibility, spec.max_value_size(), seed ^ 0x301),
            key: key_buffer(spec.key_size),
            kf: spec.key_format(),
            route: Router::new(e, spec),
        }
    }

    /// A uniform number in [0, n).
    #[inline(always)]
    fn uniform(&mut self, n: u64) -> u64 {
        uniform(&mut self.rng, n)
    }

    /// The next value's size: `value_size`, or a draw from the phase's distribution.
    #[inline(always)]
    fn value_len(&mut self) -> usize {
        let s = self.spec;
        match s.value_size_distribution {
            ValueSizeDistribution::Fixed => s.value_size,
            ValueSizeDistribution::Uniform => {
                s.value_size_min
                    + self.uniform((s.value_size_max - s.value_size_min) as u64 + 1) as usize
            }
            ValueSizeDistribution::Normal => {
                let (lo, hi) = (s.value_size_min as f64, s.value_size_max as f64);
                let z = standard_normal(&mut self.rng);
                ((lo + hi) / 2.0 + z * (hi - lo) / 6.0)
                    .round()
                    .clamp(lo, hi) as usize
            }
        }
    }

    /// A read's key in group `g`: uniform, or db_bench's `--read_random_exp_range` skew.
    #[inline(always)]
    fn read_key(&mut self, g: &Group<'a>) -> u64 {
        let range = self.spec.read_random_exp_range;
        if range > 0.0 {
            g.lo + exp_range_key(&mut self.rng, g.size, range)
        } else {
            Router::key_in(g, &mut self.rng)
        }
    }

    /// The group of the next op and a uniform key in it.
    #[inline(always)]
    fn random_key(&mut self) -> (Group<'a>, u64) {
        random_in_group(&mut self.rng, &self.route)
    }

    /// Writes `n` keys chosen by `pick` (each with its group) as one WriteBatch (a single
    /// put when n == 1).
    #[inline(always)]
    fn write_keys(
        &mut self,
        n: u64,
        mut pick: impl FnMut(&mut SmallRng, &Router<'a>) -> (Group<'a>, u64),
    ) -> Result<OpOutcome> {
        let ks = self.key.len();
        if n == 1 {
            let (g, k) = pick(&mut self.rng, &self.route);
            self.kf.encode(k, &mut self.key);
            let vs = self.value_len();
            self.e.put_cf(g.cf, &self.key, self.vals.next(vs))?;
            return Ok(OpOutcome::new(OpKind::Write, 1, (ks + vs) as u64, None).in_group(g.index));
        }
        // Sized for the mean value (exact when every value has value_size bytes; with drawn
        // sizes RocksDB grows the buffer when the draws run above the mean).
        let mut b = match self.spec.batch_mode {
            BatchMode::Default => WriteBatch::default(),
            _ => WriteBatch::with_capacity_bytes(uniform_batch_capacity(
                n as usize,
                ks,
                self.spec.mean_value_size(),
            )),
        };
        let (mut first, mut bytes) = (None, 0);
        for _ in 0..n {
            let (g, k) = pick(&mut self.rng, &self.route);
            first.get_or_insert(g.index);
            self.kf.encode(k, &mut self.key);
            let vs = self.value_len();
            bytes += ks + vs;
            g.cf.put_in(&mut b, &self.key, self.vals.next(vs));
        }
        self.e.write(b)?;
        Ok(OpOutcome::new(OpKind::BatchWrite, n, bytes as u64, None).in_group(first.unwrap_or(0)))
    }

    /// Deletes `n` keys chosen by `pick` as one WriteBatch (a single delete when n == 1).
    #[inline(always)]
    fn delete_keys(
        &mut self,
        n: u64,
        mut pick: impl FnMut(&mut SmallRng, &Router<'a>) -> (Group<'a>, u64),
    ) -> Result<OpOutcome> {
        let ks = self.key.len();
        if n == 1 {
            let (g, k) = pick(&mut self.rng, &self.route);
            self.kf.encode(k, &mut self.key);
            self.e.delete_cf(g.cf, &self.key)?;
            return Ok(OpOutcome::new(OpKind::Delete, 1, ks as u64, None).in_group(g.index));
        }
        let mut b = WriteBatch::with_capacity_bytes(uniform_batch_capacity(n as usize, ks, 0));
        let mut first = None;
        for _ in 0..n {
            let (g, k) = pick(&mut self.rng, &self.route);
            first.get_or_insert(g.index);
            self.kf.encode(k, &mut self.key);
            g.cf.delete_in(&mut b, &self.key);
        }
        self.e.write(b)?;
        Ok(OpOutcome::new(OpKind::Delete, n, n * ks as u64, None).in_group(first.unwrap_or(0)))
    }

    /// Merges a value of value_size bytes into a random key (db_bench's mergerandom: the
    /// operand is value bytes, so uint64add wants value_size = 8).
    #[inline(always)]
    fn merge_random(&mut self) -> Result<OpOutcome> {
        let (g, k) = self.random_key();
        self.kf.encode(k, &mut self.key);
        let vs = self.value_len();
        self.e.merge_cf(g.cf, &self.key, self.vals.next(vs))?;
        Ok(OpOutcome::new(OpKind::Merge, 1, (self.key.len() + vs) as u64, None).in_group(g.index))
    }

    /// flush, compact or waitforcompaction, once.
    fn step(&mut self) -> Result<OpOutcome> {
        match self.spec.workload {
            Workload::Flush => self.e.flush()?,
            Workload::Compact => self.e.compact_all()?,
            _ => self.e.wait_for_compaction(true)?,
        }
        Ok(OpOutcome::new(OpKind::Step, 1, 0, None))
    }

    /// Gets key number `k` of group `g`.
    #[inline(always)]
    fn read(&mut self, g: Group<'a>, k: u64) -> Result<OpOutcome> {
        self.kf.encode(k, &mut self.key);
        let r = self.e.get_len_cf(g.cf, &self.key)?;
        Ok(OpOutcome::new(
            OpKind::Read,
            1,
            r.map_or(0, |l| (l + self.key.len()) as u64),
            Some(r.is_some()),
        )
        .in_group(g.index))
    }
}

/// Where a worker stops: its share of the ops, the phase deadline, a stop flag.
#[derive(Clone, Copy)]
pub(super) struct Bounds<'a> {
    pub quota: Option<u64>,
    pub deadline: Option<Instant>,
    pub stop: Option<&'a AtomicBool>,
}

/// One worker thread: builds its reusable buffers, then runs its op loop.
pub(super) fn worker(
    sh: &Shared,
    t: usize,
    role_writer: bool,
    mut rec: Recorder,
    quota: Option<u64>,
    deadline: Option<Instant>,
) -> Result<ThreadTotals> {
    let spec = sh.spec;
    let seed = spec
        .seed
        .wrapping_add((t as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let total_for_share = spec.total_ops().unwrap_or(spec.num);
    let (lo, _hi) = share(total_for_share, t.min(spec.threads - 1), spec.threads);
    let mut th = Thread::new(sh.engine, spec, seed);
    let b = Bounds {
        quota,
        deadline,
        stop: None,
    };
    let r = &mut rec;
    match spec.workload {
        Workload::YcsbLoad | Workload::YcsbRun => ycsb::worker(sh, lo, r, b, &mut th.rng, seed)?,
        _ if role_writer => {
            let stop = Bounds {
                stop: Some(&sh.writer_stop),
                ..b
            };
            if spec.workload.background_writer() == Some(OpKind::Merge) {
                run_loop(r, stop, |_| th.merge_random())?
            } else {
                run_loop(r, stop, |_| th.write_keys(1, random_in_group))?
            }
        }
        w if w.is_step() => run_loop(r, b, |_| th.step())?,
        w if w.seeks() => seeks(&mut th, r, b)?,
        Workload::FillSeq | Workload::FillBatch => fill_in_order(&mut th, r, b, lo)?,
        Workload::FillRandom
        | Workload::Overwrite
        | Workload::FillUniqueRandom
        | Workload::ReadRandomWriteRandom => fill_random(&mut th, r, b, lo)?,
        Workload::ReadRandom
        | Workload::ReadWhileWriting
        | Workload::ReadWhileMerging
        | Workload::ReadHot
        | Workload::ReadMissing => reads(&mut th, r, b)?,
        Workload::ReadSeq | Workload::ReadReverse => iterate(&mut th, r, b, lo)?,
        Workload::MixGraph => mixgraph(&mut th, r, b)?,
        _ => other_writes(&mut th, r, b, lo)?,
    }
    Ok(rec.finish(Instant::now()))
}

/// deleteseq, deleterandom, fillsync, updaterandom, mergerandom, readrandommergerandom,
/// multireadrandom.
fn other_writes(th: &mut Thread, rec: &mut Recorder, b: Bounds, lo: u64) -> Result<()> {
    let batch = th.spec.batch_size as u64;
    match th.spec.workload {
        Workload::DeleteSeq => {
            let mut next = lo;
            run_loop(rec, b, |left| {
                th.delete_keys(batch.min(left), |rng, route| {
                    let k = next;
                    next += 1;
                    (route.owner(k, rng), k)
                })
            })
        }
        Workload::DeleteRandom => run_loop(rec, b, |left| {
            th.delete_keys(batch.min(left), random_in_group)
        }),
        Workload::FillSync => run_loop(rec, b, |_| {
            // db_bench's fillsync: num /= 1000 (the key space shrinks with the op count).
            let g = th.route.pick(&mut th.rng);
            let k = g.lo + th.uniform((g.size / 1000).max(1));
            th.kf.encode(k, &mut th.key);
            let vs = th.value_len();
            th.e.put_cf_sync(g.cf, &th.key, th.vals.next(vs))?;
            Ok(
                OpOutcome::new(OpKind::Write, 1, (th.key.len() + vs) as u64, None)
                    .in_group(g.index),
            )
        }),
        Workload::UpdateRandom => run_loop(rec, b, |_| {
            let (g, k) = th.random_key();
            th.kf.encode(k, &mut th.key);
            let old = th.e.get_len_cf(g.cf, &th.key)?;
            let vs = th.value_len();
            th.e.put_cf(g.cf, &th.key, th.vals.next(vs))?;
            let bytes = old.unwrap_or(0) + vs + 2 * th.key.len();
            Ok(
                OpOutcome::new(OpKind::Update, 1, bytes as u64, Some(old.is_some()))
                    .in_group(g.index),
            )
        }),
        Workload::MergeRandom => run_loop(rec, b, |_| th.merge_random()),
        Workload::ReadRandomMergeRandom => {
            let pct = th.spec.merge_percent as u64;
            run_loop(rec, b, |_| {
                if th.uniform(100) < pct {
                    th.merge_random()
                } else {
                    let (g, k) = th.random_key();
                    th.read(g, k)
                }
            })
        }
        Workload::MultiReadRandom => multi_reads(th, rec, b),
        w => Err(Error::usage(format!("{w} has no worker loop"))),
    }
}

/// multireadrandom: one MultiGet of batch_size random keys of one group per call.
fn multi_reads(th: &mut Thread, rec: &mut Recorder, b: Bounds) -> Result<()> {
    let n = th.spec.batch_size;
    let mut bufs: Vec<Vec<u8>> = (0..n).map(|_| key_buffer(th.spec.key_size)).collect();
    run_loop(rec, b, |left| {
        let m = (n as u64).min(left) as usize;
        let g = th.route.pick(&mut th.rng);
        for buf in bufs.iter_mut().take(m) {
            let k = th.read_key(&g);
            th.kf.encode(k, buf);
        }
        // The crate's MultiGet takes a slice of key slices (and returns a Vec of results):
        // one small allocation per call of m keys, as RocksDB's own allocates per call.
        let keys: Vec<&[u8]> = bufs[..m].iter().map(Vec::as_slice).collect();
        let (found, bytes) = th.e.multi_get_cf(g.cf, &keys)?;
        let mut out = OpOutcome::new(OpKind::MultiGet, m as u64, bytes, None).in_group(g.index);
        out.found_count = Some(found);
        Ok(out)
    })
}

/// Seek workloads: a new iterator per op (as db_bench's seekrandom makes one per seek), a
/// seek to a random key, then seek_nexts steps forward (or backward for revrange); found when
/// the iterator lands on the key itself.
fn seeks(th: &mut Thread, rec: &mut Recorder, b: Bounds) -> Result<()> {
    let nexts = th.spec.seek_nexts;
    let reverse = th.spec.workload.reverse();
    let e = th.e;
    run_loop(rec, b, |_| {
        let (g, k) = th.random_key();
        th.kf.encode(k, &mut th.key);
        let mut it = e.raw_iterator_cf(g.cf);
        it.seek(&th.key);
        let found = it.valid() && it.key() == Some(th.key.as_slice());
        let mut bytes = 0;
        for _ in 0..nexts {
            if !it.valid() {
                break;
            }
            bytes += it.key().map_or(0, |k| k.len()) + it.value().map_or(0, |v| v.len());
            if reverse {
                it.prev();
            } else {
                it.next();
            }
        }
        it.status().map_err(|er| Error::engine("seeking", er))?;
        Ok(OpOutcome::new(OpKind::Seek, 1, bytes as u64, Some(found)).in_group(g.index))
    })
}

/// A group by the shares of the ops and a uniform key in it.
#[inline(always)]
fn random_in_group<'a>(rng: &mut SmallRng, route: &Router<'a>) -> (Group<'a>, u64) {
    let g = route.pick(rng);
    (g, Router::key_in(&g, rng))
}

/// fillseq and fillbatch: keys in order from this thread's share, `batch_size` per batch (or
/// as many as the adaptive sizer chooses).
fn fill_in_order<'a>(th: &mut Thread<'a>, rec: &mut Recorder, b: Bounds, lo: u64) -> Result<()> {
    let mut next = lo;
    let mut seq = move |rng: &mut SmallRng, route: &Router<'a>| -> (Group<'a>, u64) {
        let k = next;
        next += 1;
        (route.owner(k, rng), k)
    };
    if th.spec.batch_mode == BatchMode::Adaptive {
        let mut sizer =
            AdaptiveBatcher::new(16, th.spec.batch_size.max(16), ADAPTIVE_MAX_BATCH_LATENCY);
        return run_loop(rec, b, |left| {
            let n = (sizer.size() as u64).min(left);
            let t0 = Instant::now();
            let out = th.write_keys(n, &mut seq)?;
            sizer.observe(n as usize, t0.elapsed());
            Ok(out)
        });
    }
    let batch = th.spec.batch_size as u64;
    run_loop(rec, b, |left| th.write_keys(batch.min(left), &mut seq))
}

/// fillrandom, overwrite, filluniquerandom, readrandomwriterandom.
fn fill_random(th: &mut Thread, rec: &mut Recorder, b: Bounds, lo: u64) -> Result<()> {
    let (num, batch) = (th.spec.num, th.spec.batch_size as u64);
    match th.spec.workload {
        Workload::FillUniqueRandom => {
            let perm = Permutation::new(num, th.spec.seed);
            let mut next = lo;
            run_loop(rec, b, |left| {
                th.write_keys(batch.min(left), |rng, route| {
                    let k = perm.get(next % num);
                    next += 1;
                    (route.owner(k, rng), k)
                })
            })
        }
        Workload::ReadRandomWriteRandom => {
            // db_bench's interleaving: read_percent gets, then 100 - read_percent puts, again.
            let pct = th.spec.read_percent;
            let (mut gets, mut puts) = (0u32, 0u32);
            run_loop(rec, b, |_| {
                if gets == 0 && puts == 0 {
                    (gets, puts) = (pct, 100 - pct);
                }
                if gets > 0 {
                    gets -= 1;
                    let (g, k) = th.random_key();
                    th.read(g, k)
                } else {
                    puts -= 1;
                    th.write_keys(1, random_in_group)
                }
            })
        }
        _ => run_loop(rec, b, |left| {
            th.write_keys(batch.min(left), random_in_group)
        }),
    }
}

/// readrandom, readwhilewriting's readers, readhot, readmissing.
fn reads(th: &mut Thread, rec: &mut Recorder, b: Bounds) -> Result<()> {
    match th.spec.workload {
        Workload::ReadHot => run_loop(rec, b, |_| {
            // The hottest 1% of each group's keys.
            let g = th.route.pick(&mut th.rng);
            let k = g.lo + th.uniform((g.size / 100).max(1));
            th.read(g, k)
        }),
        Workload::ReadMissing => {
            let mut missing = th.key.clone();
            missing.push(b'.');
            run_loop(rec, b, |_| {
                let (g, k) = th.random_key();
                th.kf.encode(k, &mut missing);
                let r = th.e.get_len_cf(g.cf, &missing)?;
                Ok(OpOutcome::new(OpKind::Read, 1, 0, Some(r.is_some())).in_group(g.index))
            })
        }
        _ if th.spec.read_random_exp_range > 0.0 => run_loop(rec, b, |_| {
            let g = th.route.pick(&mut th.rng);
            let k = th.read_key(&g);
            th.read(g, k)
        }),
        _ => run_loop(rec, b, |_| {
            let (g, k) = th.random_key();
            th.read(g, k)
        }),
    }
}

/// db_bench's mixgraph: per op one draw decides the key, get/put/seek, the put's value size
/// and the seek's scan length (a new iterator per seek; found when it lands on the key);
/// with `sine_mix_rate` the thread is paced at its share of the sine-wave rate, re-evaluated
/// every `sine_mix_rate_interval_milliseconds`.
fn mixgraph(th: &mut Thread, rec: &mut Recorder, b: Bounds) -> Result<()> {
    use crate::workload::mixgraph::{MixGraph, MixOp};
    let spec = th.spec.mixgraph.clone().unwrap_or_default();
    let model = MixGraph::new(&spec, th.spec.num);
    let e = th.e;
    let cf = th.route.pick(&mut th.rng).cf;
    let op = |th: &mut Thread| -> Result<OpOutcome> {
        let d = model.draw(&mut th.rng);
        th.kf.encode(d.key, &mut th.key);
        match d.op {
            MixOp::Get => {
                let r = e.get_len_cf(cf, &th.key)?;
                Ok(OpOutcome::new(
                    OpKind::Read,
                    1,
                    r.map_or(0, |l| (l + th.key.len()) as u64),
                    Some(r.is_some()),
                ))
            }
            MixOp::Put => {
                e.put_cf(cf, &th.key, th.vals.next(d.value_size))?;
                Ok(OpOutcome::new(
                    OpKind::Write,
                    1,
                    (th.key.len() + d.value_size) as u64,
                    None,
                ))
            }
            MixOp::Seek => {
                let mut it = e.raw_iterator_cf(cf);
                it.seek(&th.key);
                let found = it.valid() && it.key() == Some(th.key.as_slice());
                let mut bytes = 0;
                for _ in 0..d.scan_length {
                    if !it.valid() {
                        break;
                    }
                    bytes += it.key().map_or(0, |k| k.len()) + it.value().map_or(0, |v| v.len());
                    it.next();
                }
                it.status().map_err(|er| Error::engine("seeking", er))?;
                Ok(OpOutcome::new(OpKind::Seek, 1, bytes as u64, Some(found)))
            }
        }
    };
    if !spec.sine_mix_rate {
        return run_loop(rec, b, |_| op(th));
    }
    // The sine rate over all threads, this thread's share of it, from the phase start.
    let threads = th.spec.threads as f64;
    let interval = Duration::from_millis(spec.sine_mix_rate_interval_milliseconds);
    let tick = |t_s: f64| Duration::from_secs_f64(threads / spec.sine_rate(t_s).max(1.0));
    let start = Instant::now();
    rec.set_pace(start, tick(0.0));
    let mut next_change = start + interval;
    run_loop_with(
        rec,
        b,
        |_| op(th),
        |rec, now| {
            if now >= next_change {
                rec.set_tick(tick((now - start).as_secs_f64()));
                next_change += interval;
            }
        },
    )
}

/// A standard normal draw (Box-Muller).
#[inline]
fn standard_normal(rng: &mut SmallRng) -> f64 {
    use rand::Rng;
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// db_bench's `GetRandomKey` with `--read_random_exp_range`: U uniform in [0, 1),
/// `(exp(-U * range) * num) * 0x5bd1e995 % num` (the multiply scrambles hot keys over the
/// key space).
#[inline]
pub(super) fn exp_range_key(rng: &mut SmallRng, num: u64, range: f64) -> u64 {
    use rand::RngCore;
    let u = (rng.next_u64() % (1u64 << 62)) as f64 / (1u64 << 62) as f64;
    let k = ((-u * range).exp() * num as f64) as u64;
    k.wrapping_mul(0x5bd1_e995) % num
}

/// readseq and readreverse: one op per entry, in key order or in reverse, over the family
/// that stores this thread's first key (wrapping around at the end).
fn iterate(th: &mut Thread, rec: &mut Recorder, b: Bounds, lo: u64) -> Result<()> {
    let num = th.spec.num;
    let e = th.e;
    let reverse = th.spec.workload == Workload::ReadReverse;
    let g = th.route.owner(lo % num, &mut th.rng);
    let mut it = e.raw_iterator_cf(g.cf);
    th.kf.encode(lo % num, &mut th.key);
    if reverse {
        it.seek_for_prev(&th.key);
    } else {
        it.seek(&th.key);
    }
    let kind = if reverse { OpKind::Prev } else { OpKind::Next };
    run_loop(rec, b, |_| {
        if !it.valid() {
            it.status().map_err(|er| Error::engine("iterating", er))?;
            if reverse {
                it.seek_to_last();
            } else {
                it.seek_to_first();
            }
            if !it.valid() {
                return Err(Error::usage(format!(
                    "{} found an empty DB: run a fill workload first (e.g. --workload fillseq,{})",
                    th.spec.workload, th.spec.workload
                )));
            }
        }
        let bytes = it.key().map_or(0, |k| k.len()) + it.value().map_or(0, |v| v.len());
        if reverse {
            it.prev();
        } else {
            it.next();
        }
        Ok(OpOutcome::new(kind, 1, bytes as u64, None).in_group(g.index))
    })
}

/// The measured loop: runs `op(keys_left)` until the quota, the deadline, a stop flag or a
/// signal ends it. Per op: two clock reads, the op, one histogram record; nothing else. With
/// `--perf-sample` a second copy of the loop also counts down to the next sampled op.
#[inline(always)]
pub(super) fn run_loop(
    rec: &mut Recorder,
    b: Bounds,
    op: impl FnMut(u64) -> Result<OpOutcome>,
) -> Result<()> {
    run_loop_with(rec, b, op, |_, _| {})
}

/// [`run_loop`] with `between(rec, t1)` after each recorded op (mixgraph's sine rate).
#[inline(always)]
pub(super) fn run_loop_with(
    rec: &mut Recorder,
    b: Bounds,
    op: impl FnMut(u64) -> Result<OpOutcome>,
    between: impl FnMut(&mut Recorder, Instant),
) -> Result<()> {
    let mut op = op;
    run_loop_from(rec, b, move |left, _| op(left), between)
}

/// [`run_loop_with`] whose op is also given the instant its latency is measured from (so
/// an op that times its own parts needs no clock read of its own to start).
#[inline(always)]
pub(super) fn run_loop_from(
    rec: &mut Recorder,
    b: Bounds,
    op: impl FnMut(u64, Instant) -> Result<OpOutcome>,
    between: impl FnMut(&mut Recorder, Instant),
) -> Result<()> {
    if rec.perf_on() {
        measured_loop::<true>(rec, b, op, between)
    } else {
        measured_loop::<false>(rec, b, op, between)
    }
}

/// The loop itself; `PERF` compiles the PerfContext sampling in (`--perf-sample`) or out.
#[inline(always)]
fn measured_loop<const PERF: bool>(
    rec: &mut Recorder,
    b: Bounds,
    mut op: impl FnMut(u64, Instant) -> Result<OpOutcome>,
    mut between: impl FnMut(&mut Recorder, Instant),
) -> Result<()> {
    let mut done = 0u64;
    let quota = b.quota.unwrap_or(u64::MAX);
    while done < quota {
        if signals::interrupted().is_some()
            || b.stop.is_some_and(|s| s.load(Ordering::Relaxed))
            || rec.aborted()
        {
            break;
        }
        rec.wait_for_turn();
        let sampled = PERF && rec.perf_arm();
        let t0 = Instant::now();
        let out = match op(quota - done, t0) {
            Ok(o) => o,
            Err(e) => {
                rec.abort();
                return Err(e);
            }
        };
        let t1 = Instant::now();
        if PERF && sampled {
            rec.perf_done(out.kind, (t1 - t0).as_nanos() as u64);
        }
        rec.record(out, t0, t1);
        between(rec, t1);
        done += out.ops;
        if b.deadline.is_some_and(|d| t1 >= d) {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// db_bench's exp-range keys: all in range, and skewed: with range 10 the hottest key gets
    /// far more than its uniform share, and the draws' U has db_bench's shape (half of them map
    /// to exp(-U*10)*num below num*e^-5).
    #[test]
    fn exp_range_keys_are_skewed_and_in_range() {
        let mut rng = SmallRng::seed_from_u64(1);
        let num = 100_000;
        let mut counts = std::collections::HashMap::new();
        for _ in 0..200_000 {
            let k = exp_range_key(&mut rng, num, 10.0);
            assert!(k < num);
            *counts.entry(k).or_insert(0u32) += 1;
        }
        let top = *counts.values().max().unwrap();
        // Uniform: 2 draws a key on average; the hottest exp-range key gets hundreds.
        assert!(top > 100, "hottest key drawn {top} times");
        assert!(
            counts.len() < 60_000,
            "{} distinct keys of {num}",
            counts.len()
        );
    }

    /// Box-Muller draws have mean 0 and variance 1 (over 200K draws, within 1%).
    #[test]
    fn standard_normal_moments() {
        let mut rng = SmallRng::seed_from_u64(2);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.01, "{var}");
    }
}
