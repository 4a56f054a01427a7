"""train_joint.py: the ranking loss by hand (padding, lengths, alpha), the stage plan, and a
tiny end-to-end run of every objective."""
import json
import os

import pytest
import torch

from model import GPT, GPTConfig, sequence_logprobs
from train_joint import ranking_loss, stage_plan


def test_ranking_loss_by_hand():
    f_pos, f_neg = torch.tensor([-1.0, -2.0, -0.5]), torch.tensor([-1.5, -1.0, -3.0])
    # pair terms: max(0, -1.5+1+0.5)=0, max(0, -1+2+0.5)=1.5, max(0, -3+0.5+0.5)=0
    assert ranking_loss(f_pos, f_neg, 0.5).item() == pytest.approx(0.5)
    assert ranking_loss(f_pos, f_neg, 0.0).item() == pytest.approx(1.0 / 3)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_sequence_scores_with_padding_and_lengths(alpha):
    torch.manual_seed(0)
    m = GPT(GPTConfig(block_size=32, vocab_size=50, n_layer=1, n_head=2, n_embd=16)).eval()
    # row 0: 3 target tokens then padding; row 1: 6 target tokens
    idx = torch.tensor([[1, 2, 3, 4, 5, 0, 0, 0], [6, 7, 8, 9, 10, 11, 12, 13]])
    tgt = torch.full_like(idx, -100)
    tgt[0, 1:4] = idx[0, 2:5]
    tgt[1, 1:7] = idx[1, 2:8]
    with torch.no_grad():
        total, f, n = sequence_logprobs(m, idx, tgt, alpha=alpha)
        logp = torch.log_softmax(m(idx)[0], -1)
    s0 = sum(logp[0, t, tgt[0, t]] for t in range(1, 4))
    s1 = sum(logp[1, t, tgt[1, t]] for t in range(1, 7))
    assert n.tolist() == [3, 6]
    want = torch.stack([s0 / 3 ** alpha, s1 / 6 ** alpha])
    assert torch.allclose(f, want, atol=1e-5)
    # the padding ids do not change row 0's score (padding is after it, causal attention)
    idx2 = idx.clone()
    idx2[0, 5:] = 42
    with torch.no_grad():
        assert torch.allclose(sequence_logprobs(m, idx2, tgt, alpha=alpha)[1][0], f[0], atol=1e-6)
    # and the ranking loss of (row 1 as correct, row 0 as incorrect) is the hand value
    lam = 0.3
    hand = max(0.0, (want[0] - want[1]).item() + lam)
    assert ranking_loss(f[1:2], f[0:1], lam).item() == pytest.approx(hand, abs=1e-5)


def test_stage_plan_same_extra_steps_for_every_objective():
    plans = {o: stage_plan(o, 200, 100) for o in ("evaluator", "contrastive", "mle")}
    assert plans["evaluator"] == [("B", "evaluator", 200), ("C", "mle", 100)]
    assert plans["contrastive"] == [("B", "mle+rank", 200), ("C", "mle", 100)]
    assert plans["mle"] == [("B", "mle", 200), ("C", "mle", 100)]
    assert len({sum(s[2] for s in p) for p in plans.values()}) == 1


def test_end_to_end_every_objective(tmp_path):
    from train_sft import main as sft
    from train_joint import main as joint
    from train_verifier import main as verifier
    sft(["--n_train", "150", "--n_val", "10", "--n_test", "6", "--n_layer", "1", "--n_head", "2",
         "--n_embd", "32", "--vocab_size", "400", "--batch_size", "8", "--max_steps", "30",
         "--eval_interval", "1000", "--max_new_tokens", "40", "--block_size", "512", "--lr", "1e-2",
         "--no_progress", "--out_dir", str(tmp_path / "sft")])
    verifier(["--sft_ckpt", str(tmp_path / "sft" / "ckpt.pt"), "--n_problems", "16",
              "--n_val_problems", "4", "--n_samples", "4", "--max_steps", "1", "--loss", "ce",
              "--no_progress", "--out_dir", str(tmp_path / "ver")])
    # a tiny model is rarely right: label half of each problem's samples correct, so that the
    # pair-based losses (margin, ranking) have pairs to train on
    cands = [json.loads(l) for l in (tmp_path / "ver" / "candidates.jsonl").read_text().splitlines()]
    for i, c in enumerate(cands):
        c["label"] = i % 2 == 0
    (tmp_path / "cands.jsonl").write_text("\n".join(json.dumps(c) for c in cands) + "\n")
    for objective, extra in (("mle", []), ("evaluator", ["--loss", "ce"]),
                             ("evaluator", ["--loss", "margin"]), ("contrastive", [])):
        out = tmp_path / f"joint-{objective}-{'-'.join(extra) or 'x'}"
        args = ["--init", str(tmp_path / "sft" / "ckpt.pt"), "--objective", objective,
                "--candidates", str(tmp_path / "cands.jsonl"), "--stage_b_steps",
                "2", "--stage_c_steps", "1", "--batch_size", "4", "--no_progress",
                "--out_dir", str(out), *extra]
        m = joint(args)
        for f in ("ckpt.pt", "stageB.pt", "tokenizer.json", "metrics.json", "config.json"):
            assert os.path.isfile(out / f), (objective, f)
        saved = json.loads((out / "metrics.json").read_text())
        assert saved["n_test"] == 6 and saved["pass@1"] == m["pass@1"]
        assert [len(saved["histories"][s]) for s in ("B", "C")] == [2, 1]
