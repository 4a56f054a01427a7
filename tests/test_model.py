"""model.py against Hugging Face transformers (the oracle) and against hand computations."""
import json
import os
import pickle

import pytest
import torch
import torch.nn.functional as F

from bench.family_parity import CASES as FAMILY_CASES  # the Llama / Qwen2 oracle cases
from data import train_tokenizer
import sampling
from model import (GPT, GPTConfig, last_real_index, load_checkpoint, load_run, save_checkpoint,
                   sequence_logprobs, token_cross_entropy)
from sampling import KVCache, filter_logits

TINY = dict(block_size=64, vocab_size=97, n_layer=2, n_head=4, n_embd=32)


def tiny_model(seed=0, **kw):
    torch.manual_seed(seed)
    return GPT(GPTConfig(**{**TINY, **kw})).eval()


@pytest.fixture(scope="module")
def hf_model():
    """A random tiny GPT-2 from transformers, the oracle: only the tests that take this fixture
    skip when transformers is not installed (the KV-cache, sampling and checkpoint tests run
    regardless)."""
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    cfg = transformers.GPT2Config(n_positions=64, n_embd=32, n_layer=2, n_head=4, vocab_size=97,
                                  resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    m = transformers.GPT2LMHeadModel(cfg).eval()
    with torch.no_grad():  # random biases and LayerNorm affines, so a missed copy shows
        for name, p in m.named_parameters():
            if name.endswith("bias") or "ln_" in name:
                p.normal_(0, 0.1)
    return m


@pytest.mark.parametrize("safe", [True, False])
def test_from_pretrained_matches_hf_logits_and_greedy(tmp_path, hf_model, safe):
    hf_model.save_pretrained(tmp_path, safe_serialization=safe)
    if not safe:  # transformers 5 writes safetensors regardless; write the legacy file by hand
        for f in os.listdir(tmp_path):
            if f.endswith(".safetensors"):
                os.remove(tmp_path / f)
        torch.save(hf_model.state_dict(), tmp_path / "pytorch_model.bin")
    assert os.path.isfile(tmp_path / ("model.safetensors" if safe else "pytorch_model.bin"))
    ours = GPT.from_pretrained(str(tmp_path)).eval()
    idx = torch.randint(0, 97, (3, 20), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ref = hf_model(idx).logits
        got, _ = ours(idx)
    assert (got - ref).abs().max().item() < 1e-4
    prompt = idx[:1, :5]
    ref_tokens = hf_model.generate(prompt, max_new_tokens=15, do_sample=False, pad_token_id=0,
                                   attention_mask=torch.ones_like(prompt))
    got_tokens = ours.generate(prompt, max_new_tokens=15, temperature=0)
    assert torch.equal(got_tokens, ref_tokens)


def test_from_pretrained_errors(tmp_path, hf_model):
    with pytest.raises(FileNotFoundError, match="not a directory"):
        GPT.from_pretrained(str(tmp_path / "nope"))
    hf_model.save_pretrained(tmp_path)
    sd = hf_model.state_dict()
    sd["transformer.h.0.mlp.c_fc.weight"] = torch.zeros(3, 3)
    os.remove(tmp_path / "model.safetensors")
    torch.save(sd, tmp_path / "pytorch_model.bin")
    with pytest.raises(ValueError, match=r"h\.0\.mlp\.c_fc\.weight.*shape"):
        GPT.from_pretrained(str(tmp_path))
    del sd["transformer.h.0.mlp.c_fc.weight"]
    torch.save(sd, tmp_path / "pytorch_model.bin")
    with pytest.raises(KeyError, match=r"h\.0\.mlp\.c_fc\.weight.*missing"):
        GPT.from_pretrained(str(tmp_path))


def test_hub_name_offline_fails_fast_with_advice():
    # conftest.py sets HF_HUB_OFFLINE=1 before anything imports huggingface_hub (which reads it
    # once, at import): setting it here would be too late, and a networked machine would download
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    with pytest.raises(RuntimeError, match="local directory"):
        GPT.from_pretrained("gpt2")


class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/mathtune_pwned",))


def test_malicious_pickle_is_refused_without_running(tmp_path, hf_model):
    if os.path.exists("/tmp/mathtune_pwned"):
        os.remove("/tmp/mathtune_pwned")
    hf_model.config.save_pretrained(tmp_path)
    with open(tmp_path / "pytorch_model.bin", "wb") as f:
        pickle.dump({"transformer.wte.weight": Evil()}, f)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        GPT.from_pretrained(str(tmp_path))
    ckpt = tmp_path / "ckpt.pt"
    with open(ckpt, "wb") as f:
        pickle.dump({"model": Evil(), "model_config": {}}, f)
    with pytest.raises(ValueError, match="not a mathtune checkpoint"):
        load_checkpoint(str(ckpt))
    assert not os.path.exists("/tmp/mathtune_pwned")


def test_loss_is_hand_computed_cross_entropy_ignoring_minus_100():
    m = tiny_model()
    idx = torch.randint(0, 97, (2, 6))
    targets = idx.clone()
    targets[0, :3] = -100
    targets[1, 5] = -100
    logits, loss = m(idx, targets)
    logp = torch.log_softmax(logits, -1)
    terms = [-logp[b, t, targets[b, t]] for b in range(2) for t in range(6) if targets[b, t] >= 0]
    assert len(terms) == 8
    assert torch.allclose(loss, torch.stack(terms).mean(), atol=1e-6)


def test_too_long_sequence_is_an_error():
    m = tiny_model()
    with pytest.raises(ValueError, match="longer than the context"):
        m(torch.zeros(1, 65, dtype=torch.long))
    with pytest.raises(ValueError, match="exceeds the context"):
        m.generate(torch.zeros(1, 60, dtype=torch.long), max_new_tokens=10)


def test_cached_greedy_equals_uncached_greedy():
    m = tiny_model()
    idx = torch.randint(0, 97, (3, 7))
    a = m.generate(idx, 30, temperature=0, use_cache=True)
    b = m.generate(idx, 30, temperature=0, use_cache=False)
    assert a.shape == (3, 37) and torch.equal(a, b)


def test_unpadded_decode_without_a_mask_gives_the_masked_tokens(monkeypatch):
    """An unpadded batch decodes with no attention mask (cache.all_real); the same batch with
    the mask built at every step (all_real forced off) gives the same tokens and logits,
    greedy and sampled N per prompt with rows leaving the batch."""
    m = tiny_model()
    idx = torch.randint(0, 97, (4, 6))
    fast = m.generate(idx, 25, temperature=0, eos_token_id=5)
    g = lambda: torch.Generator().manual_seed(0)
    fast_s = m.generate(idx, 25, temperature=1.0, top_p=0.9, eos_token_id=5, num_samples=3,
                        generator=g())
    cache_seen = []
    real_prefill = sampling.prefill

    def masked_prefill(model, *a, **k):
        logits, cache = real_prefill(model, *a, **k)
        assert cache.all_real  # the batch has no padding: the fast path would be taken
        cache.all_real = False
        cache_seen.append(cache)
        return logits, cache
    monkeypatch.setattr(sampling, "prefill", masked_prefill)
    assert torch.equal(m.generate(idx, 25, temperature=0, eos_token_id=5), fast)
    assert torch.equal(m.generate(idx, 25, temperature=1.0, top_p=0.9, eos_token_id=5,
                                  num_samples=3, generator=g()), fast_s)
    # the masked path ran: its decode steps record their key positions (the fast one never does)
    assert len(cache_seen) == 2 and cache_seen[0].key_mask[:, 6].all()


def left_pad(prompts, pad_id=0):
    T = max(len(p) for p in prompts)
    idx = torch.full((len(prompts), T), pad_id, dtype=torch.long)
    mask = torch.zeros(len(prompts), T, dtype=torch.long)
    for i, p in enumerate(prompts):
        idx[i, T - len(p):] = torch.tensor(p)
        mask[i, T - len(p):] = 1
    return idx, mask


@pytest.mark.parametrize("use_cache", [True, False])
def test_left_padded_batch_equals_each_prompt_alone(use_cache):
    m = tiny_model()
    prompts = [[5, 6, 7, 8, 9, 10], [11, 12], [13, 14, 15, 16]]
    idx, mask = left_pad(prompts, pad_id=3)
    batch = m.generate(idx, 12, temperature=0, attention_mask=mask, use_cache=use_cache)
    for i, p in enumerate(prompts):
        alone = m.generate(torch.tensor([p]), 12, temperature=0)
        assert torch.equal(batch[i, -12:], alone[0, -12:])
    # the logits themselves, not only the argmax, match the unpadded run
    logits, _ = m(idx, attention_mask=mask)
    alone_logits, _ = m(torch.tensor([prompts[1]]))
    assert torch.allclose(logits[1, -2:], alone_logits[0], atol=1e-5)


def test_n_sample_prefill_equals_plain_batched_sampling():
    m = tiny_model()
    prompts = [[5, 6, 7], [8, 9, 10, 11]]
    idx, mask = left_pad(prompts)
    g1, g2 = torch.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    a = m.generate(idx, 20, temperature=1.0, attention_mask=mask, num_samples=4, generator=g1)
    b = m.generate(idx.repeat_interleave(4, 0), 20, temperature=1.0,
                   attention_mask=mask.repeat_interleave(4, 0), generator=g2)
    assert a.shape == (8, 24) and torch.equal(a, b)
    assert len({tuple(r.tolist()) for r in a[:4]}) > 1  # the 4 samples are not copies


def test_same_seed_same_samples_different_seed_different():
    m = tiny_model()
    idx = torch.tensor([[1, 2, 3]])
    run = lambda s: m.generate(idx, 20, temperature=1.0, num_samples=3,
                               generator=torch.Generator().manual_seed(s))
    assert torch.equal(run(1), run(1))
    assert not torch.equal(run(1), run(2))


def test_eos_row_emits_only_eos_afterwards():
    m = tiny_model()
    idx = torch.tensor([[1, 2, 3]] * 6)
    first = m.generate(idx[:1], 1, temperature=0)[0, -1].item()  # greedy emits this at once
    out = m.generate(idx, 10, temperature=0, eos_token_id=first)
    assert out.shape == (6, 13)
    assert (out[:, 3:] == first).all()  # stopped at once, padded with EOS to full length
    # sampled: EOS is the token most rows of a free run emit (so some rows do end)
    free = m.generate(idx, 25, temperature=1.5, generator=torch.Generator().manual_seed(0))
    eos = max(range(97), key=lambda t: sum(bool((r == t).any()) for r in free[:, 3:]))
    out = m.generate(idx, 25, temperature=1.5, eos_token_id=eos,
                     generator=torch.Generator().manual_seed(0))
    hit = 0
    for row in out[:, 3:]:
        pos = (row == eos).nonzero()
        if len(pos):
            hit += 1
            assert (row[pos[0, 0]:] == eos).all()
    assert hit > 0


@pytest.mark.parametrize("use_cache", [True, False])
def test_finished_rows_leave_the_batch_without_changing_the_others(use_cache, monkeypatch):
    # oracle: greedy without EOS never drops a row; with EOS each row must equal that rollout
    # cut at its first EOS and padded with EOS, however many rows left the batch before it
    m = tiny_model()
    torch.manual_seed(0)
    pool = torch.randint(0, 97, (64, 5))
    free = m.generate(pool, 30, temperature=0, use_cache=use_cache)[:, 5:]
    first = lambda t: [(r == t).nonzero()[0, 0].item() for r in free if (r == t).any()]
    eos = max(free.unique().tolist(), key=lambda t: (len(set(first(t))), len(first(t))))
    ends = [(r == eos).any().item() for r in free]
    rows = [i for i, e in enumerate(ends) if e] + [i for i, e in enumerate(ends) if not e][:5]
    assert len(set(first(eos))) >= 3 and sum(ends) >= 4  # rows end at 3+ different steps
    drops = []
    monkeypatch.setattr(KVCache, "select", lambda self, keep, f=KVCache.select:
                        (drops.append(int((~keep).sum())), f(self, keep)))
    out = m.generate(pool[rows], 30, temperature=0, eos_token_id=eos, use_cache=use_cache)
    for row, ref in zip(out[:, 5:], free[rows]):
        hit = (ref == eos).nonzero()
        if not len(hit):  # never ends: the whole rollout, unchanged
            assert torch.equal(row, ref)
            continue
        cut = hit[0, 0].item()
        assert torch.equal(row[:cut + 1], ref[:cut + 1]) and (row[cut:] == eos).all()
    if use_cache:
        assert len(drops) >= 2, "rows must leave the batch at least twice for this test to bite"
    kept = m.generate(pool[rows], 30, temperature=0, eos_token_id=eos, use_cache=use_cache,
                      drop_finished=False)
    assert torch.equal(kept, out)


def sharp_model(seed=0):
    """A tiny GPT whose weights are large enough that attention is far from uniform and every
    position's value matters to the logits (at GPT-2's init a random model's attention is
    nearly flat and its argmax repeats one token, so wrong keys can leave the tokens alone)."""
    m = tiny_model(seed)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in m.parameters():
            if p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=g) * 0.35)
    return m


