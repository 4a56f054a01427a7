"""
The GPT used by every step of mathtune: GPT-2's architecture exactly, so Hugging Face GPT-2
checkpoints load without change; five switches in its config (norm, positions, MLP, kv heads,
q/k/v biases) make it a Llama or a Qwen2 instead (docs/model.md has the table). Around it:

  - GPT.from_pretrained(name_or_dir)  a local HF directory (config.json's model_type: gpt2,
                                      llama or qwen2) or, online, a hub name
  - model.generate(...)               batched sampling with a KV cache (sampling.py)
  - sequence_logprobs(...)            summed / length-normalised / lowest token log-probabilities
  - save_checkpoint / load_checkpoint atomic writes, weights-only loads

Quick look:
    python -c "from model import GPT; m = GPT.from_pretrained('path/to/gpt2'); print(m)"
The scripts (train_sft.py, ...) are the real users; tests/test_model.py checks this file
against Hugging Face transformers as the oracle.
"""
import hashlib
import json
import math
import mmap
import os
import struct
from dataclasses import asdict, dataclass
from typing import NamedTuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from records import write_atomically


@dataclass
class GPTConfig:
    block_size: int = 1024  # context length (GPT-2: n_positions)
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = True  # GPT-2 has biases in Linear and LayerNorm; scratch models may drop them
    layer_norm_epsilon: float = 1e-5  # (RMSNorm's eps for Llama / Qwen2)
    # the switches that name a family: the defaults are GPT-2, the other value Llama / Qwen2
    norm: str = "layernorm"  # "rmsnorm": x / rms(x) * weight (no mean, no bias)
    positions: str = "learned"  # "rope": rotary positions on q and k (no wpe table)
    mlp: str = "gelu"  # "swiglu": c_proj(silu(gate(x)) * up(x)), gate and up in c_fc
    n_kv_head: int | None = None  # grouped-query attention: fewer k/v heads (None: n_head)
    qkv_bias: bool = False  # biases on q, k, v whatever `bias` says (Qwen2)
    tied: bool = True  # lm_head shares wte's weight (GPT-2; Llama 3.2 1B; Qwen2.5 0.5B)
    intermediate_size: int | None = None  # the MLP's width (None: 4 * n_embd)
    rope_theta: float = 10000.0
    rope_scaling: dict | None = None  # Llama 3.x: {"rope_type": "llama3", "factor": ...}


# -----------------------------------------------------------------------------
# the network


def gelu_tanh(x):
    # GPT-2's GELU is the tanh approximation (HF "gelu_new"); exact erf-GELU differs by ~1e-3.
    return F.gelu(x, approximate="tanh")


def norm_layer(config):
    if config.norm == "rmsnorm":  # Llama / Qwen2: no mean subtracted, no bias
        return nn.RMSNorm(config.n_embd, eps=config.layer_norm_epsilon)
    return nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon, bias=config.bias)


def rope_frequencies(config, device):
    """Rotary frequencies (hs/2,): theta^(-2i/hs). Llama 3.x divides the low ones by `factor`
    and blends the middle band (rope_type llama3), to stretch the context it was trained on."""
    hs = config.n_embd // config.n_head
    inv = 1.0 / config.rope_theta ** (torch.arange(0, hs, 2, device=device).float() / hs)
    s = config.rope_scaling
    if not s:
        return inv
    wavelen = 2 * math.pi / inv
    low, high = s["low_freq_factor"], s["high_freq_factor"]
    old = s["original_max_position_embeddings"]
    smooth = ((old / wavelen - low) / (high - low)).clamp(0, 1)  # 0: long waves, 1: short
    return (1 - smooth) * inv / s["factor"] + smooth * inv


def rotary(pos, inv_freq):
    """cos, sin (B, 1, T, hs) for positions pos (B, T): each frequency twice, for the two halves."""
    angles = pos[..., None].float() * inv_freq  # (B, T, hs/2)
    angles = torch.cat([angles, angles], -1)[:, None]
    return angles.cos(), angles.sin()


