//! The bad-input corpus under tests/bad-input/: malformed scenario files, gate files, YCSB
//! property files and flag combinations. Each must end with exit 2 and one line on stderr
//! that names the input (the file, or the flag) and the offending key or value (`# expect:`),
//! found in the message once the file's path and name are taken out of it.
//! Plus a fuzz test of the scenario parser: mutated scenario texts never panic.

mod common;

use common::{rdbtune, stderr};
use std::path::{Path, PathBuf};

fn expectation(text: &str, file: &Path) -> String {
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix("# expect: "))
        .unwrap_or_else(|| panic!("{}: first line must be '# expect: NEEDLE'", file.display()))
        .trim()
        .to_string()
}

fn corpus_dir() -> PathBuf {
    common::source_dir().join("tests/bad-input")
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(corpus_dir().join(dir))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

/// The corpus folders and the command each one's files are given to.
const DIRS: [(&str, &str); 3] = [
    ("scenarios", "validate"),
    ("gates", "gate"),
    ("ycsb", "ycsb"),
];

/// Every file under `dir`, at any depth (counted apart from [`files`], so a file the test
/// does not run, such as one in a new sub-folder, shows as a mismatch).
fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                count_files(&p)
            } else {
                1
            }
        })
        .sum()
}

fn assert_usage_error(o: &std::process::Output, what: &str, names: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{what}: {err}");
    // One line of rdbtune's own; clap adds a Usage line and "For more information" to its own.
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| {
            !l.trim().is_empty()
                && !l.starts_with("For more information")
                && !l.starts_with("Usage:")
                && !l.trim_start().starts_with("[possible values")
        })
        .collect();
    assert_eq!(lines.len(), 1, "{what}: one line: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    for n in names {
        assert!(err.contains(n), "{what}: {n:?} not named in: {err}");
    }
}

/// No needle may be part of its own file name: the error names the file, so such a needle
/// would be found whatever the message says.
#[test]
fn no_needle_is_part_of_its_file_name() {
    for (dir, _) in DIRS {
        for f in files(dir) {
            let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
            let needle = expectation(&text, &f);
            let name = f.file_name().unwrap().to_str().unwrap();
            assert!(
                !name.to_lowercase().contains(&needle.to_lowercase()),
                "{dir}/{name}: the needle {needle:?} is part of the file name; rename the file"
            );
        }
    }
}

#[test]
fn every_bad_input_is_a_one_line_usage_error() {
    let t = tempfile::tempdir().unwrap();
    let mut n = 0;
    for (dir, cmd) in DIRS {
        for f in files(dir) {
            let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
            let needle = expectation(&text, &f);
            let p = f.to_str().unwrap();
            let args: Vec<&str> = match cmd {
                "validate" => vec!["validate", p],
                "gate" => vec!["gate", "--gate", p],
                _ => vec!["ycsb", "-P", p],
            };
            let o = rdbtune(&args, t.path());
            let name = f.file_name().unwrap().to_str().unwrap();
            assert_usage_error(&o, p, &[name]);
            // The needle must be in the message itself, not in the path or name it names.
            let err = stderr(&o);
            let message = err.replace(p, "").replace(name, "");
            assert!(
                message.contains(&needle),
                "{p}: {needle:?} not in the message (path and file name removed): {err}"
            );
            n += 1;
        }
    }
    let flags = std::fs::read_to_string(corpus_dir().join("flags.txt")).unwrap();
    for line in flags
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (needle, args) = line.split_once('\t').expect("NEEDLE<TAB>ARGS");
        let args: Vec<&str> = args.split(' ').collect();
        let o = common::bin()
            .args(&args)
            .env("TMPDIR", t.path())
            .current_dir(common::source_dir())
            .output()
            .unwrap();
        assert_usage_error(&o, line, &[needle]);
        n += 1;
    }
    // Every file of the corpus folders and every case line of flags.txt ran, counted apart
    // from the loops above.
    let in_folders = count_files(&corpus_dir()) - 1; // all but flags.txt
    let flag_cases = flags
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .count();
    assert_eq!(
        n,
        in_folders + flag_cases,
        "ran {n} cases; tests/bad-input holds {in_folders} files and flags.txt {flag_cases} cases"
    );
    assert!(n >= 30, "the corpus has {n} cases");
}

