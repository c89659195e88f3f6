//! RocksDB options by their own names: presets against RocksDB's true defaults, every typed
//! knob as RocksDB writes it into its OPTIONS file, options strings and OPTIONS files in.

mod common;

use rdbtune::engine::rocksdb_options::{newest_options_file, OptionsFile};
use rdbtune::engine::{Engine, EngineConfig, Preset};
use std::path::Path;

/// The OPTIONS file RocksDB wrote in `dir`, parsed.
fn written(dir: &Path) -> OptionsFile {
    OptionsFile::load(&newest_options_file(dir).unwrap()).unwrap()
}

/// The value RocksDB wrote for `name` in section `kind` of the default family.
fn value(f: &OptionsFile, kind: &str, name: &str) -> String {
    let cf = (kind != "DBOptions").then_some("default");
    f.section(kind, cf)
        .and_then(|s| s.get(name))
        .unwrap_or_else(|| panic!("{kind} {name} not in the OPTIONS file"))
        .to_string()
}

/// Opens a DB with `cfg` in a fresh directory; returns the directory and what RocksDB wrote.
fn open_with(cfg: &EngineConfig) -> (tempfile::TempDir, OptionsFile, Engine) {
    let d = tempfile::tempdir().unwrap();
    let e = Engine::open(cfg, d.path()).unwrap();
    let f = written(d.path());
    (d, f, e)
}

/// The block cache's kind and capacity as the open DB reports them.
fn cache_of(db: &rocksdb::DB) -> (String, u64) {
    let cap = db
        .property_int_value("rocksdb.block-cache-capacity")
        .unwrap()
        .unwrap_or(0);
    let stats = db
        .property_value("rocksdb.block-cache-entry-stats")
        .unwrap()
        .unwrap_or_default();
    let kind = ["HyperClockCache", "LRUCache"]
        .into_iter()
        .find(|k| stats.contains(k))
        .unwrap_or("?")
        .to_string();
    (kind, cap)
}

/// The sections of an OPTIONS file without its comments and version lines.
fn body(f: &OptionsFile) -> Vec<(String, Vec<(String, String)>)> {
    f.sections
        .iter()
        .filter(|s| s.header != "Version")
        .map(|s| (s.header.clone(), s.items.clone()))
        .collect()
}

