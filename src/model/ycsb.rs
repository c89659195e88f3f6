//! YCSB's measurements of one phase, as upstream's measurement classes export them: each
//! metric (`READ`, `READ-FAILED`, `Intended-READ`, `CLEANUP`, ...) with its lines
//! (`Operations`, `AverageLatency(us)`, percentiles, `Return=` counts, time series), so
//! that the text, JSON and JSON-array exporters print what upstream YCSB prints.

use crate::workload::ycsb::{MeasurementType, YcsbMeasure};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// A measurement's value: upstream writes longs and ints plainly and doubles with Java's
/// `Double.toString`; `NaN` (a metric without samples) is kept as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum YValue {
    Int(i64),
    Double(f64),
    Text(String),
}

impl YValue {
    /// A double, NaN and infinities as Java prints them.
    pub fn double(x: f64) -> YValue {
        if x.is_finite() {
            YValue::Double(x)
        } else {
            YValue::Text(java_double(x))
        }
    }

    /// As the text exporter prints it.
    pub fn text(&self) -> String {
        match self {
            YValue::Int(i) => i.to_string(),
            YValue::Double(x) => java_double(*x),
            YValue::Text(s) => s.clone(),
        }
    }

    /// As Jackson's JSON generator writes it (non-numeric doubles quoted).
    pub fn json(&self) -> String {
        match self {
            YValue::Text(s) => serde_json::to_string(s).unwrap_or_default(),
            v => v.text(),
        }
    }
}

/// Java's `Double.toString`: plain notation with at least one decimal for
/// 10^-3 <= |x| < 10^7, else `d.dddE±n`; the shortest digits that read back to `x`.
pub fn java_double(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    if (1e-3..1e7).contains(&x.abs()) {
        // Rust's Debug form is plain in this range, with ".0" on whole numbers.
        return format!("{x:?}");
    }
    let s = format!("{x:e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    if mant.contains('.') {
        format!("{mant}E{exp}")
    } else {
        format!("{mant}.0E{exp}")
    }
}

/// One metric: its name as upstream names it (`READ`, `READ-FAILED`, `Intended-READ`) and
/// what it exports: one part, or two for `measurementtype=hdrhistogram+histogram`
/// (`[HdrREAD]` then `[BucketREAD]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YcsbMetric {
    pub name: String,
    /// In upstream's intended-latency map (`measurement.interval` intended or both),
    /// exported after the op map.
    #[serde(default)]
    pub intended: bool,
    pub parts: Vec<YcsbPart>,
}

/// The lines one measurement exports under its label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YcsbPart {
    pub label: String,
    pub lines: Vec<(String, YValue)>,
}

/// Upstream's `ordinal()` for a percentile's line name: 50th, 1st, 22nd, 99.9.
pub fn ordinal(p: f64) -> String {
    if p.fract() == 0.0 {
        let j = p as i64;
        let suffix = match (j % 100, j % 10) {
            (11..=13, _) => "th",
            (_, 1) => "st",
            (_, 2) => "nd",
            (_, 3) => "rd",
            _ => "th",
        };
        format!("{j}{suffix}")
    } else {
        java_double(p)
    }
}

/// HdrHistogram's `getValueAtPercentile` as upstream's Java library computes it: the
/// requested percentile nudged one ulp down, the count at it rounded up (at least 1), the
/// highest value equivalent to the bucket reaching it (the lowest for percentile 0).
pub fn java_value_at_percentile(h: &Histogram<u64>, p: f64) -> u64 {
    if h.is_empty() {
        return 0;
    }
    let down = if p > 0.0 {
        f64::from_bits(p.to_bits() - 1)
    } else {
        0.0
    };
    let req = down.clamp(0.0, 100.0);
    let count = ((req * h.len() as f64 / 100.0).ceil() as u64).max(1);
    let mut acc = 0;
    for v in h.iter_recorded() {
        acc += v.count_at_value();
        if acc >= count {
            let at = v.value_iterated_to();
            return if p == 0.0 {
                h.lowest_equivalent(at)
            } else {
                h.highest_equivalent(at)
            };
        }
    }
    h.max()
}

/// The mean as Java's HdrHistogram computes it: the sum of each bucket's median-equivalent
/// value times its count, divided once by the total (the Rust crate divides each term).
pub fn java_mean(h: &Histogram<u64>) -> f64 {
    if h.is_empty() {
        return 0.0;
    }
    let total: f64 = h
        .iter_recorded()
        .map(|v| h.median_equivalent(v.value_iterated_to()) as f64 * v.count_at_value() as f64)
        .sum();
    total / h.len() as f64
}

