//! The YCSB worker: CoreWorkload's load and transaction phases over the engine, measured by
//! the same recorder as every other workload, with upstream's statuses: an engine error is
//! counted (`Return=ERROR`) and the run goes on, as upstream's client does.

use super::driver::Shared;
use super::recorder::{Nested, OpOutcome, Recorder, Status};
use super::route::Router;
use super::workers::{run_loop_from, Bounds};
use crate::engine::{Cf, Engine};
use crate::error::{Error, Result};
use crate::workload::keys::{uniform, ValueGen};
use crate::workload::ycsb::fields::{deterministic_value, FieldIter, FieldLengths};
use crate::workload::ycsb::record::Layout;
use crate::workload::ycsb::{
    key_name, Binding, InsertSequence, KeyChooser, OpChooser, Record, ScanLengths, YcsbSpec,
};
use crate::workload::{OpKind, Workload};
use rand::rngs::SmallRng;
use rand::Rng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// One YCSB client thread's reusable state.
struct Client<'a> {
    e: &'a Engine,
    route: Router<'a>,
    /// The `table` family under `--binding upstream`.
    table: Option<Cf<'a>>,
    /// The family of the record at `key` (set by `name`).
    cf: Cf<'a>,
    y: &'a YcsbSpec,
    seq: &'a InsertSequence,
    vals: ValueGen,
    layout: Layout,
    lengths: FieldLengths,
    /// Every field has this length (in place updates).
    constant: Option<usize>,
    record: Record,
    key: Vec<u8>,
    scratch: Vec<u8>,
    /// The re-serialised record of an update whose field changes length.
    out: Vec<u8>,
    /// A deterministic value (dataintegrity).
    det: Vec<u8>,
    /// The first engine error, kept for the report.
    first_error: Option<String>,
}

/// An engine call's result as YCSB's status: the error is counted, not returned.
macro_rules! status {
    ($c:expr, $call:expr) => {
        match $call {
            Ok(v) => Ok(v),
            Err(e) => {
                $c.note(e);
                Err(())
            }
        }
    };
}

