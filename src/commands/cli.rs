//! Command-line interface (clap derive). `--help` on each command explains every flag.

use crate::engine::Preset;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// `--preset NAME`, checked by the engine's own parser.
fn parse_preset(s: &str) -> Result<Preset, String> {
    s.parse::<Preset>().map_err(|e| e.to_string())
}

/// Splits a `KEY=VALUE` flag value; the error names the flag and shows `example`.
pub fn split_kv<'a>(flag: &str, kv: &'a str, example: &str) -> crate::Result<(&'a str, &'a str)> {
    kv.split_once('=').ok_or_else(|| {
        crate::Error::usage(format!(
            "{flag} {kv:?}: expected KEY=VALUE, e.g. {flag} {example}"
        ))
    })
}

const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    a check failed: a gate check, or an alert under --fail-on-alert
  2    bad input: a flag, config key, size or file (the message names it)
  3    RocksDB or file-system failure during the run
  4    gate inconclusive (rdbtune gate --strict only)
  130  interrupted by SIGINT (results measured so far are written)
  143  interrupted by SIGTERM (results measured so far are written)";

#[derive(Debug, Parser)]
#[command(
    name = "rdbtune",
    version,
    about = "Benchmark and tune RocksDB: faithful workloads, honest numbers, a config to paste",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run db_bench-style workloads on one DB and report throughput, latency and engine stats
    #[command(after_long_help = BENCH_EXAMPLES)]
    Bench(Box<BenchArgs>),
    /// Print an engine preset (or the effective config after --set) as TOML
    Config(ConfigArgs),
    /// Run a scenario file: trials x repeats, tables, a recommended config
    #[command(after_long_help = RUN_HELP)]
    Run(RunArgs),
    /// Run a built-in scenario by name (rdbtune sweep --list shows them)
    #[command(after_long_help = RUN_HELP)]
    Sweep(SweepArgs),
    /// YCSB core workloads A-F, faithful to upstream YCSB, in YCSB's output format
    #[command(after_long_help = YCSB_HELP)]
    Ycsb(Box<YcsbArgs>),
    /// Statistics of an existing DB, opened read-only or as a secondary instance while another
    /// process writes it (its files are not changed)
    Stats(StatsArgs),
    /// Check scenario files without running them
    Validate(ValidateArgs),
    /// Join shard folders of one scenario into one result with one recommendation
    Merge(MergeArgs),
    /// CI performance gate: fail when a target is missed or a change regresses, not on noise
    #[command(after_long_help = GATE_HELP)]
    Gate(GateArgs),
    /// Find a better config than the presets or yours for a workload or scenario, within memory
    /// and time budgets, with proof
    #[command(after_long_help = TUNE_HELP)]
    Tune(TuneArgs),
    /// Write the self-contained HTML report (charts inline, works offline) of a result
    Report(ReportArgs),
    /// Two runs side by side: the summary metrics, compression, disk and peak RSS, with the
    /// relative change and its 95% interval
    Compare(CompareArgs),
}

const TUNE_HELP: &str = "\
What it tunes: --workload (ycsb-a..f, or a db_bench workload on fillrandom's keys) or
--scenario FILE (its phases, column families and [engine]). The score is --objective, any
catalogued metric of the run (default: the debt-aware throughput, ops over the run's wall
time plus the compaction wait after it), under every --constraint; --pareto A,B reports the
measured front of two objectives instead.

How it searches (docs/tuning.md): successive halving over data size and run length (rungs at
1/9, 1/3 and all of the keys), 9 configs per bracket; the first bracket holds the start
config and random configs (configs near it when you give one), later ones all random (the
default, --search random) or two thirds from a TPE model (--search tpe: it did not beat random
search at equal budget in this project's ablation, docs/tuning.md). Knobs (--knobs to narrow, --fix to
pin): compaction style with its options, level multiplier, write buffers, L0 trigger with
derived level sizes, block cache share and kind, block size, filter kind and bits, index and
filters in or out of the cache (partitioned), compression per level and zstd dictionaries,
blob files (large values), background jobs, subcompactions, bytes_per_sync. Every config is
predicted within --memory-budget (block cache, memtables, index and filters, table readers,
the process), and its block cache and memtable capacities fit in it too.

The final round (about 40% of the budget) runs the best three, RocksDB's defaults,
production_optimized and your start config with --repeats interleaved repeats on clones of
one load per config; the winner is the best median within the constraints and within the
budget on measured peak RSS. Then the hold-out, and (15% of the budget) the winner explained:
each knob it changed, reverted alone and measured against it in interleaved pairs.

Output folder (default results/tune-<target>/<timestamp>/): tune.json (rdbtune.tune/v2: every
evaluation, the gains with 95% intervals, predicted vs measured memory, the explanation), and
the final round as a run folder: results.json, summary.md, report.html, recommended.toml,
OPTIONS.ini, options.txt (with your config as the start: only what changes in it),
db_bench.flags.

Examples:
  rdbtune tune --workload ycsb-a --memory-budget 1536MiB --time-budget 30m --records 1000000
  rdbtune tune --workload readrandomwriterandom --memory-budget 512MiB --time-budget 10m
  rdbtune tune --scenario scenarios/hot-cold.toml --objective \"minimize readrandom.p99_us\" \\
      --constraint \"readrandom.ops_per_sec >= 50000\" --memory-budget 512MiB --time-budget 15m
  rdbtune tune --workload ycsb-b --options-file OPTIONS-000042 --memory-budget 1GiB --time-budget 20m";

