//! `rdbtune config`: the effective config as TOML, as the OPTIONS file RocksDB writes for it,
//! as a RocksDB options string, or as an OPTIONS file of only what differs from the defaults.

use super::cli::{ConfigArgs, ConfigFormat};
use super::common::engine_config;
use crate::engine::options_file::{
    cache_note, changes, options_string, portable_options_file, written_options,
};
use crate::engine::EngineConfig;
use crate::error::Result;

/// `rdbtune config`.
pub fn run(args: &ConfigArgs) -> Result<i32> {
    let cfg = engine_config(&args.engine)?;
    print!("{}", render(&cfg, args.format, args.diff)?);
    Ok(0)
}

/// The config in `format`; `diff` keeps only what differs from RocksDB's defaults.
pub fn render(cfg: &EngineConfig, format: ConfigFormat, diff: bool) -> Result<String> {
    Ok(match (format, diff) {
        (ConfigFormat::Toml, false) => cfg.to_toml(),
        (ConfigFormat::Toml, true) => {
            let defaults = toml::Table::try_from(EngineConfig::rocksdb_defaults())
                .expect("the config serialises");
            let ours = toml::Table::try_from(cfg).expect("the config serialises");
            let mut t = toml::Table::new();
            for (k, v) in ours {
                if defaults.get(&k) != Some(&v) && k != "base_options" {
                    t.insert(k, v);
                }
            }
            toml::to_string(&t).expect("a table serialises")
        }
        (ConfigFormat::Options, false) => {
            format!("# {}\n{}", cache_note(cfg), written_options(cfg)?)
        }
        (ConfigFormat::Options, true) => {
            let mut o = format!("# {}\n", cache_note(cfg));
            for (section, k, v) in changes(cfg)? {
                o.push_str(&format!("[{section}] {k}={v}\n"));
            }
            o
        }
        (ConfigFormat::String, false) => {
            let mut s = cfg.rocksdb_items().to_options_string();
            if !cfg.rocksdb_options.is_empty() {
                s.push(';');
                s.push_str(&cfg.rocksdb_options);
            }
            format!("{s}\n")
        }
        (ConfigFormat::String, true) => format!("{}\n", options_string(cfg, &changes(cfg)?)),
        (ConfigFormat::Portable, _) => portable_options_file(&changes(cfg)?, &[cache_note(cfg)]),
    })
}
