//! CoreWorkload's configuration with YCSB's property names and defaults.

use super::fields::{java_hashmap_order, FieldHistogram, FieldLengthDistribution};
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

/// `scanlengthdistribution`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ScanLengthDistribution {
    /// UniformLongGenerator(minscanlength, maxscanlength).
    #[default]
    Uniform,
    /// ZipfianGenerator(minscanlength, maxscanlength): short scans the most frequent.
    Zipfian,
}

/// How records reach RocksDB: rdbtune's engine config as given, or the setup of upstream
/// YCSB's RocksDB binding (records in the `table` column family, optimizeLevelStyleCompaction,
/// 2 x cores background threads, or the binding's `rocksdb.optionsfile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Binding {
    #[default]
    Rdbtune,
    Upstream,
}

/// `measurementtype`: how each metric is measured and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MeasurementType {
    /// OneMeasurementHdrHistogram (upstream's default).
    #[default]
    Hdrhistogram,
    /// OneMeasurementHistogram: 1 ms buckets, 95th/99th as bucket lower bounds, variance.
    Histogram,
    /// Both, as `HdrREAD` and `BucketREAD`.
    #[serde(rename = "hdrhistogram+histogram")]
    HdrhistogramHistogram,
    /// OneMeasurementTimeSeries: average latency per `timeseries.granularity` window.
    Timeseries,
}

/// `measurement.interval`: latency from the op's start, from its intended start, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MeasurementInterval {
    #[default]
    Op,
    Intended,
    Both,
}

/// `exporter`: how the measurements are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Exporter {
    /// TextMeasurementsExporter: `[READ], Operations, 1000` lines.
    #[default]
    Text,
    /// JSONMeasurementsExporter: pretty-printed objects separated by a space.
    Json,
    /// JSONArrayMeasurementsExporter: the same objects in one array.
    #[serde(rename = "jsonarray")]
    JsonArray,
}

/// The measurement and output properties of upstream's client (Measurements, the
/// exporters, DBWrapper).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct YcsbMeasure {
    pub measurementtype: MeasurementType,
    pub interval: MeasurementInterval,
    /// hdrhistogram.percentiles, in the order given (upstream's default 50,95,99).
    pub percentiles: Vec<f64>,
    /// timeseries.granularity, ms.
    pub granularity_ms: u64,
    /// histogram.buckets (1 ms each).
    pub histogram_buckets: u64,
    /// measurement.histogram.verbose: every bucket's count too.
    pub verbose: bool,
    /// reportlatencyforeacherror and latencytrackederrors: failed ops' latency under
    /// `READ-<STATUS>` instead of `READ-FAILED`.
    pub report_latency_for_each_error: bool,
    pub latency_tracked_errors: Vec<String>,
    pub exporter: Exporter,
    pub exportfile: Option<String>,
}

impl Default for YcsbMeasure {
    fn default() -> Self {
        YcsbMeasure {
            measurementtype: MeasurementType::Hdrhistogram,
            interval: MeasurementInterval::Op,
            percentiles: vec![50.0, 95.0, 99.0],
            granularity_ms: 1000,
            histogram_buckets: 1000,
            verbose: false,
            report_latency_for_each_error: false,
            latency_tracked_errors: Vec::new(),
            exporter: Exporter::Text,
            exportfile: None,
        }
    }
}

