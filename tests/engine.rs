//! The engine module against real RocksDB on small data in temp dirs.

use rdbtune::engine::{Compression, Engine, EngineConfig};
use rdbtune::workload::keys::{encode_key, key_buffer, ValueGen};
use std::sync::atomic::{AtomicBool, Ordering};

fn open(cfg: &EngineConfig) -> (tempfile::TempDir, Engine) {
    let d = tempfile::tempdir().unwrap();
    let e = Engine::open(cfg, d.path()).unwrap();
    (d, e)
}

#[test]
fn put_get_delete_scan() {
    let (_d, e) = open(&EngineConfig::default());
    e.put(b"a", b"1").unwrap();
    e.put(b"b", b"2").unwrap();
    e.put(b"c", b"3").unwrap();
    assert_eq!(e.get(b"b").unwrap().as_deref(), Some(&b"2"[..]));
    assert_eq!(e.get_len(b"c").unwrap(), Some(1));
    e.delete(b"b").unwrap();
    assert_eq!(e.get(b"b").unwrap(), None);
    let mut seen = Vec::new();
    let n = e
        .scan(b"a", 10, |k, v| seen.push((k.to_vec(), v.to_vec())))
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        seen,
        vec![
            (b"a".to_vec(), b"1".to_vec()),
            (b"c".to_vec(), b"3".to_vec())
        ]
    );
    assert_eq!(e.scan(b"b", 1, |_, _| {}).unwrap(), 1);
}

#[test]
fn write_batch_applies_puts_and_deletes() {
    let (_d, e) = open(&EngineConfig::default());
    e.put(b"gone", b"x").unwrap();
    let items: Vec<(Vec<u8>, Option<Vec<u8>>)> = vec![
        (b"k1".to_vec(), Some(b"v1".to_vec())),
        (b"k2".to_vec(), Some(b"v2".to_vec())),
        (b"gone".to_vec(), None),
    ];
    e.write_batch(&items).unwrap();
    assert_eq!(e.get(b"k1").unwrap().as_deref(), Some(&b"v1"[..]));
    assert_eq!(e.get(b"k2").unwrap().as_deref(), Some(&b"v2"[..]));
    assert_eq!(e.get(b"gone").unwrap(), None);
}

#[test]
fn batch_capacity_is_exact() {
    // The pre-sized buffer must match what RocksDB serialises, or it would grow.
    let items: Vec<(Vec<u8>, Option<Vec<u8>>)> = (0..300u32)
        .map(|i| {
            let v = (i % 3 != 0).then(|| vec![7u8; (i * 3) as usize]);
            (i.to_be_bytes().repeat((i % 50 + 1) as usize), v)
        })
        .collect();
    let mut b = rocksdb::WriteBatch::default();
    for (k, v) in &items {
        match v {
            Some(v) => b.put(k, v),
            None => b.delete(k),
        }
    }
    assert_eq!(rdbtune::engine::batch_capacity(&items), b.size_in_bytes());
    assert_eq!(
        rdbtune::engine::batch::uniform_batch_capacity(1000, 16, 100),
        {
            let mut b = rocksdb::WriteBatch::default();
            for i in 0..1000u64 {
                let mut k = key_buffer(16);
                encode_key(i, &mut k);
                b.put(&k, [1u8; 100]);
            }
            b.size_in_bytes()
        }
    );
}

