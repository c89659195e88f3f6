//! Helpers shared by the integration tests: run the rdbtune binary with its temporary DBs
//! under a test-owned TMPDIR.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The rdbtune binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rdbtune"))
}

/// Runs rdbtune with `args`, temporary DBs under `tmpdir`.
pub fn rdbtune(args: &[&str], tmpdir: &Path) -> Output {
    bin()
        .args(args)
        .env("TMPDIR", tmpdir)
        .output()
        .expect("run rdbtune")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
