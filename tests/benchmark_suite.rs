//! `rdbtune sweep benchmark-suite --quick`: benchmark_compare.sh's sequence, and report.tsv
//! with benchmark.sh's 28 columns, each value checked against results.json.

mod common;

use serde_json::Value;

const HEADER: &str = "ops_sec\tmb_sec\tlsm_sz\tblob_sz\tc_wgb\tw_amp\tc_mbps\tc_wsecs\tc_csecs\tb_rgb\tb_wgb\tusec_op\tp50\tp99\tp99.9\tp99.99\tpmax\tuptime\tstall%\tNstall\tu_cpu\ts_cpu\trss\ttest\tdate\tversion\tjob_id\tgithash";

const GIB: f64 = (1u64 << 30) as f64;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// A size as benchmark.sh prints it ("410MB") in bytes, and the unit's size.
fn size(s: &str) -> (f64, f64) {
    let units = [
        ("KB", 1u64 << 10),
        ("MB", 1 << 20),
        ("GB", 1 << 30),
        ("TB", 1 << 40),
    ];
    let (n, u) = units
        .iter()
        .find_map(|(name, u)| s.strip_suffix(name).map(|n| (n, *u as f64)))
        .unwrap_or_else(|| panic!("{s:?} has no KB/MB/GB/TB unit"));
    (n.parse::<f64>().unwrap() * u, u)
}