#[test]
fn transaction_commit_rollback_drop() {
    let (_d, e) = open(&EngineConfig::default());
    e.put(b"x", b"old").unwrap();

    let mut tx = e.begin_batch();
    tx.put(b"a", b"1").put(b"b", b"2").delete(b"x");
    assert_eq!(tx.len(), 3);
    assert_eq!(
        e.get(b"a").unwrap(),
        None,
        "staged writes are invisible before commit"
    );
    tx.commit().unwrap();
    assert_eq!(e.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(e.get(b"b").unwrap().as_deref(), Some(&b"2"[..]));
    assert_eq!(e.get(b"x").unwrap(), None);

    let mut tx = e.begin_batch();
    tx.put(b"a", b"changed").put(b"c", b"3").delete(b"b");
    tx.rollback();
    {
        let mut tx = e.begin_batch();
        tx.put(b"d", b"4").delete(b"a");
        // dropped without commit
    }
    assert_eq!(e.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(e.get(b"b").unwrap().as_deref(), Some(&b"2"[..]));
    assert_eq!(e.get(b"c").unwrap(), None);
    assert_eq!(e.get(b"d").unwrap(), None);
}

#[test]
fn transaction_commit_is_atomic_to_concurrent_readers() {
    let (_d, e) = open(&EngineConfig::default());
    const KEYS: u32 = 64;
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            for round in 0u32..300 {
                let mut tx = e.begin_batch();
                for k in 0..KEYS {
                    tx.put(k.to_be_bytes(), round.to_be_bytes());
                }
                tx.commit().unwrap();
            }
            done.store(true, Ordering::SeqCst);
        });
        let mut checks = 0;
        while !done.load(Ordering::SeqCst) || checks < 10 {
            let snap = e.snapshot();
            let vals: Vec<Option<Vec<u8>>> = (0..KEYS)
                .map(|k| snap.get(&k.to_be_bytes()).unwrap())
                .collect();
            let first = &vals[0];
            assert!(
                vals.iter().all(|v| v == first),
                "a reader saw a partial batch: {vals:?}"
            );
            checks += 1;
        }
    });
}

#[test]
fn failed_commit_propagates_and_applies_nothing() {
    let d = tempfile::tempdir().unwrap();
    {
        let e = Engine::open(&EngineConfig::default(), d.path()).unwrap();
        e.put(b"k", b"v").unwrap();
    }
    let logs = tempfile::tempdir().unwrap();
    let ro = Engine::open_read_only(&EngineConfig::default(), d.path(), logs.path()).unwrap();
    let mut tx = ro.begin_batch();
    tx.put(b"k", b"new").put(b"k2", b"v2");
    let err = tx.commit().unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("writing a batch"), "{err}");
    assert_eq!(ro.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
    assert_eq!(ro.get(b"k2").unwrap(), None);
    assert!(ro
        .write_batch(&[(b"z".to_vec(), Some(b"1".to_vec()))])
        .is_err());
}

/// Writes `n` db_bench keys with 100-byte values of the given compressibility, flushes,
/// reads them all back, and returns the stats.
fn load(cfg: &EngineConfig, n: u64, compressibility: f64) -> rdbtune::engine::EngineStats {
    let (_d, e) = open(cfg);
    let mut key = key_buffer(16);
    let mut vals = ValueGen::new(compressibility, 100, 9);
    for i in 0..n {
        encode_key(i, &mut key);
        e.put(&key, vals.next(100)).unwrap();
    }
    e.wait_for_compaction(true).unwrap();
    for i in 0..n {
        encode_key(i, &mut key);
        assert_eq!(e.get_len(&key).unwrap(), Some(100));
    }
    e.get_stats().unwrap()
}

