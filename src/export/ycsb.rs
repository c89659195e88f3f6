//! YCSB's output as upstream's exporters write it, one block per phase (load, then run):
//! the text exporter's `[OVERALL], RunTime(ms), ...` lines, or the JSON and JSON-array
//! exporters' documents, from each phase's [`YcsbMeasurements`].

use crate::model::ycsb::{YValue, YcsbMeasurements, YcsbMetric, YcsbPart};
use crate::model::{LatencySummary, PhaseResult, RunResult};
use crate::workload::ycsb::Exporter;
use crate::workload::{OpKind, Workload};
use std::fmt::Write as _;

/// Every (metric, measurement, value) of a phase in upstream's order: `[OVERALL]` first,
/// then each metric's lines.
pub fn entries(m: &YcsbMeasurements) -> Vec<(String, String, YValue)> {
    let mut e = vec![
        (
            "OVERALL".to_string(),
            "RunTime(ms)".to_string(),
            YValue::Int(m.runtime_ms as i64),
        ),
        (
            "OVERALL".into(),
            "Throughput(ops/sec)".into(),
            YValue::double(m.throughput()),
        ),
    ];
    for metric in &m.metrics {
        for part in &metric.parts {
            for (k, v) in &part.lines {
                e.push((part.label.clone(), k.clone(), v.clone()));
            }
        }
    }
    e
}

/// TextMeasurementsExporter: `[metric], measurement, value` per line.
fn text(m: &YcsbMeasurements, o: &mut String) {
    for (metric, measurement, v) in entries(m) {
        let _ = writeln!(o, "[{metric}], {measurement}, {}", v.text());
    }
}

/// One entry as Jackson's pretty printer writes it.
fn json_object(metric: &str, measurement: &str, v: &YValue) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    format!(
        "{{\n  \"metric\" : {},\n  \"measurement\" : {},\n  \"value\" : {}\n}}",
        q(metric),
        q(measurement),
        v.json()
    )
}

/// JSONMeasurementsExporter (objects separated by a space) or JSONArrayMeasurementsExporter
/// (`[ {..}, {..} ]`); neither ends with a newline.
fn json(m: &YcsbMeasurements, array: bool) -> String {
    let objs: Vec<String> = entries(m)
        .iter()
        .map(|(a, b, v)| json_object(a, b, v))
        .collect();
    if array {
        format!("[ {} ]", objs.join(", "))
    } else {
        objs.join(" ")
    }
}

/// The phase's measurements; a phase from a result written before rdbtune kept them gets
/// upstream's default lines from its per-op summaries (percentiles rounded to whole µs).
fn measurements(p: &PhaseResult) -> YcsbMeasurements {
    if let Some(m) = &p.ycsb {
        return m.clone();
    }
    let mut m = YcsbMeasurements {
        runtime_ms: (p.elapsed_s * 1000.0).round() as u64,
        operations: p.ops,
        ..Default::default()
    };
    let lines = |l: &LatencySummary, ops: u64| -> Vec<(String, YValue)> {
        vec![
            ("Operations".to_string(), YValue::Int(ops as i64)),
            ("AverageLatency(us)".into(), YValue::double(l.avg)),
            ("MinLatency(us)".into(), YValue::Int(l.min.round() as i64)),
            ("MaxLatency(us)".into(), YValue::Int(l.max.round() as i64)),
            (
                "50thPercentileLatency(us)".into(),
                YValue::Int(l.p50.round() as i64),
            ),
            (
                "95thPercentileLatency(us)".into(),
                YValue::Int(l.p95.round() as i64),
            ),
            (
                "99thPercentileLatency(us)".into(),
                YValue::Int(l.p99.round() as i64),
            ),
        ]
    };
    for s in &p.per_op {
        let label = s.kind.ycsb_label();
        let failed = s.failed_latency_us.as_ref().filter(|f| f.samples > 0);
        let ok = match (failed, &s.ok_latency_us) {
            (Some(_), Some(ok)) => ok,
            _ => &s.latency_us,
        };
        let mut l = lines(ok, s.ops.saturating_sub(failed.map_or(0, |f| f.samples)));
        if s.kind != OpKind::ReadModifyWrite {
            let nf = s.not_found.unwrap_or(0);
            let err = s.errors.unwrap_or(0);
            l.push((
                "Return=OK".into(),
                YValue::Int(s.ops.saturating_sub(nf + err) as i64),
            ));
            for (name, n) in [("NOT_FOUND", nf), ("ERROR", err)] {
                if n > 0 {
                    l.push((format!("Return={name}"), YValue::Int(n as i64)));
                }
            }
        }
        m.metrics.push(YcsbMetric {
            name: label.into(),
            intended: false,
            parts: vec![YcsbPart {
                label: label.into(),
                lines: l,
            }],
        });
        if let Some(f) = failed {
            let name = format!("{label}-FAILED");
            m.metrics.push(YcsbMetric {
                name: name.clone(),
                intended: false,
                parts: vec![YcsbPart {
                    label: name,
                    lines: lines(f, f.samples),
                }],
            });
        }
    }
    m.sort();
    m
}

