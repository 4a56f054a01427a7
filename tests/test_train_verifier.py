"""train_verifier.py: losses by hand, the read-out position, truncation, pairs, AUC, batch
layout and order (its end-to-end run is tests/test_rerank.py's, which needs a verifier)."""
import argparse
import json
import math
import random

import pytest
import torch

from data import collate, decode, eos_id, generator_prompt, left_pad, train_tokenizer
from model import GPT, GPTConfig
from data import DataError, label_token_ids, world
from common import Sampling
from records import write_jsonl
from candidates import (make_pairs, plant_answers, rollout_values, slip, slip_candidates,
                        slip_start, step_prefixes)
from evaluator import (ce_loss, evaluator_batches, evaluator_example, evaluator_loss,
                       evaluator_scores, label_logits, log_score, margin_loss, process_loss,
                       shorten_middle, step_readouts)
from measures import (distinct_pair_accuracy, pair_metrics, problem_groups, ranking_report,
                      roc_auc, top2_decision)


def test_margin_loss_by_hand():
    pos = torch.tensor([0.8, 0.3]).log()
    neg = torch.tensor([0.6, 0.1]).log()
    # pair 1: log .6 - log .8 + 1 = 0.712318; pair 2: log .1 - log .3 + 1 = -0.098612 -> 0
    assert margin_loss(pos, neg, 1.0).item() == pytest.approx((1 + math.log(0.6 / 0.8)) / 2, abs=1e-6)
    assert margin_loss(pos, neg, 0.0).item() == 0.0
    assert margin_loss(pos, neg, 2.0).item() == pytest.approx(
        ((2 + math.log(0.75)) + (2 + math.log(1 / 3))) / 2, abs=1e-6)


def test_log_score_is_two_way_renormalised():
    two = torch.tensor([[2.0, 0.0], [0.0, 0.0], [-1.0, 3.0]])
    p = torch.softmax(two, -1)[:, 0]
    assert torch.allclose(log_score(two).exp(), p, atol=1e-6)
    assert log_score(two)[1].exp().item() == pytest.approx(0.5)


def test_ce_loss_by_hand():
    logp = torch.log_softmax(torch.tensor([[1.0, 2.0, 0.5], [0.0, 1.0, 3.0]]), -1)
    ids = torch.tensor([1, 2])  # (correct, incorrect) token ids
    labels = torch.tensor([1, 0])  # row 0 correct -> token 1; row 1 incorrect -> token 2
    want = -(logp[0, 1] + logp[1, 2]) / 2
    assert ce_loss(logp, labels, ids).item() == pytest.approx(want.item(), abs=1e-6)


def test_roc_auc_with_ties():
    assert roc_auc([0.9, 0.8, 0.8, 0.1], [1, 0, 1, 0]) == pytest.approx(3.5 / 4)
    assert roc_auc([0.1, 0.2], [1, 0]) == 0.0
    assert roc_auc([0.3, 0.9, 0.5], [0, 1, 1]) == 1.0
    assert math.isnan(roc_auc([0.3], [1]))


def cand(pid, label, i=0):
    return {"problem_id": pid, "label": label, "problem": "p", "solution": f"s{i}"}


def test_pairs_one_class_problems_give_none_and_cap():
    cands = [cand("a", True, 0), cand("a", True, 1), cand("a", False, 2), cand("a", False, 3),
             cand("a", False, 4), cand("b", True, 5), cand("b", True, 6), cand("c", False, 7)]
    pairs, one_class = make_pairs(cands, 10, random.Random(0))
    assert one_class == 2 and len(pairs) == 6  # 2 correct x 3 incorrect, capped at 10
    assert all(cands[a]["label"] and not cands[b]["label"] for a, b in pairs)
    pairs, _ = make_pairs(cands, 4, random.Random(0))
    assert len(pairs) == 4 and len(set(pairs)) == 4
    scores = [0.9, 0.2, 0.5, 0.1, 0.3, 0.5, 0.5, 0.5]
    acc, marg = pair_metrics(cands, scores)
    # pairs: (.9>.5 .1 .3) all, (.2 vs .5 no, .1 yes, .3 no) -> 4/6
    assert acc == pytest.approx(4 / 6)
    want = sum(math.log(a) - math.log(b) for a in (0.9, 0.2) for b in (0.5, 0.1, 0.3)) / 6
    assert marg == pytest.approx(want, abs=1e-6)


@pytest.fixture(scope="module")
def tok():
    texts = [generator_prompt(f"What is ${a}+{b}$?") + f" It is {a + b}." for a in range(9)
             for b in range(9)]
    return train_tokenizer(texts, 300)


