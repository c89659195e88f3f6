//! Crash consistency of BatchTransaction: a child process commits batches of known content
//! (WAL on, sync = true), each spread over three column families with different compression,
//! and prints each batch number once its commit returned; the test kills it with SIGKILL at
//! random moments, reopens the DB and checks every batch is all or nothing across the
//! families and every acknowledged batch is there.
//!
//! SIGKILL keeps the kernel's page cache, so it cannot tell a synced write from one that is
//! not. `power_loss_keeps_every_synced_batch_and_only_those` runs the same child under
//! tests/support/powerloss.c, an LD_PRELOAD library that holds every write to the WAL in the
//! process until fsync/fdatasync: what was not synced dies with the process, as it would
//! with the power. With `sync = true` every acknowledged batch survives; with `sync = false`
//! acknowledged batches are lost, so the test tells the two apart.
//!
//! The child is this test binary itself, re-run with RDBTUNE_CRASH_CHILD set, so the product
//! carries no test-only command.

mod common;

use rdbtune::engine::{CfConfig, Engine, EngineConfig};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KEYS_PER_BATCH: usize = 16;
/// Key `i` of a batch goes to family `i % FAMILIES` (`default`, `hot`, `cold`).
const FAMILIES: usize = 3;

fn key(batch: u64, i: usize) -> Vec<u8> {
    format!("b{batch:010}-k{i:02}").into_bytes()
}

fn value(batch: u64, i: usize) -> Vec<u8> {
    // Long enough that a batch spans several WAL fragments now and then.
    format!(
        "{batch}:{i}:{}",
        "v".repeat(200 + (batch as usize * 7 + i) % 300)
    )
    .into_bytes()
}

/// `RDBTUNE_CRASH_SYNC=false` in the child turns sync off; `RDBTUNE_CRASH_WBS` sets the
/// memtable size (256 KiB: flushes happen during the run too).
fn config() -> EngineConfig {
    let mut c = EngineConfig::default();
    let sync = std::env::var("RDBTUNE_CRASH_SYNC").unwrap_or_else(|_| "true".into());
    c.set("sync", &sync).unwrap();
    let wbs = std::env::var("RDBTUNE_CRASH_WBS").unwrap_or_else(|_| "256KiB".into());
    c.set("write_buffer_size", &wbs).unwrap();
    for (name, compression) in [("hot", "none"), ("cold", "zstd")] {
        let mut overrides = toml::Table::new();
        overrides.insert("compression".into(), compression.into());
        c.column_families.push(CfConfig {
            name: name.into(),
            overrides,
        });
    }
    c
}

/// Batches present: for each batch number, how many of its keys exist with the right value.
fn batches_in(db: &Path) -> std::collections::BTreeMap<u64, usize> {
    // The families as the DB holds them on disk (a read-only open lists what is there,
    // declared or not), before the read-write open below declares them.
    {
        let logs = tempfile::tempdir().unwrap();
        let ro = Engine::open_read_only(&EngineConfig::default(), db, logs.path()).unwrap();
        let mut on_disk = ro.families().to_vec();
        on_disk.sort();
        assert_eq!(on_disk, ["cold", "default", "hot"], "families on disk");
    }
    let e = Engine::open(&config(), db).unwrap();
    let mut seen = std::collections::BTreeMap::new();
    for f in 0..FAMILIES {
        e.scan_cf(e.cf(f), b"b", usize::MAX, |k, v| {
            let s = std::str::from_utf8(k).unwrap();
            let (b, i) = s[1..].split_once("-k").unwrap();
            let (b, i): (u64, usize) = (b.parse().unwrap(), i.parse().unwrap());
            assert_eq!(i % FAMILIES, f, "key {s} is in family {f}");
            assert_eq!(v, value(b, i).as_slice(), "key {s} holds a wrong value");
            *seen.entry(b).or_insert(0) += 1;
        })
        .unwrap();
    }
    seen
}

/// The child: resumes after the highest batch present and commits until killed.
#[test]
fn crash_child() {
    let Some(db) = std::env::var_os("RDBTUNE_CRASH_CHILD") else {
        return; // only meaningful as the child of the test below
    };
    let e = Engine::open(&config(), Path::new(&db)).unwrap();
    let mut next = 0u64;
    for f in 0..FAMILIES {
        e.scan_cf(e.cf(f), b"b", usize::MAX, |k, _| {
            let s = std::str::from_utf8(k).unwrap();
            let b: u64 = s[1..11].parse().unwrap();
            next = next.max(b + 1);
        })
        .unwrap();
    }
    let cfs = e.cfs();
    let out = std::io::stdout();
    loop {
        let mut tx = e.begin_batch();
        for i in 0..KEYS_PER_BATCH {
            tx.put_cf(cfs[i % FAMILIES], key(next, i), value(next, i));
        }
        tx.commit().unwrap();
        {
            use std::io::Write;
            let mut o = out.lock();
            writeln!(o, "ack {next}").unwrap();
            o.flush().unwrap();
        }
        next += 1;
    }
}

