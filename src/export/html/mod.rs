//! The self-contained HTML report: summary and recommendation, the trial table, and charts
//! drawn with plotters' SVG backend and inlined (no script, font or file from elsewhere; a
//! few lines of inline JavaScript only check that every chart drew its series).
//!
//! Charts: throughput over time per phase (one line per trial, stall seconds shaded),
//! latency by percentile (log scale), per-metric bars with 95% whiskers, a heat map for
//! two-axis grids, throughput vs disk bytes with the Pareto front, RSS over time for phases
//! long enough to have a memory trend.

mod bars;
mod heatmap;
mod latency;
mod markdown;
mod pareto;
mod timeline;

pub use markdown::{md_to_html, CSS};
pub use pareto::pareto;

use super::summary::{summary_md, table_metrics};
use crate::error::{Error, Result};
use crate::metrics::format as fmt_metric;
use crate::model::{RunResult, TrialRun};
use markdown::CHECK_JS;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use std::fmt::Write as _;

const W: u32 = 900;
const H: u32 = 380;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn color(i: usize) -> RGBColor {
    // Tableau 10: distinguishable, print-safe.
    const C: [(u8, u8, u8); 10] = [
        (31, 119, 180),
        (255, 127, 14),
        (44, 160, 44),
        (214, 39, 40),
        (148, 103, 189),
        (140, 86, 75),
        (227, 119, 194),
        (127, 127, 127),
        (188, 189, 34),
        (23, 190, 207),
    ];
    let (r, g, b) = C[i % C.len()];
    RGBColor(r, g, b)
}

/// One chart: its SVG and the series names it must show.
struct Chart {
    id: String,
    title: String,
    svg: String,
    series: Vec<String>,
    note: String,
}

type DrawResult = std::result::Result<(), String>;

/// Draws the legend of a chart's labelled series at `pos`, on a translucent white box.
fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    c: &mut ChartContext<'a, DB, CT>,
    pos: SeriesLabelPosition,
) -> DrawResult {
    c.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(pos)
        .draw()
        .map_err(e)
}

/// A legend entry: a short line in `col`.
fn legend_line(col: impl Into<ShapeStyle>) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    let style = col.into();
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style)
}

fn draw_svg(
    w: u32,
    h: u32,
    f: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> DrawResult,
) -> Result<String> {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| Error::usage(format!("chart: {e}")))?;
        f(&root).map_err(|e| Error::usage(format!("chart: {e}")))?;
        root.present()
            .map_err(|e| Error::usage(format!("chart: {e}")))?;
    }
    Ok(s)
}

fn e<T: std::fmt::Display>(x: T) -> String {
    x.to_string()
}

/// A trial's (t, ops/s) points and its stalled seconds.
type TimeLine = (String, Vec<(f64, f64)>, Vec<f64>);
/// A trial's RSS and RocksDB-accounted memory over time, MiB.
type MemLine = (String, Vec<(f64, f64)>, Vec<(f64, f64)>);

/// Runs shown in time charts: the first repeat of each trial.
fn first_runs(r: &RunResult) -> Vec<&TrialRun> {
    let mut v = Vec::new();
    for t in &r.scenario.trials {
        if let Some(run) = r
            .runs
            .iter()
            .filter(|x| x.trial == t.id)
            .min_by_key(|x| x.repeat)
        {
            v.push(run);
        }
    }
    v
}

fn phase_labels(r: &RunResult) -> Vec<String> {
    r.scenario.labels()
}

/// Above this many trials, the Pareto chart names only the points on the front.
const MAX_PARETO_LABELS: usize = 8;

/// Intervals shorter than this at a phase's end are not plotted.
const MIN_PLOTTED_INTERVAL_S: f64 = 0.5;

/// The last value of a plotters segmented range for `n` categories: plotters' integer ranges
/// are inclusive, so 0..n-1 holds n segments; a single category needs 0..1 (0..0 draws
/// nothing).
fn last_segment(n: usize) -> usize {
    n.max(2) - 1
}

/// At most `n` points: longer series are averaged into `n` buckets.
fn downsample(pts: Vec<(f64, f64)>, n: usize) -> Vec<(f64, f64)> {
    if pts.len() <= n {
        return pts;
    }
    let per = pts.len().div_ceil(n);
    pts.chunks(per)
        .map(|c| {
            let k = c.len() as f64;
            (
                c.iter().map(|p| p.0).sum::<f64>() / k,
                c.iter().map(|p| p.1).sum::<f64>() / k,
            )
        })
        .collect()
}

