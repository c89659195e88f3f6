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
