//! `rdbtune tune`: a search over the engine's knobs for any workload or scenario, judged by
//! any catalogued metric under constraints, proven in a final round of interleaved repeats
//! and explained knob by knob. See docs/tuning.md.

mod explain;
mod final_round;
pub mod memory;
pub mod space;
pub mod target;
mod template;
mod tuner;

pub use tuner::{parse_duration, tune};
