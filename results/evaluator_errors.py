"""
What a trained evaluator learns instead of the check (#34, goal 4). On the held-out validation
candidates, every (right, wrong) pair of distinct solution texts of one problem (the pairs of
the "distinct" column), sorted by the kind of mistake the wrong solution makes against the
problem's gold solution, by subject and by level: how often the evaluator orders each kind
right, beside the generator's own likelihood (the rule it has to beat); how often the two
order a pair the same way; whether it prefers the shorter text; and the pairs it gets most
confidently wrong, as examples.

    python -m results.evaluator_errors --evaluator out/evaluator_curve_train/margin-12500-1500steps/ckpt.pt \
        --candidates out/keep/verifier-candidates.jsonl --label "real, 100k, 1,500 steps" \
        --json results/evaluator_errors.json
    python -m results.evaluator_errors --render        # docs/results.md's tables from --json

A wrong solution is sorted two ways. On its own: whether it states a false equation, a = b
between two sides with no variable that are not equal (grade.canonical and is_equiv on every
$...$ of every line: an arithmetic mistake that a line-by-line check would see), or every
equation in it holds (the mistake is in what is computed, not in the sums). And against the
gold solution, line by line (a line's shape: the line with every number written #):
  answer line   every line but the last (the boxed answer) is the gold's
  slip          the first line that differs has the gold line's shape: a number in it differs
  another step  the first line that differs has another shape: a step the gold does not take

Appends (or replaces, by label) one entry per evaluator in --json. Reads validation only.
"""
import argparse
import re
from collections import defaultdict

import sympy
import torch

from records import read_json, write_json
from data import load_run_splits
from candidates import plant_answers, read_candidates
from evaluator import score_rule
from grade import canonical, is_equiv
from measures import distinct_pairs, evaluate, pair_credit
from model import load_run

KINDS = ("answer line", "slip", "another step")
NUMBER = re.compile(r"\d+(\.\d+)?")


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--evaluator", help="a train_verifier.py ckpt.pt")
    p.add_argument("--candidates", help="a candidates.jsonl whose 'val' rows are the held-out set "
                                        "(the same generator's samples)")
    p.add_argument("--label", help="the entry's name in the tables")
    p.add_argument("--json", default="results/evaluator_errors.json")
    p.add_argument("--examples", type=int, default=3, help="wrongly ordered pairs to keep")
    p.add_argument("--render", action="store_true", help="print the tables from --json")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return p.parse_args(argv)


def shape(line):
    return NUMBER.sub("#", line.strip())


def error_kind(wrong, gold):
    """(kind, the first line that differs, counted from 0) of a wrong solution against the
    gold one (KINDS)."""
    w, g = wrong.strip().split("\n"), gold.strip().split("\n")
    i = next((k for k, (a, b) in enumerate(zip(w, g)) if a.strip() != b.strip()), min(len(w), len(g)))
    if i == len(w) - 1 == len(g) - 1:
        return "answer line", i
    if i < len(w) and i < len(g) and shape(w[i]) == shape(g[i]):
        return "slip", i
    return "another step", i


def numeric(side):
    """Whether one side of an equation is a number: parsed (grade.canonical), no variable."""
    form = canonical(side)
    return form[0] == "expr" and not sympy.sympify(form[1]).free_symbols


def false_equation(solution):
    """The first line (counted from 0) that states a false equation between two numeric sides
    (a = b inside $...$, numeric), or None when every such equation holds."""
    for i, line in enumerate(solution.strip().split("\n")):
        for math in re.findall(r"\$([^$]*)\$", line):
            sides = [side.strip() for side in math.split("=")]
            if any(numeric(a) and numeric(b) and not is_equiv(a, b)
                   for a, b in zip(sides, sides[1:])):
                return i
    return None


def pair_rows(cands, scores, likelihood, gold):
    """One row per distinct-text (right, wrong) pair of a problem (measures.distinct_pairs):
    the wrong text's kind and the problem's subject and level, and each scorer's credit."""
    pairs = distinct_pairs(cands)
    sums = {j: "a false equation" if false_equation(cands[j]["solution"]) is not None
            else "every equation holds" for j in {j for _, j in pairs}}  # once a wrong text
    rows = []
    for i, j in pairs:
        row = gold[cands[i]["problem_id"]]
        kind, _ = error_kind(cands[j]["solution"], row["solution"])
        rows.append({"right": i, "wrong": j, "kind": kind, "arithmetic": sums[j],
                     "subject": row.get("type", "?"), "level": row.get("level", "?"),
                     "evaluator": pair_credit(scores[i], scores[j]),
                     "likelihood": pair_credit(likelihood[i], likelihood[j]),
                     "shorter_right": len(cands[i]["solution"]) < len(cands[j]["solution"]),
                     "scores": (scores[i], scores[j]), "margin": scores[i] - scores[j]})
    return rows


def by(rows, key):
    """{value of key: {n, evaluator, likelihood}}: the pairs and each scorer's accuracy."""
    groups = defaultdict(list)
    for r in rows:
        groups[r[key]].append(r)
    mean = lambda rs, k: sum(r[k] for r in rs) / len(rs)
    return {str(v): {"n": len(rs), "evaluator": mean(rs, "evaluator"),
                     "likelihood": mean(rs, "likelihood")}
            for v, rs in sorted(groups.items(), key=lambda kv: str(kv[0]))}