/// A histogram of whole µs (as upstream's, 3 significant digits) from one of rdbtune's
/// nanosecond histograms holding whole-µs samples: identical below 2^20 ns (about 1 ms,
/// where a nanosecond bucket holds at most one whole µs); above, within the histograms'
/// own 0.1% resolution.
pub fn us_histogram(h_ns: &Histogram<u64>) -> Histogram<u64> {
    let mut h = Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid bounds");
    for v in h_ns.iter_recorded() {
        h.saturating_record_n(v.value_iterated_to() / 1000, v.count_at_value());
    }
    h
}

/// `Return=` lines in upstream's order (its hash order over Status: OK, UNEXPECTED_STATE,
/// NOT_FOUND, ERROR), the statuses that occurred.
fn return_lines(statuses: &[(&str, u64)], lines: &mut Vec<(String, YValue)>) {
    for name in ["OK", "UNEXPECTED_STATE", "NOT_FOUND", "ERROR"] {
        if let Some((_, n)) = statuses.iter().find(|(s, n)| *s == name && *n > 0) {
            lines.push((format!("Return={name}"), YValue::Int(*n as i64)));
        }
    }
}

/// What one metric measured, for its lines.
pub struct Measured<'a> {
    /// Whole-µs samples (empty when none).
    pub us: &'a Histogram<u64>,
    /// `Return=` counts, by upstream's status name.
    pub statuses: &'a [(&'a str, u64)],
    /// With `measurementtype=timeseries`: the time series.
    pub series: Option<SeriesView<'a>>,
}

/// A metric's time series: (window start ms, sum µs, samples) per window with samples, and
/// the totals over all windows.
#[derive(Clone, Copy)]
pub struct SeriesView<'a> {
    pub windows: &'a [(u64, u64, u64)],
    pub count: u64,
    pub sum_us: u64,
    pub min_us: u64,
    pub max_us: u64,
}

/// A metric's parts as upstream's measurement of type `mt` exports them.
pub fn metric_parts(name: &str, m: &YcsbMeasure, x: &Measured) -> Vec<YcsbPart> {
    match m.measurementtype {
        MeasurementType::Hdrhistogram => vec![YcsbPart {
            label: name.into(),
            lines: hdr_lines(m, x, true),
        }],
        MeasurementType::Histogram => vec![YcsbPart {
            label: name.into(),
            lines: bucket_lines(m, x, true),
        }],
        // TwoInOneMeasurement: statuses go to the HdrHistogram part only.
        MeasurementType::HdrhistogramHistogram => vec![
            YcsbPart {
                label: format!("Hdr{name}"),
                lines: hdr_lines(m, x, true),
            },
            YcsbPart {
                label: format!("Bucket{name}"),
                lines: bucket_lines(m, x, false),
            },
        ],
        MeasurementType::Timeseries => vec![YcsbPart {
            label: name.into(),
            lines: series_lines(x),
        }],
    }
}

/// OneMeasurementHdrHistogram.exportMeasurements.
fn hdr_lines(m: &YcsbMeasure, x: &Measured, statuses: bool) -> Vec<(String, YValue)> {
    let h = x.us;
    let mut l = vec![
        ("Operations".to_string(), YValue::Int(h.len() as i64)),
        ("AverageLatency(us)".into(), YValue::double(java_mean(h))),
        ("MinLatency(us)".into(), YValue::Int(h.min() as i64)),
        ("MaxLatency(us)".into(), YValue::Int(h.max() as i64)),
    ];
    for &p in &m.percentiles {
        l.push((
            format!("{}PercentileLatency(us)", ordinal(p)),
            YValue::Int(java_value_at_percentile(h, p) as i64),
        ));
    }
    if statuses {
        return_lines(x.statuses, &mut l);
    }
    if m.verbose {
        for v in h.iter_recorded() {
            l.push((
                v.value_iterated_to().to_string(),
                YValue::double(v.count_at_value() as f64),
            ));
        }
    }
    l
}