#[test]
fn the_default_preset_is_rocksdbs_default_exactly() {
    let d = tempfile::tempdir().unwrap();
    let mut o = rocksdb::Options::default();
    o.create_if_missing(true);
    let db = rocksdb::DB::open(&o, d.path()).unwrap();
    let theirs = written(d.path());
    let their_cache = cache_of(&db);
    drop(db);
    let (_d2, ours, e) = open_with(&Preset::Default.config());
    let diff: Vec<String> = body(&theirs)
        .iter()
        .zip(body(&ours))
        .flat_map(|((h, a), (_, b))| {
            a.iter()
                .zip(b.clone())
                .filter(|(x, y)| *x != y)
                .map(move |(x, y)| {
                    format!("[{h}] RocksDB {}={} vs preset {}={}", x.0, x.1, y.0, y.1)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        diff.is_empty(),
        "the default preset differs:\n{}",
        diff.join("\n")
    );
    assert_eq!(body(&theirs), body(&ours));
    assert_eq!(value(&ours, "CFOptions", "compression"), "kLZ4Compression");
    assert_eq!(their_cache, ("HyperClockCache".to_string(), 32 << 20));
    assert_eq!(cache_of(e.db()), their_cache);
}

/// One typed knob with a non-default value, and where RocksDB writes it.
struct Case {
    key: &'static str,
    value: &'static str,
    kind: &'static str,
    name: &'static str,
    want: &'static str,
}

const CASES: &[Case] = &[
    Case {
        key: "compaction_style",
        value: "universal",
        kind: "CFOptions",
        name: "compaction_style",
        want: "kCompactionStyleUniversal",
    },
    Case {
        key: "universal_size_ratio",
        value: "5",
        kind: "CFOptions",
        name: "compaction_options_universal",
        want: "size_ratio=5;",
    },
    Case {
        key: "universal_min_merge_width",
        value: "3",
        kind: "CFOptions",
        name: "compaction_options_universal",
        want: "min_merge_width=3;",
    },
    Case {
        key: "universal_max_size_amplification_percent",
        value: "150",
        kind: "CFOptions",
        name: "compaction_options_universal",
        want: "max_size_amplification_percent=150;",
    },
    Case {
        key: "fifo_max_table_files_size",
        value: "2GiB",
        kind: "CFOptions",
        name: "compaction_options_fifo",
        want: "max_table_files_size=2147483648;",
    },
    Case {
        key: "max_bytes_for_level_multiplier",
        value: "8",
        kind: "CFOptions",
        name: "max_bytes_for_level_multiplier",
        want: "8.000000",
    },
    Case {
        key: "compaction_pri",
        value: "round_robin",
        kind: "CFOptions",
        name: "compaction_pri",
        want: "kRoundRobin",
    },
    Case {
        key: "bloom_bits_per_key",
        value: "10",
        kind: "TableOptions/BlockBasedTable",
        name: "filter_policy",
        want: "bloomfilter:10:false",
    },
    Case {
        key: "filter",
        value: "ribbon",
        kind: "TableOptions/BlockBasedTable",
        name: "filter_policy",
        want: "ribbonfilter",
    },
    Case {
        key: "partition_filters",
        value: "true",
        kind: "TableOptions/BlockBasedTable",
        name: "partition_filters",
        want: "true",
    },
    Case {
        key: "index_type",
        value: "two_level",
        kind: "TableOptions/BlockBasedTable",
        name: "index_type",
        want: "kTwoLevelIndexSearch",
    },
    Case {
        key: "format_version",
        value: "5",
        kind: "TableOptions/BlockBasedTable",
        name: "format_version",
        want: "5",
    },
    Case {
        key: "block_size",
        value: "16KiB",
        kind: "TableOptions/BlockBasedTable",
        name: "block_size",
        want: "16384",
    },
    Case {
        key: "whole_key_filtering",
        value: "false",
        kind: "TableOptions/BlockBasedTable",
        name: "whole_key_filtering",
        want: "false",
    },
    Case {
        key: "compression_level",
        value: "6",
        kind: "CFOptions",
        name: "compression_opts",
        want: "level=6;",
    },
    Case {
        key: "compression_max_dict_bytes",
        value: "16384",
        kind: "CFOptions",
        name: "compression_opts",
        want: "max_dict_bytes=16384;",
    },
    Case {
        key: "compression_zstd_max_train_bytes",
        value: "1638400",
        kind: "CFOptions",
        name: "compression_opts",
        want: "zstd_max_train_bytes=1638400;",
    },
    Case {
        key: "bottommost_compression",
        value: "zstd",
        kind: "CFOptions",
        name: "bottommost_compression",
        want: "kZSTD",
    },
    Case {
        key: "bottommost_compression_level",
        value: "9",
        kind: "CFOptions",
        name: "bottommost_compression_opts",
        want: "level=9;",
    },
    Case {
        key: "bottommost_max_dict_bytes",
        value: "8192",
        kind: "CFOptions",
        name: "bottommost_compression_opts",
        want: "max_dict_bytes=8192;",
    },
    Case {
        key: "bottommost_zstd_max_train_bytes",
        value: "819200",
        kind: "CFOptions",
        name: "bottommost_compression_opts",
        want: "zstd_max_train_bytes=819200;",
    },
    Case {
        key: "enable_blob_files",
        value: "true",
        kind: "CFOptions",
        name: "enable_blob_files",
        want: "true",
    },
    Case {
        key: "min_blob_size",
        value: "4096",
        kind: "CFOptions",
        name: "min_blob_size",
        want: "4096",
    },
    Case {
        key: "blob_file_size",
        value: "64MiB",
        kind: "CFOptions",
        name: "blob_file_size",
        want: "67108864",
    },
    Case {
        key: "blob_compression",
        value: "zstd",
        kind: "CFOptions",
        name: "blob_compression_type",
        want: "kZSTD",
    },
    Case {
        key: "enable_blob_garbage_collection",
        value: "true",
        kind: "CFOptions",
        name: "enable_blob_garbage_collection",
        want: "true",
    },
    Case {
        key: "blob_garbage_collection_age_cutoff",
        value: "0.5",
        kind: "CFOptions",
        name: "blob_garbage_collection_age_cutoff",
        want: "0.500000",
    },
    Case {
        key: "max_subcompactions",
        value: "4",
        kind: "DBOptions",
        name: "max_subcompactions",
        want: "4",
    },
    Case {
        key: "enable_pipelined_write",
        value: "true",
        kind: "DBOptions",
        name: "enable_pipelined_write",
        want: "true",
    },
    Case {
        key: "unordered_write",
        value: "true",
        kind: "DBOptions",
        name: "unordered_write",
        want: "true",
    },
    Case {
        key: "soft_pending_compaction_bytes_limit",
        value: "32GiB",
        kind: "CFOptions",
        name: "soft_pending_compaction_bytes_limit",
        want: "34359738368",
    },
    Case {
        key: "hard_pending_compaction_bytes_limit",
        value: "128GiB",
        kind: "CFOptions",
        name: "hard_pending_compaction_bytes_limit",
        want: "137438953472",
    },
    Case {
        key: "max_total_wal_size",
        value: "1GiB",
        kind: "DBOptions",
        name: "max_total_wal_size",
        want: "1073741824",
    },
    Case {
        key: "optimize_filters_for_hits",
        value: "true",
        kind: "CFOptions",
        name: "optimize_filters_for_hits",
        want: "true",
    },
    Case {
        key: "merge_operator",
        value: "uint64add",
        kind: "CFOptions",
        name: "merge_operator",
        want: "UInt64AddOperator",
    },
    Case {
        key: "memtable_prefix_bloom_size_ratio",
        value: "0.1",
        kind: "CFOptions",
        name: "memtable_prefix_bloom_size_ratio",
        want: "0.100000",
    },
    Case {
        key: "memtable_whole_key_filtering",
        value: "true",
        kind: "CFOptions",
        name: "memtable_whole_key_filtering",
        want: "true",
    },
    Case {
        key: "write_buffer_size",
        value: "32MiB",
        kind: "CFOptions",
        name: "write_buffer_size",
        want: "33554432",
    },
    Case {
        key: "compression",
        value: "zstd",
        kind: "CFOptions",
        name: "compression",
        want: "kZSTD",
    },
    Case {
        key: "compression_per_level",
        value: "none,lz4,zstd",
        kind: "CFOptions",
        name: "compression_per_level",
        want: "kNoCompression:kLZ4Compression:kZSTD",
    },
    Case {
        key: "max_background_jobs",
        value: "6",
        kind: "DBOptions",
        name: "max_background_jobs",
        want: "6",
    },
    Case {
        key: "bytes_per_sync",
        value: "1MiB",
        kind: "DBOptions",
        name: "bytes_per_sync",
        want: "1048576",
    },
    Case {
        key: "level_compaction_dynamic_level_bytes",
        value: "false",
        kind: "CFOptions",
        name: "level_compaction_dynamic_level_bytes",
        want: "false",
    },
];

#[test]
fn every_typed_knob_is_in_the_options_file_rocksdb_writes() {
    for c in CASES {
        let mut cfg = Preset::Default.config();
        if c.key == "partition_filters" {
            cfg.set("index_type", "two_level").unwrap();
        }
        if c.key.ends_with("zstd_max_train_bytes") {
            let dict = c.key.replace("zstd_max_train_bytes", "max_dict_bytes");
            cfg.set(&dict, "16384").unwrap();
        }
        if c.key == "filter" {
            cfg.set("bloom_bits_per_key", "10").unwrap();
        }
        cfg.set(c.key, c.value)
            .unwrap_or_else(|e| panic!("--set {}={}: {e}", c.key, c.value));
        let (_d, f, _e) = open_with(&cfg);
        let got = value(&f, c.kind, c.name);
        assert!(
            got.contains(c.want),
            "{}={}: RocksDB wrote {}={got}, expected {}",
            c.key,
            c.value,
            c.name,
            c.want
        );
    }
}

#[test]
fn caches_rate_limiter_and_row_cache_take_effect() {
    let mut cfg = Preset::Default.config();
    cfg.set("block_cache_type", "lru").unwrap();
    cfg.set("block_cache_size", "16MiB").unwrap();
    cfg.set("row_cache_size", "4MiB").unwrap();
    cfg.set("rate_limiter_bytes_per_sec", "64MiB").unwrap();
    let (_d, _f, e) = open_with(&cfg);
    assert_eq!(cache_of(e.db()), ("LRUCache".to_string(), 16 << 20));
    let stats = e.property_str("rocksdb.stats").unwrap_or_default();
    assert!(!stats.is_empty());
    let mut none = Preset::Default.config();
    none.set("block_cache_size", "0").unwrap();
    let (_d, f, _e) = open_with(&none);
    assert_eq!(
        value(&f, "TableOptions/BlockBasedTable", "no_block_cache"),
        "true"
    );
}

#[test]
fn rocksdb_options_by_their_own_names() {
    let mut cfg = Preset::Default.config();
    cfg.add_rocksdb_options(
        "compaction_style=kCompactionStyleUniversal;max_write_buffer_number=3;block_based_table_factory={block_size=16K;filter_policy=ribbonfilter:10}",
        "--rocksdb-options",
    )
    .unwrap();
    // The typed knobs they name follow (memory estimates, recommendations read them).
    assert_eq!(cfg.max_write_buffer_number, 3);
    assert_eq!(cfg.block_size.0, 16384);
    assert_eq!(cfg.bloom_bits_per_key, 10.0);
    let (_d, f, _e) = open_with(&cfg);
    assert_eq!(
        value(&f, "CFOptions", "compaction_style"),
        "kCompactionStyleUniversal"
    );
    assert_eq!(
        value(&f, "TableOptions/BlockBasedTable", "block_size"),
        "16384"
    );
    let fp = value(&f, "TableOptions/BlockBasedTable", "filter_policy");
    assert!(fp.contains("ribbonfilter") && fp.contains(":10"), "{fp}");
    let e = cfg
        .add_rocksdb_options("write_bufer_size=1M", "--rocksdb-options")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("write_bufer_size=1M") && e.contains("--rocksdb-options"),
        "{e}"
    );
}

#[test]
fn an_options_file_is_a_base_and_old_options_are_named() {
    let mut text =
        std::fs::read_to_string(common::source_dir().join("src/engine/presets/db_bench-7.8.3.ini"))
            .unwrap();
    text = text.replace("write_buffer_size=67108864", "write_buffer_size=1048576");
    text = text.replace(
        "[DBOptions]\n",
        "[DBOptions]\n  option_removed_long_ago=7\n",
    );
    let (cfg, warnings) = EngineConfig::from_options_text(&text, "OPTIONS-7.8.3").unwrap();
    assert_eq!(cfg.write_buffer_size.0, 1 << 20);
    assert_eq!(cfg.compression, rdbtune::engine::Compression::Snappy);
    assert!(!cfg.level_compaction_dynamic_level_bytes);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("option_removed_long_ago")),
        "{warnings:?}"
    );
    let (_d, f, _e) = open_with(&cfg);
    assert_eq!(value(&f, "CFOptions", "write_buffer_size"), "1048576");
    // An option the typed knobs do not cover comes through from the file as written.
    assert_eq!(value(&f, "DBOptions", "delayed_write_rate"), "8388608");
    assert_eq!(
        value(&f, "TableOptions/BlockBasedTable", "index_shortening"),
        "kShortenSeparatorsAndSuccessor"
    );
}

