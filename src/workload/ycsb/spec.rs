//! CoreWorkload's configuration with YCSB's property names and defaults.

use super::generators::ZIPFIAN_CONSTANT;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Request distributions of CoreWorkload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distribution {
    Uniform,
    Zipfian,
    Latest,
    /// HotspotIntegerGenerator (hotspotdatafraction, hotspotopnfraction).
    Hotspot,
    /// ExponentialGenerator (exponential.percentile, exponential.frac), back from the newest
    /// acknowledged key.
    Exponential,
    /// SequentialGenerator: key numbers in order, one counter for all threads, wrapping.
    Sequential,
}

/// A CoreWorkload configuration, with YCSB's property names and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
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
    /// hotspotdatafraction, hotspotopnfraction (upstream's defaults 0.2 and 0.8).
    pub hotspotdatafraction: f64,
    pub hotspotopnfraction: f64,
    /// exponential.percentile (95) and exponential.frac (0.8571428571).
    pub exponential_percentile: f64,
    pub exponential_frac: f64,
    /// insertstart and insertcount: the load writes key numbers [insertstart, insertstart +
    /// insertcount) and a run chooses among them (uniform, zipfian, hotspot, sequential), so
    /// several clients load disjoint parts of one key space. `None`: recordcount -
    /// insertstart.
    pub insertstart: u64,
    pub insertcount: Option<u64>,
    /// The client's threadcount, target (ops/s over all threads) and maxexecutiontime (s)
    /// properties; `--threads` and `--target` win over them. None: not set (0 is "none" for
    /// target and maxexecutiontime, as upstream).
    pub threadcount: Option<usize>,
    pub target: Option<f64>,
    pub maxexecutiontime: Option<f64>,
    /// Properties set that no part of YCSB reads (typos): named in a warning, no effect.
    #[serde(skip)]
    pub unknown: Vec<String>,
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
            hotspotdatafraction: 0.2,
            hotspotopnfraction: 0.8,
            exponential_percentile: 95.0,
            exponential_frac: 0.8571428571,
            insertstart: 0,
            insertcount: None,
            threadcount: None,
            target: None,
            maxexecutiontime: None,
            unknown: Vec::new(),
        }
    }
}

/// Properties of upstream YCSB that rdbtune accepts without acting on them: they name
/// classes or output rdbtune replaces with its own (the workload and binding classes, the
/// exporter and its file, JVM tracking, status intervals, histogram bucket counts), or
/// they are set to the only value rdbtune implements (checked in [`YcsbSpec::set`]).
const ACCEPTED: &[&str] = &[
    "workload",
    "db",
    "exporter",
    "exportfile",
    "histogram.buckets",
    "measurement.trackjvm",
    "measurement.raw.output_file",
    "status.interval",
    "timeseries.granularity",
    "reportlatencyforeacherror",
    "latencytrackederrors",
    "core_workload_insertion_retry_limit",
    "core_workload_insertion_retry_interval",
    "hdrhistogram.fileoutput",
    "hdrhistogram.output.path",
    "columnfamily",
    "debug",
    "readallfieldsbyname",
];

/// Properties upstream reads whose effect rdbtune does not implement: any value but the
/// default (given second) is refused, naming what to do instead.
const NOT_HONOURED: &[(&str, &str, &str)] = &[


    ("fieldlengthdistribution", "constant", "field lengths other than constant are not supported yet"),
    ("fieldlengthhistogram", "hist.txt", "field lengths other than constant are not supported yet"),
    ("minfieldlength", "1", "field lengths other than constant are not supported yet"),
    ("scanlengthdistribution", "uniform", "zipfian scan lengths are not supported yet"),
    ("fieldnameprefix", "field", "the RocksDB binding's field names are field0..fieldN"),
    ("dataintegrity", "false", "values are not verified on read yet"),
    ("measurementtype", "histogram", "rdbtune measures HdrHistograms and prints upstream's histogram summary (hdrhistogram is accepted too); timeseries and raw are not supported"),
    ("measurement.interval", "op", "intended latency comes with --target (shown as [INTENDED-*] lines)"),
    ("hdrhistogram.percentiles", "95,99", "use --percentiles for tables and JSON"),
    ("table", "usertable", "rdbtune's records go to the default column family"),
    ("dotransactions", "true", "choose the phases with --phase load|run|both"),
    ("rocksdb.dir", "", "give --db PATH"),
    ("rocksdb.optionsfile", "", "give --options-file FILE (rdbtune's engine flags)"),
];

/// Every property name CoreWorkload, Client, the measurements and the RocksDB binding read,
/// for "did you mean" on a typo.
fn known_names() -> impl Iterator<Item = &'static str> {
    const HONOURED: &[&str] = &[
        "recordcount",
        "operationcount",
        "readproportion",
        "updateproportion",
        "insertproportion",
        "scanproportion",
        "readmodifywriteproportion",
        "requestdistribution",
        "zipfianconstant",
        "zipfian.constant",
        "fieldcount",
        "fieldlength",
        "readallfields",
        "writeallfields",
        "insertorder",
        "zeropadding",
        "minscanlength",
        "maxscanlength",
        "hotspotdatafraction",
        "hotspotopnfraction",
        "exponential.percentile",
        "exponential.frac",
        "insertstart",
        "insertcount",
        "threadcount",
        "target",
        "maxexecutiontime",
    ];
    HONOURED
        .iter()
        .chain(ACCEPTED)
        .copied()
        .chain(NOT_HONOURED.iter().map(|(k, _, _)| *k))
}

