//! Bytes out, no I/O: every exporter turns a result into text or bytes and the caller
//! (`crate::output`, a command) decides where they go.

pub mod compare;
pub mod csv;
pub mod dbstats;
pub mod gate;
pub mod html;
pub mod json;
pub mod options;
pub mod summary;
pub mod table;
pub mod tsv;
pub mod tune;
pub mod ycsb;