def summary(rows):
    """Agreement with the likelihood and the length preference, over all pairs."""
    same = [r for r in rows if r["evaluator"] == r["likelihood"]]
    lik_right = [r for r in rows if r["likelihood"] == 1.0]
    lik_wrong = [r for r in rows if r["likelihood"] == 0.0]
    short = [r for r in rows if r["shorter_right"]]
    long_ = [r for r in rows if not r["shorter_right"]]
    acc = lambda rs: sum(r["evaluator"] for r in rs) / len(rs) if rs else float("nan")
    return {"n": len(rows), "evaluator": acc(rows),
            "likelihood": sum(r["likelihood"] for r in rows) / max(len(rows), 1),
            "same_order": len(same) / max(len(rows), 1),
            "when_likelihood_right": acc(lik_right), "when_likelihood_wrong": acc(lik_wrong),
            "when_right_is_shorter": acc(short), "when_right_is_longer": acc(long_),
            "right_is_shorter": len(short) / max(len(rows), 1)}


def examples(rows, cands, n):
    """The n pairs the evaluator orders wrong by the widest margin: the widest of each kind
    first, then the widest of the rest."""
    wrong = sorted((r for r in rows if r["evaluator"] == 0.0), key=lambda r: r["margin"])
    first = list({r["kind"]: r for r in reversed(wrong)}.values())  # each kind's widest
    first.sort(key=lambda r: r["margin"])
    picked = (first + [r for r in wrong if r not in first])[:n]
    return [{"problem": cands[r["right"]]["problem"], "kind": r["kind"],
             "right": cands[r["right"]]["solution"], "wrong": cands[r["wrong"]]["solution"],
             "scores": list(r["scores"])} for r in picked]


def analyse(cands, scores, likelihood, gold, n_examples=3):
    rows = pair_rows(cands, scores, likelihood, gold)
    return {"all": summary(rows), "arithmetic": by(rows, "arithmetic"),
            "kinds": by(rows, "kind"), "subjects": by(rows, "subject"),
            "levels": by(rows, "level"), "examples": examples(rows, cands, n_examples)}


def scores_of(args):
    """(held-out candidates, the evaluator's scores, the generator's likelihood, the gold rows
    by id, the evaluator's run config). The candidates are planted as the evaluator's training
    ones were (its --plant_answer), and both scorers read them as train_verifier.py does."""
    from train_verifier import likelihood_controls
    judge, judge_tok, ck = load_run(args.evaluator, args.device)
    rc = ck["run_config"]
    if rc.get("role") != "evaluator":
        raise ValueError(f"--evaluator {args.evaluator}: not a train_verifier.py checkpoint")
    val = [c for c in read_candidates(args.candidates) if c["split"] == "val"]
    if rc.get("plant_answer"):
        val = plant_answers(val, rc["plant_answer"])
    _, scores = evaluate(judge, judge_tok, val, rule=score_rule(rc))
    generator, tok, gen_ck = load_run(rc["generator"], args.device)
    likelihood = likelihood_controls(generator, tok, val, args.device)["likelihood"]
    gold = {r["id"]: r for r in load_run_splits(gen_ck["run_config"],
                                                report=lambda *a: None)["val"]}
    return val, scores, likelihood, gold, rc


def render(saved):
    """docs/results.md's tables: per evaluator, the agreement line, then its pair accuracy by
    the wrong text's arithmetic, by its kind against the gold and by subject, beside the
    likelihood's."""
    out = []
    for e in saved["entries"]:
        a = e["all"]
        lines = [f"**{e['label']}** ({a['n']:,} distinct-text pairs): evaluator "
                 f"{a['evaluator']:.3f}, likelihood {a['likelihood']:.3f}; it orders "
                 f"{a['same_order']:.0%} of the pairs as the likelihood does, and is right on "
                 f"{a['when_likelihood_right']:.3f} of those the likelihood gets right, "
                 f"{a['when_likelihood_wrong']:.3f} of those it gets wrong; right on "
                 f"{a['when_right_is_shorter']:.3f} where the right text is the shorter, "
                 f"{a['when_right_is_longer']:.3f} where it is the longer.", "",
                 "| the wrong text's mistake, or the subject | pairs | evaluator | likelihood |",
                 "|---|---|---|---|"]
        for group in ("arithmetic", "kinds", "subjects"):
            lines += [f"| {k} | {v['n']:,} | {v['evaluator']:.3f} | {v['likelihood']:.3f} |"
                      for k, v in e[group].items()]
        for x in e["examples"]:  # the pairs it is surest of, and wrong
            lines += ["", f"Scored {x['scores'][1]:.3g}, the right text {x['scores'][0]:.3g} "
                          f"(the wrong text: {x['kind']}): {x['problem']}", "", "```",
                      "right:", x["right"].strip(), "wrong:", x["wrong"].strip(), "```"]
        out.append("\n".join(lines))
    return "\n\n".join(out)


def main(argv=None):
    args = get_args(argv)
    saved = read_json(args.json, {"split": "val", "entries": []})
    if args.render:
        print(render(saved))
        return saved
    if not (args.evaluator and args.candidates and args.label):
        raise SystemExit("--evaluator, --candidates and --label are needed (or --render)")
    val, scores, likelihood, gold, rc = scores_of(args)
    entry = {"label": args.label, "evaluator": args.evaluator, "candidates": args.candidates,
             "plant_answer": rc.get("plant_answer"),
             **analyse(val, scores, likelihood, gold, args.examples)}
    saved["entries"] = [e for e in saved["entries"] if e["label"] != args.label] + [entry]
    write_json(args.json, saved)
    print(render({"entries": [entry]}))
    return saved


if __name__ == "__main__":
    main()
