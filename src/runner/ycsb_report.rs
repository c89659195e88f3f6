//! A YCSB phase's measurements as upstream's client reports them, from the merged totals:
//! which metrics exist (`READ`, `READ-FAILED` or `READ-<STATUS>`, `Intended-READ`, `VERIFY`,
//! ...), their samples and statuses, in the form `measurementtype` exports.

use super::recorder::{add_into, new_histogram, Status, ThreadTotals};
use super::ycsb_totals::{slot, Series};
use crate::model::ycsb::{
    metric_parts, us_histogram, Measured, SeriesView, YcsbMeasurements, YcsbMetric,
};
use crate::workload::ycsb::{MeasurementInterval, YcsbSpec};
use crate::workload::OpKind;
use hdrhistogram::Histogram;

/// The op kinds a YCSB phase reports, in the order upstream usually first measures them.
const KINDS: [OpKind; 6] = [
    OpKind::Read,
    OpKind::Update,
    OpKind::Insert,
    OpKind::Scan,
    OpKind::ReadModifyWrite,
    OpKind::Verify,
];

/// The statuses whose latency goes to a metric of its own (`-FAILED` or `-<STATUS>`).
const FAILED: [Status; 2] = [Status::NotFound, Status::Error];

/// A metric being assembled: its samples (ns, whole µs), statuses and series.
#[derive(Default)]
struct Acc {
    hist: Option<Histogram<u64>>,
    statuses: Vec<(&'static str, u64)>,
    series: Option<Series>,
}

impl Acc {
    fn metric(&self, name: &str, intended: bool, y: &YcsbSpec, gran_ms: u64) -> YcsbMetric {
        let us = self
            .hist
            .as_ref()
            .map_or_else(|| us_histogram(&new_histogram()), us_histogram);
        let windows: Vec<(u64, u64, u64)> = self.series.as_ref().map_or_else(Vec::new, |s| {
            s.windows
                .iter()
                .filter(|(_, _, c)| *c > 0)
                .map(|(i, sum, c)| (i * gran_ms, *sum, *c))
                .collect()
        });
        let x = Measured {
            us: &us,
            statuses: &self.statuses,
            series: self.series.as_ref().map(|s| SeriesView {
                windows: &windows,
                count: s.count,
                sum_us: s.sum_us,
                min_us: s.min_us,
                max_us: s.max_us,
            }),
        };
        YcsbMetric {
            name: name.into(),
            intended,
            parts: metric_parts(name, &y.measure, &x),
        }
    }
}

/// The phase's YCSB measurements (`[CLEANUP]` is set by whoever closes the DB, or from
/// the threads' own cleanups).
pub fn measurements(
    y: &YcsbSpec,
    totals: &ThreadTotals,
    elapsed_s: f64,
    top_ops: u64,
) -> YcsbMeasurements {
    let Some(yt) = &totals.ycsb else {
        return YcsbMeasurements::default();
    };
    let m = &y.measure;
    let gran = m.granularity_ms;
    let mut metrics = Vec::new();
    let paced = totals.intended_hists.iter().any(Option::is_some);
    for k in KINDS {
        let i = k.index();
        let mut all = None;
        add_into(&mut all, &totals.hists[i]);
        add_into(&mut all, &totals.nested_hists[i]);
        let statuses: Vec<(&'static str, u64)> = Status::ALL
            .iter()
            .map(|s| (s.name(), yt.statuses[i][*s as usize]))
            .collect();
        if all.is_none() && statuses.iter().all(|(_, n)| *n == 0) {
            continue;
        }
        // Read-modify-write and verification have no status split (upstream measures them
        // directly); RMW reports no statuses at all.
        let split = !matches!(k, OpKind::ReadModifyWrite | OpKind::Verify);
        let label = k.ycsb_label();
        // Failed metrics by name: READ-FAILED, or READ-NOT_FOUND / READ-ERROR.
        let failed_groups = |intended: bool| -> Vec<(String, Acc)> {
            let mut groups: Vec<(String, Acc)> = Vec::new();
            if !split {
                return groups;
            }
            for s in FAILED {
                let sl = slot(k, s);
                let h = if intended && paced {
                    &yt.intended_failed[sl]
                } else {
                    &yt.failed[sl]
                };
                if h.is_none() {
                    continue;
                }
                let name = m.failed_name(label, s.name());
                let at = match groups.iter().position(|(n, _)| *n == name) {
                    Some(p) => p,
                    None => {
                        groups.push((name, Acc::default()));
                        groups.len() - 1
                    }
                };
                let acc = &mut groups[at].1;
                add_into(&mut acc.hist, h);
                if let Some(series) = &yt.series {
                    acc.series
                        .get_or_insert_with(Series::default)
                        .merge_from(&series[sl]);
                }
            }
            groups
        };
        let ok = |intended: bool, groups: &[(String, Acc)]| -> Acc {
            let src = if intended && paced {
                &totals.intended_hists[i]
            } else {
                &all
            };
            let mut hist = src.clone();
            if let Some(h) = &mut hist {
                for (_, g) in groups {
                    if let Some(f) = &g.hist {
                        h.subtract(f).expect("failed samples are among all samples");
                    }
                }
            }
            Acc {
                hist,
                statuses: if k == OpKind::ReadModifyWrite {
                    Vec::new()
                } else {
                    statuses.clone()
                },
                series: yt.series.as_ref().map(|s| s[slot(k, Status::Ok)].clone()),
            }
        };
        // The op map (measure) and the intended map (measureIntended); statuses go to
        // the op map, or to the intended map with measurement.interval=intended.
        let maps: &[(bool, bool)] = match m.interval {
            MeasurementInterval::Op => &[(false, true)],
            MeasurementInterval::Intended => &[(true, true)],
            MeasurementInterval::Both => &[(false, true), (true, false)],
        };
        for &(intended, with_statuses) in maps {
            // Upstream measures a verification directly: no intended measurement; with
            // interval=intended only its statuses are reported.
            let verify_intended = k == OpKind::Verify && intended;
            let groups = failed_groups(intended);
            let mut acc = ok(intended, &groups);
            if verify_intended {
                acc.hist = None;
                acc.series = None;
                if !with_statuses {
                    continue;
                }
            }
            if !with_statuses {
                acc.statuses.clear();
            }
            let prefix = if intended && m.interval == MeasurementInterval::Both {
                "Intended-"
            } else {
                ""
            };
            metrics.push(acc.metric(&format!("{prefix}{label}"), intended, y, gran));
            for (name, g) in &groups {
                metrics.push(g.metric(&format!("{prefix}{name}"), intended, y, gran));
            }
        }
    }
    let mut r = YcsbMeasurements {
        runtime_ms: (elapsed_s * 1000.0) as u64,
        operations: top_ops,
        // In the order the threads ended: the last one is upstream's last reference.
        cleanup_us: {
            let mut c = yt.cleanup.clone();
            c.sort_unstable();
            c.into_iter().map(|(_, us)| us).collect()
        },
        metrics,
        first_error: yt.first_error.clone(),
    };
    r.set_cleanup(m, None);
    r
}
