//! One bar chart per summary metric: medians with 95% whiskers.

use super::*;

pub(super) fn bar_charts(r: &RunResult) -> Result<Vec<Chart>> {
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
        let svg = draw_bars(&names, &bars, m)?;
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

/// Horizontal bars, one per trial (`(trial index, median, low, high)`), for metric `m`.
fn draw_bars(names: &[String], bars: &[(usize, f64, f64, f64)], m: &str) -> Result<String> {
    let xmax = bars
        .iter()
        .map(|b| b.1.max(b.3))
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.15;
    let label_w = names.iter().map(|n| n.len()).max().unwrap_or(8) as u32 * 7 + 10;
    let h = (60 + 34 * names.len() as u32).max(160);
    let n = names.len();
    draw_svg(W, h, |root| {
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
        for (i, med, lo, hi) in bars {
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
    })
}
