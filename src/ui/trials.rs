//! The trial-runs bar of a scenario on a terminal, under which each phase draws its own.

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// `[elapsed] ===== 3/12 trial runs (ETA ..) trial #2`, or nothing off a terminal.
pub struct TrialBar {
    multi: Option<MultiProgress>,
    bar: ProgressBar,
}

impl TrialBar {
    /// A bar over `runs` trial runs when `terminal`; hidden otherwise.
    pub fn new(terminal: bool, runs: usize) -> TrialBar {
        if !terminal {
            return TrialBar {
                multi: None,
                bar: ProgressBar::hidden(),
            };
        }
        let multi = MultiProgress::new();
        let bar = multi.add(ProgressBar::new(runs as u64));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} trial runs (ETA {eta}) {msg}",
            )
            .expect("valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(500));
        TrialBar {
            multi: Some(multi),
            bar,
        }
    }

    /// The multi-bar phases draw under.
    pub fn multi(&self) -> Option<MultiProgress> {
        self.multi.clone()
    }

    /// Names the trial run in progress.
    pub fn running(&self, what: &str) {
        self.bar.set_message(what.to_string());
    }

    /// A line on stderr without tearing the bars.
    pub fn say(&self, line: &str) {
        self.bar.suspend(|| eprintln!("{line}"));
    }

    pub fn done_one(&self) {
        self.bar.inc(1);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
