"""
The paper's size cross at toy scale (#34 goal 5): generator size x evaluator size, on
validation. The paper: a PaLM 2-L evaluator improves PaLM 2-S* solutions, a PaLM 2-S*
evaluator fails to improve PaLM 2-L ones. Here the two sizes are the 4x128 default and the
3x96 base (bases/world-3x96.pt). Each cell is results.evaluator_curve's runs (one a seed) on
the plain real recipe (margin, 1,500 steps, 100,000 candidates of the generator's training
problems), scored on that generator's own held-out set; this file runs nothing, it reads the
two curves' JSON files and picks each cell's rows (docs/results.md, "The paper's size cross",
gives the commands):

    python -m results.size_cross        # print the table docs/results.md shows
"""
import json
import os

from results.evaluator_curve import SEED

GENERATORS = {  # generator size -> its curve's JSON, and the SSFT checkpoint its runs judged with
    "4x128": ("results/evaluator_curve_train_4x128.json", "out/sft/ckpt.pt"),
    "3x96": ("results/evaluator_curve_train_3x96.json", "out/sft-3x96/ckpt.pt")}
RECIPE = {"loss": "margin", "task": "real", "problems": 12500, "steps": 1500, "slips": 0}
# the plain real recipe, the cells' one recipe; a cell may hold runs of several seeds


def cell(curve, init):
    """The curve's rows of the plain real recipe whose evaluator started from init (None: a
    copy of the generator), one a seed, the default seed first ([] when none ran)."""
    rows = [r for r in curve["rows"] if r.get("init") == init
            and all(r.get(k, 0) == v for k, v in RECIPE.items())]
    seeds = [r.get("seed", SEED) for r in rows]
    if len(set(seeds)) < len(seeds):
        raise ValueError(f"two rows of the plain real recipe from {init} with one seed: "
                         "one run a cell and seed")
    return sorted(rows, key=lambda r: (r.get("seed", SEED) != SEED, r.get("seed", SEED)))


def cells(curves):
    """{(generator size, judge size): [rows, one a seed]} of the curves present ({generator
    size: the curve's JSON}); the judge of the generator's own size is its copy, the other one
    started from the other size's SSFT checkpoint (GENERATORS)."""
    out = {}
    for gen, curve in curves.items():
        for judge, (_, ckpt) in GENERATORS.items():
            rows = cell(curve, None if judge == gen else ckpt)
            if rows:
                out[gen, judge] = rows
    return out


def render(curves):
    """docs/results.md's tables: one line a cell, the trained evaluator's W.RR.Top2 - Maj1@16
    and top-2 decision; then the same judge untrained, by its own likelihood (the row
    results.evaluator_curve keeps as judge_likelihood; a row without it is left out)."""
    lines = ["| generator | evaluator | seed | Maj1@16 | W.RR.Top2 | W.RR.Top2 - Maj1 | top-2 "
             "decision (the vote's) | distinct pairs (the likelihood's) | AUC | training + "
             "report s |", "|---" * 10 + "|"]
    found = cells(curves)
    for (gen, judge), rows in found.items():
        for r in rows:
            ref = r["references"]
            lines.append(
                f"| {gen} | {judge}{' (its copy)' if gen == judge else ''} | "
                f"{r.get('seed', SEED)} | {100 * ref['maj1']:.1f} | {100 * r['w_rr_topk']:.1f} | "
                f"{100 * (r['w_rr_topk'] - ref['maj1']):+.1f} | {r['top2']:.3f} "
                f"({ref['vote_top2']:.3f}) | {r['distinct']:.3f} "
                f"({ref['likelihood_distinct']:.3f}) | {r['auc']:.3f} | "
                f"{r['wall_seconds'] or 0:.0f} |")
    lines += ["\nThe same judges before their training, each scored by its own mean token "
              "probability (on the diagonal, the generator's likelihood):\n",
              "| generator | judge | distinct pairs | top-2 decision | RR.All | RR.Top2 | "
              "W.RR.Top2 | RR.All - Maj1 |", "|---" * 8 + "|"]
    for (gen, judge), rows in found.items():  # the untrained judge: the same for every seed
        lik, maj1 = rows[0].get("judge_likelihood"), rows[0]["references"]["maj1"]
        if lik:
            lines.append(f"| {gen} | {judge} | {lik['pair_accuracy_distinct']:.3f} | "
                         f"{lik['top2_decision']:.3f} | {100 * lik['rr_all']:.1f} | "
                         f"{100 * lik['rr_topk']:.1f} | {100 * lik['w_rr_topk']:.1f} | "
                         f"{100 * (lik['rr_all'] - maj1):+.1f} |")
    for gen, curve in curves.items():
        lines.append(f"\nThe {gen} generator (weights {curve['generator_weights']}): training "
                     f"candidates {curve['train_correct']:.1%} correct; held out "
                     f"{curve['held_out_candidates']} candidates of "
                     f"{curve['held_out_problems']} validation problems; sampling the training "
                     f"candidates took {curve['sample_seconds']:.0f} s.")
    missing = [f"{g} x {j}" for g in GENERATORS for j in GENERATORS if (g, j) not in found]
    if missing:
        lines.append(f"\nNot run yet: {', '.join(missing)}.")
    return "\n".join(lines)


def read_curves(root="."):
    """{generator size: its curve's JSON} of the files present."""
    return {gen: json.load(open(os.path.join(root, path)))
            for gen, (path, _) in GENERATORS.items() if os.path.isfile(os.path.join(root, path))}


if __name__ == "__main__":
    print(render(read_curves()))
