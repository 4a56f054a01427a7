"""train_joint.py: the ranking loss by hand (padding, lengths, alpha) and its pair layout, the
stage plan, and a tiny end-to-end run of steps 1-3 on a real-format dataset, every objective."""
import argparse
import json
import os

import pytest
import torch

from data import collate
from model import GPT, GPTConfig, sequence_logprobs
from evaluator import margin_loss as ranking_loss  # step 3's ranking loss is the evaluator's hinge
from train_joint import candidate_examples, pair_ranking_loss, stage_plan


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
        total, f, n, low = sequence_logprobs(m, idx, tgt, alpha=alpha)
        logp = torch.log_softmax(m(idx)[0], -1)
    s0 = sum(logp[0, t, tgt[0, t]] for t in range(1, 4))
    s1 = sum(logp[1, t, tgt[1, t]] for t in range(1, 7))
    assert n.tolist() == [3, 6]
    lows = [min(logp[0, t, tgt[0, t]] for t in range(1, 4)),
            min(logp[1, t, tgt[1, t]] for t in range(1, 7))]
    assert torch.allclose(low, torch.stack(lows), atol=1e-5)  # padding never the lowest
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


def test_pair_ranking_loss_reads_correct_rows_first():
    """Pairs are (correct, incorrect) candidate indices, laid out pos0, neg0, pos1, ...: the
    loss must equal ranking_loss(f(correct), f(incorrect)), not the swapped one."""
    from data import eos_id, train_tokenizer
    tok = train_tokenizer([f"Problem: {a}\nSolution: it is {a}" for a in range(50)], 300)
    torch.manual_seed(0)
    m = GPT(GPTConfig(block_size=128, vocab_size=300, n_layer=1, n_head=2, n_embd=32)).eval()
    cands = [{"problem": f"What is {i // 2}?", "solution": f"It is {i}." + " So." * (i % 3),
              "problem_id": str(i // 2)} for i in range(8)]
    cex = candidate_examples(tok, cands, 128)
    pairs = [(0, 1), (3, 2), (4, 7)]
    pad = eos_id(tok)
    with torch.no_grad():
        args = argparse.Namespace(rank_margin=0.5, alpha=1.0, device="cpu")
        got = pair_ranking_loss(m, [cex[i] for p in pairs for i in p], args, pad)
        f = lambda rows: sequence_logprobs(m, *[collate([cex[i] for i in rows], pad)[k]
                                                 for k in ("x", "y")]).normalised
        want = ranking_loss(f([p for p, _ in pairs]), f([n for _, n in pairs]), 0.5)
        swapped = ranking_loss(f([n for _, n in pairs]), f([p for p, _ in pairs]), 0.5)
    assert got.item() == pytest.approx(want.item(), abs=1e-5)
    assert abs(want.item() - swapped.item()) > 1e-3


def test_stage_plan_same_extra_steps_for_every_objective():
    plans = {o: stage_plan(o, 200, 100) for o in ("evaluator", "contrastive", "mle")}
    assert plans["evaluator"] == [("B", "evaluator", 200), ("C", "mle", 100)]
    assert plans["contrastive"] == [("B", "mle+rank", 200), ("C", "mle", 100)]
    assert plans["mle"] == [("B", "mle", 200), ("C", "mle", 100)]
    assert len({sum(s[2] for s in p) for p in plans.values()}) == 1


def test_end_to_end_real_format_dataset_every_objective(tmp_path):
    """A dataset as MATH500/MATH ship it (train.jsonl + test.jsonl, no val split) through
    train_sft -> train_verifier -> rerank -> train_joint: the val hold-out decided once
    (data.load_splits) is the same for every step, and the candidates and samples one step
    wrote are refused by another step given a different generator."""
    from data import load_dataset
    from rerank import main as rerank
    from train_sft import main as sft
    from train_joint import main as joint
    from train_verifier import main as verifier
    data = tmp_path / "data"
    data.mkdir()
    for split, n in (("train", 160), ("test", 6)):
        rows = load_dataset("synthetic", split, n_train=160, n_val=5, n_test=6)[:n]
        (data / f"{split}.jsonl").write_text("".join(json.dumps(
            {"problem": r["problem"], "solution": r["solution"], "answer": r["answer"],
             "subject": r["type"], "level": r["level"], "unique_id": f"{split}/{i}"}) + "\n"
            for i, r in enumerate(rows)))
    sft(["--dataset", str(data), "--n_val", "10", "--n_fresh", "20",
         "--init_from", "scratch", "--n_layer", "1", "--n_head", "2",
         "--n_embd", "32", "--vocab_size", "400", "--batch_size", "8", "--max_steps", "30",
         "--eval_interval", "1000", "--val_acc_problems", "2", "--max_new_tokens", "40",
         "--block_size", "512", "--lr", "1e-2", "--no_progress", "--out_dir", str(tmp_path / "sft")])
    verifier(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--n_problems", "16",
              "--n_val_problems", "4", "--n_samples", "4", "--max_steps", "1", "--loss", "ce",
              "--no_progress", "--out_dir", str(tmp_path / "ver")])
    # candidates of 'val' problems come from the last 10 training rows that SSFT held out, the
    # evaluator's training candidates from the 20 before them (fresh): none was trained on
    cands = [json.loads(l) for l in (tmp_path / "ver" / "candidates.jsonl").read_text().splitlines()]
    val, fresh = {f"train/{i}" for i in range(150, 160)}, {f"train/{i}" for i in range(130, 150)}
    assert {c["problem_id"] for c in cands if c["split"] == "val"} <= val
    assert {c["problem_id"] for c in cands if c["split"] == "train"} <= fresh
    r = rerank(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--evaluator",
                str(tmp_path / "ver" / "ckpt.pt"), "--n_samples", "2", "--curve_repeats", "1",
                "--no_progress", "--out_dir", str(tmp_path / "rr")])
    rows = [json.loads(l) for l in (tmp_path / "rr" / "samples.jsonl").read_text().splitlines()]
    assert r["n"] == 6 and r["maj1@2"] == pytest.approx(sum(p["select"]["maj1"] for p in rows) / 6)
    # a tiny model is rarely right: label half of each problem's samples correct, so that the
    # pair-based losses (margin, ranking) have pairs to train on
    cands = [json.loads(l) for l in (tmp_path / "ver" / "candidates.jsonl").read_text().splitlines()]
    for i, c in enumerate(cands):
        c["label"] = i % 2 == 0
    (tmp_path / "cands.jsonl").write_text("\n".join(json.dumps(c) for c in cands) + "\n")
    for objective, extra in (("mle", []), ("evaluator", ["--loss", "ce"]),
                             ("evaluator", ["--loss", "margin"]), ("contrastive", [])):
        out = tmp_path / f"joint-{objective}-{'-'.join(extra) or 'x'}"
        args = ["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--objective", objective,
                "--candidates", str(tmp_path / "cands.jsonl"), "--stage_b_steps",
                "2", "--stage_c_steps", "1", "--batch_size", "4", "--no_progress",
                "--out_dir", str(out), *extra] + (["--stage_curve"] if objective == "mle" else [])
        m = joint(args)
        for f in ("ckpt.pt", "stageB.pt", "tokenizer.json", "metrics.json", "config.json"):
            assert os.path.isfile(out / f), (objective, f)
        saved = json.loads((out / "metrics.json").read_text())
        assert saved["n_test"] == 6 and saved["pass@1"] == m["pass@1"]
        assert [len(saved["histories"][s]) for s in ("B", "C")] == [2, 1]
        # every objective's MLE term reads the same problems: SSFT's 130 training problems
        # and the 16 fresh ones whose candidates stage B reads (the control included)
        assert saved["n_mle_problems"] == 130 + 16, objective
        want = ["A", "B", "C"] if objective == "mle" else ["C"]
        assert sorted(saved["stage_accuracy"]) == want
        assert saved["stage_accuracy"]["C"] == m["pass@1"]
    # files sampled from one generator are refused for another, with one line naming both
    from data import DataError
    from model import load_run, save_checkpoint, weights_hash
    sft_path = str(tmp_path / "sft" / "ckpt.pt")
    gen, tok, ck = load_run(sft_path)
    assert cands[0]["generator"] == {"path": sft_path, "weights": weights_hash(gen)}
    assert rows[0]["generator"]["weights"] == weights_hash(gen)
    with torch.no_grad():
        gen.lm_head.weight[0, 0] += 1e-3  # (tied: the token embedding moves too)
    other = str(tmp_path / "other.pt")
    save_checkpoint(other, gen, None, 0, ck["run_config"], tok)
    assert weights_hash(gen) != cands[0]["generator"]["weights"]
    named = rf"sampled from {sft_path} \(weights \w+\), not from {other}"
    with pytest.raises(DataError, match=named):
        joint(["--init", other, "--objective", "contrastive", "--candidates",
               str(tmp_path / "cands.jsonl"), "--stage_b_steps", "1", "--stage_c_steps", "1",
               "--no_progress", "--out_dir", str(tmp_path / "joint-other")])
    with pytest.raises(DataError, match=named):
        rerank(["--generator", other, "--evaluator", "none", "--n_samples", "2",
                "--reuse_samples", str(tmp_path / "rr" / "samples.jsonl"), "--no_progress",
                "--out_dir", str(tmp_path / "rr-other")])
    with pytest.raises(DataError, match=named):
        verifier(["--generator", other, "--candidates", str(tmp_path / "ver" / "candidates.jsonl"),
                  "--max_steps", "1", "--no_progress", "--out_dir", str(tmp_path / "ver-other")])


def test_mle_rows_add_the_candidate_problems_once():
    from train_joint import mle_rows
    splits = {"train": [{"id": f"t{i}"} for i in range(3)],
              "fresh": [{"id": f"f{i}"} for i in range(4)], "val": [{"id": "v0"}]}
    got = mle_rows(splits, {"f1", "f3", "t0"})
    assert [r["id"] for r in got] == ["t0", "t1", "t2", "f1", "f3"]
    with pytest.raises(ValueError, match="^c.jsonl: 1 candidate problems .* not in the SSFT run"):
        mle_rows(splits, {"f1", "v0"}, "c.jsonl")  # a validation problem is never gold MLE data


def test_every_variant_has_its_own_default_directory():
    from train_joint import default_out_dir, get_args
    dirs = [default_out_dir(get_args(a)) for a in (
        [], ["--loss", "ce"], ["--objective", "contrastive"], ["--objective", "mle"])]
    assert dirs == ["out/joint-evaluator-margin", "out/joint-evaluator-ce",
                    "out/joint-contrastive", "out/joint-mle"]
