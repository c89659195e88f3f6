//! The terminal tables of a run: throughput and latency per phase, per op kind, engine
//! figures per phase, alerts, and the engine state after the last phase.

use crate::engine::size::human_bytes;
use crate::engine::EngineStats;
use crate::model::{
    percentile_label, shown_percentiles, LatencySummary, PerfBreakdown, PhaseResult, RunResult,
};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use std::fmt::Write as _;

fn num_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(header.iter().map(Cell::new));
    for i in 1..header.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn f1(x: f64) -> String {
    format!("{x:.1}")
}

fn opt(x: Option<f64>, fmt: impl Fn(f64) -> String) -> String {
    x.map_or_else(|| "n/a".into(), fmt)
}

/// Display name of a phase: the workload, plus the batch size when batching.
pub fn phase_label(p: &PhaseResult) -> String {
    if p.spec.batch_size > 1 && p.workload.writes() {
        format!("{} (batch {})", p.workload, p.spec.batch_size)
    } else {
        p.workload.to_string()
    }
}

/// The terminal summary: throughput and latency per phase, per-op breakdowns, engine
/// figures per phase, and the final engine stats.
pub fn table(r: &RunResult) -> String {
    let mut out = String::new();
    for run in r.runs.iter().chain(r.partial_run.iter()) {
        if r.runs.len() + usize::from(r.partial_run.is_some()) > 1 {
            out.push_str(&format!(
                "\n== {} (repeat {}) ==\n",
                run.trial,
                run.repeat + 1
            ));
        }
        out.push_str(&phases_table(&run.phases, run.final_stats.as_ref()));
    }
    out
}

/// The tables of one run's phases, then the engine state after them.
pub fn phases_table(phases: &[PhaseResult], final_stats: Option<&EngineStats>) -> String {
    let mut out = latency_table(phases);
    out.push_str(&per_op_table(phases));
    out.push_str(&per_group_table(phases, final_stats));
    out.push_str(&engine_table(phases));
    out.push_str(&io_table(phases));
    out.push_str(&perf_table(phases));
    out.push('\n');
    out.push_str(&alerts_text(phases.iter()));
    if let Some(f) = final_stats {
        out.push('\n');
        out.push_str(&engine_stats_text(f));
        out.push('\n');
    }
    out
}

/// The percentile columns of a table: the phases' list without 100 (the max column).
fn pct_columns(phases: &[PhaseResult]) -> Vec<f64> {
    shown_percentiles(phases)
        .into_iter()
        .filter(|p| *p < 100.0)
        .collect()
}

fn pct_headers(pcts: &[f64]) -> Vec<String> {
    pcts.iter()
        .map(|p| format!("{} µs", percentile_label(*p)))
        .collect()
}

fn pct_cells(l: &LatencySummary, pcts: &[f64]) -> Vec<String> {
    pcts.iter()
        .map(|p| l.at(*p).map_or("n/a".into(), f1))
        .collect()
}

fn header<'a>(lead: &[&'a str], mid: &'a [String], tail: &[&'a str]) -> Vec<&'a str> {
    lead.iter()
        .copied()
        .chain(mid.iter().map(String::as_str))
        .chain(tail.iter().copied())
        .collect()
}

fn latency_table(phases: &[PhaseResult]) -> String {
    let pcts = pct_columns(phases);
    let mid = pct_headers(&pcts);
    let mut t = num_table(&header(
        &["phase", "ops", "elapsed s", "ops/s", "MiB/s", "avg µs"],
        &mid,
        &["max µs"],
    ));
    for p in phases {
        let l = &p.latency_us;
        let mut row = vec![
            phase_label(p) + if p.interrupted { " (interrupted)" } else { "" },
            p.ops.to_string(),
            format!("{:.3}", p.elapsed_s),
            format!("{:.0}", p.ops_per_sec),
            format!("{:.2}", p.mb_per_sec),
            f1(l.avg),
        ];
        row.extend(pct_cells(l, &pcts));
        row.push(f1(l.max));
        t.add_row(row);
    }
    let mut out = String::from(
        "Throughput over each phase's wall time (all threads); latency per sample (one op, or one batch).\n",
    );
    out.push_str(&t.to_string());
    out
}