impl Client<'_> {
    #[cold]
    fn note(&mut self, e: Error) {
        if self.first_error.is_none() {
            self.first_error = Some(e.to_string());
        }
    }

    /// Builds a whole record for the key in `self.key`: random printable bytes, or with
    /// dataintegrity each field's deterministic value.
    fn fill_all(&mut self, rng: &mut SmallRng) {
        let (vals, lengths, det) = (&mut self.vals, &mut self.lengths, &mut self.det);
        let (key, names, integrity) = (&self.key, &self.layout.names, self.y.dataintegrity);
        self.record.build(
            &self.layout,
            |_| lengths.next(rng),
            |i, n, buf| {
                if integrity {
                    deterministic_value(key, &names[i], n, det);
                    buf.extend_from_slice(det);
                } else {
                    buf.extend_from_slice(vals.next(n));
                }
            },
        );
    }

    /// Names record `keynum` and finds its family (the `table` family under `--binding
    /// upstream`, else by key range, or by the shares of the ops when every family spans
    /// the whole key space).
    fn name(&mut self, keynum: u64, rng: &mut SmallRng) {
        key_name(keynum, self.y.hashed, self.y.zeropadding, &mut self.key);
        self.cf = match self.table {
            Some(t) => t,
            None => self.route.owner(keynum, rng).cf,
        };
    }

    /// Inserts record `keynum`. The key and the values are built before the op is timed,
    /// as upstream builds them before its DB wrapper starts the clock (`begin` is when the
    /// op started).
    fn insert(&mut self, keynum: u64, rng: &mut SmallRng, begin: Instant) -> OpOutcome {
        self.name(keynum, rng);
        self.fill_all(rng);
        let prep = begin.elapsed().as_nanos() as u64;
        let r = status!(self, self.e.put_cf(self.cf, &self.key, &self.record.buf));
        let mut out = OpOutcome::new(
            OpKind::Insert,
            1,
            (self.key.len() + self.record.buf.len()) as u64,
            None,
        );
        out.error = r.is_err();
        out.prep_ns = prep;
        out
    }

    /// A read of the record at `keynum`: its length (no copy), or with dataintegrity its
    /// bytes, verified after the read's latency is taken.
    fn read(&mut self, keynum: u64, rng: &mut SmallRng, begin: Instant) -> OpOutcome {
        self.name(keynum, rng);
        let prep = begin.elapsed().as_nanos() as u64;
        let (found, len) = self.get();
        let mut out = OpOutcome::new(OpKind::Read, 1, len, found.ok());
        out.error = found.is_err();
        out.prep_ns = prep;
        if self.y.dataintegrity {
            let t = Instant::now();
            let status = self.verify(found, rng);
            let ns = t.elapsed().as_nanos() as u64;
            out.nested[0] = Some(Nested {
                kind: OpKind::Verify,
                ns,
                status,
            });
            out.untimed_ns = ns;
        }
        out
    }

    /// Gets the record at `self.key`: whether it exists and its length.
    fn get(&mut self) -> (std::result::Result<bool, ()>, u64) {
        if self.y.dataintegrity {
            let r = status!(
                self,
                self.e.get_into_cf(self.cf, &self.key, &mut self.scratch)
            );
            let len = if r == Ok(true) {
                self.scratch.len() as u64
            } else {
                0
            };
            (r, len)
        } else {
            let r = status!(self, self.e.get_len_cf(self.cf, &self.key));
            let len = r.ok().flatten().map_or(0, |l| l as u64);
            (r.map(|l| l.is_some()), len)
        }
    }

    /// CoreWorkload's verifyRow over the record read into `scratch`: every field (one
    /// random field with readallfields=false, as the binding returns only that one)
    /// against its deterministic value. No record is ERROR, a mismatch UNEXPECTED_STATE.
    fn verify(&mut self, found: std::result::Result<bool, ()>, rng: &mut SmallRng) -> Status {
        if found != Ok(true) {
            return Status::Error;
        }
        let only = (!self.y.readallfields)
            .then(|| uniform(rng, self.y.fieldcount as u64) as usize)
            .map(|i| self.layout.names[i].as_slice());
        let mut it = FieldIter::new(&self.scratch);
        let mut seen = 0;
        for (name, value) in it.by_ref() {
            if only.is_some_and(|o| o != name) {
                continue;
            }
            seen += 1;
            deterministic_value(&self.key, name, self.y.fieldlength, &mut self.det);
            if self.det.as_slice() != value {
                return Status::UnexpectedState;
            }
        }
        if it.malformed || seen == 0 {
            Status::UnexpectedState
        } else {
            Status::Ok
        }
    }

    /// A scan: seek, then up to `len` records. OK whatever it finds, as the binding.
    fn scan(&mut self, keynum: u64, len: usize, rng: &mut SmallRng, begin: Instant) -> OpOutcome {
        self.name(keynum, rng);
        let prep = begin.elapsed().as_nanos() as u64;
        let mut bytes = 0u64;
        let r = status!(
            self,
            self.e.scan_cf(self.cf, &self.key, len, |k, v| {
                bytes += (k.len() + v.len()) as u64
            })
        );
        let mut out = OpOutcome::new(OpKind::Scan, 1, bytes, None);
        out.error = r.is_err();
        out.prep_ns = prep;
        out
    }

    /// Read-modify-write: the new values built first, then a read and an update of the
    /// same record, each reported on its own too (with its status); with dataintegrity the
    /// read is verified, untimed.
    fn read_modify_write(&mut self, keynum: u64, rng: &mut SmallRng, begin: Instant) -> OpOutcome {
        self.name(keynum, rng);
        let new = self.prepare_update(rng);
        let t0 = Instant::now();
        let prep = (t0 - begin).as_nanos() as u64;
        let (found, _) = self.get();
        let t1 = Instant::now();
        let read = match found {
            Ok(true) => Status::Ok,
            Ok(false) => Status::NotFound,
            Err(()) => Status::Error,
        };
        // The verification checks the record as read, before the update rewrites it; its
        // time is taken out of the op's.
        let verify = self.y.dataintegrity.then(|| {
            let t = Instant::now();
            let s = self.verify(found, rng);
            (s, t.elapsed().as_nanos() as u64)
        });
        let t2 = if verify.is_some() { Instant::now() } else { t1 };
        let update = self.update(new);
        let t3 = Instant::now();
        let mut out = OpOutcome::new(
            OpKind::ReadModifyWrite,
            1,
            self.record.buf.len() as u64,
            None,
        );
        out.prep_ns = prep;
        out.nested[0] = Some(Nested {
            kind: OpKind::Read,
            ns: (t1 - t0).as_nanos() as u64,
            status: read,
        });
        out.nested[1] = Some(Nested {
            kind: OpKind::Update,
            ns: (t3 - t2).as_nanos() as u64,
            status: update,
        });
        if let Some((status, ns)) = verify {
            out.nested[2] = Some(Nested {
                kind: OpKind::Verify,
                ns,
                status,
            });
            out.untimed_ns = ns;
        }
        out
    }

    /// The new values of an update, built before it is timed: every field (writeallfields,
    /// into `record`) or one random field of a newly drawn length (into `det`). Returns
    /// the field, or None for every field.
    fn prepare_update(&mut self, rng: &mut SmallRng) -> Option<usize> {
        if self.y.writeallfields {
            self.fill_all(rng);
            return None;
        }
        let f = uniform(rng, self.y.fieldcount as u64) as usize;
        let n = self.lengths.next(rng);
        if self.y.dataintegrity {
            deterministic_value(&self.key, &self.layout.names[f], n, &mut self.det);
        } else {
            self.det.clear();
            self.det.extend_from_slice(self.vals.next(n));
        }
        Some(f)
    }

    /// An update of the record at `self.key` as YCSB's RocksDB binding does it: read the
    /// record (NOT_FOUND when missing, nothing written), replace the prepared field (every
    /// field with writeallfields), write it back in the stored order.
    fn update(&mut self, field: Option<usize>) -> Status {
        match status!(
            self,
            self.e.get_into_cf(self.cf, &self.key, &mut self.scratch)
        ) {
            Err(()) => return Status::Error,
            Ok(false) => return Status::NotFound,
            Ok(true) => {}
        }
        let r = match field {
            None => status!(self, self.e.put_cf(self.cf, &self.key, &self.record.buf)),
            Some(f) => {
                let n = self.det.len();
                let name = &self.layout.names[f];
                // In place when every field has one length and the stored record is ours;
                // else re-serialised with the field replaced.
                let at = self.record.value_at[f];
                let in_place = self.constant == Some(n)
                    && self.scratch.len() == self.record.buf.len()
                    && at >= name.len() + 4
                    && self.scratch.get(at - 4 - name.len()..at - 4) == Some(name.as_slice());
                if in_place {
                    self.scratch[at..at + n].copy_from_slice(&self.det);
                    status!(self, self.e.put_cf(self.cf, &self.key, &self.scratch))
                } else if Record::replace_field(&self.scratch, name, &self.det, &mut self.out) {
                    status!(self, self.e.put_cf(self.cf, &self.key, &self.out))
                } else {
                    if self.first_error.is_none() {
                        self.note(Error::usage(format!(
                            "the record at {} is not in the YCSB RocksDB binding's layout",
                            String::from_utf8_lossy(&self.key)
                        )));
                    }
                    Err(())
                }
            }
        };
        if r.is_ok() {
            Status::Ok
        } else {
            Status::Error
        }
    }
}

