//! `rdbtune ycsb` end to end on small data.

mod common;

use common::{rdbtune, stderr};
use std::collections::HashMap;

/// Parses YCSB text output into (block index, "[LABEL], metric") -> value.
fn parse(out: &str) -> Vec<HashMap<String, String>> {
    let mut blocks: Vec<HashMap<String, String>> = Vec::new();
    for line in out.lines() {
        if line.starts_with("[OVERALL], RunTime(ms)") {
            blocks.push(HashMap::new());
        }
        if !line.starts_with('[') {
            continue;
        }
        let mut parts = line.splitn(3, ", ");
        let (label, metric, value) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        blocks
            .last_mut()
            .expect("[OVERALL] first")
            .insert(format!("{label}, {metric}"), value.to_string());
    }
    blocks
}

fn num(b: &HashMap<String, String>, k: &str) -> f64 {
    b.get(k)
        .unwrap_or_else(|| panic!("missing {k}: {b:?}"))
        .parse()
        .unwrap()
}

#[test]
fn all_six_workloads_run_with_their_op_kinds() {
    let t = tempfile::tempdir().unwrap();
    let expect: [(&str, &[&str]); 6] = [
        ("a", &["[READ]", "[UPDATE]"]),
        ("b", &["[READ]", "[UPDATE]"]),
        ("c", &["[READ]"]),
        ("d", &["[READ]", "[INSERT]"]),
        ("e", &["[SCAN]", "[INSERT]"]),
        ("f", &["[READ]", "[UPDATE]", "[READ-MODIFY-WRITE]"]),
    ];
    for (w, kinds) in expect {
        let o = rdbtune(
            &[
                "ycsb",
                "-w",
                w,
                "--records",
                "3000",
                "--operations",
                "4000",
                "-q",
            ],
            t.path(),
        );
        assert!(o.status.success(), "{w}: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        let blocks = parse(&out);
        assert_eq!(blocks.len(), 2, "load and run blocks: {out}");
        assert_eq!(num(&blocks[0], "[INSERT], Operations"), 3000.0);
        let run = &blocks[1];
        assert!(num(run, "[OVERALL], Throughput(ops/sec)") > 0.0);
        // Throughput is the phase's ops over its wall time, RunTime that wall time rounded to
        // whole ms: the ops each phase must do over the throughput give RunTime to within 0.5.
        for (b, ops) in [(&blocks[0], 3000.0), (run, 4000.0)] {
            let ms = num(b, "[OVERALL], RunTime(ms)");
            let implied = ops / num(b, "[OVERALL], Throughput(ops/sec)") * 1000.0;
            assert!(
                (implied - ms).abs() <= 0.5 + 1e-6,
                "{w}: RunTime {ms} ms, but {ops} ops at the reported throughput take {implied} ms"
            );
        }
        let labels: Vec<&str> = run
            .keys()
            .filter_map(|k| k.split_once(", ").map(|(l, _)| l))
            .filter(|l| *l != "[OVERALL]")
            .collect();
        for k in kinds {
            assert!(labels.contains(k), "{w}: {k} missing in {out}");
            for m in [
                "Operations",
                "AverageLatency(us)",
                "MinLatency(us)",
                "MaxLatency(us)",
                "50thPercentileLatency(us)",
                "95thPercentileLatency(us)",
                "99thPercentileLatency(us)",
                "Return=OK",
            ] {
                // As upstream, a read-modify-write reports no status.
                let want = !(m.starts_with("Return") && *k == "[READ-MODIFY-WRITE]");
                assert_eq!(run.contains_key(&format!("{k}, {m}")), want, "{w}: {k} {m}");
            }
        }
        for l in &labels {
            assert!(
                kinds.contains(l) || *l == "[CLEANUP]",
                "{w}: unexpected {l}"
            );
        }
        // One cleanup per client thread, in each phase.
        for b in &blocks {
            assert_eq!(num(b, "[CLEANUP], Operations"), 1.0, "{w}: {out}");
        }
        // Top-level ops add up to operationcount (RMW's read and update are reported inside too).
        let top: f64 = kinds
            .iter()
            .filter(|k| w != "f" || **k != "[UPDATE]")
            .map(|k| num(run, &format!("{k}, Operations")))
            .sum::<f64>()
            - if w == "f" {
                num(run, "[READ-MODIFY-WRITE], Operations")
            } else {
                0.0
            };
        assert_eq!(top, 4000.0, "{w}: {out}");
        if w != "e" {
            // every key read exists: no NOT_FOUND
            assert!(!run.contains_key("[READ], Return=NOT_FOUND"), "{w}: {out}");
        }
    }
}

#[test]
fn target_rate_is_met_and_intended_latency_reported() {
    let t = tempfile::tempdir().unwrap();
    let o = rdbtune(
        &[
            "ycsb",
            "-w",
            "c",
            "--records",
            "2000",
            "--operations",
            "10000",
            "--target",
            "5000",
            "-p",
            "measurement.interval=both",
            "--status-interval",
            "1",
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let run = &parse(&out)[1];
    let tput = num(run, "[OVERALL], Throughput(ops/sec)");
    // Pacing never runs ahead of the target; a busy machine may fall behind it a little.
    common::figure(&format!(
        "achieved {tput:.0} ops/s for a target of 5000 (bounds 4000 to 5100)"
    ));
    assert!((4000.0..=5100.0).contains(&tput), "achieved {tput} ops/s");
    // Every paced read has an intended-start latency too.
    assert_eq!(num(run, "[READ], Operations"), 10000.0);
    assert_eq!(num(run, "[Intended-READ], Operations"), 10000.0);
    // Each op's intended start is its own slot in the schedule (start + i / rate), not one
    // fixed instant: with the rate met (10,000 ops in 2 s, within 5%) the ops keep up with
    // their slots, so the intended latency is the measured one plus a small lag. Measured
    // from the phase start it would average about 1 s and its p99 about 2 s. (The bounds
    // leave room for a stall of well over half a second on a busy machine.)
    let measured = num(run, "[READ], AverageLatency(us)");
    let intended = num(run, "[Intended-READ], AverageLatency(us)");
    assert!(
        intended >= measured && intended - measured < 250_000.0,
        "intended {intended} us vs measured {measured} us"
    );
    let p99 = num(run, "[READ], 99thPercentileLatency(us)");
    let ip99 = num(run, "[Intended-READ], 99thPercentileLatency(us)");
    assert!(
        ip99 >= p99 && ip99 - p99 < 1_000_000.0,
        "intended p99 {ip99} us vs measured p99 {p99} us"
    );
    assert!(
        stderr(&o).contains("1 sec: "),
        "status line: {}",
        stderr(&o)
    );
}

#[test]
fn upstream_property_files_parse_and_flags_override() {
    let t = tempfile::tempdir().unwrap();
    // upstream workloads/workloadb, verbatim apart from the license header
    let wb = "recordcount=1000\noperationcount=1000\nworkload=site.ycsb.workloads.CoreWorkload\n\nreadallfields=true\n\nreadproportion=0.95\nupdateproportion=0.05\nscanproportion=0\ninsertproportion=0\n\nrequestdistribution=zipfian\n\n";
    let f = t.path().join("workloadb");
    std::fs::write(&f, wb).unwrap();
    let o = rdbtune(
        &[
            "ycsb",
            "-P",
            f.to_str().unwrap(),
            "-p",
            "operationcount=1500",
            "--format",
            "json",
            "-q",
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let y = &v["runs"][0]["phases"][1]["spec"]["ycsb"];
    assert_eq!(y["recordcount"], 1000);
    assert_eq!(y["operationcount"], 1500);
    assert_eq!(y["readproportion"], 0.95);
    assert_eq!(v["runs"][0]["phases"][1]["ops"], 1500);
    let o = rdbtune(
        &[
            "ycsb",
            "-w",
            "b",
            "--records",
            "500",
            "--operations",
            "500",
            "--format",
            "table",
            "-q",
        ],
        t.path(),
    );
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("ycsb-run"));
}

#[test]
fn bad_ycsb_input_is_a_usage_error() {
    let t = tempfile::tempdir().unwrap();
    let bad = t.path().join("bad");
    std::fs::write(&bad, "recordcount=10\nreadproportion=often\n").unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["-w", "g"], "\"g\""),
        (vec![], "--workload"),
        (
            vec!["-w", "a", "-p", "requestdistribution=hotspots"],
            "requestdistribution",
        ),
        (vec!["-w", "a", "-p", "fieldcount"], "-p"),
        (
            vec!["-P", "/nonexistent/workloada"],
            "/nonexistent/workloada",
        ),
        (vec!["-P", bad.to_str().unwrap()], ":2:"),
        (vec!["-w", "a", "--target", "0"], "--target"),
        (vec!["-w", "a", "--phase", "run"], "--phase run"),
    ];
    for (args, needle) in cases {
        let mut all = vec!["ycsb", "--records", "100", "--operations", "100"];
        all.extend(args.iter().copied());
        let o = rdbtune(&all, t.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn ycsb_phases_run_in_scenarios() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("ya");
    let o = rdbtune(
        &[
            "sweep",
            "ycsb-f",
            "--quick",
            "-q",
            "--repeats",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let run = &v["runs"][0]["phases"][1];
    assert_eq!(run["workload"], "ycsb-run");
    let kinds: Vec<&str> = run["per_op"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["read", "update", "read_modify_write"]);
    assert!(v["recommendation"]["winner"].is_string());
    let flags = std::fs::read_to_string(out.join("db_bench.flags")).unwrap();
    assert!(flags.contains("db_bench has no YCSB core workloads"));
}

/// Runs `rdbtune ycsb ARGS --format json` from the checkout (so `-P workloads/...` resolves),
/// temporary DBs under `tmp`; asserts success and returns the result and stderr.
fn ycsb_json(tmp: &std::path::Path, args: &[&str]) -> (serde_json::Value, String) {
    let out = tmp.join("ycsb-out.json");
    let o = common::bin()
        .arg("ycsb")
        .args(args)
        .args(["--format", "json", "-o", out.to_str().unwrap(), "-q"])
        .current_dir(common::source_dir())
        .env("TMPDIR", tmp)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{args:?}: {err}");
    (
        serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap(),
        err,
    )
}

/// The property files the README points at run as shipped (workloads/workloada..f with
/// upstream's values), every request distribution upstream has runs and chooses only
/// loaded keys (no read misses), zipfian constants other than 0.99 set up at once (each
/// thread summed 10^10 terms before), and a property no part of YCSB reads is named in a
/// warning with the nearest real one.
#[test]
fn shipped_workloads_and_every_request_distribution_run() {
    let t = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| ycsb_json(t.path(), extra);
    for w in ["a", "b", "c", "d", "e", "f"] {
        let file = format!("workloads/workload{w}");
        let (r, _) = run(&["-P", &file, "-p", "operationcount=500"]);
        let y = &r["runs"][0]["phases"][1]["spec"]["ycsb"];
        let core = &r["runs"][0]["phases"][1]["spec"]["ycsb"];
        assert_eq!(y["recordcount"], 1000, "{file}");
        assert_eq!(r["runs"][0]["phases"][1]["ops"], 500, "{file}");
        let want = match w {
            "d" => "latest",
            _ => "zipfian",
        };
        assert_eq!(core["requestdistribution"], want, "{file}");
    }
    for props in [
        &["-p", "requestdistribution=hotspot"][..],
        &["-p", "requestdistribution=exponential"],
        &["-p", "requestdistribution=sequential"],
        &["-p", "zipfianconstant=0.5"],
        &["-p", "zipfianconstant=1.2"],
    ] {
        let mut a = vec![
            "-w",
            "c",
            "-p",
            "recordcount=2000",
            "-p",
            "operationcount=4000",
        ];
        a.extend_from_slice(props);
        let (r, _) = run(&a);
        let ph = &r["runs"][0]["phases"][1];
        let read = ph["per_op"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == "read")
            .unwrap();
        assert_eq!(read["ops"], 4000, "{props:?}");
        assert_eq!(
            read["not_found"], 0,
            "{props:?}: keys chosen outside the loaded ones"
        );
    }
    let (_, err) = run(&[
        "-w",
        "c",
        "-p",
        "recordcount=100",
        "-p",
        "operationcount=100",
        "-p",
        "readproporton=0.5",
    ]);
    assert!(
        err.contains("warning: YCSB property \"readproporton\"")
            && err.contains("did you mean readproportion?"),
        "{err}"
    );
}

/// The template lists every property at upstream's default and runs as it is (every value
/// in it is honoured or accepted), with no warning.
#[test]
fn the_property_template_runs_without_warnings() {
    let t = tempfile::tempdir().unwrap();
    let o = common::bin()
        .args([
            "ycsb",
            "-P",
            "workloads/workload_template",
            "--records",
            "500",
            "--operations",
            "500",
            "-q",
            "--format",
            "table",
        ])
        .current_dir(common::source_dir())
        .env("TMPDIR", t.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("warning"), "{err}");
}

/// Field values are upstream's printable ASCII (RandomByteIterator), so SSTs compress as
/// upstream's do: zlib on YCSB records about 1.35x (random bytes 0..126 gave 1.23x).
#[test]
fn records_compress_as_upstreams_ascii_values() {
    let t = tempfile::tempdir().unwrap();
    let (r, _) = ycsb_json(
        t.path(),
        &[
            "-w",
            "a",
            "-p",
            "recordcount=30000",
            "-p",
            "operationcount=100",
            "--set",
            "compression=zlib",
            "--set",
            "write_buffer_size=4MiB",
        ],
    );
    let ratio = r["runs"][0]["final_stats"]["compression_ratio"]
        .as_f64()
        .unwrap();
    common::figure(&format!(
        "zlib compression ratio of YCSB records: {ratio:.3}x"
    ));
    assert!((1.3..1.42).contains(&ratio), "{ratio}");
}

/// insertstart/insertcount: two loads of the two halves of one key space into one DB give
/// exactly the full key set, and after the first load exactly the first half is there. Read
/// back with sequential reads (each key number once) over a part: found counts are exact.
#[test]
fn two_loads_of_disjoint_halves_make_the_whole_key_space() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("db");
    let db_s = db.to_str().unwrap().to_string();
    let ycsb = |phase: &str, props: &[&str]| -> serde_json::Value {
        let mut a = vec![
            "-w",
            "c",
            "--phase",
            phase,
            "--db",
            &db_s,
            "-p",
            "recordcount=2000",
        ];
        if db.exists() {
            a.push("--db-reuse");
        }
        for p in props {
            a.extend(["-p", p]);
        }
        ycsb_json(t.path(), &a).0
    };
    let found = |part: (u64, u64)| -> (u64, u64) {
        let s = format!("insertstart={}", part.0);
        let c = format!("insertcount={}", part.1);
        let n = format!("operationcount={}", part.1);
        let r = ycsb("run", &[&s, &c, &n, "requestdistribution=sequential"]);
        let read = &r["runs"][0]["phases"][0]["per_op"][0];
        assert_eq!(read["kind"], "read");
        (
            read["found"].as_u64().unwrap(),
            read["not_found"].as_u64().unwrap(),
        )
    };
    let r = ycsb("load", &["insertstart=0", "insertcount=1000"]);
    assert_eq!(r["runs"][0]["phases"][0]["ops"], 1000);
    assert_eq!(found((0, 1000)), (1000, 0), "the first half is all there");
    assert_eq!(found((1000, 1000)), (0, 1000), "and nothing of the second");
    ycsb("load", &["insertstart=1000", "insertcount=1000"]);
    assert_eq!(
        found((0, 2000)),
        (2000, 0),
        "both halves: the whole key space"
    );
    // A part beyond recordcount is refused, naming the properties.
    let o = common::rdbtune(
        &[
            "ycsb",
            "-w",
            "c",
            "-p",
            "recordcount=100",
            "-p",
            "insertstart=50",
            "-p",
            "insertcount=60",
        ],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("insertstart (50) + insertcount (60)"));
}

/// As upstream, the run starts with the load's compaction debt pending (no wait in
/// between); --wait-for-compaction waits it away first, untimed.
#[test]
fn the_run_inherits_the_loads_compaction_debt_unless_asked_to_wait() {
    let t = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| -> serde_json::Value {
        let mut a = vec![
            "-w",
            "a",
            "-p",
            "recordcount=100000",
            "-p",
            "operationcount=1000",
            "--set",
            "write_buffer_size=4MiB",
        ];
        a.extend_from_slice(extra);
        ycsb_json(t.path(), &a).0
    };
    let r = run(&[]);
    let load = &r["runs"][0]["phases"][0];
    assert_eq!(
        load["compaction_wait_s"].as_f64(),
        Some(0.0),
        "{}",
        load["compaction_wait_s"]
    );
    let r = run(&["--wait-for-compaction"]);
    let load = &r["runs"][0]["phases"][0];
    let after = &load["engine"]["after"];
    assert!(load["compaction_wait_s"].as_f64().unwrap() > 0.0);
    assert_eq!(after["pending_compaction_bytes"], 0, "{after}");
    assert_eq!(after["running_compactions"], 0);
    assert_eq!(after["running_flushes"], 0);
}

/// Reads of missing records are upstream's [READ-FAILED] measurements: [READ] counts the
/// reads that found their record (with their own latency), [READ-FAILED] the others, and
/// Return=NOT_FOUND stays under [READ].
#[test]
fn reads_of_missing_records_are_read_failed() {
    let t = tempfile::tempdir().unwrap();
    // Half the key space loaded; latest reads near recordcount, mostly in the missing half.
    let o = common::rdbtune(
        &[
            "ycsb",
            "-w",
            "c",
            "-p",
            "recordcount=2000",
            "-p",
            "insertcount=1000",
            "-p",
            "operationcount=4000",
            "-p",
            "requestdistribution=latest",
            "-q",
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    let value = |line: &str| -> u64 {
        text.lines()
            .find(|l| l.starts_with(line))
            .unwrap_or_else(|| panic!("no {line:?} in\n{text}"))
            .rsplit(", ")
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (ok, failed) = (
        value("[READ], Operations,"),
        value("[READ-FAILED], Operations,"),
    );
    assert_eq!(ok + failed, 4000, "{text}");
    assert!(failed > 1000, "{text}");
    assert_eq!(value("[READ], Return=NOT_FOUND,"), failed);
    assert_eq!(value("[READ], Return=OK,"), ok);
    value("[READ-FAILED], 99thPercentileLatency(us),");
    // A run without missing records has no -FAILED lines.
    let o = common::rdbtune(
        &[
            "ycsb",
            "-w",
            "c",
            "-p",
            "recordcount=1000",
            "-p",
            "operationcount=1000",
            "-q",
        ],
        t.path(),
    );
    assert!(!String::from_utf8_lossy(&o.stdout).contains("FAILED"));
}

/// The client's properties: threadcount and target apply when --threads and --target are
/// not given; maxexecutiontime bounds the run by time, alone with operationcount=0 (which
/// without it would mean "run until interrupted" and is refused).
#[test]
fn client_properties_threads_target_and_execution_time() {
    let t = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| -> serde_json::Value {
        let mut a = vec!["-w", "c", "-p", "recordcount=1000"];
        a.extend_from_slice(extra);
        ycsb_json(t.path(), &a).0
    };
    let r = run(&[
        "-p",
        "threadcount=2",
        "-p",
        "operationcount=2000",
        "-p",
        "target=4000",
    ]);
    let ph = &r["runs"][0]["phases"][1];
    assert_eq!(ph["spec"]["threads"], 2);
    assert_eq!(ph["spec"]["target_ops_per_sec"], 4000.0);
    // --threads wins over the property.
    let r = run(&[
        "-p",
        "threadcount=2",
        "--threads",
        "1",
        "-p",
        "operationcount=100",
    ]);
    assert_eq!(r["runs"][0]["phases"][1]["spec"]["threads"], 1);
    let r = run(&["-p", "operationcount=0", "-p", "maxexecutiontime=1"]);
    let ph = &r["runs"][0]["phases"][1];
    let e = ph["elapsed_s"].as_f64().unwrap();
    assert!((0.9..2.0).contains(&e), "ran {e} s for maxexecutiontime=1");
    assert!(ph["ops"].as_u64().unwrap() > 1000);
    // With both, the count ends a short run first.
    let r = run(&["-p", "operationcount=500", "-p", "maxexecutiontime=30"]);
    assert_eq!(r["runs"][0]["phases"][1]["ops"], 500);
}

/// The text output's value of the first line starting with `line`.
fn value_of(text: &str, line: &str) -> String {
    text.lines()
        .find(|l| l.starts_with(line))
        .unwrap_or_else(|| panic!("no {line:?} in\n{text}"))
        .rsplit(", ")
        .next()
        .unwrap()
        .to_string()
}

/// Runs `rdbtune ycsb ARGS -q` from the checkout; asserts success; returns stdout, stderr.
fn ycsb_text(tmp: &std::path::Path, args: &[&str]) -> (String, String) {
    let o = common::bin()
        .arg("ycsb")
        .args(args)
        .arg("-q")
        .current_dir(common::source_dir())
        .env("TMPDIR", tmp)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{args:?}: {err}");
    (String::from_utf8_lossy(&o.stdout).into_owned(), err)
}

/// A stored record: its family, key and (field name, value) pairs in stored order.
type StoredRecord = (String, Vec<u8>, Vec<(String, Vec<u8>)>);

/// Every record of the DB at `db` (all families).
fn records(db: &std::path::Path) -> Vec<StoredRecord> {
    use rdbtune::engine::{Engine, EngineConfig};
    use rdbtune::workload::ycsb::Record;
    let logs = tempfile::tempdir().unwrap();
    let e = Engine::open_read_only(&EngineConfig::default(), db, logs.path()).unwrap();
    let mut out = Vec::new();
    for (i, f) in e.families().to_vec().iter().enumerate() {
        let mut it = e.raw_iterator_cf(e.cf(i));
        it.seek_to_first();
        while it.valid() {
            let v = it.value().unwrap();
            let fields = Record::parse(v).expect("a record in the binding's layout");
            out.push((f.clone(), it.key().unwrap().to_vec(), fields));
            it.next();
        }
    }
    out
}

/// The newest OPTIONS file of the DB at `db`.
fn options_text(db: &std::path::Path) -> String {
    let f = rdbtune::engine::rocksdb_options::newest_options_file(db).unwrap();
    std::fs::read_to_string(f).unwrap()
}

/// Records as upstream builds them: fields named fieldnameprefix + i, stored in Java
/// HashMap order (field1 field0 field7 ... for the default ten, checked on a JVM), lengths
/// from fieldlengthdistribution: uniform over [minfieldlength, fieldlength] halves the mean
/// field (bytes written, against constant 50- and 100-byte fields of the same records),
/// zipfian favours short ones, histogram gives upstream's (bucket + 1) x BlockSize.
#[test]
fn records_have_upstreams_field_names_order_and_lengths() {
    let t = tempfile::tempdir().unwrap();
    let load = |name: &str, props: &[&str]| -> (serde_json::Value, std::path::PathBuf) {
        let db = t.path().join(name);
        let mut a = vec![
            "-w",
            "c",
            "--phase",
            "load",
            "--db",
            db.to_str().unwrap(),
            "-p",
            "recordcount=3000",
        ];
        for p in props {
            a.extend(["-p", p]);
        }
        let owned: Vec<String> = a.iter().map(|s| s.to_string()).collect();
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        (ycsb_json(t.path(), &refs).0, db)
    };
    let written = |r: &serde_json::Value| {
        r["runs"][0]["phases"][0]["engine"]["during"]["user_bytes_written"]
            .as_f64()
            .unwrap()
    };
    let (c100, db) = load("c100", &[]);
    let want: Vec<String> = "field1 field0 field7 field6 field9 field8 field3 field2 field5 field4"
        .split(' ')
        .map(String::from)
        .collect();
    let recs = records(&db);
    assert_eq!(recs.len(), 3000);
    for (_, _, fields) in &recs {
        let names: Vec<&String> = fields.iter().map(|(n, _)| n).collect();
        assert_eq!(names, want.iter().collect::<Vec<_>>());
        assert!(fields.iter().all(|(_, v)| v.len() == 100));
    }
    let (c50, _) = load("c50", &["fieldlength=50"]);
    let (u, db) = load(
        "u",
        &["fieldlengthdistribution=uniform", "fieldnameprefix=attr"],
    );
    // Bytes written are linear in the field bytes: the constant runs give the intercept.
    let field_bytes = |x: f64| x - (2.0 * written(&c50) - written(&c100));
    // The "attr" names are one byte shorter than "field": 10 bytes a record.
    let share = field_bytes(written(&u) + 3000.0 * 10.0) / field_bytes(written(&c100));
    common::figure(&format!(
        "uniform field lengths: {:.4} of the constant-100 field bytes (mean 50.5 of 100)",
        share
    ));
    // 30,000 uniform draws over 1..100: sd of the mean 0.17 bytes, 0.0017 of 100.
    assert!((share - 0.505).abs() < 0.008, "{share}");
    let recs = records(&db);
    let mut lens = Vec::new();
    for (_, _, fields) in &recs {
        assert!(
            fields.iter().all(|(n, _)| n.starts_with("attr")),
            "{fields:?}"
        );
        lens.extend(fields.iter().map(|(_, v)| v.len()));
    }
    assert!(lens.iter().all(|l| (1..=100).contains(l)));
    let (_, db) = load(
        "z",
        &[
            "fieldlengthdistribution=zipfian",
            "minfieldlength=10",
            "fieldlength=200",
        ],
    );
    let lens: Vec<usize> = records(&db)
        .iter()
        .flat_map(|(_, _, f)| f.iter().map(|(_, v)| v.len()).collect::<Vec<_>>())
        .collect();
    let tens = lens.iter().filter(|l| **l == 10).count() as f64 / lens.len() as f64;
    // ZipfianGenerator(10, 200): P(10) = 1 / zeta(191, 0.99) = 0.172.
    assert!(lens.iter().all(|l| (10..=200).contains(l)));
    assert!((tens - 0.172).abs() < 0.02, "{tens}");
    let hist = t.path().join("hist.txt");
    std::fs::write(&hist, "BlockSize\t50\n0\t5\n1\t3\n2\t2\n3\t4\n").unwrap();
    let h = format!("fieldlengthhistogram={}", hist.display());
    let (_, db) = load("h", &["fieldlengthdistribution=histogram", &h]);
    let mut seen = std::collections::BTreeSet::new();
    for (_, _, f) in records(&db) {
        seen.extend(f.iter().map(|(_, v)| v.len()));
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), [50, 100, 150]);
}

/// An engine error is upstream's Return=ERROR: reads of records in SST blocks corrupted on
/// disk fail in RocksDB (block checksum mismatch), are counted under [READ] as
/// Return=ERROR with their latency in [READ-FAILED], and the run goes on to its operation
/// count (exit 0, a warning names the first error).
#[test]
fn engine_errors_are_counted_as_return_error_and_the_run_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("db");
    let d = db.to_str().unwrap();
    ycsb_text(
        t.path(),
        &[
            "-w",
            "c",
            "--phase",
            "load",
            "--db",
            d,
            "-p",
            "recordcount=20000",
            "--set",
            "compression=none",
            "--set",
            "write_buffer_size=4MiB",
            "--wait-for-compaction",
        ],
    );
    // Overwrite a stretch in the middle of every SST file (data blocks; the index, filter
    // and footer at the end stay readable, so the DB opens).
    let mut corrupted = 0;
    for f in std::fs::read_dir(&db).unwrap().flatten() {
        if f.path().extension().is_some_and(|e| e == "sst") {
            let mut bytes = std::fs::read(f.path()).unwrap();
            let n = bytes.len();
            for b in &mut bytes[n / 5..n / 2] {
                *b ^= 0x5A;
            }
            std::fs::write(f.path(), bytes).unwrap();
            corrupted += 1;
        }
    }
    assert!(corrupted > 0);
    let (out, err) = ycsb_text(
        t.path(),
        &[
            "-w",
            "c",
            "--phase",
            "run",
            "--db",
            d,
            "--db-reuse",
            "-p",
            "recordcount=20000",
            "-p",
            "operationcount=5000",
            "-p",
            "requestdistribution=uniform",
        ],
    );
    let n = |l: &str| value_of(&out, l).parse::<u64>().unwrap();
    let errors = n("[READ], Return=ERROR,");
    let failed = n("[READ-FAILED], Operations,");
    let ok = n("[READ], Operations,");
    common::figure(&format!("reads: {ok} OK, {errors} ERROR of 5000"));
    assert!(errors > 100, "{out}");
    assert_eq!(failed, errors, "{out}");
    assert_eq!(ok + failed, 5000, "the run went on: {out}");
    assert_eq!(n("[READ], Return=OK,"), ok);
    assert!(
        err.contains("Return=ERROR") && err.to_lowercase().contains("corrupt"),
        "{err}"
    );
}

/// Upstream's measurement formats: hdrhistogram.percentiles (in the given order,
/// ordinal names), the histogram type (variance, 1 ms bucket percentiles), both types
/// together (HdrREAD, BucketREAD), the time series (windows of timeseries.granularity),
/// [CLEANUP] with one sample per client thread, whole µs everywhere, and the JSON array
/// exporter written to exportfile.
#[test]
fn measurement_types_and_exporters_as_upstream() {
    let t = tempfile::tempdir().unwrap();
    let base = [
        "-w",
        "a",
        "-p",
        "recordcount=2000",
        "-p",
        "operationcount=4000",
        "--threads",
        "2",
    ];
    let run = |extra: &[&str]| -> String {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        let (out, _) = ycsb_text(t.path(), &a);
        // The run phase's block.
        out[out.rfind("# rdbtune ycsb").unwrap()..].to_string()
    };
    let out = run(&["-p", "hdrhistogram.percentiles=90,99.9,1"]);
    let read: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("[READ], "))
        .map(|l| l.split(", ").nth(1).unwrap())
        .collect();
    assert_eq!(
        read[..7],
        [
            "Operations",
            "AverageLatency(us)",
            "MinLatency(us)",
            "MaxLatency(us)",
            "90thPercentileLatency(us)",
            "99.9PercentileLatency(us)",
            "1stPercentileLatency(us)"
        ],
        "{out}"
    );
    // Upstream's hash order for workload A: READ, CLEANUP, UPDATE; two client threads.
    let order: Vec<&str> = out
        .lines()
        .filter(|l| l.ends_with(", Operations, 0") || l.contains("], Operations, "))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(order, ["[READ]", "[CLEANUP]", "[UPDATE]"], "{out}");
    assert_eq!(value_of(&out, "[CLEANUP], Operations,"), "2");
    for l in out
        .lines()
        .filter(|l| l.contains("Latency(us), ") && !l.contains("Average"))
    {
        assert!(l.rsplit(", ").next().unwrap().parse::<u64>().is_ok(), "{l}");
    }

    let out = run(&["-p", "measurementtype=histogram"]);
    let var: f64 = value_of(&out, "[READ], LatencyVariance(us),")
        .parse()
        .unwrap();
    assert!(var >= 0.0);
    let p99: u64 = value_of(&out, "[READ], 99thPercentileLatency(us),")
        .parse()
        .unwrap();
    assert_eq!(p99 % 1000, 0, "bucket lower bounds: {out}");
    assert!(!out.contains("50thPercentile"), "{out}");

    let out = run(&["-p", "measurementtype=hdrhistogram+histogram"]);
    value_of(&out, "[HdrREAD], 50thPercentileLatency(us),");
    value_of(&out, "[BucketREAD], LatencyVariance(us),");
    value_of(&out, "[HdrREAD], Return=OK,");
    assert!(!out.contains("[BucketREAD], Return="), "{out}");

    let out = run(&[
        "-p",
        "measurementtype=timeseries",
        "-p",
        "timeseries.granularity=50",
        "--target",
        "20000",
    ]);
    let windows: Vec<u64> = out
        .lines()
        .filter(|l| l.starts_with("[READ], "))
        .filter_map(|l| l.split(", ").nth(1).unwrap().parse::<u64>().ok())
        .collect();
    assert!(windows.len() >= 2, "{out}");
    assert!(windows.iter().all(|w| w % 50 == 0), "{windows:?}");
    assert!(windows.windows(2).all(|w| w[0] < w[1]), "{windows:?}");
    assert!(!out.contains("PercentileLatency"), "{out}");

    let file = t.path().join("measurements.json");
    let f = format!("exportfile={}", file.display());
    let (stdout, _) = ycsb_text(
        t.path(),
        &[
            "-w",
            "c",
            "-p",
            "recordcount=1000",
            "-p",
            "operationcount=1000",
            "--phase",
            "both",
            "-p",
            "exporter=site.ycsb.measurements.exporter.JSONArrayMeasurementsExporter",
            "-p",
            &f,
        ],
    );
    assert!(stdout.is_empty(), "{stdout}");
    let text = std::fs::read_to_string(&file).unwrap();
    let docs: Vec<serde_json::Value> = text
        .lines()
        .collect::<Vec<_>>()
        .join("\n")
        .split("\n[ {")
        .enumerate()
        .map(|(i, d)| {
            let d = if i == 0 {
                d.to_string()
            } else {
                format!("[ {{{d}")
            };
            serde_json::from_str(&d).unwrap()
        })
        .collect();
    assert_eq!(docs.len(), 2, "load and run: {text}");
    let run = docs[1].as_array().unwrap();
    assert_eq!(run[0]["metric"], "OVERALL");
    assert_eq!(run[0]["measurement"], "RunTime(ms)");
    let ops = run
        .iter()
        .find(|e| e["metric"] == "READ" && e["measurement"] == "Operations")
        .unwrap();
    assert_eq!(ops["value"], 1000);
}

/// measurement.interval: op (the default) prints no intended latency even when paced;
/// both prints [Intended-X] beside [X], the read and update inside a read-modify-write
/// included (they share the RMW's scheduled start, as upstream); intended prints only the
/// intended latency, under the op's own name.
#[test]
fn measurement_interval_and_rmw_intended_latency() {
    let t = tempfile::tempdir().unwrap();
    let base = [
        "-w",
        "f",
        "-p",
        "recordcount=1000",
        "-p",
        "operationcount=3000",
        "--target",
        "6000",
    ];
    let run = |extra: &[&str]| -> String {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        let (out, _) = ycsb_text(t.path(), &a);
        out[out.rfind("# rdbtune ycsb").unwrap()..].to_string()
    };
    let out = run(&[]);
    assert!(!out.contains("Intended"), "{out}");
    let out = run(&["-p", "measurement.interval=both"]);
    let n = |l: &str| value_of(&out, l).parse::<u64>().unwrap();
    let rmw = n("[READ-MODIFY-WRITE], Operations,");
    // Reads: the plain ones and those inside each read-modify-write.
    assert_eq!(n("[READ], Operations,"), 3000, "{out}");
    assert_eq!(n("[Intended-READ], Operations,"), 3000, "{out}");
    assert_eq!(n("[Intended-UPDATE], Operations,"), rmw, "{out}");
    assert_eq!(n("[Intended-READ-MODIFY-WRITE], Operations,"), rmw, "{out}");
    // The inner update's intended latency includes the inner read.
    assert!(
        n("[Intended-UPDATE], MaxLatency(us),") >= n("[UPDATE], MinLatency(us),"),
        "{out}"
    );
    assert!(!out.contains("[READ-MODIFY-WRITE], Return="), "{out}");
    let out = run(&["-p", "measurement.interval=intended"]);
    assert!(!out.contains("Intended-"), "{out}");
    value_of(&out, "[READ], Return=OK,");
}

/// dataintegrity: values derived from key and field name (upstream's
/// buildDeterministicValue), checked on every read ([VERIFY], Return=OK); records loaded
/// without it fail the check (Return=UNEXPECTED_STATE).
#[test]
fn dataintegrity_verifies_values_on_read() {
    let t = tempfile::tempdir().unwrap();
    let (out, _) = ycsb_text(
        t.path(),
        &[
            "-w",
            "a",
            "-p",
            "recordcount=1000",
            "-p",
            "operationcount=2000",
            "-p",
            "dataintegrity=true",
        ],
    );
    let n = |o: &str, l: &str| value_of(o, l).parse::<u64>().unwrap();
    let run = &out[out.rfind("# rdbtune ycsb").unwrap()..];
    assert_eq!(
        n(run, "[VERIFY], Return=OK,"),
        n(run, "[READ], Operations,"),
        "{run}"
    );
    assert!(!run.contains("UNEXPECTED_STATE"), "{run}");
    let db = t.path().join("db");
    let d = db.to_str().unwrap();
    ycsb_text(
        t.path(),
        &[
            "-w",
            "c",
            "--phase",
            "load",
            "--db",
            d,
            "-p",
            "recordcount=1000",
        ],
    );
    let (out, _) = ycsb_text(
        t.path(),
        &[
            "-w",
            "c",
            "--phase",
            "run",
            "--db",
            d,
            "--db-reuse",
            "-p",
            "recordcount=1000",
            "-p",
            "operationcount=500",
            "-p",
            "dataintegrity=true",
        ],
    );
    assert_eq!(n(&out, "[VERIFY], Return=UNEXPECTED_STATE,"), 500, "{out}");
    let e = common::rdbtune(
        &[
            "ycsb",
            "-w",
            "c",
            "-p",
            "dataintegrity=true",
            "-p",
            "fieldlengthdistribution=uniform",
        ],
        t.path(),
    );
    assert_eq!(e.status.code(), Some(2));
    assert!(
        common::stderr(&e).contains("constant"),
        "{}",
        common::stderr(&e)
    );
}

/// --binding upstream: the records go to the usertable family, which (like default) has
/// RocksDB's OptimizeLevelStyleCompaction options, and the DB 2 x cores background jobs;
/// -p rocksdb.optionsfile=FILE opens the DB with that OPTIONS file instead.
#[test]
fn binding_upstream_sets_the_db_up_as_ycsbs_rocksdb_binding() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("db");
    let d = db.to_str().unwrap();
    ycsb_text(
        t.path(),
        &[
            "-w",
            "a",
            "--binding",
            "upstream",
            "--db",
            d,
            "-p",
            "recordcount=2000",
            "-p",
            "operationcount=500",
        ],
    );
    let recs = records(&db);
    assert_eq!(recs.len(), 2000);
    assert!(recs.iter().all(|(f, _, _)| f == "usertable"));
    let options = options_text(&db);
    let cf = options
        .split("[CFOptions \"usertable\"]")
        .nth(1)
        .expect("a usertable family");
    for want in [
        "write_buffer_size=134217728",
        "max_write_buffer_number=6",
        "min_write_buffer_number_to_merge=2",
        "level0_file_num_compaction_trigger=2",
        "target_file_size_base=67108864",
        "max_bytes_for_level_base=536870912",
        "compression_per_level=kNoCompression:kNoCompression:kLZ4Compression:kLZ4Compression:kLZ4Compression:kLZ4Compression:kLZ4Compression",
    ] {
        assert!(cf.contains(want), "{want}");
    }
    let cores = std::thread::available_parallelism().unwrap().get();
    assert!(options.contains(&format!("max_background_jobs={}", 2 * cores)));
    assert!(options.contains(&format!("max_background_compactions={}", 2 * cores)));
    // The binding's OPTIONS file: this DB's, with another write buffer size.
    let file = t.path().join("OPTIONS-binding");
    std::fs::write(
        &file,
        options.replace("write_buffer_size=134217728", "write_buffer_size=33554432"),
    )
    .unwrap();
    let db2 = t.path().join("db2");
    let o = format!("rocksdb.optionsfile={}", file.display());
    ycsb_text(
        t.path(),
        &[
            "-w",
            "c",
            "--binding",
            "upstream",
            "--db",
            db2.to_str().unwrap(),
            "-p",
            "recordcount=500",
            "-p",
            "operationcount=100",
            "-p",
            &o,
        ],
    );
    let options2 = options_text(&db2);
    let cf2 = options2.split("[CFOptions \"usertable\"]").nth(1).unwrap();
    assert!(cf2.contains("write_buffer_size=33554432"));
    assert!(records(&db2).iter().all(|(f, _, _)| f == "usertable"));
    // Without --binding upstream the table is the default family's, and another table is
    // refused.
    let e = common::rdbtune(&["ycsb", "-w", "c", "-p", "table=orders"], t.path());
    assert_eq!(e.status.code(), Some(2));
    assert!(common::stderr(&e).contains("--binding upstream"));
}
