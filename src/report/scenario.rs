//! Exporters for scenario results: trials.csv, intervals.csv, summary.md.

use crate::error::{Error, Result};
use crate::runner::IntervalRow;
use crate::scenario::run::ScenarioResult;
use crate::tune::recommend::fmt_metric;
use crate::tune::stats::Estimate;
use std::collections::BTreeSet;
use std::fmt::Write as _;

fn csv_err(e: csv::Error) -> Error {
    Error::usage(format!("writing CSV: {e}"))
}

/// One row per trial: axis values, then median, 95% CI and n for every metric.
pub fn trials_csv(r: &ScenarioResult) -> Result<Vec<u8>> {
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

/// Columns of intervals.csv: trial, repeat and phase, then [`interval_fields`].
pub const INTERVAL_COLUMNS: [&str; 19] = [
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
];

/// One interval's fields of an intervals.csv row (after trial, repeat, phase).
pub fn interval_fields(iv: &IntervalRow) -> [String; 16] {
    [
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
    ]
}

/// One row per trial, repeat, phase and second; an interrupted trial run's rows come last
/// with its repeat marked "N (interrupted)".
pub fn intervals_csv(r: &ScenarioResult) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(INTERVAL_COLUMNS).map_err(csv_err)?;
    let partial = r.partial_run.iter().map(|p| (p, true));
    for (run, cut) in r.runs.iter().map(|p| (p, false)).chain(partial) {
        let labels: Vec<String> = r
            .scenario
            .trials
            .iter()
            .find(|t| t.id == run.trial)
            .map(|t| t.phases.iter().map(|p| p.label.clone()).collect())
            .unwrap_or_default();
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
                let head = [run.trial.clone(), repeat.clone(), label.clone()];
                w.write_record(head.iter().chain(interval_fields(iv).iter()))
                    .map_err(csv_err)?;
            }
        }
    }
    w.into_inner()
        .map_err(|e| Error::usage(format!("writing CSV: {e}")))
}

/// `median [low, high]` (or `median (n=1)` without an interval).
pub fn fmt_estimate(metric: &str, e: &Estimate) -> String {
    if e.has_interval() {
        format!(
            "{} [{}, {}]",
            fmt_metric(metric, e.median),
            fmt_metric(metric, e.ci_low),
            fmt_metric(metric, e.ci_high)
        )
    } else {
        format!("{} (n=1)", fmt_metric(metric, e.median))
    }
}

/// The metrics shown in the summary table: the objective, the constraints' metrics, then
/// headline throughput/latency per phase and space.
pub fn table_metrics(r: &ScenarioResult) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    let mut add = |m: String| {
        if !v.contains(&m) {
            v.push(m);
        }
    };
    if let Some(o) = &r.scenario.objective {
        add(o.metric.clone());
    }
    for c in &r.scenario.constraints {
        add(c.metric.clone());
    }
    for c in &r.scenario.columns {
        add(c.clone());
    }
    if let Some(t) = r.scenario.trials.first() {
        for p in &t.phases {
            add(format!("{}.ops_per_sec", p.label));
            add(format!("{}.p99_us", p.label));
        }
    }
    for m in ["compression_ratio", "disk_bytes", "configured_memory_bytes"] {
        add(m.to_string());
    }
    let present: BTreeSet<&String> = r
        .summaries
        .iter()
        .flat_map(|s| s.estimates.keys())
        .collect();
    v.into_iter().filter(|m| present.contains(m)).collect()
}