/// Consecutive stalled seconds (interval end times) merged into [start, end) ranges.
fn stall_ranges(ends: &[f64]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for &t in ends {
        match out.last_mut() {
            Some(r) if (t - 1.0 - r.1).abs() < 1e-6 || t - 1.0 <= r.1 => r.1 = t,
            _ => out.push(((t - 1.0).max(0.0), t)),
        }
    }
    out
}

/// Points per line in time charts.
const MAX_POINTS: usize = 1500;

/// The whole report as one HTML document.
pub fn report(r: &RunResult) -> Result<String> {
    let mut charts = Vec::new();
    charts.extend(bars::bar_charts(r)?);
    charts.extend(heatmap::heatmap(r)?);
    charts.extend(pareto::pareto_chart(r)?);
    charts.extend(timeline::throughput_charts(r)?);
    charts.extend(latency::latency_charts(r)?);
    charts.extend(timeline::rss_charts(r)?);

    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>rdbtune: {}</title><style>{CSS}</style></head><body>\n",
        esc(&r.scenario.name)
    );
    o.push_str(&md_to_html(&summary_md(r)));
    let _ = writeln!(o, "<h2>Charts</h2>");
    if charts.is_empty() {
        let _ = writeln!(o, "<p>No finished trial runs to chart.</p>");
    }
    for c in &charts {
        let series = serde_json::to_string(&c.series).map_err(|e| Error::usage(e.to_string()))?;
        let _ = writeln!(
            o,
            "<figure id=\"{}\" data-series=\"{}\"><figcaption>{}</figcaption>\n{}\n<p>{}</p></figure>",
            esc(&c.id),
            esc(&series),
            esc(&c.title),
            c.svg,
            esc(&c.note)
        );
    }
    let _ = writeln!(
        o,
        "<h2>Machine and command</h2><p class=\"meta\">{}<br>RocksDB {}, rdbtune {}, {} {}</p>\
<p>Reproduce:</p><pre>{}</pre>",
        esc(&r.machine.fingerprint()),
        esc(&r.machine.rocksdb_version),
        esc(&r.machine.rdbtune_version),
        esc(&r.machine.os),
        esc(&r.machine.kernel),
        esc(&shell_words(&r.command))
    );
    let _ = writeln!(o, "<script>{CHECK_JS}</script></body></html>");
    Ok(o)
}

/// The command line, quoted for a POSIX shell.
fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pareto_front_keeps_only_undominated_points() {
        let p = vec![
            ("small-slow".to_string(), 10.0, 100.0),
            ("big-fast".to_string(), 50.0, 300.0),
            ("big-slow".to_string(), 50.0, 90.0), // dominated by small-slow
            ("mid".to_string(), 20.0, 200.0),
            ("mid-worse".to_string(), 25.0, 150.0), // dominated by mid
        ];
        let f: Vec<&str> = pareto(&p).iter().map(|&i| p[i].0.as_str()).collect();
        assert_eq!(f, ["small-slow", "mid", "big-fast"]);
    }

    #[test]
    fn long_series_are_downsampled_and_stalls_merged() {
        let pts: Vec<(f64, f64)> = (1..=86_400).map(|s| (s as f64, 100.0)).collect();
        let d = downsample(pts, MAX_POINTS);
        assert!(
            d.len() <= MAX_POINTS && d.len() > MAX_POINTS / 2,
            "{}",
            d.len()
        );
        assert!(d.iter().all(|p| p.1 == 100.0));
        assert_eq!(
            stall_ranges(&[3.0, 4.0, 5.0, 9.0]),
            vec![(2.0, 5.0), (8.0, 9.0)]
        );
    }

    #[test]
    fn markdown_subset_becomes_html() {
        let h = md_to_html("# T\n\n| a | b |\n|---|---|\n| 1 | `x` |\n\n- **bold** <i>\n\ntext");
        assert!(h.contains("<h1>T</h1>"));
        assert!(h.contains("<th>a</th><th>b</th>"));
        assert!(h.contains("<td>1</td><td><code>x</code></td>"));
        assert!(h.contains("<li><strong>bold</strong> &lt;i&gt;</li>"));
        assert!(h.contains("<p>text</p>"));
        assert_eq!(
            shell_words(&["rdbtune".into(), "--alert".into(), "p99_us > 5".into()]),
            "rdbtune --alert 'p99_us > 5'"
        );
    }
}
