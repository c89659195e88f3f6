//! Medians, 95% confidence intervals and "is this difference outside the noise".
//!
//! Intervals are Student-t intervals of the mean (repeats are few, so the t quantile matters);
//! the point estimate shown is the median, which a single outlier run cannot drag.

use serde::{Deserialize, Serialize};

/// Two-sided 97.5% Student-t quantiles for 1..=30 degrees of freedom.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The t quantile for a 95% two-sided interval with `df` degrees of freedom.
pub fn t95(df: f64) -> f64 {
    if df < 1.0 {
        return f64::INFINITY;
    }
    let i = df.floor() as usize;
    if i <= 30 {
        T975[i - 1]
    } else {
        1.96 + 2.4 / df // close to the true quantile past 30 df
    }
}

/// Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p <= 0.0 {
        f64::NEG_INFINITY
    } else if p >= 1.0 {
        f64::INFINITY
    } else if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// The Student-t quantile for a two-sided interval of `confidence` (e.g. 0.95) with `df`
/// degrees of freedom: exact for 1 and 2 df, a Cornish-Fisher expansion above (within 1% of
/// the tables at 3 df, closer beyond).
pub fn t_quantile(confidence: f64, df: f64) -> f64 {
    if df < 1.0 || !(0.0..1.0).contains(&confidence) {
        return f64::INFINITY;
    }
    let p = 0.5 + confidence / 2.0;
    if df < 2.0 {
        return (std::f64::consts::PI * (p - 0.5)).tan();
    }
    if df < 3.0 {
        return (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt();
    }
    let z = normal_quantile(p);
    let v = df;
    z + (z.powi(3) + z) / (4.0 * v)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * v.powi(3))
        + (79.0 * z.powi(9) + 776.0 * z.powi(7) + 1482.0 * z.powi(5)
            - 1920.0 * z.powi(3)
            - 945.0 * z)
            / (92160.0 * v.powi(4))
}

/// Summary of one metric over repeats.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub n: usize,
    pub median: f64,
    pub mean: f64,
    /// 95% interval of the mean; equal to the mean when n < 2 (no interval). From
    /// [`Estimate::of_domain`], a metric that cannot be negative has its lower bound clipped
    /// at 0: a Student-t interval over two or three noisy repeats can reach below zero, which
    /// no throughput, latency or size can.
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Mean and sample variance (n − 1 in the denominator; 0 for a single value).
pub fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var)
}

/// Welch–Satterthwaite degrees of freedom for two sample means with squared standard errors
/// `se2_a` and `se2_b` over `na` and `nb` values; infinite when both are exact.
pub fn welch_df(se2_a: f64, na: f64, se2_b: f64, nb: f64) -> f64 {
    if se2_a + se2_b > 0.0 {
        (se2_a + se2_b).powi(2) / (se2_a.powi(2) / (na - 1.0) + se2_b.powi(2) / (nb - 1.0))
    } else {
        f64::INFINITY
    }
}

/// The median (NaN for an empty slice).
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

impl Estimate {
    /// `None` for an empty sample.
    pub fn of(xs: &[f64]) -> Option<Estimate> {
        if xs.is_empty() {
            return None;
        }
        let (mean, var) = mean_var(xs);
        let half = if xs.len() > 1 {
            t95(xs.len() as f64 - 1.0) * (var / xs.len() as f64).sqrt()
        } else {
            0.0
        };
        Some(Estimate {
            n: xs.len(),
            median: median(xs),
            mean,
            ci_low: mean - half,
            ci_high: mean + half,
        })
    }

    /// [`Estimate::of`] with the interval clipped to the metric's domain: a metric that
    /// cannot be negative (throughput, latency, sizes, ratios) never gets a bound below 0.
    pub fn of_domain(xs: &[f64], nonnegative: bool) -> Option<Estimate> {
        let mut e = Estimate::of(xs)?;
        if nonnegative {
            e.ci_low = e.ci_low.max(0.0);
        }
        Some(e)
    }

    /// Whether the estimate carries an interval (at least two repeats).
    pub fn has_interval(&self) -> bool {
        self.n >= 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_and_interval() {
        let e = Estimate::of(&[10.0, 12.0, 11.0]).unwrap();
        assert_eq!(e.median, 11.0);
        assert!((e.mean - 11.0).abs() < 1e-12);
        // s = 1, n = 3: half width = 4.303 / sqrt(3)
        assert!((e.ci_high - 11.0 - 4.303 / 3f64.sqrt()).abs() < 1e-9);
        let one = Estimate::of(&[5.0]).unwrap();
        // Two wildly different repeats: the mean's interval of a non-negative metric stays
        // at or above 0; a metric that can be negative (a slope) is not clipped.
        let e = Estimate::of_domain(&[10.0, 300.0], true).unwrap();
        assert!(e.ci_low == 0.0 && e.ci_high > 300.0, "{e:?}");
        let e = Estimate::of_domain(&[3.0, 40.0], false).unwrap();
        assert!(e.ci_low < 0.0, "{e:?}");
        assert!(welch_df(0.0, 3.0, 0.0, 3.0).is_infinite());
        assert!(!one.has_interval() && one.ci_low == 5.0);
        assert!(Estimate::of(&[]).is_none());
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn t_quantiles_for_any_confidence_match_the_tables() {
        for df in 1..=30 {
            let t = t_quantile(0.95, df as f64);
            assert!((t / t95(df as f64) - 1.0).abs() < 0.002, "df {df}: {t}");
        }
        // 99%: 63.657 (1 df), 9.925 (2), 5.841 (3), 3.169 (10), 2.750 (30)
        for (df, want) in [
            (1.0, 63.657),
            (2.0, 9.925),
            (3.0, 5.841),
            (10.0, 3.169),
            (30.0, 2.750),
        ] {
            let t = t_quantile(0.99, df);
            assert!((t / want - 1.0).abs() < 0.01, "99%, df {df}: {t}");
        }
        // 90%, 5 df: 2.015
        assert!((t_quantile(0.90, 5.0) - 2.015).abs() < 0.01);
        assert!((normal_quantile(0.975) - 1.959964).abs() < 1e-6);
        assert!(t_quantile(0.95, 0.0).is_infinite());
    }

    #[test]
    fn t_quantiles() {
        assert_eq!(t95(1.0), 12.706);
        assert_eq!(t95(30.0), 2.042);
        assert!((t95(1000.0) - 1.96).abs() < 0.01);
        assert!(t95(0.5).is_infinite());
    }
}
