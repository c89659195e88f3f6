//! The YCSB worker: CoreWorkload's load and transaction phases over the engine, measured by
//! the same recorder as every other workload.

use super::driver::Shared;
use super::recorder::{OpOutcome, Recorder};
use super::workers::{run_loop, Bounds};
use crate::error::Result;
use crate::workload::keys::ValueGen;
use crate::workload::ycsb::{key_name, scan_length, KeyChooser, OpChooser, Record};
use crate::workload::{OpKind, Workload};
use rand::rngs::SmallRng;
use std::time::Instant;

pub(super) fn worker(
    sh: &Shared,
    lo: u64,
    rec: &mut Recorder,
    b: Bounds,
    rng: &mut SmallRng,
    seed: u64,
) -> Result<()> {
    let spec = sh.spec;
    let y = spec
        .ycsb
        .as_ref()
        .expect("validated: ycsb phases carry a YCSB spec");
    let seq = sh.inserts.as_ref().expect("created with the YCSB spec");
    let e = sh.engine;
    // YCSB fills fields with random bytes: incompressible values.
    let mut vals = ValueGen::new(1.0, y.fieldlength, seed ^ 0x9C5B);
    let mut record = Record::new(y);
    let mut key = Vec::with_capacity(32);
    let mut scratch: Vec<u8> = Vec::with_capacity(record.buf.len());
    let rec_len = record.buf.len() as u64;

    macro_rules! fill_all {
        () => {
            for i in 0..y.fieldcount {
                let v = vals.next(y.fieldlength);
                record.set_field(i, v);
            }
        };
    }

    if spec.workload == Workload::YcsbLoad {
        let mut next = lo;
        return run_loop(rec, b, |_| {
            key_name(next, y.hashed, y.zeropadding, &mut key);
            next += 1;
            fill_all!();
            e.put(&key, &record.buf)?;
            Ok(OpOutcome::new(
                OpKind::Insert,
                1,
                key.len() as u64 + rec_len,
                None,
            ))
        });
    }

    let ops = OpChooser::new(y);
    let mut chooser = KeyChooser::new(y);
    run_loop(rec, b, |_| {
        let kind = ops.next(rng);
        match kind {
            OpKind::Insert => {
                let n = seq.next();
                key_name(n, y.hashed, y.zeropadding, &mut key);
                fill_all!();
                e.put(&key, &record.buf)?;
                seq.acknowledge(n)?;
                Ok(OpOutcome::new(
                    OpKind::Insert,
                    1,
                    key.len() as u64 + rec_len,
                    None,
                ))
            }
            OpKind::Read => {
                key_name(chooser.next(rng, seq), y.hashed, y.zeropadding, &mut key);
                let r = e.get_len(&key)?;
                Ok(OpOutcome::new(
                    OpKind::Read,
                    1,
                    r.map_or(0, |l| l as u64),
                    Some(r.is_some()),
                ))
            }
            OpKind::Update => {
                key_name(chooser.next(rng, seq), y.hashed, y.zeropadding, &mut key);
                let found = update(e, y, &key, rng, &mut vals, &mut record, &mut scratch)?;
                Ok(OpOutcome::new(OpKind::Update, 1, rec_len, Some(found)))
            }
            OpKind::Scan => {
                key_name(chooser.next(rng, seq), y.hashed, y.zeropadding, &mut key);
                let len = scan_length(rng, y.minscanlength, y.maxscanlength) as usize;
                let mut bytes = 0u64;
                let n = e.scan(&key, len, |k, v| bytes += (k.len() + v.len()) as u64)?;
                Ok(OpOutcome::new(OpKind::Scan, 1, bytes, Some(n > 0)))
            }
            _ => {
                // Read-modify-write: its read and its update are reported on their own too.
                key_name(chooser.next(rng, seq), y.hashed, y.zeropadding, &mut key);
                let t0 = Instant::now();
                let r = e.get_len(&key)?;
                let t1 = Instant::now();
                let found = update(e, y, &key, rng, &mut vals, &mut record, &mut scratch)?;
                let t2 = Instant::now();
                let mut out = OpOutcome::new(
                    OpKind::ReadModifyWrite,
                    1,
                    rec_len,
                    Some(r.is_some() && found),
                );
                out.nested = [
                    Some((OpKind::Read, (t1 - t0).as_nanos() as u64)),
                    Some((OpKind::Update, (t2 - t1).as_nanos() as u64)),
                ];
                Ok(out)
            }
        }
    })
}

/// An update as YCSB's RocksDB binding does it: read the record, rewrite one random field
/// (all fields with writeallfields), write it back. Returns whether the record existed.
fn update(
    e: &crate::engine::Engine,
    y: &crate::workload::ycsb::YcsbSpec,
    key: &[u8],
    rng: &mut SmallRng,
    vals: &mut ValueGen,
    record: &mut Record,
    scratch: &mut Vec<u8>,
) -> Result<bool> {
    if y.writeallfields {
        if e.get_len(key)?.is_none() {
            return Ok(false);
        }
        for i in 0..y.fieldcount {
            record.set_field(i, vals.next(y.fieldlength));
        }
        e.put(key, &record.buf)?;
        return Ok(true);
    }
    let found = e.get_into(key, scratch)?;
    if !found || scratch.len() != record.buf.len() {
        return Ok(false);
    }
    let f = crate::workload::keys::uniform(rng, y.fieldcount as u64) as usize;
    let at = record.value_at[f];
    scratch[at..at + y.fieldlength].copy_from_slice(vals.next(y.fieldlength));
    e.put(key, scratch)?;
    Ok(true)
}
