//! Explaining the winner: for each knob where it differs from the start config, the winner
//! with that one knob reverted is loaded and measured in interleaved pairs against the
//! winner; the loss is the knob's measured share of the gain, with its interval, so the
//! report says which changes matter and which are noise. Knobs are taken in the order of
//! their effect in the search's own data, until the time budget ends.

use super::final_round::{gain, Finalist};
use super::space::Point;
use super::template::Template;
use super::tuner::Tuner;
use crate::error::Result;
use crate::metrics::run_metrics;
use crate::model::tune::KnobEffect;
use crate::model::{PhaseResult, PhaseTemplate};
use crate::signals;

/// Interleaved (winner, reverted) pairs per knob.
const PAIRS: usize = 3;

/// The knobs where `p` differs from the start point, most effective first by the search's
/// lowest-rung data: the mean score of configs with the winner's choice minus the mean of
/// those with the start's.
fn changed_knobs(t: &Tuner, p: &Point) -> Vec<usize> {
    let s = &t.space;
    let ob = &t.o.objective;
    let sign = if ob.maximize { 1.0 } else { -1.0 };
    let mean_with = |k: usize, c: Option<usize>| {
        let xs: Vec<f64> = t
            .history
            .iter()
            .filter(|e| e.rung == 0 && e.feasible && e.point.get(k).copied().flatten() == c)
            .filter_map(|e| e.metrics.get(&ob.metric).copied())
            .collect();
        (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
    };
    let mut ks: Vec<(usize, f64)> = (0..s.knobs.len())
        // A knob the start config has no value for (a universal option under level) is
        // covered by reverting the knob it depends on.
        .filter(|&k| p[k] != s.start_point[k] && p[k].is_some() && s.start_point[k].is_some())
        .map(|k| {
            let effect = match (mean_with(k, p[k]), mean_with(k, s.start_point[k])) {
                (Some(a), Some(b)) => sign * (a - b),
                _ => 0.0,
            };
            (k, effect)
        })
        .collect();
    ks.sort_by(|a, b| b.1.total_cmp(&a.1));
    ks.into_iter().map(|(k, _)| k).collect()
}

/// Measures each changed knob of `winner` reverted alone, until `deadline` seconds into the
/// tune; knobs left are listed without a measurement.
pub(super) fn explain(
    t: &Tuner,
    winner: &Finalist,
    winner_t: &Template,
    run: &[PhaseTemplate],
    run_s: f64,
    deadline: f64,
) -> Result<Vec<KnobEffect>> {
    let Some(p) = &winner.point else {
        return Ok(Vec::new());
    };
    let s = &t.space;
    let ob = &t.o.objective;
    let labels = t.o.target.labels();
    let (load, _) = t.o.target.scaled(1.0, run_s);
    // Half-length runs: 3 pairs of them per knob.
    let half: Vec<PhaseTemplate> = run
        .iter()
        .map(|q| {
            let mut q = q.clone();
            q.spec.duration_s = q.spec.duration_s.map(|d| (d / 2.0).max(1.0));
            q
        })
        .collect();
    let per_run = half.iter().filter_map(|q| q.spec.duration_s).sum::<f64>() + 1.0;
    let measure = |f_cfg: &crate::engine::EngineConfig, tm: &Template| -> Result<f64> {
        let r = tm.run_on_clone(f_cfg, &half)?;
        let phases: Vec<PhaseResult> = tm.load.iter().cloned().chain(r).collect();
        let m = run_metrics(&labels, &phases, f_cfg.configured_memory());
        Ok(m.get(&ob.metric).copied().unwrap_or(f64::NAN))
    };
    let mut out = Vec::new();
    let mut load_s = winner_t.load_s.max(1.0);
    for k in changed_knobs(t, p) {
        let knob = &s.knobs[k];
        let choice = |c: Option<usize>| {
            c.map_or("(does not apply)".to_string(), |c| knob.choices[c].clone())
        };
        let mut e = KnobEffect {
            knob: knob.name.to_string(),
            winner: choice(p[k]),
            start: choice(s.start_point[k]),
            effect: None,
            reverted_median: None,
        };
        let cost = load_s + 2.0 * PAIRS as f64 * per_run;
        if signals::interrupted().is_some() || t.elapsed() + cost > deadline {
            out.push(e);
            continue;
        }
        let q = s.revert(p, k);
        let Some(rev) = s.config_any(&q) else {
            out.push(e);
            continue;
        };
        t.say(format!(
            "explaining: {} reverted ({} -> {})",
            e.knob, e.winner, e.start
        ));
        let tm = Template::load(&rev.config, &load)?;
        load_s = tm.load_s;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for i in 0..PAIRS {
            // Alternate which goes first.
            let (x, y) = if i % 2 == 0 {
                let x = measure(&winner.config, winner_t)?;
                (x, measure(&rev.config, &tm)?)
            } else {
                let y = measure(&rev.config, &tm)?;
                (measure(&winner.config, winner_t)?, y)
            };
            // A pair an interrupt cut short is no measurement.
            if signals::interrupted().is_some() {
                break;
            }
            a.push(x);
            b.push(y);
        }
        let mut sorted = b.clone();
        sorted.sort_by(f64::total_cmp);
        e.reverted_median = sorted.get(sorted.len() / 2).copied();
        e.effect = gain(ob, &a, &b);
        if let Some(c) = &e.effect {
            t.say(format!(
                "explaining: {} costs {} when reverted",
                e.knob,
                c.describe()
            ));
        }
        out.push(e);
    }
    Ok(out)
}
