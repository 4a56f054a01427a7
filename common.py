"""
What the four scripts of the recipe share, in one place so that no script imports another for
plumbing: the optimizer and learning-rate schedule, the summed token loss, the loop of the short
fine-tuning stages (evaluator, step 3), solving problems with the model, the greedy accuracy
report (the project's files are read and written by records.py). Step 1's own loop
(accumulation, DDP, resume) is in train_sft.py; the evaluator's example, scores and losses are
in evaluator.py.
"""
import argparse
import math
import sys
from contextlib import nullcontext
from dataclasses import dataclass

import torch
from tqdm import tqdm

from data import DataError, decode, encode, eos_id, generator_prompt, left_pad, length_chunks
from grade import extract_answer, is_equiv
from model import token_cross_entropy, weights_hash
from records import mean_by_group


# -----------------------------------------------------------------------------
# running a script


def add_stage_flags(p, lr, min_lr):
    """The optimisation and system flags of the short fine-tuning stages, the same in
    train_verifier.py and train_joint.py (each with its own learning rates)."""
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--min_lr", type=float, default=min_lr)
    p.add_argument("--warmup_steps", type=int, default=20)
    p.add_argument("--weight_decay", type=float, default=0.1)
    p.add_argument("--beta2", type=float, default=0.99)
    p.add_argument("--grad_clip", type=float, default=1.0)
    p.add_argument("--dtype", default="bfloat16", choices=["float32", "bfloat16"],
                   help="autocast dtype on CUDA (CPU always runs float32)")
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--no_progress", action="store_true")


def add_sweep_flags(p, settings, runs, out, script):
    """The flags of a validation sweep over named settings (results/*_settings.py): which
    settings, where the runs and the JSON go, --rerun, --render, and --extra flags passed to
    every run of `script`."""
    p.add_argument("--settings", nargs="+", default=list(settings), choices=list(settings))
    p.add_argument("--runs", default=runs)
    p.add_argument("--out", default=out)
    p.add_argument("--rerun", action="store_true", help="run settings already in --out again")
    p.add_argument("--render", action="store_true", help="print the table of --out, run nothing")
    p.add_argument("--extra", nargs=argparse.REMAINDER, default=[],
                   help=f"more {script} flags for every run (tests: tiny budgets)")


def run_cli(main):
    """A script's entry point: bad input (a malformed file, a missing checkpoint, a wrong flag
    value) ends with one line that names it, not a traceback."""
    try:
        main()
    except (DataError, FileNotFoundError, ValueError) as e:
        sys.exit(f"error: {e}")


def refuse_other_flags(args, saved, free, what):
    """--resume goes on only with the flags the run was made with (`saved`, its run config),
    but those in `free`, which cannot change the result; `what` names the saved run in the
    error ("the checkpoint was trained", "PATH was made")."""
    for k, v in saved.items():
        if k not in free and getattr(args, k, v) != v:
            raise ValueError(f"--resume: --{k} is {getattr(args, k)!r} but {what} with {v!r}; "
                             "pass the same flags to resume")


# -----------------------------------------------------------------------------
# optimisation


def configure_optimizer(model, lr, weight_decay, beta2, kind="adamw", muon_lr=0.01):
    """AdamW; weight decay on matrices (dim >= 2) only, never on biases, LayerNorm or... the
    tied embedding counts as a matrix, as in nanoGPT. kind="muon": the transformer blocks'
    matrices get Muon at muon_lr instead (orthogonalised momentum, as in modded-nanogpt and
    nanochat), embeddings and norms keep AdamW at lr; one optimizer object either way. Each
    group's "lr_scale" is its learning rate over lr, so one schedule (lr_at) drives both."""
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    if kind == "muon":
        in_blocks = lambda n, p: p.dim() == 2 and ".h." in f".{n}"
        groups = [{"params": [p for n, p in named if in_blocks(n, p)], "use_muon": True,
                   "weight_decay": 0.0, "lr_scale": muon_lr / lr},
                  {"params": [p for n, p in named if p.dim() >= 2 and not in_blocks(n, p)],
                   "use_muon": False, "weight_decay": weight_decay, "lr_scale": 1.0},
                  {"params": [p for n, p in named if p.dim() < 2], "use_muon": False,
                   "weight_decay": 0.0, "lr_scale": 1.0}]
        return Muon(groups, lr=lr, betas=(0.9, beta2))
    if kind != "adamw":
        raise ValueError(f"--optimizer {kind!r}: expected adamw or muon")
    groups = [{"params": [p for _, p in named if p.dim() >= 2], "weight_decay": weight_decay,
               "lr_scale": 1.0},
              {"params": [p for _, p in named if p.dim() < 2], "weight_decay": 0.0, "lr_scale": 1.0}]
    fused = next(model.parameters()).device.type == "cuda"  # (the model is on its device)
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, beta2), fused=fused)


