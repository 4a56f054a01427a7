"""
The SSFT speedrun: how fast does `python train_sft.py` reach the paper's regime? Each record
is a set of train_sft.py flags; each is trained once (seed 1, nothing else running) with
greedy accuracy on the whole validation split every --eval_every steps, timed with the
evaluations left out. A record's numbers: validation greedy accuracy at --at_seconds of
training (the last evaluation before it), the training seconds to --target accuracy, and at
the end greedy and one sample at temperature 0.9 on validation. Validation only: the test
split is never solved here (train_sft's own final test report is switched off).

    python -m bench.speedrun                         # every record below, in order
    python -m bench.speedrun --records adamw muon    # some of them
    python -m bench.speedrun --render                # the table from bench/speedrun.json

Writes bench/speedrun.json (resumable: a record already there is kept unless --rerun) and
prints the table docs/speedrun.md shows.
"""
import argparse
import os
import time

import torch

from common import accuracy_report, generate_solutions, run_sampling
from records import read_json, write_json
from data import load_run_splits
from model import load_run
from train_sft import main as train_sft

# name -> (what changed, train_sft flags). The first is train_sft.py's default.
RECORDS = {
    "base-adamw-800": ("the committed base (pretrain.py), AdamW lr 1e-3, 800 steps: the default",
                       []),
    "scratch-muon-1600": ("from scratch, Muon lr 0.01 on the blocks' matrices, 1600 steps",
                          ["--init_from", "scratch", "--optimizer", "muon", "--muon_lr", "0.01",
                           "--lr", "3e-3", "--min_lr", "3e-4", "--max_steps", "1600"]),
    "scratch-adamw-4000": ("from scratch, AdamW lr 3e-3, 4000 steps (the earlier reproduce recipe)",
                           ["--init_from", "scratch", "--lr", "3e-3", "--min_lr", "3e-4",
                            "--max_steps", "4000"]),
}


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--records", nargs="+", default=list(RECORDS), choices=list(RECORDS))
    p.add_argument("--eval_every", type=int, default=250, help="steps between validation evals")
    p.add_argument("--at_seconds", type=float, default=180.0)
    p.add_argument("--target", type=float, default=0.35)
    p.add_argument("--out", default="bench/speedrun.json")
    p.add_argument("--runs", default="out/speedrun", help="where the runs' checkpoints go")
    p.add_argument("--rerun", action="store_true")
    p.add_argument("--render", action="store_true")
    return p.parse_args(argv)


def single_sample_accuracy(ckpt, temperature=0.9, top_p=0.95, seed=0, device="cpu"):
    """One sample per validation problem at the pipeline's temperature: the precondition that
    a sample is nearly as good as greedy (else voting over samples cannot beat greedy)."""
    model, tok, saved = load_run(ckpt, device)
    val = load_run_splits(saved["run_config"], report=lambda *a: None)["val"]
    sols = generate_solutions(model, tok, [r["problem"] for r in val],
                              run_sampling(saved["run_config"], device, temperature=temperature,
                                           top_p=top_p, batch_size=256, seed=seed))
    return accuracy_report(val, sols)[0]["pass@1"]


def run_record(name, flags, args):
    out_dir = os.path.join(args.runs, name)
    t0 = time.time()
    metrics = train_sft(flags + ["--seed", "1", "--eval_interval", str(args.eval_every),
                                 "--val_acc_problems", "100000", "--eval_split", "val",
                                 "--no_progress", "--out_dir", out_dir])
    wall = time.time() - t0
    evals = [h for h in metrics["history"] if "val_acc" in h]
    evals.append({**metrics["history"][-1], "val_acc": metrics["pass@1"]})  # the final eval
    at = [h["val_acc"] for h in evals if h["seconds"] <= args.at_seconds]
    reach = [h["seconds"] for h in evals if h["val_acc"] >= args.target]
    return {"name": name, "what": RECORDS[name][0], "flags": flags, "wall_seconds": round(wall),
            "train_seconds": evals[-1]["seconds"] if evals else None,
            "steps": metrics["steps"], f"val_at_{int(args.at_seconds)}s": at[-1] if at else None,
            "seconds_to_target": reach[0] if reach else None, "val_greedy": metrics["pass@1"],
            "val_one_sample": single_sample_accuracy(os.path.join(out_dir, "ckpt.pt")),
            "curve": [[h["step"], h["seconds"], h["val_acc"]] for h in evals],
            "threads": torch.get_num_threads(), "torch": torch.__version__}


def render(saved):
    at = f"val_at_{int(saved['at_seconds'])}s"
    pct = lambda v: "-" if v is None else f"{100 * v:.1f}"
    lines = [f"| record | steps | training s | val greedy at {int(saved['at_seconds'])} s | "
             f"s to {pct(saved['target'])}% | final val greedy | one sample (T 0.9) |",
             "|---|---|---|---|---|---|---|"]
    for r in saved["records"]:
        lines.append(f"| {r['what']} | {r['steps']} | {r['train_seconds']:.0f} | {pct(r[at])} | "
                     f"{'-' if r['seconds_to_target'] is None else round(r['seconds_to_target'])} | "
                     f"{pct(r['val_greedy'])} | {pct(r['val_one_sample'])} |")
    return "\n".join(lines)


def main(argv=None):
    args = get_args(argv)
    saved = read_json(args.out, {"records": []})
    saved.update(split="val", at_seconds=args.at_seconds, target=args.target)
    if not args.render:
        for name in args.records:
            done = {r["name"] for r in saved["records"]}
            if name in done and not args.rerun:
                continue
            row = run_record(name, RECORDS[name][1], args)
            saved["records"] = [r for r in saved["records"] if r["name"] != name] + [row]
            write_json(args.out, saved)
    print(render(saved))
    return saved


if __name__ == "__main__":
    main()
