//! Ranking trials by an objective under constraints, with ties inside the noise going to the
//! cheaper config, and a plain-words rationale per grid axis.

mod summary;

pub use summary::{finalise, finalise_unpaired, summarise};

use crate::metrics::format as fmt_metric;
use crate::model::{Constraint, Objective, Recommendation, TrialSummary};
use crate::stats::{compare, compare_paired, Comparison};

/// Trials that have the objective, meet every constraint and are not `barred`, and the
/// others with why not.
fn eligible<'a>(
    objective: &Objective,
    constraints: &[Constraint],
    trials: &'a [TrialSummary],
    barred: &[(String, String)],
) -> (Vec<&'a TrialSummary>, Vec<(String, String)>) {
    let mut excluded = Vec::new();
    let mut eligible = Vec::new();
    'next: for t in trials {
        if let Some((_, why)) = barred.iter().find(|(id, _)| *id == t.id) {
            excluded.push((t.id.clone(), why.clone()));
            continue;
        }
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
    (eligible, excluded)
}

/// The objective's view of the trials.
struct Ranking<'o> {
    objective: &'o Objective,
}

impl Ranking<'_> {
    /// The objective's median, oriented so larger is better.
    fn score(&self, t: &TrialSummary) -> f64 {
        let sign = if self.objective.maximize { 1.0 } else { -1.0 };
        t.median(&self.objective.metric).unwrap_or(f64::NAN) * sign
    }

    fn samples(&self, t: &TrialSummary) -> Vec<f64> {
        t.samples
            .get(&self.objective.metric)
            .cloned()
            .unwrap_or_default()
    }

    /// How much better a is than b, positive when better: a/b − 1 when maximizing, b/a − 1
    /// (b's value over a's) when minimizing, each with its own interval. Repeats run
    /// interleaved (repeat r of every trial in one round) are compared in pairs, so a drift
    /// of the machine between rounds does not count as noise; otherwise as independent
    /// samples.
    fn better(&self, a: &TrialSummary, b: &TrialSummary) -> Option<Comparison> {
        let (a, b) = if self.objective.maximize {
            (a, b)
        } else {
            (b, a)
        };
        match a.paired_with(b, &self.objective.metric) {
            Some((x, y)) => compare_paired(&x, &y),
            None => compare(&self.samples(a), &self.samples(b)),
        }
    }
}

/// An axis value of a trial, as written.
fn axis_value(t: &TrialSummary, axis: &str) -> Option<String> {
    t.axes
        .iter()
        .find(|(k, _)| k == axis)
        .map(|(_, v)| v.clone())
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
    recommend_against(
        objective,
        constraints,
        axes,
        threshold_axis,
        threshold,
        trials,
        None,
        &[],
    )
}

