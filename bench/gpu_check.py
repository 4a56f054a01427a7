"""
GPU check (run by bench/gpu_check.sh): one run on one GPU with no network that measures every
target of the GPU path and writes them as JSON, with the card's name.

  train     GPT-2-124M shape (random init, vocab 50257, context 1024), bf16 autocast, eager and
            torch.compile'd, at each --batch_sizes: tokens/s, MFU, and the loss every 20 steps
            on the same fixed batch (both trajectories printed side by side).
  sample    GPT-2-124M, 64 left-padded prompts of 32-128 tokens, 256 new tokens, the way the
            pipeline samples: the first call and a repeated one for each decode variant
            (growing cache + autocast, static-shape cache + bf16 weights + a look at finished
            rows every 16 steps) and the uncached reference; identical greedy tokens checked.
  pipeline  a briefly trained default model (train_sft.py) solving its 500 test problems
            greedily through common.generate_solutions, float32 vs bf16 autocast.
  --hf DIR  instead of all that, a Hugging Face checkpoint (gpt2, llama or qwen2; e.g.
            Qwen2.5-0.5B downloaded beforehand): load time, logits against transformers in
            float32, full fine-tuning steps as train_sft.py takes them (float32 weights, AdamW,
            bf16 autocast) at --hf_batch x --hf_context with the peak memory beside
            memory_plan's computed figure, and sampling 64 x 256 tokens with the KV cache.

    python -m bench.gpu_check --out gpu_check.json        # on the GPU, about 6 minutes
    python -m bench.gpu_check --hf /models/Qwen2.5-0.5B --out gpu_check_hf.json
    python -m bench.gpu_check --device cpu --tiny         # a smoke test of the script itself
    python -m bench.gpu_check --plan                      # the memory table of docs/gpu.md

MFU counts 6 * params + 12 * n_layer * n_embd * T FLOPs per trained token (PaLM appendix B)
against the card's dense bf16 peak (H100/H200 SXM: 989 TFLOP/s).
"""
import argparse
import json
import os
import tempfile
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from data import left_pad
from model import GPT, GPTConfig


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--tiny", action="store_true", help="a 2-layer model, for a CPU smoke test")
    p.add_argument("--steps", type=int, default=100, help="timed training steps per run")
    p.add_argument("--batch_sizes", type=int, nargs="+", default=[16, 32])
    p.add_argument("--peak_tflops", type=float, default=989.0, help="dense bf16 peak of the card")
    p.add_argument("--skip", nargs="*", default=[], choices=["train", "sample", "pipeline"])
    p.add_argument("--out", default=None, help="write the figures as JSON here")
    p.add_argument("--hf", default=None, help="check this Hugging Face directory instead")
    p.add_argument("--hf_batch", type=int, default=8, help="--hf: sequences per training step")
    p.add_argument("--hf_context", type=int, default=1024, help="--hf: tokens per sequence")
    p.add_argument("--plan", action="store_true", help="print docs/gpu.md's memory table")
    return p.parse_args(argv)


# -----------------------------------------------------------------------------
# what full fine-tuning needs, computed (not measured): docs/gpu.md's table

# the published config.json of each model, the fields the memory depends on
PUBLISHED = {
    "Qwen2.5-0.5B": dict(n_layer=24, n_embd=896, n_head=14, n_kv_head=2, intermediate_size=4864,
                         vocab_size=151936, tied=True, qkv_bias=True),
    "SmolLM2-360M": dict(n_layer=32, n_embd=960, n_head=15, n_kv_head=5, intermediate_size=2560,
                         vocab_size=49152, tied=True),
    "Llama 3.2 1B": dict(n_layer=16, n_embd=2048, n_head=32, n_kv_head=8, intermediate_size=8192,
                         vocab_size=128256, tied=True),
}


def memory_plan(cfg, batch, context):
    """GiB of one full fine-tuning step as train_sft.py takes it on a GPU, computed: float32
    weights (4 bytes a parameter), float32 gradients (4), AdamW's two moments (8), autocast's
    bf16 copies of the weights (2); activations kept for the backward, per token and layer
    about 22 C + 6 kv + 8 I bytes (bf16 matmul outputs, float32 residual stream; C the width,
    kv the k/v width, I the MLP's), and at the loss 14 V bytes a token (bf16 logits, their
    float32 copy, log-softmax and its gradient: token_cross_entropy works in float32)."""
    with torch.device("meta"):
        n = GPT(cfg).num_params()
    C, I = cfg.n_embd, cfg.intermediate_size or 4 * cfg.n_embd
    kv = (cfg.n_kv_head or cfg.n_head) * C // cfg.n_head
    tokens, gib = batch * context, 2 ** 30
    out = {"params_M": n / 1e6, "weights": 4 * n / gib, "gradients": 4 * n / gib,
           "adamw": 8 * n / gib, "bf16_copies": 2 * n / gib,
           "activations": tokens * cfg.n_layer * (22 * C + 6 * kv + 8 * I) / gib,
           "logits": tokens * 14 * cfg.vocab_size / gib}
    out["total"] = sum(v for k, v in out.items() if k != "params_M")
    return out


