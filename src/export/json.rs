//! Pretty JSON of any serialisable result, with a trailing newline.

use crate::error::{Error, Result};
use serde::Serialize;

/// The whole value as pretty JSON.
pub fn json<T: Serialize>(r: &T) -> Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(r)
        .map_err(|e| Error::usage(format!("serialising results: {e}")))?;
    v.push(b'\n');
    Ok(v)
}