def test_score_read_at_last_real_token_left_and_right_padding(tok):
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=128, vocab_size=300, n_layer=2, n_head=2, n_embd=32)).eval()
    exs = [evaluator_example(tok, "What is $1+1$?", "It is 2.", True, 128),
           evaluator_example(tok, "What is $3+4$ exactly, in full?", "It is 7, because 3+4=7.",
                             False, 128)]
    from data import label_token_ids
    ids = label_token_ids(tok)
    right = collate(exs, eos_id(tok))  # right padding (pad = EOS, also a real id)
    lp, mask = left_pad([e[0][:-1] for e in exs], eos_id(tok))
    left = {"x": lp, "attention_mask": mask}
    with torch.no_grad():
        a, _ = label_logits(model, right, ids)
        b, _ = label_logits(model, left, ids)
        c, _ = label_logits(model, right, ids, right_padded=True)  # no mask: causal is enough
        for i, (e, _) in enumerate(exs):  # each example alone, unpadded
            alone = model(torch.tensor([e[:-1]]))[0][0, -1, list(ids)]
            for got in (a, b, c):
                assert torch.allclose(got[i], alone, atol=1e-5)
        # the row of a shorter example ends in padding: read there, the last position, it
        # would not be the example's score (what right_padded relies on last_real_index for)
        short = int(right["attention_mask"].sum(1).argmin())
        assert right["attention_mask"][short, -1] == 0
        full = model(right["x"])[0][short, -1, list(ids)]
        assert not torch.allclose(full, c[short], atol=1e-3)
    # the label token is what the read-out position predicts
    ids_, mask_ = exs[0]
    assert ids_[-1] == ids[0] and exs[1][0][-1] == ids[1] and ids[0] != ids[1]
    assert mask_[-1] == 1 and sum(mask_) == 1
    # with this 300-token vocabulary the words are several tokens: the first one is scored
    assert " correct".startswith(decode(tok, [ids[0]])) and len(decode(tok, [ids[0]])) < 8


def test_length_split_gives_the_same_loss_and_gradient(tok):
    """--length_split: the batch cut into length-sorted pieces, each padded to its own longest
    example, and put back in order: the margin loss (pairs stay paired) and CE, and their
    gradients, are the whole batch's."""
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=128, vocab_size=300, n_layer=2, n_head=2, n_embd=32))
    texts = [("What is $1+1$?", "It is 2."), ("What is $3+4$ exactly, in full?",
                                             "It is 7, because 3+4=7 and 7 is the sum."),
             ("What is $2+2$?", "It is 4, as 2+2=4."), ("What is $5+1$?", "6."),
             ("What is $8+1$ here?", "It is 9, since 8+1=9."), ("What is $0+0$?", "It is 0.")]
    labels = [True, False, False, True, True, False]
    exs = [evaluator_example(tok, p, s, y, 128) for (p, s), y in zip(texts, labels)]
    ids, pad = label_token_ids(tok), eos_id(tok)
    for loss in ("margin", "ce"):
        got = []
        for parts in (1, 3, 4):
            args = argparse.Namespace(loss=loss, margin=1.0, device="cpu", length_split=parts)
            model.zero_grad()
            value = evaluator_loss(model, exs, labels, args, ids, pad)
            value.backward()
            got.append((value.item(), [p.grad.clone() for p in model.parameters()]))
        for value, grads in got[1:]:
            assert value == pytest.approx(got[0][0], abs=1e-6) and value > 0
            for g, want in zip(grads, got[0][1]):
                torch.testing.assert_close(g, want, rtol=1e-4, atol=1e-6)
    # the pieces reorder the rows (sorted by length), so the equality above needs them put back
    lengths = [len(e[0]) for e in exs]
    assert sorted(range(6), key=lambda i: lengths[i]) != list(range(6))


def test_shorten_middle_by_hand():
    sol = "step one\nstep two\nThe answer is $\\boxed{5}$."
    assert shorten_middle(sol, 4) == "step one\nstep\n...\nThe answer is $\\boxed{5}$."
    assert shorten_middle(sol, 17) == "The answer is $\\boxed{5}$."  # the whole middle
    assert shorten_middle(sol, 31) == "$\\boxed{5}$."  # the answer line, from its start
    assert shorten_middle("$\\boxed{5}$", 50) == "$"  # never empty


def test_long_solution_keeps_its_answer_line_and_the_read_out(tok):
    sol = "\n".join(f"Step {i}: it is 2." for i in range(60)) + "\nThe answer is $\\boxed{7}$."
    ids, mask = evaluator_example(tok, "What is $1+1$?", sol, True, 96)
    assert len(ids) <= 97 and len(ids) >= 90 and mask == [0] * (len(ids) - 1) + [1]
    text = decode(tok, ids[:-1])
    assert text.startswith("Here is a math problem: What is $1+1$?. Here is a candidate solution: "
                           "Step 0: it is 2.")
    assert text.endswith("\n...\nThe answer is $\\boxed{7}$.. The above candidate solution is")
    assert ids[-1] == label_token_ids(tok)[0]
    # a solution that fits is left as it is
    ids, _ = evaluator_example(tok, "What is $1+1$?", "It is 2. $\\boxed{2}$", False, 96)
    assert decode(tok, ids[:-1]).endswith("It is 2. $\\boxed{2}$. The above candidate solution is")


def tiny_evaluator(vocab=300, seed=0):
    torch.manual_seed(seed)
    return GPT(GPTConfig(block_size=128, vocab_size=vocab, n_layer=1, n_head=2, n_embd=32)).eval()


def test_margin_batches_put_the_correct_candidate_first_in_each_pair(tok):
    """evaluator_loss reads rows 0, 2, 4, ... as the correct candidates: the batches must be
    laid out that way, and the loss must equal the margin loss of (correct, incorrect) scores
    computed apart. Swapping the two slices changes the value (the test would fail)."""
    model = tiny_evaluator()
    cands = [{"problem_id": f"p{i // 4}", "problem": f"What is ${i // 4}+1$?",
              "solution": f"It is {i}, so {i % 3}.", "label": i % 4 in (0, 3)} for i in range(16)]
    args = argparse.Namespace(loss="margin", pairs_per_problem=10, batch_size=4, seed=0,
                              margin=1.0, device="cpu")
    ex, batch = evaluator_batches(tok, cands, args, 128, log=lambda *a: None)
    idx = batch()
    assert len(idx) == 8 and all(cands[i]["label"] for i in idx[0::2])
    assert not any(cands[i]["label"] for i in idx[1::2])
    ids, pad = label_token_ids(tok), eos_id(tok)
    with torch.no_grad():
        got = evaluator_loss(model, [ex[i] for i in idx], [cands[i]["label"] for i in idx],
                             args, ids, pad)
        ls = lambda rows: log_score(label_logits(model, collate([ex[i] for i in rows], pad), ids)[0])
        want = margin_loss(ls(idx[0::2]), ls(idx[1::2]), 1.0)
        swapped = margin_loss(ls(idx[1::2]), ls(idx[0::2]), 1.0)
    assert got.item() == pytest.approx(want.item(), abs=1e-5)
    assert abs(want.item() - swapped.item()) > 1e-3


