//! Criterion micro-benchmarks of the engine module. Each measurement sits beside a bare loop
//! over the same `rocksdb` calls with the same options, so what rdbtune's wrapper adds is
//! visible as the difference between the two lines.
//!
//! Run with `make bench` (or `cargo bench --bench engine`).

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use rdbtune::engine::batch::uniform_batch_capacity;
use rdbtune::engine::{Engine, EngineConfig};
use rdbtune::workload::keys::{encode_key, key_buffer, uniform, ValueGen};
use rocksdb::{WriteBatch, WriteOptions};
use std::hint::black_box;

const VALUE: usize = 100;
const KEYSPACE: u64 = 1_000_000;

fn engine() -> (tempfile::TempDir, Engine) {
    let d = tempfile::tempdir().unwrap();
    // Measure the write path, not the disk; both sides alike.
    let cfg = EngineConfig {
        disable_wal: true,
        ..EngineConfig::default()
    };
    let e = Engine::open(&cfg, d.path()).unwrap();
    (d, e)
}

fn single_put(c: &mut Criterion) {
    let (_d, e) = engine();
    let mut g = c.benchmark_group("put");
    g.throughput(Throughput::Elements(1));
    let mut key = key_buffer(16);
    let mut vals = ValueGen::new(0.5, VALUE, 1);
    let mut rng = SmallRng::seed_from_u64(1);
    g.bench_function("rdbtune_engine", |b| {
        b.iter(|| {
            encode_key(uniform(&mut rng, KEYSPACE), &mut key);
            e.put(&key, vals.next(VALUE)).unwrap();
        })
    });
    let wo = {
        let mut w = WriteOptions::default();
        w.disable_wal(true);
        w
    };
    g.bench_function("bare_rocksdb", |b| {
        b.iter(|| {
            encode_key(uniform(&mut rng, KEYSPACE), &mut key);
            e.db().put_opt(&key, vals.next(VALUE), &wo).unwrap();
        })
    });
    g.finish();
}

fn batch_write(c: &mut Criterion) {
    let (_d, e) = engine();
    let mut g = c.benchmark_group("write_batch");
    g.sample_size(10);
    let wo = {
        let mut w = WriteOptions::default();
        w.disable_wal(true);
        w
    };
    for n in [100usize, 1_000, 10_000, 100_000] {
        g.throughput(Throughput::Elements(n as u64));
        let mut vals = ValueGen::new(0.5, VALUE, 2);
        let mut rng = SmallRng::seed_from_u64(2);
        // Items prepared outside the timed part, as a caller of write_batch would hold them.
        let mut make_items = || -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
            (0..n)
                .map(|_| {
                    let mut k = key_buffer(16);
                    encode_key(uniform(&mut rng, KEYSPACE), &mut k);
                    (k, Some(vals.next(VALUE).to_vec()))
                })
                .collect()
        };
        g.bench_with_input(BenchmarkId::new("rdbtune_write_batch", n), &n, |b, _| {
            b.iter_batched(
                &mut make_items,
                |items| e.write_batch(&items).unwrap(),
                BatchSize::LargeInput,
            )
        });
        g.bench_with_input(
            BenchmarkId::new("bare_writebatch_default", n),
            &n,
            |b, _| {
                b.iter_batched(
                    &mut make_items,
                    |items| {
                        let mut wb = WriteBatch::default();
                        for (k, v) in &items {
                            wb.put(k, v.as_ref().unwrap());
                        }
                        e.db().write_opt(wb, &wo).unwrap()
                    },
                    BatchSize::LargeInput,
                )
            },
        );
        let mut key = key_buffer(16);
        g.bench_with_input(
            BenchmarkId::new("bare_presized_generated", n),
            &n,
            |b, &n| {
                b.iter(|| {
                    let mut wb =
                        WriteBatch::with_capacity_bytes(uniform_batch_capacity(n, 16, VALUE));
                    for _ in 0..n {
                        encode_key(uniform(&mut rng, KEYSPACE), &mut key);
                        wb.put(&key, vals.next(VALUE));
                    }
                    e.db().write_opt(wb, &wo).unwrap()
                })
            },
        );
    }
    g.finish();
}

fn random_get(c: &mut Criterion) {
    let (_d, e) = engine();
    let n = 200_000u64;
    let mut key = key_buffer(16);
    let mut vals = ValueGen::new(0.5, VALUE, 3);
    for i in 0..n {
        encode_key(i, &mut key);
        e.put(&key, vals.next(VALUE)).unwrap();
    }
    e.wait_for_compaction(true).unwrap();
    let mut g = c.benchmark_group("get");
    g.throughput(Throughput::Elements(1));
    let mut rng = SmallRng::seed_from_u64(3);
    g.bench_function("rdbtune_engine", |b| {
        b.iter(|| {
            encode_key(uniform(&mut rng, n), &mut key);
            black_box(e.get_len(&key).unwrap())
        })
    });
    let ro = rocksdb::ReadOptions::default();
    g.bench_function("bare_rocksdb", |b| {
        b.iter(|| {
            encode_key(uniform(&mut rng, n), &mut key);
            black_box(e.db().get_pinned_opt(&key, &ro).unwrap().map(|s| s.len()))
        })
    });
    g.finish();
}

criterion_group!(benches, single_put, batch_write, random_get);
criterion_main!(benches);
