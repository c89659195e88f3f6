//! The YCSB worker: CoreWorkload's load and transaction phases over the engine, measured by
//! the same recorder as every other workload.

use super::driver::Shared;
use super::recorder::{OpOutcome, Recorder};
use super::route::Router;
use super::workers::{run_loop, Bounds};
use crate::engine::{Cf, Engine};
use crate::error::Result;
use crate::workload::keys::{uniform, ValueGen};
use crate::workload::ycsb::{
    key_name, scan_length, InsertSequence, KeyChooser, OpChooser, Record, YcsbSpec,
};
use crate::workload::{OpKind, Workload};
use rand::rngs::SmallRng;
use std::time::Instant;

/// One YCSB client thread's reusable state.
struct Client<'a> {
    e: &'a Engine,
    route: Router<'a>,
    /// The family of the record at `key` (set by `name`).
    cf: Cf<'a>,
    y: &'a YcsbSpec,
    seq: &'a InsertSequence,
    vals: ValueGen,
    record: Record,
    key: Vec<u8>,
    scratch: Vec<u8>,
    rec_len: u64,
}

impl Client<'_> {
    /// Writes every field of the record (an insert).
    fn fill_all(&mut self) {
        for i in 0..self.y.fieldcount {
            let v = self.vals.next(self.y.fieldlength);
            self.record.set_field(i, v);
        }
    }

    /// Names record `keynum` and finds its family (by key range, or by the shares of the ops
    /// when every family spans the whole key space).
    fn name(&mut self, keynum: u64, rng: &mut SmallRng) {
        key_name(keynum, self.y.hashed, self.y.zeropadding, &mut self.key);
        self.cf = self.route.owner(keynum, rng).cf;
    }

    fn insert(&mut self, keynum: u64, rng: &mut SmallRng) -> Result<OpOutcome> {
        self.name(keynum, rng);
        self.fill_all();
        self.e.put_cf(self.cf, &self.key, &self.record.buf)?;
        Ok(OpOutcome::new(
            OpKind::Insert,
            1,
            self.key.len() as u64 + self.rec_len,
            None,
        ))
    }

    fn read(&mut self, keynum: u64, rng: &mut SmallRng) -> Result<OpOutcome> {
        self.name(keynum, rng);
        let r = self.e.get_len_cf(self.cf, &self.key)?;
        Ok(OpOutcome::new(
            OpKind::Read,
            1,
            r.map_or(0, |l| l as u64),
            Some(r.is_some()),
        ))
    }

    fn scan(&mut self, keynum: u64, rng: &mut SmallRng) -> Result<OpOutcome> {
        self.name(keynum, rng);
        let len = scan_length(rng, self.y.minscanlength, self.y.maxscanlength) as usize;
        let mut bytes = 0u64;
        let n = self.e.scan_cf(self.cf, &self.key, len, |k, v| {
            bytes += (k.len() + v.len()) as u64
        })?;
        Ok(OpOutcome::new(OpKind::Scan, 1, bytes, Some(n > 0)))
    }

    /// Read-modify-write: its read and its update are reported on their own too.
    fn read_modify_write(&mut self, keynum: u64, rng: &mut SmallRng) -> Result<OpOutcome> {
        self.name(keynum, rng);
        let t0 = Instant::now();
        let r = self.e.get_len_cf(self.cf, &self.key)?;
        let t1 = Instant::now();
        let found = self.update(rng)?;
        let t2 = Instant::now();
        let mut out = OpOutcome::new(
            OpKind::ReadModifyWrite,
            1,
            self.rec_len,
            Some(r.is_some() && found),
        );
        out.nested = [
            Some((OpKind::Read, (t1 - t0).as_nanos() as u64)),
            Some((OpKind::Update, (t2 - t1).as_nanos() as u64)),
        ];
        Ok(out)
    }

    /// An update of the record at `self.key` as YCSB's RocksDB binding does it: read the
    /// record, rewrite one random field (all fields with writeallfields), write it back.
    /// Returns whether the record existed.
    fn update(&mut self, rng: &mut SmallRng) -> Result<bool> {
        let y = self.y;
        if y.writeallfields {
            if self.e.get_len_cf(self.cf, &self.key)?.is_none() {
                return Ok(false);
            }
            self.fill_all();
            self.e.put_cf(self.cf, &self.key, &self.record.buf)?;
            return Ok(true);
        }
        let found = self.e.get_into_cf(self.cf, &self.key, &mut self.scratch)?;
        if !found || self.scratch.len() != self.record.buf.len() {
            return Ok(false);
        }
        let f = uniform(rng, y.fieldcount as u64) as usize;
        let at = self.record.value_at[f];
        self.scratch[at..at + y.fieldlength].copy_from_slice(self.vals.next(y.fieldlength));
        self.e.put_cf(self.cf, &self.key, &self.scratch)?;
        Ok(true)
    }
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
    let record = Record::new(y);
    let mut c = Client {
        e: sh.engine,
        route: Router::new(sh.engine, sh.spec),
        cf: sh.engine.cf(0),
        y,
        seq: sh.inserts.as_ref().expect("created with the YCSB spec"),
        // Field values as upstream's RandomByteIterator: printable ASCII.
        vals: ValueGen::ycsb_ascii(y.fieldlength, seed ^ 0x9C5B),
        scratch: Vec::with_capacity(record.buf.len()),
        rec_len: record.buf.len() as u64,
        record,
        key: Vec::with_capacity(32),
    };
    if sh.spec.workload == Workload::YcsbLoad {
        // CoreWorkload's keysequence starts at insertstart; threads split insertcount.
        let mut next = y.insertstart + lo;
        return run_loop(rec, b, |_| {
            next += 1;
            c.insert(next - 1, rng)
        });
    }
    let ops = OpChooser::new(y);
    let mut chooser = KeyChooser::new(y);
    run_loop(rec, b, |_| match ops.next(rng) {
        OpKind::Insert => {
            let n = c.seq.next();
            let out = c.insert(n, rng)?;
            c.seq.acknowledge(n)?;
            Ok(out)
        }
        OpKind::Read => {
            let k = chooser.next(rng, c.seq);
            c.read(k, rng)
        }
        OpKind::Update => {
            let k = chooser.next(rng, c.seq);
            c.name(k, rng);
            let found = c.update(rng)?;
            Ok(OpOutcome::new(OpKind::Update, 1, c.rec_len, Some(found)))
        }
        OpKind::Scan => {
            let k = chooser.next(rng, c.seq);
            c.scan(k, rng)
        }
        _ => {
            let k = chooser.next(rng, c.seq);
            c.read_modify_write(k, rng)
        }
    })
}
