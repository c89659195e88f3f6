//! Records as YCSB's RocksDB binding stores them.

use super::spec::YcsbSpec;

/// One stored record: for each field, a 4-byte big-endian name length, the name
/// (`field0`...), a 4-byte big-endian value length and the value: the length-prefixed
/// name/value pairs of YCSB's RocksDB binding. All fields have `fieldlength` bytes, so a
/// field's position is fixed and an update rewrites it in place.
pub struct Record {
    pub buf: Vec<u8>,
    /// Byte offset of each field's value.
    pub value_at: Vec<usize>,
    pub fieldlength: usize,
}

impl Record {
    pub fn new(spec: &YcsbSpec) -> Record {
        let mut buf = Vec::with_capacity(spec.record_len());
        let mut value_at = Vec::with_capacity(spec.fieldcount);
        for i in 0..spec.fieldcount {
            let name = format!("field{i}");
            buf.extend_from_slice(&(name.len() as u32).to_be_bytes());
            buf.extend_from_slice(name.as_bytes());
            buf.extend_from_slice(&(spec.fieldlength as u32).to_be_bytes());
            value_at.push(buf.len());
            buf.resize(buf.len() + spec.fieldlength, b' ');
        }
        Record {
            buf,
            value_at,
            fieldlength: spec.fieldlength,
        }
    }

    /// Overwrites field `i` with `value` (exactly `fieldlength` bytes).
    #[inline]
    pub fn set_field(&mut self, i: usize, value: &[u8]) {
        let at = self.value_at[i];
        self.buf[at..at + self.fieldlength].copy_from_slice(value);
    }

    /// Parses a stored record into (name, value) pairs; `None` if it is not one.
    pub fn parse(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
        let mut out = Vec::new();
        let mut p = 0;
        let take = |p: &mut usize| -> Option<&[u8]> {
            let n = u32::from_be_bytes(bytes.get(*p..*p + 4)?.try_into().ok()?) as usize;
            let s = bytes.get(*p + 4..*p + 4 + n)?;
            *p += 4 + n;
            Some(s)
        };
        while p < bytes.len() {
            let name = String::from_utf8(take(&mut p)?.to_vec()).ok()?;
            let value = take(&mut p)?.to_vec();
            out.push((name, value));
        }
        Some(out)
    }
}
