//! The recommended config in the forms other tools read: db_bench command lines that
//! reproduce a trial's phases (op counts translated to db_bench's per-thread counting), an
//! options string file, and a paste-able `[engine]` TOML section. The OPTIONS files are
//! written by RocksDB itself (`engine::options_file`).

use crate::engine::{CacheType, EngineConfig};
use crate::model::Trial;
use crate::workload::{PhaseSpec, Workload};

/// The portable OPTIONS file db_bench.flags points at (only what differs from the defaults).
pub const PORTABLE_OPTIONS: &str = "OPTIONS.portable.ini";

/// db_bench's engine flags beside `--options_file`: what an OPTIONS file cannot carry and
/// db_bench still reads with one (the block cache, the row cache, the rate limiter,
/// statistics) and the write options (sync, WAL).
pub fn db_bench_engine_flags(c: &EngineConfig) -> Vec<String> {
    let b = |v: bool| if v { "1" } else { "0" };
    let cache_type = match c.block_cache_type {
        CacheType::Lru => "lru_cache",
        CacheType::HyperClock => "hyper_clock_cache",
    };
    let mut f = vec![format!("--options_file={PORTABLE_OPTIONS}")];
    if c.block_cache_size.0 > 0 {
        f.push(format!("--cache_size={}", c.block_cache_size.0));
        f.push(format!("--cache_type={cache_type}"));
    }
    if c.row_cache_size.0 > 0 {
        f.push(format!("--row_cache_size={}", c.row_cache_size.0));
    }
    if c.rate_limiter_bytes_per_sec.0 > 0 {
        f.push(format!(
            "--rate_limiter_bytes_per_sec={}",
            c.rate_limiter_bytes_per_sec.0
        ));
    }
    if c.merge_operator != crate::engine::MergeOperator::None {
        // db_bench's merge benchmarks refuse to run without --merge_operator (the OPTIONS
        // file names it too).
        f.push(format!("--merge_operator={}", c.merge_operator.name()));
    }
    f.push(format!("--statistics={}", b(c.statistics)));
    f.push(format!("--disable_wal={}", b(c.disable_wal)));
    f.push(format!("--sync={}", b(c.sync)));
    f
}

/// One phase as db_bench flags. db_bench's `--num` is the key space and every thread does
/// its own `--writes` (writing benchmarks) or `--reads` (the others); rdbtune counts one
/// total over all threads, so the per-thread count is the total divided by the threads. The
/// second return value says when the division leaves a remainder (db_bench then does up to
/// `threads - 1` fewer operations).
pub fn db_bench_phase(p: &PhaseSpec) -> (Vec<String>, Option<String>) {
    let threads = p.threads.max(1) as u64;
    // db_bench's fillbatch always writes 1000 keys per batch; other sizes are fillseq with
    // --batch_size.
    // fwdrange and revrange are benchmark.sh's names: it runs them as seekrandom with
    // --seek_nexts and --reverse_iterator.
    let name = match p.workload {
        Workload::FillBatch if p.batch_size != 1000 => "fillseq",
        Workload::FwdRange | Workload::RevRange => "seekrandom",
        Workload::FwdRangeWhileWriting | Workload::RevRangeWhileWriting => "seekrandomwhilewriting",
        w => w.name(),
    };
    // A phase that waits for compactions after itself: benchmark.sh's overwriteandwait.
    let name = if p.wait_for_compaction == Some(true) && p.workload.writes() {
        format!("{name},waitforcompaction")
    } else {
        name.to_string()
    };
    let mut f = vec![
        format!("--benchmarks={name}"),
        format!("--num={}", p.num),
        format!("--threads={threads}"),
        format!("--key_size={}", p.key_size),
        format!("--value_size={}", p.value_size),
        format!("--compression_ratio={}", p.compressibility),
    ];
    let mut note = None;
    match (p.total_ops(), p.duration_s) {
        _ if p.workload.is_step() => {}
        (Some(total), _) => {
            let flag = match p.workload {
                Workload::DeleteSeq | Workload::DeleteRandom => "--deletes",
                // db_bench's readwrites_ = max(--writes, --reads) when either is given.
                Workload::UpdateRandom
                | Workload::MergeRandom
                | Workload::ReadRandomMergeRandom
                | Workload::ReadRandomWriteRandom
                | Workload::MixGraph => "--reads",
                w if w.background_writer().is_some() => "--reads",
                w if w.writes() => "--writes",
                _ => "--reads",
            };
            f.push(format!("{flag}={}", total / threads));
            if total % threads != 0 {
                note = Some(format!(
                    "{} of {total} operations: db_bench does {} per thread over {threads} threads",
                    p.workload,
                    total / threads
                ));
            }
        }
        (None, Some(d)) => f.push(format!("--duration={}", d.ceil() as u64)),
        (None, None) => {}
    }
    if p.batch_size > 1
        && (p.workload.writes() || p.workload == Workload::MultiReadRandom)
        && p.workload.background_writer().is_none()
    {
        f.push(format!("--batch_size={}", p.batch_size));
    }
    if p.workload == Workload::MultiReadRandom {
        f.push("--multiread_batched=true".into());
    }
    if p.value_size_distribution != crate::workload::ValueSizeDistribution::Fixed {
        f.push(format!(
            "--value_size_distribution_type={}",
            p.value_size_distribution.name()
        ));
        f.push(format!("--value_size_min={}", p.value_size_min));
        f.push(format!("--value_size_max={}", p.value_size_max));
    }
    if p.read_random_exp_range > 0.0 {
        f.push(format!(
            "--read_random_exp_range={}",
            p.read_random_exp_range
        ));
    }
    if p.workload == Workload::ReadRandomMergeRandom {
        f.push(format!("--mergereadpercent={}", p.merge_percent));
    }
    if p.workload.reverse() {
        f.push("--reverse_iterator=true".into());
    }
    if p.workload == Workload::ReadRandomWriteRandom {
        f.push(format!("--readwritepercent={}", p.read_percent));
    }
    if p.workload.seeks() && p.seek_nexts > 0 {
        f.push(format!("--seek_nexts={}", p.seek_nexts));
    }
    if p.keys_per_prefix > 0 {
        f.push(format!("--keys_per_prefix={}", p.keys_per_prefix));
        f.push(format!("--prefix_size={}", p.prefix_size));
    }
    if let Some(m) = &p.mixgraph {
        f.extend(mixgraph_flags(m));
    }
    if let Some(r) = p.write_rate_limit {
        f.push(format!("--benchmark_write_rate_limit={r}"));
    }
    (f, note)
}

