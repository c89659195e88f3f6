//! The self-contained HTML report: summary and recommendation, the trial table, and charts
//! drawn with plotters' SVG backend and inlined (no script, font or file from elsewhere; a
//! few lines of inline JavaScript only check that every chart drew its series).
//!
//! Charts: throughput over time per phase (one line per trial, stall seconds shaded),
//! latency by percentile (log scale), per-metric bars with 95% whiskers, a heat map for
//! two-axis grids, throughput vs disk bytes with the Pareto front, RSS over time for phases
//! long enough to have a memory trend.

use super::scenario::{summary_md, table_metrics};
use crate::error::{Error, Result};
use crate::scenario::run::ScenarioResult;
use crate::tune::recommend::fmt_metric;
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
fn first_runs(r: &ScenarioResult) -> Vec<&crate::scenario::run::TrialRun> {
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

fn phase_labels(r: &ScenarioResult) -> Vec<String> {
    r.scenario
        .trials
        .first()
        .map(|t| t.phases.iter().map(|p| p.label.clone()).collect())
        .unwrap_or_default()
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

fn throughput_charts(r: &ScenarioResult) -> Result<Vec<Chart>> {
    let runs = first_runs(r);
    let mut out = Vec::new();
    for (pi, label) in phase_labels(r).iter().enumerate() {
        let lines: Vec<TimeLine> = runs
            .iter()
            .filter_map(|run| {
                let p = run.phases.get(pi)?;
                // A last interval of a few milliseconds (the phase ended just after a second
                // boundary) has a rate that says nothing: left out when others exist.
                let iv = &p.intervals;
                let pts = downsample(
                    iv.iter()
                        .enumerate()
                        .filter(|(k, i)| {
                            let start = if *k == 0 { 0.0 } else { iv[k - 1].t_s };
                            iv.len() == 1 || i.t_s - start >= MIN_PLOTTED_INTERVAL_S
                        })
                        .map(|(_, i)| (i.t_s, i.ops_per_sec))
                        .collect(),
                    MAX_POINTS,
                );
                let stalls = p
                    .intervals
                    .iter()
                    .filter(|i| i.stall_micros > 0 || i.write_stopped)
                    .map(|i| i.t_s)
                    .collect();
                Some((run.trial.clone(), pts, stalls))
            })
            .filter(|(_, pts, _): &TimeLine| !pts.is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        let xmax = lines
            .iter()
            .flat_map(|(_, p, _)| p.iter().map(|x| x.0))
            .fold(1.0f64, f64::max);
        let ymax = lines
            .iter()
            .flat_map(|(_, p, _)| p.iter().map(|x| x.1))
            .fold(1.0f64, f64::max)
            * 1.1;
        let stalled = lines.iter().any(|(_, _, s)| !s.is_empty());
        let svg =
            draw_svg(W, H, |root| {
                let mut c = ChartBuilder::on(root)
                    .margin(10)
                    .x_label_area_size(35)
                    .y_label_area_size(70)
                    .build_cartesian_2d(0f64..xmax, 0f64..ymax)
                    .map_err(e)?;
                c.configure_mesh()
                    .x_desc("seconds into the phase")
                    .y_desc("ops/s (1-second intervals)")
                    .draw()
                    .map_err(e)?;
                for (i, (_, _, stalls)) in lines.iter().enumerate() {
                    let col = color(i);
                    c.draw_series(stall_ranges(stalls).into_iter().map(|(a, b)| {
                        Rectangle::new([(a, 0.0), (b, ymax)], col.mix(0.15).filled())
                    }))
                    .map_err(e)?;
                }
                for (i, (name, pts, _)) in lines.iter().enumerate() {
                    let col = color(i);
                    c.draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))
                        .map_err(e)?
                        .label(name.as_str())
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2))
                        });
                    if pts.len() < 30 {
                        // Short phases have a few seconds (or one partial second): mark them.
                        c.draw_series(pts.iter().map(|p| Circle::new(*p, 3, col.filled())))
                            .map_err(e)?;
                    }
                }
                c.configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK)
                    .position(SeriesLabelPosition::LowerRight)
                    .draw()
                    .map_err(e)?;
                Ok(())
            })?;
        out.push(Chart {
            id: format!("throughput-{pi}"),
            title: format!("Throughput over time: {label}"),
            svg,
            series: lines.iter().map(|(n, _, _)| n.clone()).collect(),
            note: format!(
                "First repeat of each trial.{}",
                if stalled {
                    " Shaded seconds had writer stall time or writes stopped (in the trial's colour)."
                } else {
                    " No write stalls."
                }
            ),
        });
    }
    Ok(out)
}

