//! YCSB's generators and key naming, as upstream YCSB (brianfrankcooper/YCSB, core
//! `site.ycsb.generator` and `CoreWorkload`) defines them, so that a zipfian or latest key
//! choice here means what it means there.

use rand::rngs::SmallRng;
use rand::Rng;

/// YCSB's default zipfian constant.
pub const ZIPFIAN_CONSTANT: f64 = 0.99;
/// ScrambledZipfianGenerator draws from a zipfian over this many items...
pub const SCRAMBLED_ITEM_COUNT: u64 = 10_000_000_000;
/// ...whose zeta is this constant (upstream hard-codes it).
pub const SCRAMBLED_ZETAN: f64 = 26.46902820178302;

const FNV_OFFSET_BASIS_64: u64 = 0xCBF2_9CE4_8422_2325;
const FNV_PRIME_64: u64 = 1_099_511_628_211;

/// YCSB's `Utils.fnvhash64`: FNV-1 over the 8 bytes of `val`, lowest byte first, then the
/// absolute value as a signed 64-bit number.
pub fn fnvhash64(mut val: u64) -> u64 {
    let mut h = FNV_OFFSET_BASIS_64;
    for _ in 0..8 {
        let octet = val & 0xff;
        val >>= 8;
        h ^= octet;
        h = h.wrapping_mul(FNV_PRIME_64);
    }
    (h as i64).unsigned_abs()
}

/// `zeta(n, theta) = sum_{i=1..n} 1 / i^theta`, continued from `(st, initial)`.
pub fn zeta(st: u64, n: u64, theta: f64, initial: f64) -> f64 {
    let mut sum = initial;
    for i in st..n {
        sum += 1.0 / ((i + 1) as f64).powf(theta);
    }
    sum
}

/// Upstream's ZipfianGenerator (Gray et al., "Quickly Generating Billion-Record Synthetic
/// Databases", SIGMOD 1994): item `base` is the most popular.
#[derive(Debug, Clone)]
pub struct Zipfian {
    pub items: u64,
    pub base: u64,
    pub theta: f64,
    pub zetan: f64,
    zeta2theta: f64,
    alpha: f64,
    pub eta: f64,
    count_for_zeta: u64,
}

impl Zipfian {
    /// A zipfian over `[min, max]` with constant `theta`; computes zeta(n) (O(n) once).
    pub fn new(min: u64, max: u64, theta: f64) -> Zipfian {
        let items = max - min + 1;
        let zetan = zeta(0, items, theta, 0.0);
        Self::with_zetan(min, items, theta, zetan)
    }

    /// As upstream's constructor that takes a precomputed zeta(n).
    pub fn with_zetan(base: u64, items: u64, theta: f64, zetan: f64) -> Zipfian {
        let zeta2theta = zeta(0, 2, theta, 0.0);
        let alpha = 1.0 / (1.0 - theta);
        let eta = (1.0 - (2.0 / items as f64).powf(1.0 - theta)) / (1.0 - zeta2theta / zetan);
        Zipfian {
            items,
            base,
            theta,
            zetan,
            zeta2theta,
            alpha,
            eta,
            count_for_zeta: items,
        }
    }

    /// `nextLong(itemcount)`: draws over the first `itemcount` items, updating zeta
    /// incrementally when the count grows (as the latest generator needs).
    pub fn next_over(&mut self, rng: &mut SmallRng, itemcount: u64) -> u64 {
        if itemcount != self.count_for_zeta {
            if itemcount > self.count_for_zeta {
                self.zetan = zeta(self.count_for_zeta, itemcount, self.theta, self.zetan);
            } else {
                self.zetan = zeta(0, itemcount, self.theta, 0.0);
            }
            self.count_for_zeta = itemcount;
            self.eta = (1.0 - (2.0 / itemcount as f64).powf(1.0 - self.theta))
                / (1.0 - self.zeta2theta / self.zetan);
        }
        let u: f64 = rng.random();
        let uz = u * self.zetan;
        if uz < 1.0 {
            return self.base;
        }
        if uz < 1.0 + 0.5f64.powf(self.theta) {
            return self.base + 1;
        }
        self.base + (itemcount as f64 * (self.eta * u - self.eta + 1.0).powf(self.alpha)) as u64
    }

