//! Exporters: each turns a result into bytes (text, CSV, JSON); callers decide where the
//! bytes go.

pub mod compare;
pub mod html;
pub mod scenario;

use crate::engine::size::human_bytes;
use crate::error::{Error, Result};
use crate::results::BenchResult;
use crate::runner::PhaseResult;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

fn num_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(header.iter().map(Cell::new));
    for i in 1..header.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn f1(x: f64) -> String {
    format!("{x:.1}")
}

fn opt(x: Option<f64>, fmt: impl Fn(f64) -> String) -> String {
    x.map_or_else(|| "n/a".into(), fmt)
}

/// Display name of a phase: the workload, plus the batch size when batching.
pub fn phase_label(p: &PhaseResult) -> String {
    if p.spec.batch_size > 1 && p.workload.writes() {
        format!("{} (batch {})", p.workload, p.spec.batch_size)
    } else {
        p.workload.to_string()
    }
}

/// The terminal summary: throughput and latency per phase, per-op breakdowns, engine
/// figures per phase, and the final engine stats.
pub fn table(r: &BenchResult) -> String {
    let mut t = num_table(&[
        "phase",
        "ops",
        "elapsed s",
        "ops/s",
        "MiB/s",
        "avg µs",
        "p50 µs",
        "p95 µs",
        "p99 µs",
        "p99.9 µs",
        "max µs",
    ]);
    for p in &r.phases {
        let l = &p.latency_us;
        t.add_row(vec![
            phase_label(p) + if p.interrupted { " (interrupted)" } else { "" },
            p.ops.to_string(),
            format!("{:.3}", p.elapsed_s),
            format!("{:.0}", p.ops_per_sec),
            format!("{:.2}", p.mb_per_sec),
            f1(l.avg),
            f1(l.p50),
            f1(l.p95),
            f1(l.p99),
            f1(l.p999),
            f1(l.max),
        ]);
    }
    let mut out = String::from(
        "Throughput over each phase's wall time (all threads); latency per sample (one op, or one batch).\n",
    );
    out.push_str(&t.to_string());

    let multi: Vec<&PhaseResult> = r.phases.iter().filter(|p| p.per_op.len() > 1).collect();
    if !multi.is_empty() {
        let mut t = num_table(&[
            "phase",
            "op",
            "ops",
            "ops/s",
            "p50 µs",
            "p99 µs",
            "found",
            "not found",
        ]);
        for p in multi {
            for o in &p.per_op {
                t.add_row(vec![
                    p.workload.to_string(),
                    o.kind.to_string(),
                    o.ops.to_string(),
                    format!("{:.0}", o.ops_per_sec),
                    f1(o.latency_us.p50),
                    f1(o.latency_us.p99),
                    o.found.map_or("-".into(), |v| v.to_string()),
                    o.not_found.map_or("-".into(), |v| v.to_string()),
                ]);
            }
        }
        out.push_str("\nPer operation kind:\n");
        out.push_str(&t.to_string());
    }

    let mut t = num_table(&[
        "phase",
        "cache hit %",
        "stall ms",
        "stall %",
        "stall episodes",
        "worst 1 s",
        "W-amp",
        "compaction wait s",
        "CPU s",
        "SST after",
        "disk after",
        "ratio after",
    ]);
    for p in &r.phases {
        let e = &p.engine;
        t.add_row(vec![
            phase_label(p),
            opt(e.cache_hit_rate, |x| format!("{:.1}", x * 100.0)),
            format!("{:.1}", e.stall_micros as f64 / 1000.0),
            format!("{:.1}", p.stalls.stall_percent),
            p.stalls.episodes.to_string(),
            p.stalls.worst_dip.map_or("-".into(), |(t, _, r)| {
                format!("{:.0}% of median at {t:.0} s", r * 100.0)
            }),
            opt(e.write_amplification, |x| format!("{x:.2}")),
            format!("{:.2}", p.compaction_wait_s),
            format!("{:.2}", p.cpu_s),
            human_bytes(e.sst_bytes),
            human_bytes(e.disk_bytes),
            opt(e.compression_ratio, |x| format!("{x:.2}x")),
        ]);
    }
    out.push_str(
        "\nEngine per phase (cache hit rate, stalls and write amplification during the phase; stall % of its wall time, stall episodes, and its slowest full second vs the median second; sizes and compression ratio after it):\n",
    );
    out.push_str(&t.to_string());
    out.push('\n');
    out.push_str(&alerts_text(r.phases.iter()));
    out.push('\n');
    out.push_str(&r.final_stats.render());
    out.push('\n');
    out
}

/// "Alerts (n):" and one line per episode (phase seconds), or nothing when none fired.
pub fn alerts_text<'a>(phases: impl Iterator<Item = &'a PhaseResult>) -> String {
    let mut lines = Vec::new();
    for p in phases {
        for a in &p.alerts {
            lines.push(format!(
                "  {} in {}: {:.0} s -> {}, {} breaching second(s), worst {}",
                a.rule,
                phase_label(p),
                a.started_t_s,
                a.cleared_t_s
                    .map_or("still active at the phase's end".into(), |c| format!(
                        "{c:.0} s"
                    )),
                a.breached_intervals,
                a.metric.show(a.worst)
            ));
        }
    }
    if lines.is_empty() {
        return String::new();
    }
    format!("\nAlerts ({}):\n{}\n", lines.len(), lines.join("\n"))
}

/// Pretty JSON of the whole result.
pub fn json(r: &BenchResult) -> Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(r)
        .map_err(|e| Error::usage(format!("serialising results: {e}")))?;
    v.push(b'\n');
    Ok(v)
}

/// CSV: one row per phase with the headline metrics.
pub fn csv(r: &BenchResult) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::usage(format!("writing CSV: {e}"));
    w.write_record([
        "phase",
        "workload",
        "threads",
        "batch_size",
        "ops",
        "elapsed_s",
        "ops_per_sec",
        "mb_per_sec",
        "lat_avg_us",
        "lat_p50_us",
        "lat_p95_us",
        "lat_p99_us",
        "lat_p999_us",
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
    ])
    .map_err(fail)?;
    let o = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v:.4}"));
    for (i, p) in r.phases.iter().enumerate() {
        let l = &p.latency_us;
        w.write_record([
            i.to_string(),
            p.workload.to_string(),
            p.spec.threads.to_string(),
            p.spec.batch_size.to_string(),
            p.ops.to_string(),
            format!("{:.6}", p.elapsed_s),
            format!("{:.1}", p.ops_per_sec),
            format!("{:.3}", p.mb_per_sec),
            format!("{:.3}", l.avg),
            format!("{:.3}", l.p50),
            format!("{:.3}", l.p95),
            format!("{:.3}", l.p99),
            format!("{:.3}", l.p999),
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
        ])
        .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::usage(format!("writing CSV: {e}")))
}
