#!/usr/bin/env python3
"""TPE vs random search at equal time budget (docs/tuning.md, "Does TPE earn its time?").

For each target and seed: one `rdbtune tune --search tpe` and one `--search random` with the
same budget, seed and data; then the two winners side by side in one sweep (a scenario with
two [[trial]]s from their recommended.toml, interleaved repeats on fresh loads), so the
comparison is paired and carries rdbtune's 95% interval. Prints a Markdown table.

Usage: scripts/tune-ablation.py [--budget 5m] [--seeds 1,2,3] [--repeats 5] [--out DIR]
Needs the release build (make build), or the binary named by $RDBTUNE. Takes about (2 x budget + 3 min) per target and seed.
"""
import argparse
import json
import os
import subprocess
import sys
import tomllib

TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/rdbtune-target"))
RDB = os.environ.get("RDBTUNE", os.path.join(TARGET, "release", "rdbtune"))

# (name, tune flags, scenario phases for the side-by-side sweep, objective metric there)
TARGETS = [
    (
        "ycsb-a",
        ["--workload", "ycsb-a", "--records", "200000", "--memory-budget", "512MiB"],
        'num = 200000\n\n[[phase]]\nworkload = "ycsb-load"\nycsb = "a"\n\n'
        '[[phase]]\nworkload = "ycsb-run"\nycsb = "a"\nduration_s = {run_s}\n',
        "ycsb-run.debt_ops_per_sec",
    ),
    (
        "readrandomwriterandom",
        [
            "--workload",
            "readrandomwriterandom",
            "--records",
            "500000",
            "--memory-budget",
            "512MiB",
        ],
        'num = 500000\n\n[[phase]]\nworkload = "fillrandom"\n\n'
        '[[phase]]\nworkload = "readrandomwriterandom"\nduration_s = {run_s}\n',
        "readrandomwriterandom.debt_ops_per_sec",
    ),
]


def tune(out, flags, search, budget, seed):
    if os.path.exists(os.path.join(out, "tune.json")):
        return json.load(open(os.path.join(out, "tune.json")))
    cmd = [RDB, "tune", *flags, "--time-budget", budget, "--search", search, "--seed", str(seed),
           "--holdout", "none", "--no-explain", "--quiet", "--out", out]
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return json.load(open(os.path.join(out, "tune.json")))


def engine_table(path):
    with open(path, "rb") as f:
        eng = tomllib.load(f)["engine"]
    lines = []
    for k, v in eng.items():
        if k in ("path", "options_file", "base_options", "base_family") or v == [] and k == "column_families":
            continue
        lines.append(f"{k} = {toml_value(v)}")
    return "\n".join(lines)


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise ValueError(f"cannot write {v!r}")


def side_by_side(out, phases, metric, tpe_dir, rnd_dir, run_s, repeats):
    res = os.path.join(out, "results.json")
    if not os.path.exists(res):
        scn = os.path.join(out + ".toml")
        text = (f'name = "tpe-vs-random"\n[data]\n{phases.format(run_s=run_s)}\n[run]\nrepeats = {repeats}\n\n'
                f'[recommend]\nobjective = "maximize {metric}"\n\n')
        for name, d in (("tpe", tpe_dir), ("random", rnd_dir)):
            text += f'[[trial]]\nname = "{name}"\n{engine_table(os.path.join(d, "recommended.toml"))}\n\n'
        os.makedirs(os.path.dirname(scn), exist_ok=True)
        open(scn, "w").write(text)
        cmd = [RDB, "run", scn, "--out", out, "-q"]
        print("+", " ".join(cmd), file=sys.stderr, flush=True)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    r = json.load(open(res))
    med = {s["id"]: s["estimates"][metric]["median"] for s in r["summaries"]}
    return med, r


def ratio_ci(r):
    """TPE winner / random winner on the objective with rdbtune's own 95% interval (the
    sweep's recommendation margin: Welch, delta method on the log ratio)."""
    rec = r["recommendation"]
    m = rec["margin"]
    lo, mid, hi = 1 + m["rel_low"], 1 + m["rel"], 1 + m["rel_high"]
    if rec["winner"] == "tpe":
        return mid, lo, hi
    return 1 / mid, 1 / hi, 1 / lo


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", default="5m")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", default="results/tune-ablation")
    ap.add_argument("--targets", default=",".join(t[0] for t in TARGETS))
    a = ap.parse_args()
    rows = []
    for name, flags, phases, metric in TARGETS:
        if name not in a.targets.split(","):
            continue
        for seed in [int(s) for s in a.seeds.split(",")]:
            base = os.path.join(a.out, name, f"seed{seed}")
            t = tune(os.path.join(base, "tpe"), flags, "tpe", a.budget, seed)
            r = tune(os.path.join(base, "random"), flags, "random", a.budget, seed)
            run_s = max(t["run_s"], 5.0)
            med, res = side_by_side(os.path.join(base, "side-by-side"), phases, metric,
                                        os.path.join(base, "tpe"), os.path.join(base, "random"),
                                        run_s, a.repeats)
            ratio, lo, hi = ratio_ci(res)
            rows.append((name, seed, len(t["history"]), len(r["history"]), med["tpe"], med["random"], ratio, lo, hi))
            print(f"{name} seed {seed}: tpe/random {ratio:.3f} [{lo:.3f}, {hi:.3f}]", file=sys.stderr, flush=True)
    print(f"| target | seed | evaluations TPE / random | TPE winner (median ops/s) | random winner | TPE / random [95% CI] |")
    print("|---|---|---|---|---|---|")
    for name, seed, nt, nr, mt, mr, ratio, lo, hi in rows:
        verdict = "TPE better" if lo > 1 else ("random better" if hi < 1 else "within noise")
        print(f"| {name} | {seed} | {nt} / {nr} | {mt:,.0f} | {mr:,.0f} | {ratio:.3f} [{lo:.3f}, {hi:.3f}] {verdict} |")


if __name__ == "__main__":
    main()
