//! Ranking trials by an objective under constraints, with ties inside the noise going to the
//! cheaper config, and a plain-words rationale per grid axis.

use super::stats::{compare, Comparison, Estimate};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::str::FromStr;

/// Metrics measured per phase, named `<phase label>.<metric>`.
pub const PHASE_METRICS: &[&str] = &[
    "ops_per_sec",
    "mb_per_sec",
    "elapsed_s",
    "avg_us",
    "p50_us",
    "p95_us",
    "p99_us",
    "p999_us",
    "max_us",
    "cache_hit_rate",
    "stall_micros",
    "stall_percent",
    "write_amplification",
    "compaction_wait_s",
    "cpu_s",
    "flushes",
    "flushes_per_min",
    "compactions",
    "compaction_s",
    "rss_slope_mib_per_h",
    "throughput_drift",
];

/// Metrics measured per trial run (after its last phase, or over all phases).
pub const TRIAL_METRICS: &[&str] = &[
    "compression_ratio",
    "disk_bytes",
    "sst_bytes",
    "memtable_bytes",
    "configured_memory_bytes",
    "peak_rss_bytes",
    "write_amplification",
    "stall_micros",
];

/// Whether `name` is a metric a scenario with these phase labels produces.
pub fn known_metric(labels: &[String], name: &str) -> bool {
    if TRIAL_METRICS.contains(&name) {
        return true;
    }
    match name.rsplit_once('.') {
        Some((label, m)) => labels.iter().any(|l| l == label) && PHASE_METRICS.contains(&m),
        None => false,
    }
}

/// `maximize METRIC` or `minimize METRIC`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub maximize: bool,
    pub metric: String,
}

impl FromStr for Objective {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let mut it = s.split_whitespace();
        let (dir, metric) = (it.next(), it.next());
        let maximize = match dir {
            Some("maximize") | Some("max") => true,
            Some("minimize") | Some("min") => false,
            _ => {
                return Err(Error::usage(format!(
                    "objective {s:?}: write \"maximize METRIC\" or \"minimize METRIC\", e.g. \"maximize fillrandom.ops_per_sec\""
                )))
            }
        };
        match (metric, it.next()) {
            (Some(m), None) => Ok(Objective {
                maximize,
                metric: m.to_string(),
            }),
            _ => Err(Error::usage(format!(
                "objective {s:?}: expected one metric after {}",
                dir.unwrap_or_default()
            ))),
        }
    }
}

impl std::fmt::Display for Objective {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}",
            if self.maximize {
                "maximize"
            } else {
                "minimize"
            },
            self.metric
        )
    }
}

/// `METRIC OP NUMBER`, OP one of `>=`, `<=`, `>`, `<`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Constraint {
    pub metric: String,
    pub op: String,
    pub value: f64,
}

impl FromStr for Constraint {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::usage(format!(
                "constraint {s:?}: write METRIC OP NUMBER with OP one of >= <= > <, e.g. \"readrandom.p99_us <= 10000\""
            ))
        };
        for op in [">=", "<=", ">", "<"] {
            if let Some((m, v)) = s.split_once(op) {
                let metric = m.trim();
                if metric.is_empty() || metric.contains(char::is_whitespace) {
                    return Err(bad());
                }
                let value: f64 = v.trim().parse().map_err(|_| bad())?;
                return Ok(Constraint {
                    metric: metric.to_string(),
                    op: op.to_string(),
                    value,
                });
            }
        }
        Err(bad())
    }
}

impl Constraint {
    pub fn holds(&self, x: f64) -> bool {
        match self.op.as_str() {
            ">=" => x >= self.value,
            "<=" => x <= self.value,
            ">" => x > self.value,
            _ => x < self.value,
        }
    }
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.metric, self.op, self.value)
    }
}

