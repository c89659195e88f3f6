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
    if !found {
        cannot_run(&format!(
            "{tool} is not installed (Debian package {package}; .ci/run installs it)"
        ));
    }
    found
}

/// Whether `CI` is set (to anything but `false` or `0`).
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| v != "false" && v != "0")
}

/// The current test cannot run, for `why`. Under CI that fails it (a test that cannot run
/// proves nothing); otherwise it prints `SKIPPED: <test>: <why>` past the test harness's
/// output capture, so the line shows in a passing run, and appends it to
/// `$RDBTUNE_SKIP_LOG`, which `make test` counts at the end.
pub fn cannot_run(why: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("(unnamed test)")
        .to_string();
    if in_ci() {
        panic!("{test} cannot run under CI: {why}");
    }
    let line = format!("SKIPPED: {test}: {why}\n");
    use std::io::Write;
    // io::stderr() directly, not eprintln!: the harness captures only the print macros.
    let _ = std::io::stderr().write_all(line.as_bytes());
    if let Some(log) = std::env::var_os("RDBTUNE_SKIP_LOG") {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// Prints a measured figure of a timing test (`FIGURE: <test>: <text>`) past the harness's
/// capture, so every run shows how close to its bound the machine came.
pub fn figure(text: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("(unnamed test)")
        .to_string();
    use std::io::Write;
    let _ = std::io::stderr().write_all(format!("FIGURE: {test}: {text}\n").as_bytes());
}

/// How long a process may take to stop after SIGINT/SIGTERM before a test calls it stuck:
/// generous, because a loaded 2-core machine can delay a prompt stop by seconds; the
/// measured time is printed with [`figure`].
pub const STOP_BOUND: std::time::Duration = std::time::Duration::from_secs(10);

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
