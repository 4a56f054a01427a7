"""
What pretraining a base costs on this machine, by model size: pretrain.py's training step
(forward, backward, clipping, Muon + AdamW) at its defaults (32 windows of 256 tokens), timed
after a warm-up on random token windows (the step's cost does not depend on the tokens).
Not a test: run it with nothing else on the CPU.

    python -m bench.pretrain_cost                            # 4x128, 6x192, 8x256
    python -m bench.pretrain_cost --render                   # docs/speedrun.md's table
    python -m bench.pretrain_cost --sizes 1x32 --steps 2 --out /tmp/c.json   # a quick try

Writes --out (bench/pretrain_cost.json): seconds a step per size, the machine and versions.
"""
import argparse
import time

import torch

from bench.first_hour import machine
from common import configure_optimizer
from model import GPT, GPTConfig
from pretrain import get_args as pretrain_args
from pretrain import random_windows
from records import write_json, read_json


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--sizes", nargs="+", default=["4x128", "6x192", "8x256"],
                   help="LAYERSxWIDTH, one head per 32 channels")
    p.add_argument("--steps", type=int, default=10, help="timed steps (after 3 warm-up steps)")
    p.add_argument("--out", default="bench/pretrain_cost.json")
    p.add_argument("--render", action="store_true", help="print --out's table, run nothing")
    return p.parse_args(argv)


def seconds_per_step(n_layer, n_embd, steps, d):
    """(seconds a step, parameters) of pretrain.py's step at its defaults `d` for one size."""
    torch.manual_seed(0)
    cfg = GPTConfig(block_size=d.block_size, vocab_size=d.vocab_size, n_layer=n_layer,
                    n_head=max(1, n_embd // 32), n_embd=n_embd, bias=False)
    model = GPT(cfg)
    opt = configure_optimizer(model, d.lr, d.weight_decay, 0.99, "muon", d.muon_lr)
    stream = torch.randint(d.vocab_size, (200_000,))
    gen = torch.Generator().manual_seed(0)

    def step():
        x, y = random_windows(stream, d.batch_size, d.block_size, gen)
        _, loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), d.grad_clip)
        opt.step()
        opt.zero_grad(set_to_none=True)

    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps, model.num_params()


def render(saved):
    """One row a size: seconds a step and what a base of the committed base's steps costs."""
    d = saved["defaults"]
    tokens = d["batch_size"] * d["block_size"]
    lines = [f"| model | parameters | s / step | tokens / s | {d['max_steps']:,} steps (the "
             "committed base's) | 3,500 steps |", "|---|---|---|---|---|---|"]
    for r in saved["rows"]:
        s = r["seconds_per_step"]
        lines.append(f"| {r['size']} | {r['params'] / 1e6:.2f}M | {s:.2f} | {tokens / s:,.0f} | "
                     f"{s * d['max_steps'] / 60:.0f} min | {s * 3500 / 60:.0f} min |")
    lines.append(f"\n{saved['machine']}, torch {saved['torch']}, {saved['threads']} threads; "
                 f"{saved['steps']} timed steps of {d['batch_size']} x {d['block_size']} tokens "
                 "after 3 warm-up steps.")
    return "\n".join(lines)


def main(argv=None):
    args = get_args(argv)
    if args.render:
        saved = read_json(args.out, None)
        if saved is None:
            raise FileNotFoundError(f"--render: {args.out} does not exist (run "
                                    "python -m bench.pretrain_cost first)")
        print(render(saved))
        return saved
    d = pretrain_args([])
    rows = []
    for size in args.sizes:
        n_layer, n_embd = (int(v) for v in size.split("x"))
        s, n = seconds_per_step(n_layer, n_embd, args.steps, d)
        rows.append({"size": size, "params": n, "seconds_per_step": round(s, 4)})
        print(f"{size}: {n / 1e6:.2f}M parameters, {s:.3f} s a step")
    saved = {"rows": rows, "steps": args.steps, "machine": machine(), "torch": torch.__version__,
             "threads": torch.get_num_threads(),
             "defaults": {k: getattr(d, k) for k in ("batch_size", "block_size", "max_steps")}}
    write_json(args.out, saved)
    print(render(saved))
    return saved


if __name__ == "__main__":
    main()
