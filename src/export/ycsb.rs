//! YCSB's text output (`[OVERALL], RunTime(ms), ...`), one block per phase, so existing
//! YCSB parsing scripts read rdbtune's runs.

use crate::model::{LatencySummary, PhaseResult, RunResult};
use crate::workload::{OpKind, Workload};
use std::fmt::Write as _;

fn latency_lines(o: &mut String, label: &str, l: &LatencySummary) {
    // As YCSB's HdrHistogram measurement: average as a double, the rest whole µs.
    let _ = writeln!(o, "[{label}], AverageLatency(us), {}", l.avg);
    for (name, v) in [
        ("MinLatency(us)", l.min),
        ("MaxLatency(us)", l.max),
        ("50thPercentileLatency(us)", l.p50),
        ("95thPercentileLatency(us)", l.p95),
        ("99thPercentileLatency(us)", l.p99),
        ("99.9PercentileLatency(us)", l.p999),
    ] {
        let _ = writeln!(o, "[{label}], {name}, {}", v.round() as u64);
    }
}

/// YCSB's text output, one block per phase (load, run), each starting with `[OVERALL]`.
pub fn ycsb_text(r: &RunResult) -> String {
    let mut o = String::new();
    for p in r.all_phases() {
        phase_text(&mut o, p);
    }
    o
}

fn phase_text(o: &mut String, p: &PhaseResult) {
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
    let _ = writeln!(o, "[OVERALL], RunTime(ms), {:.0}", p.elapsed_s * 1000.0);
    let _ = writeln!(o, "[OVERALL], Throughput(ops/sec), {}", p.ops_per_sec);
    let order = [
        OpKind::Insert,
        OpKind::Read,
        OpKind::Update,
        OpKind::Scan,
        OpKind::ReadModifyWrite,
    ];
    for k in order {
        let Some(s) = p.per_op.iter().find(|s| s.kind == k) else {
            continue;
        };
        let label = k.ycsb_label();
        // As upstream's DB wrapper: [READ] measures the ops that returned OK, [READ-FAILED]
        // the others; the NOT_FOUND count stays under [READ].
        let (ok_lat, failed) = match (&s.ok_latency_us, &s.failed_latency_us) {
            (Some(ok), Some(f)) if f.samples > 0 => (ok, Some(f)),
            _ => (&s.latency_us, None),
        };
        let _ = writeln!(
            o,
            "[{label}], Operations, {}",
            s.ops - failed.map_or(0, |f| f.samples)
        );
        latency_lines(o, label, ok_lat);
        let (ok, nf) = match (s.found, s.not_found) {
            (Some(f), Some(n)) => (f + (s.ops - (f + n)), n),
            _ => (s.ops, 0),
        };
        let _ = writeln!(o, "[{label}], Return=OK, {ok}");
        if nf > 0 {
            let _ = writeln!(o, "[{label}], Return=NOT_FOUND, {nf}");
        }
        if let Some(f) = failed {
            let fl = format!("{label}-FAILED");
            let _ = writeln!(o, "[{fl}], Operations, {}", f.samples);
            latency_lines(o, &fl, f);
        }
        if let Some(i) = &s.intended_latency_us {
            let il = format!("Intended-{label}");
            let _ = writeln!(o, "[{il}], Operations, {}", i.samples);
            latency_lines(o, &il, i);
        }
    }
}
