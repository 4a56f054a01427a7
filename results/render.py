"""
Collect the metrics.json files written by reproduce.sh into results/results.json, render the
results tables from it (no hand-typed numbers): the full ones into docs/results.md, the
headline into README.md; and plot accuracy vs n.

    python -m results.render --runs out/repro --write_docs
    python -m results.render --results results/results.json      # print the tables only

The tables give the paper's numbers and ours (mean +- std over seeds). The verdicts are those
of the claims fixed in results/claims.json, and only those: results/verdicts.py's one rule
(a two-way bootstrap over seeds and problems, Holm's correction within the paper's claims and
within ours), with the commit that last changed the claims file.
"""
import argparse
import glob
import json
import math
import os
import re
import sys

from records import read_jsonl, write_json, write_text
from results.verdicts import cell, resolves, verdicts

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

RUNS = ["sft", "sft-terse", "verifier", "verifier-ce", "rerank", "rerank-ce", "vote-sft"] + \
       [f"{p}-{v}" for v in ("mle", "evaluator-margin", "evaluator-ce", "contrastive")
        for p in ("joint", "vote-joint")]


def collect(runs_dir):
    """{run: {seed: metrics}} from <runs_dir>/seed*/<run>/metrics.json (curves kept, histories
    dropped to keep the file small)."""
    out = {}
    for seed_dir in sorted(glob.glob(os.path.join(runs_dir, "seed*"))):
        seed = os.path.basename(seed_dir)[4:]
        for run in RUNS:
            path = os.path.join(seed_dir, run, "metrics.json")
            if os.path.isfile(path):
                with open(path) as f:
                    m = json.load(f)
                for k in ("history", "histories", "by_group", "by_level", "by_type"):
                    m.pop(k, None)
                seconds = os.path.join(seed_dir, f"{run}.seconds")  # reproduce.sh's timing
                if os.path.isfile(seconds):
                    m["step_seconds"] = int(open(seconds).read())
                samples = os.path.join(seed_dir, run, "samples.jsonl")
                if os.path.isfile(samples):  # per-problem outcomes: what the verdicts read
                    if run.startswith("rerank"):
                        m["per_problem"] = per_problem(samples)
                    elif run.startswith("vote"):
                        m["per_problem"] = per_problem(samples, keep=("greedy", "maj1"))
                    elif run.startswith("sft"):
                        m["per_problem"] = greedy_per_problem(samples)
                out.setdefault(run, {})[seed] = m
    if out:
        out["timing"] = {"claims_commit": claims_commit()}
    wall = os.path.join(runs_dir, "wall_seconds")  # written by a run that did every step
    if out and os.path.isfile(wall):
        out["timing"]["wall_seconds"] = int(open(wall).read())
    return out


def claims_commit():
    """The commit that last changed results/claims.json (None outside a git checkout)."""
    import subprocess
    r = subprocess.run(["git", "log", "-1", "--format=%h", "--", "results/claims.json"],
                       cwd=ROOT, capture_output=True, text=True)
    return r.stdout.strip() or None


def per_problem(path, keep=None):
    """Per-problem 0/1 outcome of every method (or those in keep) and the problem ids, from
    rerank.py's samples.jsonl."""
    out = {}
    for _, r in read_jsonl(path, ("id", "greedy_correct", "select")):
        out.setdefault("id", []).append(r["id"])
        out.setdefault("greedy", []).append(float(r["greedy_correct"]))
        for k, v in r["select"].items():
            if keep is None or k in keep:
                out.setdefault(k, []).append(v)
    return out


def greedy_per_problem(path):
    """Per-problem greedy outcome and ids from train_sft.py's samples.jsonl."""
    rows = [r for _, r in read_jsonl(path, ("id", "correct"))]
    return {"id": [r["id"] for r in rows], "greedy": [float(r["correct"]) for r in rows]}


def stats(values):
    v = [x for x in values if x is not None and not (isinstance(x, float) and math.isnan(x))]
    if not v:
        return None, None, 0
    mean = sum(v) / len(v)
    std = (sum((x - mean) ** 2 for x in v) / (len(v) - 1)) ** 0.5 if len(v) > 1 else 0.0
    return mean, std, len(v)


def get(res, run, key):
    return [m.get(key) for _, m in sorted(res.get(run, {}).items())]


def fmt(values, pct=True):
    mean, std, n = stats(values)
    if mean is None:
        return "-"
    s = 100 if pct else 1
    if n == 1:
        return f"{mean * s:.1f} (1 seed)" if pct else f"{mean:.3f} (1 seed)"
    return f"{mean * s:.1f} ± {std * s:.1f}" if pct else f"{mean:.3f} ± {std:.3f}"


