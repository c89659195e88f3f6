//! `rdbtune stats --db` on a DB written by `rdbtune bench --db`.

mod common;

use common::{rdbtune, stderr};
use std::collections::BTreeMap;
use std::path::Path;

/// name -> (size, contents) of every file in `dir`.
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                (bytes.len() as u64, bytes),
            )
        })
        .collect()
}

#[test]
fn stats_matches_bench_and_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("db");
    let o = rdbtune(
        &[
            "bench",
            "-q",
            "--workload",
            "fillseq",
            "--num",
            "200000",
            "--set",
            "write_buffer_size=1MiB",
            "--db",
            db.to_str().unwrap(),
            "--json",
            "-",
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let bench: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let before = snapshot(&db);

    let o = rdbtune(&["stats", "--db", db.to_str().unwrap(), "--json"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let fin = &bench["runs"][0]["final_stats"];
    assert_eq!(v["schema"], "rdbtune.dbstats/v1");
    assert!(
        fin["live_sst_bytes"].as_u64().unwrap() > 1 << 20,
        "flushed to SSTs: {fin}"
    );
    assert_eq!(v["live_sst_bytes"], fin["live_sst_bytes"], "same SST bytes");
    assert_eq!(v["files_per_level"], fin["files_per_level"]);
    // Both count the memtable (the read-only instance replays the WAL).
    let keys = v["estimated_keys"].as_u64().unwrap();
    assert!((keys as f64 - 200_000.0).abs() < 200_000.0 * 0.02, "{keys}");
    assert_eq!(keys, fin["estimated_keys"].as_u64().unwrap());

    let o = rdbtune(
        &["stats", "--db", db.to_str().unwrap(), "--verbose"],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("keys (estimate)") && text.contains("rocksdb.stats"),
        "{text}"
    );

    let after = snapshot(&db);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "no file created, renamed or removed"
    );
    assert!(before == after, "file sizes and contents unchanged");
}

#[test]
fn stats_refuses_a_non_db() {
    let t = tempfile::tempdir().unwrap();
    let o = rdbtune(&["stats", "--db", t.path().to_str().unwrap()], t.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--db") && stderr(&o).contains("CURRENT"));
}

/// A secondary instance follows a DB that another process is writing: each view after a
/// catch-up sees more keys, and the writer is not disturbed.
#[test]
fn secondary_follows_a_db_another_process_writes() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("db");
    let mut writer = common::bin()
        .args([
            "bench",
            "--workload",
            "fillseq",
            "--num",
            "50000000",
            "--duration",
            "5",
            "--db",
            db.to_str().unwrap(),
            "-q",
            "--set",
            "write_buffer_size=4MiB",
        ])
        .env("TMPDIR", t.path())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !db.join("CURRENT").is_file() {
        assert!(
            start.elapsed().as_secs() < 30,
            "the writer never created its DB"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut w =
        rdbtune::engine::view::Watcher::open(&db, rdbtune::engine::view::Mode::Secondary).unwrap();
    let mut seen = Vec::new();
    for _ in 0..4 {
        let v = w.view(false).unwrap();
        assert_eq!(v.opened_as, "secondary");
        seen.push((v.estimated_keys, v.total_sst_bytes));
        std::thread::sleep(std::time::Duration::from_millis(600));
    }
    let status = writer.wait().unwrap();
    assert!(
        status.success(),
        "the writer failed while followed: {status:?}"
    );
    // Each catch-up sees at least what the previous one saw, and the writer's progress shows
    // over the four (a busy machine may let one 600 ms gap pass without a flush or a new
    // estimate, so growth at every single step is not required).
    common::figure(&format!("estimated keys at each catch-up: {seen:?}"));
    assert!(
        seen.windows(2).all(|p| p[1].0 >= p[0].0),
        "the key count went backwards between catch-ups: {seen:?}"
    );
    assert!(
        seen.last().unwrap().0 > seen[0].0,
        "no growth over four catch-ups while the writer ran: {seen:?}"
    );
    assert!(
        seen.last().unwrap().1 > 0,
        "flushed SSTs are seen: {seen:?}"
    );
    // After the writer is done, a read-only view agrees with the final catch-up.
    let last = w.view(false).unwrap();
    let ro = rdbtune::engine::view::view(&db, false).unwrap();
    assert_eq!(ro.total_sst_bytes, last.total_sst_bytes);
    assert!(last.estimated_keys >= seen.last().unwrap().0);
}

/// A DB written by Debian's db_bench 7.8.3 with three column families: `stats --db` names
/// every family from the MANIFEST, gives each its own key estimate (ldb's scan of that family
/// agrees) and the total over all three; `--cf` narrows to one.
#[test]
fn stats_lists_every_family_of_a_db_bench_db() {
    if !common::require("db_bench", "rocksdb-tools") || !common::require("ldb", "rocksdb-tools") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("db");
    let n = 30_000;
    let o = std::process::Command::new("db_bench")
        .args([
            "--benchmarks=fillseq",
            &format!("--num={n}"),
            "--num_column_families=3",
            "--write_buffer_size=1048576",
            &format!("--db={}", db.display()),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let names = [
        "default",
        "column_family_name_000001",
        "column_family_name_000002",
    ];
    let ldb_count = |cf: &str| {
        let o = std::process::Command::new("ldb")
            .args([
                &format!("--db={}", db.display()),
                &format!("--column_family={cf}"),
                "scan",
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| l.contains(" : "))
            .count() as u64
    };
    let counts: Vec<u64> = names.iter().map(|c| ldb_count(c)).collect();
    assert_eq!(counts.iter().sum::<u64>(), n, "db_bench's keys: {counts:?}");
    assert!(
        counts.iter().all(|c| *c > 0),
        "every family holds keys: {counts:?}"
    );

    let o = rdbtune(&["stats", "--db", db.to_str().unwrap(), "--json"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let fams = v["column_families"].as_array().expect("column_families");
    assert_eq!(fams.len(), 3, "{v}");
    for (i, f) in fams.iter().enumerate() {
        assert_eq!(f["name"], names[i]);
        assert_eq!(
            f["estimated_keys"].as_u64(),
            Some(counts[i]),
            "{}",
            names[i]
        );
    }
    assert_eq!(
        v["estimated_keys"].as_u64(),
        Some(n),
        "the total over families"
    );

    let o = rdbtune(&["stats", "--db", db.to_str().unwrap()], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    for name in names {
        assert!(text.contains(name), "{name} in: {text}");
    }

    let o = rdbtune(
        &[
            "stats",
            "--db",
            db.to_str().unwrap(),
            "--json",
            "--cf",
            names[2],
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let fams = v["column_families"].as_array().unwrap();
    assert_eq!(fams.len(), 1);
    assert_eq!(fams[0]["name"], names[2]);
    assert_eq!(v["estimated_keys"].as_u64(), Some(counts[2]));

    let o = rdbtune(
        &["stats", "--db", db.to_str().unwrap(), "--cf", "nope"],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("nope") && stderr(&o).contains(names[1]),
        "{}",
        stderr(&o)
    );
}