const PCTS: [(&str, &str); 5] = [
    ("p50", "p50_us"),
    ("p95", "p95_us"),
    ("p99", "p99_us"),
    ("p99.9", "p999_us"),
    ("max", "max_us"),
];

fn latency_charts(r: &ScenarioResult) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    for (pi, label) in phase_labels(r).iter().enumerate() {
        let lines: Vec<(String, Vec<f64>)> = r
            .summaries
            .iter()
            .filter_map(|t| {
                let v: Option<Vec<f64>> = PCTS
                    .iter()
                    .map(|(_, m)| t.median(&format!("{label}.{m}")).filter(|x| *x > 0.0))
                    .collect();
                v.map(|v| (t.id.clone(), v))
            })
            .collect();
        if lines.is_empty() {
            continue;
        }
        let lo = lines
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .fold(f64::MAX, f64::min);
        let hi = lines
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .fold(0.0, f64::max);
        let svg = draw_svg(W, H, |root| {
            let mut c = ChartBuilder::on(root)
                .margin(10)
                .x_label_area_size(35)
                .y_label_area_size(70)
                .build_cartesian_2d(
                    (0..last_segment(PCTS.len())).into_segmented(),
                    ((lo * 0.8).max(0.01)..hi * 1.25).log_scale(),
                )
                .map_err(e)?;
            c.configure_mesh()
                .x_desc("percentile")
                .y_desc("latency, µs (log scale)")
                .x_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => PCTS.get(*i).map_or("", |p| p.0).to_string(),
                    _ => String::new(),
                })
                .draw()
                .map_err(e)?;
            for (i, (name, v)) in lines.iter().enumerate() {
                let col = color(i);
                let pts: Vec<(SegmentValue<usize>, f64)> = v
                    .iter()
                    .enumerate()
                    .map(|(k, y)| (SegmentValue::CenterOf(k), *y))
                    .collect();
                c.draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))
                    .map_err(e)?
                    .label(name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2))
                    });
                c.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, col.filled())))
                    .map_err(e)?;
            }
            c.configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .position(SeriesLabelPosition::UpperLeft)
                .draw()
                .map_err(e)?;
            Ok(())
        })?;
        out.push(Chart {
            id: format!("latency-{pi}"),
            title: format!("Latency by percentile: {label}"),
            svg,
            series: lines.iter().map(|(n, _)| n.clone()).collect(),
            note: "Median over repeats of each percentile, per operation (or per batch).".into(),
        });
    }
    Ok(out)
}