def control_table(res, N, K):
    """The evaluator-free control (not in the paper): the same rules ranked by the generator's
    own token probabilities (the claims table says whether the evaluator beats them)."""
    lines = ["**Evaluator-free control** (not in the paper): the same rules on the same samples, "
             "ranked by the generator's own mean token probability (lp) or lowest token "
             "probability (minp) instead of an evaluator's score.\n",
             "| rule | by the margin evaluator | by the CE evaluator | by mean token probability "
             "| by lowest token probability |", "|---|---|---|---|---|"]
    for key, name in ((f"rr_all@{N}", f"RR.All@{N}"), (f"rr_top{K}@{N}", f"RR.Top{K}@{N}"),
                      (f"w_rr_top{K}@{N}", f"W.RR.Top{K}@{N}")):
        lines.append(f"| {name} | {fmt(get(res, 'rerank', key))} | "
                     f"{fmt(get(res, 'rerank-ce', key))} | {fmt(get(res, 'rerank', 'lp_' + key))} "
                     f"| {fmt(get(res, 'rerank', 'minp_' + key))} |")
    return lines + [""]


def claims_table(res, claims=None):
    """Every claim of the claims file with its verdict (results/verdicts.py)."""
    v = verdicts(res, claims)
    commit = res.get("timing", {}).get("claims_commit") or "?"
    lines = [f"**Claims** (fixed in `results/claims.json`, last changed at commit {commit}). "
             "Difference a - b in points on the same test problems and "
             "seeds; 95% interval from a bootstrap that resamples seeds and problems together; "
             "Holm's correction within each list. \"Resolves\" is the interval's half-width: "
             "a true effect much smaller than it could not have been distinguished from noise in "
             "this run.\n",
             "| | claim | paper | resolves | ours |", "|---|---|---|---|---|"]
    for c in v.values():
        kind = "paper's" if c["kind"] == "primary" else "ours"
        lines.append(f"| {kind} | {c['claim']} | {c.get('paper') or '-'} | {resolves(c)} | "
                     f"{cell(c)} |")
    return lines + [""]


def timing(res):
    """reproduce.sh's wall time and each step's, mean over seeds (in its slot), if recorded."""
    steps = [(run, [m["step_seconds"] for m in res[run].values() if "step_seconds" in m])
             for run in RUNS if run in res]
    steps = [(run, sum(v) / len(v)) for run, v in steps if v]
    if not steps:
        return []
    wall = res.get("timing", {}).get("wall_seconds")
    head = (f"`bash reproduce.sh` took {wall // 60} min {wall % 60} s wall for every step; "
            if wall else "")
    return [head + "each step's wall time in its slot, mean over seeds: " +
            ", ".join(f"{run} {sec:.0f} s" for run, sec in steps) + ".\n"]


def render(res):
    lines = []
    seeds = sorted({s for run, r in res.items() if run in RUNS for s in r})
    N = next((m["N"] for m in res.get("rerank", {}).values()), None)
    K = next((m["K"] for m in res.get("rerank", {}).values()), None)
    n_test = next((m["n_test"] for m in res.get("sft", {}).values() if "n_test" in m), None)
    lines.append(f"Seeds {', '.join(seeds)} (training seed; the data are the same; a cell "
                 "says when fewer seeds ran it), "
                 f"N = {N} samples per problem, K = {K} clusters, {n_test or '?'} test problems. "
                 "Accuracy in %, mean ± std over seeds.\n")
    lines += timing(res)
    # (1) style
    d, t = get(res, "sft", "pass@1"), get(res, "sft-terse", "pass@1")
    lines += ["**1. Solution style (step 1).** Same model, data and budget; only the training "
              "solutions' style differs.\n",
              "| | paper (PaLM 2-L, Maj1@64) | ours (greedy pass@1) |", "|---|---|---|",
              f"| detailed, one step per line (PRM800K-like) | 54.2 | {fmt(d)} |",
              f"| terse (MATH-like) | 49.2 | {fmt(t)} |", ""]
    # (2) re-ranking
    if N:
        keys = [("pass@1", "greedy (Pass@1)", None), (f"maj1@{N}", f"Maj1@{N}", None),
                (f"rr_all@{N}", f"RR.All@{N}", "57.0"), (f"rr_top{K}@{N}", f"RR.Top{K}@{N}", "58.8"),
                (f"w_rr@{N}", f"W.RR@{N}", None), (f"w_rr_top{K}@{N}", f"W.RR.Top{K}@{N}", "61.2"),
                (f"maj{K}@{N}", f"Maj{K}@{N} (oracle)", None), (f"pass@{N}", f"Pass@{N} (oracle)", None)]
        lines += ["**2. Re-ranking (step 2)** with the margin and the CE evaluator, on the same "
                  "samples of the detailed-SSFT model.\n",
                  "| method | paper (PaLM 2-L, N = 64, K = 8, margin) | ours, margin evaluator "
                  "| ours, CE evaluator |", "|---|---|---|---|"]
        for key, name, paper in keys:
            lines.append(f"| {name} | {paper or '-'} | {fmt(get(res, 'rerank', key))} | "
                         f"{fmt(get(res, 'rerank-ce', key))} |")
        lines.append(f"| evaluator ROC AUC (held-out candidates) | - | "
                     f"{fmt(get(res, 'verifier', 'auc'), pct=False)} | "
                     f"{fmt(get(res, 'verifier-ce', 'auc'), pct=False)} |")
        lines.append(f"| evaluator pair accuracy | - | {fmt(get(res, 'verifier', 'pair_accuracy'))} | "
                     f"{fmt(get(res, 'verifier-ce', 'pair_accuracy'))} |")
        lines.append("")
        if any(get(res, "rerank", f"lp_rr_top{K}@{N}")):
            lines += control_table(res, N, K)
    # (3) joint
    rows = [("SSFT", "sft", "vote-sft"), ("SSFT + extra MLE (control)", "joint-mle", "vote-joint-mle"),
            ("sequential, evaluator margin", "joint-evaluator-margin", "vote-joint-evaluator-margin"),
            ("sequential, evaluator CE", "joint-evaluator-ce", "vote-joint-evaluator-ce"),
            ("joint MLE + contrastive", "joint-contrastive", "vote-joint-contrastive")]
    NV = next((m["N"] for m in res.get("vote-sft", {}).values()), N)
    lines += ["**3. Multi-task sequential fine-tuning (step 3).** Every variant trains the same "
              "number of extra steps after SSFT.\n",
              f"| model | greedy | Maj1@{NV} | Pass@{NV} |", "|---|---|---|---|"]
    for name, run, vote in rows:
        lines.append(f"| {name} | {fmt(get(res, run, 'pass@1'))} | {fmt(get(res, vote, f'maj1@{NV}'))} | "
                     f"{fmt(get(res, vote, f'pass@{NV}'))} |")
    lines.append("")
    lines += claims_table(res)
    return "\n".join(lines)


