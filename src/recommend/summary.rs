//! Per-trial summaries of a result's runs (samples and estimates of every metric) and the
//! recommendation over them.

use super::recommend;
use crate::model::{RunResult, Scenario, TrialRun, TrialSummary};
use std::collections::BTreeMap;

/// Per-trial samples and estimates over the completed repeats.
pub fn summarise(scn: &Scenario, runs: &[TrialRun]) -> Vec<TrialSummary> {
    scn.trials
        .iter()
        .filter_map(|t| {
            let mine: Vec<&TrialRun> = runs.iter().filter(|r| r.trial == t.id).collect();
            if mine.is_empty() {
                return None;
            }
            let mut samples: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            let mut repeats: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for r in &mine {
                for (k, v) in &r.metrics {
                    samples.entry(k.clone()).or_default().push(*v);
                    repeats.entry(k.clone()).or_default().push(r.repeat);
                }
            }
            let estimates = samples
                .iter()
                .filter_map(|(k, v)| crate::metrics::estimate(k, v).map(|e| (k.clone(), e)))
                .collect();
            Some(TrialSummary {
                id: t.id.clone(),
                axes: t.axes.clone(),
                samples,
                repeats,
                estimates,
                configured_memory: t.config.configured_memory(),
                background_jobs: t.config.max_background_jobs,
                threads: t.phases.iter().map(|p| p.spec.threads).max().unwrap_or(1),
            })
        })
        .collect()
}

/// Recomputes summaries and the recommendation from the runs.
pub fn finalise(r: &mut RunResult) {
    finalise_with(r, true);
}

/// [`finalise`] for runs whose repeat r did not run in one round on one machine (shards
/// merged from several runs): the recommender compares their samples as independent.
pub fn finalise_unpaired(r: &mut RunResult) {
    finalise_with(r, false);
}

fn finalise_with(r: &mut RunResult, paired: bool) {
    r.summaries = summarise(&r.scenario, &r.runs);
    if !paired {
        for s in &mut r.summaries {
            s.repeats.clear();
        }
    }
    // Named [[trial]]s form one more axis, so the rationale compares them too.
    let mut axes = r.scenario.axes.clone();
    if r.scenario
        .trials
        .iter()
        .any(|t| t.axes.iter().any(|(k, _)| k == "trial"))
    {
        axes.insert(0, "trial".to_string());
    }
    r.recommendation = r.scenario.objective.as_ref().and_then(|o| {
        recommend(
            o,
            &r.scenario.constraints,
            &axes,
            r.scenario.threshold_axis.as_deref(),
            r.scenario.threshold,
            &r.summaries,
        )
    });
}
