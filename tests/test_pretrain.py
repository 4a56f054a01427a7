"""pretrain.py: the base never reads a held-out problem, train_sft.py starts from it and
refuses it, and every model fine-tuned from it, for other splits; the committed base is what
pretrain.py says it is."""
import json
import os

import pytest
import torch

from data import N_FRESH, N_TEST, N_TRAIN, N_VAL, world
from model import load_run
from pretrain import get_args, held_out_keys, main as pretrain, random_windows
from train_sft import BASE, main as sft

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPLITS = ["--n_train", "150", "--n_val", "10", "--n_test", "10", "--n_fresh", "20"]


def test_corpus_leaves_out_every_held_out_problem():
    made = world.make_splits(150, 10, 10, 0, 20)
    held = {r["key"] for s in ("val", "test", "fresh") for r in made[s]}
    texts, keys = world.pretraining_corpus(3000, held)
    assert len(texts) == 3000 and not keys & held
    # without the exclusion the same draw reads held-out problems: the check above can fail
    assert world.pretraining_corpus(3000, set())[1] & held


def test_random_windows_are_shifted_by_one():
    stream = torch.arange(100)
    x, y = random_windows(stream, 4, 10, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (4, 10) and torch.equal(y, x + 1)


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    out = tmp_path_factory.mktemp("base") / "base.pt"
    history = pretrain(["--n_docs", "400", "--n_layer", "1", "--n_head", "2", "--n_embd", "32",
                        "--vocab_size", "300", "--block_size", "512", "--batch_size", "4",
                        "--max_steps", "30", "--warmup_steps", "2", "--no_progress",
                        "--out", str(out), *SPLITS])
    return out, history


def test_pretrain_writes_a_base_that_learns(tiny_base):
    out, history = tiny_base
    model, tok, ckpt = load_run(str(out))
    rc = ckpt["run_config"]
    assert rc["base"] and rc["n_val"] == 10 and rc["n_fresh"] == 20 and "optimizer" not in ckpt
    assert history[0]["loss"] > history[-1]["loss"]  # 30 steps: the loss falls
    saved = json.load(open(str(out).replace(".pt", ".json")))
    assert saved["config"]["distinct_problems"] == rc["distinct_problems"] > 0


def test_sft_starts_from_the_base_and_refuses_other_splits(tiny_base, tmp_path):
    out, _ = tiny_base
    flags = ["--init_from", str(out), "--batch_size", "4", "--max_steps", "1", "--block_size",
             "512", "--eval_interval", "1000", "--max_new_tokens", "8", "--no_progress",
             "--eval_split", "val"]
    m = sft(flags + SPLITS + ["--out_dir", str(tmp_path / "a")])
    base_model = load_run(str(out))[0]
    tuned = load_run(str(tmp_path / "a" / "ckpt.pt"))[0]
    assert m["steps"] == 1 and tuned.config == base_model.config
    with pytest.raises(ValueError, match="--n_val 10, not 11"):
        sft(flags + SPLITS + ["--n_val", "11", "--out_dir", str(tmp_path / "b")])
    with pytest.raises(ValueError, match="pass --init_from gpt2"):
        sft(flags + SPLITS + ["--dataset", str(tmp_path), "--out_dir", str(tmp_path / "c")])
    # a model fine-tuned from the base is held to the base's splits too, and passes them on
    child = str(tmp_path / "a" / "ckpt.pt")
    assert load_run(child)[2]["run_config"]["base_splits"]["n_val"] == 10
    with pytest.raises(ValueError, match="descends from a base .* --data_seed 0, not 5"):
        sft(flags[:1] + [child] + flags[2:] + SPLITS + ["--data_seed", "5",
                                                       "--out_dir", str(tmp_path / "d")])
    sft(flags[:1] + [child] + flags[2:] + SPLITS + ["--out_dir", str(tmp_path / "e")])
    grandchild = str(tmp_path / "e" / "ckpt.pt")
    with pytest.raises(ValueError, match="--n_fresh 20, not 30"):
        sft(flags[:1] + [grandchild] + flags[2:] + SPLITS + ["--n_fresh", "30",
                                                            "--out_dir", str(tmp_path / "f")])


def test_committed_base_left_out_the_default_splits():
    """The base train_sft.py starts from: pretrained for the default splits, and its corpus
    (re-drawn here from its saved config) holds none of their validation, test or fresh
    problems."""
    _, _, ckpt = load_run(os.path.join(ROOT, BASE))
    rc = ckpt["run_config"]
    assert (rc["n_train"], rc["n_val"], rc["n_test"], rc["n_fresh"], rc["data_seed"]) == \
        (N_TRAIN, N_VAL, N_TEST, N_FRESH, 0)
    defaults = vars(get_args([]))  # `python pretrain.py` remakes it: its defaults are the base's
    for k in ("n_docs", "corpus_seed", "vocab_size", "n_layer", "n_head", "n_embd", "block_size",
              "batch_size", "max_steps", "muon_lr", "lr", "min_lr", "warmup_steps", "seed"):
        assert rc[k] == defaults[k], k
    held = held_out_keys(type("A", (), rc))
    _, keys = world.pretraining_corpus(rc["n_docs"], held, rc["corpus_seed"])
    assert len(keys) == rc["distinct_problems"] and not keys & held


def test_a_killed_run_resumes_to_the_straight_runs_weights(tmp_path):
    """--stop_after 6 then --resume ends where 12 straight steps end (data RNG, optimizer and
    schedule restored), refuses other flags, and the finished run deletes its resume point."""
    flags = ["--n_docs", "200", "--n_layer", "1", "--n_head", "2", "--n_embd", "16",
             "--vocab_size", "300", "--block_size", "64", "--batch_size", "2", "--max_steps",
             "12", "--warmup_steps", "2", "--save_every", "4", "--no_progress", *SPLITS]
    straight = str(tmp_path / "a.pt")
    pretrain(flags + ["--out", straight])
    assert not os.path.exists(str(tmp_path / "a.resume.pt"))
    killed = str(tmp_path / "b.pt")
    pretrain(flags + ["--out", killed, "--stop_after", "6"])
    assert os.path.isfile(str(tmp_path / "b.resume.pt")) and not os.path.exists(killed)
    with pytest.raises(ValueError, match="--lr is 0.001 but .* made with 0.003"):
        pretrain(flags + ["--out", killed, "--resume", "--lr", "1e-3"])
    history = pretrain(flags + ["--out", killed, "--resume"])
    a, b = load_run(straight)[0].state_dict(), load_run(killed)[0].state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert [h["step"] for h in history] == [1, 12] and not os.path.exists(
        str(tmp_path / "b.resume.pt"))
    with pytest.raises(FileNotFoundError, match="b.resume.pt does not exist"):
        pretrain(flags + ["--out", killed, "--resume"])