/// One child run on `db`: started with `env`, killed with SIGKILL `wait` after its first
/// acknowledgement. Returns the batches it acknowledged.
fn kill_child_after(db: &Path, env: &[(&str, &str)], wait: Duration) -> Vec<u64> {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(&exe)
        .args([
            "--exact",
            "crash_child",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("RDBTUNE_CRASH_CHILD", db)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            if let Some(n) = line.strip_prefix("ack ") {
                let _ = tx.send(n.parse::<u64>().unwrap());
            }
        }
    });
    // Wait for the first ack (the DB is open and committing), then the given moment.
    let first = rx.recv_timeout(Duration::from_secs(30));
    let t0 = Instant::now();
    while first.is_ok() && t0.elapsed() < wait {
        std::hint::spin_loop();
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    child.wait().unwrap();
    reader.join().unwrap();
    let first = first.expect("child acknowledged a batch within 30 s");
    let mut acked: Vec<u64> = vec![first];
    acked.extend(rx.try_iter());
    acked
}

/// Every batch present is whole; batches present are a gap-free prefix 0..=max.
fn assert_whole_prefix(present: &std::collections::BTreeMap<u64, usize>, round: &str) {
    for (b, n) in present {
        assert_eq!(
            *n, KEYS_PER_BATCH,
            "{round}: batch {b} is torn: {n} of {KEYS_PER_BATCH} keys"
        );
    }
    if let Some(&max) = present.keys().last() {
        assert_eq!(
            present.len() as u64,
            max + 1,
            "{round}: a gap in the batches"
        );
    }
}

#[test]
fn batches_survive_sigkill_all_or_nothing() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("db");
    let mut acked_total = 0u64;
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let kills = 24;
    for round in 0..kills {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let wait = Duration::from_micros(1_000 + rng % 150_000);
        let acked = kill_child_after(&db, &[], wait);
        acked_total += acked.len() as u64;
        let present = batches_in(&db);
        let round = format!("round {round}");
        assert_whole_prefix(&present, &round);
        for b in &acked {
            assert!(
                present.contains_key(b),
                "{round}: batch {b} was acknowledged (sync commit returned) but is missing"
            );
        }
    }
    // Each round acknowledged its first batch at least; more shows the kills land mid-run.
    assert!(
        acked_total > kills,
        "the rounds acknowledged {acked_total} batches in {kills} kills"
    );
}

/// Builds tests/support/powerloss.c into `dir`; None (skipped, or a failure under CI) when
/// there is no C compiler.
fn powerloss_library(dir: &Path) -> Option<std::path::PathBuf> {
    if !common::require("cc", "gcc") {
        return None;
    }
    let so = dir.join("powerloss.so");
    let src = common::source_dir().join("tests/support/powerloss.c");
    let o = Command::new("cc")
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&so)
        .arg(&src)
        .args(["-ldl", "-lpthread"])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "cc {}: {}",
        src.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    Some(so)
}

/// Simulated power loss: the child runs with powerloss.so, which keeps every WAL write in
/// memory until fsync/fdatasync, so a SIGKILL loses exactly what was not synced. With
/// `sync = true` (256 KiB memtables: flushes and WAL switches happen during the run) every
/// acknowledged batch survives 8 kills; with `sync = false` (one 64 MiB memtable, nothing
/// flushed) acknowledged batches are lost in every round. Were `sync` ignored, the first
/// half fails; were the library not in effect, the second half does.
#[test]
fn power_loss_keeps_every_synced_batch_and_only_those() {
    let t = tempfile::tempdir().unwrap();
    let Some(so) = powerloss_library(t.path()) else {
        return;
    };
    let so = so.to_str().unwrap().to_string();
    let log = t.path().join("syncs.log");
    let log_s = log.to_str().unwrap().to_string();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut synced_acks = 0usize;
    for (sync, wbs, rounds) in [("true", "256KiB", 8), ("false", "64MiB", 3)] {
        let db = t.path().join(format!("db-sync-{sync}"));
        let dir = db.to_str().unwrap().to_string();
        let env = [
            ("LD_PRELOAD", so.as_str()),
            ("POWERLOSS_DIR", dir.as_str()),
            ("POWERLOSS_LOG", log_s.as_str()),
            ("RDBTUNE_CRASH_SYNC", sync),
            ("RDBTUNE_CRASH_WBS", wbs),
        ];
        for round in 0..rounds {
            let _ = std::fs::remove_file(&log);
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let wait = Duration::from_micros(20_000 + rng % 150_000);
            let acked = kill_child_after(&db, &env, wait);
            let syncs = std::fs::read_to_string(&log).unwrap_or_default();
            let synced_wal_writes = syncs.lines().filter(|l| !l.ends_with(" 0")).count();
            let present = batches_in(&db);
            let name = format!("sync = {sync}, round {round}");
            assert_whole_prefix(&present, &name);
            let lost: Vec<u64> = acked
                .iter()
                .copied()
                .filter(|b| !present.contains_key(b))
                .collect();
            eprintln!(
                "{name}: {} batches acknowledged, {} lost, {synced_wal_writes} WAL syncs with data",
                acked.len(),
                lost.len()
            );
            if sync == "true" {
                assert!(
                    lost.is_empty(),
                    "{name}: acknowledged batches {lost:?} were lost although each commit synced the WAL"
                );
                assert!(
                    synced_wal_writes >= acked.len(),
                    "{name}: the library saw {synced_wal_writes} WAL syncs for {} commits",
                    acked.len()
                );
                synced_acks += acked.len();
            } else {
                assert!(
                    acked.len() > 1 && !lost.is_empty(),
                    "{name}: {} batches acknowledged without sync, none lost: the power loss was not simulated",
                    acked.len()
                );
                assert_eq!(
                    synced_wal_writes, 0,
                    "{name}: no commit synced the WAL, yet the library saw syncs with data"
                );
            }
        }
    }
    assert!(synced_acks > 8, "{synced_acks} synced batches acknowledged");
}