def record_step_logits(monkeypatch, model):
    """Wrap model.forward and KVCache.select: ([the next-token logits of every decode step,
    by original row], [rows dropped at each select]); rows that left the batch are followed
    through each select."""
    steps, drops, alive = [], [], {}
    forward = model.forward

    def recording(idx, *a, **k):
        out = forward(idx, *a, **k)
        if "rows" not in alive:
            alive["rows"] = list(range(idx.size(0)))  # the prefill: every row
        else:
            steps.append({r: out[0][j, -1].clone() for j, r in enumerate(alive["rows"])})
        return out

    def select(self, keep, f=KVCache.select):
        drops.append(int((~keep).sum()))
        alive["rows"] = [r for r, k in zip(alive["rows"], keep.tolist()) if k]
        return f(self, keep)
    monkeypatch.setattr(model, "forward", recording)
    monkeypatch.setattr(KVCache, "select", select)
    return steps, drops


def test_decode_logits_match_the_reference_step_by_step_as_rows_leave(monkeypatch):
    """Every decode step's logits of every row still in the batch, cached with rows leaving at
    different steps, against the reference path (no cache, no row ever dropped): the tokens
    could agree while a row reads another row's cache or misses the newest key; the logits
    do not."""
    m = sharp_model()
    torch.manual_seed(0)
    pool = torch.randint(0, 97, (64, 5))
    free = m.generate(pool, 30, temperature=0)[:, 5:]
    first = lambda t: [(r == t).nonzero()[0, 0].item() for r in free if (r == t).any()]
    eos = max(free.unique().tolist(), key=lambda t: (len(set(first(t))), len(first(t))))
    ends = [(r == eos).any().item() for r in free]
    rows = [i for i, e in enumerate(ends) if e][:12] + [i for i, e in enumerate(ends) if not e][:4]
    assert len(set(first(eos))) >= 3 and sum(ends) >= 6  # rows end at 3+ different steps
    ref_steps, _ = record_step_logits(monkeypatch, m)
    ref = m.generate(pool[rows], 30, temperature=0, eos_token_id=eos, use_cache=False,
                     drop_finished=False)
    monkeypatch.undo()
    got_steps, drops = record_step_logits(monkeypatch, m)
    out = m.generate(pool[rows], 30, temperature=0, eos_token_id=eos)
    assert torch.equal(out, ref)
    assert len(drops) >= 2 and len(got_steps) == len(ref_steps)
    assert len(got_steps[-1]) < len(rows)  # the last steps ran on fewer rows
    worst = max((got[r] - ref_steps[s][r]).abs().max().item()
                for s, got in enumerate(got_steps) for r in got)
    assert worst < 1e-4, worst
    spread = torch.stack(list(ref_steps[0].values())).std(0).mean().item()
    assert spread > 0.5  # the rows' logits differ: a row reading another's cache would show


