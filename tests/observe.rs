//! Where the time and the bytes go: I/O per op against RocksDB's own byte counters,
//! PerfContext sampling, any percentile, HdrHistogram interval logs read back, and the
//! Prometheus endpoint scraped during a run. Real RocksDB, small data.

mod common;

use common::{rdbtune, stderr};
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use hdrhistogram::serialization::Deserializer;
use hdrhistogram::Histogram;
use serde_json::Value;
use std::io::{BufRead, Read, Write};
use std::path::Path;

fn run_json(args: &[&str], tmp: &Path) -> Value {
    let json = tmp.join("out.json");
    let mut all: Vec<&str> = args.to_vec();
    let j = json.to_str().unwrap();
    all.extend(["--json", j, "-q"]);
    let o = rdbtune(&all, tmp);
    assert!(o.status.success(), "{:?}: {}", args, stderr(&o));
    serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap()
}

fn phase<'a>(r: &'a Value, workload: &str) -> &'a Value {
    r["runs"][0]["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["workload"] == workload)
        .unwrap_or_else(|| panic!("no {workload} phase"))
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// A DB about 20 times its 1 MiB block cache, flushed to SSTs with 4 KiB blocks and no
/// compression: each get that misses the cache reads one data block. The process's read
/// system calls (page cache or not) then carry about one block per miss, and RocksDB's SST
/// read tickers say the same; the storage layer's bytes are 0 here only when the page cache
/// holds the file.
#[test]
fn reads_past_the_cache_cost_one_block_per_miss() {
    let tmp = tempfile::tempdir().unwrap();
    let r = run_json(
        &[
            "bench",
            "--workload",
            "fillrandom,flush,readrandom",
            "--num",
            "200000",
            "--reads",
            "20000",
            "--set",
            "block_cache_size=1MiB",
            "--set",
            "compression=none",
        ],
        tmp.path(),
    );
    let p = phase(&r, "readrandom");
    let gets = u(&p["ops"]) as f64;
    let d = &p["engine"]["during"];
    let misses = u(&d["block_cache_data_misses"]) as f64;
    let io = &p["io"]["process"];
    let rchar = u(&io["rchar"]) as f64;
    let expected = 4096.0 * misses / gets;
    let per_get = rchar / gets;
    common::figure(&format!(
        "{per_get:.0} B read per get by system calls; 4096 B x {:.3} misses per get = {expected:.0} B; SST read ticker {:.0} B per get; storage layer {:.0} B per get",
        misses / gets,
        u(&d["sst_read_bytes"]) as f64 / gets,
        u(&io["read_bytes"]) as f64 / gets
    ));
    assert!(
        misses / gets > 0.5,
        "the DB must be larger than the cache: {misses} misses over {gets} gets"
    );
    assert!(per_get > 0.0);
    assert!(
        (0.85..1.25).contains(&(per_get / expected)),
        "{per_get:.0} B per get vs {expected:.0} B"
    );
    // RocksDB's own count of SST bytes read agrees with the system calls.
    let sst = u(&d["sst_read_bytes"]) as f64;
    assert!(
        (0.95..1.1).contains(&(rchar / sst)),
        "rchar {rchar} vs SST {sst}"
    );
    // The derived metric is the same figure.
    let m = &r["runs"][0]["metrics"]["readrandom.syscall_read_bytes_per_op"];
    assert!((m.as_f64().unwrap() - per_get).abs() < 1e-6, "{m}");
    // The device is named, or the reason it is not is said: never a silent zero.
    assert!(
        p["io"]["device_io"].is_object() != p["io"]["device_note"].is_string(),
        "{}",
        p["io"]
    );
    // Each second carries its bytes too; they add up to no more than the phase's.
    let secs: u64 = p["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| u(&i["syscall_read_bytes"]))
        .sum();
    assert!(
        secs as f64 <= rchar * 1.01 && secs as f64 > rchar * 0.5,
        "{secs} vs {rchar}"
    );
}

/// A write phase's bytes through write system calls are its WAL: rocksdb.wal.bytes counts
/// the write batches, and the log file adds a 7-byte header per record (one per write with a
/// single writer) and one per 32 KiB block a record crosses. A flush phase's bytes are the
/// SST it wrote (rocksdb.flush.write.bytes). Little else (MANIFEST, LOG) is written.
#[test]
fn writes_show_the_wal_and_flush_bytes_rocksdb_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let r = run_json(
        &["bench", "--workload", "fillrandom,flush", "--num", "50000"],
        tmp.path(),
    );
    let fill = phase(&r, "fillrandom");
    let wal = u(&fill["engine"]["during"]["wal_bytes"]) as f64;
    let wchar = u(&fill["io"]["process"]["wchar"]) as f64;
    common::figure(&format!("fill: wchar {wchar} B, WAL {wal} B"));
    assert!(wal > 5e6, "{wal}");
    let records = u(&fill["engine"]["during"]["keys_written"]) as f64;
    let framing = 7.0 * records + 14.0 * (wal / 32768.0);
    assert!(
        wchar >= wal + 7.0 * records && wchar < wal + framing + 65536.0,
        "fill wrote {wchar} B through write(2); the WAL ticker says {wal} B in {records} records"
    );
    let flush = phase(&r, "flush");
    let sst = u(&flush["engine"]["during"]["flush_bytes_written"]) as f64;
    let wchar = u(&flush["io"]["process"]["wchar"]) as f64;
    common::figure(&format!("flush: wchar {wchar} B, flush ticker {sst} B"));
    assert!(sst > 1e6, "{sst}");
    assert!(
        wchar >= sst && wchar < sst * 1.02 + 65536.0,
        "flush wrote {wchar} B through write(2); the flush ticker says {sst} B"
    );
    if flush["io"]["device"].is_string() {
        // A flush syncs its SST: the device saw at least those bytes.
        let dev = u(&flush["io"]["device_io"]["sectors_written"]) * 512;
        assert!(
            dev as f64 >= sst * 0.9,
            "device wrote {dev} B for a {sst} B flush"
        );
    }
}

/// With --perf-sample a phase reports, per op kind, the PerfContext means of a random share
/// of its ops; the timers run (a get past the cache spends its time in SST files); without
/// the flag there is no breakdown.
#[test]
fn perf_sample_breaks_a_get_down() {
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "bench",
        "--workload",
        "fillrandom,flush,readrandom",
        "--num",
        "100000",
        "--reads",
        "40000",
        "--set",
        "block_cache_size=1MiB",
    ];
    let mut with: Vec<&str> = args.to_vec();
    with.extend(["--perf-sample", "0.05"]);
    let r = run_json(&with, tmp.path());
    let p = phase(&r, "readrandom");
    let b = p["perf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "read")
        .expect("a read breakdown");
    let n = u(&b["sampled_ops"]) as f64;
    // Binomial(40000, 0.05): mean 2000, sd 44.
    assert!((1800.0..2200.0).contains(&n), "{n} sampled of 40000 at 5%");
    let mean = |k: &str| b["mean"][k].as_f64().unwrap_or_else(|| panic!("no {k}"));
    let op_ns = b["mean_op_ns"].as_f64().unwrap();
    let sst = mean("get_from_output_files_time");
    assert!(
        sst > 0.0 && sst < op_ns,
        "SST time {sst} ns of a {op_ns} ns get"
    );
    assert!(mean("block_read_time") > 0.0 && mean("block_read_time") < sst);
    // Blocks read per sampled get match the phase's data-block miss rate.
    let d = &p["engine"]["during"];
    let miss_rate = u(&d["block_cache_data_misses"]) as f64 / u(&p["ops"]) as f64;
    assert!(
        (mean("block_read_count") - miss_rate).abs() < 0.1,
        "{} block reads per sampled get, {miss_rate} misses per get",
        mean("block_read_count")
    );
    let fill = phase(&r, "fillrandom");
    let w = &fill["perf"][0];
    assert_eq!(w["kind"], "write");
    assert!(
        w["mean"]["write_memtable_time"].as_f64().unwrap() > 0.0,
        "{w}"
    );
    // The table says it in words.
    let o = rdbtune(&with, tmp.path());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Where sampled ops spent their time") && text.contains("in SST files"),
        "{text}"
    );
    // Off by default.
    let r = run_json(&args, tmp.path());
    assert!(phase(&r, "readrandom").get("perf").is_none());
}