def plan_table(batch=8, context=1024):
    """docs/gpu.md's memory table: each PUBLISHED model at batch x context."""
    lines = [f"| model | parameters | weights + grads + AdamW + bf16 copies | activations | "
             f"logits and loss | total (batch {batch} x {context}) |", "|---|---|---|---|---|---|"]
    for name, fields in PUBLISHED.items():
        cfg = GPTConfig(block_size=context, bias=False, norm="rmsnorm", positions="rope",
                        mlp="swiglu", **fields)
        m = memory_plan(cfg, batch, context)
        states = m["weights"] + m["gradients"] + m["adamw"] + m["bf16_copies"]
        lines.append(f"| {name} | {m['params_M']:.0f}M | {states:.1f} GiB | "
                     f"{m['activations']:.1f} GiB | {m['logits']:.1f} GiB | "
                     f"{m['total']:.1f} GiB |")
    return "\n".join(lines)


def check_hf(path, dev, args, results):
    """A Hugging Face checkpoint as the recipe uses it: load, parity, training, sampling."""
    from model import family
    t0 = time.perf_counter()
    model = GPT.from_pretrained(path).to(dev)
    cfg, B, T = model.config, args.hf_batch, args.hf_context
    r = {"path": path, "family": family(cfg), "params_M": round(model.num_params() / 1e6, 1),
         "load_s": round(time.perf_counter() - t0, 1)}
    g = torch.Generator().manual_seed(0)
    idx = torch.randint(0, cfg.vocab_size, (2, 64), generator=g).to(dev)
    try:  # the oracle, when installed: float32 both, no TF32
        from transformers import AutoModelForCausalLM
        tf32 = torch.backends.cuda.matmul.allow_tf32
        torch.backends.cuda.matmul.allow_tf32 = False
        hf = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).to(dev).eval()
        with torch.no_grad():
            r["max_logit_diff_fp32"] = (hf(idx).logits - model(idx)[0]).abs().max().item()
        del hf
        torch.backends.cuda.matmul.allow_tf32 = tf32
    except ImportError:
        r["max_logit_diff_fp32"] = None
    plan = memory_plan(cfg, B, T)
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=dev.type == "cuda")
    x = torch.randint(0, cfg.vocab_size, (B, T + 1), generator=g).to(dev)
    model.train()
    dt, _ = timed_steps(model, opt, x, dev, args.steps, warm=2)
    r["train_tokens_per_s"] = round(args.steps * B * T / dt)
    r["train_batch"], r["planned_gib"] = [B, T], round(plan["total"], 1)
    if dev.type == "cuda":
        r["peak_gib"] = round(torch.cuda.max_memory_allocated(dev) / 2 ** 30, 1)
    del opt
    model.eval()
    n, new = (4, 8) if args.tiny else (64, 256)
    prompts = torch.randint(0, cfg.vocab_size, (n, 32), generator=g).to(dev)
    with torch.no_grad(), autocast(dev):
        _, dt = timed(lambda: model.generate(prompts, new, temperature=1.0, top_p=0.95,
                                             static=dev.type == "cuda"), dev)
    r["sample_tokens_per_s"] = round(n * new / dt)
    results["hf"] = r
    print(f"hf {path} ({r['family']}, {r['params_M']}M): load {r['load_s']} s, max logit diff "
          f"{r['max_logit_diff_fp32']}, train {r['train_tokens_per_s']:,} tokens/s at {B} x {T} "
          f"(peak {r.get('peak_gib')} GiB, computed {r['planned_gib']} GiB), sampling "
          f"{r['sample_tokens_per_s']:,} tokens/s ({n} x {new})")


def sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize()


def autocast(dev):
    return torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == "cuda")