/// OneMeasurementHistogram.exportMeasurements: 1 ms buckets, the 95th and 99th
/// percentiles as the lower bound (µs) of the bucket that reaches them.
fn bucket_lines(m: &YcsbMeasure, x: &Measured, statuses: bool) -> Vec<(String, YValue)> {
    let h = x.us;
    let ops = h.len();
    let (mut sum, mut sq) = (0f64, 0f64);
    let buckets = m.histogram_buckets as usize;
    let mut counts = vec![0u64; buckets];
    let mut overflow = 0u64;
    for v in h.iter_recorded() {
        let (us, n) = (v.value_iterated_to() as f64, v.count_at_value());
        sum += us * n as f64;
        sq += us * us * n as f64;
        match counts.get_mut(h.lowest_equivalent(v.value_iterated_to()) as usize / 1000) {
            Some(c) => *c += n,
            None => overflow += n,
        }
    }
    let mean = sum / ops as f64;
    let (min, max) = if ops == 0 {
        (-1, -1)
    } else {
        (h.min() as i64, h.max() as i64)
    };
    let mut l = vec![
        ("Operations".to_string(), YValue::Int(ops as i64)),
        ("AverageLatency(us)".into(), YValue::double(mean)),
        (
            "LatencyVariance(us)".into(),
            YValue::double(sq / ops as f64 - mean * mean),
        ),
        ("MinLatency(us)".into(), YValue::Int(min)),
        ("MaxLatency(us)".into(), YValue::Int(max)),
    ];
    let (mut acc, mut done95) = (0u64, false);
    for (i, c) in counts.iter().enumerate() {
        acc += c;
        let share = acc as f64 / ops as f64;
        if !done95 && share >= 0.95 {
            l.push((
                "95thPercentileLatency(us)".into(),
                YValue::Int(i as i64 * 1000),
            ));
            done95 = true;
        }
        if share >= 0.99 {
            l.push((
                "99thPercentileLatency(us)".into(),
                YValue::Int(i as i64 * 1000),
            ));
            break;
        }
    }
    if statuses {
        return_lines(x.statuses, &mut l);
    }
    if m.verbose {
        for (i, c) in counts.iter().enumerate() {
            l.push((i.to_string(), YValue::Int(*c as i64)));
        }
        l.push((format!(">{buckets}"), YValue::Int(overflow as i64)));
    }
    l
}

/// OneMeasurementTimeSeries.exportMeasurements: the totals, the statuses, then one line per
/// window with samples: its start (ms) and the mean latency in it.
fn series_lines(x: &Measured) -> Vec<(String, YValue)> {
    let (windows, n, sum, min, max) = x.series.map_or((&[][..], 0, 0, 0, 0), |s| {
        (s.windows, s.count, s.sum_us, s.min_us, s.max_us)
    });
    let (min, max) = if n == 0 {
        (-1, -1)
    } else {
        (min as i64, max as i64)
    };
    let mut l = vec![
        ("Operations".to_string(), YValue::Int(n as i64)),
        (
            "AverageLatency(us)".into(),
            YValue::double(sum as f64 / n as f64),
        ),
        ("MinLatency(us)".into(), YValue::Int(min)),
        ("MaxLatency(us)".into(), YValue::Int(max)),
    ];
    return_lines(x.statuses, &mut l);
    if windows.is_empty() {
        l.push(("0".into(), YValue::double(f64::NAN)));
    }
    for (t, s, c) in windows {
        l.push((t.to_string(), YValue::double(*s as f64 / *c as f64)));
    }
    l
}

/// The measurements of one YCSB phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct YcsbMeasurements {
    /// `[OVERALL], RunTime(ms)`: upstream's run time, from the client threads' start to
    /// their end, their cleanup (the DB's close by the last one) included.
    pub runtime_ms: u64,
    /// Operations the throughput counts (the phase's top-level ops).
    pub operations: u64,
    /// Per-thread cleanup times, whole µs (`[CLEANUP]`): each client thread's own cleanup,
    /// the last one with the DB's close when the command closes it after the phase.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleanup_us: Vec<u64>,
    pub metrics: Vec<YcsbMetric>,
    /// The first engine error an op met, when some did (counted as `Return=ERROR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

/// Upstream's order of the metrics it knows first, for ties within a hash bin (upstream:
/// the order in which they were first measured).
const CANONICAL: [&str; 15] = [
    "READ",
    "UPDATE",
    "INSERT",
    "SCAN",
    "READ-MODIFY-WRITE",
    "READ-FAILED",
    "UPDATE-FAILED",
    "INSERT-FAILED",
    "SCAN-FAILED",
    "READ-NOT_FOUND",
    "UPDATE-NOT_FOUND",
    "READ-ERROR",
    "UPDATE-ERROR",
    "VERIFY",
    "CLEANUP",
];

fn rank(name: &str) -> usize {
    let base = name.strip_prefix("Intended-").unwrap_or(name);
    CANONICAL
        .iter()
        .position(|c| *c == base)
        .unwrap_or(CANONICAL.len())
}

/// The bin of `name` in a `java.util.concurrent.ConcurrentHashMap` of `cap` bins.
pub fn chm_bin(name: &str, cap: usize) -> usize {
    let h = crate::workload::ycsb::fields::java_hash(name.as_bytes()) as u32;
    ((h ^ (h >> 16)) & 0x7fff_ffff) as usize & (cap - 1)
}