/// --percentiles decides the columns of the tables and CSV and the list in results.json;
/// p99.99 and the max are in the run table by default.
#[test]
fn percentiles_are_the_ones_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let o = rdbtune(
        &[
            "bench",
            "--workload",
            "readrandomwriterandom",
            "--num",
            "20000",
        ],
        tmp.path(),
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("p99.9 µs") && text.contains("p99.99 µs") && text.contains("max µs"),
        "{text}"
    );
    let csv = tmp.path().join("p.csv");
    let r = run_json(
        &[
            "bench",
            "--workload",
            "readrandomwriterandom",
            "--num",
            "20000",
            "--percentiles",
            "75,99.999",
            "--csv",
            csv.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let p = &r["runs"][0]["phases"][0];
    for l in std::iter::once(&p["latency_us"]).chain(
        p["per_op"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| &o["latency_us"]),
    ) {
        let ps: Vec<f64> = l["percentiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["p"].as_f64().unwrap())
            .collect();
        assert_eq!(ps, [75.0, 99.999]);
        let v = |i: usize| l["percentiles"][i]["us"].as_f64().unwrap();
        assert!(v(0) >= l["p50"].as_f64().unwrap() && v(0) <= l["p95"].as_f64().unwrap());
        assert!(v(1) >= l["p9999"].as_f64().unwrap() && v(1) <= l["max"].as_f64().unwrap());
    }
    let m = &r["runs"][0]["metrics"];
    assert!(m["readrandomwriterandom.p75_us"].is_number(), "{m}");
    let head = std::fs::read_to_string(&csv).unwrap();
    let head = head.lines().next().unwrap();
    assert!(
        head.contains("lat_avg_us,lat_p75_us,lat_p99999_us,lat_max_us"),
        "{head}"
    );
}

/// Every interval histogram of a log, merged.
fn read_log(path: &Path) -> (Histogram<u64>, usize) {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.starts_with("#[Histogram log format version 1.3]")
            && text.contains("#[StartTime: ")
            && text.contains("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\""),
        "{}",
        &text[..300.min(text.len())]
    );
    let mut de = Deserializer::new();
    let mut all: Option<Histogram<u64>> = None;
    let mut n = 0;
    for e in IntervalLogIterator::new(&bytes) {
        if let LogEntry::Interval(ih) = e.expect("a valid log line") {
            let b = base64_decode(ih.encoded_histogram());
            let h: Histogram<u64> = de.deserialize(&mut std::io::Cursor::new(b)).unwrap();
            assert!(ih.duration().as_secs_f64() <= 1.0 + 1e-9);
            assert_eq!(
                ih.max(),
                h.max() as f64,
                "Interval_Max is the histogram's max (ns)"
            );
            match &mut all {
                Some(a) => a.add(&h).unwrap(),
                None => all = Some(h),
            }
            n += 1;
        }
    }
    (all.expect("at least one interval"), n)
}

/// Standard base64 (the logs' encoding), decoded here so the test checks the file, not a
/// helper of the writer.
fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let bytes: Vec<u8> = s.bytes().filter(|c| *c != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= val(*c) << (18 - 6 * i);
        }
        let n = chunk.len() * 6 / 8;
        for i in 0..n {
            out.push((acc >> (16 - 8 * i)) as u8);
        }
    }
    out
}

