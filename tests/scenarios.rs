//! Scenario files end to end: validation errors, the output folder, OPTIONS.ini round trip,
//! interruption and resume, sharding and merge.

mod common;

use common::{bin, rdbtune as run, stderr};
use rdbtune::output::OUTPUT_FILES;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn results(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap()
}

/// (trial, repeat) pairs of a result, sorted.
fn run_set(v: &Value) -> Vec<(String, u64)> {
    let mut s: Vec<(String, u64)> = v["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["trial"].as_str().unwrap().to_string(),
                r["repeat"].as_u64().unwrap(),
            )
        })
        .collect();
    s.sort();
    s
}

const SMALL: &str = r#"
name = "small"
description = "three codecs on tiny data"

[data]
num = 3000
value_size = 100

[[phase]]
workload = "fillrandom"

[[phase]]
workload = "readrandom"
ops = 2000

[grid]
compression = ["none", "lz4", "zstd"]

[run]
repeats = 2

[recommend]
objective = "maximize fillrandom.ops_per_sec"
constraints = ["readrandom.p99_us <= 1000000"]
"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn every_shipped_scenario_validates() {
    let dir = common::source_dir().join("scenarios");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "toml") {
            let s = rdbtune::scenario::Scenario::load(&p)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            assert!(
                !s.trials.is_empty() && s.objective.is_some(),
                "{}",
                p.display()
            );
            n += 1;
        }
    }
    assert_eq!(
        n,
        rdbtune::scenario::builtin::BUILTIN.len(),
        "every file is a built-in sweep"
    );
    let t = tempfile::tempdir().unwrap();
    let o = run(&["sweep", "--list"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), n);
}

#[test]
fn grid_expands_with_stable_ids() {
    let s = rdbtune::scenario::Scenario::parse(SMALL, "small.toml").unwrap();
    let ids: Vec<&str> = s.trials.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        ["compression=none", "compression=lz4", "compression=zstd"]
    );
    assert_eq!(
        s.trials[2].config.compression,
        rdbtune::engine::Compression::Zstd
    );
    let lvl =
        std::fs::read_to_string(common::source_dir().join("scenarios/level-compression.toml"))
            .unwrap();
    let s = rdbtune::scenario::Scenario::parse(&lvl, "level-compression.toml").unwrap();
    let t = s.trials.iter().find(|t| t.id == "tiered-static").unwrap();
    assert!(!t.config.level_compaction_dynamic_level_bytes);
    let g = std::fs::read_to_string(common::source_dir().join("scenarios/grid.toml")).unwrap();
    let s = rdbtune::scenario::Scenario::parse(&g, "grid.toml").unwrap();
    assert_eq!(s.trials.len(), 8);
    assert!(s
        .trials
        .iter()
        .any(|t| t.id == "compression=zstd,max_background_jobs=8,write_buffer_size=256MiB"));
}