    pub fn next(&mut self, rng: &mut SmallRng) -> u64 {
        self.next_over(rng, self.items)
    }
}

/// Upstream's ScrambledZipfianGenerator: popular items scattered over the key space.
#[derive(Debug, Clone)]
pub struct ScrambledZipfian {
    min: u64,
    itemcount: u64,
    gen: Zipfian,
}

impl ScrambledZipfian {
    pub fn new(min: u64, max: u64, theta: f64) -> ScrambledZipfian {
        let gen = if theta == ZIPFIAN_CONSTANT {
            Zipfian::with_zetan(0, SCRAMBLED_ITEM_COUNT, theta, SCRAMBLED_ZETAN)
        } else {
            Zipfian::new(0, SCRAMBLED_ITEM_COUNT - 1, theta)
        };
        ScrambledZipfian {
            min,
            itemcount: max - min + 1,
            gen,
        }
    }

    pub fn next(&mut self, rng: &mut SmallRng) -> u64 {
        let r = self.gen.next(rng);
        self.min + fnvhash64(r) % self.itemcount
    }
}

/// Key name as CoreWorkload's `buildKeyName`: "user" + (hashed ? fnvhash64(n) : n), left
/// padded with zeros to `zeropadding` digits. Written into `out` (cleared first).
pub fn key_name(keynum: u64, hashed: bool, zeropadding: usize, out: &mut Vec<u8>) {
    use std::io::Write;
    let n = if hashed { fnvhash64(keynum) } else { keynum };
    out.clear();
    out.extend_from_slice(b"user");
    let digits = if n == 0 { 1 } else { n.ilog10() as usize + 1 };
    for _ in digits..zeropadding {
        out.push(b'0');
    }
    let _ = write!(out, "{n}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn key_names_match_upstream() {
        let mut k = Vec::new();
        key_name(0, true, 1, &mut k);
        assert_eq!(k, b"user6284781860667377211");
        key_name(5, false, 10, &mut k);
        assert_eq!(k, b"user0000000005");
        key_name(123, false, 1, &mut k);
        assert_eq!(k, b"user123");
    }

    #[test]
    fn zipfian_constants_match_upstream() {
        let z = Zipfian::new(0, 999, ZIPFIAN_CONSTANT);
        assert!((z.zetan - 7.728953217284729).abs() < 1e-9, "{}", z.zetan);
        assert!((z.eta - 0.074806086706898).abs() < 1e-12, "{}", z.eta);
    }

    #[test]
    fn zipfian_item0_frequency() {
        let mut z = Zipfian::new(0, 999, ZIPFIAN_CONSTANT);
        let mut rng = SmallRng::seed_from_u64(7);
        let n = 1_000_000;
        let hits = (0..n).filter(|_| z.next(&mut rng) == 0).count();
        let f = hits as f64 / n as f64;
        let expect = 1.0 / 7.728953217284729; // 12.938%
        assert!(
            (f - expect).abs() < 0.0015,
            "item 0 drawn {:.4}%",
            f * 100.0
        );
        assert!((0..10_000).all(|_| z.next(&mut rng) < 1000));
    }

    #[test]
    fn scrambled_zipfian_hottest_key() {
        // Workload A over 1000 records: the zipfian's item 0 maps to fnvhash64(0) % 1000.
        let mut z = ScrambledZipfian::new(0, 999, ZIPFIAN_CONSTANT);
        let mut rng = SmallRng::seed_from_u64(9);
        let mut counts = vec![0u32; 1000];
        for _ in 0..200_000 {
            counts[z.next(&mut rng) as usize] += 1;
        }
        let hottest = (0..1000).max_by_key(|&i| counts[i]).unwrap() as u64;
        assert_eq!(hottest, fnvhash64(0) % 1000);
        assert_eq!(hottest, 211);
    }

    #[test]
    fn fnv_is_as_upstream() {
        assert_eq!(fnvhash64(0), 6284781860667377211);
        assert_ne!(fnvhash64(1), fnvhash64(2));
    }
}

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Request distributions of CoreWorkload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distribution {
    Uniform,
    Zipfian,
    Latest,
}

