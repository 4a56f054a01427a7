"""
The sampling engine: batched generation with a KV cache, apart from the GPT it drives. Every
step that samples or solves (common.generate_solutions) comes here through model.generate.

  KVCache         preallocated keys/values of every layer, filled as tokens are decoded
  generate        prompts -> sequences: prefill once, then one token per step for every live
                  row (greedy, temperature, top-k, top-p; N samples per prompt; rows that
                  emitted EOS leave the batch); use_cache=False is the plain reference path
                  that recomputes the whole sequence at every step (the tests compare them)
  filter_logits   top-k and nucleus (top-p) filtering: which tokens a draw may pick (the
                  definition; the tests hold sample_next to it)
  sample_next     one token per row from those tokens (on a CPU without sorting or drawing
                  over the whole vocabulary)

The GPT's forward (model.py) reads a KVCache when one is passed; nothing else here touches
the model's internals.
"""
import torch


class KVCache:
    """Preallocated keys/values for all layers: (n_layer, B, n_kv_head, T_max, hs).

    Preallocated rather than torch.cat per step: concatenation copies the whole past at every
    new token (O(T^2) memory traffic); writing into a fixed buffer copies only the new token.
    `key_mask` (B, T_max) remembers which cached positions are real tokens (left padding is not).
    static=True: attention always reads all T_max positions (the unfilled ones masked out), so
    every decode step has the same shapes: one attention plan on a GPU instead of a new one
    per key length, and a step that CUDA graphs can capture. Same tokens (tests/test_model.py).
    """

    def __init__(self, config, batch_size, max_len, device, dtype, static=False):
        hs = config.n_embd // config.n_head
        # only the kv heads are cached: grouped-query attention shares each among g query heads
        shape = (config.n_layer, batch_size, config.n_kv_head or config.n_head, max_len, hs)
        self.k = torch.zeros(shape, device=device, dtype=dtype)
        self.v = torch.zeros(shape, device=device, dtype=dtype)
        self.key_mask = torch.zeros(batch_size, max_len, dtype=torch.bool, device=device)
        self.pos = 0  # how many positions are filled (same for every row)
        self.static = static
        self.all_real = False  # no padding anywhere (set by prefill): decode needs no mask

    def n_keys(self, new):
        """Key positions attention reads after writing `new` tokens: the filled ones, or with
        static shapes every position."""
        return self.k.size(3) if self.static else self.pos + new

    def update(self, layer, k, v):
        T = k.size(2)
        self.k[layer, :, :, self.pos:self.pos + T] = k
        self.v[layer, :, :, self.pos:self.pos + T] = v
        end = self.n_keys(T)
        if layer == self.k.size(0) - 1:
            self.pos += T  # the last layer advances the cursor
        return self.k[layer, :, :, :end], self.v[layer, :, :, :end]

    def expand(self, n):
        """Repeat every row n times (row i -> rows i*n .. i*n+n-1): prefill once, sample n."""
        self.k = self.k.repeat_interleave(n, dim=1)
        self.v = self.v.repeat_interleave(n, dim=1)
        self.key_mask = self.key_mask.repeat_interleave(n, dim=0)

    def select(self, keep, in_place=None):
        """Keep only the rows where keep (B,) is True (rows that finished leave the batch).
        in_place (the default on a CPU): each kept row's filled positions move down to its new
        index and the buffers become views of their first rows; else indexing, which
        allocates a new cache of every position at each drop. On a CPU that fresh memory
        costs several times the copy (bench/bench_recipe.py's sample measures both); on a
        GPU the caching allocator makes it cheap, and one indexing beats a loop of small
        copies."""
        if in_place is None:
            in_place = self.k.device.type == "cpu"
        if not in_place:
            self.k, self.v, self.key_mask = self.k[:, keep], self.v[:, keep], self.key_mask[keep]
            return
        for dst, src in enumerate(keep.nonzero()[:, 0].tolist()):
            if dst != src:  # rows are kept in order, so dst < src: nothing is overwritten early
                self.k[:, dst, :, :self.pos] = self.k[:, src, :, :self.pos]
                self.v[:, dst, :, :self.pos] = self.v[:, src, :, :self.pos]
        n = int(keep.sum())
        self.k, self.v, self.key_mask = self.k[:, :n], self.v[:, :n], self.key_mask[keep]