def test_static_shape_decode_gives_exactly_the_tokens_of_the_growing_cache():
    # attention over the whole preallocated cache (unfilled positions masked) changes shapes,
    # not results: greedy, seeded top-p, left padding, N samples, EOS with rows leaving
    m = tiny_model()
    torch.manual_seed(1)
    prompts = [torch.randint(0, 97, (n,)).tolist() for n in (3, 9, 5, 1, 7, 4)]
    idx, mask = left_pad(prompts, pad_id=2)
    seen = []
    for kw in (dict(temperature=0), dict(temperature=1.0, top_p=0.9),
               dict(temperature=1.3, eos_token_id=7), dict(temperature=1.0, num_samples=3,
                                                          eos_token_id=11, top_k=20)):
        run = lambda **extra: m.generate(idx, 40, attention_mask=mask,
                                         generator=torch.Generator().manual_seed(3), **kw, **extra)
        base = run()
        assert torch.equal(run(static=True), base), kw
        assert torch.equal(run(use_cache=False), base), kw
        seen.append(base)
    eos_rows = (seen[2][:, 9:] == 7).any(1)
    assert 0 < int(eos_rows.sum()) < len(prompts)  # some rows ended early, some did not


def test_checking_for_finished_rows_every_k_steps_changes_no_greedy_token():
    m = tiny_model()
    torch.manual_seed(0)
    idx = torch.randint(0, 97, (32, 4))
    free = m.generate(idx, 30, temperature=0)[:, 4:]
    eos = int(free[:, 3].mode().values)  # a token many rows emit early
    a = m.generate(idx, 30, temperature=0, eos_token_id=eos)
    for k in (4, 16):
        assert torch.equal(m.generate(idx, 30, temperature=0, eos_token_id=eos, check_every=k,
                                      static=True), a)


