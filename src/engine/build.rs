//! Turning an [`EngineConfig`] into `rocksdb::Options`, with RocksDB's own parser doing the
//! work: the base (RocksDB's defaults, or an OPTIONS file), the block cache through the API,
//! the typed knobs as one options string, then `rocksdb_options` as the user wrote it.

use super::config::EngineConfig;
use super::knobs::{Base, CacheType};
use super::rocksdb_options::{accepted, apply, apply_named, items, unbrace, OptionsFile, Section};
use crate::error::{Error, Result};
use rocksdb::{BlockBasedOptions, Cache, Options};
use std::path::Path;

/// Built options and the caches they hold (kept so the engine can report on them).
pub struct Built {
    pub options: Options,
    pub block_cache: Option<Cache>,
}

/// The base OPTIONS file's default family as accepted options-string items: DB and CF items
/// as they are, table items for `block_based_table_factory={...}`; and what RocksDB rejected.
struct BaseItems {
    db_cf: Vec<String>,
    table: Vec<String>,
    rejected: Vec<String>,
}

fn base_items(o: &mut Options, f: &OptionsFile, family: &str) -> BaseItems {
    let b = Base::of(f, family);
    let none = Section::default();
    let (mut db_cf, mut rejected) = accepted(o, b.db.unwrap_or(&none), |i| i.to_string());
    let (cf, r) = accepted(o, b.cf.unwrap_or(&none), |i| i.to_string());
    db_cf.extend(cf);
    rejected.extend(r);
    let (table, r) = accepted(o, b.table.unwrap_or(&none), |i| {
        format!("block_based_table_factory={{{i}}}")
    });
    rejected.extend(r);
    BaseItems {
        db_cf,
        table,
        rejected,
    }
}

impl EngineConfig {
    /// The config with an OPTIONS file as its base: the file's default column family read
    /// into the typed knobs, the file kept for the options rdbtune does not type. Returns the
    /// options RocksDB 11.8 rejects (removed or renamed since the release that wrote the file)
    /// and the values the typed knobs could not read, each naming the option.
    pub fn from_options_text(text: &str, origin: &str) -> Result<(EngineConfig, Vec<String>)> {
        let f = OptionsFile::parse(text, origin)?;
        let mut cfg = EngineConfig::rocksdb_defaults();
        let mut warnings = cfg.adopt(&f);
        let mut o = Options::default();
        warnings.extend(base_items(&mut o, &f, "default").rejected);
        for name in f.families().into_iter().filter(|n| n != "default") {
            let r = base_items(&mut o, &f, &name).rejected;
            warnings.extend(r.into_iter().map(|w| format!("column family {name}: {w}")));
            cfg.column_families.push(super::config::CfConfig {
                name,
                overrides: toml::Table::new(),
            });
        }
        cfg.base_options = Some(text.to_string());
        Ok((cfg, warnings))
    }

