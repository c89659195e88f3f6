//! The config as RocksDB itself writes it, and as little of it as others need: the full
//! OPTIONS file RocksDB writes when it opens a DB with the config, and the options that differ
//! from RocksDB's defaults (for an options string and an OPTIONS file older releases load).

use super::config::EngineConfig;
use super::knobs::CacheType;
use super::rocksdb_options::{items, unbrace, OptionsFile};
use super::size::Size;
use super::Engine;
use crate::error::Result;
use std::sync::OnceLock;

/// The OPTIONS file RocksDB writes when it opens a throwaway DB with `config`.
pub fn written_options(config: &EngineConfig) -> Result<String> {
    let dir = crate::dbdir::DbDir::temporary(None)?;
    let mut cfg = config.clone();
    cfg.path = None;
    cfg.create_if_missing = true;
    let engine = Engine::open(&cfg, dir.path())?;
    let text = engine.written_options().unwrap_or_default();
    drop(engine);
    Ok(text)
}

/// The OPTIONS file of RocksDB's own defaults (`Options::default()`, create_if_missing).
pub fn default_options() -> Result<&'static str> {
    static DEFAULTS: OnceLock<String> = OnceLock::new();
    if let Some(d) = DEFAULTS.get() {
        return Ok(d);
    }
    let dir = crate::dbdir::DbDir::temporary(None)?;
    let mut o = rocksdb::Options::default();
    o.create_if_missing(true);
    let db = rocksdb::DB::open(&o, dir.path())
        .map_err(|e| crate::Error::engine("opening a DB with RocksDB's defaults", e))?;
    drop(db);
    let p = super::rocksdb_options::newest_options_file(dir.path())?;
    let text = std::fs::read_to_string(&p).map_err(|e| crate::Error::io("reading", &p, e))?;
    Ok(DEFAULTS.get_or_init(|| text))
}

/// What the block cache is, in words, and why the OPTIONS file does not say it.
pub fn cache_note(c: &EngineConfig) -> String {
    match c.block_cache_size.0 {
        0 => "block cache: none (no_block_cache=true)".into(),
        _ => format!(
            "block cache: {} {} (OPTIONS files record neither a block cache's kind nor its capacity: options.txt carries the capacity as block_cache=..., which makes an LRU cache; a HyperClockCache is set in code: HyperClockCacheOptions(capacity, 0).MakeSharedCache())",
            c.block_cache_size,
            c.block_cache_type.rocksdb_name()
        ),
    }
}

/// A RocksDB OPTIONS file for `config` as RocksDB writes it, with `header` lines and the
/// block cache note prepended as `#` comments.
pub fn rocksdb_options_file(config: &EngineConfig, header: &[String]) -> Result<String> {
    let body = written_options(config)?;
    let mut out = String::new();
    for h in header {
        out.push_str("# ");
        out.push_str(h);
        out.push('\n');
    }
    out.push_str(&format!("# {}\n", cache_note(config)));
    out.push_str(&body);
    Ok(out)
}

/// Options whose defaults changed between RocksDB releases people still run (7.x snappy vs
/// 11.x LZ4; dynamic level bytes off vs on): written even when they equal 11.8's default, so
/// a minimal config means the same in an older release.
const PINNED: &[(&str, &str)] = &[
    ("CFOptions", "compression"),
    ("CFOptions", "level_compaction_dynamic_level_bytes"),
];

/// The sections a minimal config has, with their options-string wrapper.
const SECTIONS: [&str; 3] = ["DBOptions", "CFOptions", "TableOptions/BlockBasedTable"];

