"""Real data: GSM8K and MATH500 through the loaders, the grader and train_sft.py. The 20-row
fixtures (tests/fixtures, with their provenance) always run; the full files in ../shared/data
are read when present and skipped otherwise."""
import json
import os

import pytest

from data import DataError, load_dataset
from grade import extract_answer, is_equiv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
REAL = os.path.join(ROOT, "..", "shared", "data")
needs_real = pytest.mark.skipif(not os.path.isdir(REAL), reason="../shared/data is absent")


@pytest.mark.parametrize("name,split", [("gsm8k", "train"), ("gsm8k", "test"), ("math500", "test")])
def test_fixture_rows_load_with_answers_their_solutions_give(name, split):
    rows = load_dataset(os.path.join(FIXTURES, name), split)
    assert len(rows) == 20 and len({r["id"] for r in rows}) == 20
    for r in rows:
        assert r["problem"] and r["solution"] and r["answer"]
        assert is_equiv(extract_answer(r["solution"]), r["answer"])
    if name == "gsm8k":  # '#### 72' -> answer '72' and a boxed final line; no <<calc>> left
        raw = [json.loads(line) for line in open(os.path.join(FIXTURES, name, f"{split}.jsonl"))]
        for r, src in zip(rows, raw):
            assert r["answer"] == src["answer"].rsplit("####", 1)[1].strip()
            assert r["solution"].endswith(f"$\\boxed{{{r['answer']}}}$.") and "<<" not in r["solution"]
            assert r["type"] == "GSM8K" and r["level"] is None
    else:
        assert all(1 <= r["level"] <= 5 and r["type"] for r in rows)


def test_train_sft_on_gsm8k_rows_counts_what_skip_long_drops(tmp_path, capsys):
    from train_sft import main as sft
    tiny = ["--dataset", os.path.join(FIXTURES, "gsm8k"), "--n_val", "4", "--n_fresh", "4",
            "--init_from", "scratch", "--n_layer", "1", "--n_head", "2", "--n_embd", "32",
            "--batch_size", "4", "--max_steps", "1", "--eval_interval", "1000",
            "--max_new_tokens", "8", "--no_progress"]
    with pytest.raises(ValueError, match="block_size"):  # too long is an error by default
        sft(tiny + ["--block_size", "230", "--out_dir", str(tmp_path / "a")])
    sft(tiny + ["--block_size", "230", "--skip_long", "--out_dir", str(tmp_path / "b")])
    out = capsys.readouterr().out
    assert "held out as val" in out and "held out as fresh" in out
    dropped = [line for line in out.splitlines() if line.startswith("skipped ")]
    # 12 training rows (20 - 4 val - 4 fresh); under their 1024-token BPE one has 359 tokens;
    # then the val loss's rows (encoded under the same flag)
    assert dropped == ["skipped 1 of 12 examples longer than block_size 230",
                       "skipped 3 of 4 examples longer than block_size 230"]


def test_math500_alone_has_no_training_split():
    with pytest.raises(DataError, match="no train.jsonl"):
        load_dataset(os.path.join(FIXTURES, "math500"), "train")


@needs_real
@pytest.mark.parametrize("name,split", [("gsm8k", "train"), ("gsm8k", "test"), ("math500", "test")])
def test_fixture_is_the_head_of_the_real_file(name, split):
    with open(os.path.join(REAL, name, f"{split}.jsonl")) as f:
        head = [next(f) for _ in range(20)]
    with open(os.path.join(FIXTURES, name, f"{split}.jsonl")) as f:
        assert f.readlines() == head


@needs_real
def test_real_files_every_gold_answer_is_the_answer_of_its_own_solution():
    from bench import real_data
    out = real_data.main(["--data", REAL])
    assert {k: v["rows"] for k, v in out.items()} == {
        ("gsm8k", "train"): 7473, ("gsm8k", "test"): 1319, ("math500", "test"): 500}
    for v in out.values():
        assert v["solution"] == v["rows"]
    assert out["gsm8k", "train"]["parsed"] == 7473 and out["math500", "test"]["parsed"] >= 490
    # the BPE length statistics README gives: longer than 256 / 512 / 1024 tokens
    assert out["math500", "test"]["longer"][2] > 0 and out["gsm8k", "test"]["longer"][2] == 0


@needs_real
def test_gsm8k_answers_with_thousands_separators_are_read_as_numbers():
    rows = load_dataset(os.path.join(REAL, "gsm8k"), "train")
    raw = [json.loads(line) for line in open(os.path.join(REAL, "gsm8k", "train.jsonl"))]
    commas = [(r, s) for r, s in zip(rows, raw) if "," in s["answer"].rsplit("####", 1)[1]]
    assert len(commas) == 79
    for r, s in commas:
        final = s["answer"].rsplit("####", 1)[1].strip()
        assert "," not in r["answer"] and is_equiv(final, r["answer"])
