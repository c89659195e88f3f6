//! Relative changes between two samples with their intervals: the ratio of means of two
//! independent samples (scenario comparisons, the recommender, the tuner) and the
//! candidate/baseline ratio of a gate check (paired log ratios, or Welch on logs).

use super::estimate::{mean_var, t95, t_quantile, welch_df};
use serde::{Deserialize, Deserializer, Serialize};

/// Which direction is better for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Higher,
    Lower,
}

/// Mean and sample standard deviation.
fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let (m, v) = mean_var(xs);
    (m, v.sqrt())
}

/// The relative difference a/b − 1 with a 95% interval (Welch, delta method on the log of
/// the ratio of means, so the interval of a positive metric never goes below −100%), and
/// whether it is outside the noise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub rel: f64,
    /// Interval bounds; infinite when either side has a single repeat (JSON: null).
    #[serde(deserialize_with = "null_as_neg_inf")]
    pub rel_low: f64,
    #[serde(deserialize_with = "null_as_inf")]
    pub rel_high: f64,
    /// The whole interval is on one side of zero (and both sides had ≥ 2 repeats, or the
    /// values are exactly repeatable).
    pub significant: bool,
}

fn null_as_neg_inf<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NEG_INFINITY))
}

fn null_as_inf<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
}

/// A relative change as a signed percentage; above +999% it reads `>+999%` (below −999%,
/// possible for a worse-direction change, `<-999%`), since an interval from two or three
/// noisy repeats can reach absurd bounds on the log scale and the digits say nothing more
/// than "unknown".
pub fn pct_change(rel: f64) -> String {
    if rel > 9.99 {
        ">+999%".into()
    } else if rel < -9.99 {
        "<-999%".into()
    } else {
        format!("{:+.1}%", rel * 100.0)
    }
}

impl Comparison {
    /// `mean +12.3% (95% CI +4.0% to +20.6%)`, `, within noise` when not significant.
    pub fn describe(&self) -> String {
        let ci = if self.rel_low.is_finite() && self.rel_high.is_finite() {
            format!(
                "95% CI {} to {}",
                pct_change(self.rel_low),
                pct_change(self.rel_high)
            )
        } else {
            "no interval: one repeat".to_string()
        };
        format!(
            "mean {:+.1}% ({ci}){}",
            self.rel * 100.0,
            if self.significant {
                ""
            } else {
                ", within noise"
            }
        )
    }
}

pub fn compare(a: &[f64], b: &[f64]) -> Option<Comparison> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (ma, va) = mean_var(a);
    let (mb, vb) = mean_var(b);
    if mb == 0.0 {
        return None;
    }
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let rel = ma / mb - 1.0;
    if a.len() < 2 || b.len() < 2 {
        return Some(Comparison {
            rel,
            rel_low: f64::NEG_INFINITY,
            rel_high: f64::INFINITY,
            significant: false,
        });
    }
    let se_a = va / na;
    let se_b = vb / nb;
    let df = welch_df(se_a, na, se_b, nb);
    let t = if df.is_finite() { t95(df) } else { 1.96 };
    let (lo, hi) = if a.iter().chain(b).all(|&x| x > 0.0) {
        // Delta method on the log ratio: var(ln ma − ln mb) ≈ se_a/ma² + se_b/mb²; the
        // interval is symmetric in ln(ratio), so a halving and a doubling weigh the same.
        let se_log = (se_a / (ma * ma) + se_b / (mb * mb)).sqrt();
        let ln_r = (ma / mb).ln();
        (
            (ln_r - t * se_log).exp() - 1.0,
            (ln_r + t * se_log).exp() - 1.0,
        )
    } else {
        // A zero or negative sample (no stalls at all, a falling RSS slope): the ratio has
        // no log, so the linear delta method on ma/mb is used.
        let se_r = if ma != 0.0 {
            (ma / mb).abs() * (se_a / (ma * ma) + se_b / (mb * mb)).sqrt()
        } else {
            se_a.sqrt() / mb.abs()
        };
        (rel - t * se_r, rel + t * se_r)
    };
    Some(Comparison {
        rel,
        rel_low: lo,
        rel_high: hi,
        significant: lo > 0.0 || hi < 0.0,
    })
}

