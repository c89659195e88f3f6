//! The HTML report in a real browser: `rdbtune sweep compression --quick` writes report.html;
//! headless Chromium opens it with the network cut off, must log no console error, and the
//! report's own check must find every chart's series drawn. A PNG screenshot is saved beside
//! the report. Needs Chromium (`.ci/run` installs Debian's chromium): without it the test
//! fails under CI and is reported as skipped elsewhere (a SKIPPED line, counted by
//! `make test`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|c| {
            let o = Command::new("sh")
                .args(["-c", &format!("command -v {c}")])
                .output()
                .ok()?;
            o.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        })
}

fn headless(chrome: &Path, profile: &Path, extra: &[&str], url: &str) -> std::process::Output {
    Command::new(chrome)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
            // Offline: every host name fails to resolve.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium")
}

#[test]
fn report_renders_offline_with_every_chart() {
    let Some(chrome) = chromium() else {
        common::cannot_run(
            "Chromium is not installed (Debian package chromium; .ci/run installs it)",
        );
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let o = common::rdbtune(
        &[
            "sweep",
            "compression",
            "--quick",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    let report = out.join("report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.len() < 2 << 20, "report is {} bytes", html.len());
    for remote in ["src=\"http", "href=\"http", "url(http", "<link"] {
        assert!(
            !html.contains(remote),
            "the report loads {remote}...: it must be self-contained"
        );
    }
    let figures = html.matches("<figure ").count();
    assert!(figures >= 6, "{figures} charts");
    let url = format!("file://{}", report.display());
    let profile = t.path().join("profile");

    // Control: the harness does see a console error (else "no console messages" proves nothing).
    let control = t.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><body><script>console.error('control-error')</script></body></html>",
    )
    .unwrap();
    let c = headless(
        &chrome,
        &profile,
        &["--dump-dom"],
        &format!("file://{}", control.display()),
    );
    let clog = String::from_utf8_lossy(&c.stderr);
    assert!(
        clog.lines()
            .any(|l| l.contains("CONSOLE") && l.contains("control-error")),
        "the harness does not capture console errors: {clog}"
    );

    let dom = headless(&chrome, &profile, &["--dump-dom"], &url);
    let page = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    assert!(
        page.contains(&format!("data-charts-ok=\"{figures}/{figures}\"")),
        "the in-page check did not pass for every chart; body: {}",
        page.lines().find(|l| l.contains("<body")).unwrap_or("")
    );

    let png = out.join("report.png");
    let shot = headless(
        &chrome,
        &profile,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1100,7000",
            "--hide-scrollbars",
        ],
        &url,
    );
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "{} bytes",
        bytes.len()
    );
    // Keep the report and its screenshot for people to look at: always under cargo's test
    // temp directory (target/tmp/report-browser/), and in RDBTUNE_KEEP_REPORT when set.
    let mut keep = vec![PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-browser")];
    keep.extend(std::env::var_os("RDBTUNE_KEEP_REPORT").map(PathBuf::from));
    for dir in keep {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&report, dir.join("report.html")).unwrap();
        std::fs::copy(&png, dir.join("report.png")).unwrap();
    }
}