impl YcsbMeasure {
    /// The metric a failed op's latency goes to: `OP-<STATUS>` when that status's latency
    /// is tracked on its own, else `OP-FAILED` (DBWrapper.measure).
    pub fn failed_name(&self, op: &str, status: &str) -> String {
        if self.report_latency_for_each_error
            || self.latency_tracked_errors.iter().any(|e| e == status)
        {
            format!("{op}-{status}")
        } else {
            format!("{op}-FAILED")
        }
    }
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
    /// fieldlengthdistribution, minfieldlength and the fieldlengthhistogram file (its path
    /// and, once read, its buckets).
    pub fieldlengthdistribution: FieldLengthDistribution,
    pub minfieldlength: usize,
    pub fieldlengthhistogram: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_histogram: Option<FieldHistogram>,
    /// Field names are fieldnameprefix + 0, 1, ...
    pub fieldnameprefix: String,
    /// dataintegrity: values derived from key and field name, verified on read.
    pub dataintegrity: bool,
    pub readallfields: bool,
    pub writeallfields: bool,
    /// insertorder=hashed (true) or ordered (false).
    pub hashed: bool,
    pub zeropadding: usize,
    pub minscanlength: u64,
    pub maxscanlength: u64,
    pub scanlengthdistribution: ScanLengthDistribution,
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
    /// How the client measures and exports (measurementtype, measurement.interval, ...).
    pub measure: YcsbMeasure,
    /// core_workload_insertion_retry_limit, core_workload_insertion_retry_interval (s) and
    /// core_workload_insertion_keep_going_on_error: a load's failed insert is retried, then
    /// stops its thread unless told to keep going.
    pub insertion_retry_limit: u64,
    pub insertion_retry_interval_s: f64,
    pub insertion_keep_going_on_error: bool,
    /// status.interval (s), when set.
    pub status_interval: Option<u64>,
    /// `--binding`: rdbtune's engine config, or upstream's RocksDB binding setup.
    #[serde(default)]
    pub binding: Binding,
    /// table: the column family the records go to under `--binding upstream`.
    pub table: String,
    /// rocksdb.optionsfile: the binding's OPTIONS file.
    pub rocksdb_optionsfile: Option<String>,
    /// rocksdb.dir: the DB directory (as `--db`, an existing DB opened in place).
    pub rocksdb_dir: Option<String>,
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
            fieldlengthdistribution: FieldLengthDistribution::Constant,
            minfieldlength: 1,
            fieldlengthhistogram: "hist.txt".into(),
            field_histogram: None,
            fieldnameprefix: "field".into(),
            dataintegrity: false,
            readallfields: true,
            writeallfields: false,
            hashed: true,
            zeropadding: 1,
            minscanlength: 1,
            maxscanlength: 1000,
            scanlengthdistribution: ScanLengthDistribution::Uniform,
            hotspotdatafraction: 0.2,
            hotspotopnfraction: 0.8,
            exponential_percentile: 95.0,
            exponential_frac: 0.8571428571,
            insertstart: 0,
            insertcount: None,
            threadcount: None,
            target: None,
            maxexecutiontime: None,
            measure: YcsbMeasure::default(),
            insertion_retry_limit: 0,
            insertion_retry_interval_s: 3.0,
            insertion_keep_going_on_error: false,
            status_interval: None,
            binding: Binding::Rdbtune,
            table: "usertable".into(),
            rocksdb_optionsfile: None,
            rocksdb_dir: None,
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
    "measurement.trackjvm",
    "measurement.raw.output_file",
    "measurement.raw.no_summary",
    "columnfamily",
    "debug",
    "readallfieldsbyname",
    "hdrhistogram.output.path",
];

