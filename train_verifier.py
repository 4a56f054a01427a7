"""
Step 2a of the recipe: the solution evaluator. The SSFT model samples candidate solutions to
fresh problems (held out of SSFT's training by train_sft.py --n_fresh; --candidates_from train
gives the paper's choice, its training problems) and to held-out validation problems, grade.py
labels each against the gold answer, and a copy of the SSFT model is fine-tuned to judge them
with the paper's template

    Here is a math problem: {P}. Here is a candidate solution: {X}. The above candidate solution is

whose next word is read: score S(X|P) = p(" correct") / (p(" correct") + p(" incorrect")).
Two losses (Liu et al. 2023):
    ce      cross-entropy on the label word (" correct" if the candidate is right)
    margin  max(0, log S(X-|P) - log S(X+|P) + lambda) over (correct, incorrect) pairs of one
            problem (the paper's better one; the default)

    python train_verifier.py                                  # after python train_sft.py
    python train_verifier.py --loss ce --candidates out/verifier/candidates.jsonl \
        --out_dir out/verifier-ce                             # CE, on the same samples

Writes --out_dir (default out/verifier): candidates.jsonl (problem id, split, solution, answer,
label), ckpt.pt, tokenizer.json, config.json, metrics.json (ROC AUC, pair accuracy and mean
margin on candidates of held-out validation problems).
"""
import argparse
import json
import os
import time

import torch

from common import add_stage_flags, run_cli, run_sampling, train_steps, write_json, write_jsonl
from data import N_FRESH, DataError, label_token_ids, load_run_splits
from evaluator import evaluate, evaluator_step_loss, read_candidates, training_and_val_candidates
from model import load_run, save_checkpoint


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--sft_ckpt", default="out/sft/ckpt.pt", help="the SSFT generator")
    # candidates
    p.add_argument("--candidates", default=None, help="reuse a candidates.jsonl instead of sampling")
    p.add_argument("--candidates_from", default="fresh", choices=["train", "fresh"],
                   help="problems to sample training candidates on: the generator's training "
                        "problems (the paper), or fresh ones it never saw (train_sft --n_fresh)")
    p.add_argument("--n_problems", type=int, default=1600,
                   help="problems to sample on: the first n of the run's fresh problems "
                        f"(train_sft holds out {N_FRESH} synthetic ones by default). 1600 x 4 "
                        "samples beat 400 x 16 on validation at the same sampling cost "
                        "(results/evaluator_settings.py)")
    p.add_argument("--n_val_problems", type=int, default=200, help="validation problems (held out)")
    p.add_argument("--n_samples", type=int, default=4, help="candidates per problem (paper: 64)")
    p.add_argument("--temperature", type=float, default=0.9)
    p.add_argument("--top_p", type=float, default=0.95)
    p.add_argument("--sample_batch_size", type=int, default=256, help="rows per sampling batch")
    # training
    p.add_argument("--loss", default="margin", choices=["margin", "ce"])
    p.add_argument("--margin", type=float, default=1.0, help="lambda of the margin loss (log space)")
    p.add_argument("--pairs_per_problem", type=int, default=10)
    p.add_argument("--batch_size", type=int, default=32, help="candidates (ce) or pairs (margin)")
    p.add_argument("--max_steps", type=int, default=300)
    # also --warmup_steps --weight_decay --beta2 --grad_clip --dtype --seed --device
    # --no_progress: the same flags in both short-stage scripts (common.py)
    add_stage_flags(p, lr=1e-3, min_lr=1e-4)
    p.add_argument("--out_dir", default="out/verifier")
    return p.parse_args(argv)


def train_evaluator(model, tok, cands, args):
    """Fine-tune `model` as the evaluator on labelled candidates (args.loss: ce or margin).
    Returns (history, optimizer)."""
    return train_steps(model, args.max_steps, evaluator_step_loss(model, tok, cands, args), args,
                       f"evaluator ({args.loss})")


def main(argv=None):
    args = get_args(argv)
    torch.manual_seed(args.seed)
    print(f"config: {json.dumps(vars(args))}\nwriting to {args.out_dir}/ckpt.pt")
    os.makedirs(args.out_dir, exist_ok=True)
    model, tok, sft = load_run(args.sft_ckpt, args.device)
    tok.save(os.path.join(args.out_dir, "tokenizer.json"))
    label_token_ids(tok)  # fails early if the label words cannot be told apart
    rc = sft["run_config"]
    t0 = time.time()
    if args.candidates:
        cands = read_candidates(args.candidates)
        print(f"read {len(cands)} candidates from {args.candidates}")
    else:
        sampling = run_sampling(rc, args.device, n=args.n_samples, temperature=args.temperature,
                                top_p=args.top_p, batch_size=args.sample_batch_size,
                                seed=args.seed)
        cands = training_and_val_candidates(
            model, tok, load_run_splits(rc),
            (args.candidates_from, args.n_problems, args.n_val_problems), sampling,
            progress=not args.no_progress)
        write_jsonl(os.path.join(args.out_dir, "candidates.jsonl"), cands)
    sample_time = time.time() - t0
    train_c = [c for c in cands if c["split"] == "train"]
    val_c = [c for c in cands if c["split"] == "val"]
    if not train_c or not val_c:
        raise DataError("candidates need both 'train' and 'val' rows")
    for name, cs in (("train", train_c), ("val", val_c)):
        print(f"{name} candidates: {len(cs)}, {sum(c['label'] for c in cs) / len(cs):.1%} correct")
    t1 = time.time()
    history, optimizer = train_evaluator(model, tok, train_c, args)
    train_time = time.time() - t1
    metrics = evaluate(model, tok, val_c, progress=not args.no_progress)
    train_metrics = evaluate(model, tok, train_c[:len(val_c)])
    print(f"held-out candidates: AUC {metrics['auc']:.3f}, pair accuracy "
          f"{metrics['pair_accuracy']:.3f}, mean margin {metrics['mean_margin']:.3f} "
          f"(training candidates: AUC {train_metrics['auc']:.3f})")
    metrics.update(train_auc=train_metrics["auc"], sample_seconds=round(sample_time, 1),
                   train_seconds=round(train_time, 1), loss=args.loss, history=history)
    save_checkpoint(os.path.join(args.out_dir, "ckpt.pt"), model, optimizer, args.max_steps,
                    {**rc, **vars(args), "role": "evaluator"}, tok)
    write_json(os.path.join(args.out_dir, "metrics.json"), metrics)
    write_json(os.path.join(args.out_dir, "config.json"), vars(args))
    return metrics


if __name__ == "__main__":
    run_cli(main)
