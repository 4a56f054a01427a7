"""
Step 3 of the recipe: multi-task sequential fine-tuning. Starting from the SSFT model (stage A),
the same weights are trained further in two stages, then evaluated as a generator:

  --objective evaluator    (the paper's recipe) stage B: the evaluator objective (margin or CE,
                           train_verifier.py's loss) on the model's own sampled candidates;
                           stage C: generation MLE on the gold solutions, a short run
  --objective contrastive  stage B: MLE + gamma * sequence ranking loss on the model's own
                           correct vs incorrect samples (BRIO/SLiC style),
                             L_rank = max(0, f(X-) - f(X+) + lambda),  f = sum log p / |X|^alpha
                           stage C: MLE
  --objective mle          the control the paper lacks: MLE in both stages, i.e. SSFT continued
                           for the same number of extra optimizer steps

    python train_joint.py                                   # after train_sft and train_verifier
    python train_joint.py --objective evaluator --loss ce --out_dir out/joint-evaluator-ce
    python train_joint.py --objective contrastive
    python train_joint.py --objective mle
    python rerank.py --generator out/joint-evaluator/ckpt.pt --evaluator out/joint-evaluator/ckpt.pt

Candidates come from --candidates (default: train_verifier's out/verifier/candidates.jsonl,
sampled from the same SSFT model on fresh problems) or, when that file is missing, are sampled
here. Every objective's MLE term, the control's included, reads the gold solutions of SSFT's
training problems and of the candidates' problems: every variant sees the same problems.
Writes --out_dir (default out/joint-<objective>): stageB.pt, ckpt.pt (after stage C; the same
checkpoint format as train_sft.py, so rerank.py reads it unchanged), tokenizer.json,
config.json, metrics.json (greedy pass@1 on the test split, or --eval_split val when choosing
settings, n_test, the stage histories).
"""
import argparse
import json
import os
import random
import time

import torch

from common import (accuracy_report, add_stage_flags, autocast_for, generate_solutions,
                    print_failures, run_cli, token_loss_sum, train_steps, write_json)
from data import (collate, cycling_batches, encode_generator_examples, eos_id,
                  label_token_ids, load_run_splits, to_device)
from model import load_run, save_checkpoint, sequence_logprobs
from train_verifier import (candidate_problems, evaluator_batches, evaluator_loss, make_pairs,
                            read_candidates, sample_candidates)


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--init", default="out/sft/ckpt.pt", help="the SSFT checkpoint (stage A)")
    p.add_argument("--objective", default="evaluator", choices=["evaluator", "contrastive", "mle"])
    p.add_argument("--candidates", default="out/verifier/candidates.jsonl",
                   help="the model's own labelled samples (sampled here if the file is missing)")
    p.add_argument("--candidates_from", default="fresh", choices=["train", "fresh"],
                   help="if sampling: the generator's training problems or fresh ones "
                        "(train_sft --n_fresh)")
    p.add_argument("--n_problems", type=int, default=1600, help="if sampling: problems "
                   "(train_verifier.py's default)")
    p.add_argument("--n_samples", type=int, default=4, help="if sampling: samples per problem")
    # stage lengths and lr chosen on validation (python -m results.joint_settings; docs/step3.md)
    p.add_argument("--stage_b_steps", type=int, default=50)
    p.add_argument("--stage_c_steps", type=int, default=100, help="paper: ~200 at its scale")
    p.add_argument("--eval_split", default="test", choices=["val", "test"],
                   help="the split solved greedily at the end (val: to choose settings)")
    p.add_argument("--stage_curve", action="store_true",
                   help="also solve --eval_split greedily before stage B and after it: how far "
                        "stage B moves the generator and what stage C wins back")
    # evaluator objective
    p.add_argument("--loss", default="margin", choices=["margin", "ce"])
    p.add_argument("--margin", type=float, default=1.0, help="lambda of the evaluator margin loss")
    p.add_argument("--pairs_per_problem", type=int, default=10)
    # contrastive objective
    p.add_argument("--gamma", type=float, default=1.0, help="weight of the ranking loss")
    p.add_argument("--rank_margin", type=float, default=0.5, help="lambda of the ranking loss")
    p.add_argument("--alpha", type=float, default=1.0, help="length normalisation |X|^alpha")
    # optimisation
    p.add_argument("--batch_size", type=int, default=32)
    # lr: where SSFT's schedule ends (1e-4), chosen on validation over 3e-4, at which stage B
    # costs the generator far more (python -m results.joint_settings)
    # also --warmup_steps --weight_decay --beta2 --grad_clip --dtype --seed --device
    # --no_progress: the same flags in both short-stage scripts (common.py)
    add_stage_flags(p, lr=1e-4, min_lr=1e-5)
    p.add_argument("--out_dir", default=None, help="default out/joint-<objective>")
    return p.parse_args(argv)


