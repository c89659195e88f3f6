//! The one derivation of a trial run's metrics from its phases: what objectives,
//! constraints, gate checks, summaries and the tuner read.

use crate::model::PhaseResult;
use std::collections::BTreeMap;

/// The metrics of one trial run, named as objectives and constraints refer to them.
/// `labels` name the phases (`<label>.<metric>`); `configured_memory` is the trial config's
/// block cache plus memtables.
pub fn run_metrics(
    labels: &[String],
    phases: &[PhaseResult],
    configured_memory: u64,
) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    let mut stall = 0u64;
    let mut peak_rss = 0u64;
    for (l, p) in labels.iter().zip(phases) {
        let mut put = |k: &str, v: f64| {
            m.insert(format!("{l}.{k}"), v);
        };
        put("ops_per_sec", p.ops_per_sec);
        put("debt_ops_per_sec", debt_ops_per_sec(p));
        put("mb_per_sec", p.mb_per_sec);
        put("elapsed_s", p.elapsed_s);
        put("avg_us", p.latency_us.avg);
        put("p50_us", p.latency_us.p50);
        put("p95_us", p.latency_us.p95);
        put("p99_us", p.latency_us.p99);
        put("p999_us", p.latency_us.p999);
        if let Some(v) = p.latency_us.at(99.99) {
            put("p9999_us", v);
        }
        put("max_us", p.latency_us.max);
        for q in p.latency_us.percentiles.iter().filter(|q| q.p < 100.0) {
            put(&format!("p{}_us", crate::model::percentile_tag(q.p)), q.us);
        }
        if let Some(h) = p.engine.cache_hit_rate {
            put("cache_hit_rate", h);
        }
        put("stall_micros", p.engine.stall_micros as f64);
        put("stall_percent", p.stalls.stall_percent);
        if let Some(w) = p.engine.write_amplification {
            put("write_amplification", w);
        }
        put("compaction_wait_s", p.compaction_wait_s);
        put("cpu_s", p.cpu_s);
        let d = &p.engine.during;
        put("flushes", d.flushes as f64);
        put(
            "flushes_per_min",
            d.flushes as f64 * 60.0 / (p.elapsed_s + p.compaction_wait_s).max(1e-9),
        );
        put("compactions", d.compactions as f64);
        put("compaction_s", d.compaction_micros as f64 / 1e6);
        if let Some(pio) = p.io.as_ref().filter(|_| p.ops > 0) {
            if let Some(r) = d.read_amplification() {
                put("read_amplification", r);
            }
            let per_op = |b: u64| b as f64 / p.ops as f64;
            let io = &pio.process;
            put("read_bytes_per_op", per_op(io.read_bytes));
            put("write_bytes_per_op", per_op(io.write_bytes));
            put("syscall_read_bytes_per_op", per_op(io.rchar));
            put("syscall_write_bytes_per_op", per_op(io.wchar));
            put(
                "sst_read_bytes_per_op",
                per_op(d.sst_read_bytes.saturating_sub(d.compaction_bytes_read)),
            );
            put("wal_bytes_per_op", per_op(d.wal_bytes));
            if let Some(dev) = &pio.device_io {
                put("device_read_bytes_per_op", per_op(dev.read_bytes()));
                put("device_write_bytes_per_op", per_op(dev.write_bytes()));
            }
        }
        stall += p.engine.stall_micros;
        peak_rss = peak_rss.max(p.intervals.iter().map(|i| i.rss_bytes).max().unwrap_or(0));
        if let Some(tr) = &p.trend {
            m.insert(format!("{l}.rss_slope_mib_per_h"), tr.rss_slope_mib_per_h);
            if let Some(d) = tr.throughput_drift {
                m.insert(format!("{l}.throughput_drift"), d);
            }
        }
    }
    if let Some(last) = phases.last() {
        let a = &last.engine.after;
        if let Some(r) = a.compression_ratio {
            m.insert("compression_ratio".into(), r);
        }
        m.insert("disk_bytes".into(), a.disk_bytes as f64);
        m.insert("sst_bytes".into(), a.live_sst_bytes as f64);
        m.insert("memtable_bytes".into(), a.memtable_bytes as f64);
        m.insert("table_readers_bytes".into(), a.table_readers_mem as f64);
        if a.live_data_bytes > 0 {
            m.insert(
                "space_amplification".into(),
                a.total_sst_bytes as f64 / a.live_data_bytes as f64,
            );
        }
        if let Some(w) = a.write_amplification {
            m.insert("write_amplification".into(), w);
        }
    }
    m.insert("configured_memory_bytes".into(), configured_memory as f64);
    m.insert("peak_rss_bytes".into(), peak_rss as f64);
    m.insert("stall_micros".into(), stall as f64);
    m
}