    /// [`EngineConfig::from_options_text`] of a file.
    pub fn from_options_file(path: &Path) -> Result<(EngineConfig, Vec<String>)> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::usage(format!(
                "--options-file {}: cannot read: {e}",
                path.display()
            ))
        })?;
        let (mut cfg, w) = Self::from_options_text(&text, &path.display().to_string())?;
        cfg.options_file = Some(path.to_path_buf());
        Ok((cfg, w))
    }

    /// Adds RocksDB options by their own names (an options string): checked by RocksDB's
    /// parser now (the error names the item and carries RocksDB's message), the typed knobs
    /// they name updated, and kept to apply after the typed knobs. `origin` names the flag
    /// or key in errors.
    pub fn add_rocksdb_options(&mut self, s: &str, origin: &str) -> Result<()> {
        let mut o = Options::default();
        apply_named(&mut o, s, origin)?;
        // The items in OPTIONS-file form, so the typed knobs they set are read back.
        let mut db = Section {
            header: "DBOptions".into(),
            items: Vec::new(),
        };
        let mut table = Section {
            header: "TableOptions/BlockBasedTable \"default\"".into(),
            items: Vec::new(),
        };
        for it in items(s) {
            let Some((k, v)) = it.split_once('=') else {
                continue;
            };
            let (k, v) = (k.trim(), v.trim());
            if k == "block_based_table_factory" {
                let inner = unbrace(v);
                for t in items(inner) {
                    if let Some((a, b)) = t.split_once('=') {
                        table.items.push((a.trim().into(), b.trim().into()));
                    }
                }
            } else {
                db.items.push((k.into(), v.into()));
            }
        }
        let mut cf = db.clone();
        cf.header = "CFOptions \"default\"".into();
        let f = OptionsFile {
            sections: vec![db, cf, table],
        };
        self.adopt(&f);
        if !self.rocksdb_options.is_empty() {
            self.rocksdb_options.push(';');
        }
        self.rocksdb_options
            .push_str(s.trim().trim_end_matches(';'));
        Ok(())
    }

    /// The config of column family `name`: this config (the DB's), read again from the base
    /// OPTIONS file's sections for that family when there is one, then the family's own
    /// overrides.
    pub fn family(&self, name: &str) -> Result<EngineConfig> {
        let mut c = self.clone();
        c.column_families.clear();
        if name == "default" {
            return Ok(c);
        }
        let cf = self
            .column_families
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| {
                Error::usage(format!("no column family {name:?} in the engine config"))
            })?;
        if let Some(text) = &self.base_options {
            let f = OptionsFile::parse(text, "the base OPTIONS file")?;
            if f.section("CFOptions", Some(name)).is_some() {
                c.base_family = Some(name.to_string());
                c.adopt(&f);
            }
        }
        c.merge_table(&cf.overrides)
            .map_err(|e| Error::usage(format!("column family {name:?}: {e}")))?;
        Ok(c)
    }

    /// Whether family `name` has a block cache of its own (a capacity or kind of its own).
    pub fn own_cache(&self, family: &EngineConfig) -> bool {
        family.block_cache_size != self.block_cache_size
            || family.block_cache_type != self.block_cache_type
    }

    /// The names of every column family, `default` first.
    pub fn family_names(&self) -> Vec<String> {
        std::iter::once("default".to_string())
            .chain(self.column_families.iter().map(|f| f.name.clone()))
            .collect()
    }

    /// Builds RocksDB options. The block cache lives as long as the returned options.
    pub fn build(&self) -> Result<Built> {
        self.build_with(None)
    }

    /// Options for every column family (`default` first): a family without a block cache of
    /// its own shares the DB's.
    pub fn build_families(&self, db: &Built) -> Result<Vec<(String, Built)>> {
        let mut out = Vec::new();
        for name in self.family_names().into_iter().skip(1) {
            let fc = self.family(&name)?;
            let shared = (!self.own_cache(&fc))
                .then_some(db.block_cache.as_ref())
                .flatten();
            let built = match shared {
                Some(c) => fc.build_with(Some(c.clone()))?,
                None => fc.build()?,
            };
            out.push((name, built));
        }
        Ok(out)
    }

    /// [`EngineConfig::build`], with `cache` as the block cache when given.
    fn build_with(&self, cache: Option<Cache>) -> Result<Built> {
        let mut o = Options::default();
        let mut table_base = Vec::new();
        if let Some(text) = &self.base_options {
            let f = OptionsFile::parse(text, "the base OPTIONS file")?;
            let family = self.base_family.as_deref().unwrap_or("default");
            let b = base_items(&mut o, &f, family);
            o = apply(&mut o, &b.db_cf.join(";"))
                .map_err(|e| Error::usage(format!("the base OPTIONS file: {e}")))?;
            table_base = b.table;
        }
        let block_cache = match (self.block_cache_size.0, self.block_cache_type) {
            _ if cache.is_some() => cache,
            (0, _) => None,
            (n, CacheType::HyperClock) => Some(Cache::new_hyper_clock_cache(n as usize, 0)),
            (n, CacheType::Lru) => Some(Cache::new_lru_cache(n as usize)),
        };
        let mut t = BlockBasedOptions::default();
        match &block_cache {
            Some(c) => t.set_block_cache(c),
            None => t.disable_cache(),
        }
        o.set_block_based_table_factory(&t);
        let mut it = self.rocksdb_items();
        table_base.extend(it.table);
        it.table = table_base;
        o = apply_named(&mut o, &it.to_options_string(), "engine config")?;
        if !self.rocksdb_options.is_empty() {
            o = apply_named(&mut o, &self.rocksdb_options, "rocksdb_options")?;
        }
        if self.statistics {
            o.enable_statistics();
        }
        if self.row_cache_size.0 > 0 {
            o.set_row_cache(&Cache::new_lru_cache(self.row_cache_size.0 as usize));
        }
        if self.rate_limiter_bytes_per_sec.0 > 0 {
            o.set_ratelimiter(self.rate_limiter_bytes_per_sec.0 as i64, 100_000, 10);
        }
        Ok(Built {
            options: o,
            block_cache,
        })
    }
}