def stage_plan(objective, b_steps, c_steps):
    """[(stage, loss, steps)]: every objective gets the same number of extra steps."""
    b = {"evaluator": "evaluator", "contrastive": "mle+rank", "mle": "mle"}[objective]
    return [("B", b, b_steps), ("C", "mle", c_steps)]


def ranking_loss(f_pos, f_neg, margin):
    """max(0, f(X-) - f(X+) + lambda), mean over pairs; f = length-normalised log-likelihood."""
    return torch.clamp(f_neg - f_pos + margin, min=0).mean()


def pair_ranking_loss(model, cex, pairs, margin, alpha, pad, device):
    """The ranking loss of a batch of (correct, incorrect) candidate index pairs. The rows are
    laid out pos0, neg0, pos1, neg1, ...: f[0::2] are the correct ones, f[1::2] the others."""
    b = to_device(collate([cex[i] for p in pairs for i in p], pad), device)
    _, f, _ = sequence_logprobs(model, b["x"], b["y"], alpha=alpha)  # f: (2 * pairs,)
    return ranking_loss(f[0::2], f[1::2], margin)


def mle_batches(examples, batch_size, seed):
    """step -> a shuffled batch of (ids, mask) examples, reshuffled every pass."""
    next_idx = cycling_batches(len(examples), batch_size, random.Random(seed))
    return lambda step: [examples[i] for i in next_idx(step)]


def mle_loss(model, exs, pad, device):
    """Mean token cross-entropy over the solution tokens of one batch."""
    b = to_device(collate(exs, pad), device)
    s, n = token_loss_sum(model, b)
    return s / n


def mle_rows(splits, candidate_ids):
    """The gold solutions every objective's MLE term reads: SSFT's training problems and the
    problems whose samples stage B reads (candidate_ids, fresh ones by default), so that the
    control sees the same problems as the variants and a gain is not "more problems"."""
    seen = {r["id"] for r in splits["train"]}
    extra = [r for split in ("fresh", "train") for r in splits.get(split, [])
             if r["id"] in candidate_ids and r["id"] not in seen]
    missing = set(candidate_ids) - seen - {r["id"] for r in extra}
    if missing:
        raise ValueError(f"{len(missing)} candidate problems (e.g. {sorted(missing)[0]!r}) are "
                         "not in the SSFT run's training or fresh problems: candidates from "
                         "another run?")
    return splits["train"] + extra


def candidate_examples(tok, cands, block):
    """The candidates as generator examples (prompt + sampled solution + EOS)."""
    rows = [{"problem": c["problem"], "solution": c["solution"], "id": c["problem_id"]}
            for c in cands]
    return encode_generator_examples(tok, rows, block, skip_long=False, report=lambda *a: None)


