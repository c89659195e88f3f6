//! Records as YCSB's RocksDB binding stores them: for each field, a 4-byte big-endian name
//! length, the name, a 4-byte big-endian value length and the value, the fields in the
//! iteration order of the Java `HashMap` upstream builds them in (field1, field0, field7,
//! ... for the default ten).

use super::fields::{java_hashmap_order, FieldIter};
use super::spec::YcsbSpec;

/// The record layout of a workload: field names and their stored order.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Field names by field index (fieldnameprefix + i).
    pub names: Vec<Vec<u8>>,
    /// Field indexes in stored order.
    pub order: Vec<usize>,
}

impl Layout {
    pub fn new(spec: &YcsbSpec) -> Layout {
        let names = spec.field_names();
        // Validated: the order is modelled for every accepted field count and prefix.
        let order = java_hashmap_order(&names).unwrap_or_else(|| (0..names.len()).collect());
        Layout {
            names: names.into_iter().map(String::into_bytes).collect(),
            order,
        }
    }
}

/// One record being written, its buffer reused from op to op.
pub struct Record {
    pub buf: Vec<u8>,
    /// Byte offset of each field's value, by field index (valid after [`Record::build`]).
    pub value_at: Vec<usize>,
    /// Each field's value length, by field index.
    pub len: Vec<usize>,
}

impl Record {
    pub fn new(spec: &YcsbSpec) -> Record {
        Record {
            buf: Vec::with_capacity(
                spec.record_len()
                    .max(spec.fieldcount * (spec.max_field_len() + 16)),
            ),
            value_at: vec![0; spec.fieldcount],
            len: vec![0; spec.fieldcount],
        }
    }

    /// Builds the record: field `i` gets `len(i)` bytes, appended by `value(i, n, buf)`,
    /// stored in the layout's order. Lengths are drawn in field order first, as upstream's
    /// buildValues.
    #[inline]
    pub fn build(
        &mut self,
        layout: &Layout,
        mut len: impl FnMut(usize) -> usize,
        mut value: impl FnMut(usize, usize, &mut Vec<u8>),
    ) {
        for i in 0..self.len.len() {
            self.len[i] = len(i);
        }
        self.buf.clear();
        for &i in &layout.order {
            let name = &layout.names[i];
            self.buf
                .extend_from_slice(&(name.len() as u32).to_be_bytes());
            self.buf.extend_from_slice(name);
            self.buf
                .extend_from_slice(&(self.len[i] as u32).to_be_bytes());
            self.value_at[i] = self.buf.len();
            value(i, self.len[i], &mut self.buf);
            debug_assert_eq!(self.buf.len(), self.value_at[i] + self.len[i]);
        }
    }

    /// `stored` with field `name`'s value replaced by `value` (appended when the record has
    /// no such field), written into `out`, as the binding's update does it (deserialise,
    /// `putAll`, serialise in the stored order). Returns false when `stored` is not a
    /// record in the binding's layout.
    pub fn replace_field(stored: &[u8], name: &[u8], value: &[u8], out: &mut Vec<u8>) -> bool {
        out.clear();
        let put = |out: &mut Vec<u8>, n: &[u8], v: &[u8]| {
            out.extend_from_slice(&(n.len() as u32).to_be_bytes());
            out.extend_from_slice(n);
            out.extend_from_slice(&(v.len() as u32).to_be_bytes());
            out.extend_from_slice(v);
        };
        let mut it = FieldIter::new(stored);
        let mut replaced = false;
        for (n, v) in it.by_ref() {
            if n == name {
                put(out, n, value);
                replaced = true;
            } else {
                put(out, n, v);
            }
        }
        if it.malformed {
            return false;
        }
        if !replaced {
            put(out, name, value);
        }
        true
    }

    /// Parses a stored record into (name, value) pairs; `None` if it is not one.
    pub fn parse(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
        let mut it = FieldIter::new(bytes);
        let out: Vec<(String, Vec<u8>)> = it
            .by_ref()
            .map(|(n, v)| (String::from_utf8_lossy(n).into_owned(), v.to_vec()))
            .collect();
        (!it.malformed).then_some(out)
    }
}
