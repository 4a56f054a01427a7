"""
From records to tensors. An example is carried as (ids, loss_mask) from rendering to the loss:
the mask is 1 exactly on the solution tokens and the final EOS, so the prompt is never trained
and the model learns to stop. Padding is decided by position, never by token id (pad = EOS
here, and masking "every EOS" would also mask the one EOS that must be trained).
"""
import random

import torch

from .prompts import generator_prompt, generator_target
from .tokenizer import encode, eos_id


def encode_example(tok, prompt, target, block_size, name="", truncate=False):
    """ids = prompt tokens + target tokens + EOS; mask = 0 on the prompt, 1 on target + EOS.
    Prompt and target are encoded apart and concatenated, exactly as at sampling time (the
    prompt alone is encoded, then the model continues it). Too long -> ValueError, or with
    truncate the target's end is cut (to score a sample that filled the context)."""
    p, t = encode(tok, prompt), encode(tok, target) + [eos_id(tok)]
    if truncate and len(p) < block_size + 1:
        t = t[:block_size + 1 - len(p)]
    if len(p) + len(t) > block_size + 1:  # +1: inputs are ids[:-1]
        raise ValueError(f"example {name or prompt[:40]!r} has {len(p) + len(t)} tokens, longer "
                         f"than the context (block_size {block_size}); raise --block_size or "
                         "pass --skip_long to drop (and count) such examples")
    return p + t, [0] * len(p) + [1] * len(t)


def boundary_merges(tok, prompt, target):
    """True when BPE would tokenise prompt+target differently from prompt and target apart
    (a merge across the boundary, the TRL warning). Counted and reported, not an error."""
    p = encode(tok, prompt)
    joint = encode(tok, prompt + target)
    return joint[:len(p)] != p


def encode_generator_examples(tok, rows, block_size, skip_long=False, report=print):
    """Records -> list of (ids, mask) for SSFT. Too-long examples are an error, or with
    skip_long dropped and counted."""
    out, too_long, merged = [], 0, 0
    for r in rows:
        prompt, target = generator_prompt(r["problem"]), generator_target(r["solution"])
        merged += boundary_merges(tok, prompt, target)
        try:
            out.append(encode_example(tok, prompt, target, block_size, r.get("id", "")))
        except ValueError:
            if not skip_long:
                raise
            too_long += 1
    if too_long:
        report(f"skipped {too_long} of {len(rows)} examples longer than block_size {block_size}")
    if merged:
        report(f"warning: {merged} of {len(rows)} examples tokenise differently across the "
               "prompt/solution boundary; trained as prompt + solution encoded apart")
    if not out:
        raise ValueError("no usable examples (all longer than the context?)")
    return out


def collate(examples, pad_id, multiple_of=8):
    """list of (ids, mask) -> dict of (B, T) tensors, right-padded to a multiple of 8:
        x: input ids (ids[:-1]); y: next-token targets, -100 off the mask and on padding;
        attention_mask: 1 on real tokens (padding is at the end, so training needs no mask)."""
    T = max(len(ids) - 1 for ids, _ in examples)
    T = -(-T // multiple_of) * multiple_of
    B = len(examples)
    x = torch.full((B, T), pad_id, dtype=torch.long)
    y = torch.full((B, T), -100, dtype=torch.long)
    am = torch.zeros((B, T), dtype=torch.long)
    for i, (ids, mask) in enumerate(examples):
        n = len(ids) - 1
        x[i, :n] = torch.tensor(ids[:-1])
        tgt = torch.tensor(ids[1:])
        y[i, :n] = torch.where(torch.tensor(mask[1:], dtype=torch.bool), tgt, -100)
        am[i, :n] = 1
    return {"x": x, "y": y, "attention_mask": am}


def bucket_batches(lengths, batch_size=16, max_tokens=None, seed=0, bucket=4):
    """Index batches of similar length: shuffle, cut into buckets of `bucket` batches,
    sort each bucket by length, cut into batches (fixed size, or up to max_tokens padded tokens
    each), shuffle the batch order. Every index appears exactly once. Deterministic in seed."""
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    span = batch_size * bucket
    for s in range(0, len(order), span):
        group = sorted(order[s:s + span], key=lambda i: lengths[i])
        if max_tokens is None:
            batches += [group[j:j + batch_size] for j in range(0, len(group), batch_size)]
            continue
        cur, longest = [], 0
        for i in group:
            if cur and max(longest, lengths[i]) * (len(cur) + 1) > max_tokens:
                batches.append(cur)
                cur, longest = [], 0
            cur.append(i)
            longest = max(longest, lengths[i])
        if cur:
            batches.append(cur)
    rng.shuffle(batches)
    return batches


def n_targets(examples):
    """The number of supervised target tokens in (ids, mask) examples: the mask of token t says
    whether t is trained, and the first token is never a target (nothing predicts it)."""
    return sum(sum(mask[1:]) for _, mask in examples)


def length_chunks(lengths, size):
    """Indices 0..n-1 sorted by length and cut into chunks of `size`: batches of similar
    length (little padding) for inference; the caller writes each result back at its index,
    so the output keeps the input order."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[s:s + size] for s in range(0, len(order), size)]


def split_by_length(examples, parts):
    """One batch of (ids, mask) examples -> up to `parts` smaller batches of similar length
    (sorted, cut into equal pieces). Each piece is padded only to its own longest example, so
    a batch of mixed lengths computes far fewer padding tokens (bench/bench_recipe.py measures
    it). Summing token losses over the pieces (train_sft.accumulate_gradients) gives the same
    gradient."""
    ex = sorted(examples, key=lambda e: len(e[0]))
    cuts = [len(ex) * i // parts for i in range(parts + 1)]
    return [ex[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]


def cycling_batches(n, batch_size, rng):
    """A stream of batches for the short fixed-step fine-tuning stages: each call returns the
    next batch_size indices into n items, a shuffled pass over all n, reshuffled (by the given
    random.Random) whenever it runs out. It keeps state: call it once per step, in order."""
    order = []

    def batch():
        nonlocal order
        while len(order) < batch_size:
            more = list(range(n))
            rng.shuffle(more)
            order += more
        chosen, order = order[:batch_size], order[batch_size:]
        return chosen
    return batch


def left_pad(seqs, pad_id):
    """list of id lists -> idx (B, T), attention_mask (B, T): left-padded for generation."""
    T = max(len(s) for s in seqs)
    idx = torch.full((len(seqs), T), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), T), dtype=torch.long)
    for i, s in enumerate(seqs):
        idx[i, T - len(s):] = torch.tensor(s)
        mask[i, T - len(s):] = 1
    return idx, mask


def to_device(batch, device):
    """Pinned memory and non-blocking copies on CUDA: the copy overlaps with compute."""
    if torch.device(device).type == "cuda":
        return {k: v.pin_memory().to(device, non_blocking=True) for k, v in batch.items()}
    return {k: v.to(device) for k, v in batch.items()}
