"""rerank.py: clustering, tie-breaks and every metric on hand-made candidate sets; then one
tiny end-to-end run of steps 1, 2a and 2b together."""
import json
import math
import os
import random

import pytest

from rerank import curves, summarise
from selection import cluster, pass_at_k, rank_clusters, select


def test_cluster_equivalent_strings_and_drops_none():
    answers = [r"\frac12", "0.5", None, "2", "1/2", "2.0", r"\frac{1}{2}", "3"]
    assert cluster(answers) == [[0, 1, 4, 6], [3, 5], [7]]
    assert cluster([None, None]) == []
    assert cluster(["3, -2", "-2,3", "(3,-2)"]) == [[0, 1], [2]]


def test_rank_clusters_tie_breaks():
    cl = [[0, 1], [2, 3], [4, 5, 6], [7, 8]]
    # size 3 first; then the size-2 clusters in the order they were first seen
    assert rank_clusters(cl) == [[4, 5, 6], [0, 1], [2, 3], [7, 8]]


def test_voting_never_reads_the_evaluator():
    """maj1 and majK are identical whatever the scores: the evaluator breaks no vote tie."""
    rng = random.Random(0)
    for _ in range(300):
        n = rng.randint(1, 10)
        answers = [rng.choice(["1", "2", "3", "4", None]) for _ in range(n)]
        correct = [a == "2" for a in answers]
        K = rng.randint(1, 3)
        votes = select(answers, correct, None, K)
        for _ in range(5):
            scores = [rng.random() for _ in range(n)]
            r = select(answers, correct, scores, K)
            assert (r["maj1"], r["majk"], r["pass"]) == (votes["maj1"], votes["majk"], votes["pass"])


def test_select_every_metric_by_hand():
    # gold is 5: samples say 4, 4, 4, 5, 5, 6, None
    answers = ["4", "4", "4", "5", "5", "6", None]
    correct = [False, False, False, True, True, False, False]
    scores = [0.2, 0.3, 0.1, 0.6, 0.5, 0.95, 0.99]
    r = select(answers, correct, scores, K=2)
    assert r["maj1"] == 0.0  # the "4" cluster (3 votes) wins
    assert r["majk"] == 1.0  # "5" is the second largest cluster
    assert r["pass"] == 1.0
    assert r["rr_all"] == 0.0  # "6" has the top score among answered samples (None dropped)
    assert r["rr_topk"] == 1.0  # within {4, 5}, the best score is 0.6 -> "5"
    assert r["w_rr"] == 1.0  # sums: 4 -> 0.6, 5 -> 1.1, 6 -> 0.95
    assert r["w_rr_topk"] == 1.0
    r1 = select(answers, correct, scores, K=1)
    assert r1["majk"] == 0.0 and r1["rr_topk"] == 0.0 and r1["w_rr_topk"] == 0.0
    novote = select(answers, correct, None, K=2)
    assert set(novote) == {"maj1", "majk", "pass"}
    assert select([None, None], [False, False], [0.5, 0.5], 2) == {
        "maj1": 0.0, "majk": 0.0, "pass": 0.0, "rr_all": 0.0, "rr_topk": 0.0, "w_rr": 0.0,
        "w_rr_topk": 0.0}


def test_select_ties_are_deterministic():
    # two clusters of two; the one seen first wins maj1 without scores
    answers, correct = ["1", "2", "2", "1"], [True, False, False, True]
    assert select(answers, correct, None, 1)["maj1"] == 1.0
    # scores do not break the vote's tie, even when they favour the other cluster
    r = select(answers, correct, [0.1, 0.9, 0.1, 0.1], 1)
    assert r["maj1"] == 1.0 and r["rr_all"] == 0.0 and r["rr_topk"] == 1.0  # top-1 cluster: "1"
    # equal scores: rr picks the first sample; equal cluster sums: the vote's first cluster
    r = select(answers, correct, [0.5] * 4, 2)
    assert r["rr_all"] == 1.0 and r["w_rr"] == 1.0
    assert select(["2", "1", "1", "2"], [False, True, True, False], [0.5] * 4, 2)["w_rr"] == 0.0
    # an evaluator tie between samples: the one drawn first (here the right one, drawn before
    # the wrong sample that closes the list)
    assert select(["1", "2", "1", "2"], [True, False, True, False], [0.5] * 4, 2)["rr_all"] == 1.0
    assert select(["2", "1", "2", "1"], [False, True, False, True], [0.5] * 4, 2)["rr_all"] == 0.0


