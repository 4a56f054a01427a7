"""
One problem through all three steps, with a real run's outputs: the SSFT example and its loss
mask, N sampled solutions with their answers and grades, the clusters, the evaluator's score
of each sample and the template it was read from, what each selection rule picks, a margin
loss worked by hand, and step 3's sequence scores. A validation problem: the test split is
never read. Writes docs/walkthrough.md (regenerate it, never edit it by hand).

    python train_sft.py && python train_verifier.py && python -m results.walkthrough
    python -m results.walkthrough --problem 7 --n 8 --out out/walkthrough.md

By default the problem is the first validation problem whose samples form at least two
clusters with both right and wrong answers among them (the case where the rules differ).
"""
import argparse
from dataclasses import replace

import torch

from common import generate_solutions, run_sampling, token_loss_sum
from records import write_text
from data import (collate, decode, encode_generator_examples, eos_id, evaluator_prompt,
                  generator_prompt, load_run_splits)
from grade import extract_answer, is_equiv
from model import load_run, sequence_logprobs
from selection import best_sample, cluster, heaviest_cluster, rank_clusters, select
from evaluator import evaluator_scores, margin_loss


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--sft", default="out/sft/ckpt.pt", help="the SSFT checkpoint (generator)")
    p.add_argument("--evaluator", default="out/verifier/ckpt.pt")
    p.add_argument("--n", type=int, default=8, help="samples of the problem")
    p.add_argument("--k_clusters", type=int, default=2, help="K of RR.TopK / W.RR.TopK")
    p.add_argument("--problem", type=int, default=None, help="a validation problem's index")
    p.add_argument("--search", type=int, default=40, help="validation problems tried when "
                   "--problem is not given")
    p.add_argument("--margin", type=float, default=1.0, help="lambda of the margin loss")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="docs/walkthrough.md")
    return p.parse_args(argv)


@torch.no_grad()
def draw(model, tok, problem, sampling, n, seed):
    """n solutions at the pipeline's sampling settings (T 0.9, top-p 0.95) and the greedy one."""
    samples = generate_solutions(model, tok, [problem], replace(
        sampling, n=n, temperature=0.9, top_p=0.95, seed=seed))[0]
    greedy = generate_solutions(model, tok, [problem], sampling)[0][0]
    return samples, greedy


def pick_problem(model, tok, rows, sampling, args):
    """(index, samples, greedy) of the problem to show."""
    tried = [args.problem] if args.problem is not None else range(min(args.search, len(rows)))
    first = None
    for i in tried:
        samples, greedy = draw(model, tok, rows[i]["problem"], sampling, args.n, args.seed + i)
        first = first or (i, samples, greedy)
        answers = [extract_answer(s) for s in samples]
        right = [is_equiv(a, rows[i]["answer"]) for a in answers]
        if len(cluster(answers)) >= 2 and any(right) and not all(right):
            return i, samples, greedy
    return first


@torch.no_grad()
def ssft_example(model, tok, row):
    """The SSFT example's tokens with their mask, and its loss two ways: the training code's
    token_loss_sum, and by hand from the log-probabilities of the supervised tokens."""
    (ids, mask), = encode_generator_examples(tok, [row], model.config.block_size,
                                             report=lambda *a: None)
    b = collate([(ids, mask)], eos_id(tok))
    s, n = token_loss_sum(model.eval(), b)
    logp = torch.log_softmax(model(b["x"])[0][0].float(), -1)  # (T, V)
    hand = -sum(logp[t, ids[t + 1]].item() for t in range(len(ids) - 1) if mask[t + 1]) / n.item()
    return ids, mask, (s / n).item(), hand


def problem_section(row, terse_solution, header):
    out = [*header, "## The problem", "", f"**Problem** ({row['type']}, level {row['level']}): "
           f"{row['problem']}", "", f"**Gold answer**: `{row['answer']}`", "",
           "Its detailed solution (what SSFT trains on by default):", "", "```",
           row["solution"], "```", ""]
    if terse_solution:
        out += ["and its terse one (`train_sft.py --style terse`):", "", "```", terse_solution,
                "```", ""]
    return out