def timed_steps(run, opt, x, dev, steps, warm):
    """AdamW steps of `run` on the fixed batch x under bf16 autocast, the first `warm` untimed
    (compilation, allocation). Returns (seconds of the timed steps, [(step, loss)] every 20
    steps and at the last)."""
    losses, t0 = [], None
    for step in range(steps + warm):
        if step == warm:
            sync(dev)
            t0 = time.perf_counter()
        with autocast(dev):
            _, loss = run(x[:, :-1], x[:, 1:])
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if step % 20 == 0 or step == steps + warm - 1:
            losses.append((step, round(loss.item(), 4)))  # a sync, outside the timed average
    sync(dev)
    return time.perf_counter() - t0, losses


def train(cfg, dev, batch_size, steps, compile_model, peak):
    """tokens/s, MFU and the loss trajectory of one run on a fixed random batch."""
    torch.manual_seed(0)
    model = GPT(cfg).to(dev)
    n_params = model.num_params() - cfg.block_size * cfg.n_embd  # without position embeddings
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, fused=dev.type == "cuda")
    run = torch.compile(model) if compile_model else model
    x = torch.randint(0, cfg.vocab_size, (batch_size, cfg.block_size + 1), device=dev)
    warm = 10 if compile_model else 3  # compilation happens in the first steps
    dt, losses = timed_steps(run, opt, x, dev, steps, warm)
    tok_s = steps * batch_size * cfg.block_size / dt
    mfu = tok_s * (6 * n_params + 12 * cfg.n_layer * cfg.n_embd * cfg.block_size) / (peak * 1e12)
    return {"tokens_per_s": round(tok_s), "mfu": round(mfu, 4), "losses": losses}, model


def check_train(cfg, dev, args, results):
    best, model = None, None
    for bs in args.batch_sizes:
        for compiled in (False, True):
            label = f"{'compiled' if compiled else 'eager'}_b{bs}"
            try:
                r, m = train(cfg, dev, bs, args.steps, compiled, args.peak_tflops)
            except torch.OutOfMemoryError:
                print(f"train {label}: out of memory")
                continue
            results["train"][label] = r
            print(f"train {label}: {r['tokens_per_s']:,} tokens/s, MFU {r['mfu']:.1%}")
            model = m if model is None else model
            if compiled and (best is None or r["mfu"] > results["train"][best]["mfu"]):
                best = label
    results["train"]["best_compiled"] = best
    torch._dynamo.reset()  # compiled graphs must not linger into the eager sampling timings
    print("loss every 20 steps, same weights and batch (eager vs compiled):")
    for bs in args.batch_sizes:
        e, c = (results["train"].get(f"{k}_b{bs}") for k in ("eager", "compiled"))
        if e and c:
            print(f"  batch {bs}: " + "  ".join(f"{s}:{a:.3f}/{b:.3f}" for (s, a), (_, b)
                                               in zip(e["losses"], c["losses"])))
    return model


def timed(fn, dev):
    sync(dev)
    t0 = time.perf_counter()
    out = fn()
    sync(dev)
    return out, time.perf_counter() - t0


def check_sample(model, cfg, dev, tiny, results):
    """The pipeline's way of sampling on the big model: varied prompt lengths, left padding."""
    B, new = (8, 16) if tiny else (64, 256)
    lo, hi = (4, 16) if tiny else (32, 128)
    g = torch.Generator().manual_seed(0)
    lens = torch.randint(lo, hi + 1, (B,), generator=g).tolist()
    idx, mask = left_pad([torch.randint(0, cfg.vocab_size, (n,), generator=g).tolist()
                          for n in lens], 0)
    idx, mask = idx.to(dev), mask.to(dev)
    model.eval()
    bf16 = GPT(cfg).to(dev)
    bf16.load_state_dict(model.state_dict())
    if dev.type == "cuda":
        bf16 = bf16.to(torch.bfloat16)  # weights in bf16: no per-step casts
    variants = {  # name: (model, autocast?, generate kwargs)
        "growing cache, autocast": (model, True, {}),
        "static cache, bf16 weights, look every 16": (bf16, False, dict(static=True, check_every=16)),
        "no cache, bf16 weights": (bf16, False, dict(use_cache=False)),
    }
    greedy = {}
    for name, (m, ac, kw) in variants.items():
        times = []
        for _ in range(2):  # the first call (new shapes) and a repeated one
            with torch.no_grad(), torch.autocast(dev.type, dtype=torch.bfloat16,
                                                 enabled=ac and dev.type == "cuda"):
                _, dt = timed(lambda: m.generate(idx, new, temperature=1.0, top_p=0.95,
                                                 attention_mask=mask, **kw), dev)
            times.append(dt)
        with torch.no_grad():
            greedy[name] = m.generate(idx, min(new, 32), temperature=0, attention_mask=mask, **kw)
        r = {"first_s": round(times[0], 3), "repeat_s": round(times[1], 3),
             "tokens_per_s_first": round(B * new / times[0]),
             "tokens_per_s_repeat": round(B * new / times[1])}
        results["sample"][name] = r
        print(f"sample [{name}]: first {r['tokens_per_s_first']:,} tokens/s, "
              f"repeat {r['tokens_per_s_repeat']:,} tokens/s ({B} x {new})")
    fast, ref = (results["sample"][k]["tokens_per_s_repeat"] for k in
                 ("static cache, bf16 weights, look every 16", "no cache, bf16 weights"))
    results["sample"]["cache_speedup"] = round(fast / ref, 2)
    a, b = greedy["static cache, bf16 weights, look every 16"], greedy["no cache, bf16 weights"]
    results["sample"]["greedy_tokens_agree"] = round((a == b).float().mean().item(), 4)
    print(f"cache speed-up {fast / ref:.1f}x; greedy tokens of static vs uncached (bf16) agree "
          f"on {results['sample']['greedy_tokens_agree']:.1%}")


