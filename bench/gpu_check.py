"""
GPU check (run by bench/gpu_check.sh): on one GPU with no network, train a GPT-2-124M-sized
model (random init, vocab 50257, context 1024) for a few hundred steps in bf16, with and
without torch.compile, and report tokens/s and model FLOPs utilisation (MFU); then time
batched KV-cache sampling (cached vs uncached).

    python bench/gpu_check.py                       # on the GPU, about 8 minutes
    python bench/gpu_check.py --device cpu --tiny   # a smoke test of the script itself

MFU counts 6 * params + 12 * n_layer * n_embd * T FLOPs per trained token (PaLM appendix B)
against the card's dense bf16 peak (H100/H200 SXM: 989 TFLOP/s).
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from model import GPT, GPTConfig  # noqa: E402

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("--device", default="cuda")
p.add_argument("--tiny", action="store_true", help="a 2-layer model, for a CPU smoke test")
p.add_argument("--steps", type=int, default=200)
p.add_argument("--batch_size", type=int, default=16)
p.add_argument("--peak_tflops", type=float, default=989.0, help="dense bf16 peak of the card")
p.add_argument("--out", default=None, help="write the figures as JSON here")
args = p.parse_args()

dev = torch.device(args.device)
cfg = GPTConfig(block_size=1024, vocab_size=50257, n_layer=12, n_head=12, n_embd=768)
if args.tiny:
    cfg = GPTConfig(block_size=128, vocab_size=512, n_layer=2, n_head=2, n_embd=64)
    args.steps, args.batch_size = min(args.steps, 5), 4
T = cfg.block_size
name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
print(f"device: {name}, torch {torch.__version__}")
if dev.type == "cuda":
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
autocast = torch.autocast(dev.type, dtype=torch.bfloat16) if dev.type == "cuda" else \
    torch.autocast("cpu", enabled=False)
results = {"device": name}


def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize()


def train(compile_model):
    torch.manual_seed(0)
    model = GPT(cfg).to(dev)
    n_params = model.num_params() - cfg.block_size * cfg.n_embd  # without position embeddings
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, fused=dev.type == "cuda")
    run = torch.compile(model) if compile_model else model
    x = torch.randint(0, cfg.vocab_size, (args.batch_size, T + 1), device=dev)
    warm = 3 if not compile_model else 10  # compilation happens in the first steps
    t0 = None
    for step in range(args.steps + warm):
        if step == warm:
            sync()
            t0 = time.perf_counter()
        with autocast:
            _, loss = run(x[:, :-1], x[:, 1:])
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    sync()
    dt = time.perf_counter() - t0
    tok_s = args.steps * args.batch_size * T / dt
    flops_per_token = 6 * n_params + 12 * cfg.n_layer * cfg.n_embd * T
    mfu = tok_s * flops_per_token / (args.peak_tflops * 1e12)
    label = "compiled" if compile_model else "eager"
    print(f"train ({label}): {tok_s:,.0f} tokens/s, MFU {mfu:.1%}, final loss {loss.item():.3f}")
    results[f"train_{label}"] = {"tokens_per_s": round(tok_s), "mfu": round(mfu, 4)}
    return model


model = train(False)
train(True)

# batched KV-cache sampling: 64 sequences x 256 new tokens after a 128-token prompt
model.eval()
B, P, new = (64, 128, 256) if not args.tiny else (4, 16, 16)
prompt = torch.randint(0, cfg.vocab_size, (B, P), device=dev)
for use_cache in (True, False):
    with torch.no_grad(), autocast:
        model.generate(prompt[:, :8], 4, temperature=1.0, use_cache=use_cache)  # warm-up
        sync()
        t0 = time.perf_counter()
        model.generate(prompt, new, temperature=1.0, use_cache=use_cache)
        sync()
    dt = time.perf_counter() - t0
    label = "cached" if use_cache else "uncached"
    print(f"sampling ({label}): {B} x {new} new tokens in {dt:.2f}s = {B * new / dt:,.0f} tokens/s")
    results[f"sample_{label}"] = {"tokens_per_s": round(B * new / dt), "seconds": round(dt, 2)}
print(f"cache speed-up: {results['sample_cached']['tokens_per_s'] / results['sample_uncached']['tokens_per_s']:.1f}x")
if args.out:
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
