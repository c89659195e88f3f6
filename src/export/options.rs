//! The recommended config in the forms other tools read: a db_bench command line and a
//! paste-able `[engine]` TOML section. (The OPTIONS file is written by RocksDB itself:
//! `engine::options_file`.)

use crate::engine::EngineConfig;
use crate::model::Trial;

/// db_bench flags that reproduce the config (per-level compression: pass
/// `--options_file=OPTIONS.ini` too, db_bench has no flag for it).
pub fn db_bench_flags(c: &EngineConfig) -> Vec<String> {
    let b = |v: bool| if v { "1" } else { "0" };
    let mut f = vec![
        format!("--open_files={}", c.max_open_files),
        format!("--write_buffer_size={}", c.write_buffer_size.0),
        format!("--max_write_buffer_number={}", c.max_write_buffer_number),
        format!(
            "--min_write_buffer_number_to_merge={}",
            c.min_write_buffer_number_to_merge
        ),
        format!("--cache_size={}", c.block_cache_size.0),
        format!("--block_size={}", c.block_size.0),
        format!("--bloom_bits={}", c.bloom_bits_per_key),
        format!(
            "--cache_index_and_filter_blocks={}",
            b(c.cache_index_and_filter_blocks)
        ),
        format!("--compression_type={}", c.compression.name()),
        format!("--max_background_jobs={}", c.max_background_jobs),
        format!(
            "--level0_file_num_compaction_trigger={}",
            c.level0_file_num_compaction_trigger
        ),
        format!(
            "--level0_slowdown_writes_trigger={}",
            c.level0_slowdown_writes_trigger
        ),
        format!(
            "--level0_stop_writes_trigger={}",
            c.level0_stop_writes_trigger
        ),
        format!("--target_file_size_base={}", c.target_file_size_base.0),
        format!(
            "--max_bytes_for_level_base={}",
            c.max_bytes_for_level_base.0
        ),
        format!(
            "--level_compaction_dynamic_level_bytes={}",
            if c.level_compaction_dynamic_level_bytes {
                "true"
            } else {
                "false"
            }
        ),
        format!("--bytes_per_sync={}", c.bytes_per_sync.0),
        format!("--wal_bytes_per_sync={}", c.bytes_per_sync.0),
        format!("--disable_wal={}", b(c.disable_wal)),
        format!("--sync={}", b(c.sync)),
        format!("--statistics={}", b(c.statistics)),
    ];
    if let Some(bm) = c.bottommost_compression {
        f.push(format!("--bottommost_compression_type={}", bm.name()));
    }
    f
}

/// The config as a paste-able `[engine]` section with `comments` above it.
pub fn recommended_toml(c: &EngineConfig, comments: &[String]) -> String {
    let mut cfg = c.clone();
    cfg.path = None;
    let mut out = String::new();
    for l in comments {
        out.push_str("# ");
        out.push_str(l);
        out.push('\n');
    }
    out.push_str("[engine]\n");
    out.push_str(&cfg.to_toml());
    out
}

/// db_bench.flags: a db_bench command line with the trial's workloads, data and engine
/// flags, headed by `title` as a comment.
pub fn db_bench_command(t: &Trial, title: &str) -> String {
    let phases: Vec<&str> = t.phases.iter().map(|p| p.spec.workload.name()).collect();
    let ycsb_note = if t.phases.iter().any(|p| p.spec.ycsb.is_some()) {
        "# db_bench has no YCSB core workloads: run them with rdbtune ycsb; the engine flags below\n# reproduce the recommended config for db_bench's own workloads.\n"
    } else {
        ""
    };
    let p0 = &t.phases[0].spec;
    let mut flags = vec![
        "db_bench".to_string(),
        format!("--benchmarks={}", phases.join(",")),
        format!("--num={}", p0.num),
        format!("--key_size={}", p0.key_size),
        format!("--value_size={}", p0.value_size),
        format!("--compression_ratio={}", p0.compressibility),
        format!("--threads={}", p0.threads),
    ];
    flags.extend(db_bench_flags(&t.config));
    if !t.config.compression_per_level.is_empty() {
        flags.push("--options_file=OPTIONS.ini".into());
    }
    format!("# {title}\n{ycsb_note}{}\n", flags.join(" \\\n  "))
}
