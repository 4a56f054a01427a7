"""
Step 2a of the recipe: the solution evaluator. The SSFT model samples candidate solutions to
fresh problems (held out of SSFT's training by train_sft.py --n_fresh; --candidates_from train
gives the paper's choice, its training problems) and to held-out validation problems, grade.py
labels each against the gold answer, and a copy of the SSFT model is fine-tuned to judge them
with the paper's template

    Here is a math problem: {P}. Here is a candidate solution: {X}. The above candidate solution is

whose next word is read: score S(X|P) = p(" correct") / (p(" correct") + p(" incorrect")).
Two losses (Liu et al. 2023), and three of ours:
    ce      cross-entropy on the label word (" correct" if the candidate is right)
    margin  max(0, log S(X-|P) - log S(X+|P) + lambda) over (correct, incorrect) pairs of one
            problem (the paper's better one; the default)
    process S read also at the end of every step, each trained toward the share of --rollouts
            completions from that step that reach the gold answer (Math-Shepherd's labels);
            a solution is scored by its weakest step (Lightman et al. 2023)
    dense   S read at the end of every step too, each trained toward the candidate's own
            grade (Cobbe et al. 2021's dense outcome supervision); scored at the end
    likelihood  no label word: the judge's own mean token probability of X is S, trained by
            MLE on the correct candidates plus the margin loss on the length-normalised
            log-likelihoods of the pairs (step 3's contrastive objective, as an evaluator)

It then reports, on 16 samples of each of 200 validation problems (500 with --n_val_problems
500, the results tables' held-out set), the evaluator beside the
SSFT model's own mean and lowest token probability (read before training; with
--evaluator_init, the judge's own mean token probability too): AUC, pair
accuracy over sampled pairs and over distinct texts, the top-2 decision and the re-ranking
rules (measures.ranking_report): whether the evaluator is worth having.

    python train_verifier.py                                  # after python train_sft.py
    python train_verifier.py --loss ce --candidates out/verifier/candidates.jsonl \
        --out_dir out/verifier-ce                             # CE, on the same samples
    python train_verifier.py --loss process --candidates out/verifier/candidates.jsonl \
        --out_dir out/verifier-process                        # process labels by rollouts
    python train_verifier.py --evaluator_init out/sft-6x192/ckpt.pt \
        --candidates out/verifier/candidates.jsonl --out_dir out/verifier-6x192
                                                              # a larger judge (its SSFT model:
                                                              # results/evaluator_settings.py)

Writes --out_dir (default out/verifier): candidates.jsonl (problem id, split, solution, answer,
label, the generator they came from), ckpt.pt, tokenizer.json, config.json, metrics.json (ROC
AUC, pair accuracy and mean margin on the held-out candidates, the report under held_out), and
slips.jsonl / step_values.jsonl when --slips / --loss process made them.
"""
import argparse
import json
import os
import time
from dataclasses import replace

import torch

from common import (add_stage_flags, check_generator, generator_record, run_cli, run_sampling,
                    train_steps)
from records import write_json, write_jsonl
from data import N_FRESH, SPLIT_KEYS, DataError, label_token_ids, load_run_splits
from candidates import (PLANTED, candidate_problems, counterfactual_plants, plant_answers,
                        read_candidates, rollout_values, slip_candidates, step_prefixes,
                        training_and_val_candidates)