/// What the recommender knows about one trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialSummary {
    pub id: String,
    pub axes: Vec<(String, String)>,
    /// Per metric, the values of each completed repeat.
    pub samples: BTreeMap<String, Vec<f64>>,
    pub estimates: BTreeMap<String, Estimate>,
    /// Block cache + memtables, bytes: the cost used to break ties.
    pub configured_memory: u64,
    pub background_jobs: i32,
    pub threads: usize,
}

impl TrialSummary {
    pub fn median(&self, metric: &str) -> Option<f64> {
        self.estimates.get(metric).map(|e| e.median)
    }
}

/// The recommendation and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub objective: Objective,
    pub winner: String,
    pub runner_up: Option<String>,
    /// Winner vs runner-up on the objective, oriented so positive means better.
    pub margin: Option<Comparison>,
    /// The best objective was inside the noise of a cheaper config, which won instead.
    pub tie_broken_by_cost: bool,
    /// Trials that ranked within the noise of the best.
    pub tied_with_best: Vec<String>,
    /// Trials left out and why (constraints, missing metrics).
    pub excluded: Vec<(String, String)>,
    /// One plain-words line per alternative on each axis.
    pub rationale: Vec<String>,
    /// (axis, value, objective median): smallest axis value within `threshold` of the best.
    pub threshold: Option<(String, String, f64)>,
}

