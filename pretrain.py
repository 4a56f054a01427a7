"""
Step 0 (ours, not the paper's): pretrain a small base model on the synthetic world's text.
The paper fine-tunes a pretrained model (PaLM 2) that already knows arithmetic and has read
mathematics; a GPT trained from scratch on 12,500 solutions spends most of its SSFT steps
learning that 4 - 1 = 3. This script is the analogue: plain next-token prediction over a
stream of problems of the world, each followed by one of its solutions (detailed or terse),
packed into full context windows (no padding, no prompt template, no loss mask). Every
problem of the validation, test and fresh splits (of the run configuration below) is left
out by content key, so the base never reads what a run is measured on or what the
evaluator's candidates come from. train_sft.py starts from the committed result by default
and refuses to pair it with other splits.

    python pretrain.py                                    # writes bases/world-4x128.pt
    python pretrain.py --max_steps 20 --out /tmp/base.pt  # a quick try
    python pretrain.py --resume                           # continue a killed run

Writes --out (atomic; model, tokenizer and this run config inside; no optimizer state, so
it stays small) and --out with .json: the run config, the losses and the training time.
Every --save_every steps it also writes --out with .resume.pt (model, optimizer, data RNG,
losses so far; atomic), which --resume continues from and the finished run deletes.
"""
import argparse
import json
import os
import time

import torch
from tqdm import tqdm

from common import configure_optimizer, lr_at, refuse_other_flags, run_cli, set_lr
from records import write_json
from data import (N_FRESH, N_TEST, N_TRAIN, N_VAL, encode, eos_id, generator_prompt,
                  generator_target, train_tokenizer)
from data import world
from model import GPT, GPTConfig, save_checkpoint


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--n_docs", type=int, default=200_000, help="problems (with a solution each)")
    p.add_argument("--corpus_seed", type=int, default=1)
    # the splits left out (train_sft.py's defaults)
    p.add_argument("--n_train", type=int, default=N_TRAIN)
    p.add_argument("--n_val", type=int, default=N_VAL)
    p.add_argument("--n_test", type=int, default=N_TEST)
    p.add_argument("--n_fresh", type=int, default=N_FRESH)
    p.add_argument("--data_seed", type=int, default=0)
    # model (train_sft.py's scratch defaults)
    p.add_argument("--vocab_size", type=int, default=1024)
    p.add_argument("--n_layer", type=int, default=4)
    p.add_argument("--n_head", type=int, default=4)
    p.add_argument("--n_embd", type=int, default=128)
    p.add_argument("--block_size", type=int, default=256)
    # optimisation
    p.add_argument("--batch_size", type=int, default=32, help="windows of block_size tokens")
    p.add_argument("--max_steps", type=int, default=8000, help="the committed base's")
    p.add_argument("--muon_lr", type=float, default=0.01)
    p.add_argument("--lr", type=float, default=3e-3, help="AdamW (embeddings, norms)")
    p.add_argument("--min_lr", type=float, default=3e-4)
    p.add_argument("--warmup_steps", type=int, default=50)
    p.add_argument("--weight_decay", type=float, default=0.1)
    p.add_argument("--grad_clip", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--out", default="bases/world-4x128.pt")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--no_progress", action="store_true")
    p.add_argument("--save_every", type=int, default=500, help="steps between resume points")
    p.add_argument("--resume", action="store_true", help="continue from --out's .resume.pt")
    p.add_argument("--stop_after", type=int, default=None,
                   help="write the resume point and exit at this step, as if killed")
    return p.parse_args(argv)


# flags that cannot change the result, so a resumed run may pass other values
FREE_ON_RESUME = {"device", "no_progress", "save_every", "resume", "stop_after"}


def resume_path(args):
    return os.path.splitext(args.out)[0] + ".resume.pt"


def save_resume_point(args, model, tok, optimizer, gen, progress):
    """Everything a killed run needs to go on exactly as the straight run would have;
    progress = {"step", "history", "seconds"} so far."""
    save_checkpoint(resume_path(args), model, optimizer, step=progress["step"],
                    run_config=vars(args), tokenizer=tok, history=progress["history"],
                    seconds=progress["seconds"], data_rng=gen.get_state(),
                    torch_rng=torch.get_rng_state())


def load_resume_point(args, model, optimizer, gen):
    """(step, history, seconds) of the resume point, its state loaded into model, optimizer
    and gen; refuses a resume point made with other flags."""
    path = resume_path(args)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"--resume: {path} does not exist")
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    refuse_other_flags(args, ckpt["run_config"], FREE_ON_RESUME, f"{path} was made")
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optimizer"])
    gen.set_state(ckpt["data_rng"])
    torch.set_rng_state(ckpt["torch_rng"])
    return ckpt["step"], ckpt["history"], ckpt["seconds"]