#[derive(Debug, Args)]
pub struct TuneArgs {
    /// What to tune for: ycsb-a .. ycsb-f or a db_bench workload (rdbtune bench --list)
    #[arg(
        long,
        short = 'w',
        required_unless_present = "scenario",
        conflicts_with = "scenario"
    )]
    pub workload: Option<String>,
    /// Tune a scenario's phases instead: its first phase loads (when it fills the key
    /// space), the others are measured; its [engine] is the start config
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Memory the process may use, e.g. 1536MiB: configs are predicted within it (block
    /// cache, memtables, index and filters outside the cache, table readers, the process);
    /// a config can win only when its block cache and memtable capacities fit in it and its
    /// measured peak RSS stayed within it
    #[arg(long, value_name = "SIZE")]
    pub memory_budget: String,
    /// Wall-clock budget for the whole tune, e.g. 30m, 90s, 1h
    #[arg(long, value_name = "DURATION")]
    pub time_budget: String,
    /// Keys (YCSB records) at full fidelity (a scenario's [data] num by default)
    #[arg(long)]
    pub records: Option<u64>,
    /// What to optimise, e.g. "maximize run.ops_per_sec", "minimize run.p99_us",
    /// "minimize write_amplification", "minimize disk_bytes" (any catalogued metric;
    /// default: the scenario's objective, else maximize the last phase's debt_ops_per_sec)
    #[arg(long, value_name = "\"maximize|minimize METRIC\"")]
    pub objective: Option<String>,
    /// A condition every recommended config must meet, e.g. "run.ops_per_sec >= 50000"
    /// (repeatable; added to a scenario's own)
    #[arg(long, value_name = "\"METRIC OP NUMBER\"")]
    pub constraint: Vec<String>,
    /// Report the measured Pareto front of two objectives instead of one winner, e.g.
    /// "run.ops_per_sec,run.p99_us" (directions from the metric catalogue)
    #[arg(long, value_name = "METRIC,METRIC")]
    pub pareto: Option<String>,
    /// How proposals are made within successive halving (random: TPE did not beat it at
    /// equal budget, docs/tuning.md)
    #[arg(long, value_enum, default_value = "random")]
    pub search: TuneSearch,
    /// Tune only these knobs (comma-separated; the others stay as the start config has them)
    #[arg(long, value_name = "KNOB,...", value_delimiter = ',')]
    pub knobs: Vec<String>,
    /// Set an engine key on every config and leave it out of the search (repeatable),
    /// e.g. --fix compression=zstd
    #[arg(long, value_name = "KEY=VALUE")]
    pub fix: Vec<String>,
    /// Hold-out checked for over-fitting: a workload (ycsb-X or db_bench), a scenario file,
    /// or none (default: ycsb-b, or ycsb-a when tuning ycsb-b; none otherwise)
    #[arg(long, value_name = "WORKLOAD|FILE")]
    pub holdout: Option<String>,
    /// Interleaved repeats per config in the final round (at least 2, for an interval)
    #[arg(long, default_value_t = 5)]
    pub repeats: usize,
    /// Do not measure each changed knob of the winner reverted alone
    #[arg(long)]
    pub no_explain: bool,
    /// Client threads (workloads; a scenario's phases keep theirs)
    #[arg(long, short = 't', default_value_t = 1)]
    pub threads: usize,
    /// Seed of the search and of the workload
    #[arg(long, default_value_t = 0x5EED)]
    pub seed: u64,
    /// Output folder
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar or lines
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Your config as the start: it is a finalist, proposals start near it, the claim is
    /// stated against it, and options.txt is the minimal change to it (the tuned knobs are
    /// set on top of it; an options string is applied last)
    #[command(flatten)]
    pub rocksdb: RocksdbArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TuneSearch {
    /// Uniformly random configs
    Random,
    /// A Tree-structured Parzen Estimator from the second bracket on (a third random)
    Tpe,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A run folder (results.json inside), or a results.json / bench / ycsb JSON file
    pub input: PathBuf,
    /// Output file (default: report.html in the folder, or beside the JSON file)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The baseline run (A): a folder or a JSON file
    pub a: PathBuf,
    /// The other run (B)
    pub b: PathBuf,
    /// Also write the comparison as Markdown to FILE
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Also write it as HTML to FILE
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

const GATE_HELP: &str = "\
A gate file is a scenario file (the workload) plus [policy], [[check]] and optionally
[candidate] (see docs/ci.md and scenarios/gates/):

  [policy]   runs = 5, max_runs = 10, warmup_runs = 1, noise_floor = 0.02,
             confidence = 0.95, confirm = 1, quick = false
  [[check]]  metric = \"fill.ops_per_sec\"  better = \"higher\"  min = 200000  max_regression = 0.10
  (noise_floor, confidence and max_regression are fractions: 0.10 = 10%; min and max are in
  the metric's own unit: ops/s, µs, s, bytes, x)
  [candidate] sync = true     # engine keys of the candidate; the file's [engine] is the baseline

How it judges: absolute limits (min, max) use the median of the runs. A regression is the
relative change in the worse direction against a baseline: the file's own config run paired
and interleaved with the [candidate] in this job, or --baseline FILE saved on this machine.
It fails only when the point estimate exceeds max_regression AND the whole confidence
interval is past noise_floor; otherwise, if the estimate exceeds the limit, it is
inconclusive and the gate adds rounds up to max_runs. A failure is confirmed by a fresh
batch of runs (extended up to max_runs while inconclusive) before it fails the gate. Metrics that repeat exactly (compression ratio, SST
bytes) are compared directly. A baseline from another machine fingerprint only warns unless
--force-baseline.

Exit codes:
  0  pass (warnings allowed; failures too with --warn-only)
  1  a check failed (confirmed)
  2  usage or gate-file error (the message names the file, line and key)
  3  benchmark error (RocksDB or file system)
  4  inconclusive (only with --strict)
  130/143  interrupted

Examples:
  rdbtune gate --gate scenarios/gates/seed-targets.toml
  rdbtune gate --gate gate.toml --save-baseline baseline.json          # on main
  rdbtune gate --gate gate.toml --baseline baseline.json --markdown auto --junit junit.xml";

#[derive(Debug, Args)]
pub struct GateArgs {
    /// Gate file (TOML: a scenario with [policy] and [[check]]s)
    #[arg(long, value_name = "FILE")]
    pub gate: PathBuf,
    /// The gate scenario's base config and RocksDB options (baseline and candidate alike)
    #[command(flatten)]
    pub rocksdb: RocksdbArgs,
    /// Compare with a saved baseline: a gate JSON (--save-baseline) or a results.json
    #[arg(long, value_name = "FILE", conflicts_with = "save_baseline")]
    pub baseline: Option<PathBuf>,
    /// Write this run as a baseline for later --baseline runs (the gate JSON)
    #[arg(long, value_name = "FILE")]
    pub save_baseline: Option<PathBuf>,
    /// Enforce baseline checks even when the baseline comes from another machine
    #[arg(long)]
    pub force_baseline: bool,
    /// Write the rdbtune.gate/v1 JSON report to FILE (`-` for stdout)
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a Markdown report to FILE; `auto` appends it to $GITHUB_STEP_SUMMARY (nothing
    /// when that is unset: the table on stdout says the same)
    #[arg(long, value_name = "FILE|auto")]
    pub markdown: Option<String>,
    /// Write JUnit XML (one testcase per check) to FILE
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write Bencher Metric Format JSON to FILE
    #[arg(long, value_name = "FILE")]
    pub bmf: Option<PathBuf>,
    /// Exit 4 when a check stays inconclusive after max_runs
    #[arg(long)]
    pub strict: bool,
    /// Report failures but exit 0
    #[arg(long)]
    pub warn_only: bool,
    /// Divide data and durations by the scenario's quick_scale
    #[arg(long)]
    pub quick: bool,
    /// Measured runs per config, overriding [policy] runs
    #[arg(long)]
    pub runs: Option<usize>,
    /// Run every N-th trial of the gate's scenario: I/N (1-based), or N with I from
    /// JOB_COMPLETION_INDEX
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Only the verdict line on stderr
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

const RUN_HELP: &str = "\
Output folder (default results/<scenario>/<YYYYmmdd-HHMMSS>/, rewritten after every trial run):
  results.json      rdbtune.result/v2: machine, scenario, every run's phases, summaries, recommendation
  trials.csv        one row per trial: axis values, then median, 95% CI and n of every metric
  intervals.csv     one row per trial, repeat, phase and second
  report.tsv        one row per phase with tools/benchmark.sh's 28 columns (docs/benchmark-suite.md)
  summary.md        the trial table and the recommendation with its rationale
  report.html       the same as a self-contained HTML page with charts (no network needed)
  recommended.toml  the winning config as a paste-able [engine] section   } only when
  OPTIONS.ini       the same as a RocksDB options file (by RocksDB itself) } [recommend]
  db_bench.flags    the same as a db_bench command line                   } picks a winner

Repeats are interleaved: repeat r runs the trials rotated by r, so drift does not favour one.
Each trial run gets a fresh DB. SIGINT/SIGTERM keep finished trial runs; --resume DIR goes on.
Sharding: --shard I/N runs every N-th trial (I is 1-based); --shard N takes I from
JOB_COMPLETION_INDEX (0-based, Kubernetes Indexed Jobs). Join shards with rdbtune merge.

Examples:
  rdbtune sweep compression --quick
  rdbtune run scenarios/grid.toml --repeats 5 --out results/grid-nightly
  rdbtune run scenarios/grid.toml --shard 2/4 --out shard2 && rdbtune merge shard1 shard2 shard3 shard4

Exit codes: 0 ok, 1 an alert fired under --fail-on-alert, 2 bad input (file:line and key named),
3 RocksDB/file-system failure, 130/143 interrupted.";

/// Alert metrics for --alert, with what they measure.
const ALERT_HELP: &str = "\
Alert when a per-second figure crosses a threshold: METRIC OP VALUE with OP one of > >= < <=,
e.g. --alert 'p99_us > 10000' --alert 'cache_hit_rate < 0.9' --alert 'rss_bytes > 4GiB'.
Repeatable. Metrics: ops_per_sec, p50_us, p99_us, stall_percent, cache_hit_rate,
pending_compaction_bytes, memtable_bytes, rss_bytes (sizes like 1GiB allowed),
rss_growth_mib_per_h, unaccounted_rss_growth_mib_per_h (slopes from 60 s in, judged once
the window is long enough for the threshold to mean 12 MiB of growth, at least 120 s and
at most 6 h: at 50 MiB/h from about 924 s, so RSS jitter over a short window is not an
alarm). A line goes to stderr when an alert starts and when it clears; results.json
lists each episode under its phase";

/// Live view and alerts, shared by bench, run, sweep and ycsb.
#[derive(Debug, Clone, Default, Args)]
pub struct AlertArgs {
    #[arg(long = "alert", value_name = "RULE", long_help = ALERT_HELP)]
    pub alerts: Vec<String>,
    /// Seconds a condition must hold to start an alert, and be gone to clear it (default 1,
    /// or the scenario's [alerts] sustain_s)
    #[arg(long, value_name = "SECS")]
    pub alert_sustain: Option<u32>,
    /// Exit 1 when any alert fired (after every result is written)
    #[arg(long)]
    pub fail_on_alert: bool,
}

const PERCENTILES_HELP: &str = "Latency percentiles in every table, CSV row and JSON summary, \
comma-separated (default 50,95,99,99.9,99.99; 100 is the maximum). Tables also show the mean \
and the maximum. The per-second timeline keeps p50 and p99; the YCSB text keeps upstream's lines";

const PERF_SAMPLE_HELP: &str = "Measure this share of operations (0 < F <= 1, e.g. 0.01) with \
RocksDB's PerfContext at EnableTimeExceptForMutex: block cache hits, block reads and their \
bytes, bloom checks, memtable and SST search time, block read, checksum and decompress time, \
WAL and memtable write time, averaged per op kind into results.json and the tables. Sampled \
ops are drawn at random (geometric gaps) and carry the timers' cost; off by default, so the \
measured loop is untouched";

const HDR_LOG_HELP: &str = "Write one HdrHistogram interval log per phase and op kind into DIR \
(created if missing): DIR/<phase>.<op>.hlog, one V2-compressed histogram per second, values \
in nanoseconds (HistogramLogProcessor -outputValueUnitRatio 1000 prints µs). The logs hold \
exactly the samples of results.json's per-op latency";

const METRICS_ADDR_HELP: &str = "Serve the live per-second sample at http://ADDR/metrics as \
OpenMetrics text while phases run (e.g. 127.0.0.1:9464; port 0 picks a free one, printed on \
stderr): ops/s and latency quantiles per op kind, stalls, pending compaction, cache hit rate, \
memtables, RSS and I/O. docs/monitoring.md has a Prometheus scrape config";

/// What is measured beside throughput and latency, shared by bench, run, sweep and ycsb.
#[derive(Debug, Clone, Default, Args)]
pub struct MeasureArgs {
    #[arg(long, value_name = "LIST", long_help = PERCENTILES_HELP)]
    pub percentiles: Option<String>,
    #[arg(long, value_name = "F", long_help = PERF_SAMPLE_HELP)]
    pub perf_sample: Option<f64>,
    #[arg(long, value_name = "DIR", long_help = HDR_LOG_HELP)]
    pub hdr_log: Option<PathBuf>,
    #[arg(long, value_name = "ADDR", long_help = METRICS_ADDR_HELP)]
    pub metrics_addr: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ScenarioRunArgs {
    /// Output folder (default results/<scenario>/<timestamp>)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Every trial's base config and RocksDB options (the file's [engine] keys and the grid
    /// apply on top of an OPTIONS file; --rocksdb-options after them)
    #[command(flatten)]
    pub rocksdb: RocksdbArgs,
    /// Repeats per trial, overriding the file's [run] repeats
    #[arg(long)]
    pub repeats: Option<usize>,
    /// Smoke run: data, ops and durations divided by [run] quick_scale (10), at most 3 repeats
    #[arg(long)]
    pub quick: bool,
    /// Run every N-th trial: I/N (1-based), or N with I from JOB_COMPLETION_INDEX
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Continue an interrupted run in DIR, skipping its finished trial runs
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// No progress and no summary on the terminal
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Seconds for every timed phase (shortens or lengthens soak runs)
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// When stderr is not a terminal: a status line every SECS seconds of a phase (0: none)
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub status_interval: u64,
    #[command(flatten)]
    pub alert: AlertArgs,
    #[command(flatten)]
    pub measure: MeasureArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML; see docs/scenarios.md)
    pub file: PathBuf,
    #[command(flatten)]
    pub opts: ScenarioRunArgs,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Built-in scenario name
    #[arg(required_unless_present = "list")]
    pub name: Option<String>,
    /// List the built-in scenarios with their descriptions
    #[arg(long)]
    pub list: bool,
    #[command(flatten)]
    pub opts: ScenarioRunArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Result folders of the shards
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output folder (default results/<scenario>/<timestamp>-merged)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

const BENCH_EXAMPLES: &str = "\
Examples:
  rdbtune bench                                         # fillrandom,readrandom on 1M keys, temp DB
  rdbtune bench --workload fillbatch --num 100000 --batch-size 100000 --json -
  rdbtune bench --workload fillrandom,readrandom,readhot --set block_cache_size=256MiB
  rdbtune bench --preset production_optimized --set compression=zstd --db ./mydb
  rdbtune bench --workload readwhilewriting --threads 4 --duration 30 --db ./mydb --db-reuse

Workloads (comma-separated, run in order on the same DB), db_bench's names and semantics:
  fills     fillseq fillrandom filluniquerandom overwrite fillbatch fillsync
  reads     readseq readreverse readrandom readmissing readhot multireadrandom
  seeks     seekrandom fwdrange revrange (a new iterator per seek, as db_bench)
  mixes     readrandomwriterandom updaterandom readwhilewriting seekrandomwhilewriting
            fwdrangewhilewriting revrangewhilewriting
  merges    mergerandom readrandommergerandom readwhilemerging (--set merge_operator=uint64add)
  deletes   deleteseq deleterandom
  steps     flush compact waitforcompaction (one op each)
  (rdbtune bench --list describes each)

Op counts: rdbtune shares one total over the threads (--ops, or --num; --reads for reading
phases), where db_bench gives every thread its own --num/--reads/--writes; db_bench.flags
divides by the threads so db_bench does the same number of operations.

Numbers: ops/s is completed keys / the phase's wall time over all threads (a batch of b
keys counts b); latency is per sample (one op, or one whole batch) in microseconds from
per-thread HdrHistograms (3 significant digits). After each writing phase rdbtune waits
for flushes and compactions to finish (not timed, reported as 'compaction wait') so the
next phase is not billed for the previous one's debt; --no-wait-for-compaction turns it off.

Exit codes: 0 ok, 1 an alert fired under --fail-on-alert, 2 bad input, 3 RocksDB/file-system
failure, 130/143 interrupted.";

#[derive(Debug, Clone, Args)]
pub struct EngineArgs {
    /// Starting engine config: default (RocksDB 11.8's own defaults), production_optimized,
    /// or db_bench (db_bench 7.8.3's flag defaults: snappy, an 8 MiB LRU cache)
    #[arg(long, value_parser = parse_preset, conflicts_with_all = ["options_file", "options_from_db"])]
    pub preset: Option<Preset>,

    /// Override one engine key, e.g. --set write_buffer_size=128MiB --set compression=zstd,
    /// or any RocksDB option by its own name: --set rocksdb.max_subcompactions=4. Repeatable.
    /// `rdbtune config` lists every key with its value (docs/engine.md: what each means).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    #[command(flatten)]
    pub rocksdb: RocksdbArgs,
}

/// RocksDB options by their own names: a base OPTIONS file and an options string.
#[derive(Debug, Clone, Default, Args)]
pub struct RocksdbArgs {
    /// RocksDB options by their own names, parsed by RocksDB itself and applied after every
    /// other setting, e.g. "compaction_style=kCompactionStyleUniversal;block_based_table_factory={block_size=16K;filter_policy=ribbonfilter:10}"
    #[arg(long, value_name = "STRING")]
    pub rocksdb_options: Option<String>,

    /// A RocksDB OPTIONS file as the base config (e.g. an application's newest OPTIONS-NNNNNN);
    /// options this RocksDB no longer knows are named in a warning
    #[arg(long, value_name = "FILE", conflicts_with = "options_from_db")]
    pub options_file: Option<PathBuf>,

    /// The newest OPTIONS-NNNNNN file of this DB directory as the base config
    #[arg(long, value_name = "DIR")]
    pub options_from_db: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConfigFormat {
    /// The typed knobs as a paste-able [engine] TOML section
    Toml,
    /// The OPTIONS file RocksDB writes when it opens a DB with the config
    Options,
    /// A RocksDB options string (with --diff: only what differs from RocksDB's defaults)
    String,
    /// An OPTIONS file of only what differs, which older releases (db_bench 7.8.3) load
    Portable,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub engine: EngineArgs,
    /// What to print
    #[arg(long, value_enum, default_value = "toml")]
    pub format: ConfigFormat,
    /// Only what differs from RocksDB's defaults (for options, string and portable)
    #[arg(long)]
    pub diff: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Comma-separated workloads, run in order on the same DB
    #[arg(long, short = 'w', default_value = "fillrandom,readrandom")]
    pub workload: String,

    /// List the workloads with a description and exit
    #[arg(long)]
    pub list: bool,

    /// Number of keys in the key space (keys are numbered 0..num)
    #[arg(long, default_value_t = 1_000_000)]
    pub num: u64,

    /// Operations per phase (keys for writes). Default: --num, or unbounded with --duration
    #[arg(long)]
    pub ops: Option<u64>,

    /// Operations for reading phases (db_bench's --reads); --ops, when given, wins
    #[arg(long)]
    pub reads: Option<u64>,

    /// Seconds per phase; with --ops the phase ends at whichever comes first
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub duration: Option<f64>,

    /// Worker threads (readwhilewriting: readers, plus one writer)
    #[arg(long, short = 't', default_value_t = 1)]
    pub threads: usize,

    /// Keys per WriteBatch for write workloads (fillbatch defaults to 1000)
    #[arg(long)]
    pub batch_size: Option<usize>,

    /// Key size in bytes (8-byte big-endian key number + '0' padding, as db_bench)
    #[arg(long, default_value_t = 16)]
    pub key_size: usize,

    /// Value size in bytes
    #[arg(long, default_value_t = 100)]
    pub value_size: usize,

    /// Fraction of each value that is random (db_bench --compression_ratio): 0.5 compresses
    /// about 2x, 1.0 not at all
    #[arg(long, default_value_t = 0.5)]
    pub compressibility: f64,

    /// readrandomwriterandom: percentage of operations that are reads
    #[arg(long, default_value_t = 90)]
    pub read_percent: u32,

    /// Seek workloads: iterator steps after each seek (default 0 for seekrandom and
    /// seekrandomwhilewriting; 10 for fwdrange, revrange and their whilewriting forms, as
    /// benchmark.sh runs them)
    #[arg(long, value_name = "N")]
    pub seek_nexts: Option<usize>,

    /// Value sizes: fixed (--value-size), uniform or normal between --value-size-min and
    /// --value-size-max (db_bench's --value_size_distribution_type)
    #[arg(long, value_name = "KIND", default_value = "fixed")]
    pub value_size_distribution_type: crate::workload::ValueSizeDistribution,

    /// Smallest value of the uniform and normal distributions
    #[arg(long, value_name = "BYTES", default_value_t = 100)]
    pub value_size_min: usize,

    /// Largest value of the uniform and normal distributions
    #[arg(long, value_name = "BYTES", default_value_t = 102_400)]
    pub value_size_max: usize,

    /// readrandom and multireadrandom: read keys skewed as db_bench's
    /// --read_random_exp_range (0 uniform; e.g. 10 makes a few keys hot)
    #[arg(
        long,
        value_name = "RANGE",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub read_random_exp_range: f64,

    /// Keys start with a prefix number shared by about N keys (db_bench's --keys_per_prefix:
    /// prefix = key number % (num / N)); 0: no prefix
    #[arg(long, alias = "keys_per_prefix", value_name = "N", default_value_t = 0)]
    pub keys_per_prefix: u64,

    /// Bytes of that prefix (db_bench's --prefix_size); a non-zero size also sets RocksDB's
    /// prefix_extractor to fixed:SIZE, as db_bench does, unless the config sets one
    #[arg(long, alias = "prefix_size", value_name = "BYTES", default_value_t = 0)]
    pub prefix_size: usize,

    /// readrandommergerandom: percentage of operations that are merges (db_bench's
    /// --mergereadpercent)
    #[arg(long, default_value_t = 70)]
    pub merge_percent: u32,

    /// Seconds of unmeasured warm-up before each phase (same workload)
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub warmup: f64,

    /// Seed for key choice and value contents (same seed, same data)
    #[arg(long, default_value_t = 0x5EED)]
    pub seed: u64,

    /// Column families, db_bench's way: `default` and column_family_name_000001 ...; every
    /// op picks a family, every family spans the whole key space
    #[arg(long, default_value_t = 1)]
    pub num_column_families: usize,

    /// Ops go to the first N families only (db_bench's --num_hot_column_families)
    #[arg(long, value_name = "N")]
    pub num_hot_column_families: Option<usize>,

    /// Percent of the ops per hot family, e.g. 60,30,10 (default: equal shares)
    #[arg(long, value_name = "P1,P2,...")]
    pub column_family_distribution: Option<String>,

    #[command(flatten)]
    pub mixgraph: MixGraphArgs,

    #[command(flatten)]
    pub engine: EngineArgs,

    /// DB directory. Default: a fresh temporary directory that rdbtune creates, marks and
    /// removes afterwards. A named directory is created if missing and used if empty; one
    /// holding a RocksDB needs --db-reuse; one holding other files is refused. A named
    /// directory is never deleted.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Open the existing RocksDB at --db in place (writes go into it; it is never deleted)
    #[arg(long, requires = "db")]
    pub db_reuse: bool,

    /// Keep the temporary DB and print its path
    #[arg(long)]
    pub keep_db: bool,

    /// Do not wait for flushes and compactions after writing phases
    #[arg(long)]
    pub no_wait_for_compaction: bool,

    /// Write the rdbtune.result/v2 JSON to FILE (`-` for stdout; the table then goes to stderr)
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Write one CSV row per phase to FILE (`-` for stdout)
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,

    /// Write the HTML report (charts inline) to FILE
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// When stderr is not a terminal: a status line every SECS seconds of a phase (0: none)
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub status_interval: u64,

    #[command(flatten)]
    pub alert: AlertArgs,

    #[command(flatten)]
    pub measure: MeasureArgs,

    /// No progress bar, dashboard, status or alert lines, and no table (errors still go
    /// to stderr)
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// db_bench's mixgraph flags (underscore spellings accepted), with db_bench's defaults.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "mixgraph (db_bench's flags and defaults; docs/workloads.md)")]
pub struct MixGraphArgs {
    /// Key-range hotness f(x) = a*exp(b*x) + c*exp(d*x): a
    #[arg(
        long = "keyrange-dist-a",
        alias = "keyrange_dist_a",
        value_name = "X",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub keyrange_dist_a: f64,
    /// Key-range hotness: b
    #[arg(
        long = "keyrange-dist-b",
        alias = "keyrange_dist_b",
        value_name = "X",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub keyrange_dist_b: f64,
    /// Key-range hotness: c
    #[arg(
        long = "keyrange-dist-c",
        alias = "keyrange_dist_c",
        value_name = "X",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub keyrange_dist_c: f64,
    /// Key-range hotness: d
    #[arg(
        long = "keyrange-dist-d",
        alias = "keyrange_dist_d",
        value_name = "X",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub keyrange_dist_d: f64,
    /// Key ranges the key space is split into
    #[arg(
        long = "keyrange-num",
        alias = "keyrange_num",
        value_name = "X",
        default_value_t = 1,
        allow_negative_numbers = true
    )]
    pub keyrange_num: i64,
    /// Key access f(x) = a*x^b within the key space or a range (a or b 0: uniform keys, and the key ranges have no effect, as in db_bench)
    #[arg(
        long = "key-dist-a",
        alias = "key_dist_a",
        value_name = "X",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub key_dist_a: f64,
    /// Key access power law: b
    #[arg(
        long = "key-dist-b",
        alias = "key_dist_b",
        value_name = "X",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub key_dist_b: f64,
    /// Put value sizes, Generalized Pareto: theta
    #[arg(
        long = "value-theta",
        alias = "value_theta",
        value_name = "X",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub value_theta: f64,
    /// Put value sizes: k
    #[arg(
        long = "value-k",
        alias = "value_k",
        value_name = "X",
        default_value_t = 0.2615,
        allow_negative_numbers = true
    )]
    pub value_k: f64,
    /// Put value sizes: sigma
    #[arg(
        long = "value-sigma",
        alias = "value_sigma",
        value_name = "X",
        default_value_t = 25.45,
        allow_negative_numbers = true
    )]
    pub value_sigma: f64,
    /// Seek scan lengths, Generalized Pareto: theta
    #[arg(
        long = "iter-theta",
        alias = "iter_theta",
        value_name = "X",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub iter_theta: f64,
    /// Seek scan lengths: k
    #[arg(
        long = "iter-k",
        alias = "iter_k",
        value_name = "X",
        default_value_t = 2.517,
        allow_negative_numbers = true
    )]
    pub iter_k: f64,
    /// Seek scan lengths: sigma
    #[arg(
        long = "iter-sigma",
        alias = "iter_sigma",
        value_name = "X",
        default_value_t = 14.236,
        allow_negative_numbers = true
    )]
    pub iter_sigma: f64,
    /// Share of gets
    #[arg(
        long = "mix-get-ratio",
        alias = "mix_get_ratio",
        value_name = "X",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    pub mix_get_ratio: f64,
    /// Share of puts
    #[arg(
        long = "mix-put-ratio",
        alias = "mix_put_ratio",
        value_name = "X",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub mix_put_ratio: f64,
    /// Share of seeks
    #[arg(
        long = "mix-seek-ratio",
        alias = "mix_seek_ratio",
        value_name = "X",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub mix_seek_ratio: f64,
    /// Scan lengths are taken modulo this
    #[arg(
        long = "mix-max-scan-len",
        alias = "mix_max_scan_len",
        value_name = "X",
        default_value_t = 10000,
        allow_negative_numbers = true
    )]
    pub mix_max_scan_len: i64,
    /// Value sizes above this (at most 1 MiB) wrap around modulo it
    #[arg(
        long = "mix-max-value-size",
        alias = "mix_max_value_size",
        value_name = "X",
        default_value_t = 1024,
        allow_negative_numbers = true
    )]
    pub mix_max_value_size: i64,
    /// Pace the ops at the sine-wave rate (sine_a..d), over all threads
    #[arg(long = "sine-mix-rate", alias = "sine_mix_rate")]
    pub sine_mix_rate: bool,
    /// How often the sine rate is re-evaluated, ms
    #[arg(
        long = "sine-mix-rate-interval-milliseconds",
        alias = "sine_mix_rate_interval_milliseconds",
        value_name = "X",
        default_value_t = 10000
    )]
    pub sine_mix_rate_interval_milliseconds: u64,
    /// Sine-wave rate a*sin(b*t + c) + d ops/s: a
    #[arg(
        long = "sine-a",
        alias = "sine_a",
        value_name = "X",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    pub sine_a: f64,
    /// Sine-wave rate: b
    #[arg(
        long = "sine-b",
        alias = "sine_b",
        value_name = "X",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    pub sine_b: f64,
    /// Sine-wave rate: c
    #[arg(
        long = "sine-c",
        alias = "sine_c",
        value_name = "X",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub sine_c: f64,
    /// Sine-wave rate: d
    #[arg(
        long = "sine-d",
        alias = "sine_d",
        value_name = "X",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    pub sine_d: f64,
}