/// YCSB's output of every phase with `exporter`: the text exporter's lines, each phase after
/// a `#` line naming it; the JSON exporters' documents, one per phase, each on its own line.
pub fn ycsb_output(r: &RunResult, exporter: Exporter) -> Vec<u8> {
    let mut o = String::new();
    for p in r.all_phases() {
        let m = measurements(p);
        match exporter {
            Exporter::Text => {
                let w = p.spec.ycsb.as_ref().map_or("?", |y| y.workload.as_str());
                let _ = writeln!(
                    o,
                    "# rdbtune ycsb: workload {w}, {} phase, {} threads",
                    if p.workload == Workload::YcsbLoad {
                        "load"
                    } else {
                        "run"
                    },
                    p.spec.threads
                );
                text(&m, &mut o);
            }
            Exporter::Json | Exporter::JsonArray => {
                o.push_str(&json(&m, exporter == Exporter::JsonArray));
                o.push('\n');
            }
        }
    }
    o.into_bytes()
}

/// The text exporter's output of every phase.
pub fn ycsb_text(r: &RunResult) -> String {
    String::from_utf8(ycsb_output(r, Exporter::Text)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> YcsbMeasurements {
        YcsbMeasurements {
            runtime_ms: 1234,
            operations: 12,
            cleanup_us: Vec::new(),
            metrics: vec![YcsbMetric {
                name: "READ".into(),
                intended: false,
                parts: vec![YcsbPart {
                    label: "READ".into(),
                    lines: vec![
                        ("Operations".into(), YValue::Int(10)),
                        ("AverageLatency(us)".into(), YValue::double(800.0)),
                        ("Return=OK".into(), YValue::Int(10)),
                    ],
                }],
            }],
            first_error: None,
        }
    }

    /// The text and JSON exporters' formats, as upstream's (Jackson 1.9.4's pretty printer
    /// for JSON; Java's Double.toString for doubles).
    #[test]
    fn exporters_write_upstreams_formats() {
        let mut t = String::new();
        text(&sample(), &mut t);
        assert_eq!(
            t,
            "[OVERALL], RunTime(ms), 1234\n[OVERALL], Throughput(ops/sec), 9.724473257698541\n[READ], Operations, 10\n[READ], AverageLatency(us), 800.0\n[READ], Return=OK, 10\n"
        );
        let a = json(&sample(), true);
        assert!(a.starts_with("[ {\n  \"metric\" : \"OVERALL\",\n  \"measurement\" : \"RunTime(ms)\",\n  \"value\" : 1234\n}, {\n"), "{a}");
        assert!(a.ends_with("  \"value\" : 10\n} ]"), "{a}");
        let v: serde_json::Value = serde_json::from_str(&a).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 5);
        assert_eq!(v[3]["value"], serde_json::json!(800.0));
        let j = json(&sample(), false);
        assert!(j.contains("} {\n  \"metric\""), "{j}");
        assert!(!j.starts_with('['));
    }
}
