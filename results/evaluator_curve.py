"""
The evaluator's learning curve: held-out ROC AUC and within-problem pair accuracy against the
number of problems whose samples it learns from. One SSFT checkpoint samples --n_samples
solutions of the largest number of problems asked for (the run's fresh problems, or with
--candidates_from train its training problems) and of the validation problems once
(train_verifier.py's own sampling); then, for each smaller number of problems and each loss, a
new evaluator is trained on the samples of only the first problems and scored on the same
held-out validation candidates.

    python -m results.evaluator_curve --generator out/repro/seed1/sft/ckpt.pt \
        --candidates out/repro/seed1/verifier/candidates.jsonl     # reproduce's own samples
    python -m results.evaluator_curve --problems 100 400 --losses ce --max_steps 100

Writes --out/candidates.jsonl, one train_verifier.py run per (loss, problems) under --out
(resumable: a run whose metrics.json exists is read), --out/evaluator_curve.json, and
evaluator_curve.png when matplotlib is installed; prints the table docs/results.md shows.
"""
import argparse
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
from common import pyplot, run_sampling
from records import write_json, write_jsonl
from data import load_run_splits
from model import load_run
from train_verifier import main as train_verifier
from candidates import read_candidates, training_and_val_candidates


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--generator", default="out/sft/ckpt.pt", help="the SSFT generator")
    p.add_argument("--problems", nargs="+", type=int, default=[200, 400, 800, 1600, 3200],
                   help="problems whose samples the evaluator learns from")
    p.add_argument("--candidates_from", default="fresh", choices=["train", "fresh"],
                   help="as train_verifier.py: the run's fresh problems or its training ones")
    p.add_argument("--candidates", default=None,
                   help="a train_verifier.py candidates.jsonl of the same checkpoint to use "
                        "instead of sampling (copied to --out)")
    p.add_argument("--n_val_problems", type=int, default=500,
                   help="validation problems whose samples are the held-out candidates")
    p.add_argument("--n_samples", type=int, default=16)
    p.add_argument("--losses", nargs="+", default=["ce", "margin"], choices=["ce", "margin"])
    p.add_argument("--max_steps", type=int, default=300, help="the fewest steps of any run")
    p.add_argument("--steps_per_problem", type=float, default=0.5,
                   help="a run on n problems trains max(--max_steps, n x this) steps: 0.5 is "
                        "one pass over 16 candidates per problem at batch 32, so more problems "
                        "are not cut short by a fixed budget")
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--out", default="out/evaluator_curve")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return p.parse_args(argv)


def candidates(args):
    """Samples of max(problems) problems and of the validation problems, graded."""
    path = os.path.join(args.out, "candidates.jsonl")
    if not os.path.isfile(path):
        if args.candidates:
            cands = read_candidates(args.candidates)
        else:
            model, tok, ckpt = load_run(args.generator)
            rc = ckpt["run_config"]
            sampling = run_sampling(rc, args.device, n=args.n_samples, temperature=0.9,
                                    top_p=0.95, batch_size=256, seed=args.seed)
            cands = training_and_val_candidates(
                model.to(args.device), tok, load_run_splits(rc, report=lambda *a: None),
                (args.candidates_from, max(args.problems), args.n_val_problems, args.n_samples),
                sampling,
                progress=False)
        os.makedirs(args.out, exist_ok=True)
        write_jsonl(path, cands)
    return read_candidates(path)


def main(argv=None):
    args = get_args(argv)
    cands = candidates(args)
    order = list(dict.fromkeys(c["problem_id"] for c in cands if c["split"] == "train"))
    rows = []
    for n in sorted(args.problems):
        keep = set(order[:n])  # the first n training problems, every held-out candidate
        subset = [c for c in cands if c["split"] == "val" or c["problem_id"] in keep]
        sub_path = os.path.join(args.out, f"candidates-{n}.jsonl")
        write_jsonl(sub_path, subset)
        steps = max(args.max_steps, round(n * args.steps_per_problem))
        for loss in args.losses:
            out_dir = os.path.join(args.out, f"{loss}-{n}")
            if not os.path.isfile(os.path.join(out_dir, "metrics.json")):
                train_verifier(["--generator", args.generator, "--candidates", sub_path, "--loss",
                                loss, "--max_steps", str(steps), "--seed",
                                str(args.seed), "--device", args.device, "--no_progress",
                                "--out_dir", out_dir])
            with open(os.path.join(out_dir, "metrics.json")) as f:
                m = json.load(f)
            rows.append({"loss": loss, "problems": n, "steps": steps, "candidates": len(subset) - sum(
                c["split"] == "val" for c in subset), "auc": m["auc"],
                "pair_accuracy": m["pair_accuracy"], "train_auc": m["train_auc"]})
    train_c = [c for c in cands if c["split"] == "train"]
    saved = {"rows": rows, "split": "val", "args": vars(args),
             "train_correct": sum(c["label"] for c in train_c) / max(len(train_c), 1),
             "held_out_candidates": sum(c["split"] == "val" for c in cands)}
    print(table(saved))
    # the held-out candidates are validation problems' samples: the split this sweep read
    write_json(os.path.join(args.out, "evaluator_curve.json"), saved)
    plot(rows, os.path.join(args.out, "evaluator_curve.png"), args.n_samples)
    return rows


def table(saved):
    """docs/results.md's table of an evaluator_curve.json."""
    lines = ["| loss | fresh problems | candidates | steps | held-out AUC | within-problem pair "
             "accuracy | AUC on its training candidates |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['loss']} | {r['problems']} | {r['candidates']} | {r.get('steps', '')} | "
              f"{r['auc']:.3f} | {r['pair_accuracy']:.3f} | {r['train_auc']:.3f} |"
              for r in saved["rows"]]
    a = saved["args"]
    lines.append(f"\nTraining candidates {saved['train_correct']:.1%} correct; held out: "
                 f"{saved['held_out_candidates']} candidates of {a['n_val_problems']} validation "
                 f"problems ({a['n_samples']} samples each).")
    return "\n".join(lines)


def plot(rows, path, samples):
    plt = pyplot()
    if plt is None:
        return
    rows = [r for r in rows if r["auc"] == r["auc"] and r["pair_accuracy"] == r["pair_accuracy"]]
    if not rows:  # no run had both classes among its held-out candidates (NaN): nothing to draw
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    for loss in dict.fromkeys(r["loss"] for r in rows):
        rs = [r for r in rows if r["loss"] == loss]
        ax.plot([r["problems"] for r in rs], [r["auc"] for r in rs], "o-", label=f"{loss}: AUC")
        ax.plot([r["problems"] for r in rs], [r["pair_accuracy"] for r in rs], "s--",
                label=f"{loss}: pair accuracy")
    ax.axhline(0.5, color="grey", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel(f"problems the evaluator learns from ({samples} samples each)")
    ax.set_ylabel("held-out")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
