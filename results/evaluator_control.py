"""
The evaluator's positive control beside the real task, on validation (#34): each recipe below
is train_verifier.py on the same candidates (the default SSFT model's samples: 1600 fresh
problems x 4 for training, 500 validation problems x 16 held out), run once on the real task
and once with the gold answer planted in every problem text (--plant_answer: "correct" is then
a comparison of two answers that any rule reading both gets right). A recipe that cannot
pass the control cannot be blamed on the task; one that passes it and fails the real task
says what the real task needs. The test split is never read.

    python train_sft.py && python -m results.evaluator_control
    python -m results.evaluator_control --render

Writes results/evaluator_control.json (a run already there is kept unless --rerun).
"""
import argparse
import os
import re
import time

from common import add_sweep_flags
from records import read_json, write_json
from train_verifier import FULL_REPORT
from train_verifier import main as train_verifier

RECIPES = {  # name -> train_verifier flags, the same for the real task and the control
    "paper margin (the default)": [],
    "paper ce": ["--loss", "ce"],
    # Cobbe et al. 2021: the language model's loss beside the verifier's (on the correct
    # candidates' solutions, inside the template)
    "margin + LM loss (weight 1)": ["--lm_weight", "1.0"],
    # the other reading of the paper: the evaluator fine-tuned from the pre-trained base
    "paper margin, from the pre-trained base": ["--evaluator_init", "bases/world-4x128.pt"],
    # no label word: the judge's own likelihood of the solution, trained by MLE on the correct
    # candidates plus the margin loss on pairs (step 3's objective as a judge): copying a
    # stated answer into the box is what language models learn first
    "likelihood judge": ["--loss", "likelihood"],
}
# the task each recipe is run on: the real one, and the control in two phrasings
TASKS = {"real": [], "planted at the end": ["--plant_answer", "end"],
         "planted at the start": ["--plant_answer", "start"]}
# diagnostics of the control alone (their real-task run would be the recipe's own)
DIAGNOSTICS = {
    # every training problem also stated with its most voted wrong answer, labelled against
    # that: the solution's own text then tells nothing about the label
    "margin + counterfactual plants": ["--plant_answer", "end", "--plant_counterfactual"],
    "ce + counterfactual plants": ["--plant_answer", "end", "--plant_counterfactual",
                                   "--loss", "ce"],
    # ... given the LM loss beside, and given 2,000 or 4,000 steps (about 14 or 28 passes
    # over its pairs)
    "margin + LM loss + counterfactual plants": ["--plant_answer", "end",
                                                 "--plant_counterfactual", "--lm_weight", "1.0"],
    "margin + counterfactual plants, 2000 steps": ["--plant_answer", "end",
                                                   "--plant_counterfactual", "--max_steps",
                                                   "2000"],
    "margin + counterfactual plants, 4000 steps": ["--plant_answer", "end",
                                                   "--plant_counterfactual", "--max_steps",
                                                   "4000"],
}


def runs():
    """name -> (recipe, task, flags): every recipe on every task, then the diagnostics."""
    out = {f"{r} | {t}": (r, t, RECIPES[r] + TASKS[t]) for r in RECIPES for t in TASKS}
    out.update({f"{d} | planted at the end": (d, "planted at the end", flags)
                for d, flags in DIAGNOSTICS.items()})
    return out


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--generator", default="out/sft/ckpt.pt", help="the SSFT generator")
    p.add_argument("--candidates", default=None,
                   help="the generator's candidates (e.g. out/verifier/candidates.jsonl, which "
                        "train_verifier.py --n_val_problems 500 samples the same way); default: "
                        "sampled by the first run into --runs")
    add_sweep_flags(p, runs(), "out/evaluator_control", "results/evaluator_control.json",
                    "train_verifier")
    return p.parse_args(argv)


def render(saved):
    """One row a recipe and task: the evaluator's held-out figures beside the generator's own
    likelihood on the same texts (planted or not), with the run's wall time."""
    if not saved["rows"]:
        return "(no run yet)"
    lines = ["| recipe | task | AUC | pair accuracy (distinct texts) | top-2 decision | "
             "W.RR.Top2 | likelihood: distinct, top-2 | training AUC | wall s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in saved["rows"]:
        e, lk = r["held_out"]["scorers"]["evaluator"], r["held_out"]["scorers"]["likelihood"]
        lines.append(f"| {r['recipe']} | {r['task']} | {e['auc']:.3f} | "
                     f"{e['pair_accuracy_distinct']:.3f} | {e['top2_decision']:.3f} | "
                     f"{100 * e['w_rr_topk']:.1f} | {lk['pair_accuracy_distinct']:.3f}, "
                     f"{lk['top2_decision']:.3f} | {r['train_auc']:.3f} | {r['wall_seconds']:.0f} |")
    h = saved["rows"][0]["held_out"]
    lines += ["", f"Held out: {h['n_candidates']:,} candidates of {h['n_problems']} validation "
              f"problems, {h['n_pairs_distinct']:,} distinct-text pairs; the top-2 decision on "
              f"{h['n_top2']} problems, where the vote is right on {h['vote_top2']:.3f}; Maj1 "
              f"{100 * h['maj1']:.1f}. The control passes at distinct pairs and top-2 decision "
              ">= 0.97 (the issue's mark); a string comparison gets 1.000."]
    return "\n".join(lines)


def main(argv=None):
    args = get_args(argv)
    saved = read_json(args.out, {"rows": []})
    candidates = args.candidates or os.path.join(args.runs, "candidates.jsonl")
    saved.update(split="val", generator=args.generator, candidates=candidates)
    every = runs()
    for name in [] if args.render else args.settings:
        if any(r["name"] == name for r in saved["rows"]) and not args.rerun:
            continue
        recipe, task, flags = every[name]
        reuse = ["--candidates", candidates] if os.path.exists(candidates) else []
        out_dir = os.path.join(args.runs, re.sub(r"[^\w.+-]+", "-", name))
        t0 = time.time()
        m = train_verifier(["--generator", args.generator, "--out_dir", out_dir, "--no_progress",
                            *FULL_REPORT, *flags, *reuse, *args.extra])
        if not reuse:  # the first run sampled them: every later run reads the same ones
            os.replace(os.path.join(out_dir, "candidates.jsonl"), candidates)
        row = {"name": name, "recipe": recipe, "task": task, "flags": flags,
               "wall_seconds": round(time.time() - t0, 1),
               **{k: m[k] for k in ("auc", "train_auc", "train_seconds", "held_out")}}
        saved["rows"] = [r for r in saved["rows"] if r["name"] != name] + [row]
        saved["rows"].sort(key=lambda r: list(every).index(r["name"]))
        write_json(args.out, saved)
    print(render(saved))
    return saved


if __name__ == "__main__":
    main()