/// A metric value for people: sizes for `*bytes`, `x` for ratios and amplification, % for
/// hit rates, whole numbers from 1000 up.
pub fn fmt_metric(name: &str, v: f64) -> String {
    if name.ends_with("bytes") {
        crate::engine::size::human_bytes(v.max(0.0) as u64)
    } else if name.ends_with("ratio") || name.ends_with("amplification") {
        format!("{v:.2}x")
    } else if name.ends_with("hit_rate") {
        format!("{:.1}%", v * 100.0)
    } else if v.abs() >= 1000.0 || v == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Ranks `trials` and explains the choice; `None` when no trial qualifies.
pub fn recommend(
    objective: &Objective,
    constraints: &[Constraint],
    axes: &[String],
    threshold_axis: Option<&str>,
    threshold: f64,
    trials: &[TrialSummary],
) -> Option<Recommendation> {
    let mut excluded = Vec::new();
    let mut eligible: Vec<&TrialSummary> = Vec::new();
    'next: for t in trials {
        if t.median(&objective.metric).is_none() {
            excluded.push((t.id.clone(), format!("{} not measured", objective.metric)));
            continue;
        }
        for c in constraints {
            match t.median(&c.metric) {
                None => {
                    excluded.push((t.id.clone(), format!("{} not measured", c.metric)));
                    continue 'next;
                }
                Some(v) if !c.holds(v) => {
                    excluded.push((
                        t.id.clone(),
                        format!("{c} fails ({})", fmt_metric(&c.metric, v)),
                    ));
                    continue 'next;
                }
                _ => {}
            }
        }
        eligible.push(t);
    }
    if eligible.is_empty() {
        return None;
    }
    let sign = if objective.maximize { 1.0 } else { -1.0 };
    let obj = |t: &TrialSummary| t.median(&objective.metric).unwrap_or(f64::NAN) * sign;
    eligible.sort_by(|a, b| obj(b).total_cmp(&obj(a)));
    let best = eligible[0];
    let samples = |t: &TrialSummary| {
        t.samples
            .get(&objective.metric)
            .cloned()
            .unwrap_or_default()
    };
    // How much better a is than b, positive when better: a/b − 1 when maximizing, b/a − 1
    // (b's value over a's) when minimizing, each with its own interval.
    let better = |a: &TrialSummary, b: &TrialSummary| -> Option<Comparison> {
        if objective.maximize {
            compare(&samples(a), &samples(b))
        } else {
            compare(&samples(b), &samples(a))
        }
    };
    let tied: Vec<&TrialSummary> = eligible
        .iter()
        .copied()
        .filter(|t| t.id == best.id || better(best, t).is_some_and(|c| !c.significant))
        .collect();
    let cost = |t: &TrialSummary| (t.configured_memory, t.background_jobs, t.threads);
    let winner = *tied
        .iter()
        .min_by(|a, b| cost(a).cmp(&cost(b)).then(obj(b).total_cmp(&obj(a))))
        .expect("best is tied with itself");
    let tie_broken_by_cost = winner.id != best.id;
    let runner_up = eligible.iter().find(|t| t.id != winner.id).copied();
    let margin = runner_up.and_then(|r| better(winner, r));

    // Rationale: per axis, the winner against each trial differing only on that axis.
    let mut rationale = Vec::new();
    let val =
        |t: &TrialSummary, a: &str| t.axes.iter().find(|(k, _)| k == a).map(|(_, v)| v.clone());
    let extra = ["compression_ratio", "disk_bytes", "configured_memory_bytes"];
    for a in axes {
        for t in trials {
            let differs_only_here = axes
                .iter()
                .all(|b| (b == a) != (val(t, b) == val(winner, b)));
            if t.id == winner.id || !differs_only_here {
                continue;
            }
            let (Some(wv), Some(tv)) = (val(winner, a), val(t, a)) else {
                continue;
            };
            let mut line = format!("{a}: {wv} over {tv}");
            if let (Some(x), Some(y)) = (
                winner.median(&objective.metric),
                t.median(&objective.metric),
            ) {
                line.push_str(&format!(
                    ": {} {} vs {}",
                    objective.metric,
                    fmt_metric(&objective.metric, x),
                    fmt_metric(&objective.metric, y)
                ));
                if let Some(c) = better(winner, t) {
                    line.push_str(&format!(" (medians; {})", c.describe()));
                }
            }
            for m in extra {
                if m == objective.metric {
                    continue;
                }
                if let (Some(x), Some(y)) = (winner.median(m), t.median(m)) {
                    if (x - y).abs() > 1e-9 * x.abs().max(1.0) {
                        line.push_str(&format!(
                            "; {m} {} vs {}",
                            fmt_metric(m, x),
                            fmt_metric(m, y)
                        ));
                    }
                }
            }
            if let Some((_, why)) = excluded.iter().find(|(id, _)| *id == t.id) {
                line.push_str(&format!(" [{} excluded: {why}]", t.id));
            }
            rationale.push(line);
        }
    }

    let threshold = threshold_axis.and_then(|a| {
        let best_v = obj(best);
        let mut cands: Vec<(&TrialSummary, f64)> = eligible
            .iter()
            .filter_map(|t| val(t, a).map(|v| (*t, v.parse::<f64>().unwrap_or(f64::INFINITY))))
            .collect();
        cands.sort_by(|x, y| x.1.total_cmp(&y.1));
        cands
            .into_iter()
            .find(|(t, _)| obj(t) >= best_v - threshold * best_v.abs())
            .map(|(t, _)| {
                (
                    a.to_string(),
                    val(t, a).unwrap_or_default(),
                    t.median(&objective.metric).unwrap_or(f64::NAN),
                )
            })
    });

    Some(Recommendation {
        objective: objective.clone(),
        winner: winner.id.clone(),
        runner_up: runner_up.map(|r| r.id.clone()),
        margin,
        tie_broken_by_cost,
        tied_with_best: tied
            .iter()
            .filter(|t| t.id != best.id)
            .map(|t| t.id.clone())
            .collect(),
        excluded,
        rationale,
        threshold,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(id: &str, axis: &str, obj: &[f64], ratio: f64, mem: u64) -> TrialSummary {
        let mut samples = BTreeMap::new();
        samples.insert("w.ops_per_sec".to_string(), obj.to_vec());
        samples.insert("compression_ratio".to_string(), vec![ratio; obj.len()]);
        let estimates = samples
            .iter()
            .map(|(k, v)| (k.clone(), Estimate::of(v).unwrap()))
            .collect();
        TrialSummary {
            id: id.into(),
            axes: vec![("compression".into(), axis.into())],
            samples,
            estimates,
            configured_memory: mem,
            background_jobs: 2,
            threads: 1,
        }
    }

    #[test]
    fn parses_objectives_and_constraints() {
        let o: Objective = "maximize fillrandom.ops_per_sec".parse().unwrap();
        assert!(o.maximize && o.metric == "fillrandom.ops_per_sec");
        assert!("biggest x".parse::<Objective>().is_err());
        assert!("maximize a b".parse::<Objective>().is_err());
        let c: Constraint = "compression_ratio >= 2.0".parse().unwrap();
        assert!(c.holds(2.0) && !c.holds(1.9));
        let c: Constraint = "readrandom.p99_us<10000".parse().unwrap();
        assert!(c.holds(9999.0) && !c.holds(10000.0));
        for bad in ["ratio == 2", "ratio >= two", ">= 3", "a b >= 1"] {
            let e = bad.parse::<Constraint>().unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
        let labels = vec!["fillrandom".to_string()];
        assert!(known_metric(&labels, "fillrandom.p99_us"));
        assert!(known_metric(&labels, "compression_ratio"));
        assert!(!known_metric(&labels, "readrandom.p99_us"));
        assert!(!known_metric(&labels, "fillrandom.speed"));
    }

    #[test]
    fn winner_constraints_and_rationale() {
        let trials = vec![
            trial("compression=lz4", "lz4", &[100.0, 101.0, 99.0], 2.0, 10),
            trial("compression=zstd", "zstd", &[90.0, 91.0, 89.0], 3.0, 10),
            trial("compression=none", "none", &[120.0, 121.0, 119.0], 1.0, 10),
        ];
        let o: Objective = "maximize w.ops_per_sec".parse().unwrap();
        let c: Constraint = "compression_ratio >= 2".parse().unwrap();
        let axes = vec!["compression".to_string()];
        let r = recommend(&o, &[c], &axes, None, 0.05, &trials).unwrap();
        assert_eq!(r.winner, "compression=lz4");
        assert_eq!(r.runner_up.as_deref(), Some("compression=zstd"));
        let m = r.margin.unwrap();
        assert!(m.significant && (m.rel - 0.1111).abs() < 0.001, "{m:?}");
        assert_eq!(r.excluded.len(), 1);
        assert!(r.excluded[0].1.contains("compression_ratio >= 2 fails"));
        assert!(
            r.rationale.iter().any(|l| l.contains("lz4 over zstd")
                && l.contains("+11.1%")
                && l.contains("2.00x vs 3.00x")),
            "{:?}",
            r.rationale
        );
        assert!(!r.tie_broken_by_cost);
    }

    #[test]
    fn ties_go_to_the_cheaper_config() {
        let trials = vec![
            trial("big", "a", &[101.0, 90.0, 112.0], 1.0, 1 << 30),
            trial("small", "b", &[100.0, 95.0, 104.0], 1.0, 1 << 20),
        ];
        let o: Objective = "maximize w.ops_per_sec".parse().unwrap();
        let r = recommend(&o, &[], &["compression".to_string()], None, 0.05, &trials).unwrap();
        assert_eq!(r.winner, "small");
        assert!(r.tie_broken_by_cost);
        assert_eq!(r.tied_with_best, vec!["small".to_string()]);
    }

    #[test]
    fn threshold_finds_smallest_good_enough() {
        let mk = |v: &str, x: f64| {
            let mut t = trial(&format!("batch_size={v}"), v, &[x, x], 1.0, 0);
            t.axes = vec![("batch_size".into(), v.into())];
            t
        };
        let trials = vec![
            mk("100", 50.0),
            mk("1000", 96.0),
            mk("10000", 100.0),
            mk("500", 80.0),
        ];
        let o: Objective = "maximize w.ops_per_sec".parse().unwrap();
        let r = recommend(
            &o,
            &[],
            &["batch_size".to_string()],
            Some("batch_size"),
            0.05,
            &trials,
        )
        .unwrap();
        assert_eq!(r.threshold.as_ref().unwrap().1, "1000");
        assert_eq!(r.winner, "batch_size=10000");
    }
}