def test_candidates_come_from_the_named_split_never_a_validation_or_test_problem(tmp_path):
    from data import load_run_splits
    from model import load_run
    from train_sft import main as sft
    from train_verifier import main as verifier
    tiny = ["--n_train", "100", "--n_val", "10", "--n_test", "6",
            "--init_from", "scratch", "--n_layer", "1", "--n_head",
            "2", "--n_embd", "32", "--vocab_size", "300", "--batch_size", "8", "--max_steps", "2",
            "--eval_interval", "1000", "--max_new_tokens", "16", "--block_size", "512",
            "--no_progress"]
    sft(tiny + ["--n_fresh", "35", "--out_dir", str(tmp_path / "sft")])
    args = ["--n_problems", "30", "--n_val_problems", "5", "--n_samples", "2", "--max_steps", "1",
            "--loss", "ce", "--no_progress"]  # --candidates_from fresh is the default
    verifier(args + ["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--out_dir",
                     str(tmp_path / "ver")])
    cands = [json.loads(l) for l in (tmp_path / "ver" / "candidates.jsonl").read_text().splitlines()]
    splits = load_run_splits(load_run(str(tmp_path / "sft" / "ckpt.pt"))[2]["run_config"])
    ids = {k: {r["id"] for r in v} for k, v in splits.items()}
    train_c = [c for c in cands if c["split"] == "train"]
    assert len(train_c) == 30 * 2 and {c["problem_split"] for c in train_c} == {"fresh"}
    assert {c["problem_id"] for c in train_c} <= ids["fresh"]
    # in content too (ids embed the split name): no candidate's problem is a training problem
    text = {r["id"]: r["problem"] for v in splits.values() for r in v}
    assert not {text[c["problem_id"]] for c in cands} & {r["problem"] for r in splits["train"]}
    assert {c["problem_id"] for c in cands if c["split"] == "val"} <= ids["val"]
    # the paper's source (--candidates_from train, the learning curve's): the generator's own
    # training problems, none of them a validation or test problem by the world's content key
    verifier(args + ["--candidates_from", "train", "--generator",
                     str(tmp_path / "sft" / "ckpt.pt"), "--out_dir", str(tmp_path / "ver-t")])
    from_train = [json.loads(l) for l in
                  (tmp_path / "ver-t" / "candidates.jsonl").read_text().splitlines()]
    key = {r["id"]: r["key"] for v in world.make_splits(100, 10, 6, 0, 35).values() for r in v}
    train_keys = {key[c["problem_id"]] for c in from_train if c["split"] == "train"}
    assert len(train_keys) == 30 and {c["problem_id"] for c in from_train
                                      if c["split"] == "train"} <= ids["train"]
    assert not train_keys & {key[i] for i in ids["val"] | ids["test"]}
    sft(tiny + ["--n_fresh", "0", "--out_dir", str(tmp_path / "sft0")])  # no fresh problems
    with pytest.raises(DataError, match="no fresh problems.*--n_fresh"):
        verifier(args + ["--sft_ckpt", str(tmp_path / "sft0" / "ckpt.pt"), "--out_dir",
                         str(tmp_path / "ver0")])


def test_a_larger_evaluator_judges_the_generators_samples(tmp_path):
    """--evaluator_init: the judge is another SSFT model of the same splits (here wider and
    deeper); the candidates and the likelihood rows stay the generator's, the checkpoint is
    the judge's; a judge of other splits is refused."""
    from model import load_run
    from train_sft import main as sft
    from train_verifier import main as verifier
    tiny = ["--n_train", "100", "--n_val", "10", "--n_test", "6", "--n_fresh", "20",
            "--init_from", "scratch", "--n_head", "2", "--vocab_size", "300", "--batch_size",
            "8", "--max_steps", "2", "--eval_interval", "1000", "--max_new_tokens", "16",
            "--block_size", "512", "--no_progress"]
    sft(tiny + ["--n_layer", "1", "--n_embd", "32", "--out_dir", str(tmp_path / "gen")])
    sft(tiny + ["--n_layer", "2", "--n_embd", "48", "--out_dir", str(tmp_path / "big")])
    gen = str(tmp_path / "gen" / "ckpt.pt")
    args = ["--generator", gen, "--n_problems", "12", "--n_val_problems", "5", "--n_samples",
            "2", "--n_val_samples", "4", "--max_steps", "1", "--loss", "ce", "--no_progress"]
    verifier(args + ["--out_dir", str(tmp_path / "sampled")])
    # an untrained generator is always wrong: relabel every other candidate so that every
    # report number depends on the scores
    rows = [json.loads(l) for l in (tmp_path / "sampled" / "candidates.jsonl").read_text()
            .splitlines()]
    cands = str(tmp_path / "relabelled.jsonl")
    write_jsonl(cands, [{**c, "label": i % 2 == 0} for i, c in enumerate(rows)])
    paper = verifier(args + ["--candidates", cands, "--out_dir", str(tmp_path / "copy")])
    larger = verifier(args + ["--evaluator_init", str(tmp_path / "big" / "ckpt.pt"),
                              "--candidates", cands, "--out_dir", str(tmp_path / "larger")])
    judge = load_run(str(tmp_path / "larger" / "ckpt.pt"))[0]
    assert (judge.config.n_layer, judge.config.n_embd) == (2, 48)
    assert 0 < paper["held_out"]["scorers"]["likelihood"]["pair_accuracy_distinct"] < 1
    same = lambda a, b: json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)  # NaN too
    for row in ("likelihood", "lowest token probability"):  # read from the generator
        assert same(larger["held_out"]["scorers"][row], paper["held_out"]["scorers"][row])
    from train_verifier import JUDGE_LIKELIHOOD  # the larger model's own, before training
    assert JUDGE_LIKELIHOOD not in paper["held_out"]["scorers"]
    assert not same(larger["held_out"]["scorers"][JUDGE_LIKELIHOOD],
                    paper["held_out"]["scorers"]["likelihood"])
    assert not same(larger["held_out"]["scorers"]["evaluator"],
                    paper["held_out"]["scorers"]["evaluator"])
    sft(tiny + ["--n_val", "12", "--n_layer", "1", "--n_embd", "32",
                "--out_dir", str(tmp_path / "other")])
    with pytest.raises(ValueError, match="--evaluator_init .* --n_val 12, the generator .* 10"):
        verifier(args + ["--evaluator_init", str(tmp_path / "other" / "ckpt.pt"),
                         "--candidates", cands, "--out_dir", str(tmp_path / "refused")])


