//! `rdbtune` end to end: the binary on small real data.

mod common;

use common::{rdbtune, stderr};
use rdbtune::workload::Workload;
use serde_json::Value;

fn bench_json(args: &[&str]) -> Value {
    let t = tempfile::tempdir().unwrap();
    let mut all = vec!["bench", "--quiet", "--json", "-"];
    all.extend_from_slice(args);
    let o = rdbtune(&all, t.path());
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    let leftover: Vec<_> = std::fs::read_dir(t.path()).unwrap().flatten().collect();
    assert!(leftover.is_empty(), "temporary DB removed: {leftover:?}");
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

fn phase(v: &Value, i: usize) -> &Value {
    &v["runs"][0]["phases"][i]
}

#[test]
fn fill_then_read_reports_everything() {
    let v = bench_json(&[
        "--workload",
        "fillseq,readrandom,readmissing",
        "--num",
        "3000",
        "--threads",
        "2",
    ]);
    assert_eq!(v["schema"], "rdbtune.result/v2");
    assert!(v["machine"]["cpu_model"].is_string());
    assert!(v["machine"]["logical_cores"].as_u64().unwrap() >= 1);
    assert!(v["machine"]["kernel"].is_string());
    assert!(v["machine"]["db_filesystem"].is_string());
    assert_eq!(v["scenario"]["trials"][0]["config"]["compression"], "lz4");
    assert_eq!(v["runs"][0]["phases"].as_array().unwrap().len(), 3);
    for (i, w) in ["fillseq", "readrandom", "readmissing"].iter().enumerate() {
        let p = phase(&v, i);
        assert_eq!(p["workload"], *w);
        assert_eq!(p["ops"], 3000);
        assert!(p["elapsed_s"].as_f64().unwrap() > 0.0);
        let ops_s = p["ops_per_sec"].as_f64().unwrap();
        let expect = 3000.0 / p["elapsed_s"].as_f64().unwrap();
        assert!((ops_s - expect).abs() < expect * 1e-6);
        let l = &p["latency_us"];
        for k in ["avg", "p50", "p95", "p99", "p999", "max"] {
            assert!(l[k].as_f64().unwrap() > 0.0, "{w} {k}");
        }
        assert!(l["p50"].as_f64() <= l["p99"].as_f64() && l["p99"].as_f64() <= l["max"].as_f64());
        for k in [
            "compression_ratio",
            "sst_bytes",
            "disk_bytes",
            "cache_hit_rate",
            "stall_micros",
            "write_amplification",
        ] {
            assert!(p["engine"].get(k).is_some(), "{k}");
        }
    }
    // every key written by fillseq is found; no missing key is
    let reads = &phase(&v, 1)["per_op"][0];
    assert_eq!(
        (reads["found"].as_u64(), reads["not_found"].as_u64()),
        (Some(3000), Some(0))
    );
    let miss = &phase(&v, 2)["per_op"][0];
    assert_eq!(
        (miss["found"].as_u64(), miss["not_found"].as_u64()),
        (Some(0), Some(3000))
    );
    // bytes: 16-byte keys + 100-byte values
    let mbs = phase(&v, 0)["mb_per_sec"].as_f64().unwrap();
    let expect = 3000.0 * 116.0 / phase(&v, 0)["elapsed_s"].as_f64().unwrap() / 1048576.0;
    assert!((mbs - expect).abs() < expect * 1e-6);
    assert!(
        v["runs"][0]["final_stats"]["estimated_keys"]
            .as_u64()
            .unwrap()
            > 2500
    );
}

#[test]
fn fillbatch_counts_keys_and_samples_batches() {
    let v = bench_json(&[
        "--workload",
        "fillbatch",
        "--num",
        "10000",
        "--batch-size",
        "1000",
    ]);
    let p = phase(&v, 0);
    assert_eq!(p["ops"], 10000);
    assert_eq!(
        p["latency_us"]["samples"], 10,
        "one latency sample per batch"
    );
    assert_eq!(p["per_op"][0]["kind"], "batch_write");
    assert_eq!(p["engine"]["after"]["counters"]["keys_written"], 10000);
}

#[test]
fn every_workload_runs() {
    let all = "fillseq,fillrandom,filluniquerandom,overwrite,fillbatch,readseq,readrandom,readmissing,readhot,seekrandom,readrandomwriterandom,readwhilewriting";
    let v = bench_json(&[
        "--workload",
        all,
        "--num",
        "2000",
        "--threads",
        "2",
        "--seek-nexts",
        "5",
    ]);
    let phases = v["runs"][0]["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 12);
    for p in phases {
        assert!(
            p["ops"].as_u64().unwrap() >= 1999,
            "{}: {}",
            p["workload"],
            p["ops"]
        );
    }
    let kinds = |i: usize| -> Vec<String> {
        phases[i]["per_op"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds(5), ["next"]);
    assert_eq!(kinds(9), ["seek"]);
    assert_eq!(kinds(10), ["write", "read"]);
    // readwhilewriting: the headline is the readers (2000 reads can finish before the
    // writer thread is even scheduled; readwhilewriting_reports_both_roles covers the writer)
    assert!(kinds(11).contains(&"read".to_string()));
    assert_eq!(phases[11]["ops"], 2000);
    // readrandomwriterandom at 90% reads
    let rw = &phases[10]["per_op"];
    let reads = rw[1]["ops"].as_u64().unwrap() as f64;
    assert!((reads / 2000.0 - 0.9).abs() < 0.05, "{reads}");
    // filluniquerandom wrote every key exactly once: afterwards readrandom finds them all
    let rr = &phases[6]["per_op"][0];
    assert_eq!(rr["not_found"], 0);
}

#[test]
fn readwhilewriting_reports_both_roles() {
    let v = bench_json(&[
        "--workload",
        "fillseq,readwhilewriting",
        "--num",
        "2000",
        "--duration",
        "0.5",
        "--threads",
        "1",
    ]);
    let p = phase(&v, 1);
    let per_op = p["per_op"].as_array().unwrap();
    let ops = |k: &str| {
        per_op
            .iter()
            .find(|o| o["kind"] == k)
            .map_or(0, |o| o["ops"].as_u64().unwrap())
    };
    assert!(ops("read") > 0 && ops("write") > 0, "{per_op:?}");
    assert_eq!(
        p["ops"].as_u64().unwrap(),
        ops("read"),
        "headline = readers only"
    );
}

#[test]
fn reads_sets_read_phases_only() {
    let v = bench_json(&[
        "--workload",
        "fillseq,readrandom,seekrandom",
        "--num",
        "2000",
        "--reads",
        "500",
    ]);
    assert_eq!(phase(&v, 0)["ops"], 2000, "fills write --num keys");
    assert_eq!(phase(&v, 1)["ops"], 500);
    assert_eq!(phase(&v, 2)["ops"], 500);
}

#[test]
fn duration_bound_and_intervals() {
    let v = bench_json(&[
        "--workload",
        "fillrandom",
        "--num",
        "100000000",
        "--duration",
        "2.2",
    ]);
    let p = phase(&v, 0);
    let el = p["elapsed_s"].as_f64().unwrap();
    assert!((2.0..3.5).contains(&el), "{el}");
    let iv = p["intervals"].as_array().unwrap();
    assert!(iv.len() >= 2 && iv.len() <= 4, "{}", iv.len());
    let sum: u64 = iv.iter().map(|r| r["ops"].as_u64().unwrap()).sum();
    assert_eq!(
        sum,
        p["ops"].as_u64().unwrap(),
        "intervals add up to the phase"
    );
    assert!(iv[0]["rss_bytes"].as_u64().unwrap() > 0);
    assert!(iv[0]["p99_us"].as_f64().unwrap() >= iv[0]["p50_us"].as_f64().unwrap());
}

#[test]
fn csv_and_json_files() {
    let t = tempfile::tempdir().unwrap();
    let json = t.path().join("out/r.json");
    let csv = t.path().join("out/r.csv");
    let o = rdbtune(
        &[
            "bench",
            "--workload",
            "fillrandom,readrandom",
            "--num",
            "2000",
            "--json",
            json.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("ops/s") && table.contains("p99.9 µs") && table.contains("readrandom"),
        "{table}"
    );
    assert!(
        table.contains("cache hit %") && table.contains("compression ratio"),
        "{table}"
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("phase,workload,threads"));
    assert!(lines[2].contains(",readrandom,"));
    let v: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["runs"][0]["phases"].as_array().unwrap().len(), 2);
}

#[test]
fn named_db_is_kept_and_reused() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("db");
    let db_s = db.to_str().unwrap();
    let o = rdbtune(
        &[
            "bench",
            "-q",
            "--workload",
            "fillseq",
            "--num",
            "1000",
            "--db",
            db_s,
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        db.join("CURRENT").is_file(),
        "a --db directory is never deleted"
    );
    let before: Vec<_> = std::fs::read_dir(&db)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    // Without --db-reuse an existing DB is refused and left alone.
    let o = rdbtune(
        &[
            "bench",
            "-q",
            "--workload",
            "fillseq",
            "--num",
            "1000",
            "--db",
            db_s,
        ],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--db-reuse"), "{}", stderr(&o));
    let after: Vec<_> = std::fs::read_dir(&db)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(before, after);
    let o = rdbtune(
        &[
            "bench",
            "-q",
            "--workload",
            "readrandom",
            "--num",
            "1000",
            "--db",
            db_s,
            "--db-reuse",
            "--json",
            "-",
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["runs"][0]["phases"][0]["per_op"][0]["found"], 1000,
        "reused the existing DB"
    );
    assert_eq!(v["db"]["temporary"], false);
    assert!(
        db.join("CURRENT").is_file(),
        "--db-reuse opens in place and never deletes"
    );
}

/// Each bad input: exit 2, one line on stderr naming the input, no panic.
#[test]
fn bad_input_is_a_one_line_usage_error() {
    let t = tempfile::tempdir().unwrap();
    let plain = t.path().join("plainfile");
    std::fs::write(&plain, "x").unwrap();
    let under_file = plain.join("db");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--set", "write_bufer_size=1MiB"], "write_bufer_size"),
        (vec!["--set", "write_buffer_size=12XB"], "12XB"),
        (vec!["--set", "compression"], "KEY=VALUE"),
        (vec!["--set", "compression=lz5"], "lz5"),
        (vec!["--workload", "fillrandom,readrandon"], "readrandon"),
        (vec!["--value-size", "0"], "--value-size"),
        (vec!["--key-size", "4"], "--key-size"),
        (vec!["--threads", "0"], "--threads"),
        (vec!["--compressibility", "0"], "--compressibility"),
        (vec!["--duration", "-1"], "--duration"),
        (vec!["--db", under_file.to_str().unwrap()], "plainfile"),
        (vec!["--db", plain.to_str().unwrap()], "plainfile"),
        (vec!["--alert", "p99 > 5"], "--alert"),
        (vec!["--alert", "p99_us 5"], "--alert"),
        (vec!["--alert", "rss_bytes > 3 bananas"], "--alert"),
        (
            vec!["--alert", "p99_us > 5", "--alert-sustain", "0"],
            "--alert-sustain",
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["bench", "--num", "100"];
        all.extend(args.iter().copied());
        let o = rdbtune(&all, t.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{args:?}: one line: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // clap's own errors (unknown flag, bad number) are exit 2 as well
    let o = rdbtune(&["bench", "--nmu", "5"], t.path());
    assert_eq!(o.status.code(), Some(2));
    let o = rdbtune(&["bench", "--num", "lots"], t.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--num"));
}

#[test]
fn foreign_directory_is_refused_and_untouched() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("precious");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("thesis.txt"), "do not delete").unwrap();
    let o = rdbtune(
        &["bench", "--num", "100", "--db", dir.to_str().unwrap()],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a RocksDB"));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["thesis.txt"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("thesis.txt")).unwrap(),
        "do not delete"
    );
}

#[test]
fn config_prints_effective_toml() {
    let t = tempfile::tempdir().unwrap();
    let o = rdbtune(
        &[
            "config",
            "--preset",
            "production_optimized",
            "--set",
            "compression=zstd",
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    let cfg: rdbtune::engine::EngineConfig = toml::from_str(&text).unwrap();
    assert_eq!(cfg.compression, rdbtune::engine::Compression::Zstd);
    assert_eq!(cfg.write_buffer_size, rdbtune::engine::Size::mib(256));
}

#[test]
fn list_and_help_teach() {
    let t = tempfile::tempdir().unwrap();
    let o = rdbtune(&["bench", "--list"], t.path());
    let out = String::from_utf8_lossy(&o.stdout);
    // Every workload but the two YCSB phases, one line each.
    assert_eq!(out.lines().count(), Workload::ALL.len() - 2);
    for w in Workload::ALL
        .iter()
        .filter(|w| !w.name().starts_with("ycsb"))
    {
        assert!(
            out.lines().any(|l| l.starts_with(w.name())),
            "{w} in --list"
        );
    }
    let o = rdbtune(&["bench", "--help"], t.path());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Exit codes") && out.contains("--set") && out.contains("Examples"));
}

#[test]
fn stalls_show_in_the_timeline() {
    let v = bench_json(&[
        "--workload",
        "fillrandom",
        "--num",
        "60000",
        "--set",
        "write_buffer_size=256KiB",
        "--set",
        "level0_file_num_compaction_trigger=1",
        "--set",
        "level0_slowdown_writes_trigger=1",
        "--set",
        "level0_stop_writes_trigger=2",
    ]);
    let p = phase(&v, 0);
    assert!(p["engine"]["stall_micros"].as_u64().unwrap() > 0);
    assert!(
        p["stalls"]["stall_percent"].as_f64().unwrap() > 0.0,
        "{}",
        p["stalls"]
    );
    assert!(p["stalls"]["episodes"].as_u64().unwrap() >= 1);
    let iv_stall: u64 = p["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stall_micros"].as_u64().unwrap())
        .sum();
    assert!(iv_stall > 0, "the per-second timeline carries the stalls");

    let calm = bench_json(&["--workload", "fillrandom", "--num", "20000"]);
    let p = phase(&calm, 0);
    assert_eq!(p["stalls"]["stall_percent"], 0.0);
    assert_eq!(p["stalls"]["episodes"], 0);
}

/// An alert that must fire (every second has ops) and one that cannot: the first is counted
/// in results.json with a start line on stderr; --fail-on-alert turns it into exit 1 after the
/// results are written.
#[test]
fn alerts_are_recorded_and_fail_on_alert_exits_1() {
    let t = tempfile::tempdir().unwrap();
    let json = t.path().join("r.json");
    let base = [
        "bench",
        "--workload",
        "fillrandom",
        "--num",
        "5000000",
        "--duration",
        "2.5",
        "--status-interval",
        "1",
        "--json",
        json.to_str().unwrap(),
    ];
    let with = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        let _ = std::fs::remove_file(&json);
        let o = rdbtune(&a, t.path());
        let v: Value =
            serde_json::from_slice(&std::fs::read(&json).expect("json written")).unwrap();
        (o, v)
    };
    let (o, v) = with(&["--alert", "ops_per_sec > 1", "--alert", "ops_per_sec < 1"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let alerts = phase(&v, 0)["alerts"].as_array().expect("alerts recorded");
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["metric"], "ops_per_sec");
    assert_eq!(alerts[0]["started_t_s"], 0.0);
    assert!(
        alerts[0]["breached_intervals"].as_u64().unwrap() >= 2,
        "{alerts:?}"
    );
    assert!(
        alerts[0]["cleared_t_s"].is_null(),
        "still active at the end: {alerts:?}"
    );
    assert!(
        err.contains("ALERT ops_per_sec > 1.0 ops/s started in fillrandom at 0 s"),
        "{err}"
    );
    // Status lines name their units and span (stderr is not a terminal here).
    assert!(
        err.contains("[fillrandom 1 s]") && err.contains("ops/s, p50"),
        "{err}"
    );

    let (o, v) = with(&["--alert", "ops_per_sec > 1", "--fail-on-alert"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--fail-on-alert") && err.contains("ops_per_sec > 1.0 ops/s"),
        "{err}"
    );
    assert_eq!(phase(&v, 0)["alerts"].as_array().unwrap().len(), 1);

    let (o, v) = with(&["--alert", "ops_per_sec < 1", "--fail-on-alert"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(phase(&v, 0).get("alerts").is_none());
}

/// An alert that starts and clears within a phase: the block cache is cold when readrandom
/// starts (flushes do not fill it) and the data fits in it, so the first second misses every
/// data block once (over 10K misses: a hit rate below 0.999) and once every block is cached
/// the hit rate is exactly 1. Both lines are printed and the episode
/// in results.json has its clearing time.
#[test]
fn an_alert_starts_and_clears_end_to_end() {
    let t = tempfile::tempdir().unwrap();
    let json = t.path().join("r.json");
    let o = rdbtune(
        &[
            "bench",
            "--workload",
            "fillrandom,readrandom",
            "--num",
            "500000",
            "--reads",
            "1500000",
            "--set",
            "block_cache_size=256MiB",
            "--alert",
            "cache_hit_rate < 0.999",
            "--status-interval",
            "0",
            "--json",
            json.to_str().unwrap(),
        ],
        t.path(),
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let v: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert!(
        phase(&v, 0).get("alerts").is_none(),
        "no lookups while filling: not judged"
    );
    let alerts = phase(&v, 1)["alerts"].as_array().expect("alerts recorded");
    let first = &alerts[0];
    assert_eq!(first["metric"], "cache_hit_rate", "{alerts:?}");
    assert_eq!(first["started_t_s"], 0.0, "{alerts:?}");
    let cleared = first["cleared_t_s"].as_f64().expect("the alert cleared");
    assert!(cleared >= 1.0, "{alerts:?}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("ALERT cache_hit_rate <"))
        .collect();
    assert!(
        lines[0].contains("started in readrandom at 0 s"),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("cleared in readrandom at")),
        "{lines:?}"
    );
}

/// A timed phase long enough for a trend reports it in the JSON: the RSS slope beside
/// RocksDB's accounting, and a verdict consistent with the unaccounted slope and threshold.
#[test]
fn a_long_enough_phase_reports_its_memory_trend() {
    let v = bench_json(&[
        "--workload",
        "readrandomwriterandom",
        "--num",
        "100000",
        "--duration",
        "16",
    ]);
    let tr = &phase(&v, 0)["trend"];
    assert!(tr["samples"].as_u64().unwrap() >= 10, "{tr}");
    assert!(tr["first_rss_bytes"].as_u64().unwrap() > 0, "{tr}");
    for k in [
        "rss_slope_mib_per_h",
        "rocksdb_slope_mib_per_h",
        "unaccounted_slope_mib_per_h",
        "throughput_drift",
    ] {
        assert!(tr[k].as_f64().is_some_and(f64::is_finite), "{k}: {tr}");
    }
    let growing = tr["unaccounted_slope_mib_per_h"].as_f64().unwrap()
        > tr["threshold_mib_per_h"].as_f64().unwrap();
    assert_eq!(
        tr["verdict"],
        if growing { "growing" } else { "stable" },
        "{tr}"
    );
    // A short phase has no trend: too few seconds to say.
    let v = bench_json(&["--workload", "fillrandom", "--num", "20000"]);
    assert!(phase(&v, 0)["trend"].is_null());
}

/// bench --json, ycsb --format json and a sweep's results.json are one results shape: the
/// same schema string and the same top-level keys, told apart by `kind`.
#[test]
fn every_command_writes_one_results_shape() {
    let t = tempfile::tempdir().unwrap();
    let bench = bench_json(&["--workload", "fillseq", "--num", "1000"]);
    let o = rdbtune(
        &[
            "ycsb",
            "--quiet",
            "--workload",
            "a",
            "--records",
            "1000",
            "--operations",
            "1000",
            "--format",
            "json",
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let ycsb: Value = serde_json::from_slice(&o.stdout).unwrap();
    let out = t.path().join("sweep");
    let o = rdbtune(
        &[
            "sweep",
            "compression",
            "--quick",
            "--quiet",
            "--repeats",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let sweep: Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&bench), keys(&ycsb));
    assert_eq!(keys(&bench), keys(&sweep));
    for (v, kind) in [(&bench, "bench"), (&ycsb, "ycsb"), (&sweep, "scenario")] {
        assert_eq!(v["schema"], "rdbtune.result/v2");
        assert_eq!(v["kind"], kind);
        assert!(!v["runs"][0]["metrics"].as_object().unwrap().is_empty());
    }
    // v1 files (both shapes) still load and render.
    let fx = common::source_dir().join("tests/fixtures/snap-a.json");
    let r = rdbtune::output::load_file(&fx).unwrap();
    assert_eq!(
        (r.kind, r.schema.as_str()),
        (rdbtune::model::Kind::Scenario, "rdbtune.result/v2")
    );
    let mut v1 = bench.clone();
    let m = v1.as_object_mut().unwrap();
    let run = m["runs"][0].clone();
    m.clear();
    m.insert("schema".into(), "rdbtune.result/v1".into());
    for (k, x) in [
        ("started_unix", bench["started_unix"].clone()),
        ("command", bench["command"].clone()),
        ("seed", 1.into()),
        ("machine", bench["machine"].clone()),
        ("config", bench["scenario"]["trials"][0]["config"].clone()),
        ("db_temporary", true.into()),
        ("phases", run["phases"].clone()),
        ("final_stats", run["final_stats"].clone()),
        ("interrupted", false.into()),
    ] {
        m.insert(k.into(), x);
    }
    let f = t.path().join("old-bench.json");
    std::fs::write(&f, serde_json::to_vec(&v1).unwrap()).unwrap();
    let r = rdbtune::output::load_file(&f).unwrap();
    assert_eq!(r.kind, rdbtune::model::Kind::Bench);
    assert!(r.runs[0].metrics.contains_key("fillseq.ops_per_sec"));
    assert_eq!(r.summaries.len(), 1);
    let o = rdbtune(&["report", f.to_str().unwrap()], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(t.path().join("report.html").is_file());
}

/// db_bench's column-family flags: three families, ops split 60/30/10 over them; every phase
/// reports each family's ops, and the final stats list the three families with their keys.
#[test]
fn column_families_the_db_bench_way() {
    let v = bench_json(&[
        "--workload",
        "fillrandom,readrandom",
        "--num",
        "20000",
        "--num-column-families",
        "3",
        "--column-family-distribution",
        "60,30,10",
    ]);
    let names = [
        "default",
        "column_family_name_000001",
        "column_family_name_000002",
    ];
    for i in 0..2 {
        let p = phase(&v, i);
        let groups = p["per_group"].as_array().expect("per_group");
        assert_eq!(groups.len(), 3, "{p}");
        let total: u64 = groups.iter().map(|g| g["ops"].as_u64().unwrap()).sum();
        assert_eq!(total, 20_000, "every op counted in one family");
        for (g, (name, share)) in groups.iter().zip(names.iter().zip([0.6, 0.3, 0.1])) {
            assert_eq!(g["family"], *name);
            let got = g["ops"].as_u64().unwrap() as f64 / total as f64;
            assert!(
                (got - share).abs() < 0.03,
                "{name}: {got} of the ops, want {share}"
            );
            assert!(g["ops_per_sec"].as_f64().unwrap() > 0.0);
            assert!(g["latency_us"]["p99"].as_f64().unwrap() > 0.0);
        }
    }
    let fams = v["runs"][0]["final_stats"]["families"].as_array().unwrap();
    assert_eq!(fams.len(), 3);
    let keys: Vec<u64> = fams
        .iter()
        .map(|f| f["estimated_keys"].as_u64().unwrap())
        .collect();
    // fillrandom draws keys with repeats; each family holds its own share of distinct keys.
    assert!(keys[0] > keys[1] && keys[1] > keys[2], "{keys:?}");
    assert_eq!(
        v["runs"][0]["final_stats"]["estimated_keys"]
            .as_u64()
            .unwrap(),
        keys.iter().sum::<u64>()
    );
}

/// db_bench's other benchmarks under their names: each runs after a fill on a small DB and
/// reports its ops, its op kinds with their own latency and found counts, and the semantics
/// db_bench gives it (deletes remove keys, merges go through RocksDB's uint64add, MultiGet
/// counts keys, seeks find the key itself, steps are one op).
#[test]
fn db_bench_workloads_under_their_names() {
    let w = "fillseq,readreverse,fwdrange,revrange,seekrandom,seekrandomwhilewriting,fwdrangewhilewriting,revrangewhilewriting,multireadrandom,updaterandom,mergerandom,readrandommergerandom,readwhilemerging,flush,compact,waitforcompaction,deleteseq,readrandom,fillsync,deleterandom";
    let v = bench_json(&[
        "--workload",
        w,
        "--num",
        "3000",
        "--batch-size",
        "8",
        "--value-size",
        "8",
        "--set",
        "merge_operator=uint64add",
    ]);
    let phases = v["runs"][0]["phases"].as_array().unwrap();
    let names: Vec<&str> = w.split(',').collect();
    assert_eq!(phases.len(), names.len());
    let at = |name: &str| &phases[names.iter().position(|n| *n == name).unwrap()];
    let kind = |name: &str, k: &str| -> serde_json::Value {
        at(name)["per_op"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == k)
            .unwrap_or_else(|| panic!("{name}: no {k} in {}", at(name)["per_op"]))
            .clone()
    };
    for (p, name) in phases.iter().zip(&names) {
        assert_eq!(p["workload"], *name);
        assert!(p["ops"].as_u64().unwrap() >= 1, "{name}");
        assert!(p["latency_us"]["p99"].as_f64().unwrap() > 0.0, "{name}");
        for o in p["per_op"].as_array().unwrap() {
            assert!(
                o["latency_us"]["p50"].as_f64().unwrap() > 0.0,
                "{name}: {o}"
            );
        }
    }
    // Iterators over the filled DB: every entry once, backwards.
    assert_eq!(kind("readreverse", "prev")["ops"], 3000);
    // Seeks land on the key itself (db_bench's found) on a full DB.
    for s in ["fwdrange", "revrange", "seekrandom"] {
        let k = kind(s, "seek");
        assert_eq!(k["found"], 3000, "{s}: {k}");
        assert_eq!(
            at(s)["spec"]["seek_nexts"],
            if s == "seekrandom" { 0 } else { 10 }
        );
    }
    // fwdrange reads 10 entries of 16+8 bytes per seek; seekrandom with 0 nexts reads none.
    assert!(at("fwdrange")["mb_per_sec"].as_f64().unwrap() > 0.0);
    // The while-writing forms: the headline is the readers', the writer is beside them.
    for s in [
        "seekrandomwhilewriting",
        "fwdrangewhilewriting",
        "revrangewhilewriting",
    ] {
        assert_eq!(at(s)["ops"], 3000, "{s}: readers only");
        assert_eq!(kind(s, "seek")["ops"], 3000);
    }
    assert_eq!(kind("readwhilemerging", "read")["ops"], 3000);
    // MultiGet: ops count keys (8 per call), all found.
    let mg = kind("multireadrandom", "multiget");
    assert_eq!(
        (mg["ops"].as_u64(), mg["found"].as_u64()),
        (Some(3000), Some(3000))
    );
    assert_eq!(kind("updaterandom", "update")["found"], 3000);
    // readrandommergerandom: 70% merges by default.
    let merges = kind("readrandommergerandom", "merge")["ops"]
        .as_u64()
        .unwrap() as f64;
    assert!((merges / 3000.0 - 0.7).abs() < 0.05, "{merges}");
    // Steps are one op each.
    for s in ["flush", "compact", "waitforcompaction"] {
        assert_eq!(at(s)["ops"], 1, "{s}");
        assert_eq!(kind(s, "step")["ops"], 1);
    }
    // deleteseq removed every key: the readrandom after it finds none.
    assert_eq!(kind("deleteseq", "delete")["ops"], 3000);
    assert_eq!(kind("readrandom", "read")["found"], 0);
    // fillsync: num/1000 synced puts by default.
    assert_eq!(kind("fillsync", "write")["ops"], 3);
    assert_eq!(kind("deleterandom", "delete")["ops"], 3000);
    // The engine table is there after the run.
    assert!(v["runs"][0]["final_stats"]["estimated_keys"].is_u64());
}

/// A merge workload without a merge operator is a usage error naming the fix.
#[test]
fn merges_need_a_merge_operator() {
    let t = tempfile::tempdir().unwrap();
    let o = rdbtune(
        &["bench", "-q", "--workload", "mergerandom", "--num", "100"],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("merge_operator=uint64add"),
        "{}",
        stderr(&o)
    );
}

/// Value sizes drawn as db_bench draws them: the raw value bytes RocksDB stored (from its
/// table properties) average (min + max) / 2 for uniform and normal, and value_size for fixed.
#[test]
fn value_size_distributions_shape_the_stored_bytes() {
    for (kind, want) in [("fixed", 100.0), ("uniform", 300.0), ("normal", 300.0)] {
        let v = bench_json(&[
            "--workload",
            "fillseq,flush",
            "--num",
            "20000",
            "--value-size-distribution-type",
            kind,
            "--value-size-min",
            "100",
            "--value-size-max",
            "500",
        ]);
        let fin = &v["runs"][0]["final_stats"];
        let raw = fin["sst_raw_bytes"].as_u64().unwrap() as f64;
        let mean_value = raw / 20_000.0 - 16.0;
        assert!(
            (mean_value - want).abs() < want * 0.02,
            "{kind}: mean value {mean_value} bytes, want {want}"
        );
    }
}

/// mixgraph under db_bench's flag names (both spellings): gets, puts and seeks in the
/// model's shares, each with its own latency, found counts for gets and seeks, and the flags
/// recorded in the phase spec.
#[test]
fn mixgraph_runs_db_benchs_model() {
    let v = bench_json(&[
        "--workload",
        "fillseq,mixgraph",
        "--num",
        "20000",
        "--reads",
        "20000",
        "--keyrange_dist_a",
        "14.18",
        "--keyrange-dist-b",
        "-2.917",
        "--keyrange-dist-c",
        "0.0164",
        "--keyrange-dist-d",
        "-0.08082",
        "--keyrange-num",
        "30",
        "--key-dist-a",
        "0.002312",
        "--key_dist_b",
        "0.3467",
        "--mix-get-ratio",
        "0.85",
        "--mix-put-ratio",
        "0.14",
        "--mix-seek-ratio",
        "0.01",
    ]);
    let p = phase(&v, 1);
    assert_eq!(p["workload"], "mixgraph");
    assert_eq!(p["ops"], 20000);
    let m = &p["spec"]["mixgraph"];
    assert_eq!(m["keyrange_num"], 30);
    assert_eq!(m["value_k"], 0.2615, "db_bench's default");
    let kind = |k: &str| {
        p["per_op"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == k)
            .unwrap_or_else(|| panic!("no {k}: {}", p["per_op"]))
            .clone()
    };
    let share = |k: &str| kind(k)["ops"].as_f64().unwrap() / 20000.0;
    assert!((share("read") - 0.85).abs() < 0.02, "{}", share("read"));
    assert!((share("write") - 0.14).abs() < 0.02, "{}", share("write"));
    assert!((share("seek") - 0.01).abs() < 0.005, "{}", share("seek"));
    // fillseq wrote every key: every get and every seek finds its key.
    assert_eq!(kind("read")["not_found"], 0);
    assert_eq!(kind("seek")["not_found"], 0);
    for k in ["read", "write", "seek"] {
        assert!(kind(k)["latency_us"]["p50"].as_f64().unwrap() > 0.0, "{k}");
    }
}

/// --sine-mix-rate paces mixgraph at sine_a * sin(sine_b * t + sine_c) + sine_d ops/s: with
/// a = 0 it is a constant 2000 ops/s, so a 2-second phase does about 4000 ops (the measured
/// rate is printed; bounds are wide for a loaded machine, the pace only slows it down).
#[test]
fn mixgraph_sine_rate_paces_the_ops() {
    let v = bench_json(&[
        "--workload",
        "fillseq,mixgraph",
        "--num",
        "5000",
        "--reads",
        "1000000",
        "--duration",
        "2",
        "--sine-mix-rate",
        "--sine-a",
        "0",
        "--sine-d",
        "2000",
        "--sine-mix-rate-interval-milliseconds",
        "500",
    ]);
    let p = phase(&v, 1);
    let rate = p["ops_per_sec"].as_f64().unwrap();
    println!("mixgraph at a sine rate of 2000 ops/s: {rate:.0} ops/s");
    assert!((1500.0..2100.0).contains(&rate), "{rate} ops/s");
    // Paced: the intended latency is reported beside the measured one.
    assert!(p["per_op"][0]["intended_latency_us"]["p50"]
        .as_f64()
        .is_some());
}

/// Bad mixgraph flags exit 2 naming the flag; keyrange flags without key_dist warn.
#[test]
fn mixgraph_bad_flags_name_themselves() {
    let t = tempfile::tempdir().unwrap();
    let o = rdbtune(
        &[
            "bench",
            "-q",
            "--workload",
            "mixgraph",
            "--num",
            "100",
            "--keyrange-num",
            "500",
        ],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--keyrange-num 500"), "{}", stderr(&o));
    let o = rdbtune(
        &[
            "bench",
            "-q",
            "--workload",
            "mixgraph",
            "--num",
            "100",
            "--reads",
            "10",
            "--keyrange-dist-a",
            "14.18",
            "--keyrange-num",
            "3",
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("have no effect"), "{}", stderr(&o));
}

/// db_bench's --keys_per_prefix / --prefix_size: prefixed keys are written and read back
/// (every get finds its key), RocksDB gets a fixed prefix extractor as in db_bench, and a key
/// too short for prefix + key number is exit 2 naming --key-size.
#[test]
fn keys_per_prefix_as_db_bench() {
    let v = bench_json(&[
        "--workload",
        "fillseq,readrandom,seekrandom",
        "--num",
        "5000",
        "--keys_per_prefix",
        "10",
        "--prefix-size",
        "8",
        "--key-size",
        "24",
    ]);
    assert_eq!(phase(&v, 1)["per_op"][0]["found"], 5000);
    assert_eq!(phase(&v, 2)["per_op"][0]["found"], 5000);
    assert_eq!(phase(&v, 0)["spec"]["keys_per_prefix"], 10);
    let opts = v["effective_options"].to_string();
    assert!(
        opts.contains("prefix_extractor=rocksdb.FixedPrefix.8"),
        "{opts}"
    );
    let t = tempfile::tempdir().unwrap();
    let o = rdbtune(
        &[
            "bench",
            "-q",
            "--workload",
            "fillseq",
            "--num",
            "100",
            "--keys-per-prefix",
            "10",
            "--prefix-size",
            "12",
            "--key-size",
            "16",
        ],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--key-size 20"), "{}", stderr(&o));
}