fn bar_charts(r: &ScenarioResult) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    let names: Vec<String> = r.summaries.iter().map(|t| t.id.clone()).collect();
    if names.is_empty() {
        return Ok(out);
    }
    for (mi, m) in table_metrics(r).iter().take(6).enumerate() {
        let bars: Vec<(usize, f64, f64, f64)> = r
            .summaries
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                t.estimates
                    .get(m)
                    .map(|e| (i, e.median, e.ci_low, e.ci_high))
            })
            .collect();
        if bars.is_empty() {
            continue;
        }
        let xmax = bars
            .iter()
            .map(|b| b.1.max(b.3))
            .fold(0.0, f64::max)
            .max(1e-9)
            * 1.15;
        let label_w = names.iter().map(|n| n.len()).max().unwrap_or(8) as u32 * 7 + 10;
        let h = (60 + 34 * names.len() as u32).max(160);
        let n = names.len();
        let svg = draw_svg(W, h, |root| {
            let mut c = ChartBuilder::on(root)
                .margin(10)
                .x_label_area_size(35)
                .y_label_area_size(label_w.min(420))
                .build_cartesian_2d(0f64..xmax, (0..last_segment(n)).into_segmented())
                .map_err(e)?;
            c.configure_mesh()
                .disable_y_mesh()
                // One label per trial (plotters keeps about 10 by default).
                .y_labels(n + 1)
                .x_desc(format!("{m}: median, whisker = 95% CI of the mean"))
                .y_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
                    _ => String::new(),
                })
                .x_label_formatter(&|x| fmt_metric(m, *x))
                .draw()
                .map_err(e)?;
            for (i, med, lo, hi) in &bars {
                let col = color(*i);
                c.draw_series(std::iter::once(Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(*i)),
                        (*med, SegmentValue::Exact(i + 1)),
                    ],
                    col.mix(0.75).filled(),
                )))
                .map_err(e)?;
                if hi > lo {
                    c.draw_series(std::iter::once(PathElement::new(
                        vec![
                            (*lo, SegmentValue::CenterOf(*i)),
                            (*hi, SegmentValue::CenterOf(*i)),
                        ],
                        BLACK.stroke_width(2),
                    )))
                    .map_err(e)?;
                }
                c.draw_series(std::iter::once(Text::new(
                    fmt_metric(m, *med),
                    (*med, SegmentValue::CenterOf(*i)),
                    ("sans-serif", 12).into_font(),
                )))
                .map_err(e)?;
            }
            Ok(())
        })?;
        out.push(Chart {
            id: format!("bars-{mi}"),
            title: format!("{m} by trial"),
            svg,
            series: bars.iter().map(|b| names[b.0].clone()).collect(),
            note: "Bars are medians over repeats; the black whisker spans the 95% confidence interval of the mean (absent with one repeat).".into(),
        });
    }
    Ok(out)
}

