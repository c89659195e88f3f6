//! Latency by percentile (log scale), one line per trial.

use super::*;

/// (axis label, metric) per point: the run's percentiles (`--percentiles`), then the max.
fn percentile_points(r: &RunResult) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = crate::model::shown_percentiles(r.all_phases())
        .into_iter()
        .filter(|p| *p < 100.0)
        .map(|p| {
            (
                crate::model::percentile_label(p),
                format!("p{}_us", crate::model::percentile_tag(p)),
            )
        })
        .collect();
    v.push(("max".into(), "max_us".into()));
    v
}

pub(super) fn latency_charts(r: &RunResult) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    let pcts = percentile_points(r);
    let pcts = &pcts;
    for (pi, label) in phase_labels(r).iter().enumerate() {
        let lines: Vec<(String, Vec<f64>)> = r
            .summaries
            .iter()
            .filter_map(|t| {
                let v: Option<Vec<f64>> = pcts
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
                    (0..last_segment(pcts.len())).into_segmented(),
                    ((lo * 0.8).max(0.01)..hi * 1.25).log_scale(),
                )
                .map_err(e)?;
            c.configure_mesh()
                .x_desc("percentile")
                .y_desc("latency, µs (log scale)")
                .x_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => {
                        pcts.get(*i).map_or("", |p| p.0.as_str()).to_string()
                    }
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
                    .legend(legend_line(col.stroke_width(2)));
                c.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, col.filled())))
                    .map_err(e)?;
            }
            legend(&mut c, SeriesLabelPosition::UpperLeft)?;
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