/// A CoreWorkload configuration, with YCSB's property names and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YcsbSpec {
    /// a..f for the core workloads, else "custom".
    pub workload: String,
    pub recordcount: u64,
    pub operationcount: u64,
    pub readproportion: f64,
    pub updateproportion: f64,
    pub insertproportion: f64,
    pub scanproportion: f64,
    pub readmodifywriteproportion: f64,
    pub requestdistribution: Distribution,
    pub zipfianconstant: f64,
    pub fieldcount: usize,
    pub fieldlength: usize,
    pub readallfields: bool,
    pub writeallfields: bool,
    /// insertorder=hashed (true) or ordered (false).
    pub hashed: bool,
    pub zeropadding: usize,
    pub minscanlength: u64,
    pub maxscanlength: u64,
}

impl Default for YcsbSpec {
    /// CoreWorkload's defaults (with rdbtune's smaller record and operation counts).
    fn default() -> Self {
        YcsbSpec {
            workload: "custom".into(),
            recordcount: 100_000,
            operationcount: 100_000,
            readproportion: 0.95,
            updateproportion: 0.05,
            insertproportion: 0.0,
            scanproportion: 0.0,
            readmodifywriteproportion: 0.0,
            requestdistribution: Distribution::Uniform,
            zipfianconstant: ZIPFIAN_CONSTANT,
            fieldcount: 10,
            fieldlength: 100,
            readallfields: true,
            writeallfields: false,
            hashed: true,
            zeropadding: 1,
            minscanlength: 1,
            maxscanlength: 1000,
        }
    }
}

impl YcsbSpec {
    /// Upstream's workloads/workload{a..f}: proportions and request distribution.
    pub fn core(name: &str) -> Result<YcsbSpec> {
        let mut s = YcsbSpec {
            workload: name.to_ascii_lowercase(),
            requestdistribution: Distribution::Zipfian,
            ..YcsbSpec::default()
        };
        let (r, u, i, sc, rmw) = match s.workload.as_str() {
            "a" => (0.5, 0.5, 0.0, 0.0, 0.0),
            "b" => (0.95, 0.05, 0.0, 0.0, 0.0),
            "c" => (1.0, 0.0, 0.0, 0.0, 0.0),
            "d" => (0.95, 0.0, 0.05, 0.0, 0.0),
            "e" => (0.0, 0.0, 0.05, 0.95, 0.0),
            "f" => (0.5, 0.0, 0.0, 0.0, 0.5),
            other => {
                return Err(Error::usage(format!(
                    "unknown YCSB workload {other:?}: use one of a, b, c, d, e, f"
                )))
            }
        };
        s.readproportion = r;
        s.updateproportion = u;
        s.insertproportion = i;
        s.scanproportion = sc;
        s.readmodifywriteproportion = rmw;
        match s.workload.as_str() {
            "d" => s.requestdistribution = Distribution::Latest,
            "e" => s.maxscanlength = 100,
            _ => {}
        }
        Ok(s)
    }