fn check_log_against(dir: &Path, stem: &str, op: &Value) -> usize {
    let kind = op["kind"].as_str().unwrap();
    let (h, n) = read_log(&dir.join(format!("{stem}.{kind}.hlog")));
    let l = &op["latency_us"];
    assert_eq!(h.len(), u(&l["samples"]), "{stem} {kind}: samples");
    let us = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    for (q, k) in [(0.5, "p50"), (0.99, "p99"), (0.999, "p999")] {
        assert!(
            (us(q) - l[k].as_f64().unwrap()).abs() < 1e-9,
            "{stem} {kind} {k}: log {} vs results {}",
            us(q),
            l[k]
        );
    }
    assert!((h.max() as f64 / 1000.0 - l["max"].as_f64().unwrap()).abs() < 1e-9);
    n
}

/// The HdrHistogram logs hold exactly the samples results.json summarises: same counts,
/// same percentiles, per op kind, over seconds and the last partial one, with two threads
/// (a late thread's share of a second is its own line), and an RMW's nested read and update.
#[test]
fn hdr_logs_read_back_to_the_results() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hdr");
    let r = run_json(
        &[
            "bench",
            "--workload",
            "readrandomwriterandom",
            "--num",
            "50000",
            "--threads",
            "2",
            "--duration",
            "2.5",
            "--hdr-log",
            dir.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let p = phase(&r, "readrandomwriterandom");
    let mut lines = 0;
    for op in p["per_op"].as_array().unwrap() {
        lines += check_log_against(&dir, "readrandomwriterandom", op);
    }
    assert!(
        lines >= 6,
        "{lines} interval lines for 2 op kinds over 2.5 s"
    );
    // YCSB F: read-modify-writes, whose nested reads count among the reads.
    let ydir = tmp.path().join("ycsb");
    let json = tmp.path().join("y.json");
    let o = rdbtune(
        &[
            "ycsb",
            "--workload",
            "f",
            "-p",
            "recordcount=2000",
            "-p",
            "operationcount=20000",
            "--hdr-log",
            ydir.to_str().unwrap(),
            "--format",
            "json",
            "-o",
            json.to_str().unwrap(),
            "-q",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let phases = r["runs"][0]["phases"].as_array().unwrap();
    let run = phases.last().unwrap();
    let files: Vec<String> = std::fs::read_dir(&ydir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let stem = files
        .iter()
        .find(|f| f.ends_with(".read_modify_write.hlog"))
        .map(|f| f.split('.').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no RMW log in {files:?}"));
    for op in run["per_op"].as_array().unwrap() {
        check_log_against(&ydir, &stem, op);
    }
}

/// One OpenMetrics sample line: name{labels} value.
fn parse_sample(line: &str) -> (String, Vec<(String, String)>, f64) {
    let (head, value) = line.rsplit_once(' ').expect("name and value");
    let value: f64 = value
        .parse()
        .unwrap_or_else(|_| panic!("value of {line:?}"));
    let (name, labels) = match head.split_once('{') {
        None => (head.to_string(), Vec::new()),
        Some((n, rest)) => {
            let body = rest.strip_suffix('}').expect("labels close");
            let labels = body
                .split(',')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').expect("label=value");
                    assert!(v.starts_with('"') && v.ends_with('"'), "{line}");
                    (k.to_string(), v.trim_matches('"').to_string())
                })
                .collect();
            (n.to_string(), labels)
        }
    };
    assert!(
        name.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':'),
        "{name}"
    );
    (name, labels, value)
}

fn scrape(addr: &str) -> (String, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").expect("headers and body");
    (head.to_string(), body.to_string())
}

/// The endpoint serves OpenMetrics text on the loopback address while a phase runs: every
/// line parses, the series docs/monitoring.md names are there, the throughput is the live
/// one, and the body ends with # EOF.
#[test]
fn metrics_endpoint_is_scraped_during_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = common::bin()
        .args([
            "bench",
            "--workload",
            "readrandomwriterandom",
            "--num",
            "50000",
            "--duration",
            "4",
            "--metrics-addr",
            "127.0.0.1:0",
            "-q",
        ])
        .env("TMPDIR", tmp.path())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("metrics: serving http://")
        .and_then(|s| s.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("first stderr line: {line:?}"))
        .to_string();
    // Scrape until a full second of the phase is in.
    let t0 = std::time::Instant::now();
    let (head, body) = loop {
        let (head, body) = scrape(&addr);
        if body.contains("rdbtune_ops_per_second ") && !body.contains("rdbtune_ops_per_second 0.0")
        {
            break (head, body);
        }
        assert!(
            t0.elapsed().as_secs() < 4,
            "no live second after 4 s:\n{body}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/openmetrics-text"),
        "{head}"
    );
    assert!(body.ends_with("# EOF\n"), "{body}");
    let mut samples = Vec::new();
    for l in body
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        samples.push(parse_sample(l));
    }
    let get = |name: &str, labels: &[(&str, &str)]| -> f64 {
        samples
            .iter()
            .find(|(n, ls, _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| ls.iter().any(|(a, b)| a == k && b == v))
            })
            .map(|(_, _, v)| *v)
            .unwrap_or_else(|| panic!("no {name}{labels:?} in\n{body}"))
    };
    assert!(get("rdbtune_ops_per_second", &[]) > 1000.0);
    assert!(get("rdbtune_ops_total", &[]) > 1000.0);
    assert_eq!(
        get("rdbtune_phase", &[("phase", "readrandomwriterandom")]),
        1.0
    );
    assert_eq!(get("rdbtune_phase_running", &[]), 1.0);
    for op in ["read", "write"] {
        assert!(get("rdbtune_op_samples_per_second", &[("op", op)]) > 0.0);
        let p50 = get(
            "rdbtune_op_latency_seconds",
            &[("op", op), ("quantile", "0.5")],
        );
        let p99 = get(
            "rdbtune_op_latency_seconds",
            &[("op", op), ("quantile", "0.99")],
        );
        assert!(p50 > 0.0 && p50 <= p99 && p99 < 1.0, "{op}: {p50} {p99}");
    }
    assert!(get("rdbtune_rss_bytes", &[]) > 1e6);
    assert!(get("rdbtune_memtable_bytes", &[]) > 0.0);
    get("rdbtune_pending_compaction_bytes", &[]);
    get("rdbtune_write_stall_seconds_per_second", &[]);
    get("rdbtune_block_cache_hit_ratio", &[]);
    get(
        "rdbtune_io_bytes_per_second",
        &[("source", "syscall"), ("direction", "write")],
    );
    // Another path is refused, naming the right one.
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(s, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(
        resp.starts_with("HTTP/1.1 404") && resp.contains("/metrics"),
        "{resp}"
    );
    let status = child.wait().unwrap();
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{rest}");
}

