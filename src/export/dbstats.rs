//! `rdbtune stats`' text view of an existing DB.

use crate::engine::size::human_bytes;
use crate::engine::view::DbView;
use std::fmt::Write as _;

/// A human-readable view.
pub fn render(v: &DbView) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "=== {} ({}) ===", v.path, v.opened_as);
    let names: Vec<&str> = v.column_families.iter().map(|f| f.name.as_str()).collect();
    let _ = writeln!(
        o,
        "column families        {} ({}){}",
        names.len(),
        names.join(", "),
        if names.len() > 1 {
            "; the figures below sum them"
        } else {
            ""
        }
    );
    let _ = writeln!(o, "keys (estimate)        {}", v.estimated_keys);
    let _ = writeln!(
        o,
        "live SST / total SST   {} / {}",
        human_bytes(v.live_sst_bytes),
        human_bytes(v.total_sst_bytes)
    );
    let _ = writeln!(o, "disk usage (DB dir)    {}", human_bytes(v.disk_bytes));
    let _ = writeln!(
        o,
        "compression ratio      {} (raw key+value bytes / live SST bytes)",
        v.compression_ratio
            .map_or("n/a".into(), |r| format!("{r:.2}x"))
    );
    let _ = writeln!(
        o,
        "level  files  compression (uncompressed/compressed data blocks)"
    );
    for (l, (f, r)) in v
        .files_per_level
        .iter()
        .zip(&v.compression_ratio_per_level)
        .enumerate()
    {
        if *f > 0 {
            let _ = writeln!(
                o,
                "L{l}     {f:>5}  {}",
                r.map_or("n/a".into(), |r| format!("{r:.2}x"))
            );
        }
    }
    let _ = writeln!(
        o,
        "pending compaction     {}",
        human_bytes(v.pending_compaction_bytes)
    );
    let _ = writeln!(
        o,
        "write amplification and stall counters belong to the writing process (rdbtune bench/run report them)"
    );
    if v.column_families.len() > 1 {
        let _ = writeln!(
            o,
            "\n{:<28} {:>12} {:>10} {:>10} {:>7} {:>10} {:>10}",
            "family", "keys (est.)", "live SST", "memtables", "ratio", "pending", "files L0..L6"
        );
        for f in &v.column_families {
            let _ = writeln!(
                o,
                "{:<28} {:>12} {:>10} {:>10} {:>7} {:>10} {:?}",
                f.name,
                f.estimated_keys,
                human_bytes(f.live_sst_bytes),
                human_bytes(f.memtable_bytes),
                f.compression_ratio
                    .map_or("n/a".into(), |r| format!("{r:.2}x")),
                human_bytes(f.pending_compaction_bytes),
                f.files_per_level
            );
        }
    }
    if let Some(s) = &v.rocksdb_stats {
        o.push_str("\n--- rocksdb.stats ---\n");
        o.push_str(s);
    }
    o
}
