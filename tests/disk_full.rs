//! A run whose DB fills its file system: a clear "no space left" error, the results written
//! so far kept, exit 3, and the temporary DB removed. Needs a small file system: the test
//! mounts a 24 MiB tmpfs, which takes root: where it cannot, the test fails under CI and is
//! reported as skipped elsewhere.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn small_fs(at: &Path) -> Option<Mount> {
    std::fs::create_dir_all(at).unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=24m", "tmpfs"])
        .arg(at)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| Mount(at.to_path_buf()))
}

#[test]
fn disk_full_is_a_clear_error_that_keeps_results() {
    let t = tempfile::tempdir().unwrap();
    let small = t.path().join("small");
    let Some(_m) = small_fs(&small) else {
        common::cannot_run(
            "mounting a 24 MiB tmpfs failed (it needs root); docs/reliability.md has the manual check",
        );
        return;
    };
    // bench: the read phase finishes, the fill runs out of space.
    let json = t.path().join("bench.json");
    let o = common::bin()
        .args([
            "bench",
            "--workload",
            "readrandom,fillrandom",
            "--num",
            "2000000",
            "--reads",
            "1000",
            "--value-size",
            "1000",
            "--compressibility",
            "1",
            "--json",
            json.to_str().unwrap(),
            "-q",
        ])
        .env("TMPDIR", &small)
        .output()
        .unwrap();
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("No space left") && err.contains("file system is full"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(
        v["runs"][0]["phases"].as_array().unwrap().len(),
        1,
        "the finished phase is kept"
    );
    assert!(
        v["error"].as_str().unwrap().contains("No space left"),
        "{}",
        v["error"]
    );
    let left: Vec<_> = std::fs::read_dir(&small).unwrap().flatten().collect();
    assert!(left.is_empty(), "the temporary DB is removed: {left:?}");

    // A scenario: the first trial fits, the second fills the disk; the first is kept.
    let scn = t.path().join("s.toml");
    std::fs::write(
        &scn,
        "name = \"full\"\n[data]\nnum = 2000000\nvalue_size = 1000\ncompressibility = 1.0\n[[phase]]\nname = \"fill\"\nworkload = \"fillrandom\"\n[[trial]]\nname = \"small\"\nnum = 2000\n[[trial]]\nname = \"huge\"\n[run]\nrepeats = 1\n",
    )
    .unwrap();
    let out = t.path().join("out");
    let o = common::bin()
        .args([
            "run",
            scn.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ])
        .env("TMPDIR", &small)
        .output()
        .unwrap();
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("No space left"), "{err}");
    let v: Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "the finished trial run is kept");
    assert_eq!(runs[0]["trial"], "small");
    assert!(std::fs::read_dir(&small).unwrap().next().is_none());
}
