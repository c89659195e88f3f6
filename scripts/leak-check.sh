#!/usr/bin/env bash
# Runs the engine tests (real RocksDB: open, batches, transactions, stats) under valgrind
# memcheck and fails on a definite leak or a memory error. RocksDB under valgrind is ~50x
# slower: expect a few minutes. Needs valgrind (apt-get install -y valgrind).
#
#   scripts/leak-check.sh            # all engine tests
#   scripts/leak-check.sh stats      # only tests whose name contains "stats"
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rdbtune-target}"
command -v valgrind >/dev/null || { echo "valgrind is not installed: apt-get install -y valgrind" >&2; exit 2; }
bin=$(cargo test --release --locked --test engine --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "engine":
        print(m["executable"])')
echo "memcheck: $bin ${1:-}" >&2
log=$(mktemp)
set +e
valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite --error-exitcode=99 --num-callers=30 \
  --log-file="$log" "$bin" --test-threads 1 ${1:+"$1"}
rc=$?
set -e
grep -E "definitely lost|indirectly lost|possibly lost|ERROR SUMMARY|still reachable" "$log" | tail -6
if [ $rc -eq 99 ]; then
  echo "memcheck found errors or definite leaks; full log: $log" >&2
  exit 1
fi
echo "memcheck: no definite leaks, no memory errors (exit $rc); full log: $log" >&2
exit $rc
