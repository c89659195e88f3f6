//! The terminal side of a run: the live view of a phase (progress bar, dashboard, status
//! and alert lines) and a scenario's trial-runs bar. Nothing else in rdbtune draws on the
//! terminal.

pub mod live;
pub mod trials;
pub mod tune;

pub use live::{Display, LiveView};
pub use trials::TrialBar;
pub use tune::TuneBar;
