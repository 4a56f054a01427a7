"""results/verdicts.py: the two-way bootstrap, Holm's correction and the claims file."""
import json
import os

import numpy as np
import pytest

from results import verdicts

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_bootstrap_of_a_sure_difference_and_of_none():
    mean, low, high, p = verdicts.bootstrap(np.ones((3, 50)))
    assert (mean, low, high, p) == (1.0, 1.0, 1.0, 0.0)
    mean, low, high, p = verdicts.bootstrap(np.zeros((3, 50)))
    assert (mean, low, high, p) == (0.0, 0.0, 0.0, 1.0)


def test_seed_to_seed_variance_widens_the_interval():
    """Every problem gains the same within a seed, but the seeds disagree: averaging over
    seeds first and taking the spread over problems (the old rule) sees no noise at all; the
    two-way bootstrap must see the seeds' disagreement."""
    d = np.array([[0.3] * 200, [0.3] * 200, [-0.2] * 200, [0.1] * 200])
    per_problem = d.mean(0)
    assert per_problem.std() == 0  # the old rule's standard error would be 0
    mean, low, high, p = verdicts.bootstrap(d)
    assert mean == pytest.approx(0.125) and low < 0 < high and p > 0.05


def test_problem_variance_alone_also_counts():
    rng = np.random.default_rng(0)
    one_seed = rng.choice([-1.0, 0.0, 1.0], size=(1, 400), p=[0.3, 0.4, 0.3])
    mean, low, high, _ = verdicts.bootstrap(one_seed)
    se = one_seed.std() / np.sqrt(400)
    assert high - low == pytest.approx(2 * 1.96 * se, rel=0.15)  # the usual interval


def test_holm_adjusts_in_order_and_stays_monotone():
    assert verdicts.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert verdicts.holm([0.5]) == [0.5]
    assert verdicts.holm([0.02, 0.02]) == pytest.approx([0.04, 0.04])


def fake(a_out, b_out, ids=("p", "q", "r", "s")):
    """results.json-like: run 'x' with methods a and b over two seeds."""
    return {"x": {s: {"per_problem": {"id": list(ids), "a": list(ao), "b": list(bo)}}
                  for s, ao, bo in zip(("1", "2"), a_out, b_out)}}


def test_differences_align_problems_by_id():
    res = fake([[1, 0, 1, 1], [1, 1, 0, 0]], [[0, 0, 0, 0], [0, 0, 0, 0]])
    res["x"]["2"]["per_problem"]["id"] = ["s", "r", "q", "p"]  # the same problems, reordered
    d = verdicts.differences(res, ["x", "a"], ["x", "b"])
    assert d.tolist() == [[1, 0, 1, 1], [0, 0, 1, 1]]  # seed 2 re-read in p, q, r, s order
    assert verdicts.differences(res, ["x", "a"], ["y", "b"]) is None


def test_verdict_words_follow_the_holm_adjusted_p_value():
    ids = [f"p{i}" for i in range(100)]
    res = fake([[1] * 100, [1] * 100], [[0] * 100, [0] * 100], ids)
    res["x"]["1"]["per_problem"]["c"] = [0] * 100
    res["x"]["2"]["per_problem"]["c"] = [1] * 50 + [0] * 50
    claims = {"primary": [{"id": "a>b", "a": ["x", "a"], "b": ["x", "b"]},
                          {"id": "b>a", "a": ["x", "b"], "b": ["x", "a"]},
                          {"id": "c>b", "a": ["x", "c"], "b": ["x", "b"]},
                          {"id": "gone", "a": ["nope", "a"], "b": ["x", "b"]}],
              "secondary": []}
    v = verdicts.verdicts(res, claims)
    assert v["a>b"]["verdict"] == "reproduced" and v["b>a"]["verdict"] == "opposite"
    assert v["c>b"]["verdict"] == "within noise" and v["gone"]["verdict"] == "no data"
    assert v["c>b"]["p_holm"] >= v["c>b"]["p"]  # Holm never lowers a p-value
    assert verdicts.cell(v["a>b"]).startswith("reproduced (+100.0, 95% CI +100.0 to +100.0")
    # the half-width of the interval, in points: (high - low) / 2
    assert verdicts.resolves({"verdict": "opposite", "low": -0.065, "high": -0.017}) == "± 2.4"
    assert verdicts.resolves(v["a>b"]) == "± 0.0" and verdicts.resolves(v["gone"]) == "-"


def test_committed_claims_file_is_well_formed():
    claims = verdicts.load_claims()
    primary = {c["id"] for c in claims["primary"]}
    assert {"style", "maj1>greedy", "rr_topk>rr_all", "rr_topk>maj1", "w_rr_topk>maj1",
            "seq_margin>ssft", "seq_ce>ssft"} == primary  # the paper's, as issue #22 lists them
    for c in claims["primary"] + claims["secondary"]:
        assert len(c["a"]) == len(c["b"]) == 2 and c["claim"]
    with open(os.path.join(ROOT, "results", "claims.json")) as f:
        assert json.load(f)["about"]
