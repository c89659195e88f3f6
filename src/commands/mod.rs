//! One file per subcommand: the only users of the command-line types. Each turns its flags
//! into the library's options, runs, and writes what the user asked for.

pub mod bench;
pub mod cli;
pub mod common;
pub mod config;
pub mod gate;
pub mod report;
pub mod run;
pub mod stats;
pub mod tune;
pub mod ycsb;

use crate::error::Result;
use cli::{Cli, Command};

/// Runs one command; returns the process exit code (0, or 130/143 after an interrupt).
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Bench(args) => bench::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Sweep(args) => run::sweep(&args),
        Command::Ycsb(args) => ycsb::run(&args),
        Command::Stats(args) => stats::run(&args),
        Command::Validate(args) => run::validate(&args),
        Command::Merge(args) => run::merge(&args),
        Command::Gate(args) => gate::run(&args),
        Command::Tune(args) => tune::run(&args),
        Command::Report(args) => report::report(&args),
        Command::Compare(args) => report::compare(&args),
        Command::Config(args) => config::run(&args),
    }
}
