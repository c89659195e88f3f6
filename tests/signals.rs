//! SIGINT / SIGTERM during every long-running command: stops within 2 s, writes what was
//! measured, removes the temporary DBs it created, exits 130 / 143.

mod common;

use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

fn temp_dbs(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("rdbtune-"))
        .collect()
}

/// Starts rdbtune with `args`, waits until it has created a temporary DB and worked for a
/// second, sends `sig`; returns the exit code and how long it took to stop.
fn interrupt(args: &[&str], tmp: &Path, sig: i32) -> (Option<i32>, Duration, String) {
    let mut child = common::bin()
        .args(args)
        .env("TMPDIR", tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while temp_dbs(tmp).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{args:?}: no temporary DB appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let t0 = Instant::now();
    unsafe { libc::kill(child.id() as i32, sig) };
    let status = child.wait().unwrap();
    let took = t0.elapsed();
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    (status.code(), took, err)
}

fn check(args: &[&str], sig: i32, tmp: &Path) -> String {
    let (code, took, err) = interrupt(args, tmp, sig);
    assert_eq!(code, Some(128 + sig), "{args:?}: {err}");
    common::figure(&format!(
        "{} stopped {:.2} s after the signal (bound {} s)",
        args[0],
        took.as_secs_f64(),
        common::STOP_BOUND.as_secs()
    ));
    assert!(took < common::STOP_BOUND, "{args:?} took {took:?} to stop");
    assert!(
        temp_dbs(tmp).is_empty(),
        "{args:?} left {:?}",
        temp_dbs(tmp)
    );
    err
}

fn json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).expect("output written")).unwrap()
}

#[test]
fn bench_stops_and_keeps_its_measurements() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let tmp = t.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    for (sig, name) in [(libc::SIGINT, "int"), (libc::SIGTERM, "term")] {
        let j = out.join(format!("bench-{name}.json"));
        check(
            &[
                "bench",
                "--workload",
                "fillrandom,readrandom",
                "--num",
                "100000000",
                "--duration",
                "60",
                "--json",
                j.to_str().unwrap(),
            ],
            sig,
            &tmp,
        );
        let v = json(&j);
        assert_eq!(v["interrupted"], true);
        assert!(
            v["runs"][0]["phases"][0]["ops"].as_u64().unwrap() > 0,
            "{name}"
        );
        assert!(!v["runs"][0]["phases"][0]["intervals"]
            .as_array()
            .unwrap()
            .is_empty());
    }
}

