"""
One verdict rule for every claim in results/claims.json: the paired difference a - b on
every (seed, test problem), a 95% interval and a p-value from a two-way bootstrap that
resamples seeds and problems together (so both the training seed's variance and the
problems' enter the interval), Holm's correction within each list of claims (primary: the
paper's; secondary: ours), and the verdict words derived from them:

    reproduced     the Holm-adjusted p-value is below 0.05 and the difference is positive
    opposite       the adjusted p-value is below 0.05 and the difference is negative
    within noise   otherwise

    python -m results.verdicts --results results/results.json     # print every verdict

Outcomes per problem come from results.json's per_problem entries (results/render.py collects
them from each run's samples.jsonl).
"""
import argparse
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CLAIMS = os.path.join(HERE, "claims.json")


def load_claims(path=CLAIMS):
    """{"primary": [claim, ...], "secondary": [...]} with unique ids."""
    claims = json.load(open(path))
    ids = [c["id"] for k in ("primary", "secondary") for c in claims[k]]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: claim ids repeat")
    return claims


def differences(res, a, b):
    """(seeds x problems) array of outcome(a) - outcome(b), problems aligned by id; a and b are
    [run, method] with method a per_problem key. None when a seed or problem is missing."""
    rows = []
    for seed in sorted(set(res.get(a[0], {})) & set(res.get(b[0], {}))):
        pa, pb = res[a[0]][seed].get("per_problem"), res[b[0]][seed].get("per_problem")
        if not pa or not pb or a[1] not in pa or b[1] not in pb:
            continue
        ya, yb = dict(zip(pa["id"], pa[a[1]])), dict(zip(pb["id"], pb[b[1]]))
        ids = sorted(set(ya) & set(yb))
        rows.append((ids, [ya[i] - yb[i] for i in ids]))
    if not rows or any(ids != rows[0][0] for ids, _ in rows):
        return None
    return np.array([d for _, d in rows], dtype=float)


def bootstrap(d, n_boot=4000, seed=0):
    """Two-way bootstrap of the mean of d (seeds x problems): each resample draws seeds and
    problems with replacement, independently, and takes the mean over the drawn cells. With
    counts w_s (seeds) and w_p (problems) that mean is w_s . d . w_p / (S P). Returns (mean,
    low, high, p) with the 95% percentile interval and the two-sided bootstrap p-value of 0."""
    rng = np.random.default_rng(seed)
    S, P = d.shape
    ws = rng.multinomial(S, [1 / S] * S, size=n_boot)  # (B, S)
    wp = rng.multinomial(P, [1 / P] * P, size=n_boot)  # (B, P)
    stats = np.einsum("bs,sp,bp->b", ws, d, wp) / (S * P)
    low, high = np.percentile(stats, [2.5, 97.5])
    p = min(1.0, 2 * min((stats <= 0).mean(), (stats >= 0).mean()))
    return float(d.mean()), float(low), float(high), float(p)


def holm(pvalues):
    """Holm-adjusted p-values, in the given order."""
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    out, running, m = [0.0] * len(pvalues), 0.0, len(pvalues)
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        out[i] = running
    return out


def verdicts(res, claims=None, alpha=0.05):
    """{claim id: {claim fields, mean, low, high, p, p_holm, seeds, problems, verdict}}."""
    claims = claims or load_claims()
    out = {}
    for kind in ("primary", "secondary"):
        got = []
        for c in claims[kind]:
            d = differences(res, c["a"], c["b"])
            if d is None or d.shape[1] < 2:
                out[c["id"]] = {**c, "kind": kind, "verdict": "no data"}
                continue
            mean, low, high, p = bootstrap(d)
            out[c["id"]] = {**c, "kind": kind, "mean": mean, "low": low, "high": high, "p": p,
                            "seeds": d.shape[0], "problems": d.shape[1]}
            got.append(c["id"])
        for cid, ph in zip(got, holm([out[i]["p"] for i in got])):
            v = out[cid]
            v["p_holm"] = ph
            v["verdict"] = ("within noise" if ph >= alpha else
                            "reproduced" if v["mean"] > 0 else "opposite")
    return out


def resolves(v):
    """The interval's half-width in points, as a table cell: how large an effect the run could
    tell from noise."""
    return "-" if v["verdict"] == "no data" else f"± {100 * (v['high'] - v['low']) / 2:.1f}"


def cell(v):
    """A verdict as a table cell: the words, the difference and its 95% interval in points."""
    if v["verdict"] == "no data":
        return "no data"
    return (f"{v['verdict']} ({100 * v['mean']:+.1f}, 95% CI {100 * v['low']:+.1f} to "
            f"{100 * v['high']:+.1f}; Holm p {v['p_holm']:.3f})")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--results", default=os.path.join(HERE, "results.json"))
    args = p.parse_args(argv)
    res = json.load(open(args.results))
    for cid, v in verdicts(res).items():
        print(f"{v['kind']:9s} {cid:22s} {cell(v)}")


if __name__ == "__main__":
    main()