#[test]
fn stats_reflect_known_data() {
    let n = 50_000;
    let mut cfg = EngineConfig {
        compression: Compression::Lz4,
        ..EngineConfig::default()
    };
    let s = load(&cfg, n, 0.5);
    assert!(
        (s.estimated_keys as f64 - n as f64).abs() < n as f64 * 0.05,
        "key estimate {} vs {n}",
        s.estimated_keys
    );
    assert!(s.live_sst_bytes > 0 && s.total_sst_bytes >= s.live_sst_bytes);
    assert!(s.disk_bytes >= s.live_sst_bytes);
    assert_eq!(s.sst_raw_bytes, n * 116, "raw key+value bytes in SSTs");
    let r = s.compression_ratio.unwrap();
    assert!(
        (1.6..2.6).contains(&r),
        "lz4 at compressibility 0.5 gives ~2x, got {r}"
    );
    // The rate is the counters' hits over lookups.
    let (hits, misses) = (s.counters.block_cache_hits, s.counters.block_cache_misses);
    let hit = s.cache_hit_rate.unwrap();
    assert_eq!(
        hit,
        hits as f64 / (hits + misses) as f64,
        "{hits} hits, {misses} misses"
    );
    // After the flush every get reads a data block from the SST, so every key is at least one
    // cache lookup. The keys are read in order and a 4 KiB block holds about 30 of them: the
    // first get of a block misses (nothing is cached at open), the next ones hit, so about
    // 97% hit, and never all of them.
    assert!(
        hits + misses >= n,
        "{hits} hits + {misses} misses for {n} gets"
    );
    assert!(
        (0.9..1.0).contains(&hit),
        "in-order gets over 4 KiB blocks hit ~97%: {hit} ({hits} hits, {misses} misses)"
    );
    assert!(s.counters.flushes >= 1);
    assert_eq!(s.counters.keys_written, n);
    assert!(s.write_amplification.unwrap() > 0.5);
    assert!(s.files_per_level.iter().sum::<u64>() > 0);
    let rendered = rdbtune::export::table::engine_stats_text(&s);
    assert!(rendered.contains("compression ratio") && rendered.contains("hit rate"));

    cfg.compression = Compression::None;
    let none = load(&cfg, n, 0.5).compression_ratio.unwrap();
    assert!((0.85..1.05).contains(&none), "uncompressed ratio {none}");
    cfg.compression = Compression::Zstd;
    let zstd = load(&cfg, n, 0.25).compression_ratio.unwrap();
    assert!(zstd > 2.8, "zstd at compressibility 0.25: {zstd}");
}

#[test]
fn production_preset_opens_and_reports_per_level_codecs() {
    let mut cfg = EngineConfig::production_optimized();
    cfg.block_cache_size = rdbtune::engine::Size::mib(8); // keep the test light
    let (_d, e) = open(&cfg);
    let mut key = key_buffer(16);
    let mut vals = ValueGen::new(0.5, 100, 1);
    for i in 0..5000 {
        encode_key(i, &mut key);
        e.put(&key, vals.next(100)).unwrap();
    }
    e.flush().unwrap();
    let s = e.get_stats().unwrap();
    assert_eq!(s.files_per_level[0], 1);
    assert!(s.compression_ratio_per_level[0].is_some());
    assert_eq!(e.config().compression_per_level[0], Compression::None);
    let opts = std::fs::read_dir(e.path())
        .unwrap()
        .flatten()
        .find(|f| f.file_name().to_string_lossy().starts_with("OPTIONS-"))
        .unwrap();
    let text = std::fs::read_to_string(opts.path()).unwrap();
    assert!(
        text.contains("compression_per_level=kNoCompression:kLZ4Compression:kZSTD"),
        "{text}"
    );
    assert!(text.contains("write_buffer_size=268435456"));
    assert!(text.contains("max_background_jobs=8"));
}

