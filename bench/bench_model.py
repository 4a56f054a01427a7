"""
Benchmark model.py against Hugging Face GPT2LMHeadModel on the same weights, on the CPU.
Not a test: prints tokens/s and ratios, and keeps them in --out (one entry per shape, the
machine and versions with it).

    python -m bench.bench_model                      # the default model's shape, 128 new tokens
    python -m bench.bench_model --new_tokens 64      # the small-batch goal: 16 x 32 + 64
    python -m bench.bench_model --render             # docs/model.md's table from the JSON
    python -m bench.bench_model --n_layer 6 --n_embd 384 --vocab_size 8192 --out /tmp/b.json

Measures
  train:   forward + backward + AdamW step, fp32, batch x block tokens per step
  sample:  16 sequences x 128 new tokens, temperature 1, KV cache (ours vs HF generate)
  cache:   ours cached vs ours uncached at 128 new tokens
  static:  ours with the static-shape cache (generate(static=True), the GPU path) vs HF
"""
import argparse
import platform
import tempfile
import time

import torch

from records import read_json, write_json
from model import GPT

def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n_layer", type=int, default=4)
    p.add_argument("--n_head", type=int, default=4)
    p.add_argument("--n_embd", type=int, default=128)
    p.add_argument("--vocab_size", type=int, default=1024)
    p.add_argument("--block_size", type=int, default=256)
    p.add_argument("--batch_size", type=int, default=16)
    p.add_argument("--train_steps", type=int, default=20)
    p.add_argument("--prompt_len", type=int, default=32)
    p.add_argument("--new_tokens", type=int, default=128)
    p.add_argument("--samples", type=int, default=16)
    p.add_argument("--repeats", type=int, default=3, help="best of this many timings")
    p.add_argument("--out", default="bench/bench_model.json")
    p.add_argument("--render", action="store_true", help="print the table of --out, run nothing")
    return p.parse_args(argv)


def best_time(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def models(args):
    """A random HF GPT2LMHeadModel and ours loaded from its saved weights (the same model)."""
    import transformers  # bench-only dependency, like the tests' oracle
    torch.manual_seed(0)
    cfg = transformers.GPT2Config(n_positions=args.block_size, n_embd=args.n_embd,
                                  n_layer=args.n_layer, n_head=args.n_head,
                                  vocab_size=args.vocab_size, resid_pdrop=0.0, embd_pdrop=0.0,
                                  attn_pdrop=0.0)
    hf = transformers.GPT2LMHeadModel(cfg)
    with tempfile.TemporaryDirectory() as d:
        hf.save_pretrained(d)
        ours = GPT.from_pretrained(d)
    return ours, hf, transformers.__version__


def train_tokens_per_s(model, is_hf, args):
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x = torch.randint(0, args.vocab_size, (args.batch_size, args.block_size))

    def steps():
        for _ in range(args.train_steps):
            loss = model(input_ids=x, labels=x).loss if is_hf else model(x[:, :-1], x[:, 1:])[1]
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
    return args.train_steps * args.batch_size * args.block_size / best_time(steps, args.repeats)


@torch.no_grad()
def sampling_tokens_per_s(ours, hf, args):
    """Sampled tokens/s: ours (growing cache, static cache, no cache) and HF generate."""
    ours.eval()
    hf.eval()
    prompt = torch.randint(0, args.vocab_size, (args.samples, args.prompt_len))
    rate = lambda fn: args.samples * args.new_tokens / best_time(fn, args.repeats)
    gen = lambda **k: rate(lambda: ours.generate(prompt, args.new_tokens, temperature=1.0, **k))
    return {"ours": gen(), "hf": rate(lambda: hf.generate(
                prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=args.new_tokens,
                min_new_tokens=args.new_tokens, do_sample=True, top_k=0, temperature=1.0,
                pad_token_id=0)),
            "static": gen(static=True), "no_cache": gen(use_cache=False)}


def render(saved):
    """docs/model.md's table: one row per measured shape."""
    lines = ["| shape | training tokens/s, ours / HF | sampling tokens/s, ours / HF | "
             "static cache / HF | cache / no cache |", "|---|---|---|---|---|"]
    for shape, r in saved["shapes"].items():
        s = r["sample"]
        lines.append(f"| {shape} | {r['train_ours']:,.0f} / {r['train_hf']:,.0f} "
                     f"({r['train_ours'] / r['train_hf']:.2f}x) | {s['ours']:,.0f} / "
                     f"{s['hf']:,.0f} ({s['ours'] / s['hf']:.2f}x) | "
                     f"{s['static'] / s['hf']:.2f}x | {s['ours'] / s['no_cache']:.1f}x |")
    m = saved["machine"]
    lines.append(f"\n{m['cpu']}, {m['threads']} threads, torch {m['torch']}, transformers "
                 f"{m['transformers']}; best of {m['repeats']} timings; `python -m "
                 "bench.bench_model` (and `--new_tokens 64`).")
    return "\n".join(lines)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            return next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown CPU"


def main(argv=None):
    args = get_args(argv)
    saved = read_json(args.out, {"shapes": {}})
    if not args.render:
        ours, hf, hf_version = models(args)
        print(f"torch {torch.__version__}, transformers {hf_version}, "
              f"{torch.get_num_threads()} threads, {ours.num_params() / 1e6:.2f}M params")
        shape = (f"{args.n_layer}x{args.n_embd}, sampling {args.samples} x {args.prompt_len} "
                 f"+ {args.new_tokens} new, training {args.batch_size} x {args.block_size}")
        saved["shapes"][shape] = {"sample": sampling_tokens_per_s(ours, hf, args),
                                  "train_ours": train_tokens_per_s(ours, False, args),
                                  "train_hf": train_tokens_per_s(hf, True, args)}
        saved["machine"] = {"cpu": cpu_name(),
                            "threads": torch.get_num_threads(), "torch": torch.__version__,
                            "transformers": hf_version, "repeats": args.repeats}
        write_json(args.out, saved)
    print(render(saved))
    return saved


if __name__ == "__main__":
    main()