@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None, top_p=None,
             eos_token_id=None, attention_mask=None, use_cache=True, generator=None,
             num_samples=1, drop_finished=True, static=False, check_every=1):
    """idx (B, T) prompts, left-padded when their lengths differ (attention_mask (B, T),
    1 = real). Returns (B * num_samples, T + max_new_tokens); row b*num_samples + j is sample
    j of prompt b. temperature 0 = greedy. After a row emits eos_token_id it emits only it,
    and finished rows leave the batch (no compute is spent on them; drop_finished=False
    keeps them, for comparison). With num_samples > 1 the prompts are prefilled once and
    the cache copied. static=True: every decode step attends over the whole cache (same
    shapes at every step, see KVCache). check_every: steps between the host's looks at
    which rows are done (each look waits for the device; on a GPU, 8 or 16 lets it run
    ahead; rows leave the batch at those looks only)."""
    B, T = idx.shape
    if T + max_new_tokens > model.config.block_size:
        raise ValueError(f"prompt ({T}) + max_new_tokens ({max_new_tokens}) exceeds the "
                         f"context (block_size={model.config.block_size})")
    if attention_mask is None:
        attention_mask = torch.ones_like(idx, dtype=torch.bool)
    attention_mask = attention_mask.bool()
    if use_cache:
        logits, cache = prefill(model, idx, attention_mask, T + max_new_tokens, num_samples,
                                static)
    else:  # the reference path: every step below recomputes the whole sequence
        logits = model(idx, attention_mask=attention_mask)[0][:, -1]
        logits, cache = logits.repeat_interleave(num_samples, dim=0), None
    if num_samples > 1:
        idx = idx.repeat_interleave(num_samples, dim=0)
        attention_mask = attention_mask.repeat_interleave(num_samples, dim=0)
    B = idx.size(0)
    fill = eos_token_id if eos_token_id is not None else 0
    seq = torch.full((B, T + max_new_tokens), fill, dtype=idx.dtype, device=idx.device)
    seq[:, :T] = idx
    rows = torch.arange(B, device=idx.device)  # the rows of seq still in the batch
    done = torch.zeros(B, dtype=torch.bool, device=idx.device)
    for step in range(max_new_tokens):
        nxt = sample_next(logits, temperature, top_k, top_p, generator)  # (len(rows),)
        if eos_token_id is not None:
            nxt = torch.where(done, torch.full_like(nxt, eos_token_id), nxt)
            done = done | (nxt == eos_token_id)
        seq[rows, T + step] = nxt
        look = (step + 1) % check_every == 0
        if step == max_new_tokens - 1 or (look and bool(done.all())):
            break
        if look and drop_finished and 4 * int(done.sum()) >= done.numel():
            # drop finished rows once they are a quarter of the batch: sampled lengths vary
            # widely within a batch, and a finished row would otherwise cost as much as a
            # live one until the longest is done. Not at every finish: each drop copies the
            # cache.
            keep = ~done
            rows, nxt, done, attention_mask = rows[keep], nxt[keep], done[keep], \
                attention_mask[keep]
            if use_cache:
                cache.select(keep)
        if use_cache:
            logits = model(nxt[:, None], cache=cache)[0][:, -1]
        else:
            cur = seq[rows, :T + step + 1]
            mask = torch.cat([attention_mask, torch.ones_like(cur[:, T:], dtype=torch.bool)], 1)
            logits = model(cur, attention_mask=mask)[0][:, -1]
    return seq

