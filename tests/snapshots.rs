//! Snapshot tests of the text exports (summary.md, trials.csv, intervals.csv, compare
//! Markdown, the bench table, the YCSB text, the gate's JSON, Markdown and JUnit, and the
//! shape of results.json) rendered by today's code from raw measurements: the fixtures
//! under tests/fixtures/ store what was measured (phases: ops, times, latency histograms'
//! percentiles, engine counters) and nothing derived (no metrics, summaries, intervals or
//! recommendation, which the loader derives with this build), so a change in how an
//! interval is computed or printed shows up as a diff against tests/snapshots/.
//!
//! After checking a diff is intended, refresh with `UPDATE_SNAPSHOTS=1 cargo test --release
//! --test snapshots`; only the value `1` rewrites, and never under CI.

mod common;

use rdbtune::export::{compare, csv, html, summary};
use rdbtune::model::RunResult;

/// A fixture result, its derived parts computed by today's code. The file itself must hold
/// raw measurements only.
fn fixture(name: &str) -> RunResult {
    let p = common::source_dir().join("tests/fixtures").join(name);
    let raw: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    for run in raw["runs"].as_array().unwrap() {
        assert!(
            run["metrics"].as_object().is_none_or(|m| m.is_empty()),
            "{}: stores derived metrics; fixtures hold raw measurements only",
            p.display()
        );
    }
    assert!(
        raw["summaries"].as_array().is_none_or(|s| s.is_empty()) && raw["recommendation"].is_null(),
        "{}: stores summaries or a recommendation; fixtures hold raw measurements only",
        p.display()
    );
    let r = rdbtune::output::load_file(&p).unwrap_or_else(|e| {
        panic!(
            "{}: the result format changed and no longer reads old results: {e}",
            p.display()
        )
    });
    assert!(
        r.runs.iter().all(|run| !run.metrics.is_empty()),
        "metrics derived on load"
    );
    r
}

