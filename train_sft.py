"""
Step 1 of the recipe: supervised solution fine-tuning (SSFT). The model reads a problem and is
trained to write the step-by-step solution ending in \\boxed{answer}, then EOS; the loss is
token cross-entropy on the solution tokens only (the prompt is never trained).

The embedded default (synthetic problems, the tiny base GPT that pretrain.py made from the
synthetic world's text, 2-core CPU, minutes: README's first-hour table):
    python train_sft.py
    python train_sft.py --init_from scratch --optimizer muon --muon_lr 0.01 --max_steps 1600
                                                                   # no base: slower, weaker
    python train_sft.py --style terse --out_dir out/sft-terse      # the paper's style finding
    python train_sft.py --resume                                   # continue a killed run

Real data and a pretrained model (GPT-2, a Llama or a Qwen2: docs/gpu.md) on one GPU:
    python train_sft.py --init_from gpt2 --dataset /path/to/MATH --device cuda \\
        --batch_size 8 --grad_accum 4 --lr 2e-5 --max_steps 3000 --block_size 1024 --compile
    python train_sft.py --init_from /models/Qwen2.5-0.5B --dataset /path/to/MATH ...

Several GPUs (or several CPU processes, gloo) on one machine:
    torchrun --standalone --nproc_per_node=4 train_sft.py --device cuda ...

Writes --out_dir (default out/sft): ckpt.pt (model, optimizer, step, config; atomic),
tokenizer.json, config.json, metrics.json (pass@1 on the test split, or --eval_split val,
by level and type), samples.jsonl (those greedy solutions).
"""
import argparse
import json
import os
import time
from contextlib import nullcontext
from dataclasses import dataclass

import torch
import torch.distributed as dist
from tqdm import tqdm

from common import (Sampling, accuracy_report, autocast_for, configure_optimizer,
                    generate_solutions, lr_at, print_failures, refuse_other_flags, run_cli,
                    set_lr, token_loss_sum)
from records import write_json, write_jsonl
from data import (N_FRESH, N_FRESH_REAL, N_TEST, N_TRAIN, N_VAL, SPLIT_KEYS, bucket_batches,
                  collate, encode_generator_examples, eos_id, generator_prompt, load_splits,
                  load_tokenizer, n_targets, split_by_length, to_device, train_tokenizer)
from model import GPT, GPTConfig, load_checkpoint, load_run, save_checkpoint

# the base pretrained on the synthetic world's text (pretrain.py); it never read a validation,
# test or fresh problem of the default splits (check_base)
BASE = "bases/world-4x128.pt"


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_data_flags(p)  # the problems: which dataset, how many, what is held out
    # model
    p.add_argument("--init_from", default=BASE,
                   help="a mathtune checkpoint (.pt: the committed base of pretrain.py by "
                        "default, or any run's), 'scratch', a GPT-2 hub name (gpt2, ...), a "
                        "hub org/name, or a local HF directory (gpt2, llama, qwen2)")
    p.add_argument("--vocab_size", type=int, default=1024, help="scratch: BPE vocabulary")
    p.add_argument("--n_layer", type=int, default=4)
    p.add_argument("--n_head", type=int, default=4)
    p.add_argument("--n_embd", type=int, default=128)
    p.add_argument("--block_size", type=int, default=256)
    p.add_argument("--dropout", type=float, default=0.0)
    add_optimisation_flags(p)  # batches, steps, the optimiser and its schedule
    # evaluation and output
    p.add_argument("--eval_interval", type=int, default=500)
    p.add_argument("--val_acc_problems", type=int, default=100,
                   help="validation problems solved greedily at each eval")
    p.add_argument("--max_new_tokens", type=int, default=160)
    p.add_argument("--eval_batch_size", type=int, default=256)
    p.add_argument("--eval_split", default="test", choices=["test", "val"],
                   help="the split solved greedily at the end: test for the final report, val "
                        "for sweeps and speedruns that must not read test")
    p.add_argument("--final_split", dest="eval_split", choices=["test", "val"],
                   help=argparse.SUPPRESS)  # the old name
    p.add_argument("--ckpt_interval", type=int, default=500)
    p.add_argument("--out_dir", default="out/sft")
    p.add_argument("--resume", action="store_true", help="continue from out_dir/ckpt.pt")
    p.add_argument("--stop_after", type=int, default=0,
                   help="checkpoint and exit at this step, as if killed (continue with --resume)")
    # system
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--dtype", default="bfloat16", choices=["float32", "bfloat16"],
                   help="autocast dtype on CUDA (CPU always runs float32)")
    p.add_argument("--compile", action="store_true", help="torch.compile the model")
    p.add_argument("--no_progress", action="store_true", help="no tqdm bars (logs only)")
    args = p.parse_args(argv)
    if args.n_fresh is None:  # resolved here, so the saved run config holds the number
        args.n_fresh = N_FRESH if args.dataset == "synthetic" else N_FRESH_REAL
    return args


