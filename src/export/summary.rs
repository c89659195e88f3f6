//! summary.md: what ran, the trial table (median [95% CI]) and the recommendation, for
//! people and CI summaries.

use crate::metrics::format as fmt_metric;
use crate::model::{Recommendation, RunResult};
use crate::stats::Estimate;
use std::collections::BTreeSet;
use std::fmt::Write as _;

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
pub fn table_metrics(r: &RunResult) -> Vec<String> {
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
pub fn summary_md(r: &RunResult) -> String {
    let mut o = String::new();
    header(&mut o, r);
    trial_table(&mut o, r);
    match (&r.recommendation, &r.scenario.objective) {
        (Some(rec), _) => recommendation(&mut o, r, rec),
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
    families(&mut o, r);
    perf(&mut o, r);
    alerts(&mut o, r);
    o
}

/// With `--perf-sample`: where each trial's first run's sampled ops spent their time.
fn perf(o: &mut String, r: &RunResult) {
    let mut lines = Vec::new();
    for run in r.runs.iter().filter(|x| x.repeat == 0) {
        for (p, label) in run.phases.iter().zip(
            r.scenario
                .trials
                .iter()
                .find(|t| t.id == run.trial)
                .map(|t| {
                    t.phases
                        .iter()
                        .map(|p| p.label.as_str())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        ) {
            for b in &p.perf {
                lines.push(format!(
                    "- {} {label}: {}",
                    run.trial,
                    super::table::perf_sentence(b)
                ));
            }
        }
    }
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\n## Where sampled ops spent their time\n\nRocksDB's PerfContext on a random share of ops (--perf-sample), first repeat of each trial; shares of the sampled ops' mean latency (block reads, decompressing and checksums are part of the time in SST files).\n\n{}",
        lines.join("\n")
    );
}

/// Per column family (key group): medians over each trial's repeats, when a phase spread
/// its ops over several.
fn families(o: &mut String, r: &RunResult) {
    let mut rows = Vec::new();
    for t in &r.scenario.trials {
        let runs: Vec<_> = r.runs.iter().filter(|x| x.trial == t.id).collect();
        for (pi, p) in t.phases.iter().enumerate() {
            for (gi, g) in p.spec.key_groups.iter().enumerate() {
                let vals = |f: &dyn Fn(&crate::model::GroupSummary) -> f64| -> Vec<f64> {
                    runs.iter()
                        .filter_map(|x| x.phases.get(pi)?.per_group.get(gi).map(f))
                        .collect()
                };
                let (ops, p99) = (vals(&|g| g.ops_per_sec), vals(&|g| g.latency_us.p99));
                // The share of the ops the group got (a fill writes each key once, so its
                // share follows the keys whatever share_of_ops says).
                let share: Vec<f64> = runs
                    .iter()
                    .filter_map(|x| {
                        let ph = x.phases.get(pi)?;
                        let total: u64 = ph.per_group.iter().map(|g| g.ops).sum();
                        Some(ph.per_group.get(gi)?.ops as f64 / total.max(1) as f64)
                    })
                    .collect();
                if ops.is_empty() {
                    continue;
                }
                let fam =
                    t.config.family_names()[g.family.min(t.config.column_families.len())].clone();
                rows.push(format!(
                    "| {} | {} | {} ({fam}) | {:.0}% | {:.0}% | {:.0} | {:.1} |",
                    t.id,
                    p.label,
                    g.name,
                    (g.hi - g.lo) as f64 * 100.0 / p.spec.num.max(1) as f64,
                    crate::stats::median(&share) * 100.0,
                    crate::stats::median(&ops),
                    crate::stats::median(&p99)
                ));
            }
        }
    }
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\n## Column families\n\nPer key group (stored in the column family in brackets): its share of the keys and the share of the phase's ops it got (medians), and medians over repeats of its throughput (ops/s over the phase's wall time) and p99 latency (µs).\n\n| trial | phase | group (family) | keys | ops | ops/s | p99 µs |\n|---|---|---|---|---|---|---|\n{}",
        rows.join("\n")
    );
}

fn header(o: &mut String, r: &RunResult) {
    let s = &r.scenario;
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
        r.db.preparation
    );
    if r.interrupted {
        let _ = writeln!(
            o,
            "**Interrupted**: only finished trial runs are included.\n"
        );
    }
}

fn trial_table(o: &mut String, r: &RunResult) {
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
}

fn recommendation(o: &mut String, r: &RunResult, rec: &Recommendation) {
    let s = &r.scenario;
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
        let among = match &rec.proven_against {
            Some(r) => format!(" of those whose gain over `{r}` the interval confirms"),
            None => String::new(),
        };
        let _ = writeln!(
            o,
            "The best objective was within noise of cheaper configs ({}); the cheapest{among} (least configured memory, then fewer background jobs and threads) was chosen.",
            rec.tied_with_best.join(", ")
        );
    } else if let Some(r) = &rec.proven_against {
        let _ = writeln!(
            o,
            "Cheaper configs were within noise of the best ({}), but only the best's gain over `{r}` is confirmed by its interval, so the best was kept.",
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

fn alerts(o: &mut String, r: &RunResult) {
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
}