from evaluator import evaluator_losses, likelihood_scores, score_rule
from measures import distinct_scores, evaluate, ranking_report
from model import family, load_run, save_checkpoint


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--generator", default="out/sft/ckpt.pt",
                   help="the SSFT generator: its samples are judged, a copy of it judges them")
    p.add_argument("--sft_ckpt", dest="generator", help=argparse.SUPPRESS)  # the old name
    p.add_argument("--evaluator_init", default=None,
                   help="start the evaluator from this model instead of a copy of the "
                        "generator (the accounts of the paper): the pre-trained base (the "
                        "summary's reading, e.g. bases/world-4x128.pt) or another SSFT model "
                        "of the same splits (e.g. a larger one); the candidates, labels and "
                        "likelihood rows stay the generator's")
    add_candidate_flags(p)  # what the evaluator learns from and is scored on
    # training
    p.add_argument("--loss", default="margin", choices=["margin", "ce", "process", "dense",
                                                        "likelihood"],
                   help="process: soft targets at the end of every step, each the share of "
                        "--rollouts completions from that step that reach the gold answer, "
                        "and the grade at the end; scored by the weakest step. dense: the "
                        "grade itself at the end of every step and at the end (Cobbe et al. "
                        "2021's outcome label at every step); scored at the end. likelihood: "
                        "no label word, the judge's own mean token probability of the solution "
                        "is the score, trained by the MLE loss on correct candidates plus the "
                        "hinge on (correct, incorrect) pairs' length-normalised log-likelihoods "
                        "(lambda: --margin, in normalised log-likelihood)")
    p.add_argument("--rollouts", type=int, default=4,
                   help="completions sampled from every step of a training candidate "
                        "(--loss process)")
    p.add_argument("--margin", type=float, default=1.0, help="lambda of the margin loss (log space)")
    p.add_argument("--lm_weight", type=float, default=0.0,
                   help="ce and margin: add this times the language-modelling loss of the "
                        "correct candidates' solutions inside the template (Cobbe et al. 2021 "
                        "keep the LM objective beside the verifier's); 0: the paper's losses")
    p.add_argument("--dropout", type=float, default=None,
                   help="dropout while the evaluator trains (against memorising its candidates' "
                        "texts); default: the model's own (0 for this project's models)")
    p.add_argument("--pairs_per_problem", type=int, default=10)
    p.add_argument("--wrong_side", default="any", choices=["any", "voted"],
                   help="the margin pairs' wrong side: any wrong candidate of the problem, or "
                        "only those of its most voted wrong answer (candidates.make_pairs)")
    p.add_argument("--batch_size", type=int, default=32,
                   help="candidates (ce, process, dense) or pairs (margin, likelihood)")
    p.add_argument("--max_steps", type=int, default=300)
    p.add_argument("--length_split", type=int, default=3,
                   help="ce and margin: cut each batch into this many length-sorted pieces, each "
                        "padded only to its own longest example (train_sft.py's flag): the same "
                        "scores and gradient, less padding computed (its speed: python -m "
                        "bench.bench_recipe --only evaluator); 1: whole batches")
    # also --warmup_steps --weight_decay --beta2 --grad_clip --dtype --seed --device
    # --no_progress: the same flags in both short-stage scripts (common.py)
    add_stage_flags(p, lr=1e-3, min_lr=1e-4)
    p.add_argument("--out_dir", default="out/verifier")
    return p.parse_args(argv)


def add_candidate_flags(p):
    """The candidates: which problems are sampled, how many, how, and what is planted in them."""
    p.add_argument("--candidates", default=None, help="reuse a candidates.jsonl instead of sampling")
    p.add_argument("--candidates_from", default="fresh", choices=["train", "fresh"],
                   help="problems to sample training candidates on: the generator's training "
                        "problems (the paper), or fresh ones it never saw (train_sft --n_fresh)")
    p.add_argument("--n_problems", type=int, default=1600,
                   help="problems to sample on: the first n of the run's fresh problems "
                        f"(train_sft holds out {N_FRESH} synthetic ones by default). 1600 x 4 "
                        "samples beat 400 x 16 on validation at the same sampling cost "
                        "(results/evaluator_settings.py)")
    p.add_argument("--n_val_problems", type=int, default=200,
                   help="validation problems whose samples are held out to score the evaluator "
                        "(the full report, the results tables': --n_val_problems 500, a minute "
                        "more on a 2-core CPU)")
    p.add_argument("--n_val_samples", type=int, default=16,
                   help="held-out samples per validation problem: as many as rerank.py's N, so "
                        "the report can re-rank them (it prints how many pairs they hold)")
    p.add_argument("--n_samples", type=int, default=4, help="candidates per problem (paper: 64)")
    p.add_argument("--temperature", type=float, default=0.9)
    p.add_argument("--top_p", type=float, default=0.95)
    p.add_argument("--sample_batch_size", type=int, default=256, help="rows per sampling batch")
    p.add_argument("--slips", type=int, default=0,
                   help="also train on the gold solutions of this many of the candidates' "
                        "problems, each beside a copy with one slip in a result that the "
                        "generator carries on (candidates.slip_candidates; with "
                        "--plant_answer their problems are planted too); 0: the paper's "
                        "candidates only")
    p.add_argument("--plant_answer", default=None, choices=sorted(PLANTED),
                   help="the positive control: every candidate's problem text (training and "
                        "held out) states its gold answer (end: '... (The answer is $A$.)', "
                        "start: 'Answer: $A$. ...'), so judging is comparing two answers; the "
                        "samples and labels are the real run's (candidates.plant_answers)")
    p.add_argument("--plant_counterfactual", action="store_true",
                   help="with --plant_answer, a diagnostic: also train on a copy of every "
                        "training problem stating its most voted wrong answer, labelled against "
                        "that (candidates.counterfactual_plants): no shortcut through the "
                        "solution's text is left; the held-out candidates are unchanged")