    /// Applies one YCSB property. Properties YCSB has but rdbtune does not use (workload
    /// class, measurement settings, db bindings) are accepted and ignored; a bad value for a
    /// property rdbtune uses is an error naming it.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let v = value.trim();
        let bad = |what: &str| Error::usage(format!("YCSB property {key}={v:?}: expected {what}"));
        let num = || v.parse::<u64>().map_err(|_| bad("a whole number"));
        let frac = || {
            v.parse::<f64>()
                .ok()
                .filter(|x| (0.0..=1.0).contains(x))
                .ok_or_else(|| bad("a proportion between 0 and 1"))
        };
        let boolean = || v.parse::<bool>().map_err(|_| bad("true or false"));
        match key.trim() {
            "recordcount" => self.recordcount = num()?,
            "operationcount" => self.operationcount = num()?,
            "readproportion" => self.readproportion = frac()?,
            "updateproportion" => self.updateproportion = frac()?,
            "insertproportion" => self.insertproportion = frac()?,
            "scanproportion" => self.scanproportion = frac()?,
            "readmodifywriteproportion" => self.readmodifywriteproportion = frac()?,
            "requestdistribution" => {
                self.requestdistribution = match v {
                    "uniform" => Distribution::Uniform,
                    "zipfian" => Distribution::Zipfian,
                    "latest" => Distribution::Latest,
                    _ => return Err(bad(
                        "uniform, zipfian or latest (hotspot and exponential are not supported)",
                    )),
                }
            }
            "zipfianconstant" | "zipfian.constant" => {
                self.zipfianconstant = v
                    .parse::<f64>()
                    .ok()
                    .filter(|x| *x > 0.0 && *x < 1.0)
                    .ok_or_else(|| bad("a number in (0, 1)"))?
            }
            "fieldcount" => self.fieldcount = num()? as usize,
            "fieldlength" => self.fieldlength = num()? as usize,
            "readallfields" => self.readallfields = boolean()?,
            "writeallfields" => self.writeallfields = boolean()?,
            "insertorder" => {
                self.hashed = match v {
                    "hashed" => true,
                    "ordered" => false,
                    _ => return Err(bad("hashed or ordered")),
                }
            }
            "zeropadding" => self.zeropadding = num()? as usize,
            "minscanlength" => self.minscanlength = num()?,
            "maxscanlength" => self.maxscanlength = num()?,
            "scanlengthdistribution" | "fieldlengthdistribution"
                if v != "uniform" && v != "constant" =>
            {
                return Err(bad("uniform (scans) or constant (fields)"));
            }
            // Accepted and ignored: they select classes or measurement output in YCSB.
            _ => {}
        }
        Ok(())
    }

    /// Reads a YCSB property file (`key=value` lines, `#` comments), naming the file and
    /// line of a bad value.
    pub fn apply_properties(&mut self, text: &str, origin: &str) -> Result<()> {
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') || l.starts_with('!') {
                continue;
            }
            let (k, v) = l
                .split_once('=')
                .or_else(|| l.split_once(':'))
                .ok_or_else(|| {
                    Error::usage(format!("{origin}:{}: expected key=value, got {l:?}", i + 1))
                })?;
            self.set(k, v)
                .map_err(|e| Error::usage(format!("{origin}:{}: {e}", i + 1)))?;
        }
        Ok(())
    }

    /// Checks the values before anything runs.
    pub fn validate(&self) -> Result<()> {
        let total = self.readproportion
            + self.updateproportion
            + self.insertproportion
            + self.scanproportion
            + self.readmodifywriteproportion;
        if total <= 0.0 {
            return Err(Error::usage(
                "YCSB proportions are all 0: set readproportion, updateproportion, ...",
            ));
        }
        if self.recordcount == 0 {
            return Err(Error::usage("YCSB recordcount must be at least 1"));
        }
        if self.fieldcount == 0 || self.fieldlength == 0 {
            return Err(Error::usage(
                "YCSB fieldcount and fieldlength must be at least 1",
            ));
        }
        if self.minscanlength == 0 || self.maxscanlength < self.minscanlength {
            return Err(Error::usage(format!(
                "YCSB scan lengths: need 1 <= minscanlength ({}) <= maxscanlength ({})",
                self.minscanlength, self.maxscanlength
            )));
        }
        Ok(())
    }

    /// Bytes of one stored record (see [`Record`]).
    pub fn record_len(&self) -> usize {
        (0..self.fieldcount)
            .map(|i| 8 + format!("field{i}").len() + self.fieldlength)
            .sum()
    }
}

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