/// Output files are replaced atomically (temp file, fsync, rename, fsync of the directory):
/// killing rdbtune at random moments while it rewrites its output folder after every trial
/// run leaves each file whole: the old version or the new one, never a torn one.
#[test]
fn outputs_are_never_torn_by_sigkill() {
    let t = tempfile::tempdir().unwrap();
    let scn = t.path().join("many.toml");
    std::fs::write(
        &scn,
        "name = \"many\"\n[data]\nnum = 1500\n[[phase]]\nworkload = \"fillrandom\"\n[grid]\nwrite_buffer_size = [\"1MiB\", \"2MiB\", \"4MiB\", \"8MiB\", \"16MiB\", \"32MiB\"]\n[run]\nrepeats = 5\nwait_for_compaction = false\n[recommend]\nobjective = \"maximize fillrandom.ops_per_sec\"\n",
    )
    .unwrap();
    let exe = env!("CARGO_BIN_EXE_rdbtune");
    let mut rng = 0x1234_5678_9ABC_DEF1u64;
    let mut checked = 0;
    for round in 0..12 {
        let out = t.path().join(format!("out{round}"));
        let mut child = Command::new(exe)
            .args([
                "run",
                scn.to_str().unwrap(),
                "-q",
                "--out",
                out.to_str().unwrap(),
            ])
            .env("TMPDIR", t.path())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Read the files while they are being rewritten, then kill at a random moment.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let until = Instant::now() + Duration::from_millis(150 + rng % 900);
        while Instant::now() < until {
            checked += check_whole(&out, round);
        }
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        child.wait().unwrap();
        checked += check_whole(&out, round);
    }
    assert!(checked > 50, "only {checked} file reads were checked");
}

/// Every output file present parses completely; returns how many were read.
fn check_whole(out: &Path, round: usize) -> usize {
    let mut n = 0;
    if let Ok(b) = std::fs::read(out.join("results.json")) {
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap_or_else(|e| {
            panic!("round {round}: torn results.json ({} bytes): {e}", b.len())
        });
        assert_eq!(v["schema"], "rdbtune.result/v2");
        n += 1;
    }
    if let Ok(s) = std::fs::read_to_string(out.join("trials.csv")) {
        let mut r = csv::Reader::from_reader(s.as_bytes());
        let width = r.headers().unwrap().len();
        for rec in r.records() {
            assert_eq!(rec.unwrap().len(), width, "round {round}: torn trials.csv");
        }
        n += 1;
    }
    if let Ok(s) = std::fs::read_to_string(out.join("recommended.toml")) {
        toml::from_str::<toml::Table>(&s)
            .unwrap_or_else(|e| panic!("round {round}: torn recommended.toml: {e}"));
        n += 1;
    }
    if let Ok(s) = std::fs::read_to_string(out.join("summary.md")) {
        // Whole from its title to its last line (the files line of a recommendation, or
        // the no-recommendation line before the first trial run finishes).
        assert!(
            s.starts_with("# rdbtune: many")
                && (s.ends_with("db_bench.flags.\n") || s.ends_with("constraint.\n")),
            "round {round}: torn summary.md ({} bytes), last line {:?}",
            s.len(),
            s.lines().last()
        );
        n += 1;
    }
    if let Ok(s) = std::fs::read_to_string(out.join("report.html")) {
        assert!(
            s.starts_with("<!DOCTYPE html>") && s.ends_with("</html>\n"),
            "round {round}: torn report.html ({} bytes)",
            s.len()
        );
        n += 1;
    }
    n
}
