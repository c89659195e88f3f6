//! The scenarios shipped in scenarios/, compiled in so `rdbtune sweep NAME` works from any
//! directory.

/// (name, file text) of every built-in scenario.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "batch-size",
        include_str!("../../scenarios/batch-size.toml"),
    ),
    (
        "compression",
        include_str!("../../scenarios/compression.toml"),
    ),
    (
        "block-cache",
        include_str!("../../scenarios/block-cache.toml"),
    ),
    (
        "write-buffer",
        include_str!("../../scenarios/write-buffer.toml"),
    ),
    (
        "background-jobs",
        include_str!("../../scenarios/background-jobs.toml"),
    ),
    (
        "level-compression",
        include_str!("../../scenarios/level-compression.toml"),
    ),
    (
        "compaction-style",
        include_str!("../../scenarios/compaction-style.toml"),
    ),
    ("blob", include_str!("../../scenarios/blob.toml")),
    (
        "cache-type",
        include_str!("../../scenarios/cache-type.toml"),
    ),
    ("filters", include_str!("../../scenarios/filters.toml")),
    ("hot-cold", include_str!("../../scenarios/hot-cold.toml")),
    ("mixed", include_str!("../../scenarios/mixed.toml")),
    ("grid", include_str!("../../scenarios/grid.toml")),
    (
        "soak-write",
        include_str!("../../scenarios/soak-write.toml"),
    ),
    ("soak-read", include_str!("../../scenarios/soak-read.toml")),
    (
        "soak-mixed",
        include_str!("../../scenarios/soak-mixed.toml"),
    ),
    (
        "benchmark-suite",
        include_str!("../../scenarios/benchmark-suite.toml"),
    ),
    ("ycsb-a", include_str!("../../scenarios/ycsb-a.toml")),
    ("ycsb-b", include_str!("../../scenarios/ycsb-b.toml")),
    ("ycsb-c", include_str!("../../scenarios/ycsb-c.toml")),
    ("ycsb-d", include_str!("../../scenarios/ycsb-d.toml")),
    ("ycsb-e", include_str!("../../scenarios/ycsb-e.toml")),
    ("ycsb-f", include_str!("../../scenarios/ycsb-f.toml")),
];

/// The text of a built-in scenario.
pub fn find(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