def add_data_flags(p):
    """The problems: the dataset, the split sizes, the problems held out for the evaluator."""
    p.add_argument("--dataset", default="synthetic", help="'synthetic', a MATH directory, or a "
                   "directory with train.jsonl/test.jsonl (MATH500 or GSM8K rows)")
    p.add_argument("--style", default="detailed", choices=["detailed", "terse"],
                   help="solution style of the synthetic data")
    p.add_argument("--n_train", type=int, default=N_TRAIN, help="synthetic: training problems")
    p.add_argument("--n_val", type=int, default=N_VAL, help="synthetic: validation problems")
    p.add_argument("--n_test", type=int, default=N_TEST, help="synthetic: test problems")
    p.add_argument("--n_fresh", type=int, default=None,
                   help="problems held out of training for the evaluator's candidates and step "
                        f"3 (synthetic: drawn apart, disjoint in content; default {N_FRESH}; "
                        f"real data: the last n_fresh training rows, default {N_FRESH_REAL}); "
                        "0 = none; see train_verifier.py --candidates_from")
    p.add_argument("--data_seed", type=int, default=0, help="synthetic: generator seed")
    p.add_argument("--skip_long", action="store_true",
                   help="drop (and count) examples longer than the context instead of failing")


def add_optimisation_flags(p):
    """Batches, steps, the optimiser, its learning-rate schedule and the training seed."""
    p.add_argument("--batch_size", type=int, default=32, help="examples per micro-batch")
    p.add_argument("--grad_accum", type=int, default=1, help="micro-batches per step (per process)")
    p.add_argument("--bucket", type=int, default=1,
                   help="length bucketing: sort groups of this many batches by length (less "
                        "padding); 1 = random batches. Large groups make batches of one problem "
                        "type and slow learning (measured: docs/data.md, Calibration)")
    p.add_argument("--length_split", type=int, default=3,
                   help="cut each micro-batch into this many length-sorted pieces, each padded "
                        "only to its own longest example: the same examples and the same "
                        "gradient (token-summed losses), less padding computed (speed-up: "
                        "bench/bench_recipe.py, docs/model.md)")
    p.add_argument("--max_steps", type=int, default=800)
    p.add_argument("--optimizer", default="adamw", choices=["adamw", "muon"],
                   help="muon: Muon for the transformer blocks' matrices (at --muon_lr), AdamW "
                        "for embeddings and norms (at --lr)")
    p.add_argument("--muon_lr", type=float, default=0.01,
                   help="Muon's peak learning rate (the from-scratch sweep's choice, "
                        "docs/speedrun.md). Muon's matrices take no weight decay: "
                        "--weight_decay reaches only the AdamW group's (the embeddings)")
    p.add_argument("--lr", type=float, default=1e-3,
                   help="peak rate (fine-tuning the base; from scratch 3e-3 with AdamW)")
    p.add_argument("--min_lr", type=float, default=1e-4)
    p.add_argument("--warmup_steps", type=int, default=50)
    p.add_argument("--weight_decay", type=float, default=0.1)
    p.add_argument("--beta2", type=float, default=0.99)
    p.add_argument("--grad_clip", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1337)


# -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dist:
    """Where this process runs: rank `rank` of `world` processes (torchrun; 0 of 1 without
    it), on `device`, its forward passes under `autocast`."""
    rank: int = 0
    world: int = 1
    device: str = "cpu"
    autocast: object = nullcontext()

    @property
    def master(self):
        return self.rank == 0