impl MixGraphArgs {
    /// The model parameters these flags give.
    pub fn spec(&self) -> crate::workload::mixgraph::MixGraphSpec {
        crate::workload::mixgraph::MixGraphSpec {
            keyrange_dist_a: self.keyrange_dist_a,
            keyrange_dist_b: self.keyrange_dist_b,
            keyrange_dist_c: self.keyrange_dist_c,
            keyrange_dist_d: self.keyrange_dist_d,
            keyrange_num: self.keyrange_num,
            key_dist_a: self.key_dist_a,
            key_dist_b: self.key_dist_b,
            value_theta: self.value_theta,
            value_k: self.value_k,
            value_sigma: self.value_sigma,
            iter_theta: self.iter_theta,
            iter_k: self.iter_k,
            iter_sigma: self.iter_sigma,
            mix_get_ratio: self.mix_get_ratio,
            mix_put_ratio: self.mix_put_ratio,
            mix_seek_ratio: self.mix_seek_ratio,
            mix_max_scan_len: self.mix_max_scan_len,
            mix_max_value_size: self.mix_max_value_size,
            sine_mix_rate_interval_milliseconds: self.sine_mix_rate_interval_milliseconds,
            sine_a: self.sine_a,
            sine_b: self.sine_b,
            sine_c: self.sine_c,
            sine_d: self.sine_d,
            sine_mix_rate: self.sine_mix_rate,
        }
    }
}

