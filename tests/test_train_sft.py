"""train_sft.py: accumulation, resume, DDP, masks, errors and a tiny end-to-end run."""
import copy
import json
import os
import subprocess
import sys

import pytest
import torch

from data import (collate, encode_example, generator_prompt, generator_target, split_by_length,
                  train_tokenizer)
from model import GPT, GPTConfig, load_checkpoint
from common import Sampling, generate_solutions, lr_at, token_loss_sum
from train_sft import accumulate_gradients, main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# a model and data small enough for seconds per run
TINY = ["--n_train", "120", "--n_val", "8", "--n_test", "12",
        "--init_from", "scratch", "--n_layer", "1", "--n_head", "2",
        "--n_embd", "32", "--vocab_size", "300", "--batch_size", "4", "--eval_interval", "1000",
        "--val_acc_problems", "4", "--max_new_tokens", "24", "--warmup_steps", "2", "--block_size", "512",
        "--n_fresh", "20", "--no_progress"]


@pytest.fixture(scope="module")
def tok():
    texts = [generator_prompt(f"What is ${a}+{b}$?") + generator_target(rf"$\boxed{{{a + b}}}$")
             for a in range(20) for b in range(20)]
    return train_tokenizer(texts, 300)


def examples(tok, n, seed=0):
    """n examples with target lengths that differ a lot."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(n):
        k = int(torch.randint(1, 12, (1,), generator=g))
        sol = " + ".join(str(j) for j in range(k)) + rf" = \boxed{{{k}}}"
        out.append(encode_example(tok, generator_prompt(f"Sum {i}?"), generator_target(sol), 128))
    return out


def grads(model):
    return torch.cat([p.grad.flatten() for p in model.parameters()])


def test_accumulation_equals_one_big_batch(tok):
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=128, vocab_size=300, n_layer=2, n_head=2, n_embd=32))
    exs = examples(tok, 8)
    counts = [sum(m[1:]) for _, m in exs]
    assert len(set(counts)) > 3  # unequal target lengths
    n_total = sum(counts)
    a, b = copy.deepcopy(model), copy.deepcopy(model)
    la = accumulate_gradients(a, [collate(exs, 0)], n_total)  # 8 x 1
    lb = accumulate_gradients(b, [collate(exs[:4], 0), collate(exs[4:], 0)], n_total)  # 4 x 2
    assert abs(la - lb) < 1e-3 * la
    assert torch.allclose(grads(a), grads(b), atol=1e-6, rtol=1e-4)  # float32 summation order
    # the mean of per-batch means is a different (wrong) gradient: the test can tell them apart
    c = copy.deepcopy(model)
    for half in (exs[:4], exs[4:]):
        l, n = token_loss_sum(c, collate(half, 0))
        (l / n / 2).backward()
    assert not torch.allclose(grads(a), grads(c), atol=1e-6, rtol=1e-4)


def test_length_split_pieces_give_the_same_gradient(tok):
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=128, vocab_size=300, n_layer=2, n_head=2, n_embd=32))
    exs = examples(tok, 10)
    n_total = sum(sum(m[1:]) for _, m in exs)
    pieces = split_by_length(exs, 3)
    assert [len(p) for p in pieces] == [3, 3, 4]
    assert sorted(map(str, exs)) == sorted(str(e) for p in pieces for e in p)  # each once
    longest = [max(len(e[0]) for e in p) for p in pieces]
    assert longest == sorted(longest) and longest[0] < longest[-1]
    # fewer padded tokens, same loss and gradient
    padded = lambda bs: sum(collate(b, 0)["x"].numel() for b in bs)
    assert padded(pieces) < padded([exs])
    a, b = copy.deepcopy(model), copy.deepcopy(model)
    la = accumulate_gradients(a, [collate(exs, 0)], n_total)
    lb = accumulate_gradients(b, [collate(p, 0) for p in pieces], n_total)
    assert abs(la - lb) < 1e-4 * la
    assert torch.allclose(grads(a), grads(b), atol=1e-6, rtol=1e-4)
    assert split_by_length(exs[:2], 3) == [[e] for e in sorted(exs[:2], key=lambda e: len(e[0]))]


def test_loss_ignores_prompt_and_padding(tok):
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=128, vocab_size=300, n_layer=1, n_head=2, n_embd=32))
    exs = examples(tok, 3)
    batch = collate(exs, pad_id=0)
    loss, n = token_loss_sum(model, batch)
    logits, _ = model(batch["x"])
    logp = torch.log_softmax(logits, -1)
    want, count = 0.0, 0
    for i, (ids, mask) in enumerate(exs):
        for t in range(len(ids) - 1):
            if mask[t + 1]:  # supervised: the target token belongs to the solution or is EOS
                want -= logp[i, t, ids[t + 1]].item()
                count += 1
    assert n.item() == count and abs(loss.item() - want) < 1e-3
    other = dict(batch, x=batch["x"].masked_fill(batch["attention_mask"] == 0, 7))
    assert torch.allclose(token_loss_sum(model, other)[0], loss)  # padding ids do not matter


def test_generate_solutions_come_back_in_input_order(tok):
    """Prompts are sorted by length for batching; each answer must return to its problem."""
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=128, vocab_size=300, n_layer=1, n_head=2, n_embd=32)).eval()
    with torch.no_grad():  # sharper weights: outputs that depend on the prompt, not one token
        for p in model.parameters():
            if p.dim() >= 2:
                p.mul_(8)
    problems = [f"What is ${a}+{a}$?" + " Be quick." * ((5 * a) % 7) for a in range(7)]
    together = generate_solutions(model, tok, problems, Sampling(max_new_tokens=8, batch_size=3))
    alone = [generate_solutions(model, tok, [p], Sampling(max_new_tokens=8))[0] for p in problems]
    assert together == alone and len({s[0] for s in alone}) > 3  # distinct enough to tell apart
    many = generate_solutions(model, tok, problems, Sampling(  # sampled, N per problem
        n=2, temperature=1.0, max_new_tokens=6, batch_size=4, seed=0))
    assert [len(s) for s in many] == [2] * 7


def test_lr_schedule():
    assert lr_at(0, 100, 1.0, 0.1, 10) == pytest.approx(0.1)
    assert lr_at(9, 100, 1.0, 0.1, 10) == pytest.approx(1.0)
    assert lr_at(100, 100, 1.0, 0.1, 10) == pytest.approx(0.1)
    assert lr_at(55, 100, 1.0, 0.1, 10) == pytest.approx(0.55)


def test_end_to_end_tiny_run_writes_what_it_promises(tmp_path):
    out = tmp_path / "sft"
    metrics = main(TINY + ["--max_steps", "6", "--out_dir", str(out)])
    for f in ("ckpt.pt", "tokenizer.json", "config.json", "metrics.json", "samples.jsonl"):
        assert os.path.isfile(out / f), f
    m = json.loads((out / "metrics.json").read_text())
    assert m["n_test"] == 12 and m["pass@1"] == metrics["pass@1"]
    assert set(m["by_level"]) <= {"1", "2", "3", "4", "5"} and m["steps"] == 6
    assert len(m["history"]) == 6 and m["history"][-1]["loss"] < m["history"][0]["loss"]
    rows = [json.loads(l) for l in (out / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 12 and {"problem", "gold", "prediction", "correct"} <= set(rows[0])
    # the reported accuracy is the share of greedy solutions that grade.py finds right
    from grade import extract_answer, is_equiv
    regraded = [is_equiv(extract_answer(r["solution"]), r["gold"]) for r in rows]
    assert m["pass@1"] == pytest.approx(sum(regraded) / 12)
    model, ckpt = load_checkpoint(str(out / "ckpt.pt"))
    assert ckpt["step"] == 6 and ckpt["run_config"]["n_embd"] == 32
    assert json.loads((out / "config.json").read_text())["max_steps"] == 6


def test_every_parameter_changes_after_one_step(tmp_path):
    out = tmp_path / "one"
    main(TINY + ["--max_steps", "1", "--out_dir", str(out), "--n_test", "2"])
    trained, _ = load_checkpoint(str(out / "ckpt.pt"))
    torch.manual_seed(1337)  # the init the run started from (same seed, same config)
    from data import load_tokenizer
    vocab = load_tokenizer(str(out / "tokenizer.json")).get_vocab_size()
    init = GPT(GPTConfig(**{**trained.config.__dict__, "vocab_size": vocab}))
    for (name, a), (_, b) in zip(init.named_parameters(), trained.named_parameters()):
        assert not torch.equal(a, b), f"{name} did not change"


@pytest.mark.parametrize("optimizer", ["adamw", "muon"])
def test_resume_continues_exactly(tmp_path, optimizer):
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    tiny = TINY + ["--optimizer", optimizer]
    main(tiny + ["--max_steps", "12", "--out_dir", str(straight)])
    assert main(tiny + ["--max_steps", "12", "--out_dir", str(killed), "--stop_after", "5"]) is None
    assert load_checkpoint(str(killed / "ckpt.pt"))[1]["step"] == 5
    main(tiny + ["--max_steps", "12", "--out_dir", str(killed), "--resume"])
    a, ca = load_checkpoint(str(straight / "ckpt.pt"))
    b, cb = load_checkpoint(str(killed / "ckpt.pt"))
    assert ca["step"] == cb["step"] == 12
    for (k, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(x, y), k
    ha = json.loads((straight / "metrics.json").read_text())["history"]
    hb = json.loads((killed / "metrics.json").read_text())["history"]
    assert [h["loss"] for h in ha] == [h["loss"] for h in hb]
    with pytest.raises(ValueError, match="--lr"):
        main(tiny + ["--max_steps", "12", "--out_dir", str(killed), "--resume", "--lr", "1e-2"])


def test_eval_split_val_solves_validation_only(tmp_path):
    out = tmp_path / "val"
    m = main(TINY + ["--max_steps", "2", "--final_split", "val", "--out_dir", str(out)])  # old name
    rows = [json.loads(l) for l in (out / "samples.jsonl").read_text().splitlines()]
    assert m["split"] == "val" and m["n_test"] == 8 and len(rows) == 8
    assert {r["id"].rsplit("/", 1)[0] for r in rows} == {"synthetic/val"}
    assert all(h["seconds"] >= 0 for h in m["history"])
    secs = [h["seconds"] for h in m["history"]]
    assert secs == sorted(secs)


def test_speedrun_bench_reads_validation_and_writes_its_table(tmp_path, monkeypatch):
    from bench import speedrun
    tiny = [f for f in TINY if f != "--no_progress"]
    monkeypatch.setattr(speedrun, "RECORDS", {"tiny": ("a tiny run", tiny + ["--max_steps", "4"])})
    out = tmp_path / "speedrun.json"
    saved = speedrun.main(["--eval_every", "2", "--at_seconds", "1000", "--target", "0.0",
                           "--out", str(out), "--runs", str(tmp_path / "runs")])
    (rec,) = saved["records"]
    assert saved["split"] == "val" and json.loads(out.read_text()) == saved
    assert [c[0] for c in rec["curve"]] == [2, 4] and rec["steps"] == 4
    assert rec["seconds_to_target"] == rec["curve"][0][1]  # target 0: the first evaluation
    assert 0.0 <= rec["val_one_sample"] <= 1.0 and "| a tiny run | 4 |" in speedrun.render(saved)
    metrics = json.loads((tmp_path / "runs" / "tiny" / "metrics.json").read_text())
    assert metrics["split"] == "val"  # the test split was never solved


def test_ddp_two_processes_match_one_process(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=ROOT)
    steps = ["--max_steps", "4"]
    subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                    "--nproc_per_node=2", os.path.join(ROOT, "train_sft.py"), *TINY, *steps,
                    "--device", "cpu", "--out_dir", str(tmp_path / "ddp")],
                   check=True, env=env, cwd=ROOT, capture_output=True, timeout=300)
    main(TINY + steps + ["--grad_accum", "2", "--out_dir", str(tmp_path / "single")])
    hd = json.loads((tmp_path / "ddp" / "metrics.json").read_text())["history"]
    hs = json.loads((tmp_path / "single" / "metrics.json").read_text())["history"]
    assert len(hd) == len(hs) == 4
    for a, b in zip(hd, hs):
        assert abs(a["loss"] - b["loss"]) < 1e-4, (a, b)
    a, _ = load_checkpoint(str(tmp_path / "ddp" / "ckpt.pt"))
    b, _ = load_checkpoint(str(tmp_path / "single" / "ckpt.pt"))
    for (k, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.allclose(x, y, atol=1e-5), k


@pytest.mark.parametrize("flags,match", [
    (["--init_from", "/no/such/dir"], "not a directory"),
    (["--dataset", "/no/such/file.jsonl"], "no such file"),
    (["--block_size", "16"], "longer than the context"),
])
def test_clear_errors(tmp_path, flags, match):
    r = subprocess.run([sys.executable, os.path.join(ROOT, "train_sft.py"), *TINY, *flags,
                        "--max_steps", "1", "--out_dir", str(tmp_path / "x")],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode != 0 and match in r.stderr, r.stderr[-500:]


def test_unknown_flag_and_empty_dataset(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(ROOT, "train_sft.py"), "--bogus"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "unrecognized arguments: --bogus" in r.stderr
    (tmp_path / "train.jsonl").write_text("\n")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "train_sft.py"), "--dataset",
                        str(tmp_path), "--init_from", "scratch", "--out_dir", str(tmp_path / "o")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode != 0 and "no usable rows" in r.stderr


def test_qwen2_directory_runs_sft_then_rerank(tmp_path):
    """A Hugging Face directory of another family, as a learner downloads one: a tiny random
    Qwen2 saved by transformers beside a tokenizer.json of the world's text (trained here) and
    its EOS in config.json. train_sft.py fine-tunes it for a few steps; rerank.py samples from
    its checkpoint, which reloads as the same Qwen2 (rotary, SwiGLU, grouped-query, biases)."""
    transformers = pytest.importorskip("transformers")
    from data import eos_id, load_splits
    from model import family
    from rerank import main as rerank
    from train_joint import main as joint
    from train_verifier import main as verifier
    hf_dir = tmp_path / "qwen2-tiny"
    rows = load_splits("synthetic", n_train=120, n_val=8, n_test=12)["train"]
    tok = train_tokenizer([generator_prompt(r["problem"]) + generator_target(r["solution"])
                           for r in rows], 300)
    cfg = transformers.Qwen2Config(vocab_size=tok.get_vocab_size(), hidden_size=32,
                                   intermediate_size=64, num_hidden_layers=1,
                                   num_attention_heads=4, num_key_value_heads=2,
                                   max_position_embeddings=1024, eos_token_id=eos_id(tok),
                                   tie_word_embeddings=True)
    torch.manual_seed(0)
    transformers.Qwen2ForCausalLM(cfg).save_pretrained(hf_dir)
    tok.save(str(hf_dir / "tokenizer.json"))
    flags = [str(hf_dir) if f == "scratch" else f for f in TINY]
    sft = main(flags + ["--max_steps", "6", "--lr", "3e-3", "--out_dir", str(tmp_path / "sft")])
    model, ck = load_checkpoint(str(tmp_path / "sft" / "ckpt.pt"))
    assert family(model.config) == "qwen2" and model.config.n_kv_head == 2
    assert ck["run_config"]["init_from"] == str(hf_dir) and sft["n_test"] == 12
    # step 2a on its checkpoint: sampled candidates, labels halved so that pairs exist (a
    # random model is never right), the margin evaluator; step 3 on the same candidates
    gen = str(tmp_path / "sft" / "ckpt.pt")
    verifier(["--generator", gen, "--n_problems", "8", "--n_val_problems", "4",
              "--n_samples", "2", "--n_val_samples", "2", "--max_steps", "1", "--loss", "ce",
              "--no_progress", "--out_dir", str(tmp_path / "ver0")])
    cands = [json.loads(l) for l in
             (tmp_path / "ver0" / "candidates.jsonl").read_text().splitlines()]
    for i, c in enumerate(cands):
        c["label"] = i % 2 == 0
    (tmp_path / "cands.jsonl").write_text("\n".join(json.dumps(c) for c in cands) + "\n")
    v = verifier(["--generator", gen, "--candidates", str(tmp_path / "cands.jsonl"),
                  "--max_steps", "2", "--batch_size", "2", "--no_progress",
                  "--out_dir", str(tmp_path / "ver")])
    assert 0 <= v["pair_accuracy"] <= 1 and family(load_checkpoint(
        str(tmp_path / "ver" / "ckpt.pt"))[0].config) == "qwen2"
    j = joint(["--generator", gen, "--objective", "evaluator", "--candidates",
               str(tmp_path / "cands.jsonl"), "--stage_b_steps", "1", "--stage_c_steps", "1",
               "--batch_size", "2", "--no_progress", "--out_dir", str(tmp_path / "joint")])
    assert json.loads((tmp_path / "joint" / "metrics.json").read_text())["pass@1"] == j["pass@1"]
    r = rerank(["--generator", gen, "--evaluator", str(tmp_path / "ver" / "ckpt.pt"),
                "--n_samples", "4", "--k_clusters", "2", "--curve_repeats", "1",
                "--no_progress", "--out_dir", str(tmp_path / "rr")])
    lines = (tmp_path / "rr" / "samples.jsonl").read_text().splitlines()
    assert len(lines) == 12 and all(len(json.loads(l)["samples"]) == 4 for l in lines)
    saved = json.loads((tmp_path / "rr" / "metrics.json").read_text())
    assert saved["pass@1"] == r["pass@1"] == sft["pass@1"]  # the same greedy solutions
    assert 0 <= saved["maj1@4"] <= saved["pass@4"] <= 1
    # a tokenizer whose EOS is not the one the model's files name is refused, naming the file
    gen = hf_dir / "generation_config.json"
    gen.write_text(json.dumps({**json.loads(gen.read_text()), "eos_token_id": [1, 2]}))
    with pytest.raises(ValueError, match=r"generation_config\.json: eos_token_id \[1, 2\]"):
        main(flags + ["--max_steps", "1", "--out_dir", str(tmp_path / "sft2")])
