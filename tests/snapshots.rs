//! Snapshot tests of the text exports (summary.md, trials.csv, intervals.csv, compare
//! Markdown) on fixed results (tests/fixtures/snap-a.json and snap-b.json: two real runs of a
//! two-trial scenario). A change in an export shows up as a diff against tests/snapshots/;
//! after checking it is intended, refresh them with UPDATE_SNAPSHOTS=1 cargo test --release
//! --test snapshots.

mod common;

use rdbtune::report::{compare, html, scenario};
use rdbtune::scenario::run::ScenarioResult;

fn fixture(name: &str) -> ScenarioResult {
    let p = common::source_dir().join("tests/fixtures").join(name);
    serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap_or_else(|e| {
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
    check("summary.md", &scenario::summary_md(&a));
    check(
        "trials.csv",
        &String::from_utf8(scenario::trials_csv(&a).unwrap()).unwrap(),
    );
    check(
        "intervals.csv",
        &String::from_utf8(scenario::intervals_csv(&a).unwrap()).unwrap(),
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
}
