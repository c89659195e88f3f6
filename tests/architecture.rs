//! The layers of src/ (docs/architecture.md): imports between top-level modules point
//! downward only, so there is no circle; `stats` imports nothing of the crate; only
//! `engine` names `rocksdb::`; only `commands` names clap and only `ui` draws with
//! indicatif. This test reads the sources and fails naming the file and the import.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may import modules of its own layer or below.
const LAYERS: &[&[&str]] = &[
    &["error", "signals", "sysmon"],
    &["dbdir", "stats"],
    &["engine"],
    &["workload"],
    &["model"],
    &["metrics"],
    &["runner"],
    &["export", "ui", "recommend", "endpoint"],
    &["output"],
    &["scenario"],
    &["gate", "tune"],
    &["commands"],
];

fn layer_of(m: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&m))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file under src/ belongs to (`None` for lib.rs and main.rs).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// The text of a file without its comments (a doc comment may name who uses a module).
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::NAME` in the file's code (outside comments).
fn crate_refs(text: &str) -> BTreeSet<String> {
    let text = strip_comments(text);
    let text = text.as_str();
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let before = text[..i].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // e.g. `mycrate::`
        }
        let rest = &text[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

/// The code of a file without its `#[cfg(test)]` module (tests may reach anywhere).
fn code(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

struct Edges {
    /// module -> (imported module -> first file that imports it)
    edges: Graph,
    files: Vec<(String, PathBuf, String)>,
}

fn read_src() -> Edges {
    let src = common::source_dir().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut edges = Graph::new();
    let mut all = Vec::new();
    for f in files {
        let Some(m) = module_of(&src, &f) else {
            continue;
        };
        let text = std::fs::read_to_string(&f).unwrap();
        for r in crate_refs(code(&text)) {
            if r != m && layer_of(&r).is_some() {
                edges
                    .entry(m.clone())
                    .or_default()
                    .entry(r)
                    .or_insert_with(|| f.clone());
            }
        }
        all.push((m, f, text));
    }
    Edges { edges, files: all }
}

#[test]
fn every_top_level_module_has_a_layer() {
    let e = read_src();
    let modules: BTreeSet<&String> = e.files.iter().map(|(m, _, _)| m).collect();
    assert!(modules.len() >= 15, "read too few modules: {modules:?}");
    for m in modules {
        assert!(
            layer_of(m).is_some(),
            "src/{m} is in no layer of tests/architecture.rs LAYERS (and docs/architecture.md)"
        );
    }
}

#[test]
fn imports_point_down_only_so_there_is_no_circle() {
    let e = read_src();
    let mut bad = Vec::new();
    for (m, to) in &e.edges {
        let lm = layer_of(m).unwrap();
        for (t, file) in to {
            let lt = layer_of(t).unwrap();
            if lt > lm || (lt == lm && e.edges.get(t).is_some_and(|x| x.contains_key(m))) {
                bad.push(format!("{m} -> {t} ({})", file.display()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
    // And no circle at all (the layer rule implies it; this says so directly).
    let c = circle(&e.edges);
    assert!(c.is_none(), "circle of imports: {c:?}");
}

type Graph = BTreeMap<String, BTreeMap<String, PathBuf>>;

/// A circle of imports in `g`, if there is one.
fn circle(g: &Graph) -> Option<Vec<String>> {
    fn visit<'a>(
        m: &'a str,
        g: &'a Graph,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| *s == m) {
            return Some(stack[i..].iter().map(|s| s.to_string()).collect());
        }
        if !done.insert(m) {
            return None;
        }
        stack.push(m);
        for t in g.get(m).into_iter().flat_map(|x| x.keys()) {
            if let Some(c) = visit(t, g, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|m| visit(m, g, &mut Vec::new(), &mut done))
}

#[test]
fn the_circle_check_sees_a_circle() {
    // The detector on made-up graphs: a -> b -> c -> a is reported, a -> b -> c is not.
    let edge = |pairs: &[(&str, &str)]| -> Graph {
        let mut g = Graph::new();
        for (a, b) in pairs {
            g.entry(a.to_string())
                .or_default()
                .insert(b.to_string(), PathBuf::new());
        }
        g
    };
    let c = circle(&edge(&[("a", "b"), ("b", "c"), ("c", "a")])).unwrap();
    assert_eq!(c, ["a", "b", "c"]);
    assert!(circle(&edge(&[("a", "b"), ("b", "c"), ("a", "c")])).is_none());
    let a = crate_refs("use crate::b::X; fn f() { crate::b::y(); } // crate::c\n/// crate::d");
    assert_eq!(a, BTreeSet::from(["b".to_string()]));
    assert_eq!(code("x\n#[cfg(test)]\nmod t { use crate::z; }"), "x\n");
}

#[test]
fn stats_is_a_leaf_and_only_engine_names_rocksdb() {
    let e = read_src();
    let mut bad = Vec::new();
    for (m, f, text) in &e.files {
        let c = code(text);
        if m == "stats" && c.contains("crate::") {
            bad.push(format!("{}: stats imports from the crate", f.display()));
        }
        if m != "engine" && c.contains("rocksdb::") {
            bad.push(format!("{}: names rocksdb:: outside engine/", f.display()));
        }
        if m != "commands" && (c.contains("clap::") || c.contains("use clap")) {
            bad.push(format!("{}: uses clap outside commands/", f.display()));
        }
        if m != "ui" && c.contains("indicatif") {
            bad.push(format!("{}: uses indicatif outside ui/", f.display()));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
