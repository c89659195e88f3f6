//! The gate's statistics: one check's verdict from candidate and baseline samples.
//!
//! Absolute limits are judged on the candidate's median. A regression against a baseline is
//! the relative change in the worse direction, estimated from paired runs (the mean of the
//! per-pair log ratios, a paired t interval) or, against a saved baseline, from two
//! independent samples (difference of mean logs, Welch interval). It fails only when the
//! point estimate is past `max_regression` **and** the whole interval is past the noise
//! floor; a point estimate past the limit with an interval that reaches into the noise is
//! inconclusive (the gate adds runs). Metrics that repeat exactly (compression ratio, SST
//! bytes with a fixed seed) are compared directly.

use crate::model::gate::{Judgement, Limits, Verdict};
use crate::stats::{change, Change, Estimate};

/// How the statistics are set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub noise_floor: f64,
    pub confidence: f64,
}

use crate::stats::pct_change as pct;

/// Judges one check. `baseline` is `None` without a baseline; `paired` says whether its
/// samples pair with the candidate's.
pub fn judge(
    limits: &Limits,
    cand: &[f64],
    baseline: Option<&[f64]>,
    paired: bool,
    stats: Stats,
    show: impl Fn(f64) -> String,
) -> Judgement {
    let mut j = Judgement {
        verdict: Verdict::Pass,
        reason: String::new(),
        candidate: Estimate::of(cand),
        baseline: baseline.and_then(Estimate::of),
        change: None,
    };
    let Some(ce) = j.candidate else {
        j.verdict = Verdict::Unmeasured;
        j.reason = "metric not measured: the scenario produced no value for it".into();
        return j;
    };
    let mut reasons = Vec::new();
    // Pass once some part was judged; Skipped when nothing could be.
    let mut verdict = absolute(limits, ce.median, &show, &mut reasons);
    if let Some(limit) = limits.max_regression {
        match baseline {
            None => reasons.push(format!(
                "no baseline: regression limit {} not checked",
                pct(limit)
            )),
            Some(b) => match change(cand, b, paired, limits.better, stats.confidence) {
                None => reasons.push("baseline is zero or missing: no relative change".into()),
                Some(c) => {
                    let (v, reason) = regression(&c, limit, stats);
                    reasons.push(reason);
                    verdict = verdict.max(v);
                    j.change = Some(c);
                }
            },
        }
    }
    j.verdict = verdict;
    j.reason = reasons.join("; ");
    j
}

/// The absolute limits on the median: Pass or Fail, Skipped when there are none.
fn absolute(
    limits: &Limits,
    med: f64,
    show: &impl Fn(f64) -> String,
    reasons: &mut Vec<String>,
) -> Verdict {
    let mut verdict = if limits.min.is_some() || limits.max.is_some() {
        Verdict::Pass
    } else {
        Verdict::Skipped
    };
    if let Some(min) = limits.min {
        if med < min {
            verdict = Verdict::Fail;
            reasons.push(format!(
                "median {} is below the minimum {}",
                show(med),
                show(min)
            ));
        } else {
            reasons.push(format!("median {} >= {}", show(med), show(min)));
        }
    }
    if let Some(max) = limits.max {
        if med > max {
            verdict = Verdict::Fail;
            reasons.push(format!(
                "median {} is above the maximum {}",
                show(med),
                show(max)
            ));
        } else {
            reasons.push(format!("median {} <= {}", show(med), show(max)));
        }
    }
    verdict
}

