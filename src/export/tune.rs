//! The tuner's closing text: the search in numbers, the winner and its claims with their
//! intervals, the hold-out.

use crate::model::tune::TuneResult;
use crate::stats::Comparison;

/// The closing lines: the winner and its gains with intervals.
pub fn describe(r: &TuneResult) -> String {
    let mut s = format!(
        "tune: {} evaluations in {:.0} s of search, {:.0} s in all (budget {:.0} s)\n",
        r.history.len(),
        r.search_s,
        r.total_s,
        r.options.time_budget_s
    );
    let gain = |c: &Option<Comparison>| match c {
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
    };
    match &r.outcome {
        Some(o) => {
            s.push_str(&format!("winner: {}\n", o.winner));
            s.push_str(&format!(
                "  vs RocksDB defaults:       {}\n",
                gain(&o.vs_default)
            ));
            s.push_str(&format!(
                "  vs production_optimized:   {}\n",
                gain(&o.vs_production_optimized)
            ));
            if o.vs_base.is_some() {
                s.push_str(&format!(
                    "  vs your base config:       {}
",
                    gain(&o.vs_base)
                ));
            }
            if let Some((h, c)) = &o.holdout {
                let ci = if c.rel_low.is_finite() {
                    format!(
                        " [95% CI {:.2}x to {:.2}x]",
                        1.0 + c.rel_low,
                        1.0 + c.rel_high
                    )
                } else {
                    String::new()
                };
                s.push_str(&format!(
                    "  hold-out {h}, winner vs defaults: {:.2}x{ci}: {}\n",
                    1.0 + c.rel,
                    if c.rel < -0.05 {
                        "REGRESSED by more than 5% (over-fitted to the tuned workload)"
                    } else {
                        "no regression beyond 5%"
                    }
                ));
            }
        }
        None if r.interrupted => {
            s.push_str("no recommendation: interrupted before the final round finished\n")
        }
        None => s.push_str(
            "no recommendation: no finalist within the memory budget finished the final round\n",
        ),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tune::{TuneOptions, TuneOutcome};

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
                workload: "a".into(),
                records: 1000,
                memory_budget: 64 << 20,
                time_budget_s: 60.0,
                holdout: Some("b".into()),
                repeats: 3,
                threads: 1,
                seed: 1,
                base: None,
                out: None,
                quiet: true,
            },
            machine: crate::sysmon::Machine::detect(None),
            command: vec![],
            search_s: 40.0,
            total_s: 58.0,
            run_s: 2.0,
            history: vec![],
            outcome,
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
        };
        let s = describe(&result(Some(o.clone()), false));
        let line = |p: &str| s.lines().find(|l| l.contains(p)).unwrap().to_string();
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
        o2.holdout = Some(("ycsb-b".into(), cmp(-0.03, -0.08, 0.02)));
        let s = describe(&result(Some(o2), false));
        assert!(
            s.contains("vs RocksDB defaults:       1.50x (no interval)"),
            "{s}"
        );
        assert!(s.contains("no regression beyond 5%"), "{s}");
        assert!(describe(&result(None, true)).contains("interrupted before the final round"));
        assert!(describe(&result(None, false)).contains("no finalist within the memory budget"));
    }
}
