"""train_verifier.py: losses by hand, the read-out position, pairs, AUC, an end-to-end run."""
import math
import random

import pytest
import torch

from data import collate, decode, eos_id, left_pad, train_tokenizer, generator_prompt
from model import GPT, GPTConfig
from train_verifier import (ce_loss, evaluator_example, label_logits, log_score, make_pairs,
                            margin_loss, pair_metrics, roc_auc)


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


def test_long_solution_is_cut_in_the_middle_not_at_the_read_out(tok):
    ids, mask = evaluator_example(tok, "What is $1+1$?", "It is 2. " * 200, True, 64)
    assert len(ids) == 65
    assert decode(tok, ids[:-1]).endswith("It is 2. It is. The above candidate solution is") or \
        decode(tok, ids[:-1]).endswith(". The above candidate solution is")
    assert ids[-1] == __import__("data").label_token_ids(tok)[0]
    assert decode(tok, ids[:6]).startswith("Here is a math problem")