/// CoreWorkload's transaction insert sequence: hands out key numbers from `recordcount`
/// on, and tracks the highest number below which every insert has been acknowledged, so
/// readers never pick a key that is not written yet (AcknowledgedCounterGenerator).
pub struct InsertSequence {
    next: AtomicU64,
    limit: AtomicU64,
    pending: Mutex<BTreeSet<u64>>,
}

impl InsertSequence {
    pub fn new(recordcount: u64) -> Self {
        InsertSequence {
            next: AtomicU64::new(recordcount),
            limit: AtomicU64::new(recordcount.saturating_sub(1)),
            pending: Mutex::new(BTreeSet::new()),
        }
    }

    /// The key number for the next insert.
    pub fn next(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// Highest key number with every key up to it written.
    #[inline]
    pub fn last_acknowledged(&self) -> u64 {
        self.limit.load(Ordering::Acquire)
    }

    /// Marks `n` as written.
    pub fn acknowledge(&self, n: u64) {
        let mut p = self.pending.lock().expect("insert sequence lock");
        p.insert(n);
        let mut limit = self.limit.load(Ordering::Acquire);
        while p.remove(&(limit + 1)) {
            limit += 1;
        }
        self.limit.store(limit, Ordering::Release);
    }
}

/// Chooses the key number of a read, update, scan or read-modify-write.
pub enum KeyChooser {
    Uniform {
        n: u64,
    },
    Zipfian(ScrambledZipfian),
    /// SkewedLatestGenerator: the most recent inserts are the most popular.
    Latest(Zipfian),
}

impl KeyChooser {
    pub fn new(spec: &YcsbSpec) -> KeyChooser {
        let expected_new = (spec.operationcount as f64 * spec.insertproportion * 2.0) as u64;
        match spec.requestdistribution {
            Distribution::Uniform => KeyChooser::Uniform {
                n: spec.recordcount,
            },
            Distribution::Zipfian => KeyChooser::Zipfian(ScrambledZipfian::new(
                0,
                spec.recordcount + expected_new,
                spec.zipfianconstant,
            )),
            Distribution::Latest => KeyChooser::Latest(Zipfian::new(
                0,
                spec.recordcount.max(2) - 1,
                spec.zipfianconstant,
            )),
        }
    }

    /// A key number that has been acknowledged (redrawn while above the limit, as
    /// CoreWorkload's nextKeynum does).
    pub fn next(&mut self, rng: &mut SmallRng, seq: &InsertSequence) -> u64 {
        let limit = seq.last_acknowledged();
        loop {
            let k = match self {
                KeyChooser::Uniform { n } => crate::workload::keys::uniform(rng, *n),
                KeyChooser::Zipfian(z) => z.next(rng),
                KeyChooser::Latest(z) => limit - z.next_over(rng, limit.max(1)),
            };
            if k <= limit {
                return k;
            }
        }
    }
}

/// The operation mix: CoreWorkload's DiscreteGenerator over the proportions.
pub struct OpChooser {
    cumulative: [(f64, crate::workload::OpKind); 5],
    total: f64,
}

impl OpChooser {
    pub fn new(s: &YcsbSpec) -> OpChooser {
        use crate::workload::OpKind::*;
        let parts = [
            (s.readproportion, Read),
            (s.updateproportion, Update),
            (s.insertproportion, Insert),
            (s.scanproportion, Scan),
            (s.readmodifywriteproportion, ReadModifyWrite),
        ];
        let mut acc = 0.0;
        let cumulative = parts.map(|(p, k)| {
            acc += p;
            (acc, k)
        });
        OpChooser {
            cumulative,
            total: acc,
        }
    }