/// xorshift64*, so the fuzz run is reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "=",
    "[",
    "]",
    "[[phase]]",
    "[grid]",
    "[engine]",
    "[alerts]",
    "\"",
    "'",
    ",",
    "\n",
    "-1",
    "0",
    "1e308",
    "nan",
    "inf",
    "\"64MiB\"",
    "\"\"",
    "true",
    "{}",
    "[]",
    "#",
    "\\u0000",
    "é",
    "18446744073709551616",
    "workload = \"ycsb-run\"",
    "ycsb = \"e\"",
    "duration_s = 1e-300",
    "batch_size = 0",
    "num = 0",
    "p99_us = \"> -1\"",
    "sustain_s = 99999999999",
    "threads = 65536",
    "compression_per_level = []",
];

/// Mutates the shipped scenarios (delete, duplicate, insert tokens, swap lines) and parses the
/// result: Ok or a usage error, never a panic. RDBTUNE_FUZZ_SECS sets the duration (default 3 s
/// in `make test`; the README's figure is from a longer run).
#[test]
fn scenario_parser_never_panics_on_mutated_input() {
    let secs: f64 = std::env::var("RDBTUNE_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let mut paths: Vec<std::path::PathBuf> =
        std::fs::read_dir(common::source_dir().join("scenarios"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
    paths.sort();
    let seeds: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    // RDBTUNE_FUZZ_LAST=FILE keeps the case being parsed, to find a hang.
    let last = std::env::var_os("RDBTUNE_FUZZ_LAST");
    // RDBTUNE_FUZZ_SEED=N replays a run (the seed is printed at the end).
    let seed = std::env::var("RDBTUNE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(std::process::id() as u64);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed);
    let start = std::time::Instant::now();
    let (mut cases, mut ok) = (0u64, 0u64);
    while start.elapsed().as_secs_f64() < secs {
        let mut text = seeds[rng.below(seeds.len())].clone().into_bytes();
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(text.len() + 1);
            match rng.below(5) {
                0 if !text.is_empty() => {
                    let len = rng.below(40).min(text.len() - at.min(text.len()));
                    text.drain(at.min(text.len())..at.min(text.len()) + len);
                }
                1 => {
                    let tok = TOKENS[rng.below(TOKENS.len())].as_bytes();
                    text.splice(at..at, tok.iter().copied());
                }
                2 if !text.is_empty() => {
                    let i = at.min(text.len() - 1);
                    text[i] = rng.next() as u8;
                }
                3 => {
                    let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
                    let l = lines[rng.below(lines.len())].to_vec();
                    text.splice(at..at, l.into_iter().chain([b'\n']));
                }
                _ => {
                    let tok = TOKENS[rng.below(TOKENS.len())];
                    text.extend_from_slice(format!("\n{tok}\n").as_bytes());
                }
            }
        }
        let s = String::from_utf8_lossy(&text).into_owned();
        if let Some(p) = &last {
            std::fs::write(p, &s).unwrap(); // left behind if the parser hangs
        }
        let t0 = std::time::Instant::now();
        let r = std::panic::catch_unwind(|| {
            rdbtune::scenario::Scenario::parse_as(&s, "fuzz.toml", true)
        });
        let took = t0.elapsed();
        assert!(
            took < std::time::Duration::from_secs(2),
            "parsing took {took:?} (seed {seed}) on:\n{s}"
        );
        match r {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(e)) => {
                assert_eq!(e.exit_code(), 2, "{e}");
                assert!(
                    e.to_string().starts_with("fuzz.toml"),
                    "errors name the file: {e}"
                );
            }
            Err(_) => panic!("the parser panicked on:\n{s}"),
        }
        cases += 1;
    }
    eprintln!("fuzz: {cases} mutated scenarios in {secs} s, {ok} still valid (seed {seed})");
    assert!(cases > 100, "only {cases} cases ran");
}
