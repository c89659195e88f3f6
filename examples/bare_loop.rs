//! The reference point for rdbtune's harness overhead: the same RocksDB calls, options, keys
//! and values as `rdbtune bench`, in a plain loop with one clock read at each end and no
//! per-op measurement.
//!
//! cargo run --release --example bare_loop -- fillbatch 1000000 1000
//! cargo run --release --example bare_loop -- fillrandom,readrandom 1000000

use rand::rngs::SmallRng;
use rand::SeedableRng;
use rdbtune::engine::batch::uniform_batch_capacity;
use rdbtune::engine::EngineConfig;
use rdbtune::workload::keys::{encode_key, key_buffer, uniform, ValueGen};
use rocksdb::{ReadOptions, WaitForCompactOptions, WriteBatch, WriteOptions, DB};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let workloads = args
        .get(1)
        .map_or("fillrandom,readrandom", String::as_str)
        .to_string();
    let num: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let batch: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let dir = tempfile::Builder::new()
        .prefix("bare-loop-")
        .tempdir()
        .expect("temp dir");
    let cfg = EngineConfig::default();
    let opts = cfg.build().expect("options").options;
    let db = DB::open(&opts, dir.path()).expect("open");
    let wo = WriteOptions::default();
    let ro = ReadOptions::default();
    let (ks, vs) = (16usize, 100usize);
    let mut key = key_buffer(ks);
    // Same seeds as rdbtune's first worker thread.
    let seed = 0x5EEDu64.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut vals = ValueGen::new(0.5, vs, seed ^ 0x301);
    let mut rng = SmallRng::seed_from_u64(seed);
    for w in workloads.split(',') {
        let t = Instant::now();
        let mut found = 0u64;
        match w {
            "fillbatch" => {
                let mut next = 0u64;
                while next < num {
                    let n = (batch as u64).min(num - next) as usize;
                    let mut b = WriteBatch::with_capacity_bytes(uniform_batch_capacity(n, ks, vs));
                    for _ in 0..n {
                        encode_key(next, &mut key);
                        next += 1;
                        b.put(&key, vals.next(vs));
                    }
                    db.write_opt(b, &wo).unwrap();
                }
            }
            "fillrandom" => {
                for _ in 0..num {
                    encode_key(uniform(&mut rng, num), &mut key);
                    db.put_opt(&key, vals.next(vs), &wo).unwrap();
                }
            }
            "readrandom" => {
                for _ in 0..num {
                    encode_key(uniform(&mut rng, num), &mut key);
                    found += db.get_pinned_opt(&key, &ro).unwrap().is_some() as u64;
                }
            }
            other => panic!("bare_loop supports fillbatch, fillrandom, readrandom; not {other}"),
        }
        let el = t.elapsed().as_secs_f64();
        println!(
            "{w:<12} {num} ops in {el:.3} s = {:.0} ops/s{}",
            num as f64 / el,
            if w == "readrandom" {
                format!(" (found {found})")
            } else {
                String::new()
            }
        );
        if w.starts_with("fill") {
            db.wait_for_compact(&WaitForCompactOptions::default())
                .unwrap();
        }
    }
}