def check_pipeline(dev, tiny, results):
    """train_sft.py briefly, then its own greedy solving of the test split, timed."""
    from common import Sampling, generate_solutions
    from data import load_run_splits
    from model import load_run
    from train_sft import main as train_sft
    with tempfile.TemporaryDirectory() as d:
        flags = ["--max_steps", "20" if tiny else "300", "--eval_interval", "100000",
                 "--n_test", "20" if tiny else "500", "--device", dev.type, "--no_progress",
                 "--out_dir", d]
        if tiny:
            flags += ["--init_from", "scratch", "--n_layer", "1", "--n_embd", "32", "--n_head",
                      "2", "--n_train", "300", "--n_val", "10", "--n_fresh", "20",
                      "--max_new_tokens", "16"]
        _, t_train = timed(lambda: train_sft(flags), dev)
        model, tok, ckpt = load_run(os.path.join(d, "ckpt.pt"), dev)
        rows = load_run_splits(ckpt["run_config"], report=lambda *a: None)["test"]
        problems, n_new = [r["problem"] for r in rows], ckpt["run_config"]["max_new_tokens"]
        r = {"train_sft_s": round(t_train, 1), "problems": len(rows)}
        sols = {}
        for name, ac in (("float32", False), ("bf16 autocast", True)):
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=ac and dev.type == "cuda"):
                sols[name], dt = timed(lambda: generate_solutions(
                    model, tok, problems, Sampling(max_new_tokens=n_new, batch_size=256,
                                                   device=str(dev))), dev)
            r[f"greedy_{name}_s"] = round(dt, 2)
        r["same_solutions"] = sum(a == b for a, b in zip(*sols.values()))
        results["pipeline"] = r
        print(f"pipeline: train_sft {r['train_sft_s']} s; greedy on {len(rows)} test problems: "
              f"float32 {r['greedy_float32_s']} s, bf16 autocast {r['greedy_bf16 autocast_s']} s "
              f"({r['same_solutions']} identical solutions)")


def main(argv=None):
    args = get_args(argv)
    if args.plan:
        print(plan_table())
        return None
    dev = torch.device(args.device)
    cfg = GPTConfig(block_size=1024, vocab_size=50257, n_layer=12, n_head=12, n_embd=768)
    if args.tiny:
        cfg = GPTConfig(block_size=128, vocab_size=512, n_layer=2, n_head=2, n_embd=64)
        args.steps, args.batch_sizes = min(args.steps, 5), [4]
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
    print(f"device: {name}, torch {torch.__version__}")
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    results = {"device": name, "torch": torch.__version__, "train": {}, "sample": {}}
    t0 = time.time()
    if args.hf:
        args.skip = ["train", "sample", "pipeline"]
        check_hf(args.hf, dev, args, results)
    model = check_train(cfg, dev, args, results) if "train" not in args.skip else None
    if "sample" not in args.skip:
        if model is None:
            torch.manual_seed(0)
            model = GPT(cfg).to(dev)
        check_sample(model, cfg, dev, args.tiny, results)
    if "pipeline" not in args.skip:
        check_pipeline(dev, args.tiny, results)
    results["seconds"] = round(time.time() - t0, 1)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=2)
    return results


if __name__ == "__main__":
    main()