impl YcsbMeasurements {
    /// Sets `[CLEANUP]` from the client threads' cleanup times (µs, in the order the
    /// threads ended), the DB's close (µs) added to the last thread's, as upstream's last
    /// reference closes it.
    pub fn set_cleanup(&mut self, m: &YcsbMeasure, close_us: Option<u64>) {
        if let (Some(c), Some(last)) = (close_us, self.cleanup_us.last_mut()) {
            *last += c;
        }
        let mut h = Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid bounds");
        for &us in &self.cleanup_us {
            h.saturating_record(us);
        }
        self.metrics
            .retain(|x| x.name != "CLEANUP" && x.name != "Intended-CLEANUP");
        if self.cleanup_us.is_empty() {
            return;
        }
        // One sample per thread; intended equals measured (the intended start is set to 0,
        // so "now", before a cleanup). Timeseries: one window.
        let sum: u64 = self.cleanup_us.iter().sum();
        let n = self.cleanup_us.len() as u64;
        let window = [(0u64, sum, n)];
        let x = Measured {
            us: &h,
            statuses: &[],
            series: Some(SeriesView {
                windows: &window,
                count: n,
                sum_us: sum,
                min_us: h.min(),
                max_us: h.max(),
            }),
        };
        use crate::workload::ycsb::MeasurementInterval as I;
        for (intended, name) in [(false, "CLEANUP"), (true, "Intended-CLEANUP")] {
            let wanted = match m.interval {
                I::Op => !intended,
                I::Intended => intended,
                I::Both => true,
            };
            if wanted {
                let name = if m.interval == I::Intended {
                    "CLEANUP"
                } else {
                    name
                };
                self.metrics.push(YcsbMetric {
                    name: name.into(),
                    intended,
                    parts: metric_parts(name, m, &x),
                });
            }
        }
        self.sort();
    }

    /// `[OVERALL], Throughput(ops/sec)`: `1000 × operations / runtime`, as upstream.
    pub fn throughput(&self) -> f64 {
        1000.0 * self.operations as f64 / self.runtime_ms as f64
    }

    /// Puts the metrics in upstream's export order: the op map, then the intended map,
    /// each in the iteration order of a ConcurrentHashMap keyed by the metric's name (16
    /// bins, 32 from the 12th metric on), ties in the order upstream usually first measures
    /// them.
    pub fn sort(&mut self) {
        let count = |intended: bool| {
            self.metrics
                .iter()
                .filter(|m| m.intended == intended)
                .count()
        };
        let caps = [false, true].map(|i| if count(i) >= 12 { 32 } else { 16 });
        // The intended map is keyed by the op's own name too (the "Intended-" prefix is
        // the exporter's).
        self.metrics.sort_by_key(|m| {
            let cap = caps[usize::from(m.intended)];
            let key = m.name.strip_prefix("Intended-").unwrap_or(&m.name);
            (m.intended, chm_bin(key, cap), rank(&m.name))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_java_does() {
        for (x, want) in [
            (800.0, "800.0"),
            (6376.6, "6376.6"),
            (0.001, "0.001"),
            (1.3853381744000003E8, "1.3853381744000003E8"),
            (1e7, "1.0E7"),
            (0.0005, "5.0E-4"),
            (9999999.5, "9999999.5"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (0.0, "0.0"),
            (9.724473257698541, "9.724473257698541"),
        ] {
            assert_eq!(java_double(x), want, "{x}");
        }
        assert_eq!(YValue::double(f64::NAN).json(), "\"NaN\"");
        for (p, want) in [
            (50.0, "50th"),
            (1.0, "1st"),
            (22.0, "22nd"),
            (13.0, "13th"),
            (99.9, "99.9"),
            (100.0, "100th"),
            (0.0, "0th"),
        ] {
            assert_eq!(ordinal(p), want);
        }
        assert_eq!(YValue::Int(5).json(), "5");
    }

    /// Upstream's order for workload A (checked on a JVM): READ, CLEANUP, UPDATE; the
    /// intended map after the op map.
    #[test]
    fn metrics_sort_in_upstreams_hash_order() {
        let metric = |name: &str, intended: bool| YcsbMetric {
            name: name.into(),
            intended,
            parts: Vec::new(),
        };
        let mut m = YcsbMeasurements {
            metrics: vec![
                metric("Intended-READ", true),
                metric("UPDATE", false),
                metric("CLEANUP", false),
                metric("READ", false),
                metric("READ-MODIFY-WRITE", false),
                metric("SCAN", false),
            ],
            ..Default::default()
        };
        m.sort();
        let names: Vec<&str> = m.metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "READ",
                "READ-MODIFY-WRITE",
                "CLEANUP",
                "UPDATE",
                "SCAN",
                "Intended-READ"
            ]
        );
        assert_eq!(
            [
                chm_bin("READ", 16),
                chm_bin("READ-MODIFY-WRITE", 16),
                chm_bin("CLEANUP", 16),
                chm_bin("UPDATE", 16),
                chm_bin("INSERT", 16),
                chm_bin("READ-FAILED", 16),
                chm_bin("VERIFY", 16),
                chm_bin("SCAN", 16),
            ],
            [0, 3, 8, 10, 10, 10, 10, 11]
        );
    }
}