def test_pass_at_k_unbiased():
    assert pass_at_k(4, 1, 2) == pytest.approx(0.5)
    assert pass_at_k(4, 0, 4) == 0.0 and pass_at_k(4, 4, 1) == 1.0
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(5, 2, 4) == 1.0


def test_curves_and_summary_on_a_fixed_set():
    problems = [
        {"answers": ["1", "1", "2", "2"], "correct": [True, True, False, False],
         "scores": [0.9, 0.8, 0.1, 0.2], "level": 1, "type": "A", "greedy_correct": True},
        {"answers": ["3", "4", "4", None], "correct": [True, False, False, False],
         "scores": [0.7, 0.1, 0.2, 0.9], "level": 2, "type": "A", "greedy_correct": False},
    ]
    for p in problems:
        p["select"] = select(p["answers"], p["correct"], p["scores"], 2)
    c = curves(problems, K=2, repeats=5, seed=0)
    assert sorted(c) == [1, 2, 4]
    full = c[4]
    assert full["pass"]["mean"] == 1.0  # both problems have a right sample
    assert full["maj1"]["mean"] == 0.5 and full["maj1"]["std"] == 0.0
    assert full["rr_all"]["mean"] == 1.0  # 0.9 -> "1" right; 0.7 -> "3" right (None dropped)
    assert c[1]["pass"]["mean"] == pytest.approx((0.5 + 0.25) / 2)
    table = summarise(problems, 4, 2)
    assert table["all"]["pass@1"] == 0.5 and table["all"]["maj1@4"] == 0.5
    assert table["all"]["rr_top2@4"] == 1.0 and table["all"]["maj2@4"] == 1.0
    assert table["by_level"]["2"]["maj1@4"] == 0.0 and table["by_type"]["A"]["n"] == 2