/// Properties upstream reads whose effect rdbtune does not implement: any value but the
/// default (given second) is refused, naming what to do instead.
const NOT_HONOURED: &[(&str, &str, &str)] = &[
    ("hdrhistogram.fileoutput", "false", "use --hdr-log FILE (HdrHistogram interval logs per phase and op kind, readable by HdrHistogram's log tools)"),
    ("dotransactions", "true", "choose the phases with --phase load|run|both"),
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
        "fieldlengthdistribution",
        "fieldlengthhistogram",
        "minfieldlength",
        "fieldnameprefix",
        "dataintegrity",
        "scanlengthdistribution",
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
        "measurementtype",
        "measurement.interval",
        "hdrhistogram.percentiles",
        "timeseries.granularity",
        "histogram.buckets",
        "measurement.histogram.verbose",
        "reportlatencyforeacherror",
        "latencytrackederrors",
        "exporter",
        "exportfile",
        "core_workload_insertion_retry_limit",
        "core_workload_insertion_retry_interval",
        "core_workload_insertion_keep_going_on_error",
        "status.interval",
        "table",
        "rocksdb.optionsfile",
        "rocksdb.dir",
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
            "fieldlength" => {
                let n = num()?;
                if n > 64 << 20 {
                    return Err(bad("a length of at most 67108864 bytes (64 MiB) per field"));
                }
                self.fieldlength = n as usize;
            }
            "minfieldlength" => self.minfieldlength = num()? as usize,
            "fieldlengthdistribution" => {
                self.fieldlengthdistribution = match v {
                    "constant" => FieldLengthDistribution::Constant,
                    "uniform" => FieldLengthDistribution::Uniform,
                    "zipfian" => FieldLengthDistribution::Zipfian,
                    "histogram" => FieldLengthDistribution::Histogram,
                    _ => return Err(bad("constant, uniform, zipfian or histogram")),
                }
            }
            "fieldlengthhistogram" => {
                if v.is_empty() {
                    return Err(bad("the path of a histogram file"));
                }
                self.fieldlengthhistogram = v.to_string();
                self.field_histogram = None;
            }
            "fieldnameprefix" => self.fieldnameprefix = v.to_string(),
            "dataintegrity" => self.dataintegrity = boolean()?,
            "scanlengthdistribution" => {
                self.scanlengthdistribution = match v {
                    "uniform" => ScanLengthDistribution::Uniform,
                    "zipfian" => ScanLengthDistribution::Zipfian,
                    _ => return Err(bad("uniform or zipfian")),
                }
            }
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
            "measurementtype" => {
                self.measure.measurementtype = match v {
                    "hdrhistogram" => MeasurementType::Hdrhistogram,
                    "histogram" => MeasurementType::Histogram,
                    "hdrhistogram+histogram" => MeasurementType::HdrhistogramHistogram,
                    "timeseries" => MeasurementType::Timeseries,
                    "raw" | "hdrhistogram+raw" => return Err(Error::usage(format!(
                        "YCSB property measurementtype={v:?} is upstream's, and rdbtune does not implement it: raw writes every sample; use --hdr-log FILE for per-second HdrHistograms, or hdrhistogram, histogram, hdrhistogram+histogram or timeseries"
                    ))),
                    _ => return Err(bad("hdrhistogram, histogram, hdrhistogram+histogram or timeseries")),
                }
            }
            "measurement.interval" => {
                self.measure.interval = match v {
                    "op" => MeasurementInterval::Op,
                    "intended" => MeasurementInterval::Intended,
                    "both" => MeasurementInterval::Both,
                    _ => return Err(bad("op, intended or both")),
                }
            }
            "hdrhistogram.percentiles" => {
                let ps: Option<Vec<f64>> = v
                    .split(',')
                    .map(|p| p.trim().parse::<f64>().ok().filter(|p| (0.0..=100.0).contains(p)))
                    .collect();
                self.measure.percentiles = ps
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| bad("percentiles between 0 and 100 separated by commas, e.g. 50,95,99,99.9"))?;
            }
            "timeseries.granularity" => {
                self.measure.granularity_ms = num()?;
                if self.measure.granularity_ms == 0 {
                    return Err(bad("a window of at least 1 ms"));
                }
            }
            "histogram.buckets" => {
                self.measure.histogram_buckets = num()?;
                if !(1..=10_000_000).contains(&self.measure.histogram_buckets) {
                    return Err(bad("1 to 10000000 buckets (1 ms each)"));
                }
            }
            "measurement.histogram.verbose" => self.measure.verbose = boolean()?,
            "reportlatencyforeacherror" => self.measure.report_latency_for_each_error = boolean()?,
            "latencytrackederrors" => {
                self.measure.latency_tracked_errors =
                    v.split(',').filter(|e| !e.is_empty()).map(str::to_string).collect()
            }
            "exporter" => {
                let class = v.rsplit('.').next().unwrap_or(v);
                self.measure.exporter = match class {
                    "TextMeasurementsExporter" => Exporter::Text,
                    "JSONMeasurementsExporter" => Exporter::Json,
                    "JSONArrayMeasurementsExporter" => Exporter::JsonArray,
                    _ => return Err(bad("site.ycsb.measurements.exporter.TextMeasurementsExporter, JSONMeasurementsExporter or JSONArrayMeasurementsExporter")),
                }
            }
            "exportfile" => {
                self.measure.exportfile = Some(v.to_string()).filter(|f| !f.is_empty())
            }
            "core_workload_insertion_retry_limit" => self.insertion_retry_limit = num()?,
            "core_workload_insertion_retry_interval" => {
                self.insertion_retry_interval_s = v
                    .parse::<f64>()
                    .ok()
                    .filter(|x| *x >= 0.0 && x.is_finite())
                    .ok_or_else(|| bad("seconds, 0 or more"))?
            }
            "core_workload_insertion_keep_going_on_error" => {
                self.insertion_keep_going_on_error = boolean()?
            }
            "status.interval" => {
                self.status_interval = Some(num()?).filter(|s| *s > 0)
            }
            "table" => {
                if v.is_empty() {
                    return Err(bad("a table (column family) name"));
                }
                self.table = v.to_string()
            }
            "rocksdb.optionsfile" => {
                self.rocksdb_optionsfile = Some(v.to_string()).filter(|f| !f.is_empty())
            }
            "rocksdb.dir" => self.rocksdb_dir = Some(v.to_string()).filter(|f| !f.is_empty()),
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
        let end = self.insertstart.checked_add(self.insert_count());
        if end.is_none_or(|e| e > self.recordcount) || self.insert_count() == 0 {
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
        if self.measure.measurementtype == MeasurementType::Timeseries
            && self.measure.interval != MeasurementInterval::Op
        {
            return Err(Error::usage(
                "YCSB measurementtype=timeseries with measurement.interval intended or both is not supported: use measurementtype=hdrhistogram (or histogram) for intended latency",
            ));
        }
        if self.dataintegrity && self.fieldlengthdistribution != FieldLengthDistribution::Constant {
            return Err(Error::usage(
                "YCSB dataintegrity=true needs fieldlengthdistribution=constant (upstream: \"Must have constant field size to check data integrity.\")",
            ));
        }
        if matches!(
            self.fieldlengthdistribution,
            FieldLengthDistribution::Uniform | FieldLengthDistribution::Zipfian
        ) && (self.minfieldlength > self.fieldlength)
        {
            return Err(Error::usage(format!(
                "YCSB minfieldlength ({}) must be at most fieldlength ({}): {:?} field lengths are drawn from [minfieldlength, fieldlength]",
                self.minfieldlength, self.fieldlength, self.fieldlengthdistribution
            )));
        }
        if self.fieldlengthdistribution == FieldLengthDistribution::Histogram
            && self.field_histogram.is_none()
        {
            return Err(Error::usage(format!(
                "YCSB fieldlengthdistribution=histogram: the histogram file {:?} was not read",
                self.fieldlengthhistogram
            )));
        }
        if !self.fieldnameprefix.is_ascii() {
            return Err(Error::usage(format!(
                "YCSB fieldnameprefix={:?}: give an ASCII prefix (field names are hashed as Java strings; rdbtune hashes ASCII only)",
                self.fieldnameprefix
            )));
        }
        if java_hashmap_order(&self.field_names()).is_none() {
            return Err(Error::usage(format!(
                "YCSB fieldcount={} with fieldnameprefix={:?}: the names collide in Java's HashMap beyond what rdbtune models (a tree bin); use fewer fields or another prefix",
                self.fieldcount, self.fieldnameprefix
            )));
        }
        if self.minscanlength == 0 || self.maxscanlength < self.minscanlength {
            return Err(Error::usage(format!(
                "YCSB scan lengths: need 1 <= minscanlength ({}) <= maxscanlength ({})",
                self.minscanlength, self.maxscanlength
            )));
        }
        Ok(())
    }

    /// Reads the `fieldlengthhistogram` file when field lengths come from it; a relative
    /// path is taken from `base` (the working directory for `-P`/`-p`, as upstream, or a
    /// scenario file's folder).
    pub fn load_files(&mut self, base: &std::path::Path) -> Result<()> {
        if self.fieldlengthdistribution != FieldLengthDistribution::Histogram
            || self.field_histogram.is_some()
        {
            return Ok(());
        }
        let path = base.join(&self.fieldlengthhistogram);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::usage(format!(
                "YCSB fieldlengthhistogram={:?}: cannot read {}: {e} (fieldlengthdistribution=histogram reads it; give its path)",
                self.fieldlengthhistogram,
                path.display()
            ))
        })?;
        self.field_histogram = Some(FieldHistogram::parse(&text, &path.display().to_string())?);
        Ok(())
    }

    /// The field names: fieldnameprefix + 0 .. fieldcount - 1.
    pub fn field_names(&self) -> Vec<String> {
        (0..self.fieldcount)
            .map(|i| format!("{}{i}", self.fieldnameprefix))
            .collect()
    }

    /// The mean length of a field value.
    pub fn mean_field_len(&self) -> f64 {
        match self.fieldlengthdistribution {
            FieldLengthDistribution::Constant => self.fieldlength as f64,
            FieldLengthDistribution::Uniform => {
                (self.minfieldlength + self.fieldlength) as f64 / 2.0
            }
            FieldLengthDistribution::Zipfian => {
                let (lo, hi) = (self.minfieldlength as u64, self.fieldlength as u64);
                let z = super::generators::zeta_fast(hi - lo + 1, ZIPFIAN_CONSTANT);
                (0..=(hi - lo).min(100_000))
                    .map(|i| (lo + i) as f64 * ((i + 1) as f64).powf(-ZIPFIAN_CONSTANT))
                    .sum::<f64>()
                    / z
            }
            FieldLengthDistribution::Histogram => self
                .field_histogram
                .as_ref()
                .map_or(0.0, FieldHistogram::mean_drawn),
        }
    }

    /// The largest length a field value can have.
    pub fn max_field_len(&self) -> usize {
        match (&self.fieldlengthdistribution, &self.field_histogram) {
            (FieldLengthDistribution::Histogram, Some(h)) => {
                h.buckets.len() * h.block_size as usize
            }
            _ => self.fieldlength,
        }
    }

    /// Bytes of one stored record (see [`Record`]), its mean when lengths vary.
    pub fn record_len(&self) -> usize {
        let names: usize = self.field_names().iter().map(|n| 8 + n.len()).sum();
        names + (self.mean_field_len() * self.fieldcount as f64).round() as usize
    }
}