def setup_distributed(device, dtype):
    """torchrun sets RANK/WORLD_SIZE; returns this process's Dist."""
    if "RANK" not in os.environ:
        return Dist(0, 1, device, autocast_for(device, dtype))
    backend = "nccl" if device.startswith("cuda") else "gloo"
    dist.init_process_group(backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    if device.startswith("cuda"):
        device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}"
        torch.cuda.set_device(device)
    return Dist(rank, world, device, autocast_for(device, dtype))




def check_base(args):
    """A base from pretrain.py left out the validation, test and fresh problems of one split
    configuration; refuse it for any other (it may have read their problems), and refuse a
    model fine-tuned from it just the same: the split flags a lineage must keep are recorded in
    every run config it passes through (args.base_splits, saved with the run)."""
    if not args.init_from.endswith(".pt") or (args.resume and not os.path.isfile(args.init_from)):
        return
    if args.init_from == BASE and not os.path.isfile(BASE):
        raise FileNotFoundError(f"--init_from {BASE} (the default base) does not exist: run "
                                "python pretrain.py (from the repository root), or pass "
                                "--init_from scratch")
    rc = load_checkpoint(args.init_from)[1]["run_config"]
    kept = {k: rc[k] for k in SPLIT_KEYS} if rc.get("base") else rc.get("base_splits")
    if not kept:
        return
    args.base_splits = kept
    what = "was pretrained" if rc.get("base") else "descends from a base pretrained"
    if args.dataset != "synthetic":
        raise ValueError(f"--init_from {args.init_from} {what} on the synthetic world; for "
                         f"--dataset {args.dataset} pass --init_from gpt2 (or a local HF "
                         "directory) or scratch")
    for k, v in kept.items():
        if getattr(args, k) != v:
            raise ValueError(f"--init_from {args.init_from} {what} without the held-out "
                             f"problems of --{k} {v}, not {getattr(args, k)}: it may have "
                             "read your validation, test or fresh problems. Keep that flag, "
                             f"pretrain a base for yours (python pretrain.py --{k} ...), or "
                             "pass --init_from scratch")


def build_tokenizer(args, train_rows, out_dir):
    """A scratch model gets a BPE trained on the training split; a pretrained one its own."""
    if args.init_from == "scratch":
        from data import generator_target
        texts = [generator_prompt(r["problem"]) + generator_target(r["solution"]) for r in train_rows]
        tok = train_tokenizer(texts, args.vocab_size)
    elif args.init_from.endswith(".pt"):
        tok = load_run(args.init_from)[1]
    else:
        from model import resolve_pretrained_dir
        tok = load_tokenizer(resolve_pretrained_dir(args.init_from))
    os.makedirs(out_dir, exist_ok=True)
    tok.save(os.path.join(out_dir, "tokenizer.json"))
    return tok


def build_model(args, vocab_size):
    if args.init_from == "scratch":
        cfg = GPTConfig(block_size=args.block_size, vocab_size=vocab_size, n_layer=args.n_layer,
                        n_head=args.n_head, n_embd=args.n_embd, dropout=args.dropout, bias=False)
        return GPT(cfg)
    if args.init_from.endswith(".pt"):
        return load_run(args.init_from)[0]
    model = GPT.from_pretrained(args.init_from, dropout=args.dropout)
    if args.block_size > model.config.block_size:
        raise ValueError(f"--block_size {args.block_size} exceeds {args.init_from}'s context "
                         f"{model.config.block_size}")
    return model


def accumulate_gradients(model, micro_batches, n_total, world=1, autocast=nullcontext()):
    """Backward over this rank's micro-batches so that the gradient is
        sum over every target token of the step (all micro-batches, all ranks) / n_total,
    not a mean of per-batch means (wrong once target lengths vary). DDP syncs gradients only
    on the last micro-batch. Returns this rank's summed token loss."""
    loss_sum = 0.0
    for j, batch in enumerate(micro_batches):
        last = j == len(micro_batches) - 1
        sync = model.no_sync() if world > 1 and not last else nullcontext()
        with sync, autocast:
            l, _ = token_loss_sum(model, batch)
            # DDP averages gradients over ranks: multiply by world to keep the plain sum
            (l * world / n_total).backward()
        loss_sum += l.item()
    return loss_sum


