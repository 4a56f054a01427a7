"""train_verifier.py: losses by hand, the read-out position, truncation, pairs, AUC, batch
layout and order (its end-to-end run is tests/test_rerank.py's, which needs a verifier)."""
import argparse
import json
import math
import random

import pytest
import torch

from data import collate, decode, eos_id, left_pad, train_tokenizer, generator_prompt
from model import GPT, GPTConfig
from data import DataError, label_token_ids
from evaluator import (ce_loss, evaluator_batches, evaluator_example, evaluator_loss,
                       evaluator_scores, label_logits, log_score, make_pairs, margin_loss,
                       pair_metrics, roc_auc, shorten_middle)


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
        for i, (e, _) in enumerate(exs):  # each example alone, unpadded
            alone = model(torch.tensor([e[:-1]]))[0][0, -1, list(ids)]
            assert torch.allclose(a[i], alone, atol=1e-5) and torch.allclose(b[i], alone, atol=1e-5)
    # the label token is what the read-out position predicts
    ids_, mask_ = exs[0]
    assert ids_[-1] == ids[0] and exs[1][0][-1] == ids[1] and ids[0] != ids[1]
    assert mask_[-1] == 1 and sum(mask_) == 1
    # with this 300-token vocabulary the words are several tokens: the first one is scored
    assert " correct".startswith(decode(tok, [ids[0]])) and len(decode(tok, [ids[0]])) < 8


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
    idx = batch(0)
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


def test_candidates_from_fresh_problems_never_come_from_training_problems(tmp_path):
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
    verifier(args + ["--sft_ckpt", str(tmp_path / "sft" / "ckpt.pt"), "--out_dir",
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
    sft(tiny + ["--n_fresh", "0", "--out_dir", str(tmp_path / "sft0")])  # no fresh problems
    with pytest.raises(DataError, match="no fresh problems.*--n_fresh"):
        verifier(args + ["--sft_ckpt", str(tmp_path / "sft0" / "ckpt.pt"), "--out_dir",
                         str(tmp_path / "ver0")])


def test_evaluator_scores_come_back_in_input_order(tok):
    model = tiny_evaluator()
    problems = [f"What is ${i}+{i}$?" + " Think." * (7 - i) for i in range(7)]  # lengths differ
    sols = [f"It is {2 * i}." + " Yes." * (i % 3) for i in range(7)]
    together = evaluator_scores(model, tok, problems, sols, batch_size=3)
    alone = [evaluator_scores(model, tok, [p], [s])[0] for p, s in zip(problems, sols)]
    assert together == pytest.approx(alone, abs=1e-5)
    assert len(set(round(x, 6) for x in alone)) == 7  # distinct, so a permutation would show