/// As [`recommend`], and with a `reference` trial (the tuner's start config): when some
/// trials tied with the best beat the reference by a margin their interval confirms, the
/// cost tie-break chooses among those only. The `barred` trials (id, why) cannot win (the
/// tuner's memory budget) but still serve as the reference and in the rationale.
#[allow(clippy::too_many_arguments)]
pub fn recommend_against<'a>(
    objective: &Objective,
    constraints: &[Constraint],
    axes: &[String],
    threshold_axis: Option<&str>,
    threshold: f64,
    trials: &'a [TrialSummary],
    reference: Option<&str>,
    barred: &[(String, String)],
) -> Option<Recommendation> {
    let (mut eligible, excluded) = eligible(objective, constraints, trials, barred);
    if eligible.is_empty() {
        return None;
    }
    let rank = Ranking { objective };
    eligible.sort_by(|a, b| rank.score(b).total_cmp(&rank.score(a)));
    let best = eligible[0];
    let tied: Vec<&TrialSummary> = eligible
        .iter()
        .copied()
        .filter(|t| t.id == best.id || rank.better(best, t).is_some_and(|c| !c.significant))
        .collect();
    let cost = |t: &TrialSummary| (t.configured_memory, t.background_jobs, t.threads);
    let reference = reference.and_then(|r| trials.iter().find(|t| t.id == r));
    let proven: Vec<&TrialSummary> = reference
        .map(|r| {
            tied.iter()
                .copied()
                .filter(|t| {
                    t.id != r.id
                        && rank
                            .better(t, r)
                            .is_some_and(|c| c.significant && c.rel > 0.0)
                })
                .collect()
        })
        .unwrap_or_default();
    let cheapest = |pool: &[&'a TrialSummary]| -> Option<&'a TrialSummary> {
        pool.iter().copied().min_by(|a, b| {
            cost(a)
                .cmp(&cost(b))
                .then(rank.score(b).total_cmp(&rank.score(a)))
        })
    };
    let by_cost = cheapest(&tied).expect("best is tied with itself");
    let winner = cheapest(&proven).unwrap_or(by_cost);
    // Said only where it changed the choice.
    let proven_against = reference
        .filter(|_| winner.id != by_cost.id)
        .map(|r| r.id.clone());
    let runner_up = eligible.iter().find(|t| t.id != winner.id).copied();
    Some(Recommendation {
        objective: objective.clone(),
        winner: winner.id.clone(),
        runner_up: runner_up.map(|r| r.id.clone()),
        margin: runner_up.and_then(|r| rank.better(winner, r)),
        tie_broken_by_cost: winner.id != best.id,
        tied_with_best: tied
            .iter()
            .filter(|t| t.id != best.id)
            .map(|t| t.id.clone())
            .collect(),
        proven_against,
        rationale: rationale(&rank, axes, trials, winner, &excluded),
        threshold: threshold_axis
            .and_then(|a| smallest_good_enough(&rank, &eligible, best, a, threshold)),
        excluded,
    })
}

/// Per axis, the winner against each trial differing from it only on that axis.
fn rationale(
    rank: &Ranking,
    axes: &[String],
    trials: &[TrialSummary],
    winner: &TrialSummary,
    excluded: &[(String, String)],
) -> Vec<String> {
    let metric = &rank.objective.metric;
    let mut lines = Vec::new();
    for a in axes {
        for t in trials {
            let differs_only_here = axes
                .iter()
                .all(|b| (b == a) != (axis_value(t, b) == axis_value(winner, b)));
            if t.id == winner.id || !differs_only_here {
                continue;
            }
            let (Some(wv), Some(tv)) = (axis_value(winner, a), axis_value(t, a)) else {
                continue;
            };
            let mut line = format!("{a}: {wv} over {tv}");
            if let (Some(x), Some(y)) = (winner.median(metric), t.median(metric)) {
                line.push_str(&format!(
                    ": {metric} {} vs {}",
                    fmt_metric(metric, x),
                    fmt_metric(metric, y)
                ));
                if let Some(c) = rank.better(winner, t) {
                    line.push_str(&format!(" (medians; {})", c.describe()));
                }
            }
            for m in ["compression_ratio", "disk_bytes", "configured_memory_bytes"] {
                if m == metric {
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
            lines.push(line);
        }
    }
    lines
}

/// (axis, value, objective median) of the smallest value of `axis` whose objective is within
/// `threshold` of the best.
fn smallest_good_enough(
    rank: &Ranking,
    eligible: &[&TrialSummary],
    best: &TrialSummary,
    axis: &str,
    threshold: f64,
) -> Option<(String, String, f64)> {
    let best_v = rank.score(best);
    let mut cands: Vec<(&TrialSummary, f64)> = eligible
        .iter()
        .filter_map(|t| {
            axis_value(t, axis).map(|v| (*t, v.parse::<f64>().unwrap_or(f64::INFINITY)))
        })
        .collect();
    cands.sort_by(|x, y| x.1.total_cmp(&y.1));
    cands
        .into_iter()
        .find(|(t, _)| rank.score(t) >= best_v - threshold * best_v.abs())
        .map(|(t, _)| {
            (
                axis.to_string(),
                axis_value(t, axis).unwrap_or_default(),
                t.median(&rank.objective.metric).unwrap_or(f64::NAN),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Estimate;
    use std::collections::BTreeMap;

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
            repeats: BTreeMap::new(),
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

    /// With a reference (the tuner's start config), the cost tie-break keeps to the tied
    /// trials whose gain over it the interval confirms: a cheaper, noisier config tied with
    /// the best does not win when its own gain over the reference does not stand.
    #[test]
    fn ties_keep_to_configs_whose_gain_over_the_reference_stands() {
        let rounds = [100.0, 104.0, 97.0, 102.0, 99.0];
        let start: Vec<f64> = rounds.to_vec();
        let best: Vec<f64> = rounds.iter().map(|x| x * 1.30).collect();
        let noisy: Vec<f64> = rounds
            .iter()
            .zip([1.45, 0.98, 1.40, 1.05, 1.25])
            .map(|(x, f)| x * f)
            .collect();
        let mut trials = vec![
            trial("default", "a", &start, 1.0, 1 << 20),
            trial("tuned-1", "b", &noisy, 1.0, 1 << 24),
            trial("tuned-3", "c", &best, 1.0, 1 << 26),
        ];
        for t in &mut trials {
            t.repeats
                .insert("w.ops_per_sec".into(), (0..rounds.len()).collect());
        }
        let o: Objective = "maximize w.ops_per_sec".parse().unwrap();
        let axes = ["compression".to_string()];
        let plain = recommend(&o, &[], &axes, None, 0.05, &trials).unwrap();
        assert_eq!(plain.winner, "tuned-1", "by cost alone: {plain:?}");
        assert_eq!(plain.proven_against, None);
        let against = |trials: &[TrialSummary], barred: &[(String, String)]| {
            recommend_against(&o, &[], &axes, None, 0.05, trials, Some("default"), barred).unwrap()
        };
        let r = against(&trials, &[]);
        assert_eq!(r.winner, "tuned-3");
        assert_eq!(r.proven_against.as_deref(), Some("default"));
        // The reference itself never counts as proven: alone with it, cost decides.
        let r = against(&trials[..2], &[]);
        assert_eq!(r.winner, "default");
        assert_eq!(r.proven_against, None);
        // A reference that cannot win (over the tuner's memory budget) is a reference all
        // the same; a barred trial is excluded with its reason whatever it measured.
        let bar = |id: &str| vec![(id.to_string(), "over the memory budget".to_string())];
        let r = against(&trials, &bar("default"));
        assert_eq!(r.winner, "tuned-3");
        assert_eq!(r.proven_against.as_deref(), Some("default"));
        assert!(r.excluded.contains(&bar("default")[0]), "{:?}", r.excluded);
        // Without tuned-3, tuned-1 is the best median but its gain over the defaults does
        // not stand: the cheaper defaults win.
        let r = against(&trials, &bar("tuned-3"));
        assert_eq!(r.winner, "default");
        assert!(r.excluded.contains(&bar("tuned-3")[0]), "{:?}", r.excluded);
    }

    /// Interleaved repeats are compared round by round: a config 20% better in every round
    /// is not tied with a cheaper one because the machine drifted between rounds; without
    /// the repeats' numbers (a summary read back) the samples count as independent.
    #[test]
    fn interleaved_repeats_are_compared_in_pairs() {
        let base = [30_000.0, 32_000.0, 37_000.0, 38_000.0, 61_000.0];
        let better: Vec<f64> = base.iter().map(|x| x * 1.2).collect();
        let mut trials = vec![
            trial("big", "a", &better, 1.0, 1 << 30),
            trial("small", "b", &base, 1.0, 1 << 20),
        ];
        let o: Objective = "maximize w.ops_per_sec".parse().unwrap();
        let axes = ["compression".to_string()];
        let r = recommend(&o, &[], &axes, None, 0.05, &trials).unwrap();
        assert_eq!(
            r.winner, "small",
            "independent samples: within noise, the cheaper"
        );
        for t in &mut trials {
            t.repeats
                .insert("w.ops_per_sec".into(), (0..base.len()).collect());
        }
        let r = recommend(&o, &[], &axes, None, 0.05, &trials).unwrap();
        assert_eq!(r.winner, "big");
        let m = r.margin.unwrap();
        assert!(m.significant && (m.rel - 0.2).abs() < 1e-9, "{m:?}");
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