FULL_REPORT = ["--n_val_problems", "500"]  # the held-out set of the results tables (500 x 16)


def train_evaluator(model, tok, cands, args):
    """Fine-tune `model` as the evaluator on labelled candidates (args.loss: ce or margin).
    Returns (history, optimizer)."""
    return train_steps(model, args.max_steps, evaluator_losses(model, tok, cands, args), args,
                       f"evaluator ({args.loss})")


def likelihood_controls(model, tok, cands, device):
    """The generator's own confidence in each candidate, {"likelihood": mean token probability,
    "lowest token probability": ...}: the rows an evaluator must beat."""
    def both(problems, solutions):  # per distinct text: (mean, lowest) token probability
        got = likelihood_scores(model, tok, problems, solutions, device)
        return list(zip(got["lp"], got["minp"]))
    got = distinct_scores(both, cands)
    return {"likelihood": [g[0] for g in got], "lowest token probability": [g[1] for g in got]}


def report_table(report):
    """The held-out report (measures.ranking_report) as the lines train_verifier prints."""
    r, K = report, report["K"]
    pct = lambda x: f"{100 * x:5.1f}"
    lines = [f"held out: {r['n_candidates']} candidates of {r['n_problems']} validation problems "
             f"({r['n_one_class']} with one class only), {r['n_pairs']} sampled pairs, "
             f"{r['n_pairs_distinct']} distinct-text pairs; {r['n_top2']} problems whose two "
             f"largest clusters split right/wrong (the vote right on {r['vote_top2']:.3f})",
             f"{'scorer':26s} {'AUC':>6s} {'pairs':>6s} {'distinct':>8s} {'top-2':>6s} "
             f"{'RR.All':>7s} RR.Top{K} W.RR.Top{K}   (Maj1 {pct(r['maj1'])}, Maj{K} "
             f"{pct(r['majk'])}, Pass {pct(r['pass'])})"]
    for name, s in r["scorers"].items():
        lines.append(f"{name:26s} {s['auc']:6.3f} {s['pair_accuracy']:6.3f} "
                     f"{s['pair_accuracy_distinct']:8.3f} {s['top2_decision']:6.3f} "
                     f"{pct(s['rr_all']):>7s} {pct(s['rr_topk']):>8s} {pct(s['w_rr_topk']):>10s}")
    return "\n".join(lines)


def candidates_of(args, model, tok, rc):
    """The candidates: read from --candidates (checked to be this generator's) or sampled here
    and written to the run's candidates.jsonl, each stamped with the generator it came from."""
    if args.candidates:  # the evaluator judges its own generator's samples, no other's
        cands = read_candidates(args.candidates)
        check_generator(cands, generator_record(args.generator, model),
                        f"{args.candidates}'s candidates")
        print(f"read {len(cands)} candidates from {args.candidates}")
        return cands
    sampling = run_sampling(rc, args.device, n=args.n_samples, temperature=args.temperature,
                            top_p=args.top_p, batch_size=args.sample_batch_size, seed=args.seed)
    cands = training_and_val_candidates(
        model, tok, load_run_splits(rc),
        (args.candidates_from, args.n_problems, args.n_val_problems, args.n_val_samples),
        sampling, progress=not args.no_progress)
    record = generator_record(args.generator, model)  # before training changes the copy
    cands = [{**c, "generator": record} for c in cands]
    write_jsonl(os.path.join(args.out_dir, "candidates.jsonl"), cands)
    return cands


