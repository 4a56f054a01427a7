"""
Step 2b of the recipe: solution-cluster re-ranking. For every test problem: the greedy
solution, N sampled solutions, the evaluator's score for each sample, clusters of samples
whose answers are equivalent (grade.is_equiv), and every way of picking one answer.

    pass@1       the greedy solution
    maj1@N       the largest cluster (majority vote)
    majK@N       oracle: is any of the K largest clusters right (the ceiling of RR.TopK)
    rr_all@N     the single sample the evaluator scores highest (RR.All)
    rr_topK@N    the highest-scored sample inside the K largest clusters (the paper's RR.TopK)
    w_rr@N       the cluster with the largest summed score (W.RR)
    w_rr_topK@N  that, among the K largest clusters (W.RR.TopK)
    pass@N       oracle: is any sample right (unbiased estimator for n < N)
    lp_*, minp_* the evaluator-free control (the paper has none): the four scored rules above,
                 ranked by the generator's own mean token probability (lp) or lowest token
                 probability (minp) of each sample instead of the evaluator's score
                 (evaluator.likelihood_scores)

    python rerank.py                                           # after train_sft / train_verifier
    python rerank.py --evaluator none --out_dir out/vote       # voting metrics only
    python rerank.py --eval_split val --out_dir out/rerank-val # on validation (choosing settings)

The rules live in selection.py (the evaluator's held-out report reads the same ones).
Clusters form in order of first appearance: an answer joins the first existing cluster whose
representative (its first member) it is equivalent to, else starts a new one. Samples with no
extractable answer are dropped before voting. Voting ties go to the cluster seen first (never to
the evaluator: maj1 and majK read no scores); an evaluator tie between samples goes to the
sample drawn first, and between clusters' summed scores to the one the vote ranks higher.
Curves over n = 1, 2, 4, ..., N subsample the same N samples (--curve_repeats times per
problem; mean and std over repeats).

Writes --out_dir (default out/rerank): metrics.json (the keys above with N and K filled in,
overall, by level and by type, plus curves), samples.jsonl, accuracy_vs_n.png (if matplotlib).
"""
import argparse
import json
import math
import os
import random
import time
from collections import defaultdict
from dataclasses import replace

import torch

from common import (check_generator, generate_solutions, generator_record, pyplot, run_cli,
                    run_sampling)
from records import mean_by_group, read_jsonl, write_json, write_jsonl
from data import DataError, load_run_splits
from grade import extract_answer, is_equiv
from evaluator import evaluator_scores, likelihood_scores, score_rule
from model import load_run
from selection import SCORED, pass_at_k, select


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--generator", default="out/sft/ckpt.pt")
    p.add_argument("--evaluator", default="out/verifier/ckpt.pt", help="'none': voting only")
    p.add_argument("--eval_split", default="test", choices=["train", "val", "test"],
                   help="the problems to re-rank (val: choosing settings; test: final reports)")
    p.add_argument("--split", dest="eval_split", choices=["train", "val", "test"],
                   help=argparse.SUPPRESS)  # the old name
    p.add_argument("--n_problems", type=int, default=0, help="0 = the whole split")
    p.add_argument("--n_samples", type=int, default=16, help="N (paper: 64)")
    p.add_argument("--k_clusters", type=int, default=0, help="K, the largest clusters that "
                   "RR.TopK and W.RR.TopK re-rank inside; 0 = max(2, N // 8) (the paper's K = 8 "
                   "at N = 64)")
    p.add_argument("--top_k", type=int, dest="k_clusters", help=argparse.SUPPRESS)  # old name
    p.add_argument("--temperature", type=float, default=0.9)
    p.add_argument("--top_p", type=float, default=0.95)
    p.add_argument("--sample_batch_size", type=int, default=256)
    p.add_argument("--curve_repeats", type=int, default=20)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--out_dir", default="out/rerank")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--reuse_samples", default=None,
                   help="samples.jsonl of an earlier run with the same generator: re-score "
                        "its solutions (the first --n_samples of each problem's) instead of "
                        "sampling again (e.g. to compare evaluators)")
    p.add_argument("--no_likelihood_control", action="store_true",
                   help="skip the evaluator-free control: the scored rules ranked by the "
                        "generator's own mean / lowest token probability (lp_*, minp_*)")
    p.add_argument("--no_progress", action="store_true")
    return p.parse_args(argv)