fn per_op_table(phases: &[PhaseResult]) -> String {
    let mut out = String::new();
    let multi: Vec<&PhaseResult> = phases.iter().filter(|p| p.per_op.len() > 1).collect();
    if !multi.is_empty() {
        let pcts = pct_columns(phases);
        let mid = pct_headers(&pcts);
        let mut t = num_table(&header(
            &["phase", "op", "ops", "ops/s"],
            &mid,
            &["max µs", "found", "not found"],
        ));
        for p in multi {
            for o in &p.per_op {
                let mut row = vec![
                    p.workload.to_string(),
                    o.kind.to_string(),
                    o.ops.to_string(),
                    format!("{:.0}", o.ops_per_sec),
                ];
                row.extend(pct_cells(&o.latency_us, &pcts));
                row.push(f1(o.latency_us.max));
                row.push(o.found.map_or("-".into(), |v| v.to_string()));
                row.push(o.not_found.map_or("-".into(), |v| v.to_string()));
                t.add_row(row);
            }
        }
        out.push_str("\nPer operation kind:\n");
        out.push_str(&t.to_string());
    }
    out
}

/// Per key group (column family) of phases that spread their ops, and each family's state
/// after the run.
fn per_group_table(phases: &[PhaseResult], final_stats: Option<&EngineStats>) -> String {
    let mut out = String::new();
    if phases.iter().any(|p| !p.per_group.is_empty()) {
        let pcts = pct_columns(phases);
        let mid = pct_headers(&pcts);
        let mut t = num_table(&header(
            &["phase", "family", "keys", "share of ops", "ops", "ops/s"],
            &mid,
            &[],
        ));
        for p in phases {
            let total: u64 = p.per_group.iter().map(|g| g.ops).sum();
            for g in &p.per_group {
                let mut row = vec![
                    phase_label(p),
                    if g.group.is_empty() || g.group == g.family {
                        g.family.clone()
                    } else {
                        format!("{} (in {})", g.group, g.family)
                    },
                    format!("{}..{}", g.keys.0, g.keys.1),
                    format!("{:.0}%", g.ops as f64 * 100.0 / total.max(1) as f64),
                    g.ops.to_string(),
                    format!("{:.0}", g.ops_per_sec),
                ];
                row.extend(pct_cells(&g.latency_us, &pcts));
                t.add_row(row);
            }
        }
        out.push_str("\nPer column family (key group) of each phase:\n");
        out.push_str(&t.to_string());
    }
    if let Some(f) = final_stats.filter(|f| f.families.len() > 1) {
        let mut t = num_table(&[
            "family",
            "keys (est.)",
            "live SST",
            "ratio",
            "memtables",
            "pending",
            "cache",
        ]);
        for x in &f.families {
            t.add_row(vec![
                x.name.clone(),
                x.estimated_keys.to_string(),
                human_bytes(x.live_sst_bytes),
                opt(x.compression_ratio, |r| format!("{r:.2}x")),
                human_bytes(x.memtable_bytes),
                human_bytes(x.pending_compaction_bytes),
                if x.own_block_cache {
                    format!("own {}", human_bytes(x.block_cache_capacity))
                } else {
                    "shared".into()
                },
            ]);
        }
        out.push_str("\nColumn families after the last phase:\n");
        out.push_str(&t.to_string());
    }
    out
}

fn engine_table(phases: &[PhaseResult]) -> String {
    let mut out = String::new();
    let mut t = num_table(&[
        "phase",
        "cache hit %",
        "stall ms",
        "stall %",
        "stall episodes",
        "worst 1 s",
        "W-amp",
        "compaction wait s",
        "CPU s",
        "SST after",
        "disk after",
        "ratio after",
    ]);
    for p in phases {
        let e = &p.engine;
        t.add_row(vec![
            phase_label(p),
            opt(e.cache_hit_rate, |x| format!("{:.1}", x * 100.0)),
            format!("{:.1}", e.stall_micros as f64 / 1000.0),
            format!("{:.1}", p.stalls.stall_percent),
            p.stalls.episodes.to_string(),
            p.stalls.worst_dip.map_or("-".into(), |(t, _, r)| {
                format!("{:.0}% of median at {t:.0} s", r * 100.0)
            }),
            opt(e.write_amplification, |x| format!("{x:.2}")),
            format!("{:.2}", p.compaction_wait_s),
            format!("{:.2}", p.cpu_s),
            human_bytes(e.sst_bytes),
            human_bytes(e.disk_bytes),
            opt(e.compression_ratio, |x| format!("{x:.2}x")),
        ]);
    }
    out.push_str(
        "\nEngine per phase (cache hit rate, stalls and write amplification during the phase; stall % of its wall time, stall episodes, and its slowest full second vs the median second; sizes and compression ratio after it):\n",
    );
    out.push_str(&t.to_string());
    out
}