#[test]
fn ycsb_stops_and_keeps_its_measurements() {
    let t = tempfile::tempdir().unwrap();
    let tmp = t.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    for (sig, name) in [(libc::SIGINT, "int"), (libc::SIGTERM, "term")] {
        let o = t.path().join(format!("ycsb-{name}.json"));
        check(
            &[
                "ycsb",
                "--workload",
                "a",
                "--records",
                "50000000",
                "--format",
                "json",
                "-o",
                o.to_str().unwrap(),
            ],
            sig,
            &tmp,
        );
        let v = json(&o);
        assert_eq!(v["interrupted"], true, "{name}");
        assert!(
            v["runs"][0]["phases"][0]["ops"].as_u64().unwrap() > 0,
            "{name}"
        );
        assert!(
            !v["runs"][0]["phases"][0]["intervals"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{name}: the load's intervals are kept"
        );
    }
}

#[test]
fn soak_and_gate_stop_and_keep_their_measurements() {
    let t = tempfile::tempdir().unwrap();
    let tmp = t.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    for (sig, name) in [(libc::SIGINT, "int"), (libc::SIGTERM, "term")] {
        let out = t.path().join(format!("soak-{name}"));
        let err = check(
            &[
                "sweep",
                "soak-write",
                "--duration",
                "60",
                "--out",
                out.to_str().unwrap(),
            ],
            sig,
            &tmp,
        );
        assert!(err.contains("--resume"), "{name}: {err}");
        let v = json(&out.join("results.json"));
        assert_eq!(v["interrupted"], true, "{name}");
        let partial = &v["partial_run"]["phases"];
        assert!(
            partial[0]["ops"].as_u64().unwrap() > 0,
            "{name}: the cut-short run is kept: {}",
            v["partial_run"]
        );
        let csv = std::fs::read_to_string(out.join("intervals.csv")).unwrap();
        assert!(
            csv.lines().skip(1).any(|l| l.contains("(interrupted)")),
            "{name}: {csv}"
        );
    }

    let gate = t.path().join("g.toml");
    std::fs::write(
        &gate,
        "name = \"g\"\n[data]\nnum = 100000000\n[[phase]]\nname = \"fill\"\nworkload = \"fillrandom\"\nduration_s = 60\n[[check]]\nmetric = \"fill.ops_per_sec\"\nmin = 1\n",
    )
    .unwrap();
    let j = t.path().join("gate.json");
    check(
        &[
            "gate",
            "--gate",
            gate.to_str().unwrap(),
            "--json",
            j.to_str().unwrap(),
        ],
        libc::SIGTERM,
        &tmp,
    );
    assert_eq!(json(&j)["interrupted"], true);
}

#[test]
fn stats_watch_stops_on_sigint() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("db");
    let o = common::rdbtune(
        &[
            "bench",
            "-q",
            "--workload",
            "fillseq",
            "--num",
            "1000",
            "--db",
            db.to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success());
    let mut child = common::bin()
        .args(["stats", "--db", db.to_str().unwrap(), "--watch", "0.2"])
        .env("TMPDIR", t.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let t0 = Instant::now();
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let s = child.wait().unwrap();
    let took = t0.elapsed();
    common::figure(&format!(
        "stats --watch stopped {:.2} s after SIGINT (bound {} s)",
        took.as_secs_f64(),
        common::STOP_BOUND.as_secs()
    ));
    assert!(took < common::STOP_BOUND, "took {took:?} to stop");
    assert_eq!(s.code(), Some(130));
    let leftovers: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("rdbtune-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "the secondary's log directory is removed"
    );
}

/// SIGINT while the engine waits for compaction after a write phase: the wait ends promptly
/// (it waits in 200 ms slices and checks the flag), the finished phase is kept with the
/// wait cut short, the exit code is 130 and the temporary DB is gone. The wait is made long
/// on purpose: flushes are uncompressed and the bottommost level is zstd level 19, so the
/// compaction after a 1 s fill takes several seconds (about 8 s here).
#[test]
fn sigint_during_a_compaction_wait_stops_it_and_keeps_the_phase() {
    let t = tempfile::tempdir().unwrap();
    let json = t.path().join("bench.json");
    let mut child = common::bin()
        .args([
            "bench",
            "--workload",
            "fillrandom",
            "--num",
            "10000000",
            "--duration",
            "1",
            "--rocksdb-options",
            "compression=kNoCompression;bottommost_compression=kZSTD;bottommost_compression_opts={level=19;enabled=true};write_buffer_size=4194304;level0_file_num_compaction_trigger=2",
            "--json",
            json.to_str().unwrap(),
            "-q",
        ])
        .env("TMPDIR", t.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while temp_dbs(t.path()).is_empty() {
        assert!(start.elapsed() < Duration::from_secs(30), "no temporary DB");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The 1 s phase is over after about 1.5 s; the wait runs for seconds after it.
    std::thread::sleep(Duration::from_millis(2500));
    let t0 = Instant::now();
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    let took = t0.elapsed();
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let p = &v["runs"][0]["phases"][0];
    let wait = p["compaction_wait_s"].as_f64().unwrap();
    common::figure(&format!(
        "stopped {:.2} s after SIGINT, the wait cut at {wait:.2} s (bound {} s)",
        took.as_secs_f64(),
        common::STOP_BOUND.as_secs()
    ));
    assert_eq!(
        p["interrupted"], false,
        "the signal landed in the phase, not the wait: {err}"
    );
    assert!(wait > 0.0, "no compaction wait was measured: {p}");
    assert!(wait < 6.0, "the wait was not cut short: {wait} s");
    assert!(took < common::STOP_BOUND, "took {took:?} to stop");
    assert!(temp_dbs(t.path()).is_empty(), "{:?}", temp_dbs(t.path()));
}