def set_lr(optimizer, lr):
    """The schedule's learning rate for this step, times each group's lr_scale."""
    for g in optimizer.param_groups:
        g["lr"] = lr * g.get("lr_scale", 1.0)


def orthogonalise(g, steps=5):
    """U V^T of g = U S V^T, approximately: a quintic Newton-Schulz iteration with Keller
    Jordan's coefficients (modded-nanogpt), which pushes every singular value towards 1
    without an SVD. g: (rows, cols) -> the same shape."""
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g / (g.norm() + 1e-7)  # singular values now <= 1
    wide = x.size(0) <= x.size(1)
    x = x if wide else x.T  # iterate on the (small x small) Gram matrix
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x if wide else x.T


class Muon(torch.optim.Optimizer):
    """Muon for groups with use_muon (2-D weights): Nesterov momentum, then the update
    orthogonalised (orthogonalise) and scaled by sqrt(max(1, rows/cols)); AdamW (decoupled
    weight decay, bias-corrected moments) for the other groups. One object, so checkpoints,
    resume and the schedule treat it like torch's AdamW."""

    def __init__(self, groups, lr, betas=(0.9, 0.99), momentum=0.95, eps=1e-8):
        super().__init__(groups, dict(lr=lr, betas=betas, momentum=momentum, eps=eps,
                                      weight_decay=0.0, use_muon=False))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, wd = group["lr"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if group["use_muon"]:
                    buf = state.setdefault("momentum", torch.zeros_like(p))
                    buf.mul_(group["momentum"]).add_(p.grad)
                    update = orthogonalise(p.grad.add(buf, alpha=group["momentum"]))
                    p.add_(update, alpha=-lr * max(1.0, p.size(0) / p.size(1)) ** 0.5)
                    continue
                b1, b2 = group["betas"]
                t = state["step"] = state.get("step", 0) + 1
                m = state.setdefault("exp_avg", torch.zeros_like(p))
                v = state.setdefault("exp_avg_sq", torch.zeros_like(p))
                m.lerp_(p.grad, 1 - b1)
                v.lerp_(p.grad * p.grad, 1 - b2)
                p.mul_(1 - lr * wd)
                denom = (v / (1 - b2 ** t)).sqrt_().add_(group["eps"])
                p.addcdiv_(m, denom, value=-lr / (1 - b1 ** t))


def lr_at(step, max_steps, lr, min_lr, warmup):
    """Linear warmup, then cosine decay from lr to min_lr at max_steps."""
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, max_steps - warmup))
    return min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (lr - min_lr)


def token_loss_sum(model, batch):
    """Sum (not mean) of the token cross-entropies over supervised targets, and their count:
    dividing by the step's total count gives the right gradient under accumulation."""
    logits, _ = model(batch["x"])
    return token_cross_entropy(logits, batch["y"], "sum"), (batch["y"] != -100).sum()