fn heatmap(r: &ScenarioResult) -> Result<Option<Chart>> {
    let (Some(obj), [a, b]) = (&r.scenario.objective, r.scenario.axes.as_slice()) else {
        return Ok(None);
    };
    let mut xs: Vec<String> = Vec::new();
    let mut ys: Vec<String> = Vec::new();
    let mut cells = Vec::new();
    for t in &r.summaries {
        let get = |k: &str| t.axes.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let (Some(x), Some(y), Some(v)) = (get(a), get(b), t.median(&obj.metric)) else {
            continue;
        };
        if !xs.contains(&x) {
            xs.push(x.clone());
        }
        if !ys.contains(&y) {
            ys.push(y.clone());
        }
        cells.push((x, y, v));
    }
    if cells.is_empty() {
        return Ok(None);
    }
    let lo = cells.iter().map(|c| c.2).fold(f64::MAX, f64::min);
    let hi = cells.iter().map(|c| c.2).fold(f64::MIN, f64::max);
    let (nx, ny) = (xs.len(), ys.len());
    let svg = draw_svg(W, (80 + 50 * ny as u32).max(220), |root| {
        let mut c = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(110)
            .build_cartesian_2d(
                (0..last_segment(nx)).into_segmented(),
                (0..last_segment(ny)).into_segmented(),
            )
            .map_err(e)?;
        c.configure_mesh()
            .disable_mesh()
            .x_labels(nx + 1)
            .y_labels(ny + 1)
            .x_desc(a.as_str())
            .y_desc(b.as_str())
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => xs.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => ys.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(e)?;
        for (x, y, v) in &cells {
            let i = xs.iter().position(|s| s == x).unwrap_or(0);
            let j = ys.iter().position(|s| s == y).unwrap_or(0);
            let f = if hi > lo { (v - lo) / (hi - lo) } else { 1.0 };
            let f = if obj.maximize { f } else { 1.0 - f };
            // Light (worse) to dark blue (better).
            let col = RGBColor(
                (235.0 - 200.0 * f) as u8,
                (240.0 - 150.0 * f) as u8,
                (255.0 - 75.0 * f) as u8,
            );
            c.draw_series(std::iter::once(Rectangle::new(
                [
                    (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                    (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                ],
                col.filled(),
            )))
            .map_err(e)?;
            let text_col = if f > 0.55 { WHITE } else { BLACK };
            c.draw_series(std::iter::once(Text::new(
                fmt_metric(&obj.metric, *v),
                (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
                ("sans-serif", 13).into_font().color(&text_col),
            )))
            .map_err(e)?;
        }
        Ok(())
    })?;
    Ok(Some(Chart {
        id: "heatmap".into(),
        title: format!("{}: {a} × {b}", obj.metric),
        svg,
        series: vec![fmt_metric(&obj.metric, hi)],
        note: format!(
            "Median {} per cell; darker is better ({}).",
            obj.metric,
            if obj.maximize { "higher" } else { "lower" }
        ),
    }))
}

/// Trials on the Pareto front of (maximize y, minimize x): none is both faster and smaller.
pub fn pareto(points: &[(String, f64, f64)]) -> Vec<usize> {
    let mut front: Vec<usize> = (0..points.len())
        .filter(|&i| {
            let (_, x, y) = &points[i];
            !points
                .iter()
                .any(|(_, x2, y2)| (x2 <= x && y2 >= y) && (x2 < x || y2 > y))
        })
        .collect();
    front.sort_by(|a, b| points[*a].1.total_cmp(&points[*b].1));
    front
}

fn pareto_chart(r: &ScenarioResult) -> Result<Option<Chart>> {
    let y_metric = match &r.scenario.objective {
        Some(o) if o.maximize && o.metric.ends_with("ops_per_sec") => o.metric.clone(),
        _ => match phase_labels(r).first() {
            Some(l) => format!("{l}.ops_per_sec"),
            None => return Ok(None),
        },
    };
    let pts: Vec<(String, f64, f64)> = r
        .summaries
        .iter()
        .filter_map(|t| Some((t.id.clone(), t.median("disk_bytes")?, t.median(&y_metric)?)))
        .collect();
    if pts.len() < 2 {
        return Ok(None);
    }
    let front = pareto(&pts);
    let (x0, x1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let (y0, y1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.2), b.max(p.2)));
    let pad = |a: f64, b: f64| ((b - a).abs() * 0.15).max(b.abs() * 0.05).max(1.0);
    let (px, py) = (pad(x0, x1), pad(y0, y1));
    let svg = draw_svg(W, H + 40, |root| {
        // Headroom above the highest point for the legend, so it never hides a trial.
        let top = y1 + py + (y1 - y0 + 2.0 * py) * 0.3;
        let mut c = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(80)
            .build_cartesian_2d((x0 - px).max(0.0)..x1 + px, (y0 - py).max(0.0)..top)
            .map_err(e)?;
        c.configure_mesh()
            .x_desc("disk bytes after the run (median)")
            .y_desc(format!("{y_metric} (median)"))
            .x_label_formatter(&|x| fmt_metric("disk_bytes", *x))
            .draw()
            .map_err(e)?;
        c.draw_series(LineSeries::new(
            front.iter().map(|&i| (pts[i].1, pts[i].2)),
            BLACK.stroke_width(1),
        ))
        .map_err(e)?
        .label("Pareto front")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
        for (i, (name, x, y)) in pts.iter().enumerate() {
            let col = color(i);
            let on = front.contains(&i);
            c.draw_series(std::iter::once(Circle::new(
                (*x, *y),
                if on { 6 } else { 4 },
                if on {
                    col.filled()
                } else {
                    col.stroke_width(2)
                },
            )))
            .map_err(e)?;
            // Many trials: only the front is named (the labels would pile up); the table
            // above names every trial with its figures.
            if on || pts.len() <= MAX_PARETO_LABELS {
                c.draw_series(std::iter::once(Text::new(
                    name.clone(),
                    (*x, *y),
                    ("sans-serif", 11).into_font(),
                )))
                .map_err(e)?;
            }
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(e)?;
        Ok(())
    })?;
    let mut series: Vec<String> = pts
        .iter()
        .enumerate()
        .filter(|(i, _)| front.contains(i) || pts.len() <= MAX_PARETO_LABELS)
        .map(|(_, p)| p.0.clone())
        .collect();
    series.push("Pareto front".into());
    Ok(Some(Chart {
        id: "pareto".into(),
        title: format!("Throughput vs disk: {y_metric} against disk bytes"),
        svg,
        series,
        note: format!(
            "Filled points are on the Pareto front (no other trial is both faster and smaller): {}.{}",
            front.iter().map(|&i| pts[i].0.clone()).collect::<Vec<_>>().join(", "),
            if pts.len() > MAX_PARETO_LABELS {
                " With this many trials only the front is labelled; the table names them all."
            } else {
                ""
            }
        ),
    }))
}

fn rss_charts(r: &ScenarioResult) -> Result<Vec<Chart>> {
    let runs = first_runs(r);
    let mut out = Vec::new();
    for (pi, label) in phase_labels(r).iter().enumerate() {
        let lines: Vec<MemLine> = runs
            .iter()
            .filter_map(|run| {
                let p = run.phases.get(pi)?;
                p.trend.as_ref()?;
                let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
                Some((
                    run.trial.clone(),
                    downsample(
                        p.intervals
                            .iter()
                            .map(|i| (i.t_s, mib(i.rss_bytes)))
                            .collect(),
                        MAX_POINTS,
                    ),
                    downsample(
                        p.intervals
                            .iter()
                            .map(|i| (i.t_s, mib(i.rocksdb_mem_bytes)))
                            .collect(),
                        MAX_POINTS,
                    ),
                ))
            })
            .collect();
        if lines.is_empty() {
            continue;
        }
        let xmax = lines
            .iter()
            .flat_map(|l| l.1.iter().map(|p| p.0))
            .fold(1.0, f64::max);
        let ymax = lines
            .iter()
            .flat_map(|l| l.1.iter().map(|p| p.1))
            .fold(1.0, f64::max)
            * 1.15;
        let svg = draw_svg(W, H, |root| {
            let mut c = ChartBuilder::on(root)
                .margin(10)
                .x_label_area_size(35)
                .y_label_area_size(70)
                .build_cartesian_2d(0f64..xmax, 0f64..ymax)
                .map_err(e)?;
            c.configure_mesh()
                .x_desc("seconds into the phase")
                .y_desc("MiB")
                .draw()
                .map_err(e)?;
            for (i, (name, rss, rdb)) in lines.iter().enumerate() {
                let col = color(i);
                c.draw_series(LineSeries::new(rss.clone(), col.stroke_width(2)))
                    .map_err(e)?
                    .label(format!("{name} RSS"))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2))
                    });
                c.draw_series(LineSeries::new(rdb.clone(), col.mix(0.5).stroke_width(1)))
                    .map_err(e)?
                    .label(format!("{name} RocksDB"))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], col.mix(0.5))
                    });
            }
            c.configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .position(SeriesLabelPosition::LowerRight)
                .draw()
                .map_err(e)?;
            Ok(())
        })?;
        let verdicts: Vec<String> = runs
            .iter()
            .filter_map(|run| {
                let t = run.phases.get(pi)?.trend.as_ref()?;
                Some(format!(
                    "{}: RSS {:+.1} MiB/h, RocksDB {:+.1} MiB/h, unaccounted {:+.1} MiB/h → {:?}",
                    run.trial,
                    t.rss_slope_mib_per_h,
                    t.rocksdb_slope_mib_per_h,
                    t.unaccounted_slope_mib_per_h,
                    t.verdict
                ))
            })
            .collect();
        out.push(Chart {
            id: format!("rss-{pi}"),
            title: format!("Memory over time: {label}"),
            svg,
            series: lines.iter().map(|l| format!("{} RSS", l.0)).collect(),
            note: format!(
                "Process RSS and RocksDB's own accounting (block cache + memtables + table readers). {}",
                verdicts.join("; ")
            ),
        });
    }
    Ok(out)
}