/// mixgraph's model as db_bench flags (every one, defaults too, so the command says it all).
pub fn mixgraph_flags(m: &crate::workload::mixgraph::MixGraphSpec) -> Vec<String> {
    let v = serde_json::to_value(m).unwrap_or_default();
    let Some(map) = v.as_object() else {
        return Vec::new();
    };
    map.iter().map(|(k, v)| format!("--{k}={v}")).collect()
}

/// db_bench.flags: one db_bench command per phase of the trial (the first on a fresh DB, the
/// others with `--use_existing_db=1`), headed by `title` as a comment.
pub fn db_bench_command(t: &Trial, title: &str) -> String {
    let mut out = format!(
        "# {title}\n# One db_bench command per phase, in order, on one DB directory. The engine config is\n# {PORTABLE_OPTIONS} (what differs from RocksDB's defaults) plus the flags below it.\n"
    );
    if t.phases.iter().any(|p| p.spec.ycsb.is_some()) {
        out.push_str("# db_bench has no YCSB core workloads: run them with rdbtune ycsb; the engine flags below\n# reproduce the recommended config for db_bench's own workloads.\n");
    }
    let engine = db_bench_engine_flags(&t.config);
    for (i, p) in t.phases.iter().enumerate() {
        if p.spec.ycsb.is_some() {
            continue;
        }
        let (mut flags, note) = db_bench_phase(&p.spec);
        if let Some(n) = note {
            out.push_str(&format!("# {n}\n"));
        }
        flags.insert(0, "db_bench".into());
        flags.push("--db=./rdbtune-db-bench".into());
        flags.push(format!("--use_existing_db={}", u8::from(i > 0)));
        flags.extend(engine.iter().map(|e| match p.spec.disable_wal {
            // The phase's own WAL setting replaces the config's (gflags keeps the last one).
            Some(d) if e.starts_with("--disable_wal=") => {
                format!("--disable_wal={}", u8::from(d))
            }
            _ => e.clone(),
        }));
        out.push_str(&flags.join(" \\\n  "));
        out.push_str("\n\n");
    }
    out
}

/// The config as a paste-able `[engine]` section with `comments` above it.
pub fn recommended_toml(c: &EngineConfig, comments: &[String]) -> String {
    let mut cfg = c.clone();
    cfg.path = None;
    cfg.base_options = None;
    let mut out = String::new();
    for l in comments {
        out.push_str("# ");
        out.push_str(l);
        out.push('\n');
    }
    if c.base_options.is_some() && c.options_file.is_none() {
        out.push_str("# (the base OPTIONS file of this config is in OPTIONS.ini)\n");
    }
    out.push_str("[engine]\n");
    out.push_str(&cfg.to_toml());
    out
}

/// options.txt: only what differs from RocksDB's defaults, as one RocksDB options string
/// (the last line), with comments on what it carries.
pub fn options_txt(string: &str, cache_note: &str, comments: &[String]) -> String {
    let mut out = String::new();
    for l in comments {
        out.push_str(&format!("# {l}\n"));
    }
    out.push_str(
        "# Only what differs from RocksDB's defaults, as a RocksDB options string: pass the line\n",
    );
    out.push_str("# below to GetOptionsFromString / Options::get_options_from_string (or rocksdb_options =\n");
    out.push_str(
        "# \"...\" in an rdbtune scenario). It loads into older releases too (db_bench 7.8.3).\n",
    );
    out.push_str(&format!("# {cache_note}\n"));
    out.push_str(string);
    out.push('\n');
    out
}
