"""
How hard is the embedded world? Greedy accuracy on the validation split of SSFT checkpoints,
overall, by subject and by level: the number that says whether two versions of the synthetic
world (data/world/) are equally hard for the same recipe. Reads validation only.

The comparison docs/data.md shows (today's reproduce SSFT recipe: 4x128, 4000 steps,
seed 1, two threads), one run per world, each evaluated by the world's own code:
    python train_sft.py --seed 1 --max_steps 4000 --out_dir out/world/new
    python -m results.difficulty --ckpt out/world/new/ckpt.pt --label "wider world (7 subjects)"
    # the same two commands in a checkout of the world before it (commit 94b5624), with
    # --label "before (4 subjects)" --out results/difficulty.json appending to the same file
    python -m results.difficulty --render          # docs/data.md's table from results/difficulty.json

Appends (or replaces, by label) one row per checkpoint in --out (results/difficulty.json).
"""
import argparse
import json
import os
import subprocess

import torch

from common import Sampling, accuracy_report, generate_solutions
from records import write_json
from data import load_run_splits
from model import load_run


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--ckpt", help="an SSFT checkpoint (train_sft.py's ckpt.pt)")
    p.add_argument("--label", help="the row's name in the table")
    p.add_argument("--out", default="results/difficulty.json")
    p.add_argument("--render", action="store_true", help="print docs/data.md's table from --out")
    p.add_argument("--max_new_tokens", type=int, default=160)
    p.add_argument("--batch_size", type=int, default=256)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return p.parse_args(argv)


def commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def evaluate(ckpt, device, max_new_tokens, batch_size):
    """Greedy validation accuracy of one checkpoint, on its own run's validation split."""
    model, tok, saved = load_run(ckpt, device)
    rc = saved["run_config"]
    val = load_run_splits(rc, report=lambda *a: None)["val"]
    sols = generate_solutions(model, tok, [r["problem"] for r in val],
                              Sampling(max_new_tokens=max_new_tokens, batch_size=batch_size,
                                       device=device), "val")
    metrics, _ = accuracy_report(val, sols)
    return {"split": "val", "n": len(val), "problem_ids": [r["id"] for r in val],
            "pass@1": metrics["pass@1"],
            "by_type": metrics["by_type"], "by_level": metrics["by_level"],
            "steps": saved["step"], "seed": rc.get("seed"), "n_train": rc.get("n_train"),
            "n_fresh": rc.get("n_fresh"), "model": f"{rc.get('n_layer')}x{rc.get('n_embd')}",
            "threads": torch.get_num_threads(), "torch": torch.__version__, "commit": commit()}


def render(rows):
    """Markdown: one row per world (accuracy +- its standard error over problems, and the
    difference from the first row), then accuracy by subject for each."""
    se = lambda r: (r["pass@1"] * (1 - r["pass@1"]) / r["n"]) ** 0.5
    out = ["| world | commit | val problems | steps, seed | greedy accuracy on val | vs the first |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        diff = 100 * (r["pass@1"] - rows[0]["pass@1"])
        out.append(f"| {r['label']} | {r['commit']} | {r['n']} | {r['steps']}, {r['seed']} | "
                   f"{100 * r['pass@1']:.1f}% +- {100 * se(r):.1f} | "
                   f"{'' if r is rows[0] else f'{diff:+.1f}'} |")
    short = [r["label"].split(":")[0] for r in rows]
    subjects = sorted({t for r in rows for t in r["by_type"]})
    out += ["", "| subject | " + " | ".join(short) + " |", "|---|" + "---|" * len(rows)]
    for s in subjects:
        out.append(f"| {s} | " + " | ".join(
            f"{100 * r['by_type'][s]:.1f}" if s in r["by_type"] else "-" for r in rows) + " |")
    return "\n".join(out)


def main(argv=None):
    args = get_args(argv)
    rows = json.load(open(args.out))["rows"] if os.path.exists(args.out) else []
    if args.render:
        print(render(rows))
        return rows
    if not args.ckpt or not args.label:
        raise SystemExit("error: --ckpt and --label are needed (or --render)")
    row = {"label": args.label, "ckpt": args.ckpt,
           **evaluate(args.ckpt, args.device, args.max_new_tokens, args.batch_size)}
    print(f"{args.label}: greedy {100 * row['pass@1']:.1f}% on {row['n']} validation problems")
    rows = [r for r in rows if r["label"] != args.label] + [row]
    write_json(args.out, {"rows": rows})
    return rows


if __name__ == "__main__":
    main()
