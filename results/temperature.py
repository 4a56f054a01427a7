"""
The sampling temperature, chosen on validation problems only. The paper samples at T = 0.9,
top-p 0.95, settings made for PaLM 2-L; a small model is calibrated differently. For each T and
each SSFT checkpoint, rerank.py samples N solutions of every validation problem and votes; the T
with the best mean Maj1@N is the pick. The test split is never read here.

    python -m results.temperature --ckpts out/repro/seed1/sft/ckpt.pt out/repro/seed2/sft/ckpt.pt
    python -m results.temperature --temperatures 0.5 0.9 --n 8 --out out/temperature

Writes --out/temperature.json (every run's validation metrics, the mean per T, the pick) and
prints the table docs/results.md shows. Each run is rerank.py's own directory under --out (resumable:
a run whose metrics.json exists is read, not redone).
"""
import argparse
import json
import os

from records import read_jsonl, write_json
from rerank import main as rerank


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--ckpts", nargs="+", default=["out/sft/ckpt.pt"], help="SSFT checkpoints")
    p.add_argument("--temperatures", nargs="+", type=float, default=[0.3, 0.5, 0.7, 0.9, 1.0])
    p.add_argument("--n", type=int, default=16, help="samples per problem (N)")
    p.add_argument("--top_p", type=float, default=0.95)
    p.add_argument("--n_problems", type=int, default=0, help="0 = every validation problem")
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--out", default="out/temperature")
    return p.parse_args(argv)


def run(ckpt, T, args, out_dir):
    """rerank.py on the validation split at temperature T, voting only -> its metrics, plus
    `single`: the accuracy of one sample (every sample's correctness, averaged)."""
    path = os.path.join(out_dir, "metrics.json")
    if not os.path.isfile(path):
        rerank(["--generator", ckpt, "--evaluator", "none", "--eval_split", "val", "--n_samples",
                str(args.n), "--temperature", str(T), "--top_p", str(args.top_p), "--n_problems",
                str(args.n_problems), "--seed", str(args.seed), "--curve_repeats", "1",
                "--no_likelihood_control", "--no_progress", "--out_dir", out_dir])
    with open(path) as f:
        m = json.load(f)
    rows = [r for _, r in read_jsonl(os.path.join(out_dir, "samples.jsonl"), ("id", "correct"))]
    m["single"] = sum(sum(r["correct"]) / len(r["correct"]) for r in rows) / len(rows)
    m["problem_ids"] = [r["id"] for r in rows]
    return m


def render(saved):
    """The table of a temperature.json: mean over checkpoints, validation problems."""
    N, pick = saved["N"], saved["pick"]
    lines = [f"| T | Maj1@{N} | one sample | Pass@{N} |", "|---|---|---|---|"]
    for T, t in saved["table"].items():
        mark = " (best Maj1)" if float(T) == pick else (" (paper)" if float(T) == 0.9 else "")
        lines.append(f"| {T}{mark} | {100 * t['maj1']:.1f} | {100 * t['single']:.1f} | "
                     f"{100 * t['pass']:.1f} |")
    greedy = next(iter(saved["table"].values()))["greedy"]
    lines.append(f"\nGreedy on the same problems: {100 * greedy:.1f}. Mean over "
                 f"{len(saved['ckpts'])} checkpoint(s), {saved.get('n_problems', '?')} "
                 "validation problems.")
    return "\n".join(lines)


def main(argv=None):
    args = get_args(argv)
    N = args.n
    runs = {}
    for T in args.temperatures:
        for i, ckpt in enumerate(args.ckpts):
            runs.setdefault(T, []).append(run(ckpt, T, args, os.path.join(args.out, f"T{T}", str(i))))
    mean = lambda T, k: sum(m[k] for m in runs[T]) / len(runs[T])
    table = {T: {"maj1": mean(T, f"maj1@{N}"), "single": mean(T, "single"),
                 "pass": mean(T, f"pass@{N}"), "greedy": mean(T, "pass@1")}
             for T in args.temperatures}
    pick = max(args.temperatures, key=lambda T: (table[T]["maj1"], -abs(T - 0.9)))
    saved = {"split": "val", "pick": pick, "N": N, "ckpts": args.ckpts,
             "n_problems": runs[pick][0]["n"], "table": {str(T): t for T, t in table.items()},
             "runs": {str(T): [{k: v for k, v in m.items() if k not in ("curves", "problem_ids")}
                               for m in ms] for T, ms in runs.items()},
             "problem_ids": sorted({i for ms in runs.values() for m in ms
                                    for i in m["problem_ids"]})}
    print(render(saved))
    write_json(os.path.join(args.out, "temperature.json"), saved)
    return pick, table


if __name__ == "__main__":
    main()