/// A regression past `limit` fails only when the whole interval is past the noise floor
/// (or the metric repeats exactly); otherwise it is inconclusive.
fn regression(c: &Change, limit: f64, stats: Stats) -> (Verdict, String) {
    let reg = c.regression;
    let ci = match (c.regression_low, c.regression_high) {
        (Some(lo), Some(hi)) => format!(
            ", {:.0}% CI {} to {}",
            stats.confidence * 100.0,
            pct(lo),
            pct(hi)
        ),
        _ => format!(" ({})", c.method),
    };
    let exact = c.method == "exact";
    let v = if reg <= limit {
        Verdict::Pass
    } else if exact || c.regression_low.is_some_and(|lo| lo > stats.noise_floor) {
        Verdict::Fail
    } else {
        Verdict::Inconclusive
    };
    let limit_text = match v {
        Verdict::Pass => format!("within the limit {}", pct(limit)),
        Verdict::Fail => format!("past the limit {}", pct(limit)),
        _ => format!(
            "past, but the interval reaches the noise floor of {} (limit {})",
            pct(stats.noise_floor),
            pct(limit)
        ),
    };
    (v, format!("regression {}{ci}: {limit_text}", pct(reg)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Direction;

    const STATS: Stats = Stats {
        noise_floor: 0.02,
        confidence: 0.95,
    };

    fn reg(limit: f64) -> Limits {
        Limits {
            better: Direction::Higher,
            min: None,
            max: None,
            max_regression: Some(limit),
        }
    }

    fn show(x: f64) -> String {
        format!("{x:.1}")
    }

    #[test]
    fn absolute_limits_use_the_median() {
        let l = Limits {
            better: Direction::Higher,
            min: Some(100.0),
            max: None,
            max_regression: None,
        };
        // One slow outlier does not fail a median above the minimum.
        let j = judge(&l, &[120.0, 130.0, 10.0], None, false, STATS, show);
        assert_eq!(j.verdict, Verdict::Pass, "{}", j.reason);
        let j = judge(&l, &[90.0, 95.0, 300.0], None, false, STATS, show);
        assert_eq!(j.verdict, Verdict::Fail);
        assert!(j.reason.contains("below the minimum 100.0"), "{}", j.reason);
        let l = Limits {
            better: Direction::Lower,
            min: None,
            max: Some(0.5),
            max_regression: None,
        };
        assert_eq!(
            judge(&l, &[0.4], None, false, STATS, show).verdict,
            Verdict::Pass
        );
        let j = judge(&l, &[], None, false, STATS, show);
        assert_eq!(j.verdict, Verdict::Unmeasured);
        assert!(j.reason.contains("not measured"), "{}", j.reason);
        // A regression-only check without a baseline is not judged (never a pass).
        let j = judge(&reg(0.05), &[1.0, 2.0], None, false, STATS, show);
        assert_eq!(j.verdict, Verdict::Skipped);
        assert!(j.reason.contains("no baseline"), "{}", j.reason);
    }

    #[test]
    fn paired_regressions_fail_only_past_limit_and_noise() {
        // A/A: the same machine noise on both sides.
        let base = [100.0, 104.0, 98.0, 101.0, 99.0];
        let same = [101.0, 103.0, 99.0, 100.0, 98.5];
        let j = judge(&reg(0.05), &same, Some(&base), true, STATS, show);
        assert_eq!(j.verdict, Verdict::Pass, "{}", j.reason);
        // A clear 30% loss, consistent in every pair.
        let slow = [70.0, 73.0, 69.0, 70.5, 69.0];
        let j = judge(&reg(0.05), &slow, Some(&base), true, STATS, show);
        assert_eq!(j.verdict, Verdict::Fail, "{}", j.reason);
        let c = j.change.unwrap();
        assert!(
            (c.regression - 0.30).abs() < 0.01 && c.regression_low.unwrap() > 0.25,
            "{c:?}"
        );
        assert!(j.reason.contains("past the limit +5.0%"), "{}", j.reason);
        // Pairing removes drift that independent samples cannot: both sides drift together.
        let drift_b = [100.0, 120.0, 140.0, 160.0, 180.0];
        let drift_c: Vec<f64> = drift_b.iter().map(|x| x * 0.9).collect();
        let j = judge(&reg(0.05), &drift_c, Some(&drift_b), true, STATS, show);
        assert_eq!(
            j.verdict,
            Verdict::Fail,
            "paired sees the 10%: {}",
            j.reason
        );
        let j = judge(&reg(0.05), &drift_c, Some(&drift_b), false, STATS, show);
        assert_eq!(
            j.verdict,
            Verdict::Inconclusive,
            "unpaired cannot: {}",
            j.reason
        );
    }

    #[test]
    fn noisy_point_estimates_are_inconclusive_not_failures() {
        let base = [100.0, 80.0, 120.0];
        let cand = [85.0, 95.0, 70.0];
        let j = judge(&reg(0.05), &cand, Some(&base), true, STATS, show);
        assert_eq!(j.verdict, Verdict::Inconclusive, "{}", j.reason);
        // One run each: no interval, so a big point estimate cannot fail.
        let j = judge(&reg(0.05), &[50.0], Some(&[100.0]), true, STATS, show);
        assert_eq!(j.verdict, Verdict::Inconclusive, "{}", j.reason);
    }

    #[test]
    fn exact_metrics_compare_directly_and_lower_is_better_works() {
        let l = Limits {
            better: Direction::Lower,
            min: None,
            max: None,
            max_regression: Some(0.01),
        };
        let j = judge(
            &l,
            &[1050.0, 1050.0],
            Some(&[1000.0, 1000.0]),
            true,
            STATS,
            show,
        );
        assert_eq!(j.verdict, Verdict::Fail, "{}", j.reason);
        assert_eq!(j.change.as_ref().unwrap().method, "exact");
        let j = judge(
            &l,
            &[990.0, 990.0],
            Some(&[1000.0, 1000.0]),
            true,
            STATS,
            show,
        );
        assert_eq!(j.verdict, Verdict::Pass, "an improvement: {}", j.reason);
        // Latency (lower is better) that doubled, consistently.
        let j = judge(
            &l,
            &[20.0, 21.0, 19.5],
            Some(&[10.0, 10.4, 9.8]),
            true,
            STATS,
            show,
        );
        assert_eq!(j.verdict, Verdict::Fail);
        assert!((j.change.unwrap().regression - 1.0).abs() < 0.05);
        // No baseline: the regression part is skipped, the check is not failed.
        let j = judge(&l, &[5.0], None, false, STATS, show);
        assert_eq!(j.verdict, Verdict::Skipped);
        assert!(j.reason.contains("no baseline"));
    }
}