/// On a file system without a block device (tmpfs) the device figures are absent and the
/// reason is said, in results.json and under the I/O table; the process figures remain.
#[test]
fn no_device_is_said_not_printed_as_zeros() {
    let shm = Path::new("/dev/shm");
    let on_tmpfs = std::fs::read_to_string("/proc/mounts")
        .unwrap_or_default()
        .lines()
        .any(|l| l.split_whitespace().nth(1) == Some("/dev/shm") && l.contains(" tmpfs "));
    if !on_tmpfs {
        common::cannot_run("/dev/shm is not a tmpfs mount here");
        return;
    }
    let db = tempfile::tempdir_in(shm).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = db.path().join("db");
    let json = tmp.path().join("r.json");
    let o = rdbtune(
        &[
            "bench",
            "--workload",
            "fillrandom",
            "--num",
            "20000",
            "--db",
            path.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let p = phase(&r, "fillrandom");
    assert!(p["io"].get("device_io").is_none(), "{}", p["io"]);
    let note = p["io"]["device_note"].as_str().unwrap();
    assert!(
        note.contains("tmpfs") && note.contains("not measured"),
        "{note}"
    );
    assert!(u(&p["io"]["process"]["wchar"]) > 0);
    assert!(p["intervals"][0].get("device_read_bytes").is_none());
    assert!(r["runs"][0]["metrics"]
        .get("fillrandom.device_read_bytes_per_op")
        .is_none());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains(&format!("device: {note}")), "{text}");
}