/// Three families with three codecs: each family's own stats (keys, raw bytes, compression
/// ratio that matches its codec, OPTIONS section) and the DB's totals summing them.
#[test]
fn three_families_with_their_own_compression_report_their_own_stats() {
    let mut cfg = EngineConfig {
        compression: Compression::Lz4,
        ..EngineConfig::default()
    };
    for (name, codec) in [("plain", "none"), ("dense", "zstd")] {
        let mut overrides = toml::Table::new();
        overrides.insert("compression".into(), codec.into());
        cfg.column_families.push(rdbtune::engine::CfConfig {
            name: name.into(),
            overrides,
        });
    }
    let (_d, e) = open(&cfg);
    assert_eq!(e.families(), ["default", "plain", "dense"]);
    // Different key counts per family, so a family reporting another's figures shows.
    let counts = [30_000u64, 20_000, 10_000];
    let mut key = key_buffer(16);
    let mut vals = ValueGen::new(0.5, 100, 3);
    for (f, n) in counts.iter().enumerate() {
        for i in 0..*n {
            encode_key(i, &mut key);
            e.put_cf(e.cf(f), &key, vals.next(100)).unwrap();
        }
    }
    e.wait_for_compaction(true).unwrap();
    let s = e.get_stats().unwrap();
    assert_eq!(s.families.len(), 3);
    for (f, n) in counts.iter().enumerate() {
        let fam = &s.families[f];
        assert_eq!(fam.name, e.families()[f]);
        assert_eq!(fam.estimated_keys, *n, "{}: key estimate", fam.name);
        assert_eq!(
            fam.sst_raw_bytes,
            n * 116,
            "{}: raw key+value bytes",
            fam.name
        );
        assert!(fam.live_sst_bytes > 0 && fam.files_per_level.iter().sum::<u64>() > 0);
    }
    let ratio = |f: usize| s.families[f].compression_ratio.unwrap();
    let (lz4, none, zstd) = (ratio(0), ratio(1), ratio(2));
    assert!((0.85..1.05).contains(&none), "uncompressed family: {none}");
    assert!(
        (1.6..2.6).contains(&lz4),
        "lz4 family at compressibility 0.5: {lz4}"
    );
    assert!(zstd > lz4, "zstd family {zstd} vs lz4 family {lz4}");
    // The totals are the families' sums.
    let sum =
        |g: fn(&rdbtune::engine::stats::FamilyStats) -> u64| s.families.iter().map(g).sum::<u64>();
    assert_eq!(s.estimated_keys, 60_000);
    assert_eq!(s.estimated_keys, sum(|f| f.estimated_keys));
    assert_eq!(s.live_sst_bytes, sum(|f| f.live_sst_bytes));
    assert_eq!(s.sst_raw_bytes, sum(|f| f.sst_raw_bytes));
    let total = s.compression_ratio.unwrap();
    assert!(
        none < total && total < zstd,
        "DB ratio {total} between its families'"
    );
    // RocksDB ran each family with its own codec.
    let written = e.written_options().unwrap();
    for (section, codec) in [
        ("[CFOptions \"default\"]", "kLZ4Compression"),
        ("[CFOptions \"plain\"]", "kNoCompression"),
        ("[CFOptions \"dense\"]", "kZSTD"),
    ] {
        let body = written
            .split(section)
            .nth(1)
            .unwrap_or_else(|| panic!("{section}"));
        let body = body.split("[CFOptions").next().unwrap();
        assert!(
            body.contains(&format!("\n  compression={codec}\n")),
            "{section} compression={codec}"
        );
    }
}

/// Memory a closed engine freed goes back to the OS when the next one opens, so each
/// engine's RSS figures (peak_rss_bytes, the tuner's memory budget) are its own. Freed heap
/// chunks below a live allocation stay resident until `release_freed_memory` (what
/// `Engine::open` calls) hands them back.
#[test]
fn freed_memory_is_returned_before_an_engine_opens() {
    use rdbtune::sysmon::{release_freed_memory, rss_bytes};
    const CHUNK: usize = 64 << 10;
    const TOTAL: usize = 256 << 20;
    let mut chunks: Vec<Vec<u8>> = (0..TOTAL / CHUNK).map(|_| vec![1u8; CHUNK]).collect();
    // A live allocation above the freed ones, so free() cannot shrink the heap's top.
    let guard = vec![2u8; CHUNK];
    chunks.clear();
    chunks.shrink_to_fit();
    let held = rss_bytes();
    let (_d, e) = open(&EngineConfig::default());
    let after = rss_bytes();
    assert!(
        held.saturating_sub(after) >= (TOTAL / 2) as u64,
        "RSS {held} -> {after} bytes: less than half of the {TOTAL} bytes freed was returned"
    );
    drop(e);
    release_freed_memory();
    assert_eq!(guard[0], 2);
}
