//! Metrics: one catalogue (name, unit, direction, domain, source) and one derivation of a
//! trial run's metrics from its phases.

pub mod alerts;
pub mod catalogue;
pub mod derive;

pub use catalogue::{
    better, estimate, format, get, known, lookup, names, show, unit, Metric, Scope, Unit, CATALOGUE,
};
pub use derive::{debt_ops_per_sec, run_metrics};