def prefill(model, idx, attention_mask, max_len, num_samples, static=False):
    """The prompts' forward pass: logits of each prompt's next token (B * num_samples, V)
    and a KV cache of max_len positions holding the prompts, each row copied num_samples
    times (prefill once, sample N)."""
    # keys/values are stored in the dtype attention computes them in: under autocast that
    # is bf16/fp16, not the fp32 weights' (else every step casts the whole past back)
    dev = idx.device.type
    dtype = (torch.get_autocast_dtype(dev) if torch.is_autocast_enabled(dev)
             else next(model.parameters()).dtype)
    cache = KVCache(model.config, idx.size(0), max_len, idx.device, dtype, static)
    logits = model(idx, attention_mask=attention_mask, cache=cache)[0][:, -1]  # (B, V)
    cache.all_real = bool(attention_mask.all())  # every later position is real too
    if num_samples > 1:
        cache.expand(num_samples)
    return logits.repeat_interleave(num_samples, dim=0), cache


def filter_logits(logits, top_k=None, top_p=None):
    """Set to -inf every logit outside the top-k and outside the nucleus (smallest set of most
    likely tokens whose probability reaches top_p; the token that crosses top_p is kept)."""
    if top_k is not None and top_k < logits.size(-1):
        kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p is not None and top_p < 1.0:
        sorted_logits, order = torch.sort(logits, descending=True, dim=-1)
        probs = sorted_logits.softmax(-1)
        mass_before = probs.cumsum(-1) - probs  # probability of the tokens ranked above
        drop_sorted = mass_before >= top_p
        drop = drop_sorted.scatter(-1, order, drop_sorted)
        logits = logits.masked_fill(drop, float("-inf"))
    return logits


FAST_K = 64  # the most likely tokens a nucleus draw looks at first; when some row's FAST_K
# hold less than top_p, every token is sorted, so the draw is the same either way


def sample_next(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    """logits (B, V) -> next token ids (B,): one draw per row from the tokens filter_logits
    keeps, in proportion to their probabilities (temperature 0: the argmax). The draw inverts
    the kept tokens' cumulative probability at one uniform number per row: no multinomial
    (which draws an exponential for every token of the vocabulary) and, for the nucleus, no
    sort of the whole vocabulary on a CPU: the FAST_K most likely tokens hold the nucleus
    unless their mass falls short of top_p (then every token is sorted). Same tokens kept as
    filter_logits, ties at the k-th logit aside (tests/test_model.py)."""
    if temperature == 0:
        return logits.argmax(-1)
    probs = (logits.float() / temperature).softmax(-1)  # (B, V)
    V = probs.size(-1)
    nucleus = top_p is not None and top_p < 1.0
    if top_k is None and not nucleus:  # every token, in vocabulary order
        p, order = probs, None
    elif top_k is not None:  # (B, k), the most likely first
        p, order = torch.topk(probs, min(top_k, V))
        p = p / p.sum(-1, keepdim=True)  # the nucleus is measured within the top-k
    else:  # the nucleus alone
        p = None
        if probs.device.type == "cpu":  # the FAST_K most likely first (on a GPU the full sort
            # is cheap, and asking whether they suffice would make the host wait every step)
            p, order = torch.topk(probs, min(FAST_K, V))
        if p is None or bool((p.cumsum(-1)[:, -1] < top_p).any()):  # a nucleus reaches past
            p, order = torch.sort(probs, descending=True)
    if nucleus:  # keep each token whose more likely predecessors hold less than top_p
        p = p * ((p.cumsum(-1) - p) < top_p)
    cum = p.cumsum(-1)  # (B, k)
    u = torch.rand(cum.size(0), 1, device=cum.device, generator=generator) * cum[:, -1:]
    j = torch.searchsorted(cum, u, right=True).clamp_(max=cum.size(-1) - 1)  # (B, 1)
    return (j if order is None else order.gather(-1, j))[:, 0]

