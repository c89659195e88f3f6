//! The same engine config in the forms other tools read: a RocksDB OPTIONS file (written by
//! RocksDB itself, so it is exactly what RocksDB would load), a db_bench command line, and a
//! paste-able `[engine]` TOML section.

use super::{Engine, EngineConfig};
use crate::error::{Error, Result};

/// A RocksDB OPTIONS file for `config`: RocksDB opens a throwaway DB with the config and the
/// OPTIONS file it writes is returned, with `header` lines prepended as `#` comments.
pub fn rocksdb_options_file(config: &EngineConfig, header: &[String]) -> Result<String> {
    let dir = crate::dbdir::DbDir::temporary(None)?;
    let mut cfg = config.clone();
    cfg.path = None;
    // Keep the throwaway instance small; the cache size is set in the text below.
    let engine = Engine::open(&cfg, dir.path())?;
    drop(engine);
    let mut latest: Option<(u64, std::path::PathBuf)> = None;
    for e in std::fs::read_dir(dir.path())
        .map_err(|e| Error::io("reading", dir.path(), e))?
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(n) = name
            .strip_prefix("OPTIONS-")
            .and_then(|n| n.parse::<u64>().ok())
        {
            if latest.as_ref().is_none_or(|(m, _)| n > *m) {
                latest = Some((n, e.path()));
            }
        }
    }
    let (_, path) =
        latest.ok_or_else(|| Error::usage("RocksDB wrote no OPTIONS file".to_string()))?;
    let body = std::fs::read_to_string(&path).map_err(|e| Error::io("reading", &path, e))?;
    let mut out = String::new();
    for h in header {
        out.push_str("# ");
        out.push_str(h);
        out.push('\n');
    }
    out.push_str(&format!(
        "# block cache: {} LRU (RocksDB does not store the cache capacity in OPTIONS files; set it in code)\n",
        config.block_cache_size
    ));
    out.push_str(&body);
    Ok(out)
}

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