def ssft_section(gen, tok, row):
    """Step 1: the example's tokens around the prompt/solution boundary, and its loss."""
    ids, mask, loss, hand = ssft_example(gen, tok, row)
    n_prompt = mask.index(1)
    out = ["## Step 1: the SSFT example and its loss mask", "",
           f"The prompt `{generator_prompt(row['problem'])!r}` is {n_prompt} tokens with mask "
           f"0 (not trained on); the solution and EOS are {len(ids) - n_prompt} tokens with "
           "mask 1. The first supervised tokens:", "", "| position | token | mask |",
           "|---|---|---|"]
    for t in range(max(0, n_prompt - 3), min(len(ids), n_prompt + 5)):
        out.append(f"| {t} | `{decode(tok, [ids[t]])!r}` | {mask[t]} |")
    out += ["", f"This example's loss under the SSFT model: **{loss:.4f}** (mean cross-entropy "
            f"of the supervised tokens, `common.token_loss_sum`); by hand from the "
            f"log-probabilities of the same tokens: {hand:.4f}.", ""]
    return out, {"ssft_loss": loss, "ssft_loss_by_hand": hand}


def samples_section(row, samples, greedy, scores, n):
    """Step 2: each sample's answer, grade, cluster and score; the clusters; the template."""
    answers = [extract_answer(s) for s in samples]
    right = [is_equiv(a, row["answer"]) for a in answers]
    ranked = rank_clusters(cluster(answers))
    of = {j: c for c, members in enumerate(ranked) for j in members}
    g = extract_answer(greedy)
    out = ["## Step 2: N samples, graded, clustered and scored", "",
           f"Greedy solution's answer: `{g}` "
           f"({'right' if is_equiv(g, row['answer']) else 'wrong'}). "
           f"{n} samples at temperature 0.9, top-p 0.95; each one's last line, the answer "
           "`grade.extract_answer` reads, its grade (`grade.is_equiv` against the gold), the "
           "cluster it joins (clusters ranked by size: 1 is the vote) and the evaluator's "
           "score S = P(correct) / (P(correct) + P(incorrect)):", "",
           "| sample | last line | answer | right | cluster | score S |",
           "|---|---|---|---|---|---|"]
    for j, s in enumerate(samples):
        last = s.strip().splitlines()[-1] if s.strip() else ""
        out.append(f"| {j} | {last.replace('|', '/')} | `{answers[j]}` | "
                   f"{'yes' if right[j] else 'no'} | {of[j] + 1 if j in of else '-'} | "
                   f"{scores[j]:.3f} |")
    out += ["", "The clusters:", "", "| cluster | answer | size | summed score | right |",
            "|---|---|---|---|---|"]
    for c, members in enumerate(ranked):
        out.append(f"| {c + 1} | `{answers[members[0]]}` | {len(members)} | "
                   f"{sum(scores[j] for j in members):.3f} | "
                   f"{'yes' if right[members[0]] else 'no'} |")
    out += ["", "The evaluator read sample 0 through the paper's template, then the next word's "
            "probabilities (` correct` vs ` incorrect`):", "", "```",
            evaluator_prompt(row["problem"], samples[0]), "```", ""]
    return out, answers, right, ranked


def rules_section(answers, right, scores, ranked, K):
    """What each selection rule picks (selection.select), and why."""
    pick = select(answers, right, scores, K)
    out = ["What each rule picks (`selection.select`):", "", "| rule | picks | right |",
           "|---|---|---|"]
    if ranked:
        members = [j for c in ranked for j in c]
        top = [j for c in ranked[:K] for j in c]
        w, wk = heaviest_cluster(ranked, scores), heaviest_cluster(ranked[:K], scores)
        explain = [("Maj1", f"the largest cluster, `{answers[ranked[0][0]]}`", "maj1"),
                   ("RR.All", "the best-scored sample of all, sample "
                    f"{best_sample(members, scores)}", "rr_all"),
                   (f"RR.Top{K}", f"the best-scored sample inside the {K} largest clusters, "
                    f"sample {best_sample(top, scores)}", "rr_topk"),
                   ("W.RR", f"the cluster with the largest summed score, `{answers[w[0]]}`",
                    "w_rr"),
                   (f"W.RR.Top{K}", f"that among the {K} largest clusters, `{answers[wk[0]]}`",
                    "w_rr_topk")]
        out += [f"| {name} | {what} | {'yes' if pick[key] else 'no'} |"
                for name, what, key in explain]
    return out, pick


