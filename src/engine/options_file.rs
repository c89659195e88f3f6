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