def train_steps(model, steps, next_loss, args, desc="train"):
    """The loop of the shorter fine-tuning stages (the evaluator, step 3's stages): the same
    AdamW, warmup + cosine schedule, clipping and autocast as step 1, single process, fresh
    optimizer; args holds add_stage_flags' settings. next_loss() returns the loss of the next
    batch (a stream: each call draws one). Returns (history, optimizer)."""
    optimizer = configure_optimizer(model, args.lr, args.weight_decay, args.beta2)
    autocast = autocast_for(args.device, args.dtype)
    model.train()
    history = []
    for step in tqdm(range(steps), desc=desc, disable=args.no_progress, dynamic_ncols=True):
        cur = lr_at(step, steps, args.lr, args.min_lr, args.warmup_steps)
        set_lr(optimizer, cur)
        with autocast:
            loss = next_loss()
        loss.backward()
        if args.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        history.append({"step": step + 1, "loss": loss.item(), "lr": cur})
        if args.no_progress and (step + 1) % max(1, steps // 10) == 0:  # no bar: a log line
            # at every tenth of the run, so a background run's log says how far it is
            print(f"{desc}: step {step + 1}/{steps}, loss {history[-1]['loss']:.4f}", flush=True)
    return history, optimizer


def autocast_for(device, dtype="bfloat16"):
    """bf16 (or --dtype) autocast on CUDA; nothing on CPU, which always runs float32."""
    if torch.device(device).type == "cuda":
        return torch.autocast("cuda", dtype=getattr(torch, dtype))
    return nullcontext()


# -----------------------------------------------------------------------------
# solving problems, reporting, writing


MAX_NEW_TOKENS = 160  # train_sft.py's --max_new_tokens; later steps read the SSFT run's


@dataclass(frozen=True)
class Sampling:
    """How solutions are drawn: greedy (temperature 0) or sampled, n per problem."""
    n: int = 1                      # solutions per problem
    temperature: float = 0.0        # 0: greedy
    top_p: float | None = None
    top_k: int | None = None
    max_new_tokens: int = MAX_NEW_TOKENS
    batch_size: int = 64            # rows per model.generate call (prompts x n)
    seed: int | None = None         # seeds a torch.Generator; None: the global RNG
    device: str = "cpu"


def run_sampling(run_config, device, **kw):
    """A Sampling with the SSFT run's max_new_tokens (every later step solves with it)."""
    return Sampling(max_new_tokens=run_config.get("max_new_tokens", MAX_NEW_TOKENS),
                    device=str(device), **kw)


@torch.no_grad()
def generate_solutions(model, tok, problems, cfg=Sampling(), progress=None, starts=None):
    """Solve each problem cfg.n times -> list (per problem) of list of solution texts.
    Prompts are sorted by length and left-padded in batches; with n > 1 each prompt is
    prefilled once and its KV cache copied (model.generate). progress: a label for a progress
    bar, or None for none. starts: per problem, the opening of the solution to continue (each
    returned text begins with it), or None to solve from the start."""
    model.eval()
    eos = eos_id(tok)
    starts = starts or [""] * len(problems)
    prompts = [encode(tok, generator_prompt(p) + (" " + s if s else ""))
               for p, s in zip(problems, starts)]
    block = model.config.block_size
    for i, pr in enumerate(prompts):
        if len(pr) + 1 > block:
            raise ValueError(f"problem {i} has a {len(pr)}-token prompt, longer than the "
                             f"context (block_size {block})")
    generator = (None if cfg.seed is None
                 else torch.Generator(device=cfg.device).manual_seed(cfg.seed))
    out = [None] * len(prompts)
    # on a GPU: attention over the whole cache (one shape for every step) and a look at which
    # rows are done every 8 steps, not at each (each look waits for the GPU); same tokens for
    # greedy decoding (tests/test_model.py)
    gpu = cfg.device.startswith("cuda")
    chunks = length_chunks([len(p) for p in prompts], max(1, cfg.batch_size // cfg.n))
    for chunk in tqdm(chunks, desc=progress, disable=progress is None, leave=False):
        idx, mask = left_pad([prompts[i] for i in chunk], eos)
        n_new = min(cfg.max_new_tokens, block - idx.size(1))
        seq = model.generate(idx.to(cfg.device), n_new, temperature=cfg.temperature,
                             top_k=cfg.top_k, top_p=cfg.top_p, eos_token_id=eos,
                             attention_mask=mask.to(cfg.device), generator=generator,
                             num_samples=cfg.n, static=gpu, check_every=8 if gpu else 1)
        new = seq[:, idx.size(1):].tolist()
        for j, i in enumerate(chunk):
            texts = []
            for row in new[j * cfg.n:(j + 1) * cfg.n]:
                if eos in row:
                    row = row[:row.index(eos)]
                texts.append((starts[i] + decode(tok, row)).strip())
            out[i] = texts
    return out


def generator_record(path, model):
    """What rows sampled from a model carry, to be checked by the step that reads them."""
    return {"path": path, "weights": weights_hash(model)}


def check_generator(rows, record, what):
    """Rows another step wrote from a generator (candidates, samples: each carries "generator",
    a generator_record) must come from the generator of `record` (this step's, generator_record);
    a mismatch is an error naming both. Rows written before the record existed pass unchecked."""
    for r in rows:
        g = r.get("generator")
        if g and g["weights"] != record["weights"]:
            raise DataError(f"{what} were sampled from {g['path']} (weights {g['weights']}), not "
                            f"from {record['path']} (weights {record['weights']}): sample them "
                            "from this model, or pass the generator they came from")


def accuracy_report(rows, solutions):
    """Greedy accuracy overall, by level and by type -> (metrics dict, graded rows)."""
    graded = []
    for r, sols in zip(rows, solutions):
        pred = extract_answer(sols[0])
        graded.append({"id": r["id"], "level": r["level"], "type": r["type"],
                       "problem": r["problem"], "gold": r["answer"], "prediction": pred,
                       "correct": is_equiv(pred, r["answer"]), "solution": sols[0]})
    report = mean_by_group(graded, ["correct"])
    metrics = {"pass@1": report["all"].get("correct", 0.0), "n_test": len(graded),
               **{f"by_{k}": {g: v["correct"] for g, v in report[f"by_{k}"].items()}
                  for k in ("level", "type")}}
    return metrics, graded


def print_failures(graded, k=3):
    """minGPT's habit: show what the model got wrong."""
    wrong = [g for g in graded if not g["correct"]][:k]
    for g in wrong:
        print(f"  WRONG [{g['type']}, level {g['level']}] {g['problem']}\n"
              f"    gold {g['gold']!r}, predicted {g['prediction']!r}\n"
              + "\n".join("    | " + line for line in g["solution"].splitlines()[-4:]))


def pyplot():
    """matplotlib.pyplot drawing to files (no display), or None, with a note, when matplotlib
    (an optional extra) is not installed."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: skipping the plot (pip install matplotlib)")
        return None
    return plt
