//! The one place that writes files: atomic writes, run folders, the live interval log, and
//! the loader of result files.

pub mod atomic;
pub mod folder;
pub mod hdr_log;
pub mod interval_log;
pub mod load;

pub use atomic::write_output;
pub use folder::{RunFolder, OUTPUT_FILES};
pub use hdr_log::HdrLog;
pub use interval_log::IntervalLog;
pub use load::{load, load_file, load_folder};
