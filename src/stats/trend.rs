//! Long-run verdicts: is memory flat, and does throughput drift?

use serde::{Deserialize, Serialize};

/// RSS growth above which a run's memory is called growing, MiB per hour.
pub const RSS_GROWTH_THRESHOLD_MIB_PER_H: f64 = 50.0;

/// Verdict on resident memory over a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemoryVerdict {
    Stable,
    Growing,
}

/// One interval of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub t_s: f64,
    pub rss_bytes: u64,
    /// RocksDB's own accounting: block cache usage + memtables + table readers.
    pub rocksdb_mem_bytes: u64,
    pub ops_per_sec: f64,
}

/// Memory and throughput trends of one phase, after its warm-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// Least-squares slope of RSS over time, MiB per hour.
    pub rss_slope_mib_per_h: f64,
    /// Slope of RocksDB's own accounting (cache, memtables, table readers), MiB per hour:
    /// bounded structures filling up, not a leak.
    #[serde(default)]
    pub rocksdb_slope_mib_per_h: f64,
    /// Slope of RSS minus RocksDB's accounting, MiB per hour: what the verdict judges.
    #[serde(default)]
    pub unaccounted_slope_mib_per_h: f64,
    /// Growing when the unaccounted slope exceeds this.
    pub threshold_mib_per_h: f64,
    pub verdict: MemoryVerdict,
    /// Intervals used (after the warm-up).
    pub samples: usize,
    pub first_rss_bytes: u64,
    pub last_rss_bytes: u64,
    /// Mean ops/s of the last 10% of intervals / of the first 10%, minus 1.
    pub throughput_drift: Option<f64>,
}

/// A least-squares slope, fed one point at a time (Welford-style running means and
/// co-moments: O(1) per point and numerically stable over a day of 1-second samples).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct RunningSlope {
    n: f64,
    mean_x: f64,
    mean_y: f64,
    cxx: f64,
    cxy: f64,
}

impl RunningSlope {
    pub fn add(&mut self, x: f64, y: f64) {
        self.n += 1.0;
        let dx = x - self.mean_x;
        self.mean_x += dx / self.n;
        self.mean_y += (y - self.mean_y) / self.n;
        self.cxx += dx * (x - self.mean_x);
        self.cxy += dx * (y - self.mean_y);
    }

    /// Points added so far.
    pub fn len(&self) -> f64 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0.0
    }

    /// dy/dx; `None` with fewer than two distinct x.
    pub fn slope(&self) -> Option<f64> {
        (self.n >= 2.0 && self.cxx > 0.0).then(|| self.cxy / self.cxx)
    }
}

/// The least-squares slope of `ys` over `xs` (pairs beyond the shorter slice are ignored);
/// `None` with fewer than two points or no spread in x.
pub fn slope(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let mut s = RunningSlope::default();
    for (x, y) in xs.iter().zip(ys) {
        s.add(*x, *y);
    }
    s.slope()
}

/// The trend of `points`, skipping those before `warmup_s`. `None` with fewer than 10
/// points after the warm-up: too short to say.
pub fn trend(points: &[Point], warmup_s: f64, threshold_mib_per_h: f64) -> Option<Trend> {
    let pts: Vec<&Point> = points.iter().filter(|p| p.t_s > warmup_s).collect();
    if pts.len() < 10 {
        return None;
    }
    const MIB: f64 = 1024.0 * 1024.0;
    let xs: Vec<f64> = pts.iter().map(|p| p.t_s / 3600.0).collect();
    let series = |f: &dyn Fn(&Point) -> f64| -> Vec<f64> { pts.iter().map(|p| f(p)).collect() };
    let rss = slope(&xs, &series(&|p| p.rss_bytes as f64 / MIB))?;
    let rocks = slope(&xs, &series(&|p| p.rocksdb_mem_bytes as f64 / MIB)).unwrap_or(0.0);
    let unaccounted = slope(
        &xs,
        &series(&|p| (p.rss_bytes as f64 - p.rocksdb_mem_bytes as f64) / MIB),
    )
    .unwrap_or(rss);
    let tenth = (pts.len() / 10).max(1);
    let mean = |v: &[&Point]| v.iter().map(|p| p.ops_per_sec).sum::<f64>() / v.len() as f64;
    let (h, t) = (mean(&pts[..tenth]), mean(&pts[pts.len() - tenth..]));
    Some(Trend {
        rss_slope_mib_per_h: rss,
        rocksdb_slope_mib_per_h: rocks,
        unaccounted_slope_mib_per_h: unaccounted,
        threshold_mib_per_h,
        verdict: if unaccounted > threshold_mib_per_h {
            MemoryVerdict::Growing
        } else {
            MemoryVerdict::Stable
        },
        samples: pts.len(),
        first_rss_bytes: pts[0].rss_bytes,
        last_rss_bytes: pts[pts.len() - 1].rss_bytes,
        throughput_drift: (h > 0.0).then(|| t / h - 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_and_growing_series() {
        const MIB: u64 = 1 << 20;
        // 10 minutes, 1 s apart, RSS noisy around 500 MiB: stable.
        let pt = |t: f64, rss: u64, rocks: u64, ops: f64| Point {
            t_s: t,
            rss_bytes: rss,
            rocksdb_mem_bytes: rocks,
            ops_per_sec: ops,
        };
        let flat: Vec<Point> = (1..=600)
            .map(|i| {
                pt(
                    i as f64,
                    500 * MIB + (i * 7919 % 13) * MIB / 4,
                    100 * MIB,
                    1000.0,
                )
            })
            .collect();
        let t = trend(&flat, 30.0, 50.0).unwrap();
        assert_eq!(t.verdict, MemoryVerdict::Stable);
        assert!(
            t.rss_slope_mib_per_h.abs() < 10.0,
            "{}",
            t.rss_slope_mib_per_h
        );
        assert_eq!(t.samples, 570);
        assert!(t.throughput_drift.unwrap().abs() < 1e-9);
        // Growing 1 MiB every 10 s = 360 MiB/h, throughput falling by half.
        let grow: Vec<Point> = (1..=600)
            .map(|i| {
                pt(
                    i as f64,
                    500 * MIB + (i as u64 / 10) * MIB,
                    100 * MIB,
                    1000.0 - i as f64 * 0.9,
                )
            })
            .collect();
        let t = trend(&grow, 30.0, 50.0).unwrap();
        assert_eq!(t.verdict, MemoryVerdict::Growing);
        assert!(
            (t.rss_slope_mib_per_h - 360.0).abs() < 5.0,
            "{}",
            t.rss_slope_mib_per_h
        );
        assert!(
            (t.throughput_drift.unwrap() + 0.49).abs() < 0.02,
            "{:?}",
            t.throughput_drift
        );
        assert!(
            trend(&grow[..20], 30.0, 50.0).is_none(),
            "too short after warm-up"
        );
        assert_eq!(slope(&[1.0, 1.0], &[1.0, 2.0]), None);
        assert_eq!(slope(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), Some(2.0));
        // Large offsets (a day of seconds, GiB of RSS) keep the exact slope.
        let xs: Vec<f64> = (0..86_400).map(|i| 1e6 + i as f64).collect();
        let ys: Vec<f64> = xs.iter().map(|x| 4e9 + 0.25 * x).collect();
        assert!((slope(&xs, &ys).unwrap() - 0.25).abs() < 1e-9);
    }
}
