"""bench/bench_model.py on a tiny shape: the JSON it keeps and the table it renders (the
numbers are timings: only their presence and the arithmetic of the ratios are checked)."""
import json

import pytest


def test_bench_model_keeps_one_entry_per_shape(tmp_path):
    pytest.importorskip("transformers")
    from bench import bench_model
    out = str(tmp_path / "b.json")
    tiny = ["--n_layer", "1", "--n_embd", "32", "--vocab_size", "64", "--block_size", "32",
            "--batch_size", "2", "--train_steps", "1", "--prompt_len", "4", "--samples", "2",
            "--repeats", "1", "--out", out]
    bench_model.main(tiny + ["--new_tokens", "4"])
    saved = bench_model.main(tiny + ["--new_tokens", "6"])
    assert json.load(open(out)) == saved and len(saved["shapes"]) == 2
    r = saved["shapes"]["1x32, sampling 2 x 4 + 6 new, training 2 x 32"]
    assert set(r["sample"]) == {"ours", "hf", "static", "no_cache"}
    table = bench_model.render(saved)
    assert table.count("\n| 1x32,") == 2
    assert f"({r['sample']['ours'] / r['sample']['hf']:.2f}x)" in table


def test_pretrain_cost_times_each_size_and_projects_the_bases_steps(tmp_path):
    from bench import pretrain_cost
    out = str(tmp_path / "c.json")
    saved = pretrain_cost.main(["--sizes", "1x32", "2x64", "--steps", "1", "--out", out])
    assert json.load(open(out)) == saved
    assert pretrain_cost.main(["--render", "--out", out]) == saved  # reads, runs nothing
    with pytest.raises(FileNotFoundError, match="--render: .*none.json does not exist"):
        pretrain_cost.main(["--render", "--out", str(tmp_path / "none.json")])
    assert [r["size"] for r in saved["rows"]] == ["1x32", "2x64"]
    small, large = saved["rows"]
    assert 0 < small["params"] < large["params"] and small["seconds_per_step"] > 0
    # the projection is the step time times the steps, in minutes
    saved["rows"] = [{**small, "seconds_per_step": 0.6}]
    row = pretrain_cost.render(saved).splitlines()[2]
    tokens = saved["defaults"]["batch_size"] * saved["defaults"]["block_size"]
    assert row == (f"| 1x32 | {small['params'] / 1e6:.2f}M | 0.60 | {tokens / 0.6:,.0f} | "
                   f"{0.6 * saved['defaults']['max_steps'] / 60:.0f} min | 35 min |")


def test_first_hour_splits_each_wall_time_into_training_sampling_and_the_rest():
    from bench.first_hour import render
    run = lambda name, cmd, wall, summary: {"name": name, "command": cmd, "wall_seconds": wall,
                                            "peak_gb": 0.5, "summary": summary}
    saved = {"machine": "a CPU (AVX2), 2 cores", "torch": "2.13.0", "threads": 2, "runs": [
        run("train_sft", ["train_sft.py"], 300.0,
            {"split": "test", "greedy": 0.672, "train_seconds": 290.0, "steps": 800,
             "optimizer_seconds": 280.4}),
        run("train_verifier", ["train_verifier.py"], 250.0,
            {"auc": 0.6, "pair_accuracy": 0.6, "sample_seconds": 60.2, "train_seconds": 170.0}),
        run("rerank (val)", ["rerank.py", "--eval_split", "val"], 120.0,
            {"split": "val", "pass@1": 0.65, "sample_seconds": 62.0, "seconds": 115.0}),
        run("rerank", ["rerank.py"], 110.0,
            {"split": "test", "pass@1": 0.67, "sample_seconds": 60.0, "seconds": 105.0})]}
    text = render(saved)
    assert "| `python train_sft.py` | 300 s | 280 s | - | 20 s |" in text  # 300 - 280.4
    assert "| `python train_verifier.py` | 250 s | 170 s | 60 s | 20 s |" in text  # 250-170-60.2
    assert "| `python rerank.py` | 110 s | - | 60 s | 50 s |" in text
    # the first hour is the three commands without the validation re-ranking
    assert "The first hour (`train_sft`, `train_verifier`, `rerank`): 660 s, of which 450 s" in text
    for r in saved["runs"]:  # a file written before the parts were recorded: no breakdown
        for k in ("optimizer_seconds", "sample_seconds"):
            r["summary"].pop(k, None)
    older = render(saved)
    assert "| training |" not in older and "greedy 67.2% on test" in older
    assert older.endswith("The first hour (`train_sft`, `train_verifier`, `rerank`): 660 s.")
