//! report.tsv: one row per measured phase with the 28 columns of RocksDB's
//! tools/benchmark.sh (`summarize_result`), in its order and number formats, so the
//! spreadsheets and scripts that read benchmark.sh's report.tsv (and benchmark_compare.sh's
//! summary.tsv built from it) read rdbtune's. Where each column comes from is in
//! docs/benchmark-suite.md; every value is derived from results.json.

use crate::model::{PhaseResult, RunResult, TrialRun};

/// benchmark.sh's header line, column for column.
pub const HEADER: [&str; 28] = [
    "ops_sec", "mb_sec", "lsm_sz", "blob_sz", "c_wgb", "w_amp", "c_mbps", "c_wsecs", "c_csecs",
    "b_rgb", "b_wgb", "usec_op", "p50", "p99", "p99.9", "p99.99", "pmax", "uptime", "stall%",
    "Nstall", "u_cpu", "s_cpu", "rss", "test", "date", "version", "job_id", "githash",
];

const GIB: f64 = (1u64 << 30) as f64;
const MIB: f64 = (1u64 << 20) as f64;

/// RocksDB's `BytesToHumanString` (KB at least, up to TB, powers of 1024) as benchmark.sh's
/// awk prints it: no decimals, no space ("410MB", "1GB").
pub fn human_size(bytes: u64) -> String {
    let names = ["KB", "MB", "GB", "TB"];
    let mut v = bytes as f64 / 1024.0;
    let mut i = 0;
    while i < 3 && v >= 1024.0 {
        v /= 1024.0;
        i += 1;
    }
    // RocksDB prints "%.2f" first; awk's "%.0f" then rounds that string.
    let two: f64 = format!("{v:.2}").parse().unwrap_or(v);
    format!("{two:.0}{}", names[i])
}

/// benchmark.sh's date: local time as `YYYY-MM-DTHH:MM:SS` (month as a number, the day not
/// zero-padded, as its `month_to_num` leaves db_bench's ctime date).
pub fn bench_date(unix: f64) -> String {
    let t = unix as libc::time_t;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: localtime_r writes only into `tm`.
    if unsafe { libc::localtime_r(&t, &mut tm) }.is_null() {
        return String::new();
    }
    format!(
        "{}-{:02}-{}T{:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

/// The `test` column: the phase label, and the trial and repeat when the run has several.
fn test_name(r: &RunResult, run: &TrialRun, label: &str) -> String {
    let mut name = label.to_string();
    if r.scenario.trials.len() > 1 {
        name = format!("{name}.{}", run.trial);
    }
    if r.repeats > 1 {
        name = format!("{name}.r{}", run.repeat + 1);
    }
    name
}

/// One row: the columns of [`HEADER`] for one phase.
pub fn row(r: &RunResult, run: &TrialRun, label: &str, p: &PhaseResult) -> Vec<String> {
    let d = &p.engine.during;
    let after = &p.engine.after;
    let lat = &p.latency_us;
    // benchmark.sh runs each test as its own db_bench process: its "uptime" and cumulative
    // compaction figures cover the test alone, here the phase and its compaction wait.
    let uptime = p.elapsed_s + p.compaction_wait_s;
    let w_amp = if d.user_bytes_written > 0 {
        format!(
            "{:.1}",
            (d.compaction_bytes_written + d.flush_bytes_written) as f64
                / d.user_bytes_written as f64
        )
    } else {
        "NA".into()
    };
    let usec_op = if p.ops_per_sec > 0.0 {
        1e6 / p.ops_per_sec
    } else {
        0.0
    };
    let rss = p.intervals.iter().map(|i| i.rss_bytes).max().unwrap_or(0);
    vec![
        format!("{}", p.ops_per_sec as u64),
        format!("{:.1}", p.mb_per_sec),
        human_size(after.live_sst_bytes),
        format!("{:.0}GB", after.blob_file_bytes as f64 / GIB),
        format!("{:.1}", d.compaction_bytes_written as f64 / GIB),
        w_amp,
        format!(
            "{:.1}",
            d.compaction_bytes_written as f64 / MIB / uptime.max(1e-9)
        ),
        format!("{:.0}", d.compaction_micros as f64 / 1e6),
        format!("{:.0}", d.compaction_cpu_micros as f64 / 1e6),
        format!("{:.0}", d.blob_file_bytes_read as f64 / GIB),
        format!("{:.0}", d.blob_file_bytes_written as f64 / GIB),
        format!("{usec_op:.1}"),
        format!("{:.1}", lat.p50),
        format!("{:.0}", lat.p99),
        format!("{:.0}", lat.p999),
        format!("{:.0}", lat.p9999),
        format!("{:.0}", lat.max),
        format!("{uptime:.0}"),
        format!("{:.1}", p.stalls.stall_percent),
        format!("{}", d.write_stalls),
        // /usr/bin/time's %U and %S divided by 1000, as benchmark.sh prints them.
        format!("{:.1}", p.cpu_user_s / 1000.0),
        format!("{:.1}", p.cpu_system_s / 1000.0),
        format!("{:.1}", rss as f64 / GIB),
        test_name(r, run, label),
        bench_date(p.started_unix),
        r.machine.rocksdb_version.clone(),
        r.job_id.clone().unwrap_or_default(),
        r.machine.rdbtune_git.clone(),
    ]
}

/// The whole file: the header, then a row per measured phase of every finished run, in run
/// order (the steps flush, compact and waitforcompaction get none, as benchmark.sh's
/// flush_mt_l0 gets none).
pub fn report_tsv(r: &RunResult) -> String {
    let mut out = HEADER.join("\t");
    out.push('\n');
    for run in &r.runs {
        let labels = r.labels(run);
        for (i, p) in run.phases.iter().enumerate() {
            if p.workload.is_step() {
                continue;
            }
            let label = labels
                .get(i)
                .cloned()
                .unwrap_or_else(|| p.workload.to_string());
            out.push_str(&row(r, run, &label, p).join("\t"));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RocksDB's BytesToHumanString thresholds, as benchmark.sh's awk prints them.
    #[test]
    fn sizes_read_as_benchmark_sh_prints_them() {
        assert_eq!(human_size(0), "0KB");
        assert_eq!(human_size(1023 * 1024), "1023KB");
        assert_eq!(human_size(410 << 20), "410MB");
        assert_eq!(human_size(3 << 29), "2GB"); // 1.50 GB: awk's %.0f rounds half to even
        assert_eq!(human_size(5 << 40), "5TB");
    }

    /// Day not padded, month a number, as benchmark.sh's month_to_num leaves ctime's date.
    #[test]
    fn dates_have_benchmark_sh_shape() {
        let d = bench_date(1_780_000_000.0);
        let (date, time) = d.split_once('T').unwrap();
        let parts: Vec<&str> = date.split('-').collect();
        assert_eq!(parts.len(), 3, "{d}");
        assert_eq!(parts[1].len(), 2, "{d}");
        assert!(!parts[2].starts_with('0'), "{d}");
        assert_eq!(time.len(), 8, "{d}");
    }
}