/// The outcome of an update as YCSB reports it.
fn update_outcome(status: Status, bytes: u64) -> OpOutcome {
    let mut out = OpOutcome::new(OpKind::Update, 1, bytes, Some(status != Status::NotFound));
    out.error = status == Status::Error;
    out
}

pub(super) fn worker(
    sh: &Shared,
    lo: u64,
    rec: &mut Recorder,
    b: Bounds,
    rng: &mut SmallRng,
    seed: u64,
) -> Result<()> {
    let y = sh
        .spec
        .ycsb
        .as_ref()
        .expect("validated: ycsb phases carry a YCSB spec");
    let e = sh.engine;
    let table = match y.binding {
        Binding::Upstream => Some(
            e.families()
                .iter()
                .position(|f| *f == y.table)
                .map(|i| e.cf(i))
                .ok_or_else(|| {
                    Error::usage(format!(
                        "--binding upstream: the DB has no column family {:?} (YCSB's table)",
                        y.table
                    ))
                })?,
        ),
        Binding::Rdbtune => None,
    };
    let lengths = FieldLengths::new(
        y.fieldlengthdistribution,
        y.minfieldlength,
        y.fieldlength,
        y.field_histogram.as_ref(),
    );
    let mut c = Client {
        e,
        route: Router::new(e, sh.spec),
        table,
        cf: e.cf(0),
        y,
        seq: sh.inserts.as_ref().expect("created with the YCSB spec"),
        // Field values as upstream's RandomByteIterator: printable ASCII.
        vals: ValueGen::ycsb_ascii(y.max_field_len(), seed ^ 0x9C5B),
        layout: Layout::new(y),
        constant: lengths.constant(),
        lengths,
        scratch: Vec::with_capacity(y.record_len()),
        out: Vec::with_capacity(y.record_len()),
        det: Vec::with_capacity(y.fieldlength),
        record: Record::new(y),
        key: Vec::with_capacity(32),
        first_error: None,
    };
    // A record to learn the field offsets of the constant layout from.
    key_name(0, y.hashed, y.zeropadding, &mut c.key);
    c.fill_all(rng);
    let stop = AtomicBool::new(false);
    let b = Bounds {
        stop: b.stop.or(Some(&stop)),
        ..b
    };
    pace_after_setup(rec, rng);
    let r = if sh.spec.workload == Workload::YcsbLoad {
        load(&mut c, rec, b, rng, lo, &stop)
    } else {
        run(&mut c, rec, b, rng)
    };
    // The client thread's own cleanup (the DB's close is measured by whoever closes it).
    if let Some(msg) = c.first_error.take() {
        rec.note_error(msg);
    }
    let t = Instant::now();
    drop(c);
    let end = Instant::now();
    rec.record_cleanup((end - t).as_nanos() as u64, end);
    r
}