    #[inline]
    pub fn next(&self, rng: &mut SmallRng) -> crate::workload::OpKind {
        let u: f64 = rng.random::<f64>() * self.total;
        self.cumulative
            .iter()
            .find(|(c, _)| u < *c)
            .map_or(self.cumulative[4].1, |(_, k)| *k)
    }
}

#[cfg(test)]
mod spec_tests {
    use super::*;
    use crate::workload::OpKind;
    use rand::SeedableRng;

    #[test]
    fn core_workloads_match_upstream() {
        let a = YcsbSpec::core("a").unwrap();
        assert_eq!((a.readproportion, a.updateproportion), (0.5, 0.5));
        assert_eq!(a.requestdistribution, Distribution::Zipfian);
        let d = YcsbSpec::core("d").unwrap();
        assert_eq!(d.requestdistribution, Distribution::Latest);
        let e = YcsbSpec::core("E").unwrap();
        assert_eq!(
            (e.scanproportion, e.insertproportion, e.maxscanlength),
            (0.95, 0.05, 100)
        );
        let f = YcsbSpec::core("f").unwrap();
        assert_eq!(f.readmodifywriteproportion, 0.5);
        assert!(YcsbSpec::core("g").is_err());
        assert_eq!(a.fieldcount, 10);
        assert!(a.readallfields && !a.writeallfields && a.hashed);
    }

    #[test]
    fn op_mixes_within_one_percent() {
        let mut rng = SmallRng::seed_from_u64(11);
        for w in ["a", "b", "c", "d", "e", "f"] {
            let s = YcsbSpec::core(w).unwrap();
            let ch = OpChooser::new(&s);
            let mut counts = std::collections::HashMap::new();
            let n = 100_000;
            for _ in 0..n {
                *counts.entry(ch.next(&mut rng)).or_insert(0u32) += 1;
            }
            let frac = |k: OpKind| *counts.get(&k).unwrap_or(&0) as f64 / n as f64;
            for (k, p) in [
                (OpKind::Read, s.readproportion),
                (OpKind::Update, s.updateproportion),
                (OpKind::Insert, s.insertproportion),
                (OpKind::Scan, s.scanproportion),
                (OpKind::ReadModifyWrite, s.readmodifywriteproportion),
            ] {
                assert!(
                    (frac(k) - p).abs() < 0.01,
                    "workload {w} {k}: {} vs {p}",
                    frac(k)
                );
            }
        }
    }

    #[test]
    fn latest_never_chooses_an_uninserted_key() {
        let s = YcsbSpec {
            recordcount: 1000,
            ..YcsbSpec::core("d").unwrap()
        };
        let seq = InsertSequence::new(1000);
        let mut ch = KeyChooser::new(&s);
        let mut rng = SmallRng::seed_from_u64(5);
        let mut hot = 0;
        for round in 0..2000u64 {
            // inserts are handed out but only some acknowledged, out of order
            let n = seq.next();
            if round % 3 != 0 {
                seq.acknowledge(n);
            }
            let k = ch.next(&mut rng, &seq);
            assert!(
                k <= seq.last_acknowledged(),
                "chose {k} above {}",
                seq.last_acknowledged()
            );
            hot += u64::from(k + 10 >= seq.last_acknowledged());
        }
        assert!(seq.last_acknowledged() < 1000 + 2000);
        assert!(hot > 400, "latest favours recent keys: {hot}");
    }