def main(argv=None):
    args = get_args(argv)
    out_dir = args.out_dir or f"out/joint-{args.objective}"
    torch.manual_seed(args.seed)
    plan = stage_plan(args.objective, args.stage_b_steps, args.stage_c_steps)
    print(f"config: {json.dumps(vars(args))}\nstages: A = {args.init} (SSFT), "
          + ", ".join(f"{s} = {loss} for {n} steps" for s, loss, n in plan)
          + f"\nwriting to {out_dir}/ckpt.pt")
    os.makedirs(out_dir, exist_ok=True)
    model, tok, sft = load_run(args.init, args.device)
    tok.save(os.path.join(out_dir, "tokenizer.json"))
    rc = sft["run_config"]
    splits = load_run_splits(rc)  # the SSFT run's splits: its held-out val stays held out
    train_rows, eval_rows = splits["train"], splits[args.eval_split]
    block, pad = model.config.block_size, eos_id(tok)
    progress = not args.no_progress
    t0 = time.time()

    # the candidates: stage B's data for the evaluator and contrastive objectives; for every
    # objective (the control too) their problems' gold solutions join the MLE data (mle_rows)
    if os.path.isfile(args.candidates):
        cands = [c for c in read_candidates(args.candidates) if c["split"] == "train"]
        print(f"read {len(cands)} training candidates from {args.candidates}")
        cand_ids = {c["problem_id"] for c in cands}
    elif args.objective == "mle":  # the problems train_verifier.py samples
        cands = None
        cand_ids = {r["id"] for r in
                    candidate_problems(splits, args.candidates_from, args.n_problems)}
    else:
        print(f"{args.candidates} not found: sampling candidates from {args.init}")
        rows = candidate_problems(splits, args.candidates_from, args.n_problems)
        cands = sample_candidates(model, tok, rows, "train", args.n_samples, 0.9, 0.95,
                                  args.device, 256, args.seed, rc.get("max_new_tokens", 160),
                                  progress, problem_split=args.candidates_from)
        cand_ids = {r["id"] for r in rows}
    gold_rows = mle_rows(splits, cand_ids)
    print(f"MLE data: gold solutions of {len(gold_rows)} problems ({len(train_rows)} SSFT "
          f"training + {len(gold_rows) - len(train_rows)} whose samples stage B reads)")
    gold = encode_generator_examples(tok, gold_rows, block, skip_long=True)
    next_gold = mle_batches(gold, args.batch_size, args.seed)

    def loss_fn(kind):
        if kind == "mle":
            return lambda step: mle_loss(model, next_gold(step), pad, args.device)
        if kind == "evaluator":
            ex, batch = evaluator_batches(tok, cands, args.loss, args.pairs_per_problem,
                                          args.batch_size, block, args.seed)
            ids = label_token_ids(tok)
            return lambda step: evaluator_loss(model, ex, cands, batch(step), args.loss,
                                               args.margin, ids, pad, args.device)
        # mle+rank: gold MLE plus the ranking loss on (correct, incorrect) own samples
        pairs, one_class = make_pairs(cands, args.pairs_per_problem, random.Random(args.seed))
        print(f"ranking pairs: {len(pairs)} ({one_class} problems with one class only)")
        if not pairs:
            raise ValueError("no (correct, incorrect) candidate pairs for the ranking loss")
        cex = candidate_examples(tok, cands, block)
        next_pairs = mle_batches(pairs, max(1, args.batch_size // 2), args.seed + 1)

        return lambda step: (mle_loss(model, next_gold(step), pad, args.device) + args.gamma *
                             pair_ranking_loss(model, cex, next_pairs(step), args.rank_margin,
                                               args.alpha, pad, args.device))

    def greedy_accuracy():  # (metrics, graded) on the eval split
        sols = generate_solutions(model, tok, [r["problem"] for r in eval_rows],
                                  rc.get("max_new_tokens", 160), args.device, batch_size=256,
                                  progress=progress, desc=args.eval_split)
        return accuracy_report(eval_rows, sols)

    curve = {}  # stage -> greedy accuracy on the eval split after it (--stage_curve)
    if args.stage_curve:
        curve["A"] = greedy_accuracy()[0]["pass@1"]
    histories, train_time = {}, time.time() - t0  # setup (and any sampling) counts
    for stage, kind, steps in plan:
        t_stage = time.time()
        histories[stage], opt = train_steps(model, steps, loss_fn(kind), args.lr, args.min_lr,
                                            args.warmup_steps, args.weight_decay, args.grad_clip,
                                            args.device, args.beta2,
                                            autocast_for(args.device, args.dtype),
                                            f"stage {stage} ({kind})", progress)
        train_time += time.time() - t_stage
        name = "ckpt.pt" if stage == plan[-1][0] else f"stage{stage}.pt"
        save_checkpoint(os.path.join(out_dir, name), model, opt, steps,
                        {**rc, **vars(args), "stage": stage}, tok)
        if args.stage_curve and stage != plan[-1][0]:
            curve[stage] = greedy_accuracy()[0]["pass@1"]  # train_steps sets train mode again
    metrics, graded = greedy_accuracy()
    curve[plan[-1][0]] = metrics["pass@1"]
    print(f"{args.eval_split} greedy accuracy (pass@1): {metrics['pass@1']:.4f} "
          f"({sum(g['correct'] for g in graded)}/{len(graded)}), {train_time:.0f}s of training"
          + (f"; after each stage: {curve}" if args.stage_curve else ""))
    print_failures(graded)
    metrics.update(objective=args.objective, plan=plan, train_seconds=round(train_time, 1),
                   histories=histories, split=args.eval_split,
                   n_mle_problems=len(gold_rows), stage_accuracy=curve)
    write_json(os.path.join(out_dir, "metrics.json"), metrics)
    write_json(os.path.join(out_dir, "config.json"), {**vars(args), "out_dir": out_dir})
    return metrics


if __name__ == "__main__":
    run_cli(main)