def test_kv_cache_is_stored_in_the_autocast_dtype():
    m = tiny_model()
    idx = torch.randint(0, 97, (2, 5))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        _, cache = sampling.prefill(m, idx, torch.ones_like(idx, dtype=torch.bool), 20, 1)
    assert cache.k.dtype == torch.bfloat16 and cache.v.dtype == torch.bfloat16
    _, cache = sampling.prefill(m, idx, torch.ones_like(idx, dtype=torch.bool), 20, 1)
    assert cache.k.dtype == torch.float32


def test_top_k_and_top_p_keep_exactly_the_right_tokens():
    probs = torch.tensor([[0.05, 0.5, 0.15, 0.3]])
    logits = probs.log()
    keep = lambda l: torch.isfinite(l)[0].nonzero()[:, 0].tolist()
    assert keep(filter_logits(logits, top_k=2)) == [1, 3]
    assert keep(filter_logits(logits, top_p=0.75)) == [1, 3]  # 0.5 < 0.75, 0.5+0.3 crosses: kept
    assert keep(filter_logits(logits, top_p=0.5)) == [1]  # 0.5 reaches 0.5 alone
    assert keep(filter_logits(logits, top_p=0.9)) == [1, 2, 3]
    assert keep(filter_logits(logits, top_k=3, top_p=0.6)) == [1, 3]
    assert keep(filter_logits(logits, top_p=1.0)) == [0, 1, 2, 3]
    # sampling under top_k=1 is greedy
    m = tiny_model()
    idx = torch.tensor([[4, 5, 6]])
    g = torch.Generator().manual_seed(0)
    assert torch.equal(m.generate(idx, 10, temperature=1.0, top_k=1, generator=g),
                       m.generate(idx, 10, temperature=0))