def with_labels(args, model, tok, rc, train_c):
    """The training candidates with what the levers beside the paper's recipe add, made by the
    generator before training: --slips (gold solutions beside copies with a slip, planted
    like the candidates under --plant_answer); for --loss
    process, every candidate's step values from rollouts ("step_values"), for --loss dense its
    own grade at every step."""
    sampling = run_sampling(rc, args.device, temperature=args.temperature, top_p=args.top_p,
                            batch_size=args.sample_batch_size, seed=args.seed)
    if args.slips:
        slips = slip_candidates(model, tok, candidate_problems(
            load_run_splits(rc), args.candidates_from, args.slips), sampling,
            args.candidates_from, progress=not args.no_progress)
        if args.plant_answer:  # the control: the slips' problems state their gold answer too
            slips = plant_answers(slips, args.plant_answer)
        write_jsonl(os.path.join(args.out_dir, "slips.jsonl"), slips)
        print(f"slips: {len(slips) // 2} gold solutions, each beside a copy with a slip that "
              "ends on a wrong answer")
        train_c = train_c + slips
    if args.loss == "process":
        values = rollout_values(model, tok, train_c, replace(
            sampling, n=args.rollouts, seed=args.seed + 2), not args.no_progress)
        train_c = [{**c, "step_values": [values[(c["problem_id"], p)]
                                         for p in step_prefixes(c["solution"])]} for c in train_c]
        write_jsonl(os.path.join(args.out_dir, "step_values.jsonl"),
                    [{"problem_id": k[0], "prefix": k[1], "value": v} for k, v in values.items()])
        print(f"rollouts: {len(values)} step prefixes x {args.rollouts} completions")
    if args.loss == "dense":  # the outcome, read at every step's end
        train_c = [{**c, "step_values": [float(c["label"])] * len(step_prefixes(c["solution"]))}
                   for c in train_c]
    return train_c


JUDGE_LIKELIHOOD = "evaluator before training: its likelihood"  # a row of --evaluator_init's


def judge_of(args, model, tok, rc):
    """(model, tokenizer) to train as the evaluator: the generator itself (the paper's copy of
    it; trained in place once the generator's work is done) or --evaluator_init's model: a
    pre-trained base, refused unless it left out the generator's held-out problems, or an
    SSFT model, refused unless it was fine-tuned on the generator's splits (either could have
    trained on the held-out validation or fresh problems otherwise)."""
    if not args.evaluator_init:
        return model, tok
    judge, judge_tok, ck = load_run(args.evaluator_init, args.device)
    if family(judge.config) != family(model.config):
        raise ValueError(f"--evaluator_init {args.evaluator_init} is a {family(judge.config)} "
                         f"model, the generator {args.generator} a {family(model.config)} one: "
                         "the evaluator is fine-tuned from the generator's family")
    theirs = ck["run_config"]
    if theirs.get("base"):  # the pre-trained base (the summary's reading of the paper): it
        # must have left out the held-out problems of the generator's lineage
        mine = rc.get("base_splits") or {k: rc.get(k) for k in SPLIT_KEYS}
        pairs = [(k, theirs.get(k), mine.get(k)) for k in SPLIT_KEYS]
    else:  # another SSFT model: fine-tuned on the generator's splits
        pairs = [(k, theirs.get(k), rc.get(k)) for k in ("dataset", "style", *SPLIT_KEYS)]
    for k, a, b in pairs:
        if a != b:
            raise ValueError(f"--evaluator_init {args.evaluator_init} was trained with --{k} "
                             f"{a!r}, the generator {args.generator} with {b!r}: an evaluator "
                             "must come from the generator's splits")
    label_token_ids(judge_tok)
    print(f"evaluator: {args.evaluator_init} ({judge.num_params() / 1e6:.2f}M parameters), "
          f"judging {args.generator}'s samples")
    return judge, judge_tok