/// Upstream's ClientThread starts its schedule after the thread's setup, each thread
/// offset by a random delay in [0, tick) when its share of the target is at most 1000
/// ops/s (so threads do not fire in lockstep).
fn pace_after_setup(rec: &mut Recorder, rng: &mut SmallRng) {
    let Some(tick) = rec.tick() else { return };
    let delay = if tick >= Duration::from_millis(1) {
        Duration::from_nanos(rng.random_range(0..tick.as_nanos().max(1) as u64))
    } else {
        Duration::ZERO
    };
    rec.restart_pace(Instant::now() + delay);
}

/// The load: CoreWorkload's keysequence from insertstart, threads splitting insertcount.
/// A failed insert is retried core_workload_insertion_retry_limit times (each attempt
/// measured, a pause of about core_workload_insertion_retry_interval seconds between),
/// then stops its thread unless core_workload_insertion_keep_going_on_error is set.
fn load(
    c: &mut Client,
    rec: &mut Recorder,
    b: Bounds,
    rng: &mut SmallRng,
    lo: u64,
    stop: &AtomicBool,
) -> Result<()> {
    let y = c.y;
    let mut next = y.insertstart + lo;
    let mut tries = 0u64;
    // The pause before the next attempt, chosen by the op and slept between ops.
    let pause = std::cell::Cell::new(None);
    run_loop_from(
        rec,
        b,
        |_, begin| {
            let mut out = c.insert(next, rng, begin);
            if !out.error {
                next += 1;
                tries = 0;
            } else if tries < y.insertion_retry_limit {
                tries += 1;
                let f = 0.8 + 0.4 * rng.random::<f64>();
                pause.set(Some(Duration::from_secs_f64(
                    y.insertion_retry_interval_s * f,
                )));
                // Not the op's last attempt: it does not count toward the load's ops.
                out.ops = 0;
            } else {
                tries = 0;
                next += 1;
                if !y.insertion_keep_going_on_error {
                    // The thread stops here; upstream counts no op for it.
                    stop.store(true, Ordering::Relaxed);
                    out.ops = 0;
                }
            }
            Ok(out)
        },
        |_, _| {
            if let Some(d) = pause.take() {
                std::thread::sleep(d);
            }
        },
    )
}