def test_evaluator_scores_come_back_in_input_order(tok, monkeypatch):
    import evaluator
    model = tiny_evaluator()
    problems = [f"What is ${i}+{i}$?" + " Think." * (7 - i) for i in range(7)]  # lengths differ
    sols = [f"It is {2 * i}." + " Yes." * (i % 3) for i in range(7)]
    monkeypatch.setattr(evaluator, "SCORE_BATCH", 3)  # three batches, sorted by length
    together = evaluator_scores(model, tok, problems, sols)
    alone = [evaluator_scores(model, tok, [p], [s])[0] for p, s in zip(problems, sols)]
    assert together == pytest.approx(alone, abs=1e-5)
    assert len(set(round(x, 6) for x in alone)) == 7  # distinct, so a permutation would show


def ans_cand(pid, label, text, answer):
    return {"problem_id": pid, "label": label, "problem": "p", "solution": text, "answer": answer}


def test_distinct_pair_accuracy_counts_each_text_once():
    """Repeated samples add no pair: a: right texts r1 (x3), r2; wrong texts w1 (x2), w2.
    Distinct pairs (r1,w1) (r1,w2) (r2,w1) (r2,w2) with scores r1 .9, r2 .2, w1 .5, w2 .2:
    .9>.5 yes, .9>.2 yes, .2>.5 no, .2=.2 half -> 2.5 / 4; the sampled pairs count r1's copies
    and w1's copies: 4 x 3 = 12 pairs of which r1 x (w1, w1, w2) = 9 and r2 x w2 tie (no)
    -> 9 / 12."""
    c = [ans_cand("a", True, "r1", "1")] * 3 + [ans_cand("a", True, "r2", "1")] + \
        [ans_cand("a", False, "w1", "2")] * 2 + [ans_cand("a", False, "w2", "3")] + \
        [ans_cand("b", True, "r", "5")]  # one class only: no pair
    s = [0.9] * 3 + [0.2] + [0.5] * 2 + [0.2] + [0.7]
    acc, n = distinct_pair_accuracy(c, s)
    assert (acc, n) == (pytest.approx(2.5 / 4), 4)
    assert pair_metrics(c, s)[0] == pytest.approx(9 / 12)


def test_top2_decision_and_ranking_report_by_hand():
    """Problem a: clusters {2: x3, wrong}, {1: x2, right}, {7: x1, wrong}: the two largest
    split right/wrong; the vote picks 2 (wrong). Mean scores: cluster 2 (.1+.2+.95)/3 = .417,
    cluster 1 (.8+.5)/2 = .65 -> the scorer picks the right one (by the best member it would
    not: .95 > .8). Problem b: two clusters, both wrong -> not counted. Problem c: one
    cluster -> not counted."""
    a = [("2", False, .1), ("1", True, .8), ("2", False, .2), ("7", False, .9), ("2", False, .95),
         ("1", True, .5)]
    b = [("3", False, .5), ("4", False, .6)]
    cc = [("9", True, .5), ("9", True, .5)]
    cands, scores = [], []
    for pid, rows in (("a", a), ("b", b), ("c", cc)):
        for i, (ans, label, s) in enumerate(rows):
            cands.append(ans_cand(pid, label, f"{pid}{i}", ans))
            scores.append(s)
    groups = problem_groups(cands)
    assert top2_decision(cands, scores, groups) == (1.0, 0.0, 1)
    flipped = [1 - s for s in scores]  # the scorer now prefers the wrong cluster
    assert top2_decision(cands, flipped, groups) == (0.0, 0.0, 1)
    r = ranking_report(cands, {"s": scores, "flipped": flipped}, K=2)
    assert (r["n_problems"], r["n_one_class"], r["n_top2"], r["vote_top2"]) == (3, 2, 1, 0.0)
    assert r["n_pairs"] == 2 * 4 and r["n_pairs_distinct"] == 8
    # votes: a wrong (cluster 2), b wrong, c right -> 1/3; Pass: a and c -> 2/3
    assert (r["maj1"], r["pass"]) == (pytest.approx(1 / 3), pytest.approx(2 / 3))
    s = r["scorers"]["s"]
    # RR.All: a's best sample is a '2' (.95, wrong); b wrong; c right -> 1/3. W.RR.Top2: a:
    # sums cluster 2 1.25, cluster 1 1.3 -> right; b wrong; c right -> 2/3
    assert (s["rr_all"], s["w_rr_topk"], s["top2_decision"]) == (
        pytest.approx(1 / 3), pytest.approx(2 / 3), 1.0)
    # distinct pairs of a: right .8 .5 vs wrong .1 .2 .9 .95 -> each beats two -> 4/8
    assert s["pair_accuracy_distinct"] == pytest.approx(4 / 8)
    assert r["scorers"]["flipped"]["w_rr_topk"] == pytest.approx(1 / 3)