def held_out_report(args, model, tok, val_c, control):
    """(metrics, the report table's data): the trained evaluator on the held-out candidates
    beside the generator's own scores (control, read before training)."""
    rule = score_rule(vars(args))
    metrics, scores = evaluate(model, tok, val_c, progress=not args.no_progress, rule=rule)
    also = {}
    if rule == "weakest":  # a process evaluator: its final read-out alone, beside
        also = {"evaluator, final read-out": evaluate(model, tok, val_c)[1]}
    return metrics, ranking_report(val_c, {"evaluator": scores, **also, **control})


def main(argv=None):
    args = get_args(argv)
    if args.plant_counterfactual and not args.plant_answer:  # before minutes of sampling
        raise ValueError("--plant_counterfactual needs --plant_answer")
    torch.manual_seed(args.seed)
    print(f"config: {json.dumps(vars(args))}\nwriting to {args.out_dir}/ckpt.pt")
    os.makedirs(args.out_dir, exist_ok=True)
    model, tok, sft = load_run(args.generator, args.device)
    label_token_ids(tok)  # fails early if the label words cannot be told apart
    rc, t0 = sft["run_config"], time.time()
    sampled = candidates_of(args, model, tok, rc)
    # the control: only the problem texts differ from the real run (candidates.plant_answers)
    cands = plant_answers(sampled, args.plant_answer) if args.plant_answer else sampled
    sample_time, t_labels = time.time() - t0, time.time()
    train_c = [c for c in cands if c["split"] == "train"]
    val_c = [c for c in cands if c["split"] == "val"]
    if not train_c or not val_c:
        raise DataError("candidates need both 'train' and 'val' rows")
    train_c = with_labels(args, model, tok, rc, train_c)
    if args.plant_counterfactual:
        extra = counterfactual_plants(
            [c for c in sampled if c["split"] == "train"], args.plant_answer)
        print(f"counterfactual plants: {len(extra)} training candidates of "
              f"{len({c['problem_id'] for c in extra})} problems stating a wrong answer")
        train_c = train_c + extra
    label_time = time.time() - t_labels  # what the slips and rollouts cost beyond sampling
    for name, cs in (("train", train_c), ("val", val_c)):
        print(f"{name} candidates: {len(cs)}, {sum(c['label'] for c in cs) / len(cs):.1%} correct")
    # the evaluator-free control, read before training changes the copy: the SSFT model's own
    # mean / lowest token probability of each held-out candidate (evaluator.likelihood_scores)
    control = likelihood_controls(model, tok, val_c, args.device)
    model, tok = judge_of(args, model, tok, rc)
    tok.save(os.path.join(args.out_dir, "tokenizer.json"))
    if args.evaluator_init:  # does the other model's own confidence see more, untrained?
        own = likelihood_controls(model, tok, val_c, args.device)
        control[JUDGE_LIKELIHOOD] = own["likelihood"]
    if args.dropout is not None:
        model.set_dropout(args.dropout)
    t1 = time.time()
    history, optimizer = train_evaluator(model, tok, train_c, args)
    train_time = time.time() - t1
    metrics, report = held_out_report(args, model, tok, val_c, control)
    train_metrics, _ = evaluate(model, tok, train_c[:2000], rule=score_rule(vars(args)))
    print(report_table(report))
    print(f"held-out candidates: AUC {metrics['auc']:.3f}, pair accuracy "
          f"{metrics['pair_accuracy']:.3f}, mean margin {metrics['mean_margin']:.3f} "
          f"(training candidates: AUC {train_metrics['auc']:.3f})")
    metrics.update(train_auc=train_metrics["auc"], sample_seconds=round(sample_time, 1),
                   label_seconds=round(label_time, 1), train_seconds=round(train_time, 1),
                   loss=args.loss, held_out=report, history=history)
    save_checkpoint(os.path.join(args.out_dir, "ckpt.pt"), model, optimizer, args.max_steps,
                    {**rc, **vars(args), "role": "evaluator"}, tok)
    write_json(os.path.join(args.out_dir, "metrics.json"), metrics)
    write_json(os.path.join(args.out_dir, "config.json"), vars(args))
    return metrics


if __name__ == "__main__":
    run_cli(main)
