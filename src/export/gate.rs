//! The gate's reports: terminal table, JSON (`rdbtune.gate/v1`), Markdown (failures first),
//! JUnit XML (one testcase per check) and Bencher Metric Format.

use crate::error::{Error, Result};
use crate::metrics::show as show_metric;
use crate::model::gate::{CheckResult, GateReport, Verdict};
use crate::stats::pct_change as pct;
use std::fmt::Write as _;

fn interval(c: &CheckResult, cand: bool) -> String {
    let e = if cand {
        c.judgement.candidate
    } else {
        c.judgement.baseline
    };
    match e {
        None => "-".into(),
        Some(e) if e.has_interval() && e.ci_low != e.ci_high => format!(
            "{} [{} to {}] n={}",
            show_metric(&c.metric, e.median),
            show_metric(&c.metric, e.ci_low),
            show_metric(&c.metric, e.ci_high),
            e.n
        ),
        Some(e) => format!("{} n={}", show_metric(&c.metric, e.median), e.n),
    }
}

fn change(c: &CheckResult) -> String {
    match &c.judgement.change {
        None => "-".into(),
        Some(ch) => match (ch.ratio_low, ch.ratio_high) {
            (Some(lo), Some(hi)) => format!(
                "{} [{} to {}]",
                pct(ch.ratio - 1.0),
                pct(lo - 1.0),
                pct(hi - 1.0)
            ),
            _ => format!("{} ({})", pct(ch.ratio - 1.0), ch.method),
        },
    }
}

fn limit(c: &CheckResult) -> String {
    let l = &c.limits;
    let mut parts = Vec::new();
    if let Some(m) = l.min {
        parts.push(format!(">= {}", show_metric(&c.metric, m)));
    }
    if let Some(m) = l.max {
        parts.push(format!("<= {}", show_metric(&c.metric, m)));
    }
    if let Some(r) = l.max_regression {
        parts.push(format!("regression <= {:.1}%", r * 100.0));
    }
    parts.join(", ")
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Fail => "FAIL",
        Verdict::Inconclusive => "INCONCLUSIVE",
        Verdict::Warn => "WARN",
        Verdict::Pass => "pass",
        Verdict::Skipped => "not judged",
        Verdict::Unmeasured => "UNMEASURED",
    }
}

/// How many checks got each verdict, worst first: "2 fail, 1 pass, 1 not judged".
fn tally(r: &GateReport) -> String {
    let mut parts = Vec::new();
    for v in [
        Verdict::Unmeasured,
        Verdict::Fail,
        Verdict::Inconclusive,
        Verdict::Warn,
        Verdict::Pass,
        Verdict::Skipped,
    ] {
        let n = r.checks.iter().filter(|c| c.judgement.verdict == v).count();
        if n > 0 {
            parts.push(format!("{n} {}", verdict_word(v).to_lowercase()));
        }
    }
    parts.join(", ")
}

/// Why the gate exits 2 after running, in one line for stderr; None otherwise.
pub fn error_line(r: &GateReport) -> Option<String> {
    if r.interrupted || r.exit_code != 2 {
        return None;
    }
    let missing: Vec<String> = r
        .checks
        .iter()
        .filter(|c| c.judgement.verdict == Verdict::Unmeasured)
        .map(|c| format!("{} (trial {})", c.metric, c.trial))
        .collect();
    Some(if missing.is_empty() {
        format!(
            "{}: no check was judged ({} check(s), each a regression limit without a baseline): give --baseline FILE or a [candidate] table, or add min/max limits",
            r.file,
            r.checks.len()
        )
    } else {
        format!(
            "{}: metric not measured: {}; the scenario produces no value for it: fix the [[check]] metric or the phases",
            r.file,
            missing.join(", ")
        )
    })
}

/// The headline: verdict, exit code, runs and mode.
pub fn headline(r: &GateReport) -> String {
    format!(
        "gate {}: {} (exit {}): {} checks ({}), {} run(s) per config{}, mode {}{}",
        r.gate,
        verdict_word(r.verdict),
        r.exit_code,
        r.checks.len(),
        tally(r),
        r.runs,
        if r.confirmation_runs > 0 {
            format!(" + {} confirmation", r.confirmation_runs)
        } else {
            String::new()
        },
        r.mode,
        if r.interrupted { ", INTERRUPTED" } else { "" }
    )
}