def test_slip_changes_one_result_and_keeps_the_rest():
    rng = random.Random(0)
    line = r"$180 - 18 = 162$."
    got = slip(line, rng)
    assert got != line and got.startswith("$180 - 18 = ") and got.endswith("$.")
    assert int(got[len("$180 - 18 = "):-2]) - 162 in (-10, -2, -1, 1, 2, 10)
    assert slip("$x = 3$ and $y = -4$", random.Random(1)).startswith("$x = 3$ and $y = ")
    assert slip("no result here", rng) is None and slip("$a = b$", rng) is None
    sol = "Each angle is $360 \\div 20 = 18$.\n$180 - 18 = 162$.\nThe answer is $\\boxed{162}$."
    for seed in range(10):  # a line before the answer line, cut after it
        start = slip_start(sol, random.Random(seed))
        assert start.endswith("\n") and "boxed" not in start
        lines = start.strip().split("\n")
        gold = sol.split("\n")
        assert lines[:-1] == gold[:len(lines) - 1] and lines[-1] != gold[len(lines) - 1]
    assert slip_start("The answer is $\\boxed{3}$.", rng) is None


# -----------------------------------------------------------------------------
# the process evaluator: rollout labels at every step, scored by the weakest step

SOL = "a = 1$.\nb = 2$.\nThe answer is $\\boxed{3}$."


def wide_evaluator(seed=0):
    torch.manual_seed(seed)
    return GPT(GPTConfig(block_size=512, vocab_size=300, n_layer=1, n_head=2, n_embd=32)).eval()


def test_step_prefixes_and_their_read_out_positions(tok):
    assert step_prefixes(SOL) == ["a = 1$.\n", "a = 1$.\nb = 2$.\n"]
    assert step_prefixes("one line") == []
    ids, _ = evaluator_example(tok, "What\nis it?", SOL, True, 512)  # a newline in the problem
    nl = tok.token_to_id("\u010a")
    at = step_readouts(tok, ids, 2)
    assert [ids[j] for j in at] == [nl, nl] and ids[:-1].count(nl) == 3
    assert decode(tok, ids[:at[0] + 1]).endswith("solution: a = 1$.\n")
    assert decode(tok, ids[:at[1] + 1]).endswith("a = 1$.\nb = 2$.\n")
    assert step_readouts(tok, ids, 0) == [] and step_readouts(tok, ids, 4) == []


def test_likelihood_loss_recomputed_from_each_candidate_alone(tok):
    """--loss likelihood: the mean token cross-entropy of the correct sides plus the mean hinge
    max(0, f(X-) - f(X+) + lambda) on each pair's length-normalised log-likelihoods, each
    sequence scored alone (no padding) here; and its checkpoint scores by that likelihood."""
    from types import SimpleNamespace
    from data import encode_example, generator_target
    from evaluator import likelihood_losses, likelihood_scores, score_rule
    from model import sequence_logprobs
    model = tiny_evaluator()
    mk = lambda pid, label, a: {"problem_id": pid, "label": label, "problem": f"What is ${a}+1$?",
                                "solution": f"It is {a + 1}." if label else f"It is {a + 2} or so."}
    cands = [mk("a", True, 1), mk("a", False, 1), mk("b", False, 3), mk("b", True, 3)]
    args = SimpleNamespace(pairs_per_problem=10, seed=0, wrong_side="any", batch_size=2,
                           device="cpu", margin=0.1)
    got = likelihood_losses(model, tok, cands, args, log=lambda *a: None)()

    def alone(c):
        ids, mask = encode_example(tok, generator_prompt(c["problem"]),
                                   generator_target(c["solution"]), 128, truncate=True)
        y = [t if m else -100 for t, m in zip(ids[1:], mask[1:])]  # the solution and its EOS
        s = sequence_logprobs(model, torch.tensor([ids[:-1]]), torch.tensor([y]))
        return s.total.item(), s.n_tokens.item(), s.normalised.item()
    (t0, n0, f0), (_, _, g0), (_, _, g1), (t1, n1, f1) = [alone(c) for c in cands]
    hinge = lambda pos, neg: max(0.0, neg - pos + 0.1)
    want = -(t0 + t1) / (n0 + n1) + (hinge(f0, g0) + hinge(f1, g1)) / 2
    swapped = -(t0 + t1) / (n0 + n1) + (hinge(g0, f0) + hinge(g1, f1)) / 2
    assert got.item() == pytest.approx(want, abs=1e-5)
    assert abs(want - swapped) > 1e-3
    assert score_rule({"loss": "likelihood"}) == "likelihood"
    problems, sols = [c["problem"] for c in cands], [c["solution"] for c in cands]
    assert evaluator_scores(model, tok, problems, sols, rule="likelihood") == pytest.approx(
        likelihood_scores(model, tok, problems, sols, "cpu")["lp"])
    assert evaluator_scores(model, tok, problems, sols, rule="likelihood")[0] == pytest.approx(
        math.exp(f0), abs=1e-5)


