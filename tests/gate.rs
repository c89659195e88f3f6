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

/// A read workload whose handicap does not depend on fsync (which costs nothing where TMPDIR
/// is a tmpfs): 20,000 keys flushed to SST files, then 200,000 random reads (long enough that
/// the default config's rate repeats within about 10% here; 40,000 varied by 1.7x). [`SMALL_CACHE`] as the
/// candidate makes every read miss the block cache (a 64 KiB cache holding no index or
/// filter block either), so each get reads and checks a data block again.
fn read_gate(dir: &Path, name: &str, engine: &str, extra: &str) -> PathBuf {
    let text = format!(
        "name = \"{name}\"\n[engine]\npreset = \"default\"\n{engine}\n[data]\nnum = 20000\n[[phase]]\nname = \"fill\"\nworkload = \"fillrandom\"\n[[phase]]\nname = \"read\"\nworkload = \"readrandom\"\nops = 200000\n{extra}\n"
    );
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, text).unwrap();
    p
}

/// A finished `rdbtune run` of a one-phase fill scenario (`tail` ends it, e.g. a [run]
/// table) in `dir/out`, for results gates to read.
fn finished_run(dir: &Path, num: u64, tail: &str) {
    let scn = dir.join("s.toml");
    std::fs::write(
        &scn,
        format!("name = \"s\"\n[data]\nnum = {num}\n[[phase]]\nname = \"fill\"\nworkload = \"fillrandom\"\n{tail}"),
    )
    .unwrap();
    let out = dir.join("out");
    let o = rdbtune(
        &[
            "run",
            scn.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

const SMALL_CACHE: &str = "block_cache_size = \"64KiB\"\ncache_index_and_filter_blocks = true\n";
const READ_CHECK: &str = "[[check]]\nmetric = \"read.ops_per_sec\"\nmax_regression = 0.10\n";

const CHECK: &str = "[[check]]\nmetric = \"fill.ops_per_sec\"\nmax_regression = 0.25\n";
const POLICY: &str = "[policy]\nruns = 3\nmax_runs = 4\nwarmup_runs = 0\nconfirm = 1\n";

fn report(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// A real handicap (a block cache too small to hold anything, on random reads) fails with
/// exit 1 and names the check;
/// the same gate without the handicap passes (exit 0); --warn-only reports and exits 0;
/// --strict with a single run cannot conclude and exits 4.
#[test]
fn handicap_fails_same_config_passes_and_strict_inconclusive_exits_4() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let ab = read_gate(
        d,
        "ab",
        "",
        &format!("{POLICY}[candidate]\n{SMALL_CACHE}{READ_CHECK}"),
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
        out.contains("FAIL") && out.contains("read.ops_per_sec"),
        "{out}"
    );
    let r = report(&json);
    assert_eq!(r["schema"], "rdbtune.gate/v1");
    assert_eq!(r["mode"], "paired");
    assert_eq!(r["verdict"], "fail");
    assert_eq!(r["exit_code"], 1);
    let c = &r["checks"][0];
    assert_eq!(c["verdict"], "fail");
    common::figure(&format!(
        "64 KiB cache vs default on reads: regression {:.3} (CI low {:.3})",
        c["change"]["regression"].as_f64().unwrap(),
        c["change"]["regression_low"].as_f64().unwrap()
    ));
    assert!(c["change"]["regression"].as_f64().unwrap() > 0.10, "{c}");
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
    // 3 rounds, plus up to max_runs = 4 if the first judgement was inconclusive.
    let n = r["samples"]["base"]["candidate"]["read.ops_per_sec"]
        .as_array()
        .unwrap()
        .len();
    assert!((3..=4).contains(&n), "{n} rounds");
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(
        x.contains("<failure") && x.contains("name=\"read.ops_per_sec\""),
        "{x}"
    );
    let m = std::fs::read_to_string(&md).unwrap();
    assert!(m.contains("| FAIL | `read.ops_per_sec`"), "{m}");

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

    let aa = read_gate(
        d,
        "aa",
        "",
        &format!("{POLICY}[candidate]\nblock_cache_size = \"32MiB\"\n{READ_CHECK}"),
    );
    let o = rdbtune(&["gate", "--gate", aa.to_str().unwrap()], d);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    let one = read_gate(
        d,
        "one",
        "",
        &format!(
            "[policy]\nruns = 1\nmax_runs = 1\nwarmup_runs = 0\n[candidate]\n{SMALL_CACHE}{READ_CHECK}"
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
    let base = read_gate(d, "g", "", &format!("{POLICY}{READ_CHECK}"));
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
    let slow = read_gate(d, "g", SMALL_CACHE, &format!("{POLICY}{READ_CHECK}"));
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
    finished_run(d, 2000, "[run]\nrepeats = 2\n");
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

/// A check whose metric the scenario does not produce is an error of the gate file (exit 2,
/// the metric named on stderr and `unmeasured` in the JSON, an `<error>` in JUnit), after one
/// round: a 400-key fill of a second or less has no RSS trend. Checked both when measuring
/// and on a finished results file.
#[test]
fn an_unmeasured_metric_exits_2_naming_it() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let checks = "[policy]\nruns = 3\nwarmup_runs = 0\n[[check]]\nmetric = \"fill.ops_per_sec\"\nmin = 1\n[[check]]\nmetric = \"fill.rss_slope_mib_per_h\"\nmax = 100\n";
    let g = gate_file(d, "trend", "", checks);
    let json = d.join("trend.json");
    let junit = d.join("trend.xml");
    let o = rdbtune(
        &[
            "gate",
            "--gate",
            g.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
            "-q",
        ],
        d,
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("trend.toml")
            && err.contains("metric not measured: fill.rss_slope_mib_per_h (trial base)"),
        "{err}"
    );
    let r = report(&json);
    assert_eq!(r["verdict"], "unmeasured");
    assert_eq!(r["exit_code"], 2);
    assert_eq!(r["runs"], 1, "stopped after the first round: {r}");
    let c = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == "fill.rss_slope_mib_per_h")
        .unwrap();
    assert_eq!(c["verdict"], "unmeasured", "{c}");
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(x.contains("errors=\"1\"") && x.contains("<error "), "{x}");
    // --warn-only does not turn a broken gate file into a pass.
    let o = rdbtune(
        &["gate", "--gate", g.to_str().unwrap(), "--warn-only", "-q"],
        d,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // The same on a finished run: a results gate reads compression_ratio from a run whose
    // data never reached an SST file (400 keys, no flush).
    finished_run(d, 400, "[run]\nwait_for_compaction = false\n");
    let res: Value = report(&d.join("out/results.json"));
    assert!(
        res["runs"][0]["metrics"].get("compression_ratio").is_none(),
        "the premise: no compression ratio without SST files: {}",
        res["runs"][0]["metrics"]
    );
    let rg = d.join("rg.toml");
    std::fs::write(&rg, "name = \"rg\"\nresults = \"out/results.json\"\n[[check]]\nmetric = \"compression_ratio\"\nmin = 1\n").unwrap();
    let o = rdbtune(&["gate", "--gate", rg.to_str().unwrap(), "-q"], d);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("compression_ratio"), "{err}");
}

/// A regression-only check without a baseline is reported as not judged, never as a pass;
/// a gate in which nothing was judged exits 2 and says what to add. With --save-baseline
/// (recording one) the same run exits 0.
#[test]
fn a_gate_that_judged_nothing_does_not_pass() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let g = gate_file(
        d,
        "nobase",
        "",
        &format!("[policy]\nruns = 1\nwarmup_runs = 0\n{CHECK}"),
    );
    let json = d.join("nobase.json");
    let o = rdbtune(
        &[
            "gate",
            "--gate",
            g.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ],
        d,
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("no check was judged") && err.contains("--baseline"),
        "{err}"
    );
    assert!(
        out.contains("not judged") && out.contains("no baseline") && !out.contains("pass"),
        "{out}"
    );
    let r = report(&json);
    assert_eq!(r["checks"][0]["verdict"], "skipped");
    // With an absolute check beside it, the gate passes, and the headline counts the
    // regression check as not judged rather than passed.
    let g2 = gate_file(
        d,
        "mixed",
        "",
        &format!("[policy]\nruns = 1\nwarmup_runs = 0\n{CHECK}[[check]]\nmetric = \"fill.ops_per_sec\"\nname = \"floor\"\nmin = 1\n"),
    );
    let o = rdbtune(&["gate", "--gate", g2.to_str().unwrap()], d);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("2 checks (1 pass, 1 not judged)"), "{out}");
    let saved = d.join("base.json");
    let o = rdbtune(
        &[
            "gate",
            "--gate",
            g.to_str().unwrap(),
            "--save-baseline",
            saved.to_str().unwrap(),
            "-q",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// A check that is inconclusive after `runs` rounds gets extra rounds, up to `max_runs`:
/// one paired round has no interval, so the small-cache handicap is inconclusive after it
/// and the gate measures more before it concludes.
#[test]
fn inconclusive_checks_get_extra_rounds() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let g = read_gate(
        d,
        "extra",
        "",
        &format!(
            "[policy]\nruns = 1\nmax_runs = 4\nwarmup_runs = 0\nconfirm = 0\n[candidate]\n{SMALL_CACHE}{READ_CHECK}"
        ),
    );
    let json = d.join("extra.json");
    let o = rdbtune(
        &[
            "gate",
            "--gate",
            g.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
            "-q",
        ],
        d,
    );
    let err = stderr(&o);
    let r = report(&json);
    let runs = r["runs"].as_u64().unwrap();
    common::figure(&format!("{runs} rounds, verdict {}", r["verdict"]));
    assert!(runs >= 2, "no extra round after an inconclusive one: {r}");
    let n = r["samples"]["base"]["candidate"]["read.ops_per_sec"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(n as u64, runs, "one sample per round");
    assert_eq!(r["verdict"], "fail", "{err}");
    assert_eq!(o.status.code(), Some(1), "{err}");
}

/// `--markdown auto` appends the Markdown table to $GITHUB_STEP_SUMMARY (keeping what the job
/// wrote before), and writes nothing when it is unset.
#[test]
fn markdown_auto_appends_to_the_step_summary() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    finished_run(d, 400, "[run]\nwait_for_compaction = false\n");
    let g = d.join("md.toml");
    std::fs::write(&g, "name = \"md\"\nresults = \"out/results.json\"\n[[check]]\nmetric = \"fill.ops_per_sec\"\nmin = 1\n").unwrap();
    let summary = d.join("step-summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let o = common::bin()
        .args([
            "gate",
            "--gate",
            g.to_str().unwrap(),
            "--markdown",
            "auto",
            "-q",
        ])
        .env("TMPDIR", d)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = std::fs::read_to_string(&summary).unwrap();
    assert!(s.starts_with("earlier step\n### ✅ gate md: pass"), "{s}");
    assert!(s.contains("| pass | `fill.ops_per_sec` |"), "{s}");
    let before: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    let o = common::bin()
        .args([
            "gate",
            "--gate",
            g.to_str().unwrap(),
            "--markdown",
            "auto",
            "-q",
        ])
        .env("TMPDIR", d)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        before, after,
        "no file written without $GITHUB_STEP_SUMMARY"
    );
    assert!(!d.join("auto").exists());
}

/// The shipped A/A and A/B gates do what docs/ci.md says: `aa-default` (the default config
/// against itself) passes, `ab-small-cache` (an 8 MiB block cache against 32 MiB on a 23 MiB
/// data set) fails on read throughput with exit 1. Full size: `--quick` shrinks the data
/// into the small cache and the handicap disappears. About 95 s on 2 cores.
#[test]
fn shipped_aa_passes_and_ab_small_cache_fails() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let dir = common::source_dir().join("scenarios/gates");
    let aa = d.join("aa.json");
    let o = rdbtune(
        &[
            "gate",
            "--gate",
            dir.join("aa-default.toml").to_str().unwrap(),
            "--json",
            aa.to_str().unwrap(),
            "-q",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = report(&aa);
    assert_eq!(r["checks"].as_array().unwrap().len(), 5);
    for c in r["checks"].as_array().unwrap() {
        assert!(
            c["verdict"] == "pass" || c["verdict"] == "warn" || c["verdict"] == "inconclusive",
            "A/A: {c}"
        );
    }
    let ab = d.join("ab.json");
    let o = rdbtune(
        &[
            "gate",
            "--gate",
            dir.join("ab-small-cache.toml").to_str().unwrap(),
            "--json",
            ab.to_str().unwrap(),
            "-q",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = report(&ab);
    let read = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == "read.ops_per_sec")
        .unwrap();
    common::figure(&format!(
        "ab-small-cache read.ops_per_sec regression {:.3} (CI low {:.3})",
        read["change"]["regression"].as_f64().unwrap(),
        read["change"]["regression_low"]
            .as_f64()
            .unwrap_or(f64::NAN)
    ));
    assert_eq!(read["verdict"], "fail", "{read}");
}
