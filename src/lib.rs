//! rdbtune: benchmark and tune RocksDB.
//!
//! The library holds everything; `main.rs` only parses the command line and calls
//! [`commands::run`]. The layers, from the ground up (imports point downward only; a test
//! keeps it so): `error`, `signals`, `sysmon`, `dbdir`; `stats` (a leaf); `engine` (the only
//! user of `rocksdb::`); `workload`; `model`; `metrics`; `runner`; `export`; `ui`;
//! `recommend`; `output`; `scenario`; `gate` and `tune`; `commands`. docs/architecture.md
//! shows the flow of one trial through them.

pub mod commands;
pub mod dbdir;
pub mod endpoint;
pub mod engine;
pub mod error;
pub mod export;
pub mod gate;
pub mod metrics;
pub mod model;
pub mod output;
pub mod recommend;
pub mod runner;
pub mod scenario;
pub mod signals;
pub mod stats;
pub mod sysmon;
pub mod tune;
pub mod ui;
pub mod workload;

pub use error::{Error, Result};