def test_process_loss_by_hand():
    two = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    s1, s2 = 1 / (1 + math.exp(-2)), 1 / (1 + math.exp(1))
    want = -((0.75 * math.log(s1) + 0.25 * math.log(1 - s1)) + math.log(1 - s2)) / 2
    assert process_loss(two, torch.tensor([0.75, 0.0])).item() == pytest.approx(want, abs=1e-6)


def test_rollout_values_recomputed(tok, monkeypatch):
    """Each distinct step prefix is rolled out once, from that prefix, and its value is the
    share of completions whose answer is the gold one (2 of 3 here, by hand)."""
    import candidates
    calls = []

    def fake_generate(model, tok, problems, cfg, progress=None, starts=None):
        calls.append((problems, starts, cfg.n))
        return [[s + "The answer is $\\boxed{3}$.", s + "So $\\boxed{4}$.", s + "$\\boxed{3.0}$"]
                if s == "x\n" else [s + "no answer"] * 3 for s in starts]
    monkeypatch.setattr(candidates, "generate_solutions", fake_generate)
    cands = [{"problem_id": "p", "problem": "P?", "gold": "3", "solution": s}
             for s in ("x\ny\nThe end.", "x\nz", "x\ny\nOther end.")]
    got = rollout_values(None, tok, cands, Sampling(n=3, temperature=0.9, seed=0), False)
    assert got == {("p", "x\n"): pytest.approx(2 / 3), ("p", "x\ny\n"): 0.0}
    assert calls == [(["P?", "P?"], ["x\n", "x\ny\n"], 3)]


def test_weakest_step_score_recomputed(tok):
    """A process evaluator's score: the lowest two-way S among the read-outs at every step's
    end and the final one, each recomputed from the model's logits by hand."""
    model = wide_evaluator(2)  # (a seed whose weakest read-out is a step's, not the end's)
    got = evaluator_scores(model, tok, ["What is it?"], [SOL], rule="weakest")[0]
    final = evaluator_scores(model, tok, ["What is it?"], [SOL])[0]
    ids, _ = evaluator_example(tok, "What is it?", SOL, True, 512)
    with torch.no_grad():
        logits = model(torch.tensor([ids[:-1]]))[0][0]
    c, i = label_token_ids(tok)
    S = lambda j: torch.sigmoid(logits[j, c] - logits[j, i]).item()
    at = step_readouts(tok, ids, 2)
    assert final == pytest.approx(S(len(ids) - 2), abs=1e-6)
    assert got == pytest.approx(min(S(at[0]), S(at[1]), S(len(ids) - 2)), abs=1e-6)
    assert got < final


def test_process_batches_carry_step_targets_and_the_loss_reads_them(tok):
    model = wide_evaluator(1)
    cands = [{"problem_id": "p", "problem": "What is it?", "solution": SOL, "label": True,
              "step_values": [0.5, 1.0]},
             {"problem_id": "p", "problem": "What is it?", "solution": "c = 4$.\nThe answer is 4.",
              "label": False, "step_values": [0.25]}]
    args = argparse.Namespace(seed=0, loss="process", batch_size=2, device="cpu")
    ex, batch = evaluator_batches(tok, cands, args, 512, log=lambda *a: None)
    assert [t for _, t in ex[0][2]] == [0.5, 1.0, 1.0] and [t for _, t in ex[1][2]] == [0.25, 0.0]
    assert [j for j, _ in ex[0][2]] == step_readouts(tok, ex[0][0], 2) + [len(ex[0][0]) - 2]
    got = evaluator_loss(model, ex, [True, False], args, label_token_ids(tok), eos_id(tok))
    two, targets = [], []
    c, i = label_token_ids(tok)
    for ids, _, readouts in ex:  # each example alone, unpadded
        with torch.no_grad():
            logits = model(torch.tensor([ids[:-1]]))[0][0]
        two += [[logits[j, c].item(), logits[j, i].item()] for j, _ in readouts]
        targets += [t for _, t in readouts]
    want = process_loss(torch.tensor(two), torch.tensor(targets)).item()
    assert got.item() == pytest.approx(want, abs=1e-5)
    # dense: the candidate's own grade at every step's end (train_verifier.with_labels)
    from train_verifier import with_labels
    dense = argparse.Namespace(slips=0, loss="dense", temperature=0.9, top_p=0.95,
                               sample_batch_size=8, seed=0, device="cpu", batch_size=2)
    labelled = with_labels(dense, model, tok, {}, [{k: v for k, v in c.items()
                                                    if k != "step_values"} for c in cands])
    assert [c["step_values"] for c in labelled] == [[1.0, 1.0], [0.0]]
    ex, _ = evaluator_batches(tok, labelled, dense, 512, log=lambda *a: None)
    assert [t for _, t in ex[0][2]] == [1.0, 1.0, 1.0] and [t for _, t in ex[1][2]] == [0.0, 0.0]


