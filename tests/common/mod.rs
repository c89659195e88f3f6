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

/// The checkout being tested. Read at run time (cargo test sets CARGO_MANIFEST_DIR): the
/// compile-time value can name another clone when CI reuses a shared target directory.
pub fn source_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}
