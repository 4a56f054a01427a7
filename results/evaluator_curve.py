"""
The evaluator's learning curve: held-out ROC AUC and pair accuracy against the number of
problems whose samples it learns from, on the real task and on the positive control
(--tasks real end: the gold answer planted in every problem text, train_verifier.py
--plant_answer). One SSFT checkpoint samples --n_samples solutions of the largest number of
problems asked for (the run's fresh problems, or with --candidates_from train its training
problems, the paper's choice) and, unless --val_candidates gives them, of the validation
problems once (train_verifier.py's own sampling); then, for each smaller number of problems,
each loss and each task, a new evaluator is trained on the samples of only the first problems
and scored on the same held-out validation candidates. The sampling's wall time is recorded,
and each point's share of it shown beside the point.

    python -m results.evaluator_curve --candidates_from train --n_samples 8 --steps_per_problem 0 \
        --problems 800 3125 12500 --losses margin --tasks end real --max_steps 1500 \
        --val_candidates out/verifier/candidates.jsonl --out out/evaluator_curve_train \
        --json results/evaluator_curve_train.json            # the control's curve (#34)
    # the same flags, and --problems 12500 --tasks end real --slips 12500: with slip pairs;
    # --tasks end-cf: the counterfactual diagnostic (nothing but the comparison tells a label)
    python -m results.evaluator_curve --generator out/repro/seed1/sft/ckpt.pt \
        --candidates out/repro/seed1/verifier/candidates.jsonl     # reproduce's own samples
    python -m results.evaluator_curve --problems 100 400 --losses ce --max_steps 100

Writes --out/candidates.jsonl, one train_verifier.py run per (loss, problems, task) under
--out (resumable: a run whose metrics.json exists is read), --json (default
--out/evaluator_curve.json; the points it holds that this call does not ask for are kept),
and evaluator_curve.png when matplotlib is installed; prints the
table docs/results.md shows.
"""
import argparse
import json
import os
import time

import torch

from common import check_generator, generator_record, pyplot, run_sampling
from records import read_json, write_json, write_jsonl
from data import load_run_splits
from model import load_run
from train_verifier import get_args as train_verifier_args
from train_verifier import main as train_verifier
from train_verifier import JUDGE_LIKELIHOOD
from candidates import (candidate_problems, read_candidates, sample_candidates,
                        training_and_val_candidates)