def headline(res):
    """README's results: re-ranking with the margin evaluator beside the paper, and the claims."""
    N = next((m["N"] for m in res.get("rerank", {}).values()), None)
    K = next((m["K"] for m in res.get("rerank", {}).values()), None)
    seeds = sorted({s for run, r in res.items() if run in RUNS for s in r})
    lines = [f"Test accuracy in %, mean ± std over seeds {', '.join(seeds)}; N = {N} samples, "
             f"K = {K} clusters; the paper's: PaLM 2-L, N = 64, K = 8.\n",
             "| | greedy | Maj1@N | RR.All | RR.TopK | W.RR.TopK | Pass@N |",
             "|---|---|---|---|---|---|---|",
             "| paper | - | - | 57.0 | 58.8 | 61.2 | - |",
             "| ours, margin evaluator | " + " | ".join(fmt(get(res, "rerank", k)) for k in (
                 "pass@1", f"maj1@{N}", f"rr_all@{N}", f"rr_top{K}@{N}", f"w_rr_top{K}@{N}",
                 f"pass@{N}")) + " |", ""]
    return "\n".join(lines + claims_table(res)).rstrip()


def mean_curves(res, run="rerank"):
    """Average the per-seed curves: {n: {method: {mean, std}}} (std over seeds)."""
    per = list(res.get(run, {}).values())
    if not per or "curves" not in per[0]:
        return None
    out = {}
    for n in per[0]["curves"]:
        out[int(n)] = {}
        for k in per[0]["curves"][n]:
            mean, std, _ = stats([p["curves"][n][k]["mean"] for p in per])
            out[int(n)][k] = {"mean": mean, "std": std}
    return out


def fill(text, rendered, name_of_file="README.md"):
    """The text with each block's body replaced by its render."""
    for name, body in rendered.items():
        pattern = rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)"
        text, n = re.subn(pattern, lambda m: m.group(1) + body + "\n" + m.group(2), text,
                          flags=re.S)
        if n != 1:
            raise SystemExit(f"error: {name_of_file} has no <!-- {name}:start --> ... end block")
    return text


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", default=None, help="reproduce.sh's output directory")
    ap.add_argument("--results", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--write_docs", action="store_true",
                    help="rewrite the results block of --doc and the headline block of --readme")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "results.md"))
    ap.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    ap.add_argument("--figure", default=os.path.join(HERE, "accuracy_vs_n.png"))
    ap.add_argument("--markdown", default=None, help="also write the table to this file")
    args = ap.parse_args(argv)
    if args.runs:
        res = collect(args.runs)
        if not res:
            sys.exit(f"error: no metrics.json under {args.runs}/seed*/")
        write_json(args.results, res)
    with open(args.results) as f:
        res = json.load(f)
    table = render(res)
    print(table)
    if args.markdown:
        write_text(args.markdown, table + "\n")
    curve = mean_curves(res)
    if curve:
        from rerank import plot
        N = max(curve)
        K = next(m["K"] for m in res["rerank"].values())
        greedy = stats([m["pass@1"] for m in res["rerank"].values()])[0]
        plot(curve, args.figure, N, K, greedy)
    if args.write_docs:
        for path, name, body in ((args.doc, "results", table),
                                 (args.readme, "headline", headline(res))):
            write_text(path, fill(open(path).read(), {name: body}, path))
    return table


if __name__ == "__main__":
    main()
