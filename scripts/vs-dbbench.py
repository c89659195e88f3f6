#!/usr/bin/env python3
"""rdbtune bench vs Debian's db_bench (rocksdb-tools, RocksDB 7.8.3) on the workloads both
have, with the same engine settings: rdbtune's `db_bench` preset is db_bench's own OPTIONS
file and 8 MiB LRU cache, so neither side gets a different config. Each round runs both
tools on fresh DBs, in alternating order; the ratio is rdbtune / db_bench of the medians.

Env: NUM (key space, default 1000000), READS (ops of read phases, default NUM/2), REPEATS
(rounds, default 5), THREADS (default 1), RDBTUNE (binary).
"""
import json, os, re, shutil, statistics, subprocess, sys, tempfile

NUM = int(os.environ.get("NUM", "1000000"))
READS = int(os.environ.get("READS", str(NUM // 2)))
REPEATS = int(os.environ.get("REPEATS", "5"))
THREADS = int(os.environ.get("THREADS", "1"))
RDB = os.environ.get("RDBTUNE", os.path.expanduser("~/.cache/rdbtune-target/release/rdbtune"))
# (name, rdbtune phases, db_bench benchmarks, which phase is measured)
CASES = [
    ("fillseq", "fillseq", "fillseq", "fillseq"),
    ("fillrandom", "fillrandom", "fillrandom", "fillrandom"),
    ("fillbatch", "fillbatch", "fillbatch", "fillbatch"),
    ("readrandom", "fillseq,readrandom", "fillseq,waitforcompaction,readrandom", "readrandom"),
    ("seekrandom", "fillseq,seekrandom", "fillseq,waitforcompaction,seekrandom", "seekrandom"),
    ("multireadrandom", "fillseq,multireadrandom", "fillseq,waitforcompaction,multireadrandom", "multireadrandom"),
    ("updaterandom", "fillseq,updaterandom", "fillseq,waitforcompaction,updaterandom", "updaterandom"),
]


def rdbtune(phases, measured):
    d = tempfile.mkdtemp(prefix="vs-dbbench-rdb-")
    try:
        args = [RDB, "bench", "-q", "--preset", "db_bench", "--workload", phases,
                "--num", str(NUM), "--reads", str(READS), "--threads", str(THREADS),
                "--db", os.path.join(d, "db"), "--json", "-"]
        if "multiread" in phases:
            args += ["--batch-size", "10"]
        v = json.loads(subprocess.run(args, check=True, capture_output=True).stdout)
        return next(p["ops_per_sec"] for p in v["runs"][0]["phases"] if p["workload"] == measured)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def db_bench(benchmarks, measured):
    d = tempfile.mkdtemp(prefix="vs-dbbench-db-")
    try:
        per_thread = READS // THREADS
        args = ["db_bench", f"--db={d}", f"--benchmarks={benchmarks}", f"--num={NUM}",
                f"--threads={THREADS}", "--statistics=1", "--compression_ratio=0.5",
                f"--writes={NUM // THREADS}" if THREADS > 1 else "--writes=-1"]
        if measured not in ("fillseq", "fillrandom", "fillbatch"):
            args.append(f"--reads={per_thread}")
        if "multiread" in benchmarks:
            args += ["--batch_size=10", "--multiread_batched=true"]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        line = next(l for l in out.splitlines() if l.startswith(measured + " ") and "ops/sec" in l)
        return float(re.search(r"(\d+) ops/sec", line).group(1))
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    if shutil.which("db_bench") is None:
        print("vs-dbbench: db_bench is not installed (Debian: apt-get install rocksdb-tools)", file=sys.stderr)
        return 2
    only = sys.argv[1:]
    print(f"rdbtune --preset db_bench vs db_bench 7.8.3: --num {NUM}, {READS} reads, {THREADS} thread(s), "
          f"{REPEATS} interleaved rounds; ops/s of the measured phase, medians")
    print(f"{'workload':<16} {'rdbtune ops/s':>14} {'db_bench ops/s':>15} {'ratio':>6}  rounds (rdbtune/db_bench)")
    for name, phases, benchmarks, measured in CASES:
        if only and name not in only:
            continue
        a, b = [], []
        for i in range(REPEATS):
            if i % 2 == 0:
                a.append(rdbtune(phases, measured)); b.append(db_bench(benchmarks, measured))
            else:
                b.append(db_bench(benchmarks, measured)); a.append(rdbtune(phases, measured))
        ma, mb = statistics.median(a), statistics.median(b)
        rounds = " ".join(f"{x / y:.2f}" for x, y in zip(a, b))
        print(f"{name:<16} {ma:>14,.0f} {mb:>15,.0f} {ma / mb:>6.2f}  {rounds}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