const YCSB_HELP: &str = "\
Workloads (upstream YCSB's workloads/workloada..f; -P workloads/workloada reads the same):
  a  50% read, 50% update, zipfian          d  95% read, 5% insert, latest
  b  95% read, 5% update, zipfian           e  95% scan (1..100), 5% insert, zipfian
  c  100% read, zipfian                     f  50% read, 50% read-modify-write, zipfian
Records as upstream builds them: fieldcount (10) fields named fieldnameprefix+i of
fieldlength (100) printable bytes (fieldlengthdistribution constant|uniform|zipfian|histogram),
stored as YCSB's RocksDB binding does (length-prefixed name/value pairs in Java HashMap
order); keys \"user\" + fnvhash64(n). An update reads the record, replaces one field (all with
writeallfields=true) and writes it back. Defaults finish in about a minute: 100,000 records
and operations; upstream's full size is --records 1000000 --operations 3000000.

Properties: -P FILE reads YCSB property files as they are; -p key=value sets one. Every
property CoreWorkload, the client, its measurements and the RocksDB binding read is honoured
with upstream's meaning or refused (exit 2); an unknown one is named in a warning.
docs/ycsb.md lists them all. Order: --workload, then -P files, then -p, then the flags.

Phases: load and run each open the DB and close it at the end (upstream runs them as two
client processes): the run starts with cold caches and the load's compaction debt pending
(--wait-for-compaction waits it away, untimed). The close is part of [CLEANUP].

