"""
Step 3 of the recipe: multi-task sequential fine-tuning. Starting from the SSFT model (stage A),
the same weights are trained further in two stages, then evaluated as a generator.

  --objective evaluator    (the paper's recipe) stage B: the evaluator objective (margin or CE,
                           evaluator.py's loss) on the model's own sampled candidates;
                           stage C: generation MLE on the gold solutions, a short run
  --objective contrastive  stage B: MLE + gamma * sequence ranking loss on the model's own
                           correct vs incorrect samples (BRIO/SLiC style),
                             L_rank = max(0, f(X-) - f(X+) + lambda),  f = sum log p / |X|^alpha
                           stage C: MLE
  --objective mle          the control the paper lacks: MLE in both stages, i.e. SSFT continued
                           for the same number of extra optimizer steps

    python train_joint.py                                   # after train_sft and train_verifier
    python train_joint.py --objective evaluator --loss ce   # -> out/joint-evaluator-ce
    python train_joint.py --objective contrastive
    python train_joint.py --objective mle
    python rerank.py --generator out/joint-evaluator-margin/ckpt.pt --evaluator none \
        --out_dir out/vote-joint-evaluator-margin           # its greedy and voting numbers

Candidates come from --candidates (default: train_verifier's out/verifier/candidates.jsonl,
sampled from the same SSFT model on fresh problems) or, when that file is missing, are sampled
here. Every objective's MLE term, the control's included, reads the gold solutions of SSFT's
training problems and of the candidates' problems: every variant sees the same problems.
Writes --out_dir (default out/joint-<objective>, out/joint-evaluator-<loss>): stageB.pt,
ckpt.pt (after stage C; the same checkpoint format as train_sft.py, so rerank.py reads it
unchanged), tokenizer.json,
config.json, metrics.json (greedy pass@1 on the test split, or --eval_split val when choosing
settings, n_test, the stage histories).
"""
import argparse
import json
import os
import random
import time

import torch

from common import (accuracy_report, add_stage_flags, check_generator, generate_solutions,
                    generator_record, print_failures, run_cli, run_sampling, token_loss_sum,
                    train_steps)
from records import write_json
from data import (collate, cycling_batches, encode_generator_examples, eos_id,
                  load_run_splits, to_device)
from model import load_run, save_checkpoint, sequence_logprobs
from candidates import candidate_problems, make_pairs, read_candidates, sample_candidates
from evaluator import evaluator_losses, margin_loss


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--generator", default="out/sft/ckpt.pt",
                   help="the SSFT generator (stage A), trained further")
    p.add_argument("--init", dest="generator", help=argparse.SUPPRESS)  # the old name
    p.add_argument("--objective", default="evaluator", choices=["evaluator", "contrastive", "mle"])
    p.add_argument("--candidates", default="out/verifier/candidates.jsonl",
                   help="the model's own labelled samples (sampled here if the file is missing)")
    p.add_argument("--candidates_from", default="fresh", choices=["train", "fresh"],
                   help="if sampling: the generator's training problems or fresh ones "
                        "(train_sft --n_fresh)")
    p.add_argument("--n_problems", type=int, default=1600, help="if sampling: problems "
                   "(train_verifier.py's default)")
    p.add_argument("--n_samples", type=int, default=4, help="if sampling: samples per problem")
    # stage lengths and lr chosen on validation (python -m results.joint_settings;
    # docs/results.md)
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
    p.add_argument("--out_dir", default=None,
                   help="default out/joint-<objective> (out/joint-evaluator-<loss>)")
    return p.parse_args(argv)


def default_out_dir(args):
    """One directory per variant, so that copy-pasted commands never overwrite each other."""
    suffix = f"-{args.loss}" if args.objective == "evaluator" else ""
    return f"out/joint-{args.objective}{suffix}"


def stage_plan(objective, b_steps, c_steps):
    """[(stage, loss, steps)]: every objective gets the same number of extra steps."""
    b = {"evaluator": "evaluator", "contrastive": "mle+rank", "mle": "mle"}[objective]
    return [("B", b, b_steps), ("C", "mle", c_steps)]


