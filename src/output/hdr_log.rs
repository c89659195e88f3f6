//! `--hdr-log DIR`: one HdrHistogram interval log per phase and op kind, written live (each
//! interval flushed as it is handed over), in the V2-compressed format HdrHistogram's own
//! tools read (HistogramLogProcessor, HistogramLogAnalyzer, the plotting scripts).

use crate::error::{Error, Result};
use crate::runner::{PhaseObserver, PhaseStart};
use crate::workload::OpKind;
use hdrhistogram::serialization::interval_log::IntervalLogWriterBuilder;
use hdrhistogram::serialization::V2DeflateSerializer;
use hdrhistogram::Histogram;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The interval logs of the phase running now, one file per op kind.
pub struct HdrLog {
    dir: PathBuf,
    /// The running phase's file-name stem and start (Unix seconds).
    phase: Option<(String, SystemTime)>,
    files: Vec<(OpKind, PathBuf, BufWriter<File>)>,
    serializer: V2DeflateSerializer,
    /// Every file written, in order.
    pub written: Vec<PathBuf>,
    failed: bool,
}

/// A phase label as a file-name stem: letters, digits, '.', '-' and '_' kept, runs of
/// anything else one '_'.
pub fn file_stem(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let t = out.trim_matches('_');
    if t.is_empty() {
        "phase".into()
    } else {
        t.to_string()
    }
}

impl HdrLog {
    /// Logs into `dir` (created if missing; it must be a directory).
    pub fn new(dir: &Path) -> Result<HdrLog> {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::usage(format!(
                "--hdr-log {}: not a directory; give a directory for the interval logs (created if missing)",
                dir.display()
            )));
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io("creating the --hdr-log directory", dir, e))?;
        Ok(HdrLog {
            dir: dir.to_path_buf(),
            phase: None,
            files: Vec::new(),
            serializer: V2DeflateSerializer::new(),
            written: Vec::new(),
            failed: false,
        })
    }

    /// The file an op kind's log of the running phase goes to, opened with its header on
    /// first use.
    fn file(&mut self, kind: OpKind) -> std::io::Result<usize> {
        if let Some(i) = self.files.iter().position(|(k, _, _)| *k == kind) {
            return Ok(i);
        }
        let (stem, started) = self
            .phase
            .clone()
            .unwrap_or(("phase".into(), SystemTime::now()));
        let path = self.dir.join(format!("{stem}.{}.hlog", kind.name()));
        let mut w = BufWriter::new(File::create(&path)?);
        let mut ser = V2DeflateSerializer::new();
        IntervalLogWriterBuilder::new()
            .add_comment("[Histogram log format version 1.3]")
            .add_comment(&format!(
                "[rdbtune {}: phase {stem}, op {}; latency per sample in nanoseconds; timestamps in seconds since StartTime]",
                env!("CARGO_PKG_VERSION"),
                kind.name()
            ))
            .with_start_time(started)
            .with_base_time(started)
            .begin_log_with(&mut w, &mut ser)?;
        writeln!(
            w,
            "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\""
        )?;
        self.files.push((kind, path.clone(), w));
        self.written.push(path);
        Ok(self.files.len() - 1)
    }

    fn write(
        &mut self,
        start_s: f64,
        span_s: f64,
        kind: OpKind,
        h: &Histogram<u64>,
    ) -> std::io::Result<()> {
        let i = self.file(kind)?;
        let (_, _, w) = &mut self.files[i];
        // No header options: begin_log_with writes nothing, then one interval line.
        IntervalLogWriterBuilder::new()
            .begin_log_with(w, &mut self.serializer)?
            .write_histogram(
                h,
                Duration::from_secs_f64(start_s.max(0.0)),
                Duration::from_secs_f64(span_s.max(0.0)),
                None,
            )
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        w.flush()
    }

    fn close(&mut self) {
        for (_, path, mut w) in self.files.drain(..) {
            if let Err(e) = w.flush().and_then(|_| w.get_ref().sync_all()) {
                eprintln!("warning: finishing {}: {e}", path.display());
            }
        }
    }
}

impl PhaseObserver for HdrLog {
    fn start(&mut self, p: &PhaseStart<'_>) {
        self.close();
        self.phase = Some((file_stem(p.label), SystemTime::now()));
    }

    fn histograms(&mut self, start_s: f64, span_s: f64, per_kind: &[(OpKind, Histogram<u64>)]) {
        if self.failed {
            return;
        }
        for (k, h) in per_kind {
            if let Err(e) = self.write(start_s, span_s, *k, h) {
                eprintln!(
                    "warning: writing the HdrHistogram log of {} in {}: {e}; --hdr-log stops here",
                    k.name(),
                    self.dir.display()
                );
                self.failed = true;
                return;
            }
        }
    }

    fn finish(&mut self) {
        self.close();
    }

    fn wants_per_kind(&self) -> bool {
        true
    }
}

impl Drop for HdrLog {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_file_stems() {
        assert_eq!(
            file_stem("compression=lz4 #2 fillrandom"),
            "compression_lz4_2_fillrandom"
        );
        assert_eq!(file_stem("readrandom"), "readrandom");
        assert_eq!(file_stem(" / "), "phase");
    }
}