/// Headline ops over the phase's wall time plus the compaction wait after it: a config that
/// only defers work pays for it here (the tuner's default score).
pub fn debt_ops_per_sec(p: &PhaseResult) -> f64 {
    p.ops as f64 / (p.elapsed_s + p.compaction_wait_s).max(1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::catalogue::{get, lookup, names, Scope};
    use crate::model::{PhaseEngine, PhaseResult, StallSummary};
    use crate::stats::{MemoryVerdict, Trend};
    use crate::workload::{PhaseSpec, Workload};

    /// A phase with every optional figure present, so every metric can be derived.
    fn full_phase() -> PhaseResult {
        let mut p = PhaseResult {
            workload: Workload::FillRandom,
            spec: PhaseSpec::new(Workload::FillRandom, 10),
            ops: 10,
            elapsed_s: 1.0,
            ops_per_sec: 10.0,
            mb_per_sec: 0.1,
            latency_us: Default::default(),
            per_op: Vec::new(),
            per_group: Vec::new(),
            intervals: Vec::new(),
            stalls: Default::default(),
            trend: None,
            compaction_wait_s: 0.5,
            cpu_s: 0.1,
            cpu_user_s: 0.0,
            cpu_system_s: 0.0,
            started_unix: 0.0,
            engine: PhaseEngine {
                cache_hit_rate: Some(0.5),
                write_amplification: Some(1.5),
                ..Default::default()
            },
            io: Some(Default::default()),
            perf: Vec::new(),
            alerts: Vec::new(),
            ycsb: None,
            interrupted: false,
        };
        p.stalls = StallSummary::default();
        p.engine.during.get_bytes_read = 1000;
        p.engine.during.sst_read_bytes = 4000;
        p.io.as_mut().unwrap().device_io = Some(Default::default());
        p.engine.after.compression_ratio = Some(2.0);
        p.engine.after.write_amplification = Some(1.2);
        p.engine.after.live_data_bytes = 1000;
        p.engine.after.total_sst_bytes = 1200;
        p.trend = Some(Trend {
            rss_slope_mib_per_h: 1.0,
            rocksdb_slope_mib_per_h: 0.0,
            unaccounted_slope_mib_per_h: 1.0,
            threshold_mib_per_h: 50.0,
            verdict: MemoryVerdict::Stable,
            samples: 20,
            first_rss_bytes: 1,
            last_rss_bytes: 2,
            throughput_drift: Some(0.01),
        });
        p
    }

    #[test]
    fn the_derivation_and_the_catalogue_name_the_same_metrics() {
        let m = run_metrics(&["w".to_string()], &[full_phase()], 1 << 20);
        for k in m.keys() {
            assert!(lookup(k).is_some(), "{k} is derived but not catalogued");
        }
        for n in names(Scope::Phase) {
            assert!(
                m.contains_key(&format!("w.{n}")),
                "phase metric {n} is never derived"
            );
        }
        for n in names(Scope::Trial) {
            assert!(m.contains_key(n), "trial metric {n} is never derived");
        }
        assert_eq!(m["w.debt_ops_per_sec"], 10.0 / 1.5);
        assert!(get(Scope::Second, "rss_bytes").is_some());
    }
}
