"""
Parity of model.py's Llama and Qwen2 paths with transformers, printed per case: random tiny
models of each family (saved by transformers' save_pretrained, with weights large enough that
the logits reach several units, random norms and q/k/v biases), loaded by GPT.from_pretrained.
The same models are the oracle cases of tests/test_model.py, which asserts these figures.

    python -m bench.family_parity        # CPU, float32

For each case: the largest logit difference on 3 x 40 random tokens, the largest logit, and
whether 20 greedy tokens equal transformers' generate.
"""
import tempfile

import torch

from model import GPT

CASES = {  # name: (model_type, the config's differences from a tiny base)
    "llama-gqa-untied": ("llama", dict(num_key_value_heads=2, tie_word_embeddings=False)),
    "llama-tied-llama3-rope": ("llama", dict(
        num_key_value_heads=1, tie_word_embeddings=True, rope_theta=500000.0,
        rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                      "high_freq_factor": 4.0, "original_max_position_embeddings": 8})),
    "qwen2-biases-gqa": ("qwen2", dict(num_key_value_heads=2, tie_word_embeddings=False)),
    "qwen2-tied": ("qwen2", dict(num_key_value_heads=4, tie_word_embeddings=True)),
}


def hf_family_model(case, seed=0):
    """A random tiny Llama / Qwen2 from transformers whose weights are large enough (and
    norms and q/k/v biases random) that a missed copy, a wrong rotary layout or a wrong
    kv-head order moves the logits far beyond 1e-4."""
    import transformers
    kind, extra = CASES[case]
    cls = {"llama": (transformers.LlamaConfig, transformers.LlamaForCausalLM),
           "qwen2": (transformers.Qwen2Config, transformers.Qwen2ForCausalLM)}[kind]
    cfg = cls[0](vocab_size=97, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                 num_attention_heads=4, max_position_embeddings=128, rms_norm_eps=1e-6,
                 **extra)
    torch.manual_seed(seed)
    m = cls[1](cfg).eval()
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.copy_(1 + 0.2 * torch.randn_like(p) if "norm" in name else 0.3 * torch.randn_like(p))
    return m


@torch.no_grad()
def parity(hf, ours):
    """(largest |logit difference|, largest |logit|, greedy tokens equal) on fixed inputs."""
    idx = torch.randint(0, 97, (3, 40), generator=torch.Generator().manual_seed(1))
    ref, got = hf(idx).logits, ours(idx)[0]
    prompt = idx[:1, :5]
    ref_tokens = hf.generate(prompt, max_new_tokens=20, do_sample=False, pad_token_id=0,
                             eos_token_id=None, attention_mask=torch.ones_like(prompt))
    same = torch.equal(ours.generate(prompt, 20, temperature=0), ref_tokens)
    return (got - ref).abs().max().item(), ref.abs().max().item(), same


def main():
    import transformers
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, float32, CPU")
    for case in CASES:
        hf = hf_family_model(case)
        with tempfile.TemporaryDirectory() as d:
            hf.save_pretrained(d)
            diff, top, same = parity(hf, GPT.from_pretrained(d).eval())
        print(f"{case:24s} max |logit diff| {diff:.2e} (max |logit| {top:.1f}); "
              f"20 greedy tokens equal: {same}")


if __name__ == "__main__":
    main()
