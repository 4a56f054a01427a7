"""
The GPT used by every step of mathtune: GPT-2's architecture exactly, so Hugging Face GPT-2
checkpoints load without change, plus what the recipe needs around it:

  - GPT.from_pretrained(name_or_dir)  load gpt2 / gpt2-medium / ... or a local HF directory
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
import os
import struct
from dataclasses import asdict, dataclass
from typing import NamedTuple

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class GPTConfig:
    block_size: int = 1024  # context length (GPT-2: n_positions)
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = True  # GPT-2 has biases in Linear and LayerNorm; scratch models may drop them
    layer_norm_epsilon: float = 1e-5


# -----------------------------------------------------------------------------
# the network


def gelu_tanh(x):
    # GPT-2's GELU is the tanh approximation (HF "gelu_new"); exact erf-GELU differs by ~1e-3.
    return F.gelu(x, approximate="tanh")


class CausalSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)  # q, k, v
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = config.dropout
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(self, x, attn_mask=None, cache=None, layer=0):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        # (B, T, C) -> (B, nh, T, hs)
        q, k, v = [t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v)]
        if cache is not None:
            k, v = cache.update(layer, k, v)  # (B, nh, T_past + T, hs)
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
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(gelu_tanh(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x, attn_mask=None, cache=None, layer=0):
        x = x + self.attn(self.ln_1(x), attn_mask, cache, layer)  # pre-LN, as GPT-2
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
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            wpe=nn.Embedding(config.block_size, config.n_embd),
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon, bias=config.bias),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied, as GPT-2
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

    def forward(self, idx, targets=None, attention_mask=None, cache=None):
        """idx (B, T) token ids; targets (B, T) with -100 where no loss; attention_mask (B, T)
        1 = real token, 0 = padding (left or right). Returns logits (B, T, V) and the mean
        cross-entropy over non-ignored targets (or None)."""
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
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for i, block in enumerate(self.transformer.h):
            x = block(x, attn_mask, cache, i)
        logits = self.lm_head(self.transformer.ln_f(x))  # (B, T, V)
        loss = None if targets is None else token_cross_entropy(logits, targets)
        return logits, loss

    # -------------------------------------------------------------------------
    # loading Hugging Face GPT-2

    @classmethod
    def from_pretrained(cls, name_or_dir, dropout=0.0):
        """Load a GPT-2 family checkpoint: a local directory in Hugging Face layout (config.json +
        model.safetensors or pytorch_model.bin) or, when online, a hub name (gpt2, gpt2-medium,
        gpt2-large, gpt2-xl, distilgpt2). Weights are read without unpickling code."""
        path = resolve_pretrained_dir(name_or_dir)
        with open(os.path.join(path, "config.json")) as f:
            hf = json.load(f)
        act = hf.get("activation_function", "gelu_new")
        if act not in ("gelu_new", "gelu_pytorch_tanh"):
            raise ValueError(f"{path}/config.json: activation_function={act!r}, expected gelu_new")
        config = GPTConfig(block_size=hf["n_positions"], vocab_size=hf["vocab_size"],
                           n_layer=hf["n_layer"], n_head=hf["n_head"], n_embd=hf["n_embd"],
                           dropout=dropout, bias=True,
                           layer_norm_epsilon=hf.get("layer_norm_epsilon", 1e-5))
        model = cls(config)
        hf_sd = read_hf_weights(path)
        sd = model.state_dict()
        # HF stores the four projections as Conv1D with weight (in, out): transpose into Linear.
        transposed = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight",
                      "mlp.c_proj.weight")
        for key in sd:
            if key == "lm_head.weight":
                continue  # tied to transformer.wte.weight
            src = key if key in hf_sd else key.removeprefix("transformer.")  # some files lack it
            if src not in hf_sd:
                raise KeyError(f"{path}: weight {key!r} missing from the checkpoint")
            w = hf_sd.pop(src)
            if key.endswith(transposed):
                w = w.t()
            if w.shape != sd[key].shape:
                raise ValueError(f"{path}: weight {key!r} has shape {tuple(w.shape)}, "
                                 f"expected {tuple(sd[key].shape)}")
            with torch.no_grad():
                sd[key].copy_(w)
        # what is left must be buffers GPT-2 files carry (causal masks) or the tied head
        leftover = [k for k in hf_sd if not k.endswith((".attn.bias", ".attn.masked_bias"))
                    and k != "lm_head.weight"]
        if leftover:
            raise KeyError(f"{path}: unexpected weight {leftover[0]!r} in the checkpoint")
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

HUB_NAMES = ("gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "distilgpt2")


def resolve_pretrained_dir(name_or_dir):
    if os.path.isdir(name_or_dir):
        if not os.path.isfile(os.path.join(name_or_dir, "config.json")):
            raise FileNotFoundError(f"{name_or_dir}: no config.json (expected a Hugging Face "
                                    "GPT-2 directory: config.json + model.safetensors)")
        return name_or_dir
    if name_or_dir not in HUB_NAMES and not name_or_dir.startswith(("openai-community/",
                                                                     "distilbert/")):
        raise FileNotFoundError(f"--init_from {name_or_dir!r}: not a directory, and not one of "
                                f"the hub names {', '.join(HUB_NAMES)}")
    try:
        from huggingface_hub import snapshot_download
        return snapshot_download(name_or_dir, allow_patterns=["config.json", "*.safetensors",
                                                              "tokenizer.json", "vocab.json",
                                                              "merges.txt"])
    except Exception as e:  # offline, no huggingface_hub, or a hub error
        raise RuntimeError(
            f"could not download {name_or_dir!r} from the Hugging Face hub ({type(e).__name__}). "
            f"Offline? Download it elsewhere (e.g. `huggingface-cli download {name_or_dir}`) and "
            f"pass the local directory instead: --init_from /path/to/{name_or_dir}") from None


SAFETENSORS_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
                      "F64": torch.float64, "I64": torch.int64, "U8": torch.uint8,
                      "BOOL": torch.bool}


def read_safetensors(path):
    """The safetensors format is a little-endian u64 header length, a JSON header
    {name: {dtype, shape, data_offsets}}, then raw bytes: readable without any pickle."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    buf = memoryview(data)[8 + n:]
    out = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        dtype = SAFETENSORS_DTYPES[info["dtype"]]
        t = torch.frombuffer(bytearray(buf[start:end]), dtype=dtype) if end > start else \
            torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"])
    return out


def read_hf_weights(path):
    st = os.path.join(path, "model.safetensors")
    if os.path.isfile(st):
        sd = read_safetensors(st)
    elif os.path.isfile(os.path.join(path, "pytorch_model.bin")):
        # weights_only: a pickle that tries to build anything but tensors is refused
        sd = torch.load(os.path.join(path, "pytorch_model.bin"), map_location="cpu",
                        weights_only=True)
    else:
        raise FileNotFoundError(f"{path}: neither model.safetensors nor pytorch_model.bin")
    return {k: v.float() for k, v in sd.items()}


# -----------------------------------------------------------------------------
# checkpoints


def save_checkpoint(path, model, optimizer=None, step=0, run_config=None, tokenizer=None,
                    **extra):
    """Write atomically: to a temp file, then rename, so a kill mid-write never leaves a torn
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
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    torch.save(ckpt, tmp)
    os.replace(tmp, path)


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