/// One differing option: section kind, name, value (a struct keeps only its changed fields).
pub type Change = (&'static str, String, String);

/// Every option of the default column family whose value differs from RocksDB's defaults
/// (plus the pinned ones), field by field inside struct values.
pub fn changes(config: &EngineConfig) -> Result<Vec<Change>> {
    diff(
        &written_options(config)?,
        default_options()?,
        "RocksDB's default OPTIONS",
        true,
    )
}

/// Every option of the default column family whose value differs from `reference`'s, as
/// RocksDB writes both: the minimal change from a user's config to `config`. The block
/// cache's capacity, which OPTIONS files do not record, is the caller's to compare.
pub fn changes_from(config: &EngineConfig, reference: &EngineConfig) -> Result<Vec<Change>> {
    diff(
        &written_options(config)?,
        &written_options(reference)?,
        "the reference config's OPTIONS",
        false,
    )
}

fn diff(ours: &str, reference: &str, what: &str, pin: bool) -> Result<Vec<Change>> {
    let ours = OptionsFile::parse(ours, "rdbtune's OPTIONS")?;
    let defaults = OptionsFile::parse(reference, what)?;
    let cf = |kind: &str| (kind != "DBOptions").then_some("default");
    let mut out = Vec::new();
    for kind in SECTIONS {
        let (Some(a), Some(d)) = (
            ours.section(kind, cf(kind)),
            defaults.section(kind, cf(kind)),
        ) else {
            continue;
        };
        for (k, v) in &a.items {
            let dv = d.get(k);
            let pinned = pin && PINNED.contains(&(kind, k.as_str()));
            if dv == Some(v.as_str()) && !pinned {
                continue;
            }
            match (v.starts_with('{'), dv) {
                (true, Some(dv)) => {
                    let fields = changed_fields(v, dv);
                    if !fields.is_empty() {
                        out.push((kind, k.clone(), format!("{{{}}}", fields.join(";"))));
                    }
                }
                _ => out.push((kind, k.clone(), v.clone())),
            }
        }
    }
    Ok(out)
}

/// The fields of struct value `v` that differ from `d`'s.
fn changed_fields(v: &str, d: &str) -> Vec<String> {
    let dfields = items(unbrace(d));
    items(unbrace(v))
        .into_iter()
        .filter(|f| !dfields.contains(f))
        .collect()
}

/// The changes as one RocksDB options string (table options inside
/// `block_based_table_factory={...}`, the block cache's capacity as `block_cache=` when it
/// is not RocksDB's default 32 MiB HyperClockCache).
pub fn options_string(config: &EngineConfig, changes: &[Change]) -> String {
    let default_cache = config.block_cache_type == CacheType::HyperClock
        && config.block_cache_size == Size::mib(32);
    let cache =
        (config.block_cache_size.0 > 0 && !default_cache).then_some(config.block_cache_size.0);
    join(changes, cache)
}

/// The changes from `reference` as one options string, the block cache's capacity as
/// `block_cache=` when it differs from the reference's.
pub fn options_string_from(
    config: &EngineConfig,
    reference: &EngineConfig,
    changes: &[Change],
) -> String {
    let cache = (config.block_cache_size != reference.block_cache_size
        || config.block_cache_type != reference.block_cache_type)
        .then_some(config.block_cache_size.0)
        .filter(|c| *c > 0);
    join(changes, cache)
}

fn join(changes: &[Change], cache: Option<u64>) -> String {
    let mut top: Vec<String> = Vec::new();
    let mut table: Vec<String> = Vec::new();
    for (kind, k, v) in changes {
        let item = format!("{k}={v}");
        if *kind == "TableOptions/BlockBasedTable" {
            table.push(item);
        } else {
            top.push(item);
        }
    }
    if let Some(c) = cache {
        table.push(format!("block_cache={c}"));
    }
    if !table.is_empty() {
        top.push(format!("block_based_table_factory={{{}}}", table.join(";")));
    }
    top.join(";")
}

/// The changes as an OPTIONS file of the default column family only: what an older release
/// (db_bench 7.8.3's `--options_file`) loads, every other option taking its own default.
pub fn portable_options_file(changes: &[Change], header: &[String]) -> String {
    let mut o = String::new();
    for h in header {
        o.push_str(&format!("# {h}\n"));
    }
    o.push_str("[Version]\n  rocksdb_version=11.8.1\n  options_file_version=1.1\n\n");
    for kind in SECTIONS {
        o.push_str(&match kind {
            "DBOptions" => "[DBOptions]\n".to_string(),
            k => format!("[{k} \"default\"]\n"),
        });
        for (s, k, v) in changes {
            if *s == kind {
                o.push_str(&format!("  {k}={v}\n"));
            }
        }
        o.push('\n');
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_values_differ_field_by_field() {
        assert_eq!(
            changed_fields("{a=1;level=6;b={x=1}}", "{a=1;level=32767;b={x=1}}"),
            ["level=6"]
        );
    }
}
