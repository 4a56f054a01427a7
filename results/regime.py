"""
The regime map: the whole recipe at several SSFT budgets (one seed), to see where the paper's
claims can hold. For each budget: SSFT for that many steps, the CE evaluator on the model's own
samples of the fresh problems SSFT held out (the scripts' defaults), re-ranking with N samples
of each validation problem (every rule, the evaluator-free control), and step 3's sequential
CE variant beside its extra-MLE control; then one figure of every number against the SSFT
budget. Every number is read on the validation split: the map chooses budgets, so the test
split is never read here.

    python -m results.regime                               # budgets 200 400 800, seed 1
    python -m results.regime --dry_run                     # list the runs, run nothing

Each run is its script's own directory under --out/<budget>/ (resumable: a run whose
metrics.json exists is kept). Writes --out/regime.json (with the split it read) and
regime.png, and prints the table.
"""
import argparse
import importlib
import json
import os

from common import pyplot
from records import write_json

RUNS = ["sft", "verifier", "rerank", "mle", "joint"]


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--budgets", nargs="+", type=int, default=[200, 400, 800],
                   help="SSFT optimizer steps")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--n", type=int, default=16, help="samples per validation problem")
    p.add_argument("--out", default="out/regime")
    p.add_argument("--dry_run", action="store_true")
    return p.parse_args(argv)


def commands(b, seed, n, out):
    """[(run name, script, argv)] for one SSFT budget, in order."""
    d = lambda name: os.path.join(out, str(b), name)
    sft = os.path.join(d("sft"), "ckpt.pt")
    cands = os.path.join(d("verifier"), "candidates.jsonl")
    common = ["--seed", str(seed), "--no_progress"]
    return [
        ("sft", "train_sft", ["--max_steps", str(b), "--eval_interval", str(b),
                              "--eval_split", "val", "--out_dir", d("sft")] + common),
        ("verifier", "train_verifier", ["--generator", sft, "--loss", "ce", "--out_dir",
                                        d("verifier")] + common),
        ("rerank", "rerank", ["--generator", sft, "--evaluator",
                              os.path.join(d("verifier"), "ckpt.pt"), "--n_samples", str(n),
                              "--eval_split", "val", "--out_dir", d("rerank")] + common),
        ("mle", "train_joint", ["--generator", sft, "--objective", "mle", "--candidates", cands,
                                "--eval_split", "val", "--out_dir", d("mle")] + common),
        ("joint", "train_joint", ["--generator", sft, "--objective", "evaluator", "--loss", "ce",
                                  "--candidates", cands, "--eval_split", "val",
                                  "--out_dir", d("joint")] + common),
    ]


def run_budget(b, args):
    for name, script, argv in commands(b, args.seed, args.n, args.out):
        out_dir = os.path.join(args.out, str(b), name)
        if args.dry_run:
            print(f"python {script}.py {' '.join(argv)}")
            continue
        if os.path.isfile(os.path.join(out_dir, "metrics.json")):
            continue
        importlib.import_module(script).main(argv)


def summary(b, args):
    """One budget's numbers (fractions) from its runs' metrics files."""
    m = {}
    for name in RUNS:
        with open(os.path.join(args.out, str(b), name, "metrics.json")) as f:
            m[name] = json.load(f)
    rr, N = m["rerank"], args.n
    K = rr["K"]
    return {"budget": b, "greedy": rr["pass@1"], "one sample": rr["curves"]["1"]["maj1"]["mean"],
            f"Maj1@{N}": rr[f"maj1@{N}"], f"RR.Top{K}@{N}": rr[f"rr_top{K}@{N}"],
            f"W.RR.Top{K}@{N}": rr[f"w_rr_top{K}@{N}"],
            f"W.RR.Top{K}@{N}, mean token prob.": rr.get(f"lp_w_rr_top{K}@{N}"),
            f"Pass@{N}": rr[f"pass@{N}"], "evaluator AUC": m["verifier"]["auc"],
            "evaluator pair accuracy": m["verifier"]["pair_accuracy"],
            "step 3 control (greedy)": m["mle"]["pass@1"],
            "step 3 sequential CE (greedy)": m["joint"]["pass@1"]}


def plot(rows, path):
    plt = pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.set_prop_cycle(color=plt.cm.tab20.colors)  # a distinct colour for each of 11 lines
    xs = [r["budget"] for r in rows]
    for k in rows[0]:
        if k != "budget" and all(r[k] is not None for r in rows):
            ax.plot(xs, [r[k] for r in rows], "o--" if "evaluator" in k or "step 3" in k
                    else "o-", label=k)
    ax.set_xscale("log")
    ax.set_xticks(xs, [str(x) for x in xs])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set_xlabel("SSFT steps (batch 32)")
    ax.set_ylabel("validation accuracy / evaluator metric")
    ax.legend(fontsize=6, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None):
    args = get_args(argv)
    for b in args.budgets:
        run_budget(b, args)
    if args.dry_run:
        return None
    rows = [summary(b, args) for b in args.budgets]
    keys = [k for k in rows[0] if k != "budget"]
    pct = lambda v: "-" if v is None else f"{100 * v:.1f}"
    lines = ["| SSFT steps | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    lines += [f"| {r['budget']} | " + " | ".join(pct(r[k]) for k in keys) + " |" for r in rows]
    print("\n".join(lines))
    write_json(os.path.join(args.out, "regime.json"),
               {"split": "val", "rows": rows, "args": vars(args)})
    plot(rows, os.path.join(args.out, "regime.png"))
    return rows


if __name__ == "__main__":
    main()
