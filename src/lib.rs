//! rdbtune: benchmark and tune RocksDB.
//!
//! The library holds everything; `main.rs` only parses the command line and calls [`run`].
//! See DESIGN.md in the repository for how data flows from a workload to a report.

pub mod bench;
pub mod cli;
pub mod dbdir;
pub mod engine;
pub mod error;
pub mod report;
pub mod results;
pub mod runner;
pub mod signals;
pub mod sysmon;
pub mod workload;

pub use error::{Error, Result};

/// Runs one command; returns the process exit code (0, or 130/143 after an interrupt).
pub fn run(cli: cli::Cli) -> Result<i32> {
    match cli.command {
        cli::Command::Bench(args) => bench::run(&args),
        cli::Command::Config(args) => {
            let cfg = bench::engine_config(&args.engine)?;
            print!("{}", cfg.to_toml());
            Ok(0)
        }
    }
}
