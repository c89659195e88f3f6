#!/usr/bin/env bash
# Harness overhead: rdbtune bench vs a bare Rust loop over the same RocksDB calls, options,
# keys and values (examples/bare_loop.rs), alternated REPEATS times; db_bench too when it is
# installed (Debian: apt-get install rocksdb-tools). Prints ops/s of each run.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rdbtune-target}"
NUM="${NUM:-1000000}"
REPEATS="${REPEATS:-3}"
cargo build --release --locked --quiet --bin rdbtune --example bare_loop
RDB="$CARGO_TARGET_DIR/release/rdbtune"
BARE="$CARGO_TARGET_DIR/release/examples/bare_loop"
ops() { python3 -c "import json,sys; d=json.load(sys.stdin); print(' '.join('%s=%.0f' % (p['workload'], p['ops_per_sec']) for p in d['runs'][0]['phases']))"; }
for i in $(seq "$REPEATS"); do
  echo "== round $i"
  echo -n "rdbtune fillbatch(1000):        "; "$RDB" bench -q --workload fillbatch --batch-size 1000 --num "$NUM" --json - | ops
  echo -n "bare    fillbatch(1000):        "; "$BARE" fillbatch "$NUM" 1000 | awk '{printf "%s=%s ", $1, $8} END {print ""}'
  echo -n "rdbtune fillrandom,readrandom:  "; "$RDB" bench -q --workload fillrandom,readrandom --num "$NUM" --json - | ops
  echo -n "bare    fillrandom,readrandom:  "; "$BARE" fillrandom,readrandom "$NUM" | awk '{printf "%s=%s ", $1, $8} END {print ""}'
  if command -v db_bench >/dev/null 2>&1; then
    for b in fillbatch fillrandom,waitforcompaction,readrandom; do
      d=$(mktemp -d)
      printf "db_bench %-31s " "$b:"
      db_bench --db="$d" --benchmarks="$b" --num="$NUM" --value_size=100 --key_size=16 \
        --compression_type=lz4 --compression_ratio=0.5 --cache_size=33554432 --cache_type=hyper_clock_cache \
        --statistics=1 --threads=1 2>/dev/null \
        | awk '/micros\/op/ && !/waitforcompaction/ {printf "%s=%s ", $1, $5} END {print ""}'
      rm -rf "$d"
    done
  fi
done