@pytest.mark.parametrize("top_k,top_p", [(None, None), (5, None), (None, 0.8), (None, 0.999),
                                         (7, 0.6)])
def test_sample_next_draws_only_kept_tokens_in_proportion(top_k, top_p):
    """The draw (inverse cumulative over the kept tokens, FAST_K first) against filter_logits'
    definition: every drawn token is one it keeps, and over many draws each is drawn as
    often as its probability renormalised over the kept ones. Rows: sharp ones, whose nucleus
    lies in the FAST_K most likely tokens, and a flat one whose 0.999-nucleus reaches past
    them (the full sort)."""
    g = torch.Generator().manual_seed(0)
    V, n = 200, 40000
    logits = torch.randn(3, V, generator=g) * torch.tensor([[4.0], [2.0], [0.1]])
    probs = filter_logits(logits / 0.7, top_k, top_p).softmax(-1)  # (3, V), the reference
    if top_p == 0.999:
        assert (probs[2] > 0).sum() > sampling.FAST_K  # the flat row takes the fallback
    draws = sampling.sample_next(logits.repeat(n, 1), 0.7, top_k, top_p, g).view(n, 3)
    for r in range(3):
        freq = torch.bincount(draws[:, r], minlength=V).float() / n
        assert (probs[r][draws[:, r]] > 0).all()  # never a token filter_logits drops
        assert (freq - probs[r]).abs().max() < 0.012  # sd of a frequency <= 0.0025 at n=40k


@pytest.mark.parametrize("in_place", [None, False])  # the CPU's default, and the GPU's path
def test_cache_select_keeps_exactly_the_kept_rows(in_place):
    cfg = GPTConfig(**TINY)
    cache = KVCache(cfg, 5, 12, "cpu", torch.float32)
    k, v = torch.randn(2, 5, 4, 7, 8), torch.randn(2, 5, 4, 7, 8)
    for layer in range(2):
        cache.update(layer, k[layer], v[layer])  # 7 positions filled
    keep = torch.tensor([True, False, False, True, True])
    before = cache.k.data_ptr()
    cache.select(keep, in_place)
    assert cache.k.shape == (2, 3, 4, 12, 8)
    assert (cache.k.data_ptr() == before) == (in_place is None)  # no new buffer on a CPU
    assert torch.equal(cache.k[:, :, :, :7], k[:, keep]) and torch.equal(cache.v[:, :, :, :7],
                                                                          v[:, keep])
    assert (cache.k[:, :, :, 7:] == 0).all()  # the unfilled positions stay empty (static reads)
    nk, nv = torch.randn(2, 3, 4, 1, 8), torch.randn(2, 3, 4, 1, 8)
    for layer in range(2):  # the next token lands after each kept row's own past
        got_k, _ = cache.update(layer, nk[layer], nv[layer])
        assert torch.equal(got_k, torch.cat([k[layer][keep], nk[layer]], 2))


def test_sequence_logprobs_sum_and_length_normalisation():
    m = tiny_model()
    idx = torch.randint(0, 97, (2, 8))
    targets = torch.full_like(idx, -100)
    targets[0, 4:7] = idx[0, 5:8]  # 3 target tokens
    targets[1, 2:7] = idx[1, 3:8]  # 5 target tokens
    logits, _ = m(idx)
    logp = torch.log_softmax(logits, -1)
    want0 = sum(logp[0, t, targets[0, t]] for t in range(4, 7))
    want1 = sum(logp[1, t, targets[1, t]] for t in range(2, 7))
    total, norm1, n, _ = sequence_logprobs(m, idx, targets, alpha=1.0)
    assert n.tolist() == [3, 5]
    assert torch.allclose(total, torch.stack([want0, want1]), atol=1e-5)
    assert torch.allclose(norm1, torch.stack([want0 / 3, want1 / 5]), atol=1e-5)
    norm0 = sequence_logprobs(m, idx, targets, alpha=0.0).normalised
    assert torch.allclose(norm0, total)
    assert (token_cross_entropy(logits, targets, "none")[0, :4] == 0).all()