def pair_section(gen, tok, row, scored, pair, margin):
    """The margin loss of one (right, wrong) pair of samples by hand, and step 3's view of the
    pair. scored: every sample's (solution, evaluator score); pair: (right index, wrong)."""
    a, b = pair
    la, lb = (torch.log(torch.tensor(scored[j][1])) for j in pair)
    by_hand = max(0.0, lb.item() - la.item() + margin)
    code = margin_loss(la[None], lb[None], margin).item()
    rows = [{"problem": row["problem"], "solution": scored[j][0], "id": row["id"]} for j in pair]
    bt = collate(encode_generator_examples(tok, rows, gen.config.block_size, skip_long=False,
                                           report=lambda *x: None), eos_id(tok))
    with torch.no_grad():
        f = sequence_logprobs(gen, bt["x"], bt["y"]).normalised  # (2,) mean token log-probs
    out = ["", "## The evaluator's margin loss, by hand", "",
           f"Take the pair (right sample {a}, wrong sample {b}). The margin loss is "
           f"max(0, log S(wrong) - log S(right) + lambda) with lambda = {margin}: "
           f"max(0, {lb.item():.4f} - ({la.item():.4f}) + {margin}) = **{by_hand:.4f}** "
           f"(`evaluator.margin_loss` gives {code:.4f}). It is zero only once the right "
           "sample's log-score leads the wrong one's by lambda.", "",
           "## Step 3: the same pair as the generator sees it", "",
           "Stage B of the paper's recipe trains the generator's weights on the margin loss "
           "above; the contrastive variant instead ranks the two solutions by the generator's "
           "own mean token log-probability f (`model.sequence_logprobs`): "
           f"f(right) = {f[0].item():.4f}, f(wrong) = {f[1].item():.4f}; its ranking loss with "
           f"lambda 0.5 is max(0, f(wrong) - f(right) + 0.5) = "
           f"{max(0.0, f[1].item() - f[0].item() + 0.5):.4f}. Stage C then trains plain MLE on "
           "gold solutions, as in step 1.", ""]
    return out, {"pair": pair, "margin_by_hand": by_hand, "margin_code": code,
                 "f_right": f[0].item(), "f_wrong": f[1].item()}


def main(argv=None):
    args = get_args(argv)
    torch.manual_seed(args.seed)
    gen, tok, ck = load_run(args.sft)
    ev, ev_tok, _ = load_run(args.evaluator)
    rc, quiet = ck["run_config"], (lambda *a, **k: None)
    rows = load_run_splits(rc, report=quiet)["val"]
    i, samples, greedy = pick_problem(gen, tok, rows, run_sampling(rc, "cpu"), args)
    row = rows[i]
    terse = {r["id"]: r for r in load_run_splits({**rc, "style": "terse"}, report=quiet)["val"]}
    header = ["# Walkthrough: one problem through the three steps", "",
              f"Generated by `python -m results.walkthrough --sft {args.sft} --evaluator "
              f"{args.evaluator} --n {args.n}` (validation problem {i}, `{row['id']}`); "
              "tests/test_walkthrough.py runs it on a tiny run. Do not edit by hand.", ""]
    out = problem_section(row, terse.get(row["id"], {}).get("solution"), header)
    lines, numbers = ssft_section(gen, tok, row)
    scores = evaluator_scores(ev, ev_tok, [row["problem"]] * len(samples), samples)
    step2, answers, right, ranked = samples_section(row, samples, greedy, scores, args.n)
    rules, pick = rules_section(answers, right, scores, ranked, args.k_clusters)
    out += lines + step2 + rules
    numbers.update(problem_index=i, scores=scores, right=right, select=pick)
    if any(right) and not all(right):  # the first right and the first wrong sample
        pair = (right.index(True), right.index(False))
        lines, more = pair_section(gen, tok, row, list(zip(samples, scores)), pair, args.margin)
        out += lines
        numbers.update(more)
    write_text(args.out, "\n".join(out) + "\n")
    print(f"wrote {args.out} (validation problem {i})")
    return numbers


if __name__ == "__main__":
    main()