def apply_rotary(x, cos, sin):
    """Rotate x (B, h, T, hs) by its positions in Hugging Face's layout: dimension i pairs with
    i + hs/2 (rotate_half), not with i + 1 as in Meta's original code (its weights are permuted
    on conversion; mixing the two loads and runs and is quietly wrong)."""
    x1, x2 = x.chunk(2, dim=-1)
    return (x * cos + torch.cat([-x2, x1], dim=-1) * sin).to(x.dtype)


class CausalSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.n_head, self.n_kv_head = config.n_head, config.n_kv_head or config.n_head
        self.hs = config.n_embd // config.n_head
        kv = self.n_kv_head * self.hs
        # q, k, v in one matmul, (C) -> (C + 2 kv): GPT-2 stores them so, Llama apart (joined
        # on loading); with grouped-query attention k and v are narrower than q
        self.c_attn = nn.Linear(config.n_embd, config.n_embd + 2 * kv,
                                bias=config.bias or config.qkv_bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = config.dropout
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(self, x, attn_mask=None, cache=None, layer=0, rope=None):
        B, T, C = x.shape
        kv = self.n_kv_head * self.hs
        q, k, v = self.c_attn(x).split([C, kv, kv], dim=2)
        q = q.view(B, T, self.n_head, self.hs).transpose(1, 2)  # (B, nh, T, hs)
        k, v = [t.view(B, T, self.n_kv_head, self.hs).transpose(1, 2) for t in (k, v)]
        if rope is not None:  # rotary positions turn q and k before k is cached
            q, k = apply_rotary(q, *rope), apply_rotary(k, *rope)
        if cache is not None:
            k, v = cache.update(layer, k, v)  # (B, n_kv, T_past + T, hs): kv heads only
        if self.n_kv_head != self.n_head:  # kv head j serves query heads j*g .. j*g + g-1
            g = self.n_head // self.n_kv_head
            k, v = k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1)
        dropout_p = self.dropout if self.training else 0.0
        if attn_mask is None:  # every key real: causal over T tokens, or one new token that
            # may see every cached key (a decode step of an unpadded batch: no mask to build)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=T > 1, dropout_p=dropout_p)
        else:  # attn_mask: (B, 1, T, T_keys) bool, True = may attend
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=dropout_p)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        hidden = config.intermediate_size or 4 * config.n_embd
        self.swiglu = config.mlp == "swiglu"  # its gate and up projections in one matmul
        self.c_fc = nn.Linear(config.n_embd, hidden * (2 if self.swiglu else 1), bias=config.bias)
        self.c_proj = nn.Linear(hidden, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        h = self.c_fc(x)
        if self.swiglu:  # Llama / Qwen2: silu(gate) scales up, elementwise
            gate, up = h.chunk(2, dim=-1)
            return self.dropout(self.c_proj(F.silu(gate) * up))
        return self.dropout(self.c_proj(gelu_tanh(h)))


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln_1 = norm_layer(config)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = norm_layer(config)
        self.mlp = MLP(config)

    def forward(self, x, attn_mask=None, cache=None, layer=0, rope=None):
        x = x + self.attn(self.ln_1(x), attn_mask, cache, layer, rope)  # pre-norm, as GPT-2
        return x + self.mlp(self.ln_2(x))


def positions_and_mask(real, past=0, cache=None):
    """Positions and attention mask for T new tokens after `past` cached ones, when some tokens
    are padding. real: (B, T) bool, True = a real token. With a cache, its key_mask records
    which cached positions are real. Returns pos (B, T) and attn_mask (B, 1, T, T_keys)."""
    T = real.size(1)
    if cache is not None:
        cache.key_mask[:, past:past + T] = real
        keys = cache.key_mask[:, :cache.n_keys(T)]  # (B, T_keys); unfilled positions False
    else:
        keys = real
    # positions count real tokens only, so a left-padded row sees 0, 1, 2, ... exactly as it
    # would alone (the GPT-2 left-padding trap: transformers #3021)
    pos = (keys.long().cumsum(1) - 1).clamp(min=0)[:, past:past + T]  # (B, T)
    causal = torch.ones(T, keys.size(1), dtype=torch.bool, device=real.device).tril(past)
    attn_mask = causal[None] & keys[:, None, :]  # (B, T, T_keys)
    # a padding query would see no key at all (NaN softmax): let it see itself
    rows = torch.arange(T, device=real.device)
    attn_mask[:, rows, past + rows] = True
    return pos, attn_mask[:, None]  # (B, 1, T, T_keys), broadcast over heads


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        parts = dict(wte=nn.Embedding(config.vocab_size, config.n_embd))
        if config.positions == "learned":  # GPT-2's table; rotary positions need none
            parts["wpe"] = nn.Embedding(config.block_size, config.n_embd)
        self.transformer = nn.ModuleDict(dict(
            **parts,
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=norm_layer(config),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        if config.tied:  # as GPT-2
            self.lm_head.weight = self.transformer.wte.weight
        self.apply(self._init_weights)
        for name, p in self.named_parameters():  # GPT-2: residual projections scaled by depth
            if name.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_params(self):
        return sum(p.numel() for p in self.parameters())

    def set_dropout(self, p):
        """Dropout p everywhere (embeddings, attention weights, residual branches) from now
        on, e.g. for a fine-tuning stage of a model pretrained without it; in the config too,
        so a checkpoint records it."""
        self.config.dropout = p
        for m in self.modules():
            if isinstance(m, nn.Dropout):
                m.p = p
            elif isinstance(m, CausalSelfAttention):
                m.dropout = p

    def forward(self, idx, targets=None, attention_mask=None, cache=None, read=None):
        """idx (B, T) token ids; targets (B, T) with -100 where no loss; attention_mask (B, T)
        1 = real token, 0 = padding (left or right). Returns logits (B, T, V) and the mean
        cross-entropy over non-ignored targets (or None). read (B,) positions: the logits at
        that position of each row alone, (B, V), and no loss: an evaluator reads one position,
        and projecting every other onto the vocabulary would be wasted work."""
        B, T = idx.shape
        past = cache.pos if cache is not None else 0
        if past + T > self.config.block_size:
            raise ValueError(f"sequence of {past + T} tokens is longer than the context "
                             f"(block_size={self.config.block_size}); nothing is cropped silently")
        if attention_mask is None and cache is None:  # plain causal attention, positions 0..T-1
            pos, attn_mask = torch.arange(T, device=idx.device)[None], None  # (1, T)
        elif attention_mask is None and T == 1 and cache.all_real and not cache.static:
            pos, attn_mask = torch.full((1, 1), past, device=idx.device), None  # decode step
        else:
            if attention_mask is None:
                attention_mask = torch.ones(B, T, dtype=torch.bool, device=idx.device)
            pos, attn_mask = positions_and_mask(attention_mask.bool(), past, cache)
        x, rope = self.transformer.wte(idx), None
        if self.config.positions == "rope":
            rope = rotary(pos, rope_frequencies(self.config, idx.device))  # (B, 1, T, hs) each
        else:
            x = x + self.transformer.wpe(pos)
        x = self.transformer.drop(x)
        for i, block in enumerate(self.transformer.h):
            x = block(x, attn_mask, cache, i, rope)
        if read is not None:  # (B, T, C) -> (B, C) -> (B, V)
            x = x[torch.arange(B, device=x.device), read]
            return self.lm_head(self.transformer.ln_f(x)), None
        logits = self.lm_head(self.transformer.ln_f(x))  # (B, T, V)
        loss = None if targets is None else token_cross_entropy(logits, targets)
        return logits, loss

    # -------------------------------------------------------------------------
    # loading Hugging Face checkpoints: GPT-2, Llama, Qwen2

    @classmethod
    def from_pretrained(cls, name_or_dir, dropout=0.0, dtype=torch.float32):
        """Load a Hugging Face checkpoint of a family config.json's model_type names (gpt2,
        llama, qwen2): a local directory (config.json + model.safetensors, sharded safetensors
        with their index, or pytorch_model.bin) or, when online, a hub name (gpt2, ...,
        Qwen/Qwen2.5-0.5B). Weights are read without unpickling code, one tensor at a time
        from a memory map, and cast to `dtype` (the scripts keep float32 master weights and
        run the compute in --dtype under autocast; bfloat16 here halves an inference copy)."""
        path = resolve_pretrained_dir(name_or_dir)
        with open(os.path.join(path, "config.json")) as f:
            hf = json.load(f)
        model_type = hf.get("model_type")
        if model_type not in HF_FAMILIES:
            raise ValueError(f"{path}/config.json: model_type {model_type!r} is not supported; "
                             f"mathtune loads {', '.join(HF_FAMILIES)}")
        model = cls(HF_FAMILIES[model_type](hf, path, dropout)).to(dtype)
        load_hf_weights(model, path, hf_names(model, model_type), model_type)
        return model

    # -------------------------------------------------------------------------
    # sampling

    def generate(self, idx, max_new_tokens, **kw):
        """Batched sampling with a KV cache: sampling.generate (its docstring has the options:
        temperature, top_k, top_p, eos_token_id, attention_mask, num_samples, ...)."""
        from sampling import generate  # the engine lives apart from the architecture
        return generate(self, idx, max_new_tokens, **kw)


# -----------------------------------------------------------------------------
# sequence scoring: one implementation for the verifier, the ranking loss and the re-ranker


def token_cross_entropy(logits, targets, reduction="mean"):
    """The one cross-entropy of the project: logits (B, T, V) against targets (B, T), -100 where
    ignored, in float32. reduction "mean" (over the counted tokens: GPT.forward's loss), "sum"
    (step 1's accumulation divides by the step's token count: common.token_loss_sum) or "none"
    -> (B, T), zero where ignored (minus each target's log-probability: sequence scores)."""
    logits = logits.float()
    if reduction == "none":
        logp = torch.log_softmax(logits, dim=-1)
        picked = logp.gather(-1, targets.clamp(min=0)[..., None])[..., 0]
        return -picked * (targets != -100)
    return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1),
                           ignore_index=-100, reduction=reduction)


class SequenceScores(NamedTuple):
    """What sequence_logprobs gives for each row (all (B,) tensors)."""
    total: torch.Tensor        # sum of log p over the target tokens
    normalised: torch.Tensor   # that sum / |X|^alpha
    n_tokens: torch.Tensor     # |X|
    lowest: torch.Tensor       # the lowest target token's log p


def sequence_logprobs(model, idx, targets, attention_mask=None, alpha=1.0):
    """The one sequence scorer (step 3's ranking loss, the likelihood control of re-ranking,
    the walkthrough): each row's log-probabilities over its target tokens. idx/targets (B, T)
    as for model(idx, targets); alpha=0: the plain sum, alpha=1: the mean. Returns
    SequenceScores(total, normalised, n_tokens, lowest)."""
    logits, _ = model(idx, attention_mask=attention_mask)
    lp = -token_cross_entropy(logits, targets, "none")  # (B, T) log p, 0 off the targets
    real = targets != -100
    n = real.sum(1)
    total = lp.sum(1)
    lowest = lp.masked_fill(~real, float("inf")).min(1).values
    return SequenceScores(total, total / n.clamp(min=1).float().pow(alpha), n, lowest)


def weights_hash(model):
    """A short fingerprint of the weights (sha256 over every tensor's bytes, in name order):
    files that one step writes from a model (candidates, samples) carry it, so that a step
    that reads them can tell whether they came from the model it was given."""
    raw = getattr(model, "_orig_mod", model)
    raw = getattr(raw, "module", raw)  # DDP
    h = hashlib.sha256()
    for name, t in sorted(raw.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().flatten().view(torch.uint8).numpy().tobytes())
    return h.hexdigest()[:16]


def last_real_index(attention_mask):
    """attention_mask (B, T) -> index (B,) of the last real token, whether rows are padded on the
    left or the right. Never found by token id: with pad = EOS that lands on the wrong place."""
    T = attention_mask.size(1)
    positions = torch.arange(T, device=attention_mask.device).expand_as(attention_mask)
    return torch.where(attention_mask.bool(), positions, -1).max(dim=1).values


# -----------------------------------------------------------------------------
# reading Hugging Face weight files without unpickling code

HUB_NAMES = ("gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "distilgpt2")  # and any org/name


def resolve_pretrained_dir(name_or_dir):
    if os.path.isdir(name_or_dir):
        if not os.path.isfile(os.path.join(name_or_dir, "config.json")):
            raise FileNotFoundError(f"{name_or_dir}: no config.json (expected a Hugging Face "
                                    "directory: config.json + model.safetensors)")
        return name_or_dir
    if name_or_dir not in HUB_NAMES and name_or_dir.count("/") != 1:
        raise FileNotFoundError(f"--init_from {name_or_dir!r}: not a directory, not one of "
                                f"the hub names {', '.join(HUB_NAMES)} and not an org/name")
    try:
        from huggingface_hub import snapshot_download
        return snapshot_download(name_or_dir, allow_patterns=[
            "config.json", "generation_config.json", "*.safetensors", "*.safetensors.index.json",
            "tokenizer.json", "vocab.json", "merges.txt"])
    except Exception as e:  # offline, no huggingface_hub, or a hub error
        raise RuntimeError(
            f"could not download {name_or_dir!r} from the Hugging Face hub ({type(e).__name__}). "
            f"Offline? Download it elsewhere (e.g. `huggingface-cli download {name_or_dir}`) and "
            f"pass the local directory instead: --init_from /path/to/{name_or_dir}") from None


def gpt2_config(hf, path, dropout):
    act = hf.get("activation_function", "gelu_new")
    if act not in ("gelu_new", "gelu_pytorch_tanh"):
        raise ValueError(f"{path}/config.json: activation_function={act!r}, expected gelu_new")
    return GPTConfig(block_size=hf["n_positions"], vocab_size=hf["vocab_size"],
                     n_layer=hf["n_layer"], n_head=hf["n_head"], n_embd=hf["n_embd"],
                     dropout=dropout, bias=True,
                     layer_norm_epsilon=hf.get("layer_norm_epsilon", 1e-5))


def llama_config(hf, path, dropout):
    """Llama and Qwen2 differ only in Qwen2's q/k/v biases (and their configs' defaults)."""
    where = f"{path}/config.json"
    n_head, C = hf["num_attention_heads"], hf["hidden_size"]
    # transformers 5 writes rope_parameters; the hub's files rope_theta and rope_scaling
    rope = hf.get("rope_parameters") or {**(hf.get("rope_scaling") or {}),
                                         "rope_theta": hf.get("rope_theta", 10000.0)}
    kind = rope.get("rope_type", rope.get("type", "default"))
    refuse = {f"hidden_act {hf.get('hidden_act')!r} (not silu)": hf.get("hidden_act") != "silu",
              f"head_dim {hf.get('head_dim')} (not hidden_size / heads)":
                  hf.get("head_dim", C // n_head) != C // n_head,
              f"rope_type {kind!r} (only default and llama3)": kind not in ("default", "llama3"),
              "attention_bias or mlp_bias": hf.get("attention_bias") or hf.get("mlp_bias"),
              "use_sliding_window": hf.get("use_sliding_window")}
    for what, bad in refuse.items():
        if bad:
            raise ValueError(f"{where}: {what} is not supported")
    return GPTConfig(
        block_size=hf["max_position_embeddings"], vocab_size=hf["vocab_size"],
        n_layer=hf["num_hidden_layers"], n_head=n_head, n_embd=C, dropout=dropout, bias=False,
        layer_norm_epsilon=hf["rms_norm_eps"], norm="rmsnorm", positions="rope", mlp="swiglu",
        n_kv_head=hf.get("num_key_value_heads", n_head), qkv_bias=hf["model_type"] == "qwen2",
        tied=hf.get("tie_word_embeddings", False), intermediate_size=hf["intermediate_size"],
        rope_theta=rope["rope_theta"],
        rope_scaling={k: rope[k] for k in ("factor", "low_freq_factor", "high_freq_factor",
                                           "original_max_position_embeddings")}
        if kind == "llama3" else None)


HF_FAMILIES = {"gpt2": gpt2_config, "llama": llama_config, "qwen2": llama_config}


def family(config):
    """The family a config's switches make: gpt2, llama or qwen2 (Llama with q/k/v biases)."""
    if config.positions == "learned":
        return "gpt2"
    return "qwen2" if config.qkv_bias else "llama"


def hf_names(model, model_type):
    """{name in the HF files: (our parameter, first row, last row, transposed)}: where each
    stored tensor goes. GPT-2 names are ours (its Conv1D weights are stored transposed);
    Llama / Qwen2's q, k, v land in rows of c_attn, gate and up in rows of c_fc."""
    config = model.config
    if model_type == "gpt2":
        conv1d = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight",
                  "mlp.c_proj.weight")
        return {k.removeprefix("transformer."): (k, 0, len(p), k.endswith(conv1d))
                for k, p in model.state_dict().items() if k != "lm_head.weight"}  # (tied)
    C, I = config.n_embd, config.intermediate_size
    kv = config.n_kv_head * C // config.n_head
    out = {"model.embed_tokens.weight": ("transformer.wte.weight", 0, config.vocab_size, False),
           "model.norm.weight": ("transformer.ln_f.weight", 0, C, False)}
    if not config.tied:
        out["lm_head.weight"] = ("lm_head.weight", 0, config.vocab_size, False)
    for i in range(config.n_layer):
        a, h = f"model.layers.{i}.", f"transformer.h.{i}."
        rows = {"input_layernorm.weight": ("ln_1.weight", 0, C),
                "post_attention_layernorm.weight": ("ln_2.weight", 0, C),
                "self_attn.o_proj.weight": ("attn.c_proj.weight", 0, C),
                "mlp.gate_proj.weight": ("mlp.c_fc.weight", 0, I),
                "mlp.up_proj.weight": ("mlp.c_fc.weight", I, 2 * I),
                "mlp.down_proj.weight": ("mlp.c_proj.weight", 0, C)}
        for kind in ("weight", "bias") if config.qkv_bias else ("weight",):
            rows |= {f"self_attn.q_proj.{kind}": (f"attn.c_attn.{kind}", 0, C),
                     f"self_attn.k_proj.{kind}": (f"attn.c_attn.{kind}", C, C + kv),
                     f"self_attn.v_proj.{kind}": (f"attn.c_attn.{kind}", C + kv, C + 2 * kv)}
        out |= {a + k: (h + ours, r0, r1, False) for k, (ours, r0, r1) in rows.items()}
    return out


def load_hf_weights(model, path, names, model_type):
    """Copy every tensor of the files (hf_tensors) into its rows of the model's parameters
    (hf_names), checking shapes; every parameter row must be written and no stored tensor
    may be left over but the buffers the files carry (GPT-2's causal masks, a tied head)."""
    sd, names = model.state_dict(), dict(names)
    for name, w in hf_tensors(path):
        if model_type == "gpt2":
            name = name.removeprefix("transformer.")  # some GPT-2 files lack the prefix
        if name not in names:
            if name.endswith((".attn.bias", ".attn.masked_bias", "rotary_emb.inv_freq")) or (
                    name == "lm_head.weight" and model.config.tied):
                continue
            raise KeyError(f"{path}: unexpected weight {name!r} in the checkpoint")
        key, r0, r1, transposed = names.pop(name)
        w, dst = (w.t() if transposed else w), sd[key][r0:r1]
        if w.shape != dst.shape:
            raise ValueError(f"{path}: weight {name!r} has shape {tuple(w.shape)}, expected "
                             f"{tuple(dst.shape)} (rows {r0}:{r1} of {key})")
        with torch.no_grad():
            dst.copy_(w)  # cast from the stored dtype (bf16, fp16, fp32) to the model's
    if names:
        name, (key, *_) = next(iter(names.items()))
        raise KeyError(f"{path}: weight {name!r} ({key}) missing from the checkpoint")


SAFETENSORS_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
                      "F64": torch.float64, "I64": torch.int64, "U8": torch.uint8,
                      "BOOL": torch.bool}


def read_safetensors(path):
    """Yield (name, tensor) of a safetensors file: a little-endian u64 header length, a JSON
    header {name: {dtype, shape, data_offsets}}, then raw bytes, readable without any pickle.
    The tensors are views of a copy-on-write memory map: nothing is read into memory until
    it is copied into the model, one tensor at a time."""
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    (n,) = struct.unpack("<Q", mm[:8])
    header = json.loads(mm[8:8 + n])
    header.pop("__metadata__", None)
    for name, info in header.items():
        start, end = (8 + n + o for o in info["data_offsets"])
        dtype = SAFETENSORS_DTYPES[info["dtype"]]
        t = torch.frombuffer(mm, dtype=dtype, count=(end - start) // dtype.itemsize,
                             offset=start) if end > start else torch.empty(0, dtype=dtype)
        yield name, t.reshape(info["shape"])


def hf_tensors(path):
    """Yield (name, tensor) of a Hugging Face directory's weights: model.safetensors, the
    shards model.safetensors.index.json names, or pytorch_model.bin (weights only)."""
    index = os.path.join(path, "model.safetensors.index.json")
    if os.path.isfile(os.path.join(path, "model.safetensors")):
        yield from read_safetensors(os.path.join(path, "model.safetensors"))
    elif os.path.isfile(index):
        with open(index) as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
        for shard in shards:
            if not os.path.isfile(os.path.join(path, shard)):
                raise FileNotFoundError(f"{index} names the shard {shard}, which is missing")
        for shard in shards:
            yield from read_safetensors(os.path.join(path, shard))
    elif os.path.isfile(os.path.join(path, "pytorch_model.bin")):
        # weights_only: a pickle that tries to build anything but tensors is refused (the
        # legacy format, read whole: the families that need memory maps ship safetensors)
        yield from torch.load(os.path.join(path, "pytorch_model.bin"), map_location="cpu",
                              weights_only=True).items()
    else:
        raise FileNotFoundError(f"{path}: no model.safetensors, model.safetensors.index.json "
                                "or pytorch_model.bin")


# -----------------------------------------------------------------------------
# checkpoints


def save_checkpoint(path, model, optimizer=None, step=0, run_config=None, tokenizer=None,
                    **extra):
    """Write atomically (records.write_atomically), so a kill mid-write never leaves a torn
    checkpoint where a good one was. The state dict is the uncompiled module's (no _orig_mod.).
    `tokenizer` (a tokenizers.Tokenizer) is stored inside as its JSON text, so a checkpoint is
    never read with another model's tokenizer (load_run)."""
    raw = getattr(model, "_orig_mod", model)
    raw = getattr(raw, "module", raw)  # DDP
    ckpt = {"model": raw.state_dict(), "model_config": asdict(raw.config), "step": step,
            "run_config": run_config or {},
            "tokenizer": tokenizer.to_str() if tokenizer is not None else None, **extra}
    if optimizer is not None:
        ckpt["optimizer"] = optimizer.state_dict()
    write_atomically(path, lambda tmp: torch.save(ckpt, tmp))


def load_checkpoint(path, device="cpu"):
    """Returns (model, checkpoint dict). Weights-only: nothing in the file is executed."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    try:
        ckpt = torch.load(path, map_location=device, weights_only=True)
    except Exception as e:
        raise ValueError(f"{path}: not a mathtune checkpoint ({e})") from None
    if not isinstance(ckpt, dict) or "model" not in ckpt or "model_config" not in ckpt:
        raise ValueError(f"{path}: not a mathtune checkpoint (no 'model'/'model_config' keys)")
    model = GPT(GPTConfig(**ckpt["model_config"]))
    model.load_state_dict(ckpt["model"])
    return model.to(device), ckpt


def load_run(path, device="cpu"):
    """(model, tokenizer, checkpoint dict) of a mathtune checkpoint: the one way every script
    opens a checkpoint, so that a model always reads with its own tokenizer. The run config is
    ckpt["run_config"]. A checkpoint without a stored tokenizer (written before it was stored)
    falls back to the tokenizer.json beside it."""
    from tokenizers import Tokenizer
    model, ckpt = load_checkpoint(path, device)
    if ckpt.get("tokenizer"):
        tok = Tokenizer.from_str(ckpt["tokenizer"])
    else:
        beside = os.path.join(os.path.dirname(os.path.abspath(path)), "tokenizer.json")
        if not os.path.isfile(beside):
            raise FileNotFoundError(f"{path} stores no tokenizer and {beside} does not exist")
        tok = Tokenizer.from_file(beside)
    if tok.get_vocab_size() > model.config.vocab_size:
        raise ValueError(f"{path}: its tokenizer has {tok.get_vocab_size()} tokens, the model "
                         f"only {model.config.vocab_size}")
    return model, tok, ckpt