/// Compares `got` with tests/snapshots/NAME; `UPDATE_SNAPSHOTS=1` rewrites it instead
/// (refused under CI). Any other value of UPDATE_SNAPSHOTS compares as usual.
fn check(name: &str, got: &str) {
    let p = common::source_dir().join("tests/snapshots").join(name);
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        assert!(
            !common::in_ci(),
            "UPDATE_SNAPSHOTS=1 under CI: snapshots are refreshed by a person who checked the diff, not by CI"
        );
        std::fs::write(&p, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{}: {e}; create it with UPDATE_SNAPSHOTS=1", p.display()));
    if want != got {
        let diff: Vec<String> = want
            .lines()
            .zip(got.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  want: {a}\n  got:  {b}", i + 1))
            .collect();
        panic!(
            "{name} differs from its snapshot ({} vs {} lines):\n{}",
            want.lines().count(),
            got.lines().count(),
            diff.join("\n")
        );
    }
}

#[test]
fn exports_match_their_snapshots() {
    let a = fixture("snap-a.json");
    check("summary.md", &summary::summary_md(&a));
    check(
        "trials.csv",
        &String::from_utf8(csv::trials_csv(&a).unwrap()).unwrap(),
    );
    check(
        "intervals.csv",
        &String::from_utf8(csv::intervals_csv(&a).unwrap()).unwrap(),
    );
    let b = fixture("snap-b.json");
    let rows = compare::compare(&a, &b);
    check("compare.md", &compare::markdown(&rows, "A", "B"));
}

/// The gate's reports (JSON, Markdown, JUnit) of a results gate with a saved baseline, both
/// fixtures judged by today's statistics. The machine, times and paths are set to fixed
/// values so the snapshot does not depend on where it runs.
#[test]
fn gate_reports_match_their_snapshots() {
    let fx = common::source_dir().join("tests/fixtures");
    let g = rdbtune::gate::GateFile::load(&fx.join("gate-snap.toml")).unwrap();
    let opts = rdbtune::gate::GateOptions {
        baseline: Some(fx.join("snap-a.json")),
        force_baseline: true,
        quiet: true,
        ..Default::default()
    };
    let mut r = rdbtune::gate::run(&g, &opts).unwrap();
    r.machine = fixture("snap-b.json").machine;
    r.fingerprint = "fixture machine".into();
    r.file = "tests/fixtures/gate-snap.toml".into();
    r.baseline = Some("tests/fixtures/snap-a.json".into());
    r.baseline_warning = None;
    r.command = vec![
        "rdbtune".into(),
        "gate".into(),
        "--gate".into(),
        r.file.clone(),
    ];
    r.started_unix = 0;
    r.elapsed_s = 0.0;
    assert_eq!(r.mode, "results");
    check(
        "gate.json",
        &String::from_utf8(rdbtune::export::json::json(&r).unwrap()).unwrap(),
    );
    check("gate.md", &rdbtune::export::gate::markdown(&r));
    check("gate.junit.xml", &rdbtune::export::gate::junit(&r));
}

#[test]
fn compare_has_a_change_column_with_intervals() {
    let (a, b) = (fixture("snap-a.json"), fixture("snap-b.json"));
    let rows = compare::compare(&a, &b);
    assert_eq!(
        rows.iter()
            .map(|r| r.trial.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        2,
        "both trials paired"
    );
    let md = compare::markdown(&rows, "A", "B");
    assert!(md.contains("change B/A − 1 [95% CI]"), "{md}");
    let r = rows
        .iter()
        .find(|r| r.metric == "fillrandom.ops_per_sec")
        .unwrap();
    let c = r.change.unwrap();
    assert!(c.rel_low < c.rel && c.rel < c.rel_high, "{c:?}");
    let text = compare::change_text(&r.change);
    assert!(text.contains('[') && text.contains(" to "), "{text}");
    // Exactly repeatable metrics: no change, a zero-width interval.
    let cr = rows
        .iter()
        .find(|r| r.metric == "compression_ratio")
        .unwrap()
        .change
        .unwrap();
    assert_eq!((cr.rel, cr.rel_low, cr.rel_high), (0.0, 0.0, 0.0));
    // Two noisy repeats a side: the intervals are wide, but no throughput, latency or size
    // interval reaches below 0, and no change below −100%.
    for r in &rows {
        assert!(r.a.ci_low >= 0.0 && r.b.ci_low >= 0.0, "{r:?}");
        if let Some(c) = r.change {
            assert!(c.rel_low > -1.0, "{} {}: {c:?}", r.trial, r.metric);
        }
    }
}

/// The commands themselves: `rdbtune compare` prints and writes the table (Markdown, HTML),
/// `rdbtune report` writes a self-contained page for a results file.
#[test]
fn compare_and_report_commands_write_their_files() {
    let t = tempfile::tempdir().unwrap();
    let fx = common::source_dir().join("tests/fixtures");
    let (a, b) = (fx.join("snap-a.json"), fx.join("snap-b.json"));
    let (md, page) = (t.path().join("c.md"), t.path().join("c.html"));
    let o = common::rdbtune(
        &[
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--markdown",
            md.to_str().unwrap(),
            "--html",
            page.to_str().unwrap(),
        ],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("fillrandom.ops_per_sec") && out.contains(" to "),
        "{out}"
    );
    let md = std::fs::read_to_string(&md).unwrap();
    let rows = compare::compare(&fixture("snap-a.json"), &fixture("snap-b.json"));
    assert!(md.contains("change B/A − 1 [95% CI]"), "{md}");
    assert_eq!(
        md.lines()
            .filter(|l| l.starts_with("| compression="))
            .count(),
        rows.len(),
        "one Markdown row per compared metric"
    );
    let h = std::fs::read_to_string(&page).unwrap();
    assert!(h.contains("<table") && h.contains("fillrandom.ops_per_sec"));

    let report = t.path().join("r.html");
    let o = common::rdbtune(
        &[
            "report",
            a.to_str().unwrap(),
            "-o",
            report.to_str().unwrap(),
        ],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let h = std::fs::read_to_string(&report).unwrap();
    assert!(h.contains("<figure id=\"bars-0\"") && h.len() < 2 << 20);
    assert!(
        !h.contains("src=\"http") && !h.contains("<link"),
        "self-contained"
    );

    // A missing input is a usage error naming it.
    let o = common::rdbtune(&["compare", a.to_str().unwrap(), "nope.json"], t.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("nope.json"),
        "{}",
        common::stderr(&o)
    );
}

#[test]
fn report_of_a_fixture_has_every_chart_kind() {
    let a = fixture("snap-a.json");
    let h = html::report(&a).unwrap();
    for id in [
        "bars-0",
        "pareto",
        "throughput-0",
        "throughput-1",
        "latency-0",
        "latency-1",
    ] {
        assert!(h.contains(&format!("<figure id=\"{id}\"")), "{id} missing");
    }
    // One axis: no heat map; no soak phase: no memory chart.
    assert!(!h.contains("id=\"heatmap\"") && !h.contains("id=\"rss-"));
    assert!(h.contains("Recommendation") && h.contains("Reproduce"));
    assert!(h.len() < 2 << 20);

    // Every trial gets a drawn bar, a single one too (plotters' integer ranges are inclusive:
    // a 0..0 range for one trial draws an axis and no bar).
    let bars = |h: &str| -> usize {
        let fig = h.split("<figure id=\"bars-0\"").nth(1).unwrap();
        let fig = fig.split("</figure>").next().unwrap();
        fig.matches("<rect").count() - fig.matches("fill=\"#FFFFFF\"").count()
    };
    assert_eq!(bars(&h), a.summaries.len(), "one bar per trial");
    let mut one = a.clone();
    one.summaries.truncate(1);
    assert_eq!(
        bars(&html::report(&one).unwrap()),
        1,
        "a single trial's bar"
    );

    // Many trials (a batch-size sweep has 21): every one is named on its bar chart (plotters
    // keeps about 10 axis labels unless told otherwise) and has its bar.
    let mut many = a.clone();
    let proto = many.summaries[0].clone();
    many.summaries = (0..21)
        .map(|k| {
            let mut s = proto.clone();
            s.id = format!("trial-{k:02}");
            s
        })
        .collect();
    let h = html::report(&many).unwrap();
    assert_eq!(bars(&h), 21);
    let fig = h.split("<figure id=\"bars-0\"").nth(1).unwrap();
    let fig = fig.split("</figure>").next().unwrap();
    for k in 0..21 {
        assert!(
            fig.contains(&format!("\ntrial-{k:02}\n")),
            "trial-{k:02} unnamed"
        );
    }
}

/// The shape of a JSON value: one line per path (`runs[].phases[].ops: number`), array
/// elements merged, the types seen at a path joined (`number|null`). Keys of maps keyed by
/// data (metric names, op kinds) are part of the shape: they are the result's vocabulary.
fn shape(v: &serde_json::Value) -> String {
    fn walk(
        v: &serde_json::Value,
        path: &str,
        out: &mut std::collections::BTreeMap<String, std::collections::BTreeSet<&'static str>>,
    ) {
        use serde_json::Value::*;
        let kind = match v {
            Null => "null",
            Bool(_) => "bool",
            Number(_) => "number",
            String(_) => "string",
            Array(_) => "array",
            Object(_) => "object",
        };
        out.entry(path.to_string()).or_default().insert(kind);
        match v {
            Array(a) => {
                for x in a {
                    walk(x, &format!("{path}[]"), out);
                }
            }
            Object(m) => {
                for (k, x) in m {
                    walk(x, &format!("{path}.{k}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(v, "", &mut out);
    out.iter()
        .map(|(p, k)| {
            format!(
                "{}: {}\n",
                if p.is_empty() { "." } else { p },
                k.iter().copied().collect::<Vec<_>>().join("|")
            )
        })
        .collect()
}

/// What a bench prints and writes, from a raw bench result (fillrandom then readrandom,
/// 20,000 keys, recorded by `rdbtune bench --json`): the phase table and the shape of the
/// results JSON as this build writes it.
#[test]
fn bench_table_and_results_shape_match_their_snapshots() {
    let r = fixture("bench-raw.json");
    check("bench-table.txt", &rdbtune::export::table::table(&r));
    let v: serde_json::Value =
        serde_json::from_slice(&rdbtune::export::json::json(&r).unwrap()).unwrap();
    assert_eq!(v["schema"], "rdbtune.result/v2");
    check("results-shape.txt", &shape(&v));
}

/// The YCSB text (upstream's `[SECTION], Metric, value` lines) from a raw YCSB result
/// (workload A, 1,000 records and operations, recorded by `rdbtune ycsb --json`).
#[test]
fn ycsb_text_matches_its_snapshot() {
    let r = fixture("ycsb-raw.json");
    check("ycsb.txt", &rdbtune::export::ycsb::ycsb_text(&r));
}
