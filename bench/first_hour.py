"""
A learner's first hour, measured: the three commands README starts with, run as a learner
runs them (no flags, one after the other, nothing else running), each timed (wall seconds,
peak memory), plus the re-ranking on the validation split that the settings were checked on.

    python -m bench.first_hour            # about 12 minutes on a 2-core CPU
    python -m bench.first_hour --render   # the table README shows, from bench/first_hour.json

The runs write where the commands write by default (out/sft, out/verifier, out/rerank;
out/rerank-val for the validation re-ranking). Writes bench/first_hour.json.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

import torch

from records import write_json

COMMANDS = [  # (name, command line, its metrics file)
    ("train_sft", ["train_sft.py"], "out/sft/metrics.json"),
    ("train_verifier", ["train_verifier.py"], "out/verifier/metrics.json"),
    ("rerank (val)", ["rerank.py", "--eval_split", "val", "--out_dir", "out/rerank-val"],
     "out/rerank-val/metrics.json"),
    ("rerank", ["rerank.py"], "out/rerank/metrics.json"),
]
FIRST_HOUR = ["train_sft", "train_verifier", "rerank"]  # README's three commands, no flags
RULES = ["pass@1", "maj1@16", "rr_all@16", "rr_top2@16", "w_rr_top2@16", "pass@16"]


def run(cmd):
    """(wall seconds, peak resident memory in GB) of one command, as a learner runs it."""
    t0 = time.time()
    proc = subprocess.Popen([sys.executable, *cmd], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own resource usage
    if status != 0:
        raise SystemExit(f"python {' '.join(cmd)} failed (status {status})")
    return round(time.time() - t0, 1), round(usage.ru_maxrss / 1e6, 2)  # ru_maxrss: KB


def machine():
    """The CPU's model name, its widest vector instructions (Linux) and core count: torch
    picks its CPU kernels by the instruction set, and another set can train other weights."""
    name, simd = platform.processor() or platform.machine(), ""
    if os.path.exists("/proc/cpuinfo"):
        info = open("/proc/cpuinfo").read()
        name = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                     if line.startswith("model name")), name)
        flags = next((line.split(":", 1)[1].split() for line in info.splitlines()
                      if line.startswith("flags")), [])
        simd = next((f" ({s})" for flag, s in (("avx512f", "AVX-512"), ("avx2", "AVX2"))
                     if flag in flags), "")
    return f"{name}{simd}, {os.cpu_count()} cores"


def summary(name, m):
    """The numbers README shows from one command's metrics.json."""
    if name == "train_sft":  # training seconds: the optimizer steps, evaluations left out
        return {"split": m["split"], "greedy": m["pass@1"], "train_seconds": m["train_seconds"],
                "steps": m["steps"], "optimizer_seconds": m["history"][-1]["seconds"]}
    if name == "train_verifier":
        out = {k: m[k] for k in ("auc", "pair_accuracy", "sample_seconds", "train_seconds")
               if k in m}
        if "held_out" in m:  # the large held-out report: the evaluator beside the likelihood
            h = m["held_out"]
            out.update(n_pairs_distinct=h["n_pairs_distinct"], vote_top2=h["vote_top2"], **{
                f"{who}_{k}": h["scorers"][name][k] for who, name in
                (("evaluator", "evaluator"), ("likelihood", "likelihood"))
                for k in ("pair_accuracy_distinct", "top2_decision")})
        return out
    return {"split": m.get("split"), **{k: m[k] for k in RULES if k in m},
            **{k: m[k] for k in ("sample_seconds", "seconds") if k in m}}


def parts(r):
    """(training, sampling) seconds of one run's wall time, None where the summary lacks them
    (files written before they were recorded)."""
    s = r["summary"]
    if r["name"] == "train_sft":
        return s.get("optimizer_seconds"), None  # its greedy reports: in the rest
    return s.get("train_seconds"), s.get("sample_seconds")


def render_parts(saved):
    """Where each command's wall time goes: the optimizer steps, the sampling, the rest
    (loading, scoring, grading, the reports); and the first hour's total."""
    first = [r for r in saved["runs"] if r["name"] in FIRST_HOUR]
    total = (f"The first hour (`{'`, `'.join(FIRST_HOUR)}`): "
             f"{sum(r['wall_seconds'] for r in first):.0f} s")
    if any(parts(r) == (None, None) for r in saved["runs"]):
        return total + "."  # a file written before the parts were recorded
    lines = ["| command | wall | training | sampling | the rest |", "|---|---|---|---|---|"]
    sec = lambda v: "-" if v is None else f"{v:.0f} s"
    for r in saved["runs"]:
        train, sample = parts(r)
        rest = r["wall_seconds"] - (train or 0) - (sample or 0)
        lines.append(f"| `python {' '.join(r['command'])}` | {r['wall_seconds']:.0f} s | "
                     f"{sec(train)} | {sec(sample)} | {rest:.0f} s |")
    return "\n".join(lines) + (f"\n\n{total}, of which "
                               f"{sum(parts(r)[0] or 0 for r in first):.0f} s the optimizer steps.")


def render(saved):
    pct = lambda v: f"{100 * v:.1f}"
    lines = ["| command | wall | peak memory | what it reports |", "|---|---|---|---|"]
    for r in saved["runs"]:
        s = r["summary"]
        if r["name"] == "train_sft":
            what = f"greedy {pct(s['greedy'])}% on {s['split']} ({s['steps']} steps)"
        elif r["name"] == "train_verifier" and "n_pairs_distinct" in s:
            what = (f"evaluator AUC {s['auc']:.3f}; pair accuracy over "
                    f"{s['n_pairs_distinct']:,} distinct-text pairs "
                    f"{s['evaluator_pair_accuracy_distinct']:.3f} (the generator's likelihood "
                    f"{s['likelihood_pair_accuracy_distinct']:.3f}); top-2 decision "
                    f"{s['evaluator_top2_decision']:.3f} (likelihood "
                    f"{s['likelihood_top2_decision']:.3f}, the vote {s['vote_top2']:.3f}) (val)")
        elif r["name"] == "train_verifier":
            what = f"evaluator AUC {s['auc']:.3f}, pair accuracy {s['pair_accuracy']:.3f}"
        else:
            what = ", ".join(f"{k} {pct(s[k])}" for k in RULES if k in s) + f" ({s['split']})"
        lines.append(f"| `python {' '.join(r['command'])}` | {r['wall_seconds']:.0f} s | "
                     f"{r['peak_gb']:.2f} GB | {what} |")
    lines.append(f"\n{saved['machine']}, torch {saved['torch']}, {saved['threads']} threads; "
                 "`python -m bench.first_hour`.")
    return "\n".join(lines) + "\n\n" + render_parts(saved)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="bench/first_hour.json")
    p.add_argument("--render", action="store_true")
    args = p.parse_args(argv)
    if not args.render:
        runs = []
        for name, cmd, metrics in COMMANDS:
            print(f"running python {' '.join(cmd)}", flush=True)
            wall, peak = run(cmd)
            runs.append({"name": name, "command": cmd, "wall_seconds": wall, "peak_gb": peak,
                         "summary": summary(name, json.load(open(metrics)))})
            print(f"  {wall:.0f} s, {runs[-1]['summary']}", flush=True)
        write_json(args.out, {"runs": runs, "machine": machine(), "threads": torch.get_num_threads(),
                              "torch": torch.__version__})
    print(render(json.load(open(args.out))))


if __name__ == "__main__":
    main()