const WINNER: &str = r#"
name = "roundtrip"
description = "one trial: bloom 10, a 256 MiB cache, zstd level 6, universal compaction"
[engine]
bloom_bits_per_key = 10
block_cache_size = "256MiB"
compression = "zstd"
compression_level = 6
compaction_style = "universal"
[data]
num = 2000
[[phase]]
workload = "fillrandom"
[[phase]]
workload = "readrandom"
ops = 1000
[run]
repeats = 1
threads = 2
[recommend]
objective = "maximize readrandom.ops_per_sec"
"#;

/// Runs the one-trial scenario; returns its run folder (under `t`).
fn winner_folder(t: &Path) -> std::path::PathBuf {
    let scn = t.join("roundtrip.toml");
    std::fs::write(&scn, WINNER).unwrap();
    let out = t.join("out");
    let o = common::rdbtune(
        &[
            "run",
            scn.to_str().unwrap(),
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
        t,
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    out
}

/// The winner's choices in the OPTIONS file a DB opened from a recommendation wrote.
fn assert_winner(f: &OptionsFile, how: &str) {
    let t = "TableOptions/BlockBasedTable";
    assert_eq!(
        value(f, t, "filter_policy"),
        "bloomfilter:10:false",
        "{how}"
    );
    assert_eq!(value(f, "CFOptions", "compression"), "kZSTD", "{how}");
    assert!(
        value(f, "CFOptions", "compression_opts").contains("level=6;"),
        "{how}"
    );
    assert_eq!(
        value(f, "CFOptions", "compaction_style"),
        "kCompactionStyleUniversal",
        "{how}"
    );
}

#[test]
fn a_recommendation_round_trips_through_rocksdbs_own_loaders() {
    let t = tempfile::tempdir().unwrap();
    let out = winner_folder(t.path());
    // OPTIONS.ini through RocksDB's loader (a directory whose newest OPTIONS file it is), with
    // the cache the file says it cannot carry.
    let from = t.path().join("from-ini");
    std::fs::create_dir(&from).unwrap();
    std::fs::copy(out.join("OPTIONS.ini"), from.join("OPTIONS-000005")).unwrap();
    let cache = rocksdb::Cache::new_lru_cache(256 << 20);
    let (mut o, cfs) =
        rocksdb::Options::load_latest(&from, rocksdb::Env::new().unwrap(), false, cache).unwrap();
    o.create_if_missing(true);
    let db_dir = t.path().join("db-ini");
    let db = rocksdb::DB::open_cf_descriptors(&o, &db_dir, cfs).unwrap();
    assert_eq!(cache_of(&db).1, 256 << 20);
    drop(db);
    assert_winner(&written(&db_dir), "OPTIONS.ini");
    let ini = std::fs::read_to_string(out.join("OPTIONS.ini")).unwrap();
    assert!(
        ini.contains("# block cache: 256MiB HyperClockCache"),
        "{ini}"
    );
    // options.txt (its last line) through RocksDB's string parser: the cache capacity too.
    let txt = std::fs::read_to_string(out.join("options.txt")).unwrap();
    let line = txt.lines().last().unwrap();
    let mut o = rocksdb::Options::default();
    let mut o = o.get_options_from_string(line).unwrap();
    o.create_if_missing(true);
    let db_dir = t.path().join("db-txt");
    let db = rocksdb::DB::open(&o, &db_dir).unwrap();
    assert_eq!(cache_of(&db), ("LRUCache".to_string(), 256 << 20), "{line}");
    drop(db);
    assert_winner(&written(&db_dir), "options.txt");
    // results.json records every option as RocksDB ran it.
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let eff = v["effective_options"]["base"].as_str().unwrap();
    assert!(eff.contains("filter_policy=bloomfilter:10:false") && eff.contains("HyperClockCache"));
}

/// The N of db_bench's "BENCH : ... N operations;" report line for `bench`.
fn db_bench_ops(stdout: &str, bench: &str) -> u64 {
    stdout
        .lines()
        .find(|l| l.starts_with(bench) && l.contains(" operations;"))
        .and_then(|l| {
            l.split(" operations;")
                .next()?
                .rsplit(' ')
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no '{bench} ... N operations' line in:\n{stdout}"))
}

#[test]
fn db_bench_7_8_3_runs_the_recommendation_with_rdbtunes_op_counts() {
    if !common::require("db_bench", "rocksdb-tools") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let out = winner_folder(t.path());
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let phases = v["runs"][0]["phases"].as_array().unwrap();
    let flags = std::fs::read_to_string(out.join("db_bench.flags")).unwrap();
    let cmds = common::db_bench_commands(&flags);
    assert_eq!(cmds.len(), phases.len(), "{flags}");
    for (cmd, p) in cmds.iter().zip(phases) {
        assert_eq!(cmd[0], "db_bench");
        let o = std::process::Command::new("db_bench")
            .args(&cmd[1..])
            .current_dir(&out)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{cmd:?}: {text}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let name = p["workload"].as_str().unwrap();
        let ops = db_bench_ops(&text, name);
        assert_eq!(
            ops,
            p["ops"].as_u64().unwrap(),
            "{name}: db_bench vs rdbtune"
        );
    }
    // db_bench ran the recommendation: its own OPTIONS file has every choice.
    assert_winner(&written(&out.join("rdbtune-db-bench")), "db_bench 7.8.3");
}

#[test]
fn bad_options_exit_2_naming_them() {
    let t = tempfile::tempdir().unwrap();
    let o = common::rdbtune(
        &[
            "bench",
            "--num",
            "100",
            "--rocksdb-options",
            "max_open_files=10;write_bufer_size=1M",
        ],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    let e = common::stderr(&o);
    assert!(
        e.contains("write_bufer_size=1M") && e.lines().count() == 1,
        "{e}"
    );
    let o = common::rdbtune(
        &[
            "bench",
            "--num",
            "100",
            "--set",
            "rocksdb.compaction_style=kSideways",
        ],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("compaction_style=kSideways"),
        "{}",
        common::stderr(&o)
    );
    let o = common::rdbtune(
        &["bench", "--options-file", "/nonexistent/OPTIONS-1"],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("/nonexistent/OPTIONS-1"));
}

/// docs/engine.md's knob table has a row for every key `--set` and `[engine]` accept, and no
/// row for a key that does not exist; each row names the RocksDB option and its defaults.
#[test]
fn docs_list_every_typed_knob() {
    let doc = std::fs::read_to_string(common::source_dir().join("docs/engine.md")).unwrap();
    let rows: Vec<(String, usize)> = doc
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let key = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((
                key.to_string(),
                cells.iter().filter(|c| !c.is_empty()).count(),
            ))
        })
        .collect();
    for key in EngineConfig::KEYS {
        let row = rows.iter().find(|(k, _)| k == key);
        assert!(
            row.is_some(),
            "docs/engine.md has no row for engine key {key:?}"
        );
        assert_eq!(
            row.unwrap().1,
            6,
            "{key}: key, RocksDB option, 3 presets, meaning"
        );
    }
    for (k, _) in &rows {
        assert!(
            EngineConfig::KEYS.contains(&k.as_str()),
            "docs/engine.md documents {k:?}, which is not an engine key"
        );
    }
    // The three preset columns say what the presets hold.
    for (col, preset) in [(2, "default"), (3, "production_optimized"), (4, "db_bench")] {
        let cfg: toml::Table =
            toml::from_str(&preset.parse::<Preset>().unwrap().config().to_toml()).unwrap();
        for l in doc.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = l.split(" | ").map(str::trim).collect();
            let key = cells[0].trim_start_matches("| ").trim_matches('`');
            if matches!(
                key,
                "path" | "base_options" | "rocksdb_options" | "column_families"
            ) {
                continue;
            }
            let cell = cells[col];
            let word = cell.split(" (").next().unwrap().trim_matches('`');
            let same = match cfg.get(key) {
                None => word == "unset",
                Some(toml::Value::Float(f)) => word.parse::<f64>().ok() == Some(*f),
                Some(toml::Value::String(s)) => word == s,
                Some(toml::Value::Array(a)) => {
                    let items: Vec<&str> = a.iter().map(|v| v.as_str().unwrap()).collect();
                    word == format!("[{}]", items.join(", "))
                }
                Some(v) => word == v.to_string(),
            };
            assert!(
                same,
                "docs/engine.md: {key} in {preset} is {:?}, the docs say {cell:?}",
                cfg.get(key)
            );
        }
    }
}

/// An OPTIONS file written by another program: Debian's db_bench 7.8.3 with a 1 MiB write
/// buffer and three column families. `bench --options-file` runs on it (and
/// `--options-from-db` on its DB directory): the effective config has the 1 MiB buffer, the
/// families are created as such, and RocksDB's own OPTIONS file says so for every family.
#[test]
fn a_db_bench_options_file_with_three_families_is_a_base() {
    if !common::require("db_bench", "rocksdb-tools") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("dbb");
    let o = std::process::Command::new("db_bench")
        .args([
            "--benchmarks=fillseq",
            "--num=1000",
            "--write_buffer_size=1048576",
            "--num_column_families=3",
            &format!("--db={}", src.display()),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::stderr(&o));
    let file = newest_options_file(&src).unwrap();
    let names = [
        "default",
        "column_family_name_000001",
        "column_family_name_000002",
    ];
    for (i, base) in [
        vec!["--options-file", file.to_str().unwrap()],
        vec!["--options-from-db", src.to_str().unwrap()],
    ]
    .into_iter()
    .enumerate()
    {
        let db = t.path().join(format!("db{i}"));
        let mut args = vec![
            "bench",
            "-q",
            "--workload",
            "fillrandom",
            "--num",
            "3000",
            "--db",
            db.to_str().unwrap(),
            "--json",
            "-",
        ];
        args.extend(base);
        let o = common::rdbtune(&args, t.path());
        assert!(o.status.success(), "{args:?}: {}", common::stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let cfg = &v["scenario"]["trials"][0]["config"];
        assert_eq!(cfg["write_buffer_size"], "1MiB", "{cfg}");
        let fams: Vec<&str> = v["runs"][0]["final_stats"]["families"]
            .as_array()
            .expect("three families")
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(fams, names);
        let f = written(&db);
        for n in names {
            let s = f
                .sections
                .iter()
                .find(|s| s.header == format!("CFOptions \"{n}\""))
                .unwrap_or_else(|| panic!("[CFOptions \"{n}\"] in RocksDB's OPTIONS file"));
            assert_eq!(s.get("write_buffer_size"), Some("1048576"), "{n}");
        }
    }
}

/// db_bench.flags for db_bench's other benchmarks (range scans as benchmark.sh runs them,
/// MultiGet, read-modify-write, merges through uint64add, a seek mix with a writer, deletes,
/// a flush step) at 2 threads: Debian's db_bench 7.8.3 runs every command and reports the
/// same number of operations per phase as rdbtune did.
#[test]
fn db_bench_7_8_3_runs_the_new_workloads_with_rdbtunes_op_counts() {
    if !common::require("db_bench", "rocksdb-tools") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "name = \"dbf\"\n[engine]\nmerge_operator = \"uint64add\"\n[data]\nnum = 4000\nvalue_size = 8\n[[phase]]\nworkload = \"fillseq\"\n",
    );
    for (w, extra) in [
        ("fwdrange", ""),
        ("revrange", ""),
        ("multireadrandom", "batch_size = 10\n"),
        ("updaterandom", ""),
        ("mergerandom", ""),
        ("readrandommergerandom", ""),
        ("seekrandomwhilewriting", ""),
        ("deleterandom", ""),
        ("flush", ""),
    ] {
        text.push_str(&format!(
            "[[phase]]\nworkload = \"{w}\"\nops = 2000\n{extra}"
        ));
    }
    text.push_str("[run]\nrepeats = 1\nthreads = 2\n[recommend]\nobjective = \"maximize fillseq.ops_per_sec\"\n");
    let file = t.path().join("s.toml");
    std::fs::write(&file, text).unwrap();
    let out = t.path().join("out");
    let o = common::rdbtune(
        &[
            "run",
            file.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let phases = v["runs"][0]["phases"].as_array().unwrap();
    let flags = std::fs::read_to_string(out.join("db_bench.flags")).unwrap();
    let cmds = common::db_bench_commands(&flags);
    assert_eq!(cmds.len(), phases.len(), "{flags}");
    let mut compared = 0;
    for (cmd, p) in cmds.iter().zip(phases) {
        let o = std::process::Command::new("db_bench")
            .args(&cmd[1..])
            .current_dir(&out)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{cmd:?}: {stdout}{}",
            common::stderr(&o)
        );
        if p["workload"] == "flush" {
            continue; // a step: db_bench prints no operation count for it
        }
        let bench = cmd
            .iter()
            .find_map(|a| a.strip_prefix("--benchmarks="))
            .unwrap();
        let ops = db_bench_ops(&stdout, bench);
        assert_eq!(
            ops,
            p["ops"].as_u64().unwrap(),
            "{}: db_bench vs rdbtune",
            p["workload"]
        );
        compared += 1;
    }
    assert_eq!(compared, phases.len() - 1);
}

/// `--binding upstream`'s config is what YCSB's RocksDB binding opens: RocksDB's defaults
/// with OptimizeLevelStyleCompaction() and IncreaseParallelism(t) +
/// setMaxBackgroundCompactions(t), called on RocksDB itself here; the DB options and the
/// default family's options RocksDB writes are identical, and the usertable family has the
/// same column-family options.
#[test]
fn the_ycsb_binding_config_is_rocksdbs_optimize_level_style_compaction() {
    let threads = 6;
    let d = tempfile::tempdir().unwrap();
    let mut o = rocksdb::Options::default();
    // RocksDBClient: setCreateIfMissing(true), setCreateMissingColumnFamilies(true).
    o.create_if_missing(true);
    o.create_missing_column_families(true);
    o.optimize_level_style_compaction(512 << 20);
    o.increase_parallelism(threads);
    #[allow(deprecated)]
    o.set_max_background_compactions(threads);
    let db = rocksdb::DB::open(&o, d.path()).unwrap();
    let theirs = written(d.path());
    drop(db);
    let (_d2, ours, _e) = open_with(&EngineConfig::ycsb_binding(threads, "usertable"));
    let section = |f: &OptionsFile, header: &str| -> Vec<(String, String)> {
        f.sections
            .iter()
            .find(|s| s.header == header)
            .unwrap_or_else(|| panic!("no [{header}]"))
            .items
            .clone()
    };
    for header in [
        "DBOptions",
        "CFOptions \"default\"",
        "TableOptions/BlockBasedTable \"default\"",
    ] {
        let (a, b) = (section(&theirs, header), section(&ours, header));
        let diff: Vec<String> = a
            .iter()
            .zip(&b)
            .filter(|(x, y)| x != y)
            .map(|(x, y)| format!("[{header}] RocksDB {}={} vs ours {}={}", x.0, x.1, y.0, y.1))
            .collect();
        assert!(diff.is_empty(), "{}", diff.join("\n"));
        assert_eq!(a, b, "[{header}]");
    }
    assert_eq!(
        section(&ours, "CFOptions \"usertable\""),
        section(&ours, "CFOptions \"default\"")
    );
}
