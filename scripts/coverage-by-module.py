#!/usr/bin/env python3
"""Line coverage per top-level module of src/ from cargo-llvm-cov's JSON summary."""
import json, os, sys
from collections import defaultdict

data = json.load(open(sys.argv[1]))
by = defaultdict(lambda: [0, 0])
for f in data["data"][0]["files"]:
    name = f["filename"]
    if "/src/" not in name or "/.cargo/" in name:
        continue
    rel = name.split("/src/", 1)[1]
    mod = rel.split("/", 1)[0].removesuffix(".rs")
    lines = f["summary"]["lines"]
    by[mod][0] += lines["covered"]
    by[mod][1] += lines["count"]
tot = [sum(v[0] for v in by.values()), sum(v[1] for v in by.values())]
print(f"{'module':<12} {'lines':>7} {'covered':>8} {'%':>6}")
for m in sorted(by):
    c, n = by[m]
    print(f"{m:<12} {n:>7} {c:>8} {100 * c / max(n, 1):>6.1f}")
print(f"{'total':<12} {tot[1]:>7} {tot[0]:>8} {100 * tot[0] / max(tot[1], 1):>6.1f}")
