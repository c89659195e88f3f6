//! Gate files: a scenario (inline, `scenario = FILE`, or `results = FILE`) plus `[policy]`,
//! `[[check]]`s and an optional `[candidate]`. Errors name the file, the line and the key.

use crate::engine::config::one_line;
use crate::error::{Error, Result};
use crate::metrics;
use crate::model::gate::{Check, Limits, Policy};
use crate::model::Scenario;
use crate::stats::Direction;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    metric: String,
    better: Option<Direction>,
    min: Option<f64>,
    max: Option<f64>,
    max_regression: Option<f64>,
    /// Shown in reports instead of the metric name.
    name: Option<String>,
}

/// The keys a gate file adds to a scenario file.
#[derive(Debug, Deserialize)]
struct GateTables {
    name: Option<String>,
    scenario: Option<Spanned<String>>,
    results: Option<Spanned<String>>,
    #[serde(default)]
    policy: Option<Spanned<Policy>>,
    #[serde(default)]
    check: Vec<Spanned<CheckFile>>,
    candidate: Option<Spanned<toml::Table>>,
}

/// The whole of a gate file that names its scenario or results file: only the gate's keys
/// (an inline gate's other keys are the scenario parser's to check).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // parsed for the key check only
struct GateOnly {
    name: Option<toml::Value>,
    description: Option<toml::Value>,
    scenario: Option<toml::Value>,
    results: Option<toml::Value>,
    policy: Option<toml::Value>,
    check: Option<toml::Value>,
    candidate: Option<toml::Value>,
}

/// What the gate measures, or reads.
#[derive(Debug, Clone)]
pub enum Source {
    Scenario(Box<Scenario>),
    Results(PathBuf),
}

/// A parsed gate file.
#[derive(Debug, Clone)]
pub struct GateFile {
    pub name: String,
    pub path: PathBuf,
    pub source: Source,
    pub policy: Policy,
    pub checks: Vec<Check>,
    /// Engine overrides of the candidate (paired mode).
    pub candidate: Option<toml::Table>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Where in the file, for errors.
struct At<'a> {
    text: &'a str,
    origin: String,
}

impl At<'_> {
    fn err(&self, offset: usize, key: &str, msg: impl std::fmt::Display) -> Error {
        Error::usage(format!(
            "{}:{}: {key}: {msg}",
            self.origin,
            line_of(self.text, offset)
        ))
    }

    fn toml(&self, e: toml::de::Error, note: &str) -> Error {
        let line = e.span().map_or(1, |s| line_of(self.text, s.start));
        Error::usage(format!(
            "{}:{line}: {}{note}",
            self.origin,
            one_line(e.message())
        ))
    }
}

impl GateFile {
    pub fn load(path: &Path) -> Result<GateFile> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::usage(format!(
                "--gate {}: cannot read the gate file: {e}",
                path.display()
            ))
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<GateFile> {
        let at = At {
            text,
            origin: path.display().to_string(),
        };
        let g: GateTables = toml::from_str(text).map_err(|e| at.toml(e, ""))?;
        if g.scenario.is_some() || g.results.is_some() {
            // The scenario parser rejects unknown keys of an inline gate; a gate that points
            // at a scenario or a results file has only the gate's own keys, so a typo such as
            // [polcy] must not pass as "no policy".
            toml::from_str::<GateOnly>(text).map_err(|e| {
                at.toml(
                    e,
                    " (a gate that names its scenario or results holds only the gate's keys)",
                )
            })?;
        }
        let source = source(&at, &g, path)?;
        let name = match (&g.name, &source) {
            (Some(n), _) => n.clone(),
            (None, Source::Scenario(s)) => s.name.clone(),
            (None, Source::Results(_)) => {
                return Err(Error::usage(format!(
                    "{}: name = \"...\" is required (it names the gate in every report)",
                    at.origin
                )))
            }
        };
        let policy = policy(&at, g.policy.as_ref())?;
        let checks = checks(&at, &g.check, &source)?;
        let candidate = candidate(&at, g.candidate.as_ref(), &source)?;
        Ok(GateFile {
            name,
            path: path.to_path_buf(),
            source,
            policy,
            checks,
            candidate,
        })
    }
}