/// The terminal table.
pub fn table(r: &GateReport) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(vec![
        "verdict",
        "check",
        "candidate median [95% CI of mean]",
        "baseline",
        "change [CI]",
        "limit",
        "reason",
    ]);
    for c in &r.checks {
        t.add_row(vec![
            verdict_word(c.judgement.verdict).to_string(),
            c.name.clone(),
            interval(c, true),
            interval(c, false),
            change(c),
            limit(c),
            c.judgement.reason.clone(),
        ]);
    }
    let mut o = String::new();
    let _ = writeln!(o, "{}", headline(r));
    if let Some(w) = &r.baseline_warning {
        let _ = writeln!(o, "warning: {w}");
    }
    let _ = writeln!(o, "{t}");
    o
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown section: headline, then one table row per check, failures first.
pub fn markdown(r: &GateReport) -> String {
    let mut o = String::new();
    let icon = match r.verdict {
        Verdict::Unmeasured => "⛔",
        Verdict::Skipped => "❔",
        Verdict::Fail => "❌",
        Verdict::Inconclusive => "❔",
        Verdict::Warn => "⚠️",
        _ => "✅",
    };
    let _ = writeln!(o, "### {icon} {}\n", md_cell(&headline(r)));
    if let Some(w) = &r.baseline_warning {
        let _ = writeln!(o, "> warning: {}\n", md_cell(w));
    }
    let _ = writeln!(
        o,
        "| verdict | check | candidate median [95% CI] | baseline | change [CI] | limit | reason |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---|");
    for c in &r.checks {
        let _ = writeln!(
            o,
            "| {} | `{}` | {} | {} | {} | {} | {} |",
            verdict_word(c.judgement.verdict),
            md_cell(&c.name),
            md_cell(&interval(c, true)),
            md_cell(&interval(c, false)),
            md_cell(&change(c)),
            md_cell(&limit(c)),
            md_cell(&c.judgement.reason)
        );
    }
    let _ = writeln!(o, "\nMachine: {}", md_cell(&r.fingerprint));
    o
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// JUnit XML: one testsuite, one testcase per check. Fail is a failure, unmeasured an
/// error; inconclusive and not judged are skipped; warnings pass with the reason in
/// system-out.
pub fn junit(r: &GateReport) -> String {
    let n = |v: Verdict| r.checks.iter().filter(|c| c.judgement.verdict == v).count();
    let mut o = String::new();
    let _ = writeln!(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        o,
        "<testsuites name=\"rdbtune gate\" tests=\"{}\" failures=\"{}\" time=\"{:.3}\">",
        r.checks.len(),
        n(Verdict::Fail),
        r.elapsed_s
    );
    let _ = writeln!(
        o,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" errors=\"{}\" time=\"{:.3}\">",
        xml(&r.gate),
        r.checks.len(),
        n(Verdict::Fail),
        n(Verdict::Inconclusive) + n(Verdict::Skipped),
        n(Verdict::Unmeasured),
        r.elapsed_s
    );
    for c in &r.checks {
        let _ = write!(
            o,
            "    <testcase classname=\"rdbtune.gate.{}\" name=\"{}\"",
            xml(&r.gate),
            xml(&c.name)
        );
        let detail = format!(
            "{}; candidate {}; baseline {}; change {}; limit {}",
            c.judgement.reason,
            interval(c, true),
            interval(c, false),
            change(c),
            limit(c)
        );
        match c.judgement.verdict {
            Verdict::Unmeasured => {
                let _ = writeln!(
                    o,
                    ">\n      <error message=\"{}\" type=\"unmeasured\"/>\n    </testcase>",
                    xml(&c.judgement.reason)
                );
            }
            Verdict::Fail => {
                let _ = writeln!(
                    o,
                    ">\n      <failure message=\"{}\" type=\"regression\">{}</failure>\n    </testcase>",
                    xml(&c.judgement.reason),
                    xml(&detail)
                );
            }
            Verdict::Inconclusive | Verdict::Skipped => {
                let _ = writeln!(
                    o,
                    ">\n      <skipped message=\"{}: {}\"/>\n    </testcase>",
                    c.judgement.verdict.name(),
                    xml(&c.judgement.reason)
                );
            }
            Verdict::Warn | Verdict::Pass => {
                let _ = writeln!(
                    o,
                    ">\n      <system-out>{}</system-out>\n    </testcase>",
                    xml(&detail)
                );
            }
        }
    }
    let _ = writeln!(o, "  </testsuite>\n</testsuites>");
    o
}

/// Bencher Metric Format: `{benchmark: {measure: {value, lower_value, upper_value}}}`, the
/// benchmark being `gate/trial`, the measure the metric, the value the candidate's median and
/// the bounds its interval.
pub fn bmf(r: &GateReport) -> Result<Vec<u8>> {
    let mut root = serde_json::Map::new();
    for (trial, s) in &r.samples {
        let mut measures = serde_json::Map::new();
        for (metric, xs) in &s.candidate {
            let Some(e) = crate::metrics::estimate(metric, xs) else {
                continue;
            };
            let mut m = serde_json::Map::new();
            m.insert("value".into(), e.median.into());
            if e.has_interval() {
                m.insert("lower_value".into(), e.ci_low.into());
                m.insert("upper_value".into(), e.ci_high.into());
            }
            measures.insert(metric.clone(), m.into());
        }
        root.insert(format!("{}/{trial}", r.gate), measures.into());
    }
    let mut v = serde_json::to_vec_pretty(&serde_json::Value::Object(root))
        .map_err(|e| Error::usage(format!("JSON: {e}")))?;
    v.push(b'\n');
    Ok(v)
}
