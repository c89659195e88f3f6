//! Statistics over repeats and the recommendation built on them.

pub mod recommend;
pub mod search;
pub mod soak;
pub mod stats;
pub mod tuner;
