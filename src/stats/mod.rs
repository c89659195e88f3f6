//! Statistics, a leaf of the crate (it imports nothing of rdbtune): estimates of a metric
//! over repeats with their intervals, relative changes between two samples, least-squares
//! slopes and the long-run trends built on them.

pub mod change;
pub mod estimate;
pub mod trend;

pub use change::{change, compare, compare_paired, pct_change, Change, Comparison, Direction};
pub use estimate::{mean_var, median, normal_quantile, t95, t_quantile, welch_df, Estimate};
pub use trend::{
    slope, trend, MemoryVerdict, Point, RunningSlope, Trend, RSS_GROWTH_THRESHOLD_MIB_PER_H,
};
