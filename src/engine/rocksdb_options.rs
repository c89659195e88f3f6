//! RocksDB's own options: options strings parsed by RocksDB itself
//! (`GetOptionsFromString`, through the crate's `Options::get_options_from_string`), and
//! OPTIONS files (the INI files RocksDB writes on every open) read into sections of
//! `name=value` items whose names and values go to that same parser. rdbtune never decides
//! what an option name means: an item RocksDB rejects is reported with RocksDB's message.

use crate::error::{Error, Result};
use rocksdb::Options;
use std::path::{Path, PathBuf};

/// One section of an OPTIONS file: `[DBOptions]`, `[CFOptions "name"]`,
/// `[TableOptions/BlockBasedTable "name"]`, `[Version]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    /// The text between the brackets, e.g. `CFOptions "default"`.
    pub header: String,
    pub items: Vec<(String, String)>,
}

impl Section {
    /// The column family a `CFOptions`/`TableOptions` section is about.
    pub fn family(&self) -> Option<&str> {
        let start = self.header.find('"')?;
        let end = self.header.rfind('"')?;
        (end > start).then(|| &self.header[start + 1..end])
    }

    pub fn is(&self, kind: &str) -> bool {
        self.header == kind || self.header.starts_with(&format!("{kind} "))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An OPTIONS file read into its sections, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OptionsFile {
    pub sections: Vec<Section>,
}

impl OptionsFile {
    /// Reads the INI text RocksDB writes (`#` comments, `[section]` headers, `  name=value`
    /// lines). `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<OptionsFile> {
        let mut sections: Vec<Section> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            if let Some(h) = l.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
                sections.push(Section {
                    header: h.trim().to_string(),
                    items: Vec::new(),
                });
                continue;
            }
            let (Some(s), Some((k, v))) = (sections.last_mut(), l.split_once('=')) else {
                return Err(Error::usage(format!(
                    "{origin}:{}: not a RocksDB OPTIONS file line: {l:?} (expected [Section] or name=value)",
                    i + 1
                )));
            };
            s.items.push((k.trim().to_string(), v.trim().to_string()));
        }
        if !sections.iter().any(|s| s.is("DBOptions")) {
            return Err(Error::usage(format!(
                "{origin}: no [DBOptions] section: not a RocksDB OPTIONS file"
            )));
        }
        Ok(OptionsFile { sections })
    }

    /// Reads and parses an OPTIONS file.
    pub fn load(path: &Path) -> Result<OptionsFile> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::usage(format!(
                "{}: cannot read the OPTIONS file: {e}",
                path.display()
            ))
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// The first section of `kind` (for a column family, when `cf` is given).
    pub fn section(&self, kind: &str, cf: Option<&str>) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.is(kind) && (cf.is_none() || s.family() == cf))
    }

    /// The column families the file describes, in file order.
    pub fn families(&self) -> Vec<String> {
        self.sections
            .iter()
            .filter(|s| s.is("CFOptions"))
            .filter_map(|s| s.family().map(str::to_string))
            .collect()
    }

    /// The RocksDB version that wrote the file (`[Version] rocksdb_version`).
    pub fn version(&self) -> Option<&str> {
        self.section("Version", None)?.get("rocksdb_version")
    }
}

/// The newest `OPTIONS-NNNNNN` file of a DB directory.
pub fn newest_options_file(dir: &Path) -> Result<PathBuf> {
    let mut newest: Option<(u64, PathBuf)> = None;
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io("reading", dir, e))?;
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(n) = name
            .strip_prefix("OPTIONS-")
            .and_then(|n| n.parse::<u64>().ok())
        {
            if newest.as_ref().is_none_or(|(m, _)| n > *m) {
                newest = Some((n, e.path()));
            }
        }
    }
    newest.map(|(_, p)| p).ok_or_else(|| {
        Error::usage(format!(
            "{}: no OPTIONS-NNNNNN file: not a RocksDB directory, or one written before RocksDB 4",
            dir.display()
        ))
    })
}

