//! The tuner's bar on a terminal: seconds of the time budget used and the best score so
//! far; its log lines print above it. Off a terminal (or quiet) the lines go to stderr.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// `tune 00:04:12 ======     252/1800 s  best 95,129 ops/s run.debt_ops_per_sec (c1a2b3c4)`.
pub struct TuneBar {
    bar: ProgressBar,
    log: bool,
}

impl TuneBar {
    /// A bar over `budget_s` seconds when stderr is a terminal and not `quiet`; lines only
    /// otherwise (none when quiet).
    pub fn new(budget_s: f64, quiet: bool) -> TuneBar {
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let bar = if quiet || !terminal {
            ProgressBar::hidden()
        } else {
            let b =
                ProgressBar::with_draw_target(Some(budget_s as u64), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template(
                    "tune {elapsed_precise} {wide_bar} {pos}/{len} s  {msg}",
                )
                .expect("a valid template"),
            );
            b
        };
        TuneBar { bar, log: !quiet }
    }

    /// A progress line at `elapsed_s`: above the bar on a terminal, on stderr otherwise.
    pub fn say(&self, elapsed_s: f64, line: &str) {
        if !self.log {
            return;
        }
        let line = format!("[tune {elapsed_s:>5.0} s] {line}");
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
            self.bar.set_position(elapsed_s as u64);
        }
    }

    /// The best score so far, shown beside the bar.
    pub fn best(&self, text: String) {
        self.bar.set_message(text);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