def test_slip_candidates_keep_only_slips_that_end_wrong(tok, monkeypatch):
    """Each problem gives its gold solution (right) and the slipped copy as the generator
    carried it on (wrong), and nothing when the carried-on copy still lands on the gold answer;
    the continuation starts right after the slipped line, and is greedy."""
    import candidates
    seen = []

    def fake_generate(model, tok, problems, cfg, progress=None, starts=None):
        seen.append((cfg.temperature, cfg.n, starts))
        return [[s + "The answer is $\\boxed{" + ("7" if "A" in p else "5") + "}$."]
                for p, s in zip(problems, starts)]
    monkeypatch.setattr(candidates, "generate_solutions", fake_generate)
    gold = "$2 + 3 = 5$.\nThe answer is $\\boxed{5}$."
    rows = [{"id": "A", "problem": "A: 2 + 3?", "solution": gold, "answer": "5"},
            {"id": "B", "problem": "B: 2 + 3?", "solution": gold, "answer": "5"},
            {"id": "C", "problem": "C?", "solution": "The answer is $\\boxed{5}$.", "answer": "5"}]
    got = slip_candidates(None, tok, rows, Sampling(temperature=0.9, seed=0), "train", False)
    assert [(c["problem_id"], c["source"], c["label"]) for c in got] == [
        ("A", "gold", True), ("A", "slip", False)]  # B's copy lands on 5; C has no step
    assert got[0]["solution"] == gold and got[1]["answer"] == "7"
    slipped = got[1]["solution"].split("\n")[0]
    assert slipped.startswith("$2 + 3 = ") and slipped != gold.split("\n")[0]
    assert all(c["problem_split"] == "train" and c["split"] == "train" for c in got)
    (temperature, n, starts), = seen
    assert (temperature, n, len(starts)) == (0.0, 1, 2) and all(s.endswith("$.\n") for s in starts)


def test_slips_under_the_control_state_their_gold_answer_like_the_candidates(tok, monkeypatch,
                                                                           tmp_path):
    """--slips with --plant_answer: the slip pairs are training candidates of the control like
    the samples, so their problem texts state the gold answer (an unplanted pair would teach
    the judge to look past the statement); without the flag they stay as made."""
    import train_verifier
    made = [{"problem_id": "A", "problem": "A: 2 + 3?", "solution": s, "gold": "5", "label": ok,
             "split": "train"} for s, ok in (("$\\boxed{5}$", True), ("$\\boxed{7}$", False))]
    monkeypatch.setattr(train_verifier, "load_run_splits", lambda rc: {})
    monkeypatch.setattr(train_verifier, "candidate_problems", lambda splits, src, n: [])
    monkeypatch.setattr(train_verifier, "slip_candidates", lambda *a, **k: [dict(c) for c in made])
    for plant, want in ((None, "A: 2 + 3?"), ("end", "A: 2 + 3? (The answer is $5$.)")):
        args = argparse.Namespace(slips=1, plant_answer=plant, loss="margin", temperature=0.9,
                                  top_p=0.95, sample_batch_size=8, seed=0, device="cpu",
                                  candidates_from="train", no_progress=True,
                                  out_dir=str(tmp_path))
        got = train_verifier.with_labels(args, None, tok, {}, [])
        assert [c["problem"] for c in got] == [want, want]
        assert [c["label"] for c in got] == [True, False]


def test_held_out_candidates_are_drawn_as_rerank_draws_whatever_the_training_sampling(monkeypatch):
    import candidates
    calls = []
    monkeypatch.setattr(candidates, "sample_candidates",
                        lambda model, tok, rows, sampling, splits, progress: calls.append(
                            (len(rows), sampling, splits)) or [])
    splits = {"fresh": [{"id": i} for i in range(10)], "val": [{"id": i} for i in range(8)]}
    hot = Sampling(n=4, temperature=1.2, top_p=0.8, seed=7)
    candidates.training_and_val_candidates(None, None, splits, ("fresh", 6, 5, 16), hot, False)
    (n_train, s_train, w_train), (n_val, s_val, w_val) = calls
    assert (n_train, s_train, w_train) == (6, hot, ("train", "fresh"))
    assert (n_val, w_val) == (5, ("val", "val"))
    assert (s_val.n, s_val.temperature, s_val.top_p, s_val.seed) == (16, 0.9, 0.95, 8)


def test_evaluator_init_of_another_family_is_refused(tmp_path):
    """A Qwen2 judge for a GPT-2-family generator is refused before anything is read from it:
    the evaluator is fine-tuned from the generator's family."""
    import argparse
    from data import train_tokenizer
    from model import GPT, GPTConfig, save_checkpoint
    from train_verifier import judge_of
    tok = train_tokenizer(["What is $1+2$? The answer is $\\boxed{3}$."], 300)
    size = dict(block_size=64, vocab_size=tok.get_vocab_size(), n_layer=1, n_head=2, n_embd=16)
    qwen2 = GPT(GPTConfig(**size, bias=False, norm="rmsnorm", positions="rope", mlp="swiglu",
                          n_kv_head=1, qkv_bias=True, tied=False))
    save_checkpoint(str(tmp_path / "qwen2.pt"), qwen2, tokenizer=tok)
    args = argparse.Namespace(evaluator_init=str(tmp_path / "qwen2.pt"), device="cpu",
                              generator="out/sft/ckpt.pt")
    with pytest.raises(ValueError, match=r"qwen2\.pt is a qwen2 model, the generator "
                                         r"out/sft/ckpt\.pt a gpt2 one"):
        judge_of(args, GPT(GPTConfig(**size)), tok, {})
    same = judge_of(args, qwen2, tok, {})  # the same family: on to the split checks
    assert same[0].config == qwen2.config