/// The transaction phase: CoreWorkload's doTransaction per op.
fn run(c: &mut Client, rec: &mut Recorder, b: Bounds, rng: &mut SmallRng) -> Result<()> {
    let y = c.y;
    let ops = OpChooser::new(y);
    let mut chooser = KeyChooser::new(y);
    let mut scans = ScanLengths::new(y);
    let op = |_, begin: Instant| {
        Ok(match ops.next(rng) {
            OpKind::Insert => {
                let n = c.seq.next();
                let out = c.insert(n, rng, begin);
                // Acknowledged even when it failed, as upstream (in a finally block).
                c.seq.acknowledge(n)?;
                out
            }
            OpKind::Read => {
                let k = chooser.next(rng, c.seq);
                c.read(k, rng, begin)
            }
            OpKind::Update => {
                let k = chooser.next(rng, c.seq);
                c.name(k, rng);
                let f = c.prepare_update(rng);
                let prep = begin.elapsed().as_nanos() as u64;
                let s = c.update(f);
                let mut out = update_outcome(s, c.record.buf.len() as u64);
                out.prep_ns = prep;
                out
            }
            OpKind::Scan => {
                let k = chooser.next(rng, c.seq);
                let len = scans.next(rng) as usize;
                c.scan(k, len, rng, begin)
            }
            _ => {
                let k = chooser.next(rng, c.seq);
                c.read_modify_write(k, rng, begin)
            }
        })
    };
    run_loop_from(rec, b, op, |_, _| {})
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Upstream's ClientThread offsets each paced thread by a random delay in [0, tick)
    /// when its share is at most 1000 ops/s, and starts its schedule after the setup.
    #[test]
    fn paced_threads_start_after_setup_at_offsets_within_a_tick() {
        let tick = Duration::from_millis(10);
        let mut starts = Vec::new();
        for seed in 0..20 {
            let t0 = Instant::now();
            let mut rec = Recorder::new(t0 - Duration::from_secs(1), [true; OpKind::COUNT], None);
            rec.set_pace(t0 - Duration::from_secs(1), tick);
            let mut rng = SmallRng::seed_from_u64(seed);
            pace_after_setup(&mut rec, &mut rng);
            let before = Instant::now();
            rec.wait_for_turn();
            let waited = before.elapsed();
            // The schedule starts after setup: no backlog from the second of "setup".
            assert!(waited < tick + Duration::from_millis(5), "{waited:?}");
            starts.push(waited.as_micros() / 500);
        }
        starts.sort_unstable();
        starts.dedup();
        assert!(starts.len() > 5, "offsets spread over the tick: {starts:?}");
        // Above 1000 ops/s per thread there is no offset.
        let mut rec = Recorder::new(Instant::now(), [true; OpKind::COUNT], None);
        rec.set_pace(Instant::now(), Duration::from_micros(100));
        pace_after_setup(&mut rec, &mut SmallRng::seed_from_u64(1));
        let t = Instant::now();
        rec.wait_for_turn();
        assert!(t.elapsed() < Duration::from_micros(100));
    }
}