CONTROLS = {"lp": "mean token probability", "minp": "lowest token probability"}


def metric_names(N, K):
    """select()'s keys -> metric names with N and K filled in; the evaluator-free controls are
    the scored rules with a prefix (lp_rr_top2@16: RR.Top2 ranked by the generator's mean token
    probability)."""
    names = {"maj1": f"maj1@{N}", "majk": f"maj{K}@{N}", "rr_all": f"rr_all@{N}",
             "rr_topk": f"rr_top{K}@{N}", "w_rr": f"w_rr@{N}", "w_rr_topk": f"w_rr_top{K}@{N}",
             "pass": f"pass@{N}"}
    return {**names, **{f"{c}_{k}": f"{c}_{names[k]}" for c in CONTROLS for k in SCORED}}


def curves(problems, K, repeats, seed):
    """Accuracy of every method vs n = 1, 2, 4, ..., N: for each n, draw n of the N samples
    `repeats` times per problem; mean and std over repeats of the mean over problems."""
    rng = random.Random(seed)
    N = len(problems[0]["answers"])
    ns = sorted({min(N, 2 ** i) for i in range(int(math.log2(N)) + 2)})
    out = {}
    for n in ns:
        per_repeat = defaultdict(list)
        for _ in range(repeats if n < N else 1):
            acc = defaultdict(float)
            for p in problems:
                idx = sorted(rng.sample(range(N), n))
                sc = [p["scores"][i] for i in idx] if p["scores"] is not None else None
                r = select([p["answers"][i] for i in idx], [p["correct"][i] for i in idx], sc,
                           min(K, n))
                for k, v in r.items():
                    acc[k] += v / len(problems)
            for k, v in acc.items():
                per_repeat[k].append(v)
        # pass@n exactly, by the unbiased estimator instead of the subsample
        exact = sum(pass_at_k(N, sum(p["correct"]), n) for p in problems) / len(problems)
        per_repeat["pass"] = [exact]
        out[n] = {k: {"mean": sum(v) / len(v),
                      "std": (sum((x - sum(v) / len(v)) ** 2 for x in v) / len(v)) ** 0.5}
                  for k, v in per_repeat.items()}
    return out


def summarise(problems, N, K):
    """Accuracy of every method (names with N, K filled in), overall, by level and by type:
    {"all": {"pass@1": ..., "maj1@N": ..., "n": ...}, "by_level": {...}, "by_type": {...}}."""
    names = metric_names(N, K)
    rows = [{"level": p["level"], "type": p["type"], "pass@1": p["greedy_correct"],
             **{names[k]: v for k, v in p["select"].items()}} for p in problems]
    return mean_by_group(rows, ["pass@1"] + [names[k] for k in problems[0]["select"]])


def plot(curve, path, N, K, greedy=None):
    """Accuracy of every selection rule against n (mean and spread over subsamples), with the
    greedy accuracy as a dashed line: sampling only helps where a curve ends above it."""
    plt = pyplot()
    if plt is None:
        return False
    ns = sorted(curve)
    fig, ax = plt.subplots(figsize=(6, 4))
    for k, name in metric_names("n", K).items():
        if k not in curve[ns[0]]:
            continue
        m = [curve[n][k]["mean"] for n in ns]
        s = [curve[n][k]["std"] for n in ns]
        ax.errorbar(ns, m, yerr=s, marker="o", capsize=2, label=name)
    if greedy is not None:
        ax.axhline(greedy, ls="--", lw=1, color="black", label=f"greedy ({greedy:.3f})")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("samples per problem (n)")
    ax.set_ylabel("accuracy")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return True


def grade_and_select(row, greedy, samples, scores, controls, K):
    """One problem's record: every sample's answer and grade, and what each rule picks with the
    evaluator's scores (None: voting only) and with each control's (lp, minp)."""
    answers = [extract_answer(s) for s in samples]
    correct = [is_equiv(a, row["answer"]) for a in answers]
    chosen = select(answers, correct, scores, K)
    for c, cs in controls.items():
        by_c = select(answers, correct, cs, K)
        chosen.update({f"{c}_{k}": by_c[k] for k in SCORED})
    return {"id": row["id"], "level": row["level"], "type": row["type"], "gold": row["answer"],
            "greedy": greedy, "greedy_correct": is_equiv(extract_answer(greedy), row["answer"]),
            "answers": answers, "correct": correct, "scores": scores,
            **{f"{c}_scores": cs for c, cs in controls.items()}, "select": chosen}