def test_last_real_index_left_and_right_padding():
    mask = torch.tensor([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    assert last_real_index(mask).tolist() == [2, 4, 4]


def test_read_gives_the_logits_of_one_position_per_row_and_their_gradients():
    """forward(read=positions): row b's logits at positions[b] alone, (B, V), equal to the full
    forward's there, with a left-padded mask too, and the same gradients (an evaluator's step)."""
    torch.manual_seed(0)
    m = tiny_model(bias=False, vocab_size=300)
    x = torch.randint(0, 300, (3, 9))
    mask = torch.tensor([[1] * 9, [0, 0] + [1] * 7, [1] * 9])
    at = torch.tensor([8, 5, 2])
    full = m(x, attention_mask=mask)[0][torch.arange(3), at]  # (3, V)
    read, loss = m(x, attention_mask=mask, read=at)
    assert read.shape == (3, 300) and loss is None
    assert torch.allclose(read, full, atol=1e-6)
    grads = []
    for use_read in (False, True):
        m.zero_grad()
        out = m(x, read=at)[0] if use_read else m(x)[0][torch.arange(3), at]
        out[:, 7].sum().backward()
        grads.append(torch.cat([p.grad.flatten() for p in m.parameters()]))
    assert torch.allclose(grads[0], grads[1], atol=1e-6)


def test_checkpoint_round_trip_is_atomic_and_exact(tmp_path):
    m = tiny_model(bias=False, vocab_size=300)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
    m(torch.randint(0, 300, (2, 8)), torch.randint(0, 300, (2, 8)))[1].backward()
    opt.step()
    path = str(tmp_path / "ckpt.pt")
    tok = train_tokenizer(["Problem: 1 + 2\nSolution: 3"], 300)
    save_checkpoint(path, m, opt, step=3, run_config={"lr": 1e-3}, tokenizer=tok)
    assert os.listdir(tmp_path) == ["ckpt.pt"]
    m2, tok2, ckpt = load_run(path)
    assert ckpt["step"] == 3 and ckpt["run_config"] == {"lr": 1e-3}
    assert tok2.to_str() == tok.to_str() and ckpt["model_config"]["bias"] is False
    for (k, a), (_, b) in zip(m.state_dict().items(), m2.state_dict().items()):
        assert torch.equal(a, b), k
    opt2 = torch.optim.AdamW(m2.parameters(), lr=1e-3)
    opt2.load_state_dict(ckpt["optimizer"])
    assert torch.equal(opt2.state_dict()["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_checkpoint(str(tmp_path / "missing.pt"))


def test_load_run_pairs_each_checkpoint_with_its_own_tokenizer(tmp_path):
    small, big = train_tokenizer(["a b c"], 260), train_tokenizer(["Problem: 12 + 3 = 15"] * 5, 300)
    assert small.get_vocab_size() != big.get_vocab_size()
    m = tiny_model(vocab_size=300)
    for name, tok in (("a", small), ("b", big)):
        save_checkpoint(str(tmp_path / name / "ckpt.pt"), m, tokenizer=tok)
    assert load_run(str(tmp_path / "a" / "ckpt.pt"))[1].to_str() == small.to_str()
    assert load_run(str(tmp_path / "b" / "ckpt.pt"))[1].to_str() == big.to_str()
    # a checkpoint written without one reads the tokenizer.json beside it, else says what's missing
    save_checkpoint(str(tmp_path / "old" / "ckpt.pt"), m)
    with pytest.raises(FileNotFoundError, match="stores no tokenizer.*tokenizer.json"):
        load_run(str(tmp_path / "old" / "ckpt.pt"))
    big.save(str(tmp_path / "old" / "tokenizer.json"))
    assert load_run(str(tmp_path / "old" / "ckpt.pt"))[1].to_str() == big.to_str()
    # a tokenizer with more tokens than the model has embeddings is the wrong pairing
    save_checkpoint(str(tmp_path / "bad" / "ckpt.pt"), tiny_model(vocab_size=97), tokenizer=big)
    with pytest.raises(ValueError, match="300 tokens, the model only 97"):
        load_run(str(tmp_path / "bad" / "ckpt.pt"))


def test_tanh_gelu_and_tied_embeddings():
    m = tiny_model()
    assert m.lm_head.weight is m.transformer.wte.weight
    x = torch.linspace(-3, 3, 7)
    from model import gelu_tanh
    want = 0.5 * x * (1 + torch.tanh((2 / torch.pi) ** 0.5 * (x + 0.044715 * x ** 3)))
    assert torch.allclose(gelu_tanh(x), want, atol=1e-6)
    assert not torch.allclose(gelu_tanh(x), F.gelu(x), atol=1e-5)


def test_gpu_check_runs_on_cpu_and_writes_every_figure(tmp_path):
    # the smoke test of bench/gpu_check.py (the GPU run itself is one prepared command)
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "gpu_check", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                  "bench", "gpu_check.py"))
    gc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gc)
    out = tmp_path / "gc.json"
    r = gc.main(["--device", "cpu", "--tiny", "--skip", "train", "--out", str(out)])
    assert json.loads(out.read_text()) == r
    assert set(r["sample"]) >= {"growing cache, autocast", "no cache, bf16 weights",
                                "static cache, bf16 weights, look every 16", "cache_speedup"}
    assert r["sample"]["greedy_tokens_agree"] == 1.0  # float32 on the CPU: identical tokens
    assert r["pipeline"]["problems"] == 20 and r["pipeline"]["same_solutions"] == 20
    cfg = GPTConfig(block_size=32, vocab_size=64, n_layer=1, n_head=2, n_embd=16)
    fig, _ = gc.train(cfg, torch.device("cpu"), 2, 25, False, 989.0)
    assert [s for s, _ in fig["losses"]] == [0, 20, 27] and fig["losses"][-1][1] < fig["losses"][0][1]


def test_gpu_check_hf_mode_and_memory_plan(tmp_path):
    """bench/gpu_check.py --hf on a tiny Qwen2 directory (the CPU smoke test of the GPU run),
    and memory_plan's figures worked out by hand for one small config."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "gpu_check", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                  "bench", "gpu_check.py"))
    gc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gc)
    hf_family_model("qwen2-biases-gqa").save_pretrained(tmp_path / "qwen2")
    r = gc.main(["--device", "cpu", "--tiny", "--hf", str(tmp_path / "qwen2"), "--hf_batch",
                 "2", "--hf_context", "16", "--steps", "2"])["hf"]
    assert r["family"] == "qwen2" and r["max_logit_diff_fp32"] < 1e-4
    assert r["train_tokens_per_s"] > 0 and r["sample_tokens_per_s"] > 0
    cfg = GPTConfig(block_size=16, vocab_size=100, n_layer=2, n_head=4, n_embd=8, bias=False,
                    norm="rmsnorm", positions="rope", mlp="swiglu", n_kv_head=2,
                    intermediate_size=12)
    n = GPT(cfg).num_params()  # tied embeddings (100 x 8), 2 layers, the final norm
    assert n == 800 + 2 * (8 * 8 + 2 * 8 * 4 + 8 * 8 + 3 * 8 * 12 + 2 * 8) + 8
    plan = gc.memory_plan(cfg, batch=3, context=16)
    gib = 2 ** 30
    assert plan["weights"] * gib == 4 * n and plan["adamw"] * gib == 8 * n
    assert plan["activations"] * gib == 48 * 2 * (22 * 8 + 6 * 4 + 8 * 12)
    assert plan["logits"] * gib == 48 * 14 * 100
    assert plan["total"] * gib == pytest.approx(18 * n + 48 * (2 * 296 + 1400))


def test_one_cross_entropy_three_reductions():
    """token_cross_entropy's reductions agree with each other and with the hand value."""
    torch.manual_seed(0)
    logits = torch.randn(2, 5, 7)
    targets = torch.tensor([[3, -100, 1, 0, -100], [-100, 6, 6, 2, 5]])
    none = token_cross_entropy(logits, targets, "none")  # (2, 5)
    hand = torch.zeros(2, 5)
    for b in range(2):
        for t in range(5):
            if targets[b, t] != -100:
                hand[b, t] = -torch.log_softmax(logits[b, t], -1)[targets[b, t]]
    assert torch.allclose(none, hand, atol=1e-6)
    assert torch.allclose(token_cross_entropy(logits, targets, "sum"), hand.sum(), atol=1e-5)
    assert torch.allclose(token_cross_entropy(logits, targets), hand.sum() / 7, atol=1e-6)


# -----------------------------------------------------------------------------
# Llama and Qwen2 checkpoints against transformers (the oracle)

def hf_family_model(case, seed=0):
    """bench/family_parity.py's random tiny Llama / Qwen2 (transformers is the oracle)."""
    pytest.importorskip("transformers")
    from bench.family_parity import hf_family_model as make
    return make(case, seed)


@pytest.fixture(scope="module", params=list(FAMILY_CASES))
def family_dirs(request, tmp_path_factory):
    """(transformers model, its save_pretrained directory, our model loaded from it)."""
    hf = hf_family_model(request.param)
    d = tmp_path_factory.mktemp(request.param)
    hf.save_pretrained(d)
    return hf, d, GPT.from_pretrained(str(d)).eval()


def test_family_logits_and_greedy_match_transformers(family_dirs):
    from bench.family_parity import parity
    from model import family
    hf, d, ours = family_dirs
    assert family(ours.config) == hf.config.model_type
    diff, top, same_greedy = parity(hf, ours)
    assert top > 1  # the logits are far from flat: a wrong copy would show
    assert diff < 1e-4 and same_greedy


def test_family_cache_padding_and_eos_as_gpt2(family_dirs):
    """The KV cache (growing and static, holding the kv heads only), left padding and rows
    leaving at EOS behave for a rotary, grouped-query model as for GPT-2."""
    _, _, m = family_dirs
    prompts = [[5, 6, 7, 8, 9, 10], [11, 12], [13, 14, 15, 16]]
    idx, mask = left_pad(prompts, pad_id=3)
    ref = m.generate(idx, 16, temperature=0, attention_mask=mask, use_cache=False)
    for static in (False, True):
        got = m.generate(idx, 16, temperature=0, attention_mask=mask, static=static)
        assert torch.equal(got, ref)
    for i, p in enumerate(prompts):  # the padded batch == each prompt alone
        assert torch.equal(ref[i, -16:], m.generate(torch.tensor([p]), 16, temperature=0)[0, -16:])
    seen = []
    monkeypatch_update = KVCache.update
    def spy(self, layer, k, v):
        seen.append(self.k.shape)
        return monkeypatch_update(self, layer, k, v)
    KVCache.update = spy
    try:
        eos = ref[0, -10].item()  # a token row 0 emits mid-way: it ends there
        out = m.generate(idx, 16, temperature=0, attention_mask=mask, eos_token_id=eos)
    finally:
        KVCache.update = monkeypatch_update
    assert seen[0][2] == (m.config.n_kv_head or m.config.n_head)  # only the kv heads cached
    for row, r in zip(out[:, -16:], ref[:, -16:]):
        hit = (r == eos).nonzero()
        cut = hit[0, 0].item() if len(hit) else 16
        assert torch.equal(row[:cut], r[:cut]) and (row[cut:] == eos).all()


def test_family_checkpoint_round_trip_and_sequence_scores(family_dirs, tmp_path):
    from model import weights_hash
    _, _, m = family_dirs
    save_checkpoint(str(tmp_path / "ckpt.pt"), m)
    back, _ = load_checkpoint(str(tmp_path / "ckpt.pt"))
    assert back.config == m.config and weights_hash(back) == weights_hash(m)
    idx = torch.randint(0, 97, (2, 12))
    assert torch.equal(back(idx)[0], m(idx)[0])
    targets = idx.clone()
    targets[:, :4] = -100
    s = sequence_logprobs(m, idx, targets)
    logp = torch.log_softmax(m(idx)[0], -1)
    by_hand = sum(logp[0, t, idx[0, t]] for t in range(4, 12))
    assert s.total[0].item() == pytest.approx(by_hand.item(), abs=1e-4)


def test_sharded_bf16_checkpoint_loads(tmp_path):
    hf = hf_family_model("qwen2-biases-gqa").to(torch.bfloat16)
    hf.save_pretrained(tmp_path, max_shard_size="20KB")
    index = json.loads((tmp_path / "model.safetensors.index.json").read_text())
    assert len(set(index["weight_map"].values())) > 1
    ours = GPT.from_pretrained(str(tmp_path)).eval()
    assert next(ours.parameters()).dtype == torch.float32  # the master weights
    idx = torch.randint(0, 97, (2, 16))
    # the oracle: transformers reading the same files into float32 (hf.float() would keep
    # the rotary frequencies that .to(bfloat16) rounded)
    from transformers import AutoModelForCausalLM
    oracle = AutoModelForCausalLM.from_pretrained(tmp_path, dtype=torch.float32).eval()
    with torch.no_grad():
        ref = oracle(idx).logits
        assert (ours(idx)[0] - ref).abs().max().item() < 1e-4
    half = GPT.from_pretrained(str(tmp_path), dtype=torch.bfloat16)  # the stored values, as is
    assert all(p.dtype == torch.bfloat16 for p in half.parameters())
    assert torch.equal(half.transformer.wte.weight, hf.model.embed_tokens.weight)
    os.remove(tmp_path / sorted(set(index["weight_map"].values()))[-1])
    with pytest.raises(FileNotFoundError, match=r"names the shard model-0000\d-of-0000\d"):
        GPT.from_pretrained(str(tmp_path))


def test_family_refusals(tmp_path):
    hf = hf_family_model("llama-gqa-untied")
    hf.save_pretrained(tmp_path)
    cfg = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**cfg, "model_type": "mistral"}))
    with pytest.raises(ValueError, match="model_type 'mistral' is not supported; mathtune "
                                         "loads gpt2, llama, qwen2"):
        GPT.from_pretrained(str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({**cfg, "model_type": "qwen2"}))
    with pytest.raises(KeyError, match=r"q_proj\.bias.*missing"):  # a Llama read as a Qwen2
        GPT.from_pretrained(str(tmp_path))
    rope = {**cfg["rope_parameters"], "rope_type": "yarn"}
    (tmp_path / "config.json").write_text(json.dumps({**cfg, "rope_parameters": rope}))
    with pytest.raises(ValueError, match="rope_type 'yarn'"):
        GPT.from_pretrained(str(tmp_path))


def test_hub_style_rope_keys_are_read(tmp_path):
    """The hub's config files (written before transformers 5) say rope_theta and rope_scaling
    at the top level: the same model as transformers 5's rope_parameters."""
    hf = hf_family_model("llama-tied-llama3-rope")
    hf.save_pretrained(tmp_path)
    cfg = json.loads((tmp_path / "config.json").read_text())
    new = GPT.from_pretrained(str(tmp_path)).config
    rope = cfg.pop("rope_parameters")
    cfg["rope_theta"] = rope.pop("rope_theta")
    cfg["rope_scaling"] = rope
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    old = GPT.from_pretrained(str(tmp_path)).config
    assert old == new and new.rope_scaling["factor"] == 8.0 and new.rope_theta == 500000.0
