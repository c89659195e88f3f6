//! Scenario files: a declarative experiment (base engine config, data, phases, a grid of
//! variations, repeats, an objective) parsed, validated, expanded into trials and run.
//! The format is documented key by key in docs/scenarios.md; the parsed form is
//! [`crate::model::Scenario`].

pub mod builtin;
pub mod execute;
mod expand;
mod families;
mod parse;

pub use crate::model::{Data, PhaseTemplate, RunFile, Scenario, Trial};
pub use expand::PARAM_KEYS;

use crate::error::{Error, Result};

impl Scenario {
    /// Parses and validates scenario text. `origin` names the file in errors
    /// (`file:line: key ...: problem`).
    pub fn parse(text: &str, origin: &str) -> Result<Scenario> {
        parse::parse(text, origin, false, None)
    }

    /// Parses a scenario that may carry gate tables (`[policy]`, `[[check]]`, `[candidate]`);
    /// `gate = false` rejects them.
    pub fn parse_as(text: &str, origin: &str, gate: bool) -> Result<Scenario> {
        parse::parse(text, origin, gate, None)
    }

    /// Parses a scenario over `base` (an OPTIONS file from the command line) instead of the
    /// file's preset: its [engine] keys and grid apply on top.
    pub fn parse_with_base(
        text: &str,
        origin: &str,
        gate: bool,
        base: crate::engine::EngineConfig,
    ) -> Result<Scenario> {
        parse::parse(text, origin, gate, Some(base))
    }

    /// Reads and parses a scenario file.
    pub fn load(path: &std::path::Path) -> Result<Scenario> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::usage(format!(
                "{}: cannot read scenario file: {e}",
                path.display()
            ))
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Scales data and run length down for a smoke run (`--quick`).
    pub fn quick(&mut self) {
        let s = self.run.quick_scale.max(1);
        self.run.repeats = self.run.repeats.min(3);
        for t in &mut self.trials {
            for p in &mut t.phases {
                p.spec.scale_keys((p.spec.num / s).max(1000));
                p.spec.ops = p.spec.ops.map(|o| (o / s).max(1000));
                p.spec.duration_s = p.spec.duration_s.map(|d| (d / s as f64).max(1.0));
                p.spec.warmup_s /= s as f64;
                if let Some(y) = &mut p.spec.ycsb {
                    y.operationcount = (y.operationcount / s).max(1000);
                }
            }
        }
    }
}
