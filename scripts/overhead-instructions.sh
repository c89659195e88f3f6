#!/usr/bin/env bash
# Harness overhead in instructions per operation (valgrind callgrind), which unlike wall time
# does not move with the machine's noise. Each program runs at N and 2N operations; the
# difference divided by N is the per-op cost, so start-up and DB open cancel out.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rdbtune-target}"
N="${N:-100000}"
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
cargo build --release --locked --quiet --bin rdbtune --example bare_loop
RDB="$CARGO_TARGET_DIR/release/rdbtune"
BARE="$CARGO_TARGET_DIR/release/examples/bare_loop"
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
per_op() { # name, rdbtune args..., --, bare args (N substituted as @N@)
  local name=$1; shift
  local r=() b=() side=r
  for a in "$@"; do
    if [ "$a" = "--" ]; then side=b; continue; fi
    if [ $side = r ]; then r+=("$a"); else b+=("$a"); fi
  done
  local r1 r2 b1 b2
  r1=$(count "$RDB" "${r[@]//@N@/$N}"); r2=$(count "$RDB" "${r[@]//@N@/$((2 * N))}")
  b1=$(count "$BARE" "${b[@]//@N@/$N}"); b2=$(count "$BARE" "${b[@]//@N@/$((2 * N))}")
  python3 -c "r=($r2-$r1)/$N; b=($b2-$b1)/$N; print(f'$name: rdbtune {r:.0f} instr/op, bare {b:.0f} instr/op, overhead {100*(r-b)/b:+.1f}%')"
}
per_op "fillrandom" bench -q --workload fillrandom --num @N@ --no-wait-for-compaction -- fillrandom @N@
per_op "fillbatch(1000)" bench -q --workload fillbatch --batch-size 1000 --num @N@ -- fillbatch @N@ 1000
per_op "fillrandom+readrandom" bench -q --workload fillrandom,readrandom --num @N@ -- fillrandom,readrandom @N@
