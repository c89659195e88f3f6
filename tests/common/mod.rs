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

/// Whether `tool` can be run. Outside CI a missing tool skips the test with a visible line
/// (counted by `make test`); with `CI` set it fails the test, naming the tool and the package.
pub fn require(tool: &str, package: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return true;
    }
    if std::env::var_os("CI").is_some_and(|v| v != "false" && v != "0") {
        panic!(
            "{tool} is not installed (Debian package {package}); CI must install it (.ci/run does)"
        );
    }
    eprintln!("SKIPPED: {tool} is not installed (Debian package {package})");
    false
}

/// The commands of a db_bench.flags file (comments dropped, `\` continuations joined), each
/// as its arguments.
pub fn db_bench_commands(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('#') || l.is_empty() {
            continue;
        }
        match l.strip_suffix('\\') {
            Some(part) => {
                cur.push_str(part);
                cur.push(' ');
            }
            None => {
                cur.push_str(l);
                out.push(cur.split_whitespace().map(str::to_string).collect());
                cur.clear();
            }
        }
    }
    out
}