Measurements as upstream: latencies in whole µs (truncated), [READ] for OK ops and
[READ-FAILED] for the others, Return= counts; an op that fails in RocksDB is Return=ERROR and
the run goes on. measurementtype hdrhistogram|histogram|hdrhistogram+histogram|timeseries,
hdrhistogram.percentiles, measurement.interval op|intended|both; exporter (Text, JSON,
JSONArray) and exportfile. --target OPS paces the run; -p measurement.interval=both prints
[Intended-READ] (latency from each op's scheduled start) beside [READ].

--binding upstream opens the DB as YCSB's RocksDB binding: records in the usertable column
family (-p table=NAME), optimizeLevelStyleCompaction, 2 x cores background jobs; or its
-p rocksdb.optionsfile=FILE.

Examples:
  rdbtune ycsb --workload a
  rdbtune ycsb -P workloads/workloadc --records 1000000 --operations 3000000 --threads 2
  rdbtune ycsb -P workloads/workloadb -p requestdistribution=uniform --format table
  rdbtune ycsb --workload c --target 5000 -p measurement.interval=both --phase both --db ./ycsb-db
  rdbtune ycsb --workload a --binding upstream -p exporter=site.ycsb.measurements.exporter.JSONArrayMeasurementsExporter";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum YcsbBinding {
    /// rdbtune's engine config (--preset, --set, ...), records in the default family
    Rdbtune,
    /// YCSB's RocksDB binding: usertable family, optimizeLevelStyleCompaction, 2 x cores jobs
    Upstream,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum YcsbPhase {
    Load,
    Run,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum YcsbFormat {
    /// YCSB's text format ([OVERALL], [READ], ...)
    Ycsb,
    /// rdbtune's tables
    Table,
    /// rdbtune.result/v2 JSON
    Json,
}

#[derive(Debug, Args)]
pub struct YcsbArgs {
    /// Core workload a, b, c, d, e or f
    #[arg(long, short = 'w')]
    pub workload: Option<String>,
    /// recordcount (default 100000)
    #[arg(long)]
    pub records: Option<u64>,
    /// operationcount (default 100000)
    #[arg(long)]
    pub operations: Option<u64>,
    /// Client threads (default: the threadcount property, else 1)
    #[arg(long, short = 't')]
    pub threads: Option<usize>,
    /// Target throughput of the run phase over all threads, ops/s (default: the target
    /// property, else unpaced)
    #[arg(long, value_name = "OPS", allow_negative_numbers = true)]
    pub target: Option<f64>,
    /// Which phases to run
    #[arg(long, value_enum, default_value = "both")]
    pub phase: YcsbPhase,
    /// After the load, wait (untimed) until no flush or compaction is pending before the run.
    /// Off by default, as upstream YCSB: its run starts with the load's compaction debt
    /// pending, and the run pays for it
    #[arg(long)]
    pub wait_for_compaction: bool,
    /// DB directory (default: a temporary one, removed afterwards); --phase run needs the
    /// --db of an earlier load, with --db-reuse
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Open the existing RocksDB at --db in place (it is never deleted)
    #[arg(long, requires = "db")]
    pub db_reuse: bool,
    /// Set a YCSB property (repeatable)
    #[arg(short = 'p', value_name = "KEY=VALUE")]
    pub properties: Vec<String>,
    /// Read a YCSB property file (repeatable)
    #[arg(short = 'P', value_name = "FILE")]
    pub property_files: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "ycsb")]
    pub format: YcsbFormat,
    /// Write the output to FILE instead of stdout (atomically)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the HTML report (charts inline) to FILE
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Seconds between YCSB status lines on stderr (default: the status.interval property,
    /// else 10; 0: none). Given explicitly, it also replaces the terminal dashboard with
    /// those lines
    #[arg(long, value_name = "SECS")]
    pub status_interval: Option<u64>,
    /// Upstream's status lines on stderr, also on a terminal (YCSB's -s)
    #[arg(short = 's')]
    pub status: bool,
    /// How records reach RocksDB: rdbtune's engine flags, or as upstream YCSB's RocksDB
    /// binding sets the DB up (default rdbtune)
    #[arg(long, value_enum)]
    pub binding: Option<YcsbBinding>,
    /// Seed for key choice and values
    #[arg(long, default_value_t = 0x5EED)]
    pub seed: u64,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub alert: AlertArgs,
    #[command(flatten)]
    pub measure: MeasureArgs,
    /// No status lines, dashboard or alert lines
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// DB directory
    #[arg(long, value_name = "PATH")]
    pub db: PathBuf,
    /// Print rdbtune.dbstats/v1 JSON instead of text
    #[arg(long)]
    pub json: bool,
    /// Print again every SECS seconds until interrupted (opens a secondary instance that
    /// follows the writing process)
    #[arg(long, value_name = "SECS")]
    pub watch: Option<f64>,
    /// Open as a RocksDB secondary instance: for a DB another process is writing now
    #[arg(long)]
    pub secondary: bool,
    /// Add RocksDB's own rocksdb.stats text
    #[arg(long)]
    pub verbose: bool,
    /// Only this column family (default: every family, and their totals)
    #[arg(long, value_name = "NAME")]
    pub cf: Option<String>,
}
