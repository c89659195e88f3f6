//! A scenario's `[[column_family]]`s: named families, each storing a share of the key space
//! and getting a share of the ops, with engine keys of their own. The `families` parameter
//! chooses the layout of a trial: `separate` (each in its own column family) or `one` (the
//! same key and op shares, all in `default` with the trial's config), so a sweep measures
//! the split itself.

use super::parse::{File, Source};
use crate::engine::{CfConfig, EngineConfig};
use crate::error::{Error, Result};
use crate::model::PhaseTemplate;
use crate::workload::KeyGroup;

/// How a trial lays its key groups out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    Separate,
    One,
}

impl Layout {
    pub fn parse(v: &toml::Value) -> std::result::Result<Layout, String> {
        match v.as_str() {
            Some("separate") => Ok(Layout::Separate),
            Some("one") => Ok(Layout::One),
            _ => Err(format!(
                "{v} is not a layout: use \"separate\" (a column family each) or \"one\" (everything in default)"
            )),
        }
    }
}

/// The families are well formed: names distinct, shares positive and adding up to 1, every
/// phase's `column_family` one of them.
pub(super) fn check(src: &Source, f: &File) -> Result<()> {
    let mut names: Vec<&str> = Vec::new();
    for c in &f.column_family {
        let at = c.span().start;
        let cf = c.get_ref();
        if cf.name.trim().is_empty() {
            return Err(src.err(at, "column_family.name", "a family needs a name"));
        }
        if names.contains(&cf.name.as_str()) {
            return Err(src.err(
                at,
                "column_family.name",
                format!(
                    "two families are named {:?}: give each a distinct name",
                    cf.name
                ),
            ));
        }
        names.push(&cf.name);
        for (key, v) in [
            ("share_of_keys", cf.share_of_keys),
            ("share_of_ops", cf.share_of_ops),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(src.err(
                    at,
                    &format!("column_family {}: {key}", cf.name),
                    format!("{v} must be a fraction in (0, 1]"),
                ));
            }
        }
        let mut probe = EngineConfig::default();
        probe.merge_table(&cf.engine).map_err(|e| {
            src.err(
                at,
                &format!("column_family {}: engine", cf.name),
                e.to_string(),
            )
        })?;
    }
    if let Some(first) = f.column_family.first() {
        for (key, total) in [
            (
                "share_of_keys",
                f.column_family
                    .iter()
                    .map(|c| c.get_ref().share_of_keys)
                    .sum::<f64>(),
            ),
            (
                "share_of_ops",
                f.column_family
                    .iter()
                    .map(|c| c.get_ref().share_of_ops)
                    .sum::<f64>(),
            ),
        ] {
            if (total - 1.0).abs() > 1e-6 {
                return Err(src.err(
                    first.span().start,
                    &format!("column_family.{key}"),
                    format!("the families' {key} add up to {total}, not 1"),
                ));
            }
        }
    }
    for p in &f.phase {
        if let Some(cf) = &p.get_ref().column_family {
            if !names.contains(&cf.get_ref().as_str()) {
                return Err(src.err(
                    cf.span().start,
                    "phase.column_family",
                    format!(
                        "{:?} is not a [[column_family]] of this file ({})",
                        cf.get_ref(),
                        if names.is_empty() {
                            "it has none".to_string()
                        } else {
                            names.join(", ")
                        }
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Lays the families out on a trial: its config's column families (separate layout) and
/// each phase's key groups.
pub(super) fn apply(
    f: &File,
    layout: Layout,
    cfg: &mut EngineConfig,
    phases: &mut [PhaseTemplate],
) -> Result<()> {
    if f.column_family.is_empty() {
        return Ok(());
    }
    let fams: Vec<_> = f.column_family.iter().map(|c| c.get_ref()).collect();
    if layout == Layout::Separate {
        for c in &fams {
            if c.name == "default" {
                cfg.merge_table(&c.engine)?;
            } else {
                cfg.column_families.push(CfConfig {
                    name: c.name.clone(),
                    overrides: c.engine.clone(),
                });
            }
        }
    }
    let names = cfg.family_names();
    for (p, pf) in phases.iter_mut().zip(&f.phase) {
        let num = p.spec.num;
        let mut groups = Vec::new();
        let mut acc = 0.0;
        for c in &fams {
            let lo = (acc * num as f64).round() as u64;
            acc += c.share_of_keys;
            let hi = ((acc * num as f64).round() as u64).min(num);
            let family = match layout {
                Layout::One => 0,
                Layout::Separate => names.iter().position(|n| *n == c.name).unwrap_or(0),
            };
            groups.push(KeyGroup {
                family,
                name: c.name.clone(),
                column_family: names[family].clone(),
                lo,
                hi,
                op_share: c.share_of_ops,
            });
        }
        if let Some(only) = &pf.get_ref().column_family {
            groups.retain(|g| g.name == *only.get_ref());
            for g in &mut groups {
                g.op_share = 1.0;
            }
        }
        if groups.iter().any(|g| g.hi <= g.lo) {
            return Err(Error::usage(format!(
                "a column family gets no keys of num = {num}: raise num or its share_of_keys"
            )));
        }
        p.spec.key_groups = groups;
    }
    Ok(())
}
