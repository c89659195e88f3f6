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