#[test]
fn benchmark_suite_writes_benchmark_sh_report_tsv() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let o = common::bin()
        .args(["sweep", "benchmark-suite", "--quick", "-q", "--out"])
        .arg(&out)
        .env("TMPDIR", t.path())
        .env("JOB_ID", "ci-17")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::stderr(&o));
    let v: Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let tsv = std::fs::read_to_string(out.join("report.tsv")).unwrap();
    let mut lines = tsv.lines();
    assert_eq!(lines.next(), Some(HEADER));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    let phases = v["runs"][0]["phases"].as_array().unwrap();

    // benchmark_compare.sh's sequence: every test but the flush of L0 gets a row.
    let tests: Vec<&str> = rows.iter().map(|r| r[23]).collect();
    assert_eq!(
        tests,
        [
            "fillseq.wal_disabled.v400",
            "revrange.t1",
            "readrandom.t16",
            "fwdrange.t16",
            "multireadrandom.t16",
            "overwritesome.t16.s0",
            "revrangewhilewriting.t16",
            "fwdrangewhilewriting.t16",
            "readwhilewriting.t16",
            "overwriteandwait.t16.s0",
        ]
    );
    let measured: Vec<&Value> = phases
        .iter()
        .filter(|p| !["flush", "waitforcompaction"].contains(&p["workload"].as_str().unwrap()))
        .collect();
    assert_eq!(measured.len(), rows.len());
    for r in &rows {
        assert_eq!(r.len(), 28, "{r:?}");
    }

    // The write-heavy last row: every column against the phase in results.json.
    let (r, p) = (&rows[9], measured[9]);
    let d = &p["engine"]["during"];
    let lat = &p["latency_us"];
    let uptime = f(&p["elapsed_s"]) + f(&p["compaction_wait_s"]);
    assert_eq!(r[0], format!("{}", f(&p["ops_per_sec"]) as u64), "ops_sec");
    assert_eq!(r[1], format!("{:.1}", f(&p["mb_per_sec"])), "mb_sec");
    let live = f(&p["engine"]["after"]["live_sst_bytes"]);
    assert!(live > 0.0, "the overwrite flushed: {p}");
    let (lsm, unit) = size(r[2]);
    assert!(
        (lsm - live).abs() <= unit,
        "lsm_sz {} vs {live} bytes",
        r[2]
    );
    assert_eq!(
        r[3],
        format!("{:.0}GB", f(&p["engine"]["after"]["blob_file_bytes"]) / GIB),
        "blob_sz"
    );
    let cw = f(&d["compaction_bytes_written"]);
    assert_eq!(r[4], format!("{:.1}", cw / GIB), "c_wgb");
    let user = f(&d["user_bytes_written"]);
    assert!(user > 0.0);
    let wamp = (cw + f(&d["flush_bytes_written"])) / user;
    assert_eq!(r[5], format!("{wamp:.1}"), "w_amp");
    assert_eq!(
        r[6],
        format!("{:.1}", cw / (1u64 << 20) as f64 / uptime),
        "c_mbps"
    );
    assert_eq!(
        r[7],
        format!("{:.0}", f(&d["compaction_micros"]) / 1e6),
        "c_wsecs"
    );
    assert_eq!(
        r[8],
        format!("{:.0}", f(&d["compaction_cpu_micros"]) / 1e6),
        "c_csecs"
    );
    assert_eq!(
        r[9],
        format!("{:.0}", f(&d["blob_file_bytes_read"]) / GIB),
        "b_rgb"
    );
    assert_eq!(
        r[10],
        format!("{:.0}", f(&d["blob_file_bytes_written"]) / GIB),
        "b_wgb"
    );
    assert_eq!(
        r[11],
        format!("{:.1}", 1e6 / f(&p["ops_per_sec"])),
        "usec_op"
    );
    assert_eq!(r[12], format!("{:.1}", f(&lat["p50"])), "p50");
    assert_eq!(r[13], format!("{:.0}", f(&lat["p99"])), "p99");
    assert_eq!(r[14], format!("{:.0}", f(&lat["p999"])), "p99.9");
    assert_eq!(r[15], format!("{:.0}", f(&lat["p9999"])), "p99.99");
    assert!(f(&lat["p9999"]) >= f(&lat["p999"]));
    assert_eq!(r[16], format!("{:.0}", f(&lat["max"])), "pmax");
    assert_eq!(r[17], format!("{uptime:.0}"), "uptime");
    assert_eq!(
        r[18],
        format!("{:.1}", f(&p["stalls"]["stall_percent"])),
        "stall%"
    );
    assert_eq!(r[19], d["write_stalls"].to_string(), "Nstall");
    assert_eq!(
        r[20],
        format!("{:.1}", f(&p["cpu_user_s"]) / 1000.0),
        "u_cpu"
    );
    assert_eq!(
        r[21],
        format!("{:.1}", f(&p["cpu_system_s"]) / 1000.0),
        "s_cpu"
    );
    assert!(f(&p["cpu_user_s"]) > 0.0);
    let rss = p["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| f(&i["rss_bytes"]))
        .fold(0.0, f64::max);
    assert!(rss > 0.0);
    assert_eq!(r[22], format!("{:.1}", rss / GIB), "rss");
    // date: the phase's start, local time, benchmark.sh's YYYY-MM-DTHH:MM:SS.
    let (date, time) = r[24].split_once('T').expect("date");
    let ymd: Vec<u32> = date.split('-').map(|x| x.parse().unwrap()).collect();
    assert_eq!(ymd.len(), 3);
    assert!(ymd[0] >= 2024 && (1..=12).contains(&ymd[1]) && (1..=31).contains(&ymd[2]));
    assert_eq!(time.len(), 8);
    assert!(f(&p["started_unix"]) > 1.7e9);
    assert_eq!(r[25], v["machine"]["rocksdb_version"].as_str().unwrap());
    assert_eq!(r[26], "ci-17");
    assert_eq!(v["job_id"], "ci-17");
    assert_eq!(r[27], v["machine"]["rdbtune_git"].as_str().unwrap());
    assert!(!r[27].is_empty());

    // fillseq ran without the WAL, the overwrites with it.
    assert_eq!(measured[0]["spec"]["disable_wal"], true);
    assert_eq!(f(&measured[0]["engine"]["during"]["wal_bytes"]), 0.0);
    assert!(f(&measured[5]["engine"]["during"]["wal_bytes"]) > 0.0);
    // overwriteandwait's row includes its compaction wait.
    assert!(f(&p["compaction_wait_s"]) > 0.0, "{p}");
    // The *whilewriting writer is held to 2 MiB/s of keys + values (paced op by op).
    for m in &measured[6..9] {
        let w = m["per_op"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == "write")
            .expect("a writer");
        let bytes_per_s = f(&w["ops"]) * 420.0 / f(&m["elapsed_s"]);
        let ratio = bytes_per_s / (2u64 << 20) as f64;
        println!("{}: writer at {ratio:.3}x of 2 MiB/s", m["workload"]);
        assert!(
            (0.7..1.1).contains(&ratio),
            "{}: writer at {bytes_per_s:.0} B/s, {ratio:.2}x of the limit",
            m["workload"]
        );
    }
}
