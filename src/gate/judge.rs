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

use crate::tune::stats::{median, t_quantile, Estimate};
use serde::{Deserialize, Serialize};

/// Which direction is better for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

/// A check's outcome, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Skipped,
    Pass,
    Warn,
    Inconclusive,
    Fail,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Skipped => "skipped",
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Fail => "fail",
        }
    }
}

/// What a check asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub better: Better,
    /// Absolute bounds on the candidate's median.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Largest tolerated change in the worse direction, as a fraction (0.10 = 10%).
    pub max_regression: Option<f64>,
}

/// How the statistics are set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub noise_floor: f64,
    pub confidence: f64,
}

/// The relative change candidate / baseline − 1, with its interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub ratio: f64,
    /// Interval of the ratio; `None` when there is none (a single run, or exact repeats).
    pub ratio_low: Option<f64>,
    pub ratio_high: Option<f64>,
    /// Worse-direction change (positive = regression) and its interval.
    pub regression: f64,
    pub regression_low: Option<f64>,
    pub regression_high: Option<f64>,
    /// "paired" (per-pair log ratios), "independent" (Welch on logs), "exact" (no spread).
    pub method: String,
}

/// A check's verdict with the figures behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    pub verdict: Verdict,
    pub reason: String,
    pub candidate: Option<Estimate>,
    pub baseline: Option<Estimate>,
    pub change: Option<Change>,
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = if xs.len() > 1 {
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (m, v.sqrt())
}

/// At least two samples, all equal: a deterministic metric.
fn exact(xs: &[f64]) -> bool {
    xs.len() >= 2 && xs.windows(2).all(|w| w[0] == w[1])
}

/// The change of `cand` over `base`; `paired` when sample i of each belongs together.
pub fn change(
    cand: &[f64],
    base: &[f64],
    paired: bool,
    better: Better,
    confidence: f64,
) -> Option<Change> {
    if cand.is_empty() || base.is_empty() {
        return None;
    }
    let positive = cand.iter().chain(base).all(|x| *x > 0.0);
    let worse = |r: f64| match better {
        Better::Higher => 1.0 - r,
        Better::Lower => r - 1.0,
    };
    let (ratio, interval, method) = if exact(cand) && exact(base) {
        if base[0] == 0.0 {
            return None;
        }
        (cand[0] / base[0], None, "exact")
    } else if !positive {
        // Zeros (e.g. stall time) have no logarithm: the ratio of means, no interval.
        let (mc, _) = mean_sd(cand);
        let (mb, _) = mean_sd(base);
        if mb == 0.0 {
            return None;
        }
        (mc / mb, None, "ratio of means")
    } else if paired && cand.len() == base.len() {
        let d: Vec<f64> = cand.iter().zip(base).map(|(c, b)| (c / b).ln()).collect();
        let (m, sd) = mean_sd(&d);
        let n = d.len() as f64;
        let iv = (d.len() >= 2).then(|| {
            let h = t_quantile(confidence, n - 1.0) * sd / n.sqrt();
            ((m - h).exp(), (m + h).exp())
        });
        (m.exp(), iv, "paired")
    } else {
        let lc: Vec<f64> = cand.iter().map(|x| x.ln()).collect();
        let lb: Vec<f64> = base.iter().map(|x| x.ln()).collect();
        let (mc, sc) = mean_sd(&lc);
        let (mb, sb) = mean_sd(&lb);
        let (nc, nb) = (lc.len() as f64, lb.len() as f64);
        let m = mc - mb;
        let iv = (lc.len() >= 2 && lb.len() >= 2).then(|| {
            let (vc, vb) = (sc * sc / nc, sb * sb / nb);
            let se = (vc + vb).sqrt();
            let df = if vc + vb > 0.0 {
                (vc + vb).powi(2) / (vc * vc / (nc - 1.0) + vb * vb / (nb - 1.0))
            } else {
                nc + nb - 2.0
            };
            let h = t_quantile(confidence, df) * se;
            ((m - h).exp(), (m + h).exp())
        });
        (m.exp(), iv, "independent")
    };
    let (rl, rh) = interval.unzip();
    // The worse-direction interval: for "higher is better" a lower ratio is worse.
    let (gl, gh) = match (better, interval) {
        (_, None) => (None, None),
        (Better::Higher, Some((lo, hi))) => (Some(worse(hi)), Some(worse(lo))),
        (Better::Lower, Some((lo, hi))) => (Some(worse(lo)), Some(worse(hi))),
    };
    Some(Change {
        ratio,
        ratio_low: rl,
        ratio_high: rh,
        regression: worse(ratio),
        regression_low: gl,
        regression_high: gh,
        method: method.to_string(),
    })
}

fn pct(x: f64) -> String {
    format!("{:+.1}%", x * 100.0)
}

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
        j.verdict = Verdict::Skipped;
        j.reason = "metric not measured".into();
        return j;
    };
    let med = ce.median;
    let mut reasons = Vec::new();
    // Pass once some part was judged; Skipped when nothing could be.
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
    if let Some(limit) = limits.max_regression {
        match baseline {
            None => {
                reasons.push(format!(
                    "no baseline: regression limit {} not checked",
                    pct(limit)
                ));
            }
            Some(b) => match change(cand, b, paired, limits.better, stats.confidence) {
                None => reasons.push("baseline is zero or missing: no relative change".into()),
                Some(c) => {
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
                    let what = match v {
                        Verdict::Pass => "within",
                        Verdict::Fail => "past",
                        _ => "past, but the interval reaches the noise floor of",
                    };
                    let limit_text = if v == Verdict::Inconclusive {
                        format!("{what} {} (limit {})", pct(stats.noise_floor), pct(limit))
                    } else {
                        format!("{what} the limit {}", pct(limit))
                    };
                    reasons.push(format!("regression {}{ci}: {limit_text}", pct(reg)));
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

/// The median of `xs` (NaN when empty).
pub fn med(xs: &[f64]) -> f64 {
    median(xs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATS: Stats = Stats {
        noise_floor: 0.02,
        confidence: 0.95,
    };

    fn reg(limit: f64) -> Limits {
        Limits {
            better: Better::Higher,
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
            better: Better::Higher,
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
            better: Better::Lower,
            min: None,
            max: Some(0.5),
            max_regression: None,
        };
        assert_eq!(
            judge(&l, &[0.4], None, false, STATS, show).verdict,
            Verdict::Pass
        );
        assert_eq!(
            judge(&l, &[], None, false, STATS, show).verdict,
            Verdict::Skipped
        );
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
            better: Better::Lower,
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