SEED = train_verifier_args([]).seed  # its default: the points without a seed of their own
TASKS = {"real": [], "end": ["--plant_answer", "end"], "start": ["--plant_answer", "start"],
         # the control's diagnostic: no shortcut through a solution's own text is left
         "end-cf": ["--plant_answer", "end", "--plant_counterfactual"]}


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
    p.add_argument("--val_candidates", default=None,
                   help="take the held-out candidates (split 'val') from this candidates.jsonl of "
                        "the same generator (e.g. out/verifier/candidates.jsonl, the control "
                        "table's) instead of sampling them")
    p.add_argument("--n_val_problems", type=int, default=500,
                   help="validation problems whose samples are the held-out candidates")
    p.add_argument("--n_samples", type=int, default=16)
    p.add_argument("--losses", nargs="+", default=["ce", "margin"], choices=["ce", "margin"])
    p.add_argument("--tasks", nargs="+", default=["real"], choices=list(TASKS),
                   help="the real task, and/or the positive control with the gold answer "
                        "planted at the end or the start of every problem text; end-cf: the "
                        "control with train_verifier.py's --plant_counterfactual")
    p.add_argument("--max_steps", type=int, nargs="+", default=[300],
                   help="the fewest steps of any run; several values: a point for each")
    p.add_argument("--steps_per_problem", type=float, default=0.5,
                   help="a run on n problems trains max(--max_steps, n x this) steps: 0.5 is "
                        "one pass over 16 candidates per problem at batch 32, so more problems "
                        "are not cut short by a fixed budget")
    p.add_argument("--evaluator_init", default=None,
                   help="start every evaluator from this model (train_verifier.py's flag, e.g. "
                        "the pre-trained base bases/world-4x128.pt) instead of a copy of the "
                        "generator; its points are apart from the generator-started ones")
    p.add_argument("--length_split", type=int, default=None,
                   help="train_verifier.py's (default: its own): the same runs, less padding "
                        "computed (not a point of its own)")
    p.add_argument("--slips", type=int, default=0,
                   help="train_verifier.py's: each run also trains on the slip pairs of this "
                        "many of its training problems (at most its own); a point of its own")
    p.add_argument("--seed", type=int, default=SEED,
                   help="the evaluators' training seed (the pairs' order): another seed's runs "
                        "are points of their own; the candidates stay the same")
    p.add_argument("--out", default="out/evaluator_curve")
    p.add_argument("--json", default=None, help="where the rows go (default: "
                                                "--out/evaluator_curve.json)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return p.parse_args(argv)


def candidates(args):
    """Samples of max(problems) problems and of the validation problems (or --val_candidates'
    held-out ones), graded, and the seconds the sampling took (0 when read)."""
    path = os.path.join(args.out, "candidates.jsonl")
    seconds_path = os.path.join(args.out, "sample_seconds.json")
    if not os.path.isfile(path):
        t0 = time.time()
        if args.candidates:
            cands = read_candidates(args.candidates)
        else:
            model, tok, ckpt = load_run(args.generator)
            rc = ckpt["run_config"]
            sampling = run_sampling(rc, args.device, n=args.n_samples, temperature=0.9,
                                    top_p=0.95, batch_size=256, seed=args.seed)
            splits = load_run_splits(rc, report=lambda *a: None)
            if args.val_candidates:  # the held-out set of another table, this generator's
                val = [c for c in read_candidates(args.val_candidates) if c["split"] == "val"]
                record = generator_record(args.generator, model)
                check_generator(val, record, f"{args.val_candidates}'s candidates")
                rows = candidate_problems(splits, args.candidates_from, max(args.problems))
                cands = [{**c, "generator": record} for c in sample_candidates(
                    model.to(args.device), tok, rows, sampling, ("train", args.candidates_from),
                    progress=False)] + val
            else:
                cands = training_and_val_candidates(
                    model.to(args.device), tok, splits,
                    (args.candidates_from, max(args.problems), args.n_val_problems,
                     args.n_samples), sampling, progress=False)
        os.makedirs(args.out, exist_ok=True)
        write_json(seconds_path, {"sample_seconds": 0.0 if args.candidates
                                  else round(time.time() - t0, 1)})
        write_jsonl(path, cands)
    seconds = json.load(open(seconds_path))["sample_seconds"] if os.path.isfile(
        seconds_path) else 0.0
    return read_candidates(path), seconds


def main(argv=None):
    args = get_args(argv)
    cands, sample_seconds = candidates(args)
    order = list(dict.fromkeys(c["problem_id"] for c in cands if c["split"] == "train"))
    n_train = sum(c["split"] == "train" for c in cands)
    path = args.json or os.path.join(args.out, "evaluator_curve.json")
    point = lambda r: (r["loss"], r.get("task", "real"), r["problems"], r.get("steps"),
                       r.get("init"), r.get("seed", SEED), r.get("slips", 0))
    asked = {(loss, task, n, point_steps(args, n, ms), args.evaluator_init, args.seed,
              point_slips(args, n))
             for loss in args.losses
             for task in args.tasks for n in args.problems for ms in args.max_steps}
    kept = [r for r in read_json(path, {"rows": []})["rows"] if point(r) not in asked]  # other
    rows = []  # points of the same curve, run before
    for n in sorted(args.problems):
        keep = set(order[:n])  # the first n training problems, every held-out candidate
        subset = [c for c in cands if c["split"] == "val" or c["problem_id"] in keep]
        sub_path = os.path.join(args.out, f"candidates-{n}.jsonl")
        write_jsonl(sub_path, subset)
        n_cands = len(subset) - sum(c["split"] == "val" for c in subset)
        for steps in dict.fromkeys(point_steps(args, n, ms) for ms in args.max_steps):
            for loss in args.losses:
                for task in args.tasks:
                    rows.append(curve_point(args, loss, task, n, steps, sub_path) | {
                        "candidates": n_cands,
                        "sample_seconds": round(sample_seconds * n_cands / max(n_train, 1), 1)})
                    saved = curve_record(args, cands, kept + rows, sample_seconds)  # after each
                    # point; the held-out candidates are validation problems' samples (the split)
                    write_json(path, saved)
    print(table(saved))
    plot(rows, os.path.join(args.out, "evaluator_curve.png"), args.n_samples)
    return rows


def point_steps(args, n, max_steps):
    """A run on n problems trains max(max_steps, n x --steps_per_problem) steps."""
    return max(max_steps, round(n * args.steps_per_problem))


def point_slips(args, n):
    """A run on n problems adds the slip pairs of at most its own problems."""
    return min(args.slips, n)


def curve_record(args, cands, rows, sample_seconds):
    """What the curve's JSON holds: its rows, its flags, the sampling's seconds, the hash of
    the generator's weights (common.generator_record), the training candidates' share correct
    and the held-out set's size."""
    train_c = [c for c in cands if c["split"] == "train"]
    order = list(TASKS)
    rows = sorted(rows, key=lambda r: (r["problems"], r.get("steps") or 0, r["loss"],
                                       order.index(r.get("task", "real")), r.get("init") or "",
                                       r.get("slips", 0), r.get("seed", SEED)))
    made_by = next((c["generator"]["weights"] for c in cands if c.get("generator")), None)
    return {"rows": rows, "split": "val", "args": vars(args), "sample_seconds": sample_seconds,
            "generator_weights": made_by,  # the same command on another CPU may train other weights
            "train_correct": sum(c["label"] for c in train_c) / max(len(train_c), 1),
            "held_out_candidates": sum(c["split"] == "val" for c in cands),
            "held_out_problems": len({c["problem_id"] for c in cands if c["split"] == "val"})}


def curve_point(args, loss, task, n, steps, sub_path):
    """One train_verifier.py run (or its metrics.json, when there) -> the curve's row."""
    slips = point_slips(args, n)
    out_dir = os.path.join(args.out, f"{loss}-{n}" + ("" if task == "real" else f"-{task}")
                           + f"-{steps}steps" + init_suffix(args.evaluator_init)
                           + ("" if args.seed == SEED else f"-seed{args.seed}")
                           + (f"-slips{slips}" if slips else ""))
    init = ["--evaluator_init", args.evaluator_init] if args.evaluator_init else []
    slip_flags = (["--slips", str(slips), "--candidates_from", args.candidates_from]
                  if slips else [])
    split = ["--length_split", str(args.length_split)] if args.length_split else []
    if not os.path.isfile(os.path.join(out_dir, "metrics.json")):
        t0 = time.time()
        train_verifier(["--generator", args.generator, "--candidates", sub_path, "--loss",
                        loss, "--max_steps", str(steps), "--seed", str(args.seed), "--device",
                        args.device, "--no_progress", "--out_dir", out_dir, *TASKS[task],
                        *init, *slip_flags, *split])
        write_json(os.path.join(out_dir, "wall.json"), {"seconds": round(time.time() - t0, 1)})
    with open(os.path.join(out_dir, "metrics.json")) as f:
        m = json.load(f)
    wall = os.path.join(out_dir, "wall.json")
    e = m.get("held_out", {}).get("scorers", {}).get("evaluator", {})
    return {"loss": loss, "task": task, "problems": n, "steps": steps,
            "init": args.evaluator_init, "seed": args.seed, "slips": slips, "auc": m["auc"],
            "pair_accuracy": m["pair_accuracy"], "train_auc": m["train_auc"],
            "distinct": e.get("pair_accuracy_distinct"), "top2": e.get("top2_decision"),
            "w_rr_topk": e.get("w_rr_topk"), "references": references(m.get("held_out")),
            "judge_likelihood": judge_likelihood(m.get("held_out")),
            "wall_seconds": json.load(open(wall))["seconds"] if os.path.isfile(wall) else None}


def references(report):
    """What an evaluator must beat on the held-out set, from its run's report
    (measures.ranking_report): Maj1, the vote's top-2 decision and the generator's
    likelihood's distinct pairs, top-2 decision and W.RR.TopK (None without a report)."""
    if not report or "likelihood" not in report.get("scorers", {}):
        return None
    lik = report["scorers"]["likelihood"]
    return {"maj1": report["maj1"], "vote_top2": report["vote_top2"],
            "likelihood_distinct": lik["pair_accuracy_distinct"],
            "likelihood_top2": lik["top2_decision"], "likelihood_w_rr_topk": lik["w_rr_topk"]}


def judge_likelihood(report):
    """The evaluator's model before its training, scored by its own mean token probability
    on the held-out candidates (the report's row for an --evaluator_init model; a copy of the
    generator is the generator, its likelihood row): what the training starts from. None
    without a report."""
    scorers = (report or {}).get("scorers", {})
    row = scorers.get(JUDGE_LIKELIHOOD) or scorers.get("likelihood")
    keys = ("pair_accuracy_distinct", "top2_decision", "rr_all", "rr_topk", "w_rr_topk")
    return {k: row[k] for k in keys} if row else None


def task_name(row):
    """The table's task: 'end', 'end-cf', ..., with the slip pairs a run added."""
    return row["task"] + (f" + {row['slips']:,} slips" if row.get("slips") else "")


def init_suffix(path):
    """A run directory's mark of the model its evaluator started from: none for a copy of
    the generator, '-from-world-4x128' for bases/world-4x128.pt, '-from-sft-3x96' for
    out/sft-3x96/ckpt.pt (every run's checkpoint is ckpt.pt: its directory names it)."""
    if not path:
        return ""
    name = os.path.splitext(os.path.basename(path))[0]
    if name == "ckpt":
        name = os.path.basename(os.path.dirname(os.path.abspath(path)))
    return f"-from-{name}"


def table(saved):
    """docs/results.md's table of an evaluator_curve.json (the columns a curve's rows hold:
    the control's curves add the task, distinct-text pairs, the top-2 decision, W.RR.Top2,
    the share of the sampling's wall time and the run's)."""
    a = saved["args"]
    source = a.get("candidates_from", "fresh")
    if not any("task" in r for r in saved["rows"]):  # the earlier curves
        lines = [f"| loss | {source} problems | candidates | steps | held-out AUC | "
                 "within-problem pair accuracy | AUC on its training candidates |",
                 "|---|---|---|---|---|---|---|"]
        lines += [f"| {r['loss']} | {r['problems']} | {r['candidates']} | "
                  f"{r.get('steps', '')} | {r['auc']:.3f} | {r['pair_accuracy']:.3f} | "
                  f"{r['train_auc']:.3f} |" for r in saved["rows"]]
    else:
        lines = [f"| loss | task | evaluator from | {source} problems | candidates | steps | "
                 "seed | AUC | pairs (distinct texts) | top-2 decision | W.RR.Top2 | training "
                 "AUC | sampling s (its share) | training + report s |", "|---" * 14 + "|"]
        lines += [f"| {r['loss']} | {task_name(r)} | {r.get('init') or 'the generator'} | "
                  f"{r['problems']:,} | {r['candidates']:,} | {r['steps']:,} | "
                  f"{r.get('seed', SEED)} | "
                  f"{r['auc']:.3f} | {r['distinct']:.3f} | {r['top2']:.3f} | "
                  f"{100 * r['w_rr_topk']:.1f} | {r['train_auc']:.3f} | "
                  f"{r['sample_seconds']:.0f} | {r['wall_seconds'] or 0:.0f} |"
                  for r in saved["rows"]]
    val = (f"{saved['held_out_problems']} validation problems" if "held_out_problems" in saved
           else f"{a['n_val_problems']} validation problems ({a['n_samples']} samples each)")
    made_by = (f"; generator weights {saved['generator_weights']}"
               if saved.get("generator_weights") else "")
    lines.append(f"\nTraining candidates {saved['train_correct']:.1%} correct; held out: "
                 f"{saved['held_out_candidates']} candidates of {val}{made_by}.")
    # from the real runs only: a planted run's likelihood reads the planted problem texts
    refs = [r["references"] for r in saved["rows"]
            if r.get("references") and r.get("task", "real") == "real"]
    if refs and all(r == refs[0] for r in refs):  # one held-out set: the same references
        f = refs[0]
        lines.append(f"The references on it (the runs' reports): Maj1 {100 * f['maj1']:.1f}, "
                     f"the vote's top-2 decision {f['vote_top2']:.3f}; the generator's "
                     f"likelihood: distinct pairs {f['likelihood_distinct']:.3f}, top-2 "
                     f"decision {f['likelihood_top2']:.3f}, W.RR.Top2 "
                     f"{100 * f['likelihood_w_rr_topk']:.1f}.")
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