def pair_ranking_loss(model, rows, args, pad):
    """The ranking loss of a batch of (correct, incorrect) candidates, encoded and laid out
    pos0, neg0, pos1, neg1, ...: f[0::2] are the correct ones, f[1::2] the others
    (lambda args.rank_margin, length normalisation args.alpha)."""
    b = to_device(collate(rows, pad), args.device)
    f = sequence_logprobs(model, b["x"], b["y"], alpha=args.alpha).normalised  # (2 * pairs,)
    return margin_loss(f[0::2], f[1::2], args.rank_margin)  # the evaluator's hinge, on f


def mle_batches(examples, batch_size, seed):
    """A stream of shuffled batches of examples (each call: the next one; reshuffled every
    pass). One stream serves stages B and C in turn."""
    next_idx = cycling_batches(len(examples), batch_size, random.Random(seed))
    return lambda: [examples[i] for i in next_idx()]


def mle_loss(model, exs, pad, device):
    """Mean token cross-entropy over the solution tokens of one batch."""
    b = to_device(collate(exs, pad), device)
    s, n = token_loss_sum(model, b)
    return s / n


def stage_losses(kind, model, tok, next_gold, cands, args):
    """The loss of a stage, as a stream (each call: the loss of the next batch), by what the
    stage trains:
      mle        mean token cross-entropy on the next batch of gold solutions (mle_loss):
                 stage C of every objective, stage B of the control
      evaluator  the evaluator's loss, margin or CE (--loss), on the next batch of the model's
                 own candidates (evaluator.evaluator_loss): stage B of the paper's recipe
      mle+rank   mle + gamma x the hinge max(0, f(X-) - f(X+) + lambda) on the length-normalised
                 log-likelihoods f of the next (correct, incorrect) pairs of one problem
                 (pair_ranking_loss): stage B of the contrastive objective"""
    pad = eos_id(tok)
    mle = lambda: mle_loss(model, next_gold(), pad, args.device)
    if kind == "mle":
        return mle
    if kind == "evaluator":
        return evaluator_losses(model, tok, cands, args)
    pairs, one_class = make_pairs(cands, args.pairs_per_problem, random.Random(args.seed))
    print(f"ranking pairs: {len(pairs)} ({one_class} problems with one class only)")
    if not pairs:
        raise ValueError("no (correct, incorrect) candidate pairs for the ranking loss")
    cex = candidate_examples(tok, cands, model.config.block_size)
    next_pairs = mle_batches(pairs, max(1, args.batch_size // 2), args.seed + 1)
    return lambda: mle() + args.gamma * pair_ranking_loss(
        model, [cex[i] for p in next_pairs() for i in p], args, pad)


def mle_rows(splits, candidate_ids, where="the candidates"):
    """The gold solutions every objective's MLE term reads: SSFT's training problems and the
    problems whose samples stage B reads (candidate_ids, fresh ones by default), so that the
    control sees the same problems as the variants and a gain is not "more problems"."""
    seen = {r["id"] for r in splits["train"]}  # (training candidates add nothing)
    extra = [r for r in splits.get("fresh", []) if r["id"] in candidate_ids]
    missing = set(candidate_ids) - seen - {r["id"] for r in extra}
    if missing:
        raise ValueError(f"{where}: {len(missing)} candidate problems (e.g. "
                         f"{sorted(missing)[0]!r}) are not in the SSFT run's training or fresh "
                         "problems: candidates of another run?")
    return splits["train"] + extra


def candidate_examples(tok, cands, block):
    """The candidates as generator examples (prompt + sampled solution + EOS)."""
    rows = [{"problem": c["problem"], "solution": c["solution"], "id": c["problem_id"]}
            for c in cands]
    return encode_generator_examples(tok, rows, block, skip_long=False, report=lambda *a: None)


def stage_b_candidates(args, model, tok, rc, splits):
    """(candidates, their problem ids): stage B's data for the evaluator and contrastive
    objectives, read from --candidates or sampled here; the ids for every objective, the
    control's included, whose MLE term reads those problems' gold solutions (mle_rows)."""
    if os.path.isfile(args.candidates):
        cands = [c for c in read_candidates(args.candidates) if c["split"] == "train"]
        check_generator(cands, generator_record(args.generator, model),
                        f"{args.candidates}'s candidates")
        print(f"read {len(cands)} training candidates from {args.candidates}")
        return cands, {c["problem_id"] for c in cands}
    rows = candidate_problems(splits, args.candidates_from, args.n_problems)
    if args.objective == "mle":  # no samples needed: the problems train_verifier.py samples
        return None, {r["id"] for r in rows}
    print(f"{args.candidates} not found: sampling candidates from {args.generator}")
    # train_verifier.py's sampling: T 0.9, top-p 0.95
    sampling = run_sampling(rc, args.device, n=args.n_samples, temperature=0.9, top_p=0.95,
                            batch_size=256, seed=args.seed)
    cands = sample_candidates(model, tok, rows, sampling, ("train", args.candidates_from),
                              not args.no_progress)
    record = generator_record(args.generator, model)
    return [{**c, "generator": record} for c in cands], {r["id"] for r in rows}


def main(argv=None):
    args = get_args(argv)
    out_dir = args.out_dir or default_out_dir(args)
    torch.manual_seed(args.seed)
    plan = stage_plan(args.objective, args.stage_b_steps, args.stage_c_steps)
    print(f"config: {json.dumps(vars(args))}\nstages: A = {args.generator} (SSFT), "
          + ", ".join(f"{s} = {loss} for {n} steps" for s, loss, n in plan)
          + f"\nwriting to {out_dir}/ckpt.pt")
    os.makedirs(out_dir, exist_ok=True)
    model, tok, sft = load_run(args.generator, args.device)
    tok.save(os.path.join(out_dir, "tokenizer.json"))
    rc = sft["run_config"]
    splits = load_run_splits(rc)  # the SSFT run's splits: its held-out val stays held out
    eval_rows = splits[args.eval_split]
    t0 = time.time()

    cands, cand_ids = stage_b_candidates(args, model, tok, rc, splits)
    gold_rows = mle_rows(splits, cand_ids, args.candidates)
    print(f"MLE data: gold solutions of {len(gold_rows)} problems ({len(splits['train'])} SSFT "
          f"training + {len(gold_rows) - len(splits['train'])} whose samples stage B reads)")
    gold = encode_generator_examples(tok, gold_rows, model.config.block_size, skip_long=True)
    next_gold = mle_batches(gold, args.batch_size, args.seed)  # one stream for stages B and C
    sampling = run_sampling(rc, args.device, batch_size=256)
    solve = lambda: accuracy_report(eval_rows, generate_solutions(
        model, tok, [r["problem"] for r in eval_rows], sampling,
        None if args.no_progress else args.eval_split))  # -> (metrics, graded)

    curve = {"A": solve()[0]["pass@1"]} if args.stage_curve else {}  # greedy after each stage
    histories, train_time = {}, time.time() - t0  # setup (and any sampling) counts
    for stage, kind, steps in plan:
        t_stage = time.time()
        next_loss = stage_losses(kind, model, tok, next_gold, cands, args)  # at its start
        histories[stage], opt = train_steps(model, steps, next_loss, args,
                                            f"stage {stage} ({kind})")
        train_time += time.time() - t_stage
        last = stage == plan[-1][0]
        save_checkpoint(os.path.join(out_dir, "ckpt.pt" if last else f"stage{stage}.pt"), model,
                        opt, steps, {**rc, **vars(args), "stage": stage}, tok)
        if args.stage_curve and not last:
            curve[stage] = solve()[0]["pass@1"]  # (train_steps sets train mode again)
    metrics, graded = solve()
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
