//! `rdbtune gate` end to end: every exit code, a real handicap caught, a baseline saved and
//! reused, and the report formats.

mod common;

use common::{rdbtune, stderr};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A tiny write workload; `extra` adds tables (policy, candidate, checks).
fn gate_file(dir: &Path, name: &str, engine: &str, extra: &str) -> PathBuf {
    let text = format!(
        "name = \"{name}\"\n[engine]\npreset = \"default\"\n{engine}\n[data]\nnum = 400\n[[phase]]\nname = \"fill\"\nworkload = \"fillrandom\"\n[run]\nwait_for_compaction = false\n{extra}\n"
    );
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, text).unwrap();
    p
}

const CHECK: &str = "[[check]]\nmetric = \"fill.ops_per_sec\"\nmax_regression = 0.25\n";
const POLICY: &str = "[policy]\nruns = 3\nmax_runs = 4\nwarmup_runs = 0\nconfirm = 1\n";

fn report(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// A real handicap (sync = true: an fsync per write) fails with exit 1 and names the check;
/// the same gate without the handicap passes (exit 0); --warn-only reports and exits 0;
/// --strict with a single run cannot conclude and exits 4.
#[test]
fn handicap_fails_same_config_passes_and_strict_inconclusive_exits_4() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let ab = gate_file(
        d,
        "ab",
        "",
        &format!("{POLICY}[candidate]\nsync = true\n{CHECK}"),
    );
    let json = d.join("ab.json");
    let junit = d.join("ab.xml");
    let md = d.join("ab.md");
    let o = rdbtune(
        &[
            "gate",
            "--gate",
            ab.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
            "--markdown",
            md.to_str().unwrap(),
        ],
        d,
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{out}\n{}\n{}",
        stderr(&o),
        std::fs::read_to_string(&json).unwrap_or_default()
    );
    assert!(
        out.contains("FAIL") && out.contains("fill.ops_per_sec"),
        "{out}"
    );
    let r = report(&json);
    assert_eq!(r["schema"], "rdbtune.gate/v1");
    assert_eq!(r["mode"], "paired");
    assert_eq!(r["verdict"], "fail");
    assert_eq!(r["exit_code"], 1);
    let c = &r["checks"][0];
    assert_eq!(c["verdict"], "fail");
    assert!(c["change"]["regression"].as_f64().unwrap() > 0.25, "{c}");
    assert!(
        c["change"]["regression_low"].as_f64().unwrap() > 0.02,
        "{c}"
    );
    assert_eq!(c["first_verdict"], "fail", "confirmed by a rerun: {c}");
    assert!(r["confirmation_runs"].as_u64().unwrap() >= 3);
    assert!(
        c["reason"]
            .as_str()
            .unwrap()
            .contains("confirmed by a rerun"),
        "{c}"
    );
    assert_eq!(
        r["samples"]["base"]["candidate"]["fill.ops_per_sec"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(
        x.contains("<failure") && x.contains("name=\"fill.ops_per_sec\""),
        "{x}"
    );
    let m = std::fs::read_to_string(&md).unwrap();
    assert!(m.contains("| FAIL | `fill.ops_per_sec`"), "{m}");

    let o = rdbtune(
        &["gate", "--gate", ab.to_str().unwrap(), "--warn-only", "-q"],
        d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("fail (exit 0)") || stderr(&o).contains("FAIL (exit 0)"),
        "{}",
        stderr(&o)
    );

    let aa = gate_file(
        d,
        "aa",
        "",
        &format!("{POLICY}[candidate]\nsync = false\n{CHECK}"),
    );
    let o = rdbtune(&["gate", "--gate", aa.to_str().unwrap()], d);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    let one = gate_file(
        d,
        "one",
        "",
        &format!(
            "[policy]\nruns = 1\nmax_runs = 1\nwarmup_runs = 0\n[candidate]\nsync = true\n{CHECK}"
        ),
    );
    let o = rdbtune(&["gate", "--gate", one.to_str().unwrap(), "--strict"], d);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(4), "{out}");
    assert!(out.contains("INCONCLUSIVE"), "{out}");
    let o = rdbtune(&["gate", "--gate", one.to_str().unwrap()], d);
    assert_eq!(
        o.status.code(),
        Some(0),
        "inconclusive is not a failure without --strict"
    );
}

/// A saved baseline: the handicapped config fails against it (exit 1); a baseline from
/// another machine only warns (exit 0) unless --force-baseline.
#[test]
fn saved_baseline_catches_a_regression_and_distrusts_other_machines() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let base = gate_file(d, "g", "", &format!("{POLICY}{CHECK}"));
    let saved = d.join("baseline.json");
    let o = rdbtune(
        &[
            "gate",
            "--gate",
            base.to_str().unwrap(),
            "--save-baseline",
            saved.to_str().unwrap(),
            "-q",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(report(&saved)["mode"], "absolute");
    std::fs::remove_file(&base).unwrap();
    let slow = gate_file(d, "g", "sync = true", &format!("{POLICY}{CHECK}"));
    let json = d.join("r.json");
    let o = rdbtune(
        &[
            "gate",
            "--gate",
            slow.to_str().unwrap(),
            "--baseline",
            saved.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ],
        d,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let r = report(&json);
    assert_eq!(r["mode"], "saved baseline");
    assert_eq!(r["checks"][0]["change"]["method"], "independent");

    let mut other = report(&saved);
    other["machine"]["cpu_model"] = "Another CPU".into();
    let foreign = d.join("foreign.json");
    std::fs::write(&foreign, serde_json::to_vec(&other).unwrap()).unwrap();
    let o = rdbtune(
        &[
            "gate",
            "--gate",
            slow.to_str().unwrap(),
            "--baseline",
            foreign.to_str().unwrap(),
            "--runs",
            "2",
        ],
        d,
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("another machine") && out.contains("WARN"),
        "{out}"
    );
    let o = rdbtune(
        &[
            "gate",
            "--gate",
            slow.to_str().unwrap(),
            "--baseline",
            foreign.to_str().unwrap(),
            "--runs",
            "2",
            "--force-baseline",
            "-q",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

/// Exit 2 for bad gate files and flags (file:line and key named), exit 3 when the benchmark
/// itself fails (no writable temp directory).
#[test]
fn bad_gate_input_exits_2_and_benchmark_failure_exits_3() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let cases = [
        ("unknown-metric", "[[check]]\nmetric = \"fil.ops_per_sec\"\nmin = 1\n", "fil.ops_per_sec"),
        ("no-limit", "[[check]]\nmetric = \"fill.ops_per_sec\"\n", "give min, max or max_regression"),
        ("no-check", "", "no [[check]]"),
        ("bad-policy", "[policy]\nruns = 0\n[[check]]\nmetric = \"fill.ops_per_sec\"\nmin = 1\n", "policy.runs"),
        ("policy-key", "[policy]\nrun = 3\n[[check]]\nmetric = \"fill.ops_per_sec\"\nmin = 1\n", "run"),
        ("bad-better", "[[check]]\nmetric = \"fill.ops_per_sec\"\nmin = 1\nbetter = \"up\"\n", "up"),
        ("bad-candidate", "[candidate]\nwrite_bufer_size = 1\n[[check]]\nmetric = \"fill.ops_per_sec\"\nmin = 1\n", "write_bufer_size"),
    ];
    for (name, extra, needle) in cases {
        let p = gate_file(d, name, "", extra);
        let o = rdbtune(&["gate", "--gate", p.to_str().unwrap()], d);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains(&format!("{name}.toml")) && err.contains(needle),
            "{name}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
    }
    let o = rdbtune(&["gate", "--gate", "/nonexistent/gate.toml"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/gate.toml"));
    // A scenario file refuses gate tables, pointing at gate.
    let p = gate_file(d, "scn", "", CHECK);
    let o = rdbtune(&["validate", p.to_str().unwrap()], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("rdbtune gate"), "{}", stderr(&o));

    let ok = gate_file(
        d,
        "ok",
        "",
        "[[check]]\nmetric = \"fill.ops_per_sec\"\nmin = 1\n",
    );
    let not_a_dir = d.join("plain-file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let o = common::bin()
        .args(["gate", "--gate", ok.to_str().unwrap()])
        .env("TMPDIR", &not_a_dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

/// The shipped seed-targets gate parses, and a results-only gate checks a finished run
/// without running anything; BMF carries median and interval.
#[test]
fn seed_targets_parse_and_results_gates_read_a_finished_run() {
    let g = rdbtune::gate::GateFile::load(
        &common::source_dir().join("scenarios/gates/seed-targets.toml"),
    )
    .unwrap();
    let metrics: Vec<&str> = g.checks.iter().map(|c| c.metric.as_str()).collect();
    for m in [
        "batch100k.elapsed_s",
        "batch1000.ops_per_sec",
        "read.ops_per_sec",
        "read.p99_us",
        "compression_ratio",
    ] {
        assert!(metrics.contains(&m), "{m} missing: {metrics:?}");
    }
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let scn = d.join("s.toml");
    std::fs::write(&scn, "name = \"s\"\n[data]\nnum = 2000\n[[phase]]\nname = \"fill\"\nworkload = \"fillrandom\"\n[run]\nrepeats = 2\n").unwrap();
    let out = d.join("out");
    let o = rdbtune(
        &[
            "run",
            scn.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let gate = d.join("r.toml");
    std::fs::write(
        &gate,
        "name = \"check-run\"\nresults = \"out/results.json\"\n[[check]]\nmetric = \"fill.ops_per_sec\"\nmin = 1\n[[check]]\nmetric = \"fill.ops_per_sec\"\nname = \"impossible\"\nmin = 1e15\n",
    )
    .unwrap();
    let bmf = d.join("bmf.json");
    let json = d.join("g.json");
    let o = rdbtune(
        &[
            "gate",
            "--gate",
            gate.to_str().unwrap(),
            "--bmf",
            bmf.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ],
        d,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let r = report(&json);
    assert_eq!(r["mode"], "results");
    assert_eq!(r["checks"][0]["name"], "impossible", "failures first");
    assert_eq!(r["checks"][1]["verdict"], "pass");
    let b = report(&bmf);
    let m = &b["check-run/base"]["fill.ops_per_sec"];
    assert!(
        m["value"].as_f64().unwrap() > 0.0 && m["lower_value"].is_number(),
        "{b}"
    );
}