/// summary.md: what ran, the trial table (median [95% CI]) and the recommendation.
pub fn summary_md(r: &ScenarioResult) -> String {
    let s = &r.scenario;
    let mut o = String::new();
    let _ = writeln!(o, "# rdbtune: {}\n", s.name);
    if !s.description.is_empty() {
        let _ = writeln!(o, "{}\n", s.description);
    }
    let _ = writeln!(
        o,
        "Machine: {}. {} trials, {} repeats{}{}; {}. Values are medians over repeats with the 95% confidence interval of the mean in brackets; throughput is ops/s over each phase's wall time, latency in µs per operation (or per batch).\n",
        r.machine.fingerprint(),
        s.trials.len(),
        r.repeats,
        if r.quick { " (--quick: data and durations scaled down)" } else { "" },
        r.shard.map_or(String::new(), |(i, n)| format!(", shard {i}/{n}")),
        r.db_preparation
    );
    if r.interrupted {
        let _ = writeln!(
            o,
            "**Interrupted**: only finished trial runs are included.\n"
        );
    }
    let metrics = table_metrics(r);
    let _ = write!(o, "| trial |");
    for m in &metrics {
        let _ = write!(o, " {m} |");
    }
    let _ = write!(o, "\n|---|");
    for _ in &metrics {
        let _ = write!(o, "---|");
    }
    o.push('\n');
    for t in &r.summaries {
        let _ = write!(o, "| {} |", t.id);
        for m in &metrics {
            let cell = t
                .estimates
                .get(m)
                .map_or("-".to_string(), |e| fmt_estimate(m, e));
            let _ = write!(o, " {cell} |");
        }
        o.push('\n');
    }
    for (id, why) in &r.skipped {
        let _ = writeln!(o, "| {id} | skipped: {why} |");
    }
    o.push('\n');
    match (&r.recommendation, &s.objective) {
        (Some(rec), _) => {
            let _ = writeln!(o, "## Recommendation: `{}`\n", rec.winner);
            let _ = writeln!(o, "Objective: {}.", rec.objective);
            if !s.constraints.is_empty() {
                let cs: Vec<String> = s.constraints.iter().map(|c| c.to_string()).collect();
                let _ = writeln!(o, "Constraints: {}.", cs.join(", "));
            }
            if let (Some(ru), Some(m)) = (&rec.runner_up, &rec.margin) {
                let _ = writeln!(o, "Margin over the runner-up `{ru}`: {}.", m.describe());
            }
            if rec.tie_broken_by_cost {
                let _ = writeln!(
                    o,
                    "The best objective was within noise of cheaper configs ({}); the cheapest (least configured memory, then fewer background jobs and threads) was chosen.",
                    rec.tied_with_best.join(", ")
                );
            }
            if let Some((axis, v, x)) = &rec.threshold {
                let _ = writeln!(
                    o,
                    "Threshold: the smallest {axis} within {:.0}% of the best {} is **{v}** ({}).",
                    s.threshold * 100.0,
                    rec.objective.metric,
                    fmt_metric(&rec.objective.metric, *x)
                );
            }
            if !rec.rationale.is_empty() {
                o.push_str("\nWhy, axis by axis:\n\n");
                for l in &rec.rationale {
                    let _ = writeln!(o, "- {l}");
                }
            }
            for (id, why) in &rec.excluded {
                let _ = writeln!(o, "- excluded `{id}`: {why}");
            }
            o.push_str("\nFiles: recommended.toml (paste as `[engine]`), OPTIONS.ini (RocksDB options file), db_bench.flags.\n");
        }
        (None, Some(obj)) => {
            let _ = writeln!(
                o,
                "No recommendation: no trial measured {obj} while meeting every constraint."
            );
        }
        (None, None) => {
            let _ = writeln!(o, "No [recommend] section: no recommendation.");
        }
    }
    let alerts: Vec<String> = r
        .runs
        .iter()
        .flat_map(|run| {
            run.phases.iter().flat_map(move |p| {
                p.alerts.iter().map(move |a| {
                    format!(
                        "- `{}` in {} #{} {}: from {:.0} s to {}, worst {}",
                        a.rule,
                        run.trial,
                        run.repeat + 1,
                        p.workload,
                        a.started_t_s,
                        a.cleared_t_s
                            .map_or("the end of the phase".into(), |c| format!("{c:.0} s")),
                        a.metric.show(a.worst)
                    )
                })
            })
        })
        .collect();
    if !alerts.is_empty() {
        let _ = writeln!(o, "\n## Alerts ({})\n\n{}", alerts.len(), alerts.join("\n"));
    }
    o
}