/// Each malformed file: exit 2, one line naming file:line and the key.
#[test]
fn malformed_scenarios_name_file_line_and_key() {
    let t = tempfile::tempdir().unwrap();
    let base = "name = \"x\"\n[[phase]]\nworkload = \"fillrandom\"\n";
    let cases = [
        ("unknown-key.toml", format!("{base}[run]\nrepeat = 3\n"), ":5:", "repeat"),
        ("wrong-type.toml", format!("{base}[run]\nrepeats = \"three\"\n"), ":5:", "repeats"),
        ("empty-axis.toml", format!("{base}[grid]\ncompression = []\n"), ":5:", "grid.compression"),
        ("bad-axis.toml", format!("{base}[grid]\ncompresion = [\"lz4\"]\n"), ":5:", "compresion"),
        ("unknown-workload.toml", "name = \"x\"\n[[phase]]\nworkload = \"fillrandon\"\n".to_string(), ":3:", "fillrandon"),
        ("bad-constraint.toml", format!("{base}[recommend]\nobjective = \"maximize fillrandom.ops_per_sec\"\nconstraints = [\"ratio ~ 2\"]\n"), ":6:", "recommend.constraints"),
        ("bad-metric.toml", format!("{base}[recommend]\nobjective = \"maximize readrandom.ops_per_sec\"\n"), ":5:", "readrandom.ops_per_sec"),
        ("bad-engine-value.toml", String::from("name = \"x\"\n[engine]\ncompression = \"lz5\"\n[[phase]]\nworkload = \"fillrandom\"\n"), ":3:", "engine.compression"),
        ("bad-engine-key.toml", String::from("name = \"x\"\n[engine]\nwrite_bufer_size = 1\n[[phase]]\nworkload = \"fillrandom\"\n"), ":3:", "write_bufer_size"),
        ("bad-size.toml", String::from("name = \"x\"\n[engine]\nwrite_buffer_size = \"64QB\"\n[[phase]]\nworkload = \"fillrandom\"\n"), ":3:", "64QB"),
        ("no-phase.toml", "name = \"x\"\n".to_string(), "no-phase.toml", "[[phase]]"),
        ("not-toml.toml", "name = \n".to_string(), ":1:", "not-toml.toml"),
        ("alert-metric.toml", format!("{base}[alerts]\np99 = \"> 5\"\n"), ":5:", "alerts.p99"),
        ("alert-op.toml", format!("{base}[alerts]\np99_us = \"5\"\n"), ":5:", "alerts.p99_us"),
        ("alert-type.toml", format!("{base}[alerts]\np99_us = 5\n"), ":5:", "alerts.p99_us"),
        ("alert-sustain.toml", format!("{base}[alerts]\nsustain_s = 0\n"), ":5:", "alerts.sustain_s"),
    ];
    for (file, text, line, key) in cases {
        let p = write(t.path(), file, &text);
        let o = run(&["validate", p.to_str().unwrap()], t.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(file) && err.contains(line) && err.contains(key),
            "{file}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{file}: {err}");
        assert!(!err.contains("panicked"));
    }
    // Keys that are only valid together are accepted together, and a bad combination
    // points at a key it involves.
    let ok = write(t.path(), "l0.toml", "name = \"x\"\n[engine]\nlevel0_file_num_compaction_trigger = 1\nlevel0_slowdown_writes_trigger = 2\nlevel0_stop_writes_trigger = 2\n[[phase]]\nworkload = \"fillrandom\"\n");
    let o = run(&["validate", ok.to_str().unwrap()], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let bad = write(t.path(), "l0bad.toml", "name = \"x\"\n[engine]\nlevel0_stop_writes_trigger = 2\n[[phase]]\nworkload = \"fillrandom\"\n");
    let o = run(&["validate", bad.to_str().unwrap()], t.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("l0bad.toml:3:") && stderr(&o).contains("level0_stop_writes_trigger"),
        "{}",
        stderr(&o)
    );
    let o = run(&["validate", "/nonexistent/x.toml"], t.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/x.toml"));
    let o = run(&["sweep", "compresion"], t.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("compresion") && stderr(&o).contains("compression"));
    let o = run(&["sweep", "compression", "--shard", "3/2"], t.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--shard"));
}

#[test]
fn run_writes_every_output_and_options_ini_loads_in_rocksdb() {
    let t = tempfile::tempdir().unwrap();
    let f = write(t.path(), "small.toml", SMALL);
    let out = t.path().join("out");
    let o = run(
        &["run", f.to_str().unwrap(), "--out", out.to_str().unwrap()],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for name in OUTPUT_FILES {
        let p = out.join(name);
        assert!(
            p.is_file() && std::fs::metadata(&p).unwrap().len() > 0,
            "{name}"
        );
    }
    let v = results(&out);
    assert_eq!(v["schema"], "rdbtune.result/v2");
    assert_eq!(run_set(&v).len(), 6);
    let winner = v["recommendation"]["winner"].as_str().unwrap().to_string();
    assert!(winner.starts_with("compression="));
    // Repeats are interleaved: repeat 1 starts with the second trial.
    let order: Vec<&str> = v["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["trial"].as_str().unwrap())
        .collect();
    assert_eq!(order[0], "compression=none");
    assert_eq!(order[3], "compression=lz4");
    let csv = std::fs::read_to_string(out.join("trials.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4);
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .contains("fillrandom.ops_per_sec.median"));
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        md.contains(&format!("## Recommendation: `{winner}`")),
        "{md}"
    );
    let iv = std::fs::read_to_string(out.join("intervals.csv")).unwrap();
    assert!(iv.starts_with("trial,repeat,phase,t_s,ops_per_sec"));

    // recommended.toml is a paste-able [engine] section of the winner.
    let rec: toml::Table =
        toml::from_str(&std::fs::read_to_string(out.join("recommended.toml")).unwrap()).unwrap();
    let codec = winner.trim_start_matches("compression=");
    assert_eq!(rec["engine"]["compression"].as_str(), Some(codec));

    // OPTIONS.ini loads into RocksDB, and a DB opened with it runs with those values.
    let optdir = t.path().join("optdir");
    std::fs::create_dir(&optdir).unwrap();
    std::fs::copy(out.join("OPTIONS.ini"), optdir.join("OPTIONS-000009")).unwrap();
    let (mut opts, cfs) = rocksdb::Options::load_latest(
        &optdir,
        rocksdb::Env::new().unwrap(),
        false,
        rocksdb::Cache::new_lru_cache(8 << 20),
    )
    .expect("RocksDB parses OPTIONS.ini");
    opts.create_if_missing(true);
    let dbdir = t.path().join("db");
    // Column family options (codec, memtable size) come with the descriptors.
    drop(rocksdb::DB::open_cf_descriptors(&opts, &dbdir, cfs).unwrap());
    let written = std::fs::read_dir(&dbdir)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("OPTIONS-"))
        .unwrap();
    let text = std::fs::read_to_string(written.path()).unwrap();
    let rocks_name = match codec {
        "none" => "kNoCompression",
        "lz4" => "kLZ4Compression",
        _ => "kZSTD",
    };
    assert!(
        text.contains(&format!("  compression={rocks_name}\n")),
        "{rocks_name}: {}",
        text.lines()
            .filter(|l| l.contains("compression"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    assert!(text.contains("  write_buffer_size=67108864\n"));
    assert!(text.contains("  max_background_jobs=2\n"));
    let flags = std::fs::read_to_string(out.join("db_bench.flags")).unwrap();
    assert!(
        flags.contains("--benchmarks=fillrandom")
            && flags.contains("--benchmarks=readrandom")
            && flags.contains("--options_file=OPTIONS.portable.ini"),
        "{flags}"
    );
    let portable = std::fs::read_to_string(out.join("OPTIONS.portable.ini")).unwrap();
    assert!(
        portable.contains(&format!("  compression={rocks_name}\n")),
        "{portable}"
    );
}

#[test]
fn shards_merge_to_the_unsharded_trial_set() {
    let t = tempfile::tempdir().unwrap();
    let f = write(t.path(), "small.toml", SMALL);
    let fs = f.to_str().unwrap();
    let dir = |n: &str| t.path().join(n);
    // Shard 1 by I/N; shard 2 as a Kubernetes Indexed Job runs it: a bare N, the index from
    // JOB_COMPLETION_INDEX (0-based).
    for (shard, out, index) in [("1/2", "s1", None), ("2", "s2", Some("1"))] {
        let mut cmd = bin();
        cmd.args([
            "run",
            fs,
            "-q",
            "--repeats",
            "1",
            "--shard",
            shard,
            "--out",
            dir(out).to_str().unwrap(),
        ])
        .env("TMPDIR", t.path())
        .env_remove("JOB_COMPLETION_INDEX");
        if let Some(i) = index {
            cmd.env("JOB_COMPLETION_INDEX", i);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(results(&dir("s2"))["shard"], serde_json::json!([2, 2]));
    let o = bin()
        .args([
            "run",
            fs,
            "-q",
            "--shard",
            "2",
            "--out",
            dir("x").to_str().unwrap(),
        ])
        .env("TMPDIR", t.path())
        .env_remove("JOB_COMPLETION_INDEX")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("JOB_COMPLETION_INDEX"),
        "{}",
        stderr(&o)
    );
    let s1 = run_set(&results(&dir("s1")));
    let s2 = run_set(&results(&dir("s2")));
    assert_eq!(s1.len(), 2);
    assert_eq!(s2.len(), 1);
    let o = run(
        &[
            "merge",
            dir("s1").to_str().unwrap(),
            dir("s2").to_str().unwrap(),
            "--out",
            dir("m").to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        &[
            "run",
            fs,
            "-q",
            "--repeats",
            "1",
            "--out",
            dir("all").to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let merged = results(&dir("m"));
    assert_eq!(run_set(&merged), run_set(&results(&dir("all"))));
    assert!(merged["recommendation"]["winner"].is_string());
    assert!(dir("m").join("OPTIONS.ini").is_file());
    let other = write(
        t.path(),
        "other.toml",
        &SMALL.replace("name = \"small\"", "name = \"other\""),
    );
    let o = run(
        &[
            "run",
            other.to_str().unwrap(),
            "-q",
            "--repeats",
            "1",
            "--shard",
            "1/3",
            "--out",
            dir("o").to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success());
    let o = run(
        &[
            "merge",
            dir("s1").to_str().unwrap(),
            dir("o").to_str().unwrap(),
            "--out",
            dir("bad").to_str().unwrap(),
        ],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn sigint_keeps_finished_trials_and_resume_skips_them() {
    let t = tempfile::tempdir().unwrap();
    let text = SMALL.replace("ops = 2000", "duration_s = 0.7");
    let f = write(t.path(), "slow.toml", &text);
    let out = t.path().join("out");
    let mut child = bin()
        .args([
            "run",
            f.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ])
        .env("TMPDIR", t.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        let n = std::fs::read(out.join("results.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .map_or(0, |v| v["runs"].as_array().map_or(0, |a| a.len()));
        if n >= 2 {
            break;
        }
        assert!(start.elapsed().as_secs() < 60, "no trial finished in time");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let t0 = std::time::Instant::now();
    let status = child.wait().unwrap();
    let took = t0.elapsed();
    common::figure(&format!(
        "run stopped {:.2} s after SIGINT (bound {} s)",
        took.as_secs_f64(),
        common::STOP_BOUND.as_secs()
    ));
    assert!(took < common::STOP_BOUND, "took {took:?} to stop");
    assert_eq!(status.code(), Some(130));
    let v = results(&out);
    assert_eq!(v["interrupted"], true);
    let kept = run_set(&v);
    assert!(kept.len() >= 2 && kept.len() < 6, "{kept:?}");
    let first_metrics = v["runs"][0]["metrics"].clone();
    // temp DBs of the interrupted run are gone
    let left: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("rdbtune-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    let o = run(
        &[
            "run",
            f.to_str().unwrap(),
            "-q",
            "--resume",
            out.to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = results(&out);
    assert_eq!(run_set(&v).len(), 6);
    assert_eq!(
        v["runs"][0]["metrics"], first_metrics,
        "finished runs were not redone"
    );
    assert_eq!(v["interrupted"], false);
}

#[test]
fn memory_budget_skips_trials_with_a_warning() {
    let t = tempfile::tempdir().unwrap();
    let text = SMALL
        .replace(
            "[grid]\ncompression = [\"none\", \"lz4\", \"zstd\"]",
            "[grid]\nblock_cache_size = [\"8MiB\", \"1GiB\"]",
        )
        .replace(
            "name = \"small\"",
            "name = \"small\"\nmemory_budget = \"512MiB\"",
        );
    let f = write(t.path(), "mem.toml", &text);
    let out = t.path().join("out");
    let o = run(
        &[
            "run",
            f.to_str().unwrap(),
            "--repeats",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("skipping trial block_cache_size=1GiB"),
        "{}",
        stderr(&o)
    );
    let v = results(&out);
    assert_eq!(run_set(&v), vec![("block_cache_size=8MiB".to_string(), 0)]);
    assert_eq!(v["skipped"][0][0], "block_cache_size=1GiB");
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        md.contains("| block_cache_size=1GiB | skipped: configured memory"),
        "{md}"
    );
}

/// The acceptance command itself: the compression sweep at --quick size writes the whole
/// output folder (its speed is not asserted here; the note records it).
#[test]
fn sweep_compression_quick_writes_the_folder() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("cq");
    let o = run(
        &[
            "sweep",
            "compression",
            "--quick",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for name in OUTPUT_FILES {
        assert!(out.join(name).is_file(), "{name}");
    }
    let v = results(&out);
    assert_eq!(
        run_set(&v).len(),
        24,
        "8 trials (4 codecs, zstd levels 1/3/9, a dictionary) x 3 repeats"
    );
    let ratio = |id: &str| {
        v["summaries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()["estimates"]["compression_ratio"]["median"]
            .as_f64()
            .unwrap()
    };
    assert!(ratio("none") < 1.05 && ratio("zstd") > ratio("lz4"));
    assert!(
        ratio("zstd-9") >= ratio("zstd-1") * 0.99,
        "level 9 packs at least as tight as 1"
    );
    assert_ne!(
        v["recommendation"]["winner"], "none",
        "excluded by its constraint"
    );
}

/// intervals.csv grows while a phase runs, one row per second, so a run killed with SIGKILL
/// keeps its timeline up to the last second; the scenario's [alerts] are judged live.
#[test]
fn intervals_are_appended_live_and_survive_sigkill() {
    let t = tempfile::tempdir().unwrap();
    let f = write(
        t.path(),
        "long.toml",
        "name = \"long\"\n[data]\nnum = 100000000\n[[phase]]\nworkload = \"fillrandom\"\nduration_s = 60\n[run]\nrepeats = 1\n[alerts]\nops_per_sec = \"> 1\"\n",
    );
    let out = t.path().join("out");
    let mut child = bin()
        .args(["run", f.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .env("TMPDIR", t.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let csv = out.join("intervals.csv");
    let rows = |text: &str| -> Vec<Vec<String>> {
        text.lines()
            .skip(1)
            .map(|l| l.split(',').map(String::from).collect())
            .collect()
    };
    let start = std::time::Instant::now();
    let live = loop {
        let text = std::fs::read_to_string(&csv).unwrap_or_default();
        if rows(&text).len() >= 3 {
            break text;
        }
        assert!(start.elapsed().as_secs() < 30, "no live rows: {text:?}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    let after = std::fs::read_to_string(&csv).unwrap();
    assert!(
        after.starts_with(&live),
        "rows written before the kill are kept"
    );
    let header: Vec<&str> = after.lines().next().unwrap().split(',').collect();
    assert_eq!(header, rdbtune::export::csv::INTERVAL_COLUMNS);
    let r = rows(&after);
    for (i, row) in r.iter().enumerate() {
        assert_eq!(row.len(), header.len(), "{row:?}");
        assert_eq!(&row[..3], ["base", "0", "fillrandom"]);
        assert_eq!(
            row[3],
            format!("{}.000", i + 1),
            "one row per second, in order"
        );
        assert!(row[4].parse::<f64>().unwrap() > 0.0, "{row:?}");
    }
    assert!(
        err.contains("ALERT ops_per_sec > 1.0 ops/s started in base #1 fillrandom at 0 s"),
        "{err}"
    );
}

/// `[[column_family]]`s: hot and cold families with their own codecs, key and op shares; a
/// bench phase and a YCSB phase spread over them; the `families` axis lays the same data out
/// in one family or two; per-family results and the summary's column-family table.
#[test]
fn column_families_in_a_scenario_split_keys_and_ops() {
    let t = tempfile::tempdir().unwrap();
    let f = write(
        t.path(),
        "cf.toml",
        r#"
name = "cf"
[data]
num = 4000
value_size = 200

[[column_family]]
name = "hot"
share_of_keys = 0.25
share_of_ops = 0.75
[column_family.engine]
compression = "none"

[[column_family]]
name = "cold"
share_of_keys = 0.75
share_of_ops = 0.25
[column_family.engine]
compression = "zstd"

[[phase]]
workload = "fillseq"

[[phase]]
workload = "readrandom"
ops = 4000

[[phase]]
workload = "readrandom"
name = "coldonly"
column_family = "cold"
ops = 1000

[[phase]]
workload = "ycsb-run"
ycsb = "b"
ops = 2000

[grid]
families = ["one", "separate"]

[run]
repeats = 1

[recommend]
objective = "maximize readrandom.ops_per_sec"
"#,
    );
    let out = t.path().join("out");
    let o = run(
        &[
            "run",
            f.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = results(&out);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    for r in runs {
        let separate = r["trial"] == "families=separate";
        let phases = r["phases"].as_array().unwrap();
        // fillseq writes every key once: the hot family holds the first quarter.
        let fill = &phases[0]["per_group"];
        assert_eq!(fill[0]["group"], "hot");
        assert_eq!(fill[0]["family"], if separate { "hot" } else { "default" });
        assert_eq!(fill[0]["keys"], serde_json::json!([0, 1000]));
        assert_eq!(fill[1]["keys"], serde_json::json!([1000, 4000]));
        let read = phases[1]["per_group"].as_array().unwrap();
        let hot = read[0]["ops"].as_u64().unwrap() as f64 / 4000.0;
        assert!((hot - 0.75).abs() < 0.04, "hot share of reads {hot}");
        // Every read found its key: the routing agrees with where fillseq put it.
        let found = phases[1]["per_op"][0]["found"].as_u64().unwrap();
        assert_eq!(found, 4000, "{}", phases[1]["per_op"]);
        let cold = phases[2]["per_group"].as_array();
        assert!(cold.is_none_or(|g| g.len() == 1), "coldonly: one group");
        assert_eq!(phases[2]["per_op"][0]["found"].as_u64().unwrap(), 1000);
        let ycsb = phases[3]["per_group"].as_array().unwrap();
        assert_eq!(ycsb.len(), 2, "the YCSB phase spreads over both families");
        let fams = r["final_stats"]["families"].as_array();
        if separate {
            let fams = fams.unwrap();
            let names: Vec<&str> = fams.iter().map(|f| f["name"].as_str().unwrap()).collect();
            assert_eq!(names, ["default", "hot", "cold"]);
            let ratio = |i: usize| fams[i]["compression_ratio"].as_f64().unwrap();
            assert!(
                ratio(2) > ratio(1),
                "zstd cold {} vs uncompressed hot {}",
                ratio(2),
                ratio(1)
            );
        } else {
            assert!(fams.is_none_or(|f| f.len() <= 1), "one family: {fams:?}");
        }
    }
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("## Column families"), "{summary}");
}
