"""
The paper's size cross at toy scale (#34 goal 5): generator size x evaluator size, on
validation. The paper: a PaLM 2-L evaluator improves PaLM 2-S* solutions, a PaLM 2-S*
evaluator fails to improve PaLM 2-L ones. Here the two sizes are the 4x128 default and the
3x96 base (bases/world-3x96.pt). Each cell is one results.evaluator_curve run on the plain
real recipe (margin, 1,500 steps, 100,000 candidates of the generator's training problems),
scored on that generator's own held-out set; this file renders no run of its own, it reads
the two curves' JSON files and picks each cell's row (docs/results.md, "The paper's size
cross", gives the commands):

    python -m results.size_cross        # print the table docs/results.md shows
"""
import json
import os

from results.evaluator_curve import SEED

GENERATORS = {  # generator size -> its curve's JSON, and the SSFT checkpoint its runs judged with
    "4x128": ("results/evaluator_curve_train_4x128.json", "out/sft/ckpt.pt"),
    "3x96": ("results/evaluator_curve_train_3x96.json", "out/sft-3x96/ckpt.pt")}
RECIPE = {"loss": "margin", "task": "real", "problems": 12500, "steps": 1500, "slips": 0,
          "seed": SEED}  # the plain real recipe, the cells' one recipe


def cell(curve, init):
    """The curve's row of the plain real recipe whose evaluator started from init (None: a
    copy of the generator), or None when that run is not in the file."""
    rows = [r for r in curve["rows"] if r.get("init") == init
            and all(r.get(k, 0) == v for k, v in RECIPE.items())]
    if len(rows) > 1:
        raise ValueError(f"two rows of the plain real recipe from {init}: one run a cell")
    return rows[0] if rows else None


def cells(curves):
    """{(generator size, judge size): row} of the curves present ({generator size: the
    curve's JSON}); the judge of the generator's own size is its copy, the other one started
    from the other size's SSFT checkpoint (GENERATORS)."""
    out = {}
    for gen, curve in curves.items():
        for judge, (_, ckpt) in GENERATORS.items():
            row = cell(curve, None if judge == gen else ckpt)
            if row is not None:
                out[gen, judge] = row
    return out


def render(curves):
    """docs/results.md's table: one line a cell, W.RR.Top2 - Maj1@16 first."""
    lines = ["| generator | evaluator | Maj1@16 | W.RR.Top2 | W.RR.Top2 - Maj1 | top-2 decision "
             "(the vote's) | distinct pairs (the likelihood's) | AUC | training + report s |",
             "|---" * 9 + "|"]
    found = cells(curves)
    for (gen, judge), r in found.items():
        ref = r["references"]
        lines.append(
            f"| {gen} | {judge}{' (its copy)' if gen == judge else ''} | "
            f"{100 * ref['maj1']:.1f} | {100 * r['w_rr_topk']:.1f} | "
            f"{100 * (r['w_rr_topk'] - ref['maj1']):+.1f} | {r['top2']:.3f} "
            f"({ref['vote_top2']:.3f}) | {r['distinct']:.3f} ({ref['likelihood_distinct']:.3f}) | "
            f"{r['auc']:.3f} | {r['wall_seconds'] or 0:.0f} |")
    for gen, curve in curves.items():
        lines.append(f"\nThe {gen} generator (weights {curve['generator_weights']}): training "
                     f"candidates {curve['train_correct']:.1%} correct; held out "
                     f"{curve['held_out_candidates']} candidates of "
                     f"{curve['held_out_problems']} validation problems.")
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