def batches_for_step(step, micro_per_step, epoch_batches):
    """The micro-batch (epoch, index) pairs of optimizer step `step`; a pure function of the
    step, so a resumed run sees exactly the data the straight run would have."""
    nb = len(epoch_batches(0))
    out = []
    for k in range(step * micro_per_step, (step + 1) * micro_per_step):
        out.append(epoch_batches(k // nb)[k % nb])
    return out


# -----------------------------------------------------------------------------


def optimizer_step(model, optimizer, exs, args, pad, proc):
    """One optimizer step over exs, the step's micro-batches of every rank (lists of (ids, mask)
    examples); this rank takes its share. Returns (mean token loss of the whole step, tokens
    this rank computed). The target-token count of all micro-batches is known up front (the
    batch plan is deterministic), so each micro-loss is its sum / n_total."""
    n_total = sum(n_targets(e) for e in exs)
    mine = [to_device(collate(piece, pad), proc.device) for e in exs[proc.rank::proc.world]
            for piece in split_by_length(e, args.length_split)]
    loss_sum = accumulate_gradients(model, mine, n_total, proc.world, proc.autocast)
    if args.grad_clip > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    if proc.world > 1:
        t = torch.tensor([loss_sum], device=proc.device)
        dist.all_reduce(t)
        loss_sum = t.item()
    return loss_sum / n_total, sum(b["x"].numel() for b in mine)


def resume_or_build_tokenizer(args, train_rows, master, world):
    """(tokenizer, resumed model or None, resumed checkpoint or None). --resume refuses flags
    that differ from the checkpoint's (other than those that cannot change the result)."""
    ckpt_path = os.path.join(args.out_dir, "ckpt.pt")
    if args.resume:
        if not os.path.isfile(ckpt_path):
            raise FileNotFoundError(f"--resume: {ckpt_path} does not exist")
        model, tok, ckpt = load_run(ckpt_path)
        if "base_splits" in ckpt["run_config"]:  # the lineage's split flags stay recorded
            args.base_splits = ckpt["run_config"]["base_splits"]
        free = {"resume", "stop_after", "no_progress", "device", "compile", "eval_batch_size",
                "length_split"}
        refuse_other_flags(args, ckpt["run_config"], free, "the checkpoint was trained")
        tok.save(os.path.join(args.out_dir, "tokenizer.json"))
        return tok, model, ckpt
    tok = build_tokenizer(args, train_rows, args.out_dir) if master else None
    if world > 1:  # rank 0 wrote it; the others read it
        dist.barrier()
        tok = tok or load_tokenizer(os.path.join(args.out_dir, "tokenizer.json"))
    return tok, None, None


def model_and_optimizer(args, tok, resumed, ckpt, proc, log):
    """(model, optimizer, step, history): new ones, or with --resume the checkpoint's, with this
    rank's RNG state restored."""
    model = resumed or build_model(args, tok.get_vocab_size())
    if model.config.vocab_size < tok.get_vocab_size():
        raise ValueError(f"tokenizer has {tok.get_vocab_size()} tokens, model only "
                         f"{model.config.vocab_size}")
    if args.block_size > model.config.block_size:
        raise ValueError(f"--block_size {args.block_size} exceeds the model's context "
                         f"{model.config.block_size}")
    model.to(proc.device)
    log(f"model: {model.num_params() / 1e6:.2f}M parameters, {model.config}")
    optimizer = configure_optimizer(model, args.lr, args.weight_decay, args.beta2, args.optimizer,
                                    args.muon_lr)
    if not ckpt:
        return model, optimizer, 0, []
    optimizer.load_state_dict(ckpt["optimizer"])
    rng = ckpt["rng"]
    torch.set_rng_state(rng[proc.rank] if proc.rank < len(rng) else rng[0])
    log(f"resumed from {args.out_dir}/ckpt.pt at step {ckpt['step']}")
    return model, optimizer, ckpt["step"], ckpt.get("history", [])


@torch.no_grad()
def mean_val_loss(model, val_ex, pad, batch_size, proc):
    """Token cross-entropy over every validation solution token."""
    model.eval()
    tot, n = 0.0, 0
    for s in range(0, len(val_ex), batch_size):
        b = to_device(collate(val_ex[s:s + batch_size], pad), proc.device)
        with proc.autocast:
            l, c = token_loss_sum(model, b)
        tot, n = tot + l.item(), n + c.item()
    model.train()
    return tot / n


def solve_sharded(model, tok, rows, args, proc, desc):
    """Greedy solutions of rows, sharded over ranks, gathered on every rank."""
    world = proc.world
    mine = rows[proc.rank::world]
    with proc.autocast:
        sols = generate_solutions(
            model, tok, [r["problem"] for r in mine],
            Sampling(max_new_tokens=args.max_new_tokens, batch_size=args.eval_batch_size,
                     device=str(proc.device)),
            desc if proc.master and not args.no_progress else None)
    model.train()
    if world == 1:
        return sols
    parts = [None] * world
    dist.all_gather_object(parts, sols)
    sols = [None] * len(rows)
    for r, part in enumerate(parts):
        sols[r::world] = part
    return sols


def final_report(raw_model, tok, rows, args, proc, totals):
    """Greedy accuracy on the final split's rows (sharded over ranks), with the run's numbers;
    rank 0 writes it. totals = (steps, history, training seconds, tokens this rank computed)."""
    step, history, train_time, tokens_seen = totals
    metrics, graded = accuracy_report(rows, solve_sharded(raw_model, tok, rows, args, proc,
                                                          args.eval_split))
    metrics.update(split=args.eval_split, train_seconds=round(train_time, 1), steps=step,
                   tokens_per_s=round(tokens_seen * proc.world / max(train_time, 1e-9)),
                   final_train_loss=history[-1]["loss"] if history else None, history=history)
    if proc.master:
        write_report(args, metrics, graded, print)
    return metrics


def write_report(args, metrics, graded, log):
    n_ok = sum(g["correct"] for g in graded)
    log(f"{args.eval_split} greedy accuracy (pass@1): {metrics['pass@1']:.4f} "
        f"({n_ok}/{len(graded)} correct), "
        f"train {metrics['train_seconds']:.0f}s")
    for k, v in metrics["by_level"].items():
        log(f"  level {k}: {v:.3f}")
    for k, v in metrics["by_type"].items():
        log(f"  {k}: {v:.3f}")
    print_failures(graded)
    write_json(os.path.join(args.out_dir, "metrics.json"), metrics)
    write_json(os.path.join(args.out_dir, "config.json"), vars(args))
    write_jsonl(os.path.join(args.out_dir, "samples.jsonl"), graded)


def epoch_plan(train_ex, args):
    """epoch -> that epoch's batches (lists of example indices): random, or length-bucketed
    with --bucket; reshuffled each epoch, a pure function of (epoch, seed). One epoch cached."""
    lengths = [len(ids) for ids, _ in train_ex]
    cache = {}

    def epoch_batches(epoch):
        if epoch not in cache:
            cache.clear()
            cache[epoch] = bucket_batches(lengths, args.batch_size, seed=args.seed + epoch,
                                          bucket=args.bucket)
        return cache[epoch]
    return epoch_batches


def save_run(trained, step, history, args, tok, proc):
    """The checkpoint, with every rank's RNG state so that dropout continues exactly on
    resume; written by rank 0 only (atomically: model.save_checkpoint). trained = (the model
    without compile/DDP wrappers, its optimizer)."""
    raw_model, optimizer = trained
    rng = [torch.get_rng_state()]
    if proc.world > 1:
        rng = [None] * proc.world
        dist.all_gather_object(rng, torch.get_rng_state())
    if proc.master:
        save_checkpoint(os.path.join(args.out_dir, "ckpt.pt"), raw_model, optimizer, step,
                        vars(args), tok, rng=rng, history=history)


def evaluate_now(raw_model, tok, data, args, proc, entry):
    """The periodic evaluation, added to the history entry of this step: validation loss, and
    (before the last step, after which the final split is solved anyway) greedy accuracy on
    the first --val_acc_problems validation problems. data = (val_ex, val_rows, pad).
    Returns the seconds it took (the speedrun's clock leaves them out)."""
    t0, (val_ex, val_rows, pad), step = time.time(), data, entry["step"]
    entry["val_loss"] = mean_val_loss(raw_model, val_ex, pad, args.batch_size, proc)
    msg = f"step {step}: train loss {entry['loss']:.4f}, val loss {entry['val_loss']:.4f}"
    if step < args.max_steps:
        rows = val_rows[:args.val_acc_problems]
        entry["val_acc"] = accuracy_report(rows, solve_sharded(raw_model, tok, rows, args, proc,
                                                               "val"))[0]["pass@1"]
        msg += f", val greedy acc {entry['val_acc']:.3f} ({len(rows)} problems)"
    if proc.master:
        tqdm.write(msg)
    return time.time() - t0


def main(argv=None):
    args = get_args(argv)
    proc = setup_distributed(args.device, args.dtype)
    torch.manual_seed(args.seed + proc.rank)
    log = print if proc.master else (lambda *a, **k: None)
    log(f"config: {json.dumps(vars(args))}\nwriting to {args.out_dir}/ckpt.pt")
    check_base(args)

    # data: the same function decides the splits for every later script (load_run_splits) -----
    splits = load_splits(args.dataset, style=args.style, n_train=args.n_train, n_val=args.n_val,
                         n_test=args.n_test, seed=args.data_seed, report=log, n_fresh=args.n_fresh)
    tok, resumed, ckpt = resume_or_build_tokenizer(args, splits["train"], proc.master, proc.world)
    train_ex, val_ex = (encode_generator_examples(tok, splits[k], args.block_size, args.skip_long,
                                                  log) for k in ("train", "val"))
    pad, epoch_batches = eos_id(tok), epoch_plan(train_ex, args)

    # model and optimizer (or both as they were, with --resume) --------------------------------
    raw_model, optimizer, step, history = model_and_optimizer(args, tok, resumed, ckpt, proc, log)
    model = torch.compile(raw_model) if args.compile else raw_model
    if proc.world > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)

    # train --------------------------------------------------------------------------------
    micro_per_step = args.grad_accum * proc.world  # micro-batches in one optimizer step, all ranks
    model.train()
    t0, tokens_seen, eval_seconds, stopped = time.time(), 0, 0.0, False
    bar = tqdm(total=args.max_steps, initial=step, disable=not proc.master or args.no_progress,
               desc="sft", dynamic_ncols=True)
    while step < args.max_steps and not stopped:
        lr = lr_at(step, args.max_steps, args.lr, args.min_lr, args.warmup_steps)
        set_lr(optimizer, lr)
        exs = [[train_ex[i] for i in b] for b in batches_for_step(step, micro_per_step,
                                                                   epoch_batches)]
        loss, tokens = optimizer_step(model, optimizer, exs, args, pad, proc)
        tokens_seen, step = tokens_seen + tokens, step + 1
        stopped = step == args.stop_after  # --stop_after: checkpoint and exit as if killed
        # seconds of training so far, evaluations left out (bench/speedrun.py reads them)
        history.append({"step": step, "loss": loss, "lr": lr,
                        "seconds": round(time.time() - t0 - eval_seconds, 2)})
        bar.set_postfix(loss=f"{loss:.3f}", lr=f"{lr:.1e}",
                        tok_s=f"{tokens_seen * proc.world / (time.time() - t0):.0f}")
        bar.update(1)
        if step % args.eval_interval == 0 or step == args.max_steps:
            eval_seconds += evaluate_now(raw_model, tok, (val_ex, splits["val"], pad), args, proc,
                                         history[-1])
        if step % args.ckpt_interval == 0 or step == args.max_steps or stopped:
            save_run((raw_model, optimizer), step, history, args, tok, proc)
    bar.close()
    train_time = time.time() - t0

    # the final greedy report (not after --stop_after: the run is not finished) ---------------
    metrics = None
    if stopped:
        log(f"--stop_after {step}: checkpoint written, exiting; continue with --resume")
    else:
        metrics = final_report(raw_model, tok, splits[args.eval_split], args, proc,
                               (step, history, train_time, tokens_seen))
    if proc.world > 1:
        dist.destroy_process_group()
    return metrics


if __name__ == "__main__":
    run_cli(main)
