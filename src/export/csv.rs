//! CSV exports: one row per phase (`bench --csv`), one row per trial (trials.csv) and one
//! row per second (intervals.csv). The live interval log writes its rows with
//! [`interval_record`] too, so both writers encode a second the same way.

use crate::error::{Error, Result};
use crate::model::{percentile_tag, shown_percentiles, IntervalRow, RunResult};
use std::collections::BTreeSet;

fn csv_err(e: csv::Error) -> Error {
    Error::usage(format!("writing CSV: {e}"))
}

/// CSV: one row per phase (of every run, in order) with the headline metrics.
pub fn phases_csv(r: &RunResult) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::usage(format!("writing CSV: {e}"));
    let pcts: Vec<f64> = shown_percentiles(r.all_phases())
        .into_iter()
        .filter(|p| *p < 100.0)
        .collect();
    let lead = [
        "phase",
        "workload",
        "threads",
        "batch_size",
        "ops",
        "elapsed_s",
        "ops_per_sec",
        "mb_per_sec",
        "lat_avg_us",
    ];
    let mut header: Vec<String> = lead.iter().map(|s| s.to_string()).collect();
    header.extend(
        pcts.iter()
            .map(|p| format!("lat_p{}_us", percentile_tag(*p))),
    );
    header.extend(
        [
            "lat_max_us",
            "cache_hit_rate",
            "stall_micros",
            "write_amplification",
            "compression_ratio",
            "sst_bytes",
            "disk_bytes",
            "compaction_wait_s",
            "cpu_s",
            "interrupted",
        ]
        .map(String::from),
    );
    w.write_record(&header).map_err(fail)?;
    let o = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v:.4}"));
    for (i, p) in r.all_phases().enumerate() {
        let l = &p.latency_us;
        let mut row = vec![
            i.to_string(),
            p.workload.to_string(),
            p.spec.threads.to_string(),
            p.spec.batch_size.to_string(),
            p.ops.to_string(),
            format!("{:.6}", p.elapsed_s),
            format!("{:.1}", p.ops_per_sec),
            format!("{:.3}", p.mb_per_sec),
            format!("{:.3}", l.avg),
        ];
        row.extend(
            pcts.iter()
                .map(|q| l.at(*q).map_or(String::new(), |v| format!("{v:.3}"))),
        );
        row.extend([
            format!("{:.3}", l.max),
            o(p.engine.cache_hit_rate),
            p.engine.stall_micros.to_string(),
            o(p.engine.write_amplification),
            o(p.engine.compression_ratio),
            p.engine.sst_bytes.to_string(),
            p.engine.disk_bytes.to_string(),
            format!("{:.3}", p.compaction_wait_s),
            format!("{:.3}", p.cpu_s),
            p.interrupted.to_string(),
        ]);
        w.write_record(&row).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::usage(format!("writing CSV: {e}")))
}
/// One row per trial: axis values, then median, 95% CI and n for every metric.
pub fn trials_csv(r: &RunResult) -> Result<Vec<u8>> {
    let metrics: BTreeSet<&String> = r
        .summaries
        .iter()
        .flat_map(|s| s.estimates.keys())
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["trial".to_string()];
    head.extend(r.scenario.axes.iter().cloned());
    for m in &metrics {
        head.push(format!("{m}.median"));
        head.push(format!("{m}.ci_low"));
        head.push(format!("{m}.ci_high"));
        head.push(format!("{m}.n"));
    }
    w.write_record(&head).map_err(csv_err)?;
    for s in &r.summaries {
        let mut row = vec![s.id.clone()];
        for a in &r.scenario.axes {
            row.push(
                s.axes
                    .iter()
                    .find(|(k, _)| k == a)
                    .map_or(String::new(), |(_, v)| v.clone()),
            );
        }
        for m in &metrics {
            match s.estimates.get(*m) {
                Some(e) => {
                    row.push(format!("{}", e.median));
                    row.push(format!("{}", e.ci_low));
                    row.push(format!("{}", e.ci_high));
                    row.push(e.n.to_string());
                }
                None => row.extend([String::new(), String::new(), String::new(), "0".into()]),
            }
        }
        w.write_record(&row).map_err(csv_err)?;
    }
    w.into_inner()
        .map_err(|e| Error::usage(format!("writing CSV: {e}")))
}

/// Columns of intervals.csv (see [`interval_record`]).
pub const INTERVAL_COLUMNS: [&str; 26] = [
    "trial",
    "repeat",
    "phase",
    "t_s",
    "ops_per_sec",
    "p50_us",
    "p99_us",
    "stall_us",
    "pending_compaction_bytes",
    "write_stopped",
    "rss_bytes",
    "rocksdb_mem_bytes",
    "write_delayed",
    "stall_causes",
    "cache_hit_rate",
    "memtable_bytes",
    "running_compactions",
    "running_flushes",
    "ops",
    "read_bytes",
    "write_bytes",
    "syscall_read_bytes",
    "syscall_write_bytes",
    "device_read_bytes",
    "device_write_bytes",
    "device_busy",
];

fn opt_u64(v: Option<u64>) -> String {
    v.map_or(String::new(), |b| b.to_string())
}

/// One intervals.csv row: trial, repeat and phase, then the interval's fields.
pub fn interval_record(trial: &str, repeat: &str, phase: &str, iv: &IntervalRow) -> [String; 26] {
    [
        trial.to_string(),
        repeat.to_string(),
        phase.to_string(),
        format!("{:.3}", iv.t_s),
        format!("{:.1}", iv.ops_per_sec),
        format!("{:.3}", iv.p50_us),
        format!("{:.3}", iv.p99_us),
        iv.stall_micros.to_string(),
        iv.pending_compaction_bytes.to_string(),
        iv.write_stopped.to_string(),
        iv.rss_bytes.to_string(),
        iv.rocksdb_mem_bytes.to_string(),
        iv.write_delayed.to_string(),
        iv.stall_causes.clone().unwrap_or_default(),
        iv.cache_hit_rate
            .map_or(String::new(), |r| format!("{r:.4}")),
        iv.memtable_bytes.to_string(),
        iv.running_compactions.to_string(),
        iv.running_flushes.to_string(),
        iv.ops.to_string(),
        opt_u64(iv.read_bytes),
        opt_u64(iv.write_bytes),
        opt_u64(iv.syscall_read_bytes),
        opt_u64(iv.syscall_write_bytes),
        iv.device_read_bytes
            .map_or(String::new(), |b| b.to_string()),
        iv.device_write_bytes
            .map_or(String::new(), |b| b.to_string()),
        iv.device_busy.map_or(String::new(), |b| format!("{b:.3}")),
    ]
}

/// One row per trial, repeat, phase and second; an interrupted trial run's rows come last
/// with its repeat marked "N (interrupted)".
pub fn intervals_csv(r: &RunResult) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(INTERVAL_COLUMNS).map_err(csv_err)?;
    let partial = r.partial_run.iter().map(|p| (p, true));
    for (run, cut) in r.runs.iter().map(|p| (p, false)).chain(partial) {
        let labels = r.labels(run);
        let repeat = if cut {
            format!("{} (interrupted)", run.repeat)
        } else {
            run.repeat.to_string()
        };
        for (i, p) in run.phases.iter().enumerate() {
            let label = labels
                .get(i)
                .cloned()
                .unwrap_or_else(|| p.workload.to_string());
            for iv in &p.intervals {
                w.write_record(interval_record(&run.trial, &repeat, &label, iv))
                    .map_err(csv_err)?;
            }
        }
    }
    w.into_inner()
        .map_err(|e| Error::usage(format!("writing CSV: {e}")))
}