    #[test]
    fn workload_a_key_chooser_hottest_key() {
        // CoreWorkload: ScrambledZipfian(0, recordcount + expectednewkeys), an inclusive
        // range of recordcount + 1 items for workload A, so the hottest key number is
        // fnvhash64(0) % 1001, named user + fnvhash64(that).
        let s = YcsbSpec {
            recordcount: 1000,
            operationcount: 1000,
            ..YcsbSpec::core("a").unwrap()
        };
        let seq = InsertSequence::new(1000);
        let mut ch = KeyChooser::new(&s);
        let mut rng = SmallRng::seed_from_u64(21);
        let mut counts = vec![0u32; 1000];
        for _ in 0..300_000 {
            counts[ch.next(&mut rng, &seq) as usize] += 1;
        }
        let hottest = (0..1000).max_by_key(|&i| counts[i]).unwrap() as u64;
        assert_eq!(hottest, fnvhash64(0) % 1001);
        let share = counts[hottest as usize] as f64 / 300_000.0;
        assert!((share - 1.0 / SCRAMBLED_ZETAN).abs() < 0.005, "{share}");
    }

    #[test]
    fn insert_sequence_acknowledges_in_order() {
        let seq = InsertSequence::new(10);
        assert_eq!(seq.last_acknowledged(), 9);
        let (a, b, c) = (seq.next(), seq.next(), seq.next());
        assert_eq!((a, b, c), (10, 11, 12));
        seq.acknowledge(12);
        assert_eq!(seq.last_acknowledged(), 9);
        seq.acknowledge(10);
        assert_eq!(seq.last_acknowledged(), 10);
        seq.acknowledge(11);
        assert_eq!(seq.last_acknowledged(), 12);
    }

    #[test]
    fn properties_parse_like_ycsb() {
        let text = "# Yahoo! Cloud System Benchmark\n# Workload A\nrecordcount=1000\noperationcount=1000\nworkload=site.ycsb.workloads.CoreWorkload\n\nreadallfields=true\n\nreadproportion=0.5\nupdateproportion=0.5\nscanproportion=0\ninsertproportion=0\n\nrequestdistribution=zipfian\n";
        let mut s = YcsbSpec::default();
        s.apply_properties(text, "workloada").unwrap();
        assert_eq!(
            (s.recordcount, s.readproportion, s.updateproportion),
            (1000, 0.5, 0.5)
        );
        assert_eq!(s.requestdistribution, Distribution::Zipfian);
        let e = s
            .apply_properties("readproportion=lots\n", "w")
            .unwrap_err()
            .to_string();
        assert!(e.contains("w:1") && e.contains("readproportion"), "{e}");
        let e = s
            .apply_properties("requestdistribution=hotspot\n", "w")
            .unwrap_err()
            .to_string();
        assert!(e.contains("hotspot"), "{e}");
        assert!(s.apply_properties("novalue\n", "w").is_err());
    }

    #[test]
    fn records_round_trip_and_update_in_place() {
        let s = YcsbSpec {
            fieldcount: 3,
            fieldlength: 5,
            ..YcsbSpec::default()
        };
        let mut r = Record::new(&s);
        assert_eq!(r.buf.len(), s.record_len());
        r.set_field(1, b"hello");
        let parsed = Record::parse(&r.buf).unwrap();
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[1], ("field1".to_string(), b"hello".to_vec()));
        assert_eq!(parsed[0].1, b"     ");
        assert!(Record::parse(&[0, 0, 0, 9, b'x']).is_none());
    }

    #[test]
    fn scan_lengths_uniform_1_to_100() {
        let mut rng = SmallRng::seed_from_u64(3);
        let n = 200_000;
        let sum: u64 = (0..n).map(|_| scan_length(&mut rng, 1, 100)).sum();
        let mean = sum as f64 / n as f64;
        assert!((mean - 50.5).abs() < 0.5, "{mean}");
        assert!((0..10_000).all(|_| (1..=100).contains(&scan_length(&mut rng, 1, 100))));
    }
}

/// A scan length uniform in `[min, max]` (UniformLongGenerator).
#[inline]
pub fn scan_length(rng: &mut SmallRng, min: u64, max: u64) -> u64 {
    min + crate::workload::keys::uniform(rng, max - min + 1)
}
