//! `--metrics-addr`: the live per-second sample served as OpenMetrics text (Prometheus
//! scrapes it) while phases run. The collector thread updates the gauges once a second;
//! a small HTTP server thread (tiny_http) encodes them on each scrape (prometheus-client).
//! The measured loop never sees any of it.

use crate::error::{Error, Result};
use crate::model::IntervalRow;
use crate::runner::{PhaseObserver, PhaseStart, Second};
use crate::workload::OpKind;
use hdrhistogram::Histogram;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

type Labels = Vec<(String, String)>;
type G = Gauge<f64, AtomicU64>;
type Fam = Family<Labels, G>;

/// The served series (names as Prometheus shows them; docs/monitoring.md lists them).
#[derive(Default)]
struct Series {
    phase: Fam,
    running: G,
    ops_total: Counter,
    ops_per_second: G,
    latency: Fam,
    op_rate: Fam,
    op_latency: Fam,
    stall: G,
    stopped: G,
    delayed: G,
    pending: G,
    cache_hit: G,
    memtable: G,
    rss: G,
    rocksdb_mem: G,
    compactions: G,
    flushes: G,
    io: Fam,
    device_busy: G,
    alerts: G,
}

/// The endpoint: its server thread and the gauges it serves.
pub struct MetricsEndpoint {
    series: Arc<Series>,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
    addr: SocketAddr,
    percentiles: Vec<f64>,
    /// Start of the newest span whose per-kind figures were shown (late pieces of older
    /// seconds do not overwrite it).
    newest: f64,
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// "0.999" for p99.9.
fn quantile_label(p: f64) -> String {
    format!("{}", p / 100.0)
}

impl MetricsEndpoint {
    /// Listens on `addr` (host:port; port 0 picks a free one) and serves `/metrics`.
    pub fn start(addr: &str, percentiles: &[f64]) -> Result<MetricsEndpoint> {
        let parsed: SocketAddr = addr.parse().map_err(|_| {
            Error::usage(format!(
                "--metrics-addr {addr:?} is not HOST:PORT; give e.g. 127.0.0.1:9464 (port 0 picks a free one)"
            ))
        })?;
        let server = tiny_http::Server::http(parsed).map_err(|e| {
            Error::usage(format!(
                "--metrics-addr {addr}: cannot listen: {e}; pick another port (or 0 for a free one)"
            ))
        })?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| Error::usage(format!("--metrics-addr {addr}: not an IP address")))?;
        let series = Arc::new(Series::default());
        let mut registry = Registry::default();
        let s = &series;
        registry.register(
            "rdbtune_phase",
            "the phase running now (label phase; 1 while it runs)",
            s.phase.clone(),
        );
        registry.register(
            "rdbtune_phase_running",
            "1 while a phase's workers run, 0 between phases",
            s.running.clone(),
        );
        registry.register(
            "rdbtune_ops",
            "headline ops (keys; a batch of b keys counts b) completed, all phases",
            s.ops_total.clone(),
        );
        registry.register(
            "rdbtune_ops_per_second",
            "headline ops over the last full second",
            s.ops_per_second.clone(),
        );
        registry.register(
            "rdbtune_latency_seconds",
            "headline latency per sample over the last full second, by quantile",
            s.latency.clone(),
        );
        registry.register(
            "rdbtune_op_samples_per_second",
            "latency samples (ops, or batches) of each op kind over the last full second",
            s.op_rate.clone(),
        );
        registry.register("rdbtune_op_latency_seconds", "latency per sample of each op kind over the last full second, by quantile (--percentiles)", s.op_latency.clone());
        registry.register(
            "rdbtune_write_stall_seconds_per_second",
            "writer stall time in the last second (rocksdb.stall.micros)",
            s.stall.clone(),
        );
        registry.register(
            "rdbtune_write_stopped",
            "1 when RocksDB stopped writes at the second's end",
            s.stopped.clone(),
        );
        registry.register(
            "rdbtune_write_delayed",
            "1 when the write controller was delaying writes",
            s.delayed.clone(),
        );
        registry.register(
            "rdbtune_pending_compaction_bytes",
            "rocksdb.estimate-pending-compaction-bytes",
            s.pending.clone(),
        );
        registry.register(
            "rdbtune_block_cache_hit_ratio",
            "block cache hits / lookups in the last second (NaN without lookups)",
            s.cache_hit.clone(),
        );
        registry.register(
            "rdbtune_memtable_bytes",
            "rocksdb.cur-size-all-mem-tables",
            s.memtable.clone(),
        );
        registry.register(
            "rdbtune_rss_bytes",
            "resident memory of the rdbtune process (/proc/self/statm)",
            s.rss.clone(),
        );
        registry.register(
            "rdbtune_rocksdb_memory_bytes",
            "block cache usage + memtables + table readers",
            s.rocksdb_mem.clone(),
        );
        registry.register(
            "rdbtune_running_compactions",
            "rocksdb.num-running-compactions",
            s.compactions.clone(),
        );
        registry.register(
            "rdbtune_running_flushes",
            "rocksdb.num-running-flushes",
            s.flushes.clone(),
        );
        registry.register("rdbtune_io_bytes_per_second", "bytes moved in the last second: source process (storage layer, /proc/self/io read_bytes/write_bytes), syscall (rchar/wchar) or device (the DB's block device, /proc/diskstats, every process); direction read or write", s.io.clone());
        registry.register(
            "rdbtune_device_busy_ratio",
            "share of the last second the DB's block device had I/O in flight",
            s.device_busy.clone(),
        );
        registry.register(
            "rdbtune_alerts_active",
            "alert rules active after the last second",
            s.alerts.clone(),
        );
        let registry = Arc::new(registry);
        let server = Arc::new(server);
        let thread = {
            let (server, registry) = (server.clone(), registry.clone());
            std::thread::Builder::new()
                .name("rdbtune-metrics".into())
                .spawn(move || serve(&server, &registry))
                .map_err(|e| {
                    Error::usage(format!(
                        "--metrics-addr: cannot start the server thread: {e}"
                    ))
                })?
        };
        Ok(MetricsEndpoint {
            series,
            server,
            thread: Some(thread),
            addr,
            percentiles: percentiles.to_vec(),
            newest: -1.0,
        })
    }

