//! The tuner's closing text: the search in numbers, the winner and its claims with their
//! intervals, the hold-out.

use crate::engine::size::human_bytes;
use crate::model::tune::TuneResult;
use crate::stats::Comparison;

/// A gain as `1.20x [95% CI 1.08x to 1.33x]`, saying when it is not above 1.
fn gain(c: &Option<Comparison>) -> String {
    match c {
        Some(c) if c.rel_low.is_finite() => format!(
            "{:.2}x [95% CI {:.2}x to {:.2}x]{}",
            1.0 + c.rel,
            1.0 + c.rel_low,
            1.0 + c.rel_high,
            if c.rel_low > 0.0 {
                ""
            } else {
                " (not above 1 with 95% confidence)"
            }
        ),
        Some(c) => format!("{:.2}x (no interval)", 1.0 + c.rel),
        None => "-".into(),
    }
}

/// The closing lines: the winner and its gains with intervals, the hold-out, the
/// explanation, the Pareto front and the memory check.
pub fn describe(r: &TuneResult) -> String {
    let o = &r.options;
    let mut s = format!(
        "tune {}: {} evaluations in {:.0} s of search, {:.0} s in all (budget {:.0} s); objective {}{}\n",
        o.target.name,
        r.history.len(),
        r.search_s,
        r.total_s,
        o.time_budget_s,
        o.objective,
        o.constraints
            .iter()
            .map(|c| format!(", {c}"))
            .collect::<String>()
    );
    if r.final_run_s > 0.0 {
        s.push_str(&format!(
            "search runs up to {:.1} s at full size; final round: {} interleaved repeats per config, runs of {:.1} s\n",
            r.run_s, o.repeats, r.final_run_s
        ));
    }
    if !r.front.is_empty() {
        if let Some((a, b)) = &o.pareto {
            s.push_str(&format!(
                "measured Pareto front ({} and {}, medians of the final round):\n",
                a, b
            ));
            for p in &r.front {
                s.push_str(&format!(
                    "  {:<22} {} = {}, {} = {}\n",
                    p.id,
                    a.metric,
                    crate::metrics::show(&a.metric, p.values[0]),
                    b.metric,
                    crate::metrics::show(&b.metric, p.values[1])
                ));
            }
        }
    }
    match &r.outcome {
        Some(oc) => {
            s.push_str(&format!("winner: {} (better on {} when > 1)\n", oc.winner, o.objective.metric));
            s.push_str(&format!("  vs RocksDB defaults:       {}\n", gain(&oc.vs_default)));
            s.push_str(&format!(
                "  vs production_optimized:   {}\n",
                gain(&oc.vs_production_optimized)
            ));
            if oc.vs_base.is_some() {
                s.push_str(&format!("  vs your base config:       {}\n", gain(&oc.vs_base)));
            }
            if let Some((h, c)) = &oc.holdout {
                let ci = if c.rel_low.is_finite() {
                    format!(" [95% CI {:.2}x to {:.2}x]", 1.0 + c.rel_low, 1.0 + c.rel_high)
                } else {
                    String::new()
                };
                s.push_str(&format!(
                    "  hold-out {h}, winner vs the start config: {:.2}x{ci}: {}\n",
                    1.0 + c.rel,
                    if oc.holdout_regressed == Some(true) {
                        "REGRESSED by more than 5% (over-fitted to the tuned workload)"
                    } else if c.rel_low.is_finite() && c.rel_low >= -0.05 {
                        "no regression beyond 5%"
                    } else {
                        "inconclusive (the interval reaches below -5%)"
                    }
                ));
            }
            if !oc.explained.is_empty() {
                s.push_str("what each change is worth (the winner vs the winner with that knob as the start config had it):\n");
                for e in &oc.explained {
                    let verdict = match &e.effect {
                        Some(c) if c.rel_low.is_finite() && c.rel_low > 0.0 => "matters",
                        Some(c) if c.rel_high.is_finite() && c.rel_high < 0.0 => "hurts (reverting it is better)",
                        Some(_) => "noise (the interval includes no effect)",
                        None => "not measured (time budget)",
                    };
                    s.push_str(&format!(
                        "  {:<40} {} -> {}: {}: {}\n",
                        e.knob,
                        e.start,
                        e.winner,
                        gain(&e.effect),
                        verdict
                    ));
                }
            }
        }
        None if r.interrupted => {
            s.push_str("no recommendation: interrupted before the final round finished\n")
        }
        None => s.push_str(
            "no recommendation: no finalist met the constraints within the memory budget (block cache and memtables as configured, and the measured peak RSS) in the final round\n",
        ),
    }
    if !r.memory.is_empty() {
        s.push_str(
            "memory (predicted by the model / block cache + memtables / measured peak RSS):\n",
        );
        for m in &r.memory {
            s.push_str(&format!(
                "  {:<22} {:>10} / {:>10} / {:>10}{}\n",
                m.id,
                human_bytes(m.predicted_bytes),
                human_bytes(m.configured_bytes),
                human_bytes(m.measured_peak_bytes),
                if m.within_budget {
                    ""
                } else {
                    "  OVER the budget"
                }
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tune::{KnobEffect, TuneOptions, TuneOutcome};
    use crate::tune::target::Target;

    fn cmp(rel: f64, lo: f64, hi: f64) -> Comparison {
        Comparison {
            rel,
            rel_low: lo,
            rel_high: hi,
            significant: lo > 0.0 || hi < 0.0,
        }
    }

    fn result(outcome: Option<TuneOutcome>, interrupted: bool) -> TuneResult {
        TuneResult {
            schema: "rdbtune.tune/v1".into(),
            options: TuneOptions {
                repeats: 3,
                ..TuneOptions::for_test(
                    Target::workload("ycsb-a", 1000, 1, 1, "--workload").unwrap(),
                    64 << 20,
                    60.0,
                )
            },
            machine: crate::sysmon::Machine::detect(None),
            command: vec![],
            search_s: 40.0,
            total_s: 58.0,
            run_s: 2.0,
            final_run_s: 3.5,
            history: vec![],
            outcome,
            memory: vec![],
            front: vec![],
            interrupted,
        }
    }

    /// A gain is claimed only when its interval's lower bound is above 1; a hold-out that
    /// lost more than 5% is flagged as over-fitting; the interval is printed either way.
    #[test]
    fn gains_need_a_lower_bound_above_one_and_holdout_regressions_are_flagged() {
        let o = TuneOutcome {
            winner: "tuned-3".into(),
            vs_default: Some(cmp(0.20, 0.08, 0.33)),
            vs_production_optimized: Some(cmp(0.05, -0.03, 0.14)),
            vs_base: None,
            holdout: Some(("ycsb-b".into(), cmp(-0.09, -0.15, -0.02))),
            holdout_regressed: Some(true),
            explained: vec![
                KnobEffect {
                    knob: "block_cache_share".into(),
                    winner: "0.5".into(),
                    start: "as the start config".into(),
                    effect: Some(cmp(0.30, 0.2, 0.4)),
                    reverted_median: Some(1.0),
                },
                KnobEffect {
                    knob: "bytes_per_sync".into(),
                    winner: "1MiB".into(),
                    start: "0".into(),
                    effect: Some(cmp(0.01, -0.03, 0.05)),
                    reverted_median: Some(1.0),
                },
                KnobEffect {
                    knob: "block_size".into(),
                    winner: "16KiB".into(),
                    start: "4KiB".into(),
                    effect: None,
                    reverted_median: None,
                },
            ],
        };
        let s = describe(&result(Some(o.clone()), false));
        let line = |p: &str| s.lines().find(|l| l.contains(p)).unwrap().to_string();
        assert_eq!(
            line("final round:"),
            "search runs up to 2.0 s at full size; final round: 3 interleaved repeats per config, runs of 3.5 s"
        );
        let d = line("vs RocksDB defaults");
        assert!(
            d.contains("1.20x [95% CI 1.08x to 1.33x]") && !d.contains("not above 1"),
            "{d}"
        );
        let p = line("vs production_optimized");
        assert!(
            p.contains("1.05x [95% CI 0.97x to 1.14x] (not above 1 with 95% confidence)"),
            "{p}"
        );
        assert!(line("block_cache_share").ends_with("matters"), "{s}");
        assert!(line("bytes_per_sync").contains("noise"), "{s}");
        assert!(line("block_size").contains("not measured"), "{s}");
        let h = line("hold-out");
        assert!(
            h.contains("0.91x [95% CI 0.85x to 0.98x]") && h.contains("REGRESSED"),
            "{h}"
        );
        assert!(
            !s.contains("your base config"),
            "no base line without --options-file"
        );

        // One repeat a side: no interval, so no claim either way; a hold-out within 5% is fine.
        let mut o2 = o;
        o2.vs_default = Some(cmp(0.5, f64::NEG_INFINITY, f64::INFINITY));
        o2.holdout = Some(("ycsb-b".into(), cmp(-0.03, -0.04, 0.02)));
        o2.holdout_regressed = Some(false);
        let s = describe(&result(Some(o2.clone()), false));
        assert!(
            s.contains("vs RocksDB defaults:       1.50x (no interval)"),
            "{s}"
        );
        assert!(s.contains("no regression beyond 5%"), "{s}");
        o2.holdout = Some(("ycsb-b".into(), cmp(-0.03, -0.20, 0.14)));
        let s = describe(&result(Some(o2.clone()), false));
        assert!(s.contains("inconclusive"), "{s}");
        assert!(describe(&result(None, true)).contains("interrupted before the final round"));
        assert!(describe(&result(None, false)).contains("no finalist met the constraints"));
    }
}