/// What the gate measures: its inline scenario, the scenario file it names, or a results file.
fn source(at: &At, g: &GateTables, path: &Path) -> Result<Source> {
    let dir = path.parent().unwrap_or(Path::new("."));
    Ok(match (&g.scenario, &g.results) {
        (Some(_), Some(r)) => {
            return Err(at.err(
                r.span().start,
                "results",
                "give either scenario = FILE or results = FILE, not both",
            ))
        }
        (Some(s), None) => {
            let p = dir.join(s.get_ref());
            let mut scn = Scenario::load(&p).map_err(|e| at.err(s.span().start, "scenario", e))?;
            if let Some(n) = &g.name {
                scn.name = n.clone();
            }
            Source::Scenario(Box::new(scn))
        }
        (None, Some(r)) => Source::Results(dir.join(r.get_ref())),
        (None, None) => Source::Scenario(Box::new(Scenario::parse_as(at.text, &at.origin, true)?)),
    })
}

/// `[policy]`, each value checked.
fn policy(at: &At, p: Option<&Spanned<Policy>>) -> Result<Policy> {
    let policy = p.map(|p| p.get_ref().clone()).unwrap_or_default();
    let pat = p.map_or(0, |p| p.span().start);
    if policy.runs == 0 {
        return Err(at.err(pat, "policy.runs", "must be at least 1"));
    }
    if policy.max_runs < policy.runs {
        return Err(at.err(
            pat,
            "policy.max_runs",
            format!("{} is below runs = {}", policy.max_runs, policy.runs),
        ));
    }
    if !(0.0..1.0).contains(&policy.noise_floor) {
        return Err(at.err(
            pat,
            "policy.noise_floor",
            format!(
                "{} must be a fraction in [0, 1), e.g. 0.02",
                policy.noise_floor
            ),
        ));
    }
    if !(policy.confidence > 0.5 && policy.confidence < 1.0) {
        return Err(at.err(
            pat,
            "policy.confidence",
            format!("{} must be in (0.5, 1), e.g. 0.95", policy.confidence),
        ));
    }
    Ok(policy)
}

/// The `[[check]]`s: metrics the scenario produces, at least one limit each.
fn checks(at: &At, files: &[Spanned<CheckFile>], source: &Source) -> Result<Vec<Check>> {
    if files.is_empty() {
        return Err(Error::usage(format!(
            "{}: no [[check]]: add one, e.g. [[check]] metric = \"fillrandom.ops_per_sec\" min = 100000",
            at.origin
        )));
    }
    let labels: Option<Vec<String>> = match source {
        Source::Scenario(s) => Some(s.labels()),
        Source::Results(_) => None,
    };
    let mut checks = Vec::new();
    for c in files {
        let cf = c.get_ref();
        let a = c.span().start;
        if let Some(l) = &labels {
            if !metrics::known(l, &cf.metric) {
                return Err(at.err(
                    a,
                    "check.metric",
                    format!(
                        "unknown metric {:?}: use PHASE.METRIC with a phase of this file ({}) or a trial metric (compression_ratio, sst_bytes, ...); docs/scenarios.md lists them",
                        cf.metric,
                        l.join(", ")
                    ),
                ));
            }
        }
        if cf.min.is_none() && cf.max.is_none() && cf.max_regression.is_none() {
            return Err(at.err(
                a,
                &format!("check {}", cf.metric),
                "give min, max or max_regression",
            ));
        }
        if cf
            .max_regression
            .is_some_and(|r| !(r >= 0.0 && r.is_finite()))
        {
            return Err(at.err(
                a,
                "check.max_regression",
                "must be a fraction >= 0, e.g. 0.10 for 10%",
            ));
        }
        checks.push(Check {
            name: cf.name.clone().unwrap_or_else(|| cf.metric.clone()),
            metric: cf.metric.clone(),
            limits: Limits {
                better: cf.better.unwrap_or_else(|| metrics::better(&cf.metric)),
                min: cf.min,
                max: cf.max,
                max_regression: cf.max_regression,
            },
        });
    }
    Ok(checks)
}

/// `[candidate]`: engine keys that apply to every trial's config.
fn candidate(
    at: &At,
    c: Option<&Spanned<toml::Table>>,
    source: &Source,
) -> Result<Option<toml::Table>> {
    let Some(c) = c else {
        return Ok(None);
    };
    let Source::Scenario(s) = source else {
        return Err(at.err(
            c.span().start,
            "candidate",
            "a results = FILE gate runs nothing, so it has no candidate",
        ));
    };
    for t in &s.trials {
        let mut cfg = t.config.clone();
        cfg.merge_table(c.get_ref())
            .map_err(|e| at.err(c.span().start, "candidate", e))?;
    }
    Ok(Some(c.get_ref().clone()))
}