/// Minimal Markdown (headings, tables, lists, paragraphs, `code`, **bold**) to HTML, for the
/// summary rdbtune itself writes.
pub fn md_to_html(md: &str) -> String {
    fn inline(s: &str) -> String {
        let mut out = String::new();
        let mut code = false;
        let mut bold = false;
        let esc_s = esc(s);
        let mut rest = esc_s.as_str();
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("**") {
                out.push_str(if bold { "</strong>" } else { "<strong>" });
                bold = !bold;
                rest = r;
            } else if let Some(r) = rest.strip_prefix('`') {
                out.push_str(if code { "</code>" } else { "<code>" });
                code = !code;
                rest = r;
            } else {
                let c = rest.chars().next().unwrap();
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if code {
            out.push_str("</code>");
        }
        if bold {
            out.push_str("</strong>");
        }
        out
    }
    let mut o = String::new();
    let mut in_table = false;
    let mut in_list = false;
    for line in md.lines() {
        let t = line.trim_end();
        if !t.starts_with('|') && in_table {
            o.push_str("</tbody></table></div>\n");
            in_table = false;
        }
        if !t.starts_with("- ") && in_list {
            o.push_str("</ul>\n");
            in_list = false;
        }
        if let Some(h) = t.strip_prefix("### ") {
            let _ = writeln!(o, "<h3>{}</h3>", inline(h));
        } else if let Some(h) = t.strip_prefix("## ") {
            let _ = writeln!(o, "<h2>{}</h2>", inline(h));
        } else if let Some(h) = t.strip_prefix("# ") {
            let _ = writeln!(o, "<h1>{}</h1>", inline(h));
        } else if t.starts_with('|') {
            let cells: Vec<&str> = t.trim_matches('|').split('|').map(str::trim).collect();
            if cells
                .iter()
                .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
            {
                continue;
            }
            if !in_table {
                o.push_str("<div class=\"scroll\"><table><thead><tr>");
                for c in &cells {
                    let _ = write!(o, "<th>{}</th>", inline(c));
                }
                o.push_str("</tr></thead><tbody>\n");
                in_table = true;
            } else {
                o.push_str("<tr>");
                for c in &cells {
                    let _ = write!(o, "<td>{}</td>", inline(c));
                }
                o.push_str("</tr>\n");
            }
        } else if let Some(item) = t.strip_prefix("- ") {
            if !in_list {
                o.push_str("<ul>\n");
                in_list = true;
            }
            let _ = writeln!(o, "<li>{}</li>", inline(item));
        } else if !t.is_empty() {
            let _ = writeln!(o, "<p>{}</p>", inline(t));
        }
    }
    if in_table {
        o.push_str("</tbody></table></div>\n");
    }
    if in_list {
        o.push_str("</ul>\n");
    }
    o
}

pub const CSS: &str = "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1000px;padding:16px 24px;color:#222}\
h1{font-size:24px;margin:8px 0}h2{font-size:19px;margin-top:28px;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}\
th:first-child,td:first-child{text-align:left}thead{background:#f3f5f8}.scroll{overflow-x:auto}\
figure{margin:18px 0;border:1px solid #e3e3e3;padding:8px}figcaption{font-weight:600;margin-bottom:4px}\
figure p{color:#555;margin:4px 0 0;font-size:12.5px}svg{max-width:100%;height:auto}\
code{background:#f3f3f3;padding:0 3px}.meta{color:#555;font-size:12.5px}pre{white-space:pre-wrap;font-size:12px}";

const CHECK_JS: &str = "(function(){var f=document.querySelectorAll('figure[data-series]'),ok=0;\
for(var i=0;i<f.length;i++){var want=JSON.parse(f[i].getAttribute('data-series'));\
var s=f[i].querySelector('svg');var txt=s?s.textContent:'';var miss=want.filter(function(n){return txt.indexOf(n)<0;});\
var b=s?s.getBoundingClientRect():null;var marks=s?s.querySelectorAll('polyline,polygon,rect,circle,path,line').length:0;\
if(!s||miss.length){console.error('chart '+f[i].id+' is missing series: '+miss.join(', '));}\
else if(b.width<50||b.height<50||marks<want.length+2){console.error('chart '+f[i].id+' is not drawn: '+b.width+'x'+b.height+' px, '+marks+' marks');}\
else{ok++;}}\
document.body.setAttribute('data-charts-ok',ok+'/'+f.length);})();";

/// A bench or ycsb result seen as a one-trial scenario run, so it gets the same report.
pub fn from_bench(b: &crate::results::BenchResult, name: &str) -> ScenarioResult {
    use crate::scenario::{run::TrialRun, PhaseTemplate, Scenario, Trial};
    let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
    let phases: Vec<PhaseTemplate> = b
        .phases
        .iter()
        .map(|p| {
            let base = p.workload.name().to_string();
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            PhaseTemplate {
                label: if *n == 1 { base } else { format!("{base}#{n}") },
                spec: p.spec.clone(),
            }
        })
        .collect();
    let trial = Trial {
        id: name.to_string(),
        axes: Vec::new(),
        config: b.config.clone(),
        phases,
    };
    let metrics = crate::scenario::run::run_metrics(&trial, &b.phases);
    let mut r = ScenarioResult {
        schema: b.schema.clone(),
        kind: "bench".into(),
        scenario: Scenario {
            name: name.to_string(),
            description: String::new(),
            source: String::new(),
            data: Default::default(),
            run: crate::scenario::RunFile {
                repeats: 1,
                ..Default::default()
            },
            objective: None,
            constraints: Vec::new(),
            threshold_axis: None,
            threshold: 0.05,
            memory_budget: None,
            columns: Vec::new(),
            alerts: Default::default(),
            axes: Vec::new(),
            trials: vec![trial],
        },
        command: b.command.clone(),
        machine: b.machine.clone(),
        started_unix: b.started_unix,
        quick: false,
        repeats: 1,
        shard: None,
        db_preparation: if b.db_temporary {
            "a fresh temporary DB".into()
        } else {
            "the DB at --db".into()
        },
        skipped: Vec::new(),
        runs: vec![TrialRun {
            trial: name.to_string(),
            repeat: 0,
            metrics,
            phases: b.phases.clone(),
        }],
        summaries: Vec::new(),
        recommendation: None,
        interrupted: b.interrupted,
        partial_run: None,
    };
    crate::scenario::run::finalise(&mut r);
    r
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
pub fn report(r: &ScenarioResult) -> Result<String> {
    let mut charts = Vec::new();
    charts.extend(bar_charts(r)?);
    if let Some(c) = heatmap(r)? {
        charts.push(c);
    }
    if let Some(c) = pareto_chart(r)? {
        charts.push(c);
    }
    charts.extend(throughput_charts(r)?);
    charts.extend(latency_charts(r)?);
    charts.extend(rss_charts(r)?);

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
