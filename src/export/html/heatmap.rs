//! The objective over a two-axis grid as a heat map.

use super::*;

pub(super) fn heatmap(r: &RunResult) -> Result<Option<Chart>> {
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
    let hi = cells.iter().map(|c| c.2).fold(f64::MIN, f64::max);
    let svg = draw_heatmap(&xs, &ys, &cells, (a, b), obj)?;
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

/// Cells (x value, y value, objective median) on a grid, light (worse) to dark blue (better).
fn draw_heatmap(
    xs: &[String],
    ys: &[String],
    cells: &[(String, String, f64)],
    (a, b): (&String, &String),
    obj: &crate::model::Objective,
) -> Result<String> {
    let lo = cells.iter().map(|c| c.2).fold(f64::MAX, f64::min);
    let hi = cells.iter().map(|c| c.2).fold(f64::MIN, f64::max);
    let (nx, ny) = (xs.len(), ys.len());
    draw_svg(W, (80 + 50 * ny as u32).max(220), |root| {
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
        for (x, y, v) in cells {
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
    })
}