/// Bytes per op: exact below 10 KiB, human-sized above.
fn per_op_bytes(total: u64, ops: u64) -> String {
    if ops == 0 {
        return "-".into();
    }
    let x = total as f64 / ops as f64;
    if x < 10240.0 {
        format!("{x:.0} B")
    } else {
        human_bytes(x as u64)
    }
}

/// Where each phase's bytes went, per headline op, and why device figures are missing.
fn io_table(phases: &[PhaseResult]) -> String {
    let mut t = num_table(&[
        "phase",
        "storage read",
        "storage write",
        "syscall read",
        "syscall write",
        "device read",
        "device write",
        "SST read",
        "read amp",
        "WAL",
        "flush + compaction",
    ]);
    let mut notes: Vec<String> = Vec::new();
    let measured: Vec<&PhaseResult> = phases.iter().filter(|p| p.io.is_some()).collect();
    if measured.is_empty() {
        return String::new();
    }
    for p in measured {
        let pio = p.io.as_ref().expect("filtered");
        let (io, d, n) = (&pio.process, &p.engine.during, p.ops);
        let dev = |f: fn(&crate::sysmon::DiskIo) -> u64| {
            pio.device_io
                .as_ref()
                .map_or("n/a".into(), |x| per_op_bytes(f(x), n))
        };
        if let Some(note) = &pio.device_note {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
        t.add_row(vec![
            phase_label(p),
            per_op_bytes(io.read_bytes, n),
            per_op_bytes(io.write_bytes, n),
            per_op_bytes(io.rchar, n),
            per_op_bytes(io.wchar, n),
            dev(|x| x.read_bytes()),
            dev(|x| x.write_bytes()),
            per_op_bytes(d.sst_read_bytes.saturating_sub(d.compaction_bytes_read), n),
            opt(d.read_amplification(), |x| format!("{x:.2}")),
            per_op_bytes(d.wal_bytes, n),
            per_op_bytes(d.flush_bytes_written + d.compaction_bytes_written, n),
        ]);
    }
    let mut out = String::from(
        "\nI/O per headline op, over each phase and its compaction wait (storage: /proc/self/io read_bytes/write_bytes; syscall: rchar/wchar, page-cache hits included; device: the DB's block device in /proc/diskstats, every process; SST read, WAL, flush + compaction: RocksDB tickers; read amp: SST bytes read for users / value bytes returned):\n",
    );
    out.push_str(&t.to_string());
    for n in notes {
        out.push_str(&format!("\n  device: {n}"));
    }
    out
}

/// One sentence on where a sampled op kind spent its time, e.g. "read: 88% in SST files
/// (block reads 23%, decompressing 14%, checksums 3%), 0.9 block reads of 2091 B ...".
pub fn perf_sentence(b: &PerfBreakdown) -> String {
    let pct = |name: &str| format!("{:.0}%", b.share(name) * 100.0);
    let mean = |name: &str| b.mean.get(name).copied().unwrap_or(0.0);
    let mut parts = Vec::new();
    if mean("get_from_memtable_count") > 0.0 || mean("get_from_output_files_time") > 0.0 {
        parts.push(format!(
            "{} searching memtables, {} in SST files (block reads {}, decompressing {}, checksums {}; index {}, filter {})",
            pct("get_from_memtable_time"),
            pct("get_from_output_files_time"),
            pct("block_read_time"),
            pct("block_decompress_time"),
            pct("block_checksum_time"),
            pct("read_index_block_nanos"),
            pct("read_filter_block_nanos"),
        ));
    } else if mean("seek_internal_seek_time") > 0.0 || mean("find_next_user_entry_time") > 0.0 {
        parts.push(format!(
            "{} seeking, {} stepping to the next entry (block reads {}, decompressing {})",
            pct("seek_internal_seek_time"),
            pct("find_next_user_entry_time"),
            pct("block_read_time"),
            pct("block_decompress_time"),
        ));
    }
    if mean("write_wal_time") > 0.0 || mean("write_memtable_time") > 0.0 {
        parts.push(format!(
            "{} writing the WAL, {} inserting into memtables, {} delayed by the write controller",
            pct("write_wal_time"),
            pct("write_memtable_time"),
            pct("write_delay_time"),
        ));
    }
    let reads = mean("block_read_count");
    let bloom = mean("bloom_sst_hit_count") + mean("bloom_sst_miss_count");
    let mut counts = format!(
        "{reads:.2} block reads ({:.0} B), {:.2} block cache hits",
        mean("block_read_byte"),
        mean("block_cache_hit_count")
    );
    if bloom > 0.0 {
        counts.push_str(&format!(
            ", {bloom:.2} SST bloom checks ({:.2} ruled a file out)",
            mean("bloom_sst_miss_count")
        ));
    }
    parts.push(counts);
    format!(
        "{} ({} sampled, mean {:.1} µs): {}",
        b.kind,
        b.sampled_ops,
        b.mean_op_ns / 1000.0,
        parts.join("; ")
    )
}

/// The PerfContext breakdown of phases measured with `--perf-sample`.
fn perf_table(phases: &[PhaseResult]) -> String {
    let lines: Vec<String> = phases
        .iter()
        .flat_map(|p| {
            p.perf
                .iter()
                .map(move |b| format!("  {} {}", phase_label(p), perf_sentence(b)))
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "\nWhere sampled ops spent their time (RocksDB PerfContext on a random share of ops; shares of the sampled ops' mean latency; block reads, decompressing and checksums are part of the time in SST files; counts are means per op):\n{}",
        lines.join("\n")
    )
}

/// "Alerts (n):" and one line per episode (phase seconds), or nothing when none fired.
pub fn alerts_text<'a>(phases: impl Iterator<Item = &'a PhaseResult>) -> String {
    let mut lines = Vec::new();
    for p in phases {
        for a in &p.alerts {
            lines.push(format!(
                "  {} in {}: {:.0} s -> {}, {} breaching second(s), worst {}",
                a.rule,
                phase_label(p),
                a.started_t_s,
                a.cleared_t_s
                    .map_or("still active at the phase's end".into(), |c| format!(
                        "{c:.0} s"
                    )),
                a.breached_intervals,
                a.metric.show(a.worst)
            ));
        }
    }
    if lines.is_empty() {
        return String::new();
    }
    format!("\nAlerts ({}):\n{}\n", lines.len(), lines.join("\n"))
}

fn opt_ratio(v: Option<f64>, suffix: &str) -> String {
    v.map_or_else(|| "n/a".to_string(), |x| format!("{x:.2}{suffix}"))
}

/// The engine's state and counters as a human-readable block; every figure names its unit
/// and source.
pub fn engine_stats_text(st: &EngineStats) -> String {
    let c = &st.counters;
    let mut s = String::new();
    let _ = writeln!(s, "=== RocksDB statistics (counters since open) ===");
    let _ = writeln!(s, "keys (estimate)           {}", st.estimated_keys);
    let _ = writeln!(
        s,
        "live SST / total SST      {} / {}",
        human_bytes(st.live_sst_bytes),
        human_bytes(st.total_sst_bytes)
    );
    let _ = writeln!(
        s,
        "disk usage (DB dir)       {}",
        human_bytes(st.disk_bytes)
    );
    let _ = writeln!(s, "files per level L0..L6    {:?}", st.files_per_level);
    let _ = writeln!(
        s,
        "compression ratio         {} (raw key+value bytes / live SST bytes)",
        opt_ratio(st.compression_ratio, "x")
    );
    let _ = writeln!(
        s,
        "block cache               hit rate {} ({} hits, {} misses), usage {} of {}",
        st.cache_hit_rate
            .map_or("n/a".into(), |r| format!("{:.2}%", r * 100.0)),
        c.block_cache_hits,
        c.block_cache_misses,
        human_bytes(st.block_cache_usage),
        human_bytes(st.block_cache_capacity)
    );
    let _ = writeln!(
        s,
        "memtables / table readers {} / {}",
        human_bytes(st.memtable_bytes),
        human_bytes(st.table_readers_mem)
    );
    let _ = writeln!(
        s,
        "flushes / compactions     {} / {} ({:.2} s compaction wall time, {:.2} s CPU)",
        c.flushes,
        c.compactions,
        c.compaction_micros as f64 / 1e6,
        c.compaction_cpu_micros as f64 / 1e6
    );
    let _ = writeln!(
        s,
        "write amplification       {} ((flush + compaction bytes written) / user bytes written)",
        opt_ratio(st.write_amplification, "x")
    );
    let _ = writeln!(
        s,
        "pending compaction        {} ({} compactions, {} flushes running)",
        human_bytes(st.pending_compaction_bytes),
        st.running_compactions,
        st.running_flushes
    );
    let _ = write!(
        s,
        "write stalls              {:.3} s stalled in total{}",
        c.stall_micros as f64 / 1e6,
        if st.write_stopped {
            ", writes STOPPED now"
        } else if st.delayed_write_rate > 0 {
            ", writes delayed now"
        } else {
            ""
        }
    );
    s
}
