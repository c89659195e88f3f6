//! `rdbtune compare DIR_A DIR_B`: the same metrics of two runs side by side, with the relative
//! change B/A − 1 and its 95% interval (Welch, delta method on the log of the ratio of means).

use super::summary::table_metrics;
use crate::error::Result;
use crate::metrics::{estimate, format as fmt_metric};
use crate::model::RunResult;
use crate::stats::{compare as compare_samples, pct_change, Comparison, Estimate};
use std::fmt::Write as _;

/// One metric of one trial in both runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The trial id (or `A-id vs B-id` when two single-trial runs differ in id).
    pub trial: String,
    pub metric: String,
    pub a: Estimate,
    pub b: Estimate,
    /// B relative to A.
    pub change: Option<Comparison>,
}

const EXTRA: [&str; 3] = ["compression_ratio", "disk_bytes", "peak_rss_bytes"];

/// Pairs trials by id (or the single trial of each run) and compares every shared metric of
/// the summary tables.
pub fn compare(a: &RunResult, b: &RunResult) -> Vec<Row> {
    let mut pairs = Vec::new();
    for ta in &a.summaries {
        if let Some(tb) = b.summaries.iter().find(|t| t.id == ta.id) {
            pairs.push((ta.id.clone(), ta, tb));
        }
    }
    if pairs.is_empty() && a.summaries.len() == 1 && b.summaries.len() == 1 {
        let (ta, tb) = (&a.summaries[0], &b.summaries[0]);
        pairs.push((format!("{} vs {}", ta.id, tb.id), ta, tb));
    }
    let mut metrics = table_metrics(a);
    for m in table_metrics(b)
        .into_iter()
        .chain(EXTRA.iter().map(|s| s.to_string()))
    {
        if !metrics.contains(&m) {
            metrics.push(m);
        }
    }
    let mut rows = Vec::new();
    for (name, ta, tb) in pairs {
        for m in &metrics {
            let (Some(sa), Some(sb)) = (ta.samples.get(m), tb.samples.get(m)) else {
                continue;
            };
            let (Some(ea), Some(eb)) = (estimate(m, sa), estimate(m, sb)) else {
                continue;
            };
            rows.push(Row {
                trial: name.clone(),
                metric: m.clone(),
                a: ea,
                b: eb,
                change: compare_samples(sb, sa),
            });
        }
    }
    rows
}

fn est(m: &str, e: &Estimate) -> String {
    if e.has_interval() {
        format!(
            "{} [{} to {}] n={}",
            fmt_metric(m, e.median),
            fmt_metric(m, e.ci_low),
            fmt_metric(m, e.ci_high),
            e.n
        )
    } else {
        format!("{} n=1", fmt_metric(m, e.median))
    }
}

/// The change column: `+12.3% [+4.0% to +20.6%]`, marked when outside the noise.
pub fn change_text(c: &Option<Comparison>) -> String {
    match c {
        None => "-".into(),
        Some(c) if c.rel_low.is_finite() && c.rel_high.is_finite() => format!(
            "{:+.1}% [{} to {}]{}",
            c.rel * 100.0,
            pct_change(c.rel_low),
            pct_change(c.rel_high),
            if c.significant { " *" } else { "" }
        ),
        Some(c) => format!("{:+.1}% (no interval: one repeat)", c.rel * 100.0),
    }
}

const HEADER: [&str; 5] = [
    "trial",
    "metric",
    "A: median [95% CI of mean]",
    "B: median [95% CI]",
    "change B/A − 1 [95% CI]",
];

fn legend(a_name: &str, b_name: &str) -> String {
    format!(
        "A = {a_name}, B = {b_name}. Medians over repeats; the change is the ratio of means minus 1 with a 95% interval (Welch, delta method on the log ratio); * marks a change whose interval excludes 0."
    )
}

pub fn table(rows: &[Row], a_name: &str, b_name: &str) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(HEADER.to_vec());
    for r in rows {
        t.add_row(vec![
            r.trial.clone(),
            r.metric.clone(),
            est(&r.metric, &r.a),
            est(&r.metric, &r.b),
            change_text(&r.change),
        ]);
    }
    format!("{}\n{t}\n", legend(a_name, b_name))
}

pub fn markdown(rows: &[Row], a_name: &str, b_name: &str) -> String {
    let mut o = format!("# rdbtune compare\n\n{}\n\n", legend(a_name, b_name));
    let _ = writeln!(o, "| {} |", HEADER.join(" | "));
    let _ = writeln!(o, "|---|---|---|---|---|");
    for r in rows {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            r.trial,
            r.metric,
            est(&r.metric, &r.a),
            est(&r.metric, &r.b),
            change_text(&r.change)
        );
    }
    o
}

pub fn html(rows: &[Row], a_name: &str, b_name: &str) -> Result<String> {
    let body = super::html::md_to_html(&markdown(rows, a_name, b_name));
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>rdbtune compare</title><style>{}</style></head><body>\n{body}</body></html>\n",
        super::html::CSS
    ))
}