def held_out_keys(args):
    """Content keys of the validation, test and fresh problems of the run configuration."""
    made = world.make_splits(args.n_train, args.n_val, args.n_test, args.data_seed,
                                 args.n_fresh)
    return {r["key"] for split in ("val", "test", "fresh") for r in made[split]}


def token_stream(tok, texts):
    """All documents as one 1-D tensor of token ids, each followed by EOS (GPT-2's format)."""
    eos = eos_id(tok)
    ids = []
    for t in texts:
        ids += encode(tok, t) + [eos]
    return torch.tensor(ids, dtype=torch.long)


def random_windows(stream, batch_size, block_size, gen):
    """(x, y), each (batch_size, block_size): windows at random offsets, y shifted by one."""
    starts = torch.randint(len(stream) - block_size - 1, (batch_size,), generator=gen)
    x = torch.stack([stream[s:s + block_size] for s in starts])
    y = torch.stack([stream[s + 1:s + block_size + 1] for s in starts])
    return x, y


def main(argv=None):
    args = get_args(argv)
    torch.manual_seed(args.seed)
    print(f"config: {json.dumps(vars(args))}")
    held = held_out_keys(args)
    texts, keys = world.pretraining_corpus(args.n_docs, held, args.corpus_seed)
    # the tokenizer is trained on the text as SSFT will show it (template included), so the
    # fine-tuning prompts tokenize as well as the pretraining text
    cut = [t.split("\n", 1) for t in texts[:20_000]]
    tok = train_tokenizer([generator_prompt(p) + generator_target(s) for p, s in cut],
                          args.vocab_size)
    stream = token_stream(tok, texts)
    print(f"corpus: {len(texts)} problems ({len(keys)} distinct, {len(held)} held-out keys "
          f"left out), {len(stream) / 1e6:.1f}M tokens")
    cfg = GPTConfig(block_size=args.block_size, vocab_size=tok.get_vocab_size(),
                    n_layer=args.n_layer, n_head=args.n_head, n_embd=args.n_embd, bias=False)
    model = GPT(cfg).to(args.device)
    optimizer = configure_optimizer(model, args.lr, args.weight_decay, 0.99,
                                    "muon", args.muon_lr)
    gen = torch.Generator().manual_seed(args.seed)
    start, history, before = 0, [], 0.0
    if args.resume:
        start, history, before = load_resume_point(args, model, optimizer, gen)
        print(f"resumed from {resume_path(args)} at step {start}")
    t0 = time.time() - before  # seconds count training only, across resumes
    model.train()
    for step in tqdm(range(start, args.max_steps), desc="pretrain", initial=start,
                     total=args.max_steps, disable=args.no_progress, dynamic_ncols=True):
        set_lr(optimizer, lr_at(step, args.max_steps, args.lr, args.min_lr, args.warmup_steps))
        x, y = random_windows(stream, args.batch_size, args.block_size, gen)
        _, loss = model(x.to(args.device), y.to(args.device))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if step == 0 or (step + 1) % 100 == 0 or step + 1 == args.max_steps:
            history.append({"step": step + 1, "loss": round(loss.item(), 4),
                            "seconds": round(time.time() - t0, 1)})
        done = step + 1
        if done == args.stop_after or (done % args.save_every == 0 and done < args.max_steps):
            save_resume_point(args, model, tok, optimizer, gen, {
                "step": done, "history": history, "seconds": time.time() - t0})
            if done == args.stop_after:
                print(f"stopped at step {done}: continue with --resume")
                return history
    seconds = time.time() - t0
    run_config = {**vars(args), "base": True, "distinct_problems": len(keys),
                  "tokens": len(stream)}
    save_checkpoint(args.out, model.cpu(), step=args.max_steps, run_config=run_config,
                    tokenizer=tok)
    write_json(os.path.splitext(args.out)[0] + ".json",
               {"config": run_config, "train_seconds": round(seconds, 1),
                "device": torch.cuda.get_device_name() if args.device.startswith("cuda")
                else f"cpu, {torch.get_num_threads()} threads",
                "torch": torch.__version__, "history": history})
    if os.path.isfile(resume_path(args)):
        os.remove(resume_path(args))
    print(f"wrote {args.out}: final loss {history[-1]['loss']:.3f}, {seconds:.0f}s")
    return history


if __name__ == "__main__":
    run_cli(main)