def test_end_to_end_sft_verifier_rerank(tmp_path):
    from train_sft import main as sft
    from train_verifier import main as verifier
    from rerank import main as rerank
    sft(["--n_train", "150", "--n_val", "10", "--n_test", "6",
         "--init_from", "scratch", "--n_layer", "1", "--n_head", "2",
         "--n_embd", "32", "--vocab_size", "400", "--batch_size", "8", "--max_steps", "30",
         "--eval_interval", "1000", "--max_new_tokens", "40", "--block_size", "512",
         "--lr", "1e-2", "--no_progress", "--out_dir", str(tmp_path / "sft")])
    m = verifier(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--n_problems", "12",
                  "--n_val_problems", "6", "--n_samples", "4", "--n_val_samples", "4",
                  "--max_steps", "3",
                  "--batch_size", "4", "--loss", "ce", "--no_progress",
                  "--out_dir", str(tmp_path / "ver")])
    for f in ("ckpt.pt", "tokenizer.json", "metrics.json", "candidates.jsonl", "config.json"):
        assert os.path.isfile(tmp_path / "ver" / f), f
    cands = [json.loads(l) for l in (tmp_path / "ver" / "candidates.jsonl").read_text().splitlines()]
    assert len(cands) == (12 + 6) * 4
    assert {"problem_id", "solution", "answer", "label", "split"} <= set(cands[0])
    saved = json.loads((tmp_path / "ver" / "metrics.json").read_text())
    assert saved["n_candidates"] == 24 and {"auc", "pair_accuracy", "mean_margin"} <= set(saved)
    assert m["n_candidates"] == 24
    r = rerank(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--evaluator",
                str(tmp_path / "ver" / "ckpt.pt"), "--n_samples", "4", "--k_clusters", "2",
                "--curve_repeats", "2", "--no_progress", "--out_dir", str(tmp_path / "rr")])
    saved = json.loads((tmp_path / "rr" / "metrics.json").read_text())
    # every number is the mean over the problems of what samples.jsonl records for each, and
    # greedy / pass@4 follow from its grades alone
    rows = [json.loads(l) for l in (tmp_path / "rr" / "samples.jsonl").read_text().splitlines()]
    mean = lambda xs: sum(xs) / len(xs)
    for key, rule in (("maj1@4", "maj1"), ("maj2@4", "majk"), ("rr_all@4", "rr_all"),
                      ("rr_top2@4", "rr_topk"), ("w_rr@4", "w_rr"), ("w_rr_top2@4", "w_rr_topk")):
        assert saved[key] == pytest.approx(mean([r["select"][rule] for r in rows])), key
    assert saved["pass@1"] == pytest.approx(mean([float(r["greedy_correct"]) for r in rows]))
    assert saved["pass@4"] == pytest.approx(mean([float(any(r["correct"])) for r in rows]))
    assert saved["n"] == 6 and set(saved["curves"]) == {"1", "2", "4"}
    assert saved["pass@4"] >= saved["maj1@4"] and saved["maj2@4"] >= saved["maj1@4"]
    assert r["pass@1"] == saved["pass@1"]
    lines = (tmp_path / "rr" / "samples.jsonl").read_text().splitlines()
    assert len(lines) == 6 and len(json.loads(lines[0])["samples"]) == 4
    # re-scoring the same samples with the evaluator gives the same numbers
    again = rerank(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--evaluator",
                    str(tmp_path / "ver" / "ckpt.pt"), "--n_samples", "4", "--top_k", "2",
                    "--curve_repeats", "2", "--no_progress", "--out_dir", str(tmp_path / "rr3"),
                    "--reuse_samples", str(tmp_path / "rr" / "samples.jsonl")])
    assert {k: again[k] for k in saved if "@" in k} == {k: saved[k] for k in saved if "@" in k}
    # a process evaluator: rollout values at every step of its training candidates, scored by
    # its weakest step, in its own report and in rerank.py
    pm = verifier(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--candidates",
                   str(tmp_path / "ver" / "candidates.jsonl"), "--loss", "process", "--rollouts",
                   "2", "--max_steps", "2", "--batch_size", "4", "--no_progress",
                   "--out_dir", str(tmp_path / "verp")])
    values = [json.loads(l) for l in
              (tmp_path / "verp" / "step_values.jsonl").read_text().splitlines()]
    from candidates import step_prefixes
    want = {(c["problem_id"], p) for c in cands if c["split"] == "train"
            for p in step_prefixes(c["solution"])}
    assert {(v["problem_id"], v["prefix"]) for v in values} == want
    assert all(v["value"] in (0.0, 0.5, 1.0) for v in values)
    assert set(pm["held_out"]["scorers"]) == {"evaluator", "evaluator, final read-out",
                                              "likelihood", "lowest token probability"}
    rerank(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--evaluator",
            str(tmp_path / "verp" / "ckpt.pt"), "--n_samples", "4", "--curve_repeats", "1",
            "--no_progress", "--no_likelihood_control", "--out_dir", str(tmp_path / "rr5"),
            "--reuse_samples", str(tmp_path / "rr" / "samples.jsonl")])
    from evaluator import evaluator_scores as scores_of
    from model import load_run as open_run
    from data import load_run_splits as splits_of
    pev, ptok, pck = open_run(str(tmp_path / "verp" / "ckpt.pt"))
    test_problems = {r["id"]: r["problem"] for r in splits_of(pck["run_config"])["test"]}
    got5 = [json.loads(l) for l in (tmp_path / "rr5" / "samples.jsonl").read_text().splitlines()]
    flat = [(test_problems[r["id"]], s) for r in got5 for s in r["samples"]]
    assert [x for r in got5 for x in r["scores"]] == pytest.approx(scores_of(
        pev, ptok, [p for p, _ in flat], [s for _, s in flat], rule="weakest"), abs=1e-6)
    # a likelihood evaluator (no label word): trained on relabelled candidates (a tiny model
    # is rarely right, so there would be no pairs), scored by its own likelihood in its report
    # and in rerank.py
    relabelled = tmp_path / "relabelled.jsonl"
    relabelled.write_text("".join(json.dumps({**c, "label": i % 2 == 0}) + "\n"
                                  for i, c in enumerate(cands)))
    lm = verifier(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--candidates",
                   str(relabelled), "--loss", "likelihood", "--margin", "0.1", "--max_steps",
                   "2", "--batch_size", "2", "--no_progress", "--out_dir", str(tmp_path / "verl")])
    assert set(lm["held_out"]["scorers"]) == {"evaluator", "likelihood",
                                              "lowest token probability"}
    rerank(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--evaluator",
            str(tmp_path / "verl" / "ckpt.pt"), "--n_samples", "4", "--curve_repeats", "1",
            "--no_progress", "--no_likelihood_control", "--out_dir", str(tmp_path / "rr6"),
            "--reuse_samples", str(tmp_path / "rr" / "samples.jsonl")])
    from evaluator import likelihood_scores
    lev, ltok, _ = open_run(str(tmp_path / "verl" / "ckpt.pt"))
    got6 = [json.loads(l) for l in (tmp_path / "rr6" / "samples.jsonl").read_text().splitlines()]
    assert [x for r in got6 for x in r["scores"]] == pytest.approx(likelihood_scores(
        lev, ltok, [p for p, _ in flat], [s for _, s in flat], "cpu")["lp"], abs=1e-6)
    # fewer samples than the file holds: each problem's first 2 (reproduce.sh's SSFT votes)
    two = rerank(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--evaluator", "none",
                  "--n_samples", "2", "--curve_repeats", "1", "--no_progress",
                  "--no_likelihood_control", "--out_dir", str(tmp_path / "rr2"),
                  "--reuse_samples", str(tmp_path / "rr" / "samples.jsonl")])
    first = [json.loads(l) for l in lines]
    got2 = [json.loads(l) for l in (tmp_path / "rr2" / "samples.jsonl").read_text().splitlines()]
    assert [r["samples"] for r in got2] == [r["samples"][:2] for r in first]
    assert two["pass@2"] == pytest.approx(sum(r["select"]["pass"] for r in got2) / 6)
    with pytest.raises(Exception, match="no 8 samples"):
        rerank(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--evaluator", "none",
                "--n_samples", "8", "--no_progress", "--out_dir", str(tmp_path / "rr8"),
                "--reuse_samples", str(tmp_path / "rr" / "samples.jsonl")])
    # an evaluator with another tokenizer than the generator's reads with its own
    import torch
    from data import train_tokenizer
    from model import GPT, GPTConfig, save_checkpoint
    from evaluator import evaluator_scores
    other = train_tokenizer(["Here is a math problem: is it right? " * 3, "12 + 34 = 46"], 350)
    torch.manual_seed(1)
    ev = GPT(GPTConfig(block_size=512, vocab_size=400, n_layer=1, n_head=2, n_embd=32)).eval()
    save_checkpoint(str(tmp_path / "ev2" / "ckpt.pt"), ev, tokenizer=other)
    rerank(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--evaluator",
            str(tmp_path / "ev2" / "ckpt.pt"), "--n_samples", "4", "--curve_repeats", "1",
            "--no_progress", "--out_dir", str(tmp_path / "rr4"),
            "--reuse_samples", str(tmp_path / "rr" / "samples.jsonl")])
    rows = [json.loads(l) for l in (tmp_path / "rr4" / "samples.jsonl").read_text().splitlines()]
    from data import load_run_splits
    from model import load_run
    gen, gen_tok, ck = load_run(str(tmp_path / "sft" / "ckpt.pt"))
    problems = {r["id"]: r["problem"] for r in load_run_splits(ck["run_config"])["test"]}
    flat_p = [problems[r["id"]] for r in rows for _ in r["samples"]]
    flat_s = [s for r in rows for s in r["samples"]]
    got = [x for r in rows for x in r["scores"]]
    assert got == pytest.approx(evaluator_scores(ev, other, flat_p, flat_s), abs=1e-6)
    assert got != pytest.approx(evaluator_scores(ev, gen_tok, flat_p, flat_s), abs=1e-3)
    # the evaluator-free control: the generator's own token probabilities, by hand for one sample
    assert {"lp_rr_top2@4", "minp_w_rr_top2@4", "lp_rr_all@4"} <= set(saved)
    from data import eos_id, encode, generator_prompt, generator_target
    from evaluator import likelihood_scores
    row = json.loads(lines[0])
    prob, sol = problems[row["id"]], row["samples"][0]
    got = likelihood_scores(gen, gen_tok, [prob, prob], [sol, sol + " Done."], "cpu")
    p, t = encode(gen_tok, generator_prompt(prob)), encode(gen_tok, generator_target(sol))
    ids = torch.tensor([p + t + [eos_id(gen_tok)]])
    with torch.no_grad():
        logp = torch.log_softmax(gen(ids[:, :-1])[0][0], -1)
    lps = [logp[j - 1, ids[0, j]].item() for j in range(len(p), ids.size(1))]
    assert got["lp"][0] == pytest.approx(math.exp(sum(lps) / len(lps)), rel=1e-4)
    assert got["minp"][0] == pytest.approx(math.exp(min(lps)), rel=1e-4)
    assert row["lp_scores"][0] == pytest.approx(got["lp"][0], rel=1e-4)
    assert got["lp"][1] != pytest.approx(got["lp"][0])  # each sample scored on its own
    # without an evaluator: voting only
    v = rerank(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--evaluator", "none",
                "--n_samples", "4", "--curve_repeats", "2", "--no_progress",
                "--out_dir", str(tmp_path / "rr2")])
    assert "maj1@4" in v and "rr_all@4" not in v