    /// The address it listens on (the port chosen when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn row(&self, row: &IntervalRow, active_alerts: usize) {
        let s = &self.series;
        s.ops_total.inc_by(row.ops);
        s.ops_per_second.set(row.ops_per_sec);
        s.latency
            .get_or_create(&labels(&[("quantile", "0.5")]))
            .set(row.p50_us / 1e6);
        s.latency
            .get_or_create(&labels(&[("quantile", "0.99")]))
            .set(row.p99_us / 1e6);
        s.stall.set(row.stall_micros as f64 / 1e6);
        s.stopped.set(f64::from(u8::from(row.write_stopped)));
        s.delayed.set(f64::from(u8::from(row.write_delayed)));
        s.pending.set(row.pending_compaction_bytes as f64);
        s.cache_hit.set(row.cache_hit_rate.unwrap_or(f64::NAN));
        s.memtable.set(row.memtable_bytes as f64);
        s.rss.set(row.rss_bytes as f64);
        s.rocksdb_mem.set(row.rocksdb_mem_bytes as f64);
        s.compactions.set(row.running_compactions as f64);
        s.flushes.set(row.running_flushes as f64);
        let io = [
            ("process", "read", row.read_bytes),
            ("process", "write", row.write_bytes),
            ("syscall", "read", row.syscall_read_bytes),
            ("syscall", "write", row.syscall_write_bytes),
            ("device", "read", row.device_read_bytes),
            ("device", "write", row.device_write_bytes),
        ];
        for (source, dir, v) in io {
            if let Some(v) = v {
                s.io.get_or_create(&labels(&[("source", source), ("direction", dir)]))
                    .set(v as f64);
            }
        }
        if let Some(b) = row.device_busy {
            s.device_busy.set(b);
        }
        s.alerts.set(active_alerts as f64);
    }
}

/// Answers scrapes until the endpoint is dropped.
fn serve(server: &tiny_http::Server, registry: &Registry) {
    for rq in server.incoming_requests() {
        let path = rq.url().split('?').next().unwrap_or("");
        let response = if path == "/metrics" {
            let mut body = String::new();
            match encode(&mut body, registry) {
                Ok(()) => tiny_http::Response::from_string(body).with_header(
                    tiny_http::Header::from_bytes(
                        &b"Content-Type"[..],
                        &b"application/openmetrics-text; version=1.0.0; charset=utf-8"[..],
                    )
                    .expect("a valid header"),
                ),
                Err(e) => tiny_http::Response::from_string(format!("encoding failed: {e}"))
                    .with_status_code(500),
            }
        } else {
            tiny_http::Response::from_string("rdbtune serves its metrics at /metrics\n")
                .with_status_code(404)
        };
        let _ = rq.respond(response);
    }
}

impl PhaseObserver for MetricsEndpoint {
    fn start(&mut self, p: &PhaseStart<'_>) {
        self.series.phase.clear();
        self.series
            .phase
            .get_or_create(&labels(&[("phase", p.label)]))
            .set(1.0);
        self.series.running.set(1.0);
        self.series.op_rate.clear();
        self.series.op_latency.clear();
        self.newest = -1.0;
    }

    fn second(&mut self, s: &Second<'_>) {
        self.row(s.row, s.active_alerts.len());
    }

    fn histograms(&mut self, start_s: f64, span_s: f64, per_kind: &[(OpKind, Histogram<u64>)]) {
        if start_s < self.newest {
            return;
        }
        self.newest = start_s;
        for (k, h) in per_kind {
            let op = k.name();
            self.series
                .op_rate
                .get_or_create(&labels(&[("op", op)]))
                .set(h.len() as f64 / span_s.max(1e-3));
            for &p in &self.percentiles {
                let ns = if p >= 100.0 {
                    h.max()
                } else {
                    h.value_at_quantile(p / 100.0)
                };
                self.series
                    .op_latency
                    .get_or_create(&labels(&[("op", op), ("quantile", &quantile_label(p))]))
                    .set(ns as f64 / 1e9);
            }
        }
    }

    fn finish(&mut self) {
        self.series.running.set(0.0);
    }

    fn wants_per_kind(&self) -> bool {
        true
    }
}

impl Drop for MetricsEndpoint {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
