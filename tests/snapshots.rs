//! Snapshot tests of the text exports (summary.md, trials.csv, intervals.csv, compare
//! Markdown) on fixed results (tests/fixtures/snap-a.json and snap-b.json: two real runs of a
//! two-trial scenario). A change in an export shows up as a diff against tests/snapshots/;
//! after checking it is intended, refresh them with UPDATE_SNAPSHOTS=1 cargo test --release
//! --test snapshots.

mod common;

use rdbtune::export::{compare, csv, html, summary};
use rdbtune::model::RunResult;

fn fixture(name: &str) -> RunResult {
    let p = common::source_dir().join("tests/fixtures").join(name);
    rdbtune::output::load_file(&p).unwrap_or_else(|e| {
        panic!(
            "{}: the result format changed and no longer reads old results: {e}",
            p.display()
        )
    })
}

fn check(name: &str, got: &str) {
    let p = common::source_dir().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
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
