"""
Benchmark model.py against Hugging Face GPT2LMHeadModel on the same weights, on the CPU.
Not a test: prints tokens/s and ratios.

    python -m bench.bench_model                      # the default scratch model of train_sft.py
    python -m bench.bench_model --n_layer 6 --n_embd 384 --vocab_size 8192

Measures
  train:   forward + backward + AdamW step, fp32, batch x block tokens per step
  sample:  16 sequences x 128 new tokens, temperature 1, KV cache (ours vs HF generate)
  cache:   ours cached vs ours uncached at 128 new tokens
  static:  ours with the static-shape cache (generate(static=True), the GPU path) vs HF
"""
import argparse
import tempfile
import time

import torch

from model import GPT

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
args = p.parse_args()

import transformers  #  (bench-only dependency, like the tests)

torch.manual_seed(0)
hf_cfg = transformers.GPT2Config(n_positions=args.block_size, n_embd=args.n_embd,
                                 n_layer=args.n_layer, n_head=args.n_head,
                                 vocab_size=args.vocab_size, resid_pdrop=0.0, embd_pdrop=0.0,
                                 attn_pdrop=0.0)
hf = transformers.GPT2LMHeadModel(hf_cfg)
with tempfile.TemporaryDirectory() as d:
    hf.save_pretrained(d)
    ours = GPT.from_pretrained(d)
print(f"torch {torch.__version__}, transformers {transformers.__version__}, "
      f"{torch.get_num_threads()} threads, {ours.num_params() / 1e6:.2f}M params")


def best_time(fn):
    fn()  # warm-up
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def train_tokens_per_s(model, is_hf):
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x = torch.randint(0, args.vocab_size, (args.batch_size, args.block_size))

    def steps():
        for _ in range(args.train_steps):
            if is_hf:
                loss = model(input_ids=x, labels=x).loss
            else:
                loss = model(x[:, :-1], x[:, 1:])[1]
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
    return args.train_steps * args.batch_size * args.block_size / best_time(steps)


def sample_tokens_per_s(fn):
    return args.samples * args.new_tokens / best_time(fn)


prompt = torch.randint(0, args.vocab_size, (args.samples, args.prompt_len))
ours.eval()
hf.eval()
with torch.no_grad():
    s_ours = sample_tokens_per_s(lambda: ours.generate(prompt, args.new_tokens, temperature=1.0))
    s_hf = sample_tokens_per_s(lambda: hf.generate(
        prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=args.new_tokens,
        min_new_tokens=args.new_tokens, do_sample=True, top_k=0, temperature=1.0,
        pad_token_id=0))
    s_static = sample_tokens_per_s(lambda: ours.generate(prompt, args.new_tokens, temperature=1.0,
                                                         static=True))
    s_nocache = sample_tokens_per_s(
        lambda: ours.generate(prompt, args.new_tokens, temperature=1.0, use_cache=False))
t_ours = train_tokens_per_s(ours, False)
t_hf = train_tokens_per_s(hf, True)

print(f"{'':28s}{'ours':>12s}{'HF':>12s}{'ratio':>8s}")
print(f"{'train tokens/s':28s}{t_ours:12.0f}{t_hf:12.0f}{t_ours / t_hf:8.2f}")
print(f"{'sample tokens/s (cache)':28s}{s_ours:12.0f}{s_hf:12.0f}{s_ours / s_hf:8.2f}")
print(f"{'sample tokens/s (static)':28s}{s_static:12.0f}{s_hf:12.0f}{s_static / s_hf:8.2f}")
print(f"{'ours cached / uncached':28s}{s_ours:12.0f}{s_nocache:12.0f}{s_ours / s_nocache:8.2f}")