/// The known property nearest to `key` (edit distance at most 2), for a typo's warning.
pub fn nearest_property(key: &str) -> Option<&'static str> {
    fn dist(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut cur = vec![i; b.len() + 1];
            for j in 1..=b.len() {
                let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
                cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    known_names()
        .map(|k| (dist(&key.to_ascii_lowercase(), k), k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
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

    /// Applies one YCSB property: honoured with upstream's meaning, accepted without effect
    /// (classes and output rdbtune replaces, see `ACCEPTED`), refused when upstream would act
    /// on it and rdbtune cannot (any value but the default), or, unknown to every part of
    /// YCSB, kept in `unknown` for a warning. A bad value is an error naming the property.
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
                    "hotspot" => Distribution::Hotspot,
                    "exponential" => Distribution::Exponential,
                    "sequential" => Distribution::Sequential,
                    _ => {
                        return Err(bad(
                            "uniform, zipfian, latest, hotspot, exponential or sequential",
                        ))
                    }
                }
            }
            "zipfianconstant" | "zipfian.constant" => {
                self.zipfianconstant = v
                    .parse::<f64>()
                    .ok()
                    .filter(|x| *x > 0.0 && *x != 1.0 && x.is_finite())
                    .ok_or_else(|| {
                        bad("a positive number other than 1 (Gray's method divides by 1 - theta)")
                    })?
            }
            "threadcount" => {
                self.threadcount = Some(
                    num()?
                        .try_into()
                        .ok()
                        .filter(|t: &usize| *t >= 1)
                        .ok_or_else(|| bad("at least 1 thread"))?,
                )
            }
            "target" => self.target = Some(num()? as f64).filter(|t| *t > 0.0),
            "maxexecutiontime" => self.maxexecutiontime = Some(num()? as f64).filter(|t| *t > 0.0),
            "insertstart" => self.insertstart = num()?,
            "insertcount" => self.insertcount = Some(num()?),
            "hotspotdatafraction" => self.hotspotdatafraction = frac()?,
            "hotspotopnfraction" => self.hotspotopnfraction = frac()?,
            "exponential.percentile" => {
                self.exponential_percentile = v
                    .parse::<f64>()
                    .ok()
                    .filter(|x| *x > 0.0 && *x < 100.0)
                    .ok_or_else(|| bad("a percentile in (0, 100)"))?
            }
            "exponential.frac" => {
                self.exponential_frac = v
                    .parse::<f64>()
                    .ok()
                    .filter(|x| *x > 0.0)
                    .ok_or_else(|| bad("a positive fraction of recordcount"))?
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
            "measurementtype" if v == "hdrhistogram" => {}
            k if ACCEPTED.contains(&k) => {}
            k => {
                if let Some((_, default, instead)) = NOT_HONOURED.iter().find(|(n, _, _)| *n == k) {
                    if !default.is_empty() && v == *default {
                        return Ok(());
                    }
                    return Err(Error::usage(format!(
                        "YCSB property {k}={v:?} is upstream's, and rdbtune does not implement it: {instead} (docs/ycsb.md lists every property)"
                    )));
                }
                if !self.unknown.iter().any(|u| u == k) {
                    self.unknown.push(k.to_string());
                }
            }
        }
        Ok(())
    }

    /// One warning line per property no part of YCSB reads (a typo, usually).
    pub fn unknown_warnings(&self) -> Vec<String> {
        self.unknown
            .iter()
            .map(|k| {
                let hint = nearest_property(k)
                    .map_or(String::new(), |n| format!(" (did you mean {n}?)"));
                format!("warning: YCSB property {k:?} is read by no part of YCSB (CoreWorkload, the client, its measurements or the RocksDB binding); it has no effect{hint}")
            })
            .collect()
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

    /// Key numbers the load writes and a run chooses among: insertstart and insertcount.
    pub fn insert_count(&self) -> u64 {
        self.insertcount
            .unwrap_or(self.recordcount.saturating_sub(self.insertstart))
    }

    /// Checks the values before anything runs.
    pub fn validate(&self) -> Result<()> {
        if self.operationcount == 0 && self.maxexecutiontime.is_none() {
            return Err(Error::usage(
                "YCSB operationcount=0 means no limit (upstream runs until maxexecutiontime or an interrupt): set maxexecutiontime=SECS, or an operationcount",
            ));
        }
        if self.insertstart + self.insert_count() > self.recordcount || self.insert_count() == 0 {
            return Err(Error::usage(format!(
                "YCSB insertstart ({}) + insertcount ({}) must be at most recordcount ({}), and insertcount at least 1: recordcount is the whole key space, each client loads [insertstart, insertstart + insertcount)",
                self.insertstart,
                self.insert_count(),
                self.recordcount
            )));
        }
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
