"""
The recipe's own hot paths on a trained checkpoint, each with and without its speed-up.
Not a test: prints times and ratios (run it with nothing else on the CPU).

    python train_sft.py && python -m bench.bench_recipe              # out/sft/ckpt.pt
    python -m bench.bench_recipe --ckpt out/repro/seed1/sft/ckpt.pt
    # one two-thread process vs two one-thread processes side by side (reproduce.sh --jobs):
    OMP_NUM_THREADS=2 python -m bench.bench_recipe --only sft
    for i in 1 2; do OMP_NUM_THREADS=1 python -m bench.bench_recipe --only sft & done; wait

Measures
  sample:  --n_samples solutions for each of --n_problems test prompts (temperature 0.9,
           top-p 0.95, the verifier's and re-ranker's setting), finished rows dropped from the
           batch (the default) vs kept until the longest row is done; and sampling.py's draw
           and in-place row drops vs the plain ones (a full sort + multinomial, a new cache)
  sft:     optimizer steps on random batches of the training set, each batch in one piece vs
           cut into --length_split length-sorted pieces (train_sft.py's default)
  evaluator: the margin evaluator's optimizer steps (32 pairs of train_verifier.py's training
           candidates, --candidates), each batch in one piece vs cut into --length_split
           pieces (train_verifier.py --length_split)
"""
import argparse
import random
import sys
import time

import torch

from candidates import read_candidates
from data import (collate, encode_generator_examples, eos_id, label_token_ids, load_run_splits,
                  n_targets, split_by_length)
from evaluator import evaluator_batches, evaluator_loss
from model import load_run
import sampling
from sampling import filter_logits
from common import configure_optimizer, generate_solutions, run_sampling
from train_sft import accumulate_gradients
from train_verifier import get_args as train_verifier_args

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--ckpt", default="out/sft/ckpt.pt")
p.add_argument("--n_problems", type=int, default=128)
p.add_argument("--n_samples", type=int, default=8)
p.add_argument("--sft_steps", type=int, default=40)
p.add_argument("--length_split", type=int, default=3)
p.add_argument("--evaluator_steps", type=int, default=20)
p.add_argument("--candidates", default="out/verifier/candidates.jsonl",
               help="train_verifier.py's candidates of --ckpt (the evaluator measure)")
p.add_argument("--only", choices=["sample", "sft", "evaluator"], default=None)
args = p.parse_args()

model, tok, ck = load_run(args.ckpt)
rc = ck["run_config"]
splits = load_run_splits(rc, report=lambda *a, **k: None)
test = splits["test"][:args.n_problems]
print(f"{args.ckpt}: {model.num_params() / 1e6:.2f}M params, torch {torch.__version__}, "
      f"{torch.get_num_threads()} threads")


def plain_draw(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    """The draw by definition (sampling.sample_next's reference): sort the whole vocabulary
    for the nucleus (filter_logits), then a multinomial over it."""
    if temperature == 0:
        return logits.argmax(-1)
    probs = filter_logits(logits.float() / temperature, top_k, top_p).softmax(-1)
    return torch.multinomial(probs, 1, generator=generator)[:, 0]


def sample(drop, engine="this"):
    """Solutions / s; engine "plain": plain_draw, and finished rows leaving by indexing (a new
    cache at each drop, KVCache.select(in_place=False)), instead of sampling's."""
    orig, draw, select = model.generate, sampling.sample_next, sampling.KVCache.select
    model.generate = lambda *a, **k: orig(*a, **k, drop_finished=drop)
    if engine == "plain":
        sampling.sample_next = plain_draw
        sampling.KVCache.select = lambda cache, keep: select(cache, keep, in_place=False)
    try:
        t0 = time.perf_counter()
        generate_solutions(model, tok, [r["problem"] for r in test],
                           run_sampling(rc, "cpu", n=args.n_samples, temperature=0.9,
                                        top_p=0.95, batch_size=256, seed=0))
        return args.n_problems * args.n_samples / (time.perf_counter() - t0)
    finally:
        model.generate, sampling.sample_next, sampling.KVCache.select = orig, draw, select


if args.only in (None, "sample"):
    rates = {drop: sample(drop) for drop in (False, True)}
    print(f"sample: {rates[False]:.0f} -> {rates[True]:.0f} solutions/s with finished rows "
          f"dropped ({rates[True] / rates[False]:.2f}x)")
    plain = sample(True, "plain")
    print(f"sample: {plain:.0f} -> {rates[True]:.0f} solutions/s with sampling.py's draw and "
          f"in-place row drops instead of a full sort + multinomial and a new cache at each "
          f"drop ({rates[True] / plain:.2f}x)")
if args.only == "sample":
    sys.exit(0)

train = splits["train"]
ex = encode_generator_examples(tok, train, model.config.block_size, skip_long=True,
                              report=lambda *a, **k: None)
rng = random.Random(0)
batches = [rng.sample(ex, rc.get("batch_size", 32)) for _ in range(args.sft_steps)]
pad = eos_id(tok)


def sft_step_time(parts):
    opt = configure_optimizer(model, 1e-4, 0.1, 0.99)
    model.train()
    t0, real, padded = time.perf_counter(), 0, 0
    for b in batches:
        pieces = [collate(piece, pad) for piece in split_by_length(b, parts)]
        n = n_targets(b)
        accumulate_gradients(model, pieces, n)
        opt.step()
        opt.zero_grad(set_to_none=True)
        real += sum(int(x["attention_mask"].sum()) for x in pieces)
        padded += sum(x["x"].numel() for x in pieces)
    return (time.perf_counter() - t0) / len(batches), real / padded


if args.only in (None, "sft"):
    one, split = sft_step_time(1), sft_step_time(args.length_split)
    print(f"sft step: {one[0]:.3f} s ({one[1]:.0%} real tokens) -> {split[0]:.3f} s "
          f"({split[1]:.0%} real) with --length_split {args.length_split} "
          f"({one[0] / split[0]:.2f}x)")
if args.only == "sft":
    sys.exit(0)

cands = [c for c in read_candidates(args.candidates) if c["split"] == "train"]
vargs = train_verifier_args(["--device", "cpu"])
ev_ex, next_batch = evaluator_batches(tok, cands, vargs, model.config.block_size,
                                      log=lambda *a: None)
ev_batches = [next_batch() for _ in range(args.evaluator_steps)]


def evaluator_step_time(parts):
    vargs.length_split = parts
    opt = configure_optimizer(model, 1e-4, 0.1, 0.99)
    model.train()
    ids = label_token_ids(tok)
    t0 = time.perf_counter()
    for idx in ev_batches:
        evaluator_loss(model, [ev_ex[i] for i in idx], [cands[i]["label"] for i in idx], vargs,
                       ids, pad).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    return (time.perf_counter() - t0) / len(ev_batches)


one, split = evaluator_step_time(1), evaluator_step_time(args.length_split)
print(f"evaluator step (margin, 32 pairs): {one:.3f} s -> {split:.3f} s with --length_split "
      f"{args.length_split} ({one / split:.2f}x)")
