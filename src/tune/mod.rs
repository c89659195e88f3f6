//! `rdbtune tune`: a search over a knob space within memory and time budgets, and a final
//! round of interleaved repeats whose claims hold when someone re-runs them.

mod final_round;
pub mod search;
mod template;
pub mod tuner;

pub use tuner::{parse_duration, tune};
