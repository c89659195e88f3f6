//! Alert rules in words: parsing `p99_us > 10000` (sizes for byte metrics) and showing a
//! per-second value with its unit, both from the catalogue's per-second metrics.

use super::catalogue::{get, Scope, Unit};
use crate::engine::size::{human_bytes, Size};
use crate::error::{Error, Result};
use crate::model::alerts::{AlertMetric, AlertRule, AlertSet};

impl AlertMetric {
    fn unit(self) -> Unit {
        get(Scope::Second, self.name()).map_or(Unit::Count, |m| m.unit)
    }

    /// `value` with its unit: sizes for byte metrics, three decimals for a hit rate (0-1),
    /// one decimal and the unit otherwise.
    pub fn show(self, value: f64) -> String {
        match self.unit() {
            Unit::Bytes => human_bytes(value.max(0.0) as u64),
            Unit::Fraction => format!("{value:.3}"),
            u => format!("{value:.1}{}", u.suffix()),
        }
    }
}

impl AlertRule {
    /// Parses `"p99_us > 10000"`; `source` names where it came from for the error.
    pub fn parse(text: &str, source: &str) -> Result<AlertRule> {
        let t = text.trim();
        let at = t.find(['<', '>']).ok_or_else(|| {
            Error::usage(format!(
                "{source}: alert {text:?} has no comparison; write METRIC > VALUE or METRIC < VALUE, e.g. \"p99_us > 10000\""
            ))
        })?;
        Self::from_parts(t[..at].trim(), &t[at..], source)
    }

    /// Builds a rule from a metric name and `"> 10000"` (a scenario's `[alerts]` entry).
    pub fn from_parts(metric: &str, cond: &str, source: &str) -> Result<AlertRule> {
        let m = AlertMetric::from_name(metric).ok_or_else(|| {
            let names: Vec<&str> = AlertMetric::ALL.iter().map(|(_, n)| *n).collect();
            Error::usage(format!(
                "{source}: unknown alert metric {metric:?}; known: {}",
                names.join(", ")
            ))
        })?;
        let cond = cond.trim();
        let op = [">=", "<=", ">", "<"]
            .into_iter()
            .find(|op| cond.starts_with(op))
            .ok_or_else(|| {
                Error::usage(format!(
                    "{source}: alert on {metric} needs > , >= , < or <= before the value, e.g. \"> 10000\", not {cond:?}"
                ))
            })?;
        let v = cond[op.len()..].trim();
        let threshold = if m.unit() == Unit::Bytes {
            v.parse::<Size>()
                .map(|s| s.bytes() as f64)
                .map_err(|e| Error::usage(format!("{source}: alert on {metric}: {e}")))?
        } else {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    Error::usage(format!(
                    "{source}: alert on {metric}: {v:?} is not a number, e.g. \"{metric} {op} 10\""
                ))
                })?
        };
        Ok(AlertRule {
            metric: m,
            op: op.to_string(),
            threshold,
        })
    }

    pub fn breached(&self, v: f64) -> bool {
        match self.op.as_str() {
            ">" => v > self.threshold,
            ">=" => v >= self.threshold,
            "<" => v < self.threshold,
            _ => v <= self.threshold,
        }
    }

    /// The rule as written, with a human threshold for byte metrics.
    pub fn text(&self) -> String {
        format!(
            "{} {} {}",
            self.metric.name(),
            self.op,
            self.metric.show(self.threshold)
        )
    }
}

impl AlertSet {
    /// Adds the rules of `--alert` flags.
    pub fn add_flags(&mut self, flags: &[String]) -> Result<()> {
        for f in flags {
            self.rules.push(AlertRule::parse(f, "--alert")?);
        }
        Ok(())
    }

    /// `--alert` rules and `--alert-sustain` added to `self` (a scenario's `[alerts]`, or
    /// none).
    pub fn with_flags(mut self, rules: &[String], sustain: Option<u32>) -> Result<AlertSet> {
        self.add_flags(rules)?;
        if let Some(s) = sustain {
            if s == 0 {
                return Err(Error::usage(
                    "--alert-sustain 0: give at least 1 second, e.g. --alert-sustain 3",
                ));
            }
            self.sustain_s = s;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_with_units_and_name_bad_input() {
        let r = AlertRule::parse("p99_us > 10000", "--alert").unwrap();
        assert_eq!(
            (r.metric, r.op.as_str(), r.threshold),
            (AlertMetric::P99Us, ">", 10000.0)
        );
        let r = AlertRule::from_parts("rss_bytes", ">= 2GiB", "[alerts]").unwrap();
        assert_eq!(r.threshold, 2.0 * 1024.0 * 1024.0 * 1024.0);
        assert!(r.breached(r.threshold) && !r.breached(r.threshold - 1.0));
        let r = AlertRule::parse("cache_hit_rate<0.9", "--alert").unwrap();
        assert!(r.breached(0.5) && !r.breached(0.95));
        for (bad, needle) in [
            ("p99 > 5", "unknown alert metric \"p99\""),
            ("p99_us 5", "no comparison"),
            ("p99_us > fast", "not a number"),
            ("rss_bytes > 2 parsecs", "alert on rss_bytes"),
        ] {
            let e = AlertRule::parse(bad, "--alert").unwrap_err().to_string();
            assert!(e.contains(needle) && e.starts_with("--alert"), "{bad}: {e}");
        }
    }
}
