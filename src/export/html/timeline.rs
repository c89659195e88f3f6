//! Throughput and memory over time: one line per trial (first repeat), stalled seconds shaded.

use super::*;

/// The throughput line of phase `pi` of a run: (t, ops/s) points and its stalled seconds.
fn throughput_line(run: &TrialRun, pi: usize) -> Option<TimeLine> {
    let p = run.phases.get(pi)?;
    // A last interval of a few milliseconds (the phase ended just after a second boundary)
    // has a rate that says nothing: left out when others exist.
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
    let stalls = iv
        .iter()
        .filter(|i| i.stall_micros > 0 || i.write_stopped)
        .map(|i| i.t_s)
        .collect();
    (!pts.is_empty()).then(|| (run.trial.clone(), pts, stalls))
}

/// The largest x and y of the lines' points (at least 1).
fn extent<'a>(pts: impl Iterator<Item = &'a (f64, f64)> + Clone) -> (f64, f64) {
    (
        pts.clone().map(|x| x.0).fold(1.0f64, f64::max),
        pts.map(|x| x.1).fold(1.0f64, f64::max),
    )
}

fn draw_throughput(lines: &[TimeLine]) -> Result<String> {
    let (xmax, ymax) = extent(lines.iter().flat_map(|(_, p, _)| p.iter()));
    let ymax = ymax * 1.1;
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
            c.draw_series(
                stall_ranges(stalls)
                    .into_iter()
                    .map(|(a, b)| Rectangle::new([(a, 0.0), (b, ymax)], col.mix(0.15).filled())),
            )
            .map_err(e)?;
        }
        for (i, (name, pts, _)) in lines.iter().enumerate() {
            let col = color(i);
            c.draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))
                .map_err(e)?
                .label(name.as_str())
                .legend(legend_line(col.stroke_width(2)));
            if pts.len() < 30 {
                // Short phases have a few seconds (or one partial second): mark them.
                c.draw_series(pts.iter().map(|p| Circle::new(*p, 3, col.filled())))
                    .map_err(e)?;
            }
        }
        legend(&mut c, SeriesLabelPosition::LowerRight)
    })
}

pub(super) fn throughput_charts(r: &RunResult) -> Result<Vec<Chart>> {
    let runs = first_runs(r);
    let mut out = Vec::new();
    for (pi, label) in phase_labels(r).iter().enumerate() {
        let lines: Vec<TimeLine> = runs
            .iter()
            .filter_map(|run| throughput_line(run, pi))
            .collect();
        if lines.is_empty() {
            continue;
        }
        let stalled = lines.iter().any(|(_, _, s)| !s.is_empty());
        out.push(Chart {
            id: format!("throughput-{pi}"),
            title: format!("Throughput over time: {label}"),
            svg: draw_throughput(&lines)?,
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

/// RSS and RocksDB's accounting over phase `pi` of a run, MiB (phases with a trend only).
fn memory_line(run: &TrialRun, pi: usize) -> Option<MemLine> {
    let p = run.phases.get(pi)?;
    p.trend.as_ref()?;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let series = |f: &dyn Fn(&crate::model::IntervalRow) -> u64| {
        downsample(
            p.intervals.iter().map(|i| (i.t_s, mib(f(i)))).collect(),
            MAX_POINTS,
        )
    };
    Some((
        run.trial.clone(),
        series(&|i| i.rss_bytes),
        series(&|i| i.rocksdb_mem_bytes),
    ))
}

fn draw_memory(lines: &[MemLine]) -> Result<String> {
    let (xmax, ymax) = extent(lines.iter().flat_map(|l| l.1.iter()));
    let ymax = ymax * 1.15;
    draw_svg(W, H, |root| {
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
                .legend(legend_line(col.stroke_width(2)));
            c.draw_series(LineSeries::new(rdb.clone(), col.mix(0.5).stroke_width(1)))
                .map_err(e)?
                .label(format!("{name} RocksDB"))
                .legend(legend_line(col.mix(0.5)));
        }
        legend(&mut c, SeriesLabelPosition::LowerRight)
    })
}

pub(super) fn rss_charts(r: &RunResult) -> Result<Vec<Chart>> {
    let runs = first_runs(r);
    let mut out = Vec::new();
    for (pi, label) in phase_labels(r).iter().enumerate() {
        let lines: Vec<MemLine> = runs.iter().filter_map(|run| memory_line(run, pi)).collect();
        if lines.is_empty() {
            continue;
        }
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
            svg: draw_memory(&lines)?,
            series: lines.iter().map(|l| format!("{} RSS", l.0)).collect(),
            note: format!(
                "Process RSS and RocksDB's own accounting (block cache + memtables + table readers). {}",
                verdicts.join("; ")
            ),
        });
    }
    Ok(out)
}
