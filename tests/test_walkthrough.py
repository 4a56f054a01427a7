"""results/walkthrough.py on a tiny run: the page it writes, its numbers recomputed, and the
committed docs/walkthrough.md of the same shape (headings, code pointers)."""
import os
import re

import pytest
import torch

from data import load_run_splits
from model import GPT, GPTConfig, load_run, save_checkpoint
from results import walkthrough
from train_sft import main as sft
from evaluator import margin_loss


def test_walkthrough_on_a_tiny_run(tmp_path, monkeypatch):
    sft(["--n_train", "100", "--n_val", "6", "--n_test", "6", "--init_from", "scratch",
         "--n_layer", "1", "--n_head", "2", "--n_embd", "32", "--vocab_size", "300",
         "--batch_size", "8", "--max_steps", "2", "--eval_interval", "1000",
         "--max_new_tokens", "12", "--block_size", "512", "--eval_split", "val",
         "--no_progress", "--out_dir", str(tmp_path / "sft")])
    gen, tok, ck = load_run(str(tmp_path / "sft" / "ckpt.pt"))
    torch.manual_seed(3)  # an untrained evaluator with the generator's tokenizer
    ev = GPT(GPTConfig(block_size=512, vocab_size=300, n_layer=1, n_head=2, n_embd=32)).eval()
    save_checkpoint(str(tmp_path / "ev" / "ckpt.pt"), ev, tokenizer=tok)
    row = load_run_splits(ck["run_config"], report=lambda *a: None)["val"][2]
    # a tiny model is never right: the samples are two gold solutions and two wrong ones, so
    # that every part of the page (clusters, a right/wrong pair) has something to show
    wrong = "It is 9. The answer is $\\boxed{-12345}$."
    samples = [wrong, row["solution"], wrong.replace("-12345", "777"), row["solution"]]
    monkeypatch.setattr(walkthrough, "draw", lambda *a: (samples, wrong))
    out = tmp_path / "walk.md"
    got = walkthrough.main(["--sft", str(tmp_path / "sft" / "ckpt.pt"), "--evaluator",
                            str(tmp_path / "ev" / "ckpt.pt"), "--n", "4", "--out", str(out)])
    # problems 0 and 1 get the same samples, all wrong for them: the search goes on to the
    # first problem with right and wrong samples in two or more clusters, problem 2
    assert got["problem_index"] == 2
    assert got["right"] == [False, True, False, True]
    assert got["ssft_loss"] == pytest.approx(got["ssft_loss_by_hand"], rel=1e-4)
    a, b = got["pair"]
    assert (a, b) == (1, 0)
    s = torch.tensor(got["scores"])
    want = margin_loss(s[a].log()[None], s[b].log()[None], 1.0).item()
    assert got["margin_by_hand"] == pytest.approx(want, abs=1e-6)
    assert got["margin_by_hand"] == pytest.approx(
        max(0.0, torch.log(s[b]).item() - torch.log(s[a]).item() + 1.0), abs=1e-6)
    # the vote: the gold cluster has two samples, each wrong answer one
    assert got["select"]["maj1"] == 1.0 and got["select"]["pass"] == 1.0
    text = out.read_text()
    for part in ("## The problem", "## Step 1", "## Step 2", "What each rule picks",
                 "margin loss, by hand", "## Step 3", "`-12345`", row["answer"]):
        assert part in text, part
    assert f"**{got['margin_by_hand']:.4f}**" in text
    # the committed page (rendered from the default run, python -m results.walkthrough) has
    # the headings and the code pointers this renderer writes: a template edited since shows
    committed = open(os.path.join(os.path.dirname(os.path.dirname(__file__)), "docs",
                                  "walkthrough.md")).read()
    shape = lambda t: ([ln for ln in t.splitlines() if ln.startswith("#")],
                       sorted(set(re.findall(r"`(\w+\.\w+)`", t))))
    assert shape(committed) == shape(text)
