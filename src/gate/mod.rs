//! `rdbtune gate`: fail a build when RocksDB performance misses a target or regresses,
//! without crying wolf on a noisy machine.
//!
//! A gate file is a scenario file (the workload to measure) with three more tables:
//! `[policy]` (runs, noise floor, confidence, confirmation), `[[check]]` (metric, direction,
//! absolute limits, regression limit) and optionally `[candidate]` (engine keys that make the
//! candidate differ from the baseline, measured paired and interleaved in the same job).
//! Instead of inline phases it may name `scenario = "FILE"`, or `results = "results.json"`
//! to check a finished run without running anything. See docs/ci.md.

pub mod file;
pub mod judge;
pub mod run;

pub use file::{GateFile, Source};
pub use run::{run, GateOptions};
