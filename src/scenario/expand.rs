//! Expanding a scenario into trials: the cartesian product of its grid axes, or its
//! `[[trial]]` list (each crossed with the grid when both are given). Each point sets
//! engine keys and workload parameters on top of the base config and phase templates.

use super::parse::{File, Source};
use crate::engine::EngineConfig;
use crate::error::{Error, Result};
use crate::model::{PhaseTemplate, Trial};
use crate::workload::PhaseSpec;
use std::collections::BTreeMap;
use toml::Spanned;

/// Workload parameters a grid axis or a trial may vary (beside every engine key).
pub const PARAM_KEYS: &[&str] = &[
    "num",
    "key_size",
    "value_size",
    "compressibility",
    "threads",
    "batch_size",
    "batch_mode",
    "read_percent",
    "seek_nexts",
    "merge_percent",
    "families",
];

/// A trial before expansion: its name, the keys it sets, and where it was written.
type Point = (String, Vec<(String, toml::Value)>, usize);

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// The grid's axes, each checked to be non-empty and a known key.
pub(super) fn axes(
    src: &Source,
    grid: &BTreeMap<String, Spanned<Vec<toml::Value>>>,
) -> Result<Vec<String>> {
    let mut axes = Vec::new();
    for (k, v) in grid {
        let at = v.span().start;
        if v.get_ref().is_empty() {
            return Err(src.err(
                at,
                &format!("grid.{k}"),
                "empty axis: list at least one value, e.g. [\"lz4\", \"zstd\"]",
            ));
        }
        if !EngineConfig::is_key(k) && !PARAM_KEYS.contains(&k.as_str()) {
            return Err(src.err(
                at,
                &format!("grid.{k}"),
                format!(
                    "unknown axis {k:?}: use an engine key ({}), rocksdb.NAME for any RocksDB option, or a workload parameter ({})",
                    EngineConfig::KEYS.join(", "),
                    PARAM_KEYS.join(", ")
                ),
            ));
        }
        axes.push(k.clone());
    }
    Ok(axes)
}

/// Every point of the experiment, before its keys are applied.
fn points(f: &File) -> Vec<Point> {
    let mut points: Vec<Point> = vec![(String::new(), Vec::new(), 0)];
    if !f.trial.is_empty() {
        points = f
            .trial
            .iter()
            .map(|t| {
                let tf = t.get_ref();
                (
                    tf.name.clone(),
                    tf.set.clone().into_iter().collect(),
                    t.span().start,
                )
            })
            .collect();
    }
    for (k, v) in &f.grid {
        let mut next = Vec::new();
        for (name, set, at) in &points {
            for val in v.get_ref() {
                let mut s = set.clone();
                s.push((k.clone(), val.clone()));
                next.push((name.clone(), s, v.span().start.max(*at)));
            }
        }
        points = next;
    }
    points
}

/// The trials of the scenario, with distinct ids.
pub(super) fn expand(
    src: &Source,
    f: &File,
    config: &EngineConfig,
    templates: &[PhaseTemplate],
) -> Result<Vec<Trial>> {
    let trials = points(f)
        .into_iter()
        .map(|p| trial(src, f, config, templates, p))
        .collect::<Result<Vec<_>>>()?;
    let mut ids: Vec<&str> = trials.iter().map(|t| t.id.as_str()).collect();
    ids.sort();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::usage(format!(
            "{}: two trials share the id {:?}: give each [[trial]] a distinct name",
            src.origin, w[0]
        )));
    }
    Ok(trials)
}

/// One point applied to the base config and the phase templates.
fn trial(
    src: &Source,
    f: &File,
    config: &EngineConfig,
    templates: &[PhaseTemplate],
    (name, set, at): Point,
) -> Result<Trial> {
    let axes_txt: Vec<(String, String)> = set
        .iter()
        .map(|(k, v)| (k.clone(), value_text(v)))
        .collect();
    let grid_id = axes_txt
        .iter()
        .filter(|(k, _)| f.grid.contains_key(k))
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let id = match (name.is_empty(), grid_id.is_empty()) {
        (true, true) => "base".to_string(),
        (true, false) => grid_id,
        (false, true) => name.clone(),
        (false, false) => format!("{name},{grid_id}"),
    };
    let mut cfg = config.clone();
    let mut eng = toml::Table::new();
    let mut phases = templates.to_vec();
    let mut layout = super::families::Layout::Separate;
    for (k, v) in &set {
        if k == "families" {
            layout = super::families::Layout::parse(v)
                .map_err(|e| src.err(at, &format!("trial {id}: families"), e))?;
            continue;
        }
        if EngineConfig::is_key(k) {
            eng.insert(k.clone(), v.clone());
        } else if PARAM_KEYS.contains(&k.as_str()) {
            for p in &mut phases {
                apply_param(&mut p.spec, k, v)
                    .map_err(|e| src.err(at, &format!("trial {id}: {k}"), e))?;
            }
        } else {
            return Err(src.err(
                at,
                &format!("trial {id}"),
                format!(
                    "unknown key {k:?}: use an engine key or a workload parameter ({})",
                    PARAM_KEYS.join(", ")
                ),
            ));
        }
    }
    cfg.merge_table(&eng)
        .map_err(|e| src.err(at, &format!("trial {id}"), e.to_string()))?;
    super::families::apply(f, layout, &mut cfg, &mut phases)
        .map_err(|e| src.err(at, &format!("trial {id}"), e.to_string()))?;
    for p in &phases {
        p.spec
            .validate()
            .map_err(|e| src.err(at, &format!("trial {id}"), e.to_string()))?;
    }
    let axes = if name.is_empty() {
        axes_txt
    } else {
        let mut a = vec![("trial".to_string(), name.clone())];
        a.extend(axes_txt.into_iter().filter(|(k, _)| f.grid.contains_key(k)));
        a
    };
    Ok(Trial {
        id,
        axes,
        config: cfg,
        phases,
    })
}

/// Sets one workload parameter on a phase.
fn apply_param(
    spec: &mut PhaseSpec,
    key: &str,
    v: &toml::Value,
) -> std::result::Result<(), String> {
    let int = || {
        v.as_integer()
            .filter(|i| *i >= 0)
            .map(|i| i as u64)
            .ok_or_else(|| format!("expected a non-negative integer, got {v}"))
    };
    match key {
        "num" => spec.num = int()?,
        "key_size" => spec.key_size = int()? as usize,
        "value_size" => spec.value_size = int()? as usize,
        "threads" => spec.threads = int()? as usize,
        "batch_size" => {
            if spec.workload.writes() {
                spec.batch_size = int()? as usize
            }
        }
        "read_percent" => spec.read_percent = int()? as u32,
        "seek_nexts" => {
            if spec.workload.seeks() {
                spec.seek_nexts = int()? as usize
            }
        }
        "merge_percent" => spec.merge_percent = int()? as u32,
        "compressibility" => {
            spec.compressibility = v
                .as_float()
                .or_else(|| v.as_integer().map(|i| i as f64))
                .ok_or_else(|| format!("expected a number, got {v}"))?
        }
        "batch_mode" => {
            if spec.workload.writes() {
                spec.batch_mode = v
                    .clone()
                    .try_into()
                    .map_err(|e: toml::de::Error| e.message().to_string())?
            }
        }
        _ => return Err(format!("unknown parameter {key:?}")),
    }
    Ok(())
}