def read_samples(path, rows, N, record):
    """(greedy, samples) from an earlier run's samples.jsonl, checked against the problems and
    the generator (common.check_generator): the first N of each problem's samples (drawn
    independently, so any N of them are N samples)."""
    got = {r["id"]: r for _, r in read_jsonl(path, ("id", "greedy", "samples"), DataError)}
    check_generator(got.values(), record, f"{path}'s samples")  # record: this run's generator
    greedy, samples = [], []
    for r in rows:
        if r["id"] not in got or len(got[r["id"]]["samples"]) < N:
            raise DataError(f"{path}: no {N} samples for problem {r['id']} (another split, "
                            "--n_samples or --n_problems?)")
        greedy.append([got[r["id"]]["greedy"]])
        samples.append(got[r["id"]]["samples"][:N])
    return greedy, samples


# -----------------------------------------------------------------------------


def main(argv=None):
    args = get_args(argv)
    print(f"config: {json.dumps(vars(args))}")
    N = args.n_samples
    K = args.k_clusters or max(2, N // 8)
    gen, tok, gck = load_run(args.generator, args.device)
    rc = gck["run_config"]
    rows = load_run_splits(rc)[args.eval_split]
    if args.n_problems:
        rows = rows[:args.n_problems]
    sampling = run_sampling(rc, args.device)  # the SSFT run's max_new_tokens
    progress = not args.no_progress
    t0, record = time.time(), generator_record(args.generator, gen)  # hashed once
    if args.reuse_samples:
        greedy, samples = read_samples(args.reuse_samples, rows, N, record)
    else:
        problems = [r["problem"] for r in rows]
        greedy = generate_solutions(gen, tok, problems, replace(sampling, batch_size=256),
                                    "greedy" if progress else None)
        samples = generate_solutions(gen, tok, problems, replace(
            sampling, n=N, temperature=args.temperature, top_p=args.top_p,
            batch_size=args.sample_batch_size, seed=args.seed),
            f"sample x{N}" if progress else None)
    sample_time = time.time() - t0
    flat_p = [r["problem"] for r, ss in zip(rows, samples) for _ in ss]
    flat_s = [s for ss in samples for s in ss]
    per_problem = lambda flat: [flat[i * N:(i + 1) * N] for i in range(len(rows))]
    scores = None
    if args.evaluator != "none":
        ev, ev_tok, eck = load_run(args.evaluator, args.device)  # with its own tokenizer
        scores = per_problem(evaluator_scores(ev, ev_tok, flat_p, flat_s, progress=progress,
                                              rule=score_rule(eck["run_config"])))
    controls = {}
    if not args.no_likelihood_control:  # the same rules, ranked by the generator's confidence
        controls = {c: per_problem(v) for c, v in
                    likelihood_scores(gen, tok, flat_p, flat_s, args.device).items()}
    problems = [grade_and_select(r, greedy[i][0], samples[i],
                                 scores[i] if scores is not None else None,
                                 {c: cs[i] for c, cs in controls.items()}, K)
                for i, r in enumerate(rows)]
    table = summarise(problems, N, K)
    curve = curves(problems, K, args.curve_repeats, args.seed)
    metrics = {**table["all"], "N": N, "K": K, "evaluator": args.evaluator,
               "split": args.eval_split, "by_level": table["by_level"], "by_type": table["by_type"],
               "curves": {str(n): v for n, v in curve.items()},
               "sample_seconds": round(sample_time, 1), "seconds": round(time.time() - t0, 1)}
    os.makedirs(args.out_dir, exist_ok=True)
    write_json(os.path.join(args.out_dir, "metrics.json"), metrics)
    write_jsonl(os.path.join(args.out_dir, "samples.jsonl"),
                [{**p, "samples": ss, "generator": record} for p, ss in zip(problems, samples)])
    print(f"\n{len(rows)} problems, N = {N}, K = {K}, evaluator: {args.evaluator}")
    for k, v in table["all"].items():
        if k != "n":
            print(f"  {k:16s} {v:.3f}")
    if plot(curve, os.path.join(args.out_dir, "accuracy_vs_n.png"), N, K, metrics["pass@1"]):
        print(f"plot: {args.out_dir}/accuracy_vs_n.png")
    return metrics


if __name__ == "__main__":
    run_cli(main)
