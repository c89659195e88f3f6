//! Throughput against disk bytes, with the Pareto front.

use super::*;

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

pub(super) fn pareto_chart(r: &RunResult) -> Result<Option<Chart>> {
    let y_metric = match &r.scenario.objective {
        Some(o)
            if o.maximize && crate::metrics::unit(&o.metric) == crate::metrics::Unit::OpsPerSec =>
        {
            o.metric.clone()
        }
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
    let svg = draw_pareto(&pts, &front, &y_metric)?;
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

/// Trials as points (disk bytes, throughput), the front joined by a line.
fn draw_pareto(pts: &[(String, f64, f64)], front: &[usize], y_metric: &str) -> Result<String> {
    let (x0, x1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let (y0, y1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.2), b.max(p.2)));
    let pad = |a: f64, b: f64| ((b - a).abs() * 0.15).max(b.abs() * 0.05).max(1.0);
    let (px, py) = (pad(x0, x1), pad(y0, y1));
    draw_svg(W, H + 40, |root| {
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
        legend(&mut c, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}
