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
        assert!(num(run, "[OVERALL], RunTime(ms)") >= 0.0);
        assert!(num(run, "[OVERALL], Throughput(ops/sec)") > 0.0);
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
                assert!(run.contains_key(&format!("{k}, {m}")), "{w}: {k} {m}");
            }
        }
        for l in &labels {
            assert!(kinds.contains(l), "{w}: unexpected {l}");
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
            "--status-interval",
            "1",
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let run = &parse(&out)[1];
    let tput = num(run, "[OVERALL], Throughput(ops/sec)");
    assert!((tput - 5000.0).abs() < 250.0, "achieved {tput} ops/s");
    let measured = num(run, "[READ], AverageLatency(us)");
    let intended = num(run, "[Intended-READ], AverageLatency(us)");
    assert!(intended >= measured, "{intended} < {measured}");
    assert!(
        num(run, "[Intended-READ], 99thPercentileLatency(us)")
            >= num(run, "[READ], 99thPercentileLatency(us)")
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
            vec!["-w", "a", "-p", "requestdistribution=hotspot"],
            "hotspot",
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