def test_evaluator_learns_a_planted_answer_and_nothing_without_it():
    """The positive control in a tiny world (results/planted_world.py: a one-digit guess, each
    candidate right or wrong by a coin flip, so only a planted answer tells them apart): with
    the gold answer written into the problem text, the paper's margin evaluator learns to
    compare it with the boxed answer (held-out distinct-pair accuracy near 1); with the same
    candidates and no plant it stays at chance. Fails when the score is read at the wrong
    position or the labels are shuffled (both mutations run by hand)."""
    from results.planted_world import SETTINGS, guessing_world, run
    world = SETTINGS["1 digit (the test's world)"]
    assert world == (1, 0, 200, 600, "scratch", 3e-3)
    planted = run(world, planted=True)
    without = run(world, planted=False)
    assert "(The answer is $" in plant_answers(guessing_world(1, 1), "end")[0]["problem"]
    assert planted[1] == without[1] > 50  # the same held-out pairs, enough of them
    assert planted[0] >= 0.9, planted  # planted: learned
    assert without[0] <= 0.65, without  # taken away: nothing to learn


def test_plants_state_the_gold_or_a_voted_wrong_answer():
    """plant_answers writes each candidate's gold answer into its problem text and changes
    nothing else; counterfactual_plants restates each problem that has a wrong answer with its
    most voted one (ties to the first seen), labels against that, under a new problem id."""
    from candidates import counterfactual_plants
    cs = [{"problem_id": "p", "problem": "Find $x$. ", "gold": "3", "answer": a, "label": a == "3",
           "solution": f"$\\boxed{{{a}}}$"} for a in ("3", "5", "4", "5", "3")]
    cs.append({**cs[0], "problem_id": "q", "answer": "3"})  # all right: no restatement
    planted = plant_answers(cs, "end")
    assert planted[0]["problem"] == "Find $x$. (The answer is $3$.)"
    assert plant_answers(cs, "start")[0]["problem"] == "Answer: $3$. Find $x$."
    assert [{k: v for k, v in c.items() if k != "problem"} for c in planted] == \
        [{k: v for k, v in c.items() if k != "problem"} for c in cs]
    cf = counterfactual_plants(cs, "end")
    assert {c["problem_id"] for c in cf} == {"p/cf"} and len(cf) == 5
    assert all(c["problem"] == "Find $x$. (The answer is $5$.)" for c in cf)
    assert [c["label"] for c in cf] == [False, True, False, True, False]


def test_lm_term_is_the_correct_solutions_token_loss_inside_the_template(tok):
    """evaluator_example(lm=True) marks the solution's tokens (between the template's head and
    tail) and the label; the loss adds lm_weight x the mean token cross-entropy over the
    correct rows' solution tokens, recomputed here from the logits by hand."""
    import argparse
    from data import EVALUATOR_TAIL, encode, evaluator_head
    from model import token_cross_entropy
    problem, sols = "What is $2+3$?", ["It is 5.", "It is 6."]
    ids, mask = evaluator_example(tok, problem, sols[0], True, 128, lm=True)
    plain_ids, plain_mask = evaluator_example(tok, problem, sols[0], True, 128)
    head, tail = len(encode(tok, evaluator_head(problem))), len(encode(tok, EVALUATOR_TAIL))
    assert ids == plain_ids and sum(plain_mask) == 1
    assert mask == [0] * head + [1] * (len(ids) - 1 - tail - head) + [0] * tail + [1]
    model = tiny_evaluator()
    exs = [evaluator_example(tok, problem, s, lab, 128, lm=True) for s, lab in zip(sols, (1, 0))]
    args = argparse.Namespace(loss="ce", device="cpu", lm_weight=0.5)
    ids2 = label_token_ids(tok)
    got = evaluator_loss(model, exs, [True, False], args, ids2, eos_id(tok))
    b = collate(exs, eos_id(tok))
    logits, _ = model(b["x"], attention_mask=b["attention_mask"])
    n0 = len(exs[0][0]) - 1
    y = torch.full_like(b["y"], -100)
    y[0, head - 1:n0 - tail - 1] = b["x"][0, head:n0 - tail]  # row 0's solution tokens only
    by_hand = token_cross_entropy(logits, y)
    without = evaluator_loss(model, exs, [True, False], argparse.Namespace(
        loss="ce", device="cpu", lm_weight=0.0), ids2, eos_id(tok))
    assert got.item() == pytest.approx(without.item() + 0.5 * by_hand.item(), abs=1e-5)


def test_evaluator_init_from_a_base_checks_its_held_out_keys(tmp_path):
    """The pre-trained base as the evaluator's start: accepted when it left out the held-out
    problems of the generator's lineage (its split flags equal the generator's base_splits),
    refused, naming the flag, when it did not."""
    import argparse
    from data import SPLIT_KEYS
    from model import save_checkpoint
    from train_verifier import judge_of
    tok = train_tokenizer(["What is $1+2$? The answer is $\\boxed{3}$."], 300)
    base = GPT(GPTConfig(block_size=64, vocab_size=tok.get_vocab_size(), n_layer=1, n_head=2,
                         n_embd=16))
    keys = dict(zip(SPLIT_KEYS, (100, 10, 10, 20, 0)))
    save_checkpoint(str(tmp_path / "base.pt"), base, run_config={"base": True, **keys},
                    tokenizer=tok)
    args = argparse.Namespace(evaluator_init=str(tmp_path / "base.pt"), device="cpu",
                              generator="g.pt")
    rc = {"dataset": "synthetic", "style": "detailed", **keys, "base_splits": keys}
    assert judge_of(args, base, tok, rc)[0].config == base.config
    with pytest.raises(ValueError, match=r"--n_val 10, the generator g\.pt with 12"):
        judge_of(args, base, tok, {**rc, "base_splits": {**keys, "n_val": 12}})