/// Splits an options string into its top-level `name=value` items (nested `{...}` kept
/// whole), as RocksDB's own splitter does.
pub fn items(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => {
                if !cur.trim().is_empty() {
                    out.push(cur.trim().to_string());
                }
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// A struct value without its one pair of outer braces: `{a=1;b={c=2}}` -> `a=1;b={c=2}`.
pub fn unbrace(v: &str) -> &str {
    let v = v.trim();
    v.strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(v)
}

/// Values RocksDB's parser accepts but the library cannot survive: `num_levels` below 1 (or
/// absurdly large) makes the options object resize its per-level vectors to a negative size,
/// and the C++ exception aborts the process. Checked before RocksDB sees them.
fn refuse_fatal_values(s: &str) -> std::result::Result<(), String> {
    for item in items(s) {
        let Some((k, v)) = item.split_once('=') else {
            continue;
        };
        if k.trim() == "num_levels" {
            match v.trim().parse::<i64>() {
                Ok(n) if (1..=100).contains(&n) => {}
                _ => {
                    return Err(
                        "Invalid argument: num_levels must be a whole number from 1 to 100 (RocksDB's default is 7; a value below 1 aborts RocksDB)"
                            .into(),
                    )
                }
            }
        }
    }
    Ok(())
}

/// `base` with `s` applied by RocksDB's parser (all or nothing).
pub fn apply(base: &mut Options, s: &str) -> std::result::Result<Options, String> {
    refuse_fatal_values(s)?;
    if s.trim().is_empty() {
        return base
            .get_options_from_string("")
            .map_err(|e| e.into_string());
    }
    base.get_options_from_string(s).map_err(|e| e.into_string())
}

/// `base` with the options string `s` applied item by item, so a rejected item is named:
/// `origin`: `name=value`: RocksDB's message.
pub fn apply_named(base: &mut Options, s: &str, origin: &str) -> Result<Options> {
    let mut cur = apply(base, "").map_err(|e| Error::usage(format!("{origin}: {e}")))?;
    for item in items(s) {
        cur = apply(&mut cur, &item).map_err(|e| {
            Error::usage(format!(
                "{origin}: RocksDB rejected {item:?}: {}{}",
                e.trim_start_matches("Invalid argument: "),
                hint(&item)
            ))
        })?;
    }
    Ok(cur)
}

/// What to try when RocksDB rejects an item.
fn hint(item: &str) -> &'static str {
    if item.starts_with("block_cache") || item.contains("block_size") && !item.contains('{') {
        " (table options go inside block_based_table_factory={...})"
    } else {
        " (names and values as in a RocksDB OPTIONS file; `rdbtune config --format options` prints every one)"
    }
}

/// The items of `section` that RocksDB accepts on top of `base` (in `wrap` form, e.g.
/// `block_based_table_factory={{{}}}` for table options), and a warning naming each one it
/// rejects (an option removed or renamed since the release that wrote the file).
pub fn accepted(
    base: &mut Options,
    section: &Section,
    wrap: impl Fn(&str) -> String,
) -> (Vec<String>, Vec<String>) {
    let mut ok = Vec::new();
    let mut warnings = Vec::new();
    for (k, v) in &section.items {
        let item = format!("{k}={v}");
        match apply(base, &wrap(&item)) {
            Ok(_) => ok.push(item),
            Err(e) => warnings.push(format!(
                "[{}] {k}={v}: {}",
                section.header,
                e.trim_start_matches("Invalid argument: ")
            )),
        }
    }
    (ok, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# written by RocksDB\n[Version]\n  rocksdb_version=7.8.3\n\n[DBOptions]\n  max_open_files=-1\n  not_an_option_any_more=1\n\n[CFOptions \"default\"]\n  write_buffer_size=1048576\n  compression=kSnappyCompression\n\n[TableOptions/BlockBasedTable \"default\"]\n  block_size=8192\n  filter_policy=bloomfilter:10:false\n\n[CFOptions \"hot\"]\n  write_buffer_size=2097152\n";

    #[test]
    fn reads_sections_families_and_version() {
        let f = OptionsFile::parse(FILE, "OPTIONS-1").unwrap();
        assert_eq!(f.version(), Some("7.8.3"));
        assert_eq!(f.families(), ["default", "hot"]);
        let cf = f.section("CFOptions", Some("hot")).unwrap();
        assert_eq!(cf.get("write_buffer_size"), Some("2097152"));
        let t = f
            .section("TableOptions/BlockBasedTable", Some("default"))
            .unwrap();
        assert_eq!(t.get("filter_policy"), Some("bloomfilter:10:false"));
        let e = OptionsFile::parse("[DBOptions]\nwhat\n", "f").unwrap_err();
        assert!(e.to_string().contains("f:2"), "{e}");
        assert!(OptionsFile::parse("[CFOptions \"x\"]\n", "f").is_err());
    }

    #[test]
    fn items_keep_nested_tables_whole() {
        assert_eq!(
            items("a=1; block_based_table_factory={block_size=16K;filter_policy=ribbonfilter:10};b=2;"),
            [
                "a=1",
                "block_based_table_factory={block_size=16K;filter_policy=ribbonfilter:10}",
                "b=2"
            ]
        );
    }

    #[test]
    fn rocksdb_names_what_it_rejects() {
        let mut o = Options::default();
        let e = apply_named(
            &mut o,
            "max_open_files=10;write_bufer_size=1M",
            "--rocksdb-options",
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            e.contains("--rocksdb-options") && e.contains("write_bufer_size=1M"),
            "{e}"
        );
        let e = apply_named(&mut o, "max_open_files=lots", "x")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("max_open_files=lots"), "{e}");
        let f = OptionsFile::parse(FILE, "OPTIONS-1").unwrap();
        let (ok, warn) = accepted(&mut o, f.section("DBOptions", None).unwrap(), |i| i.into());
        assert_eq!(ok, ["max_open_files=-1"]);
        assert_eq!(warn.len(), 1);
        assert!(warn[0].contains("not_an_option_any_more"), "{warn:?}");
    }
}