/// [`compare`] for samples taken in pairs (`a[i]` and `b[i]` in one round of interleaved
/// repeats, so a drift of the machine between rounds moves both): the geometric mean of the
/// per-pair ratios − 1, with a paired t interval on the log ratios. Samples that are not
/// pairs of positive values of one length (at least 2) fall back to [`compare`].
pub fn compare_paired(a: &[f64], b: &[f64]) -> Option<Comparison> {
    let positive = a.iter().chain(b).all(|x| *x > 0.0 && x.is_finite());
    if a.len() != b.len() || a.len() < 2 || !positive {
        return compare(a, b);
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| (x / y).ln()).collect();
    let (m, sd) = mean_sd(&d);
    let n = d.len() as f64;
    let h = t95(n - 1.0) * sd / n.sqrt();
    let (lo, hi) = ((m - h).exp() - 1.0, (m + h).exp() - 1.0);
    Some(Comparison {
        rel: m.exp() - 1.0,
        rel_low: lo,
        rel_high: hi,
        significant: lo > 0.0 || hi < 0.0,
    })
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

/// At least two samples, all equal: a deterministic metric.
fn exact(xs: &[f64]) -> bool {
    xs.len() >= 2 && xs.windows(2).all(|w| w[0] == w[1])
}

/// The change of `cand` over `base`; `paired` when sample i of each belongs together.
pub fn change(
    cand: &[f64],
    base: &[f64],
    paired: bool,
    better: Direction,
    confidence: f64,
) -> Option<Change> {
    if cand.is_empty() || base.is_empty() {
        return None;
    }
    let positive = cand.iter().chain(base).all(|x| *x > 0.0);
    let worse = |r: f64| match better {
        Direction::Higher => 1.0 - r,
        Direction::Lower => r - 1.0,
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
            let df = match welch_df(vc, nc, vb, nb) {
                d if d.is_finite() => d,
                _ => nc + nb - 2.0,
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
        (Direction::Higher, Some((lo, hi))) => (Some(worse(hi)), Some(worse(lo))),
        (Direction::Lower, Some((lo, hi))) => (Some(worse(lo)), Some(worse(hi))),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Interleaved rounds where the machine sped up 1.8x in the last: as independent samples
    /// the 20% gain drowns in the drift; in pairs (one round each) it stands out. Unequal
    /// lengths fall back to the independent comparison.
    #[test]
    fn paired_comparison_sees_through_a_drift_between_rounds() {
        let b = [30_000.0, 32_000.0, 37_000.0, 38_000.0, 61_000.0];
        let a: Vec<f64> = b
            .iter()
            .zip([1.22, 1.18, 1.2, 1.21, 1.19])
            .map(|(x, r)| x * r)
            .collect();
        let welch = compare(&a, &b).unwrap();
        assert!(!welch.significant, "{welch:?}");
        let p = compare_paired(&a, &b).unwrap();
        assert!(
            p.significant && p.rel_low > 0.15 && p.rel_high < 0.25,
            "{p:?}"
        );
        assert!((p.rel - 0.2).abs() < 0.01, "{p:?}");
        assert_eq!(compare_paired(&a[..4], &b), compare(&a[..4], &b));
    }

    #[test]
    fn comparisons_respect_noise() {
        let a = [110.0, 111.0, 109.0, 110.5, 109.5];
        let b = [100.0, 101.0, 99.0, 100.5, 99.5];
        let c = compare(&a, &b).unwrap();
        assert!(c.significant && (c.rel - 0.10).abs() < 1e-9 && c.rel_low > 0.05);
        // Two wildly different repeats: the interval is wide but stays above −100%, and the
        // mean's interval stays at or above 0 (no negative throughput).
        let c = compare(&[10.0, 300.0], &[100.0, 101.0]).unwrap();
        assert!(
            !c.significant && c.rel_low > -1.0 && c.rel_high > 1.0,
            "{c:?}"
        );
        // Mixed signs take the linear interval.
        let c = compare(&[-5.0, 20.0], &[3.0, 4.0]).unwrap();
        assert!(c.rel_low < -1.0 && c.rel_high.is_finite(), "{c:?}");
        let noisy = [130.0, 80.0, 120.0];
        let c = compare(&noisy, &b).unwrap();
        assert!(!c.significant, "{c:?}");
        let c = compare(&[2.0, 2.0], &[1.0, 1.0]).unwrap();
        assert!(
            c.significant && c.rel == 1.0,
            "exactly repeatable values: {c:?}"
        );
        let c = compare(&[2.0], &[1.0]).unwrap();
        assert!(!c.significant, "one run each has no interval");
        assert!(c.describe().contains("no interval"));
        let json = serde_json::to_string(&c).unwrap();
        let back: Comparison = serde_json::from_str(&json).unwrap();
        assert!(back.rel_low == f64::NEG_INFINITY && back.rel_high == f64::INFINITY);
    }

    #[test]
    fn gate_changes_by_method() {
        let base = [100.0, 104.0, 98.0];
        let c = change(&[90.0, 93.6, 88.2], &base, true, Direction::Higher, 0.95).unwrap();
        assert_eq!(c.method, "paired");
        assert!((c.regression - 0.10).abs() < 1e-9 && c.regression_low.unwrap() > 0.09);
        let c = change(&[90.0, 95.0, 85.0], &base, false, Direction::Higher, 0.95).unwrap();
        assert_eq!(c.method, "independent");
        assert!(c.ratio_low.unwrap() < c.ratio && c.ratio < c.ratio_high.unwrap());
        let c = change(&[0.0, 2.0], &[1.0, 1.0], true, Direction::Lower, 0.95).unwrap();
        assert_eq!((c.method.as_str(), c.ratio), ("ratio of means", 1.0));
        let c = change(&[3.0, 3.0], &[2.0, 2.0], true, Direction::Lower, 0.95).unwrap();
        assert_eq!((c.method.as_str(), c.regression), ("exact", 0.5));
        assert!(change(&[], &base, true, Direction::Higher, 0.95).is_none());
    }
}
