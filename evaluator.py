"""
The solution evaluator of the paper (step 2a), as a library: the steps that read it (the
evaluator's training, re-ranking, step 3's stage B) import it from here. It holds

  the example      the paper's template, then the label word (" correct" / " incorrect"),
                   a too-long solution shortened in its middle (evaluator_example)
  the score        S(X|P) = p(" correct") / (p(" correct") + p(" incorrect")) read at the
                   last real token (label_logits, log_score, evaluator_scores)
  the losses       CE on the label word, and the margin loss over (correct, incorrect) pairs
                   of one problem (ce_loss, margin_loss; evaluator_loss for a batch); ours:
                   process and dense read-outs at every step, and the judge's own likelihood
                   as the score (likelihood_losses)
  the candidates   the generator's own samples, graded (sample_candidates,
                   training_and_val_candidates, read_candidates, make_pairs), and gold
                   solutions beside copies with one slip (slip_candidates)
  the control      the generator's own mean / lowest token probability (likelihood_scores):
                   the scores an evaluator has to beat
  the metrics      ROC AUC, within-problem pair accuracy, mean margin (evaluate); the held-out
                   report of any scorer: pair accuracy over distinct texts, the top-2
                   decision, the re-ranking rules on the candidates (ranking_report)

train_verifier.py is the script that trains one.
"""
import math
import random
import re
from collections import defaultdict
from dataclasses import replace

import torch
import torch.nn.functional as F
from tqdm import tqdm

from common import generate_solutions
from data import (DataError, collate, cycling_batches, encode, encode_example, eos_id,
                  evaluator_prompt, generator_prompt, generator_target, label_token_ids,
                  length_chunks, to_device)
from grade import extract_answer, is_equiv
from records import read_jsonl
from model import last_real_index, sequence_logprobs
from selection import cluster, rank_clusters, select_ranked

CUT = "\n...\n"  # stands where a too-long solution's middle was taken out


def shorten_middle(solution, n_chars):
    """The solution less n_chars characters from its middle: the opening steps and the final
    answer line stay, since the answer is what the evaluator judges and the first steps say
    which method was taken. Only when the answer line alone is too long is it cut, from its
    start, so that its end (the \\boxed{} answer) is kept."""
    head, _, last = solution.rpartition("\n")
    if len(head) > n_chars:
        return head[:len(head) - n_chars] + CUT + last
    return last[min(len(last) - 1, n_chars - len(head)):]


def evaluator_example(tok, problem, solution, label, block_size):
    """(ids, mask): the evaluator prompt's tokens, then the label token (" correct" if label
    else " incorrect"; its first token if the word is several), mask 1 on that token only.
    A solution too long for the context loses its middle (shorten_middle), never the final
    answer line nor the template's tail: the score must be read right after "is"."""
    label_id = label_token_ids(tok)[0 if label else 1]
    solution = solution.strip()
    while True:
        ids = encode(tok, evaluator_prompt(problem, solution)) + [label_id]
        if len(ids) <= block_size + 1:  # +1: the inputs are ids[:-1]
            return ids, [0] * (len(ids) - 1) + [1]
        if len(solution) <= 1:
            raise ValueError(f"problem too long for the evaluator context ({block_size} tokens)")
        # drop characters in proportion to the tokens over (a token has at least one character)
        over = len(ids) - (block_size + 1)
        solution = shorten_middle(solution, max(over, len(solution) * over // len(ids)) + len(CUT))


def label_logits(model, batch, ids):
    """Logits of the two label words at the last real input position (the token 'is'),
    whatever the padding side. Returns (B, 2) [correct, incorrect] and the full-vocab
    log-probs there (B, V) for the CE loss."""
    logits, _ = model(batch["x"], attention_mask=batch["attention_mask"])
    last = last_real_index(batch["attention_mask"])  # (B,)
    at = logits[torch.arange(logits.size(0), device=logits.device), last].float()  # (B, V)
    return at[:, list(ids)], torch.log_softmax(at, -1)


def log_score(two):
    """log S = log p(correct) / (p(correct) + p(incorrect)), from the (B, 2) label logits."""
    return F.logsigmoid(two[:, 0] - two[:, 1])


def ce_loss(full_logp, labels, ids):
    """Cross-entropy of the label word over the whole vocabulary, mean over the batch."""
    target = torch.where(labels.bool(), ids[0], ids[1])
    return -full_logp.gather(1, target[:, None]).mean()


def margin_loss(s_pos, s_neg, margin):
    """max(0, s(X-) - s(X+) + lambda), mean over pairs: the project's one hinge. The
    evaluator's margin loss with s = log S (the paper's), step 3's ranking loss with s = the
    length-normalised log-likelihood f (train_joint.pair_ranking_loss)."""
    return torch.clamp(s_neg - s_pos + margin, min=0).mean()


SCORE_BATCH = 64  # candidates a forward pass scores at once


@torch.no_grad()
def evaluator_scores(model, tok, problems, solutions, progress=False, rule="final"):
    """S(X|P) for each (problem, solution) pair -> list of floats in (0, 1), computed on the
    model's device. rule "final": the paper's read-out after the template; "weakest": the
    lowest of that and the read-outs at the end of every step of the solution (a process
    evaluator's score, Lightman et al. 2023); "likelihood": no label word, the model's own mean
    token probability of the solution (likelihood_scores; an evaluator of --loss likelihood)."""
    model.eval()
    device = next(model.parameters()).device
    if rule == "likelihood":
        return likelihood_scores(model, tok, problems, solutions, device)["lp"]
    ids = label_token_ids(tok)
    block = model.config.block_size
    exs = [evaluator_example(tok, p, s, True, block) for p, s in zip(problems, solutions)]
    steps = [step_readouts(tok, e[0], len(step_prefixes(s))) if rule == "weakest" else []
             for e, s in zip(exs, solutions)]
    out = [0.0] * len(exs)
    chunks = length_chunks([len(ids) for ids, _ in exs], SCORE_BATCH)
    for chunk in tqdm(chunks, disable=not progress, desc="score", leave=False):
        b = to_device(collate([exs[i] for i in chunk], eos_id(tok)), device)
        logits, _ = model(b["x"], attention_mask=b["attention_mask"])
        last = last_real_index(b["attention_mask"])
        for j, i in enumerate(chunk):
            at = logits[j, steps[i] + [last[j].item()]][:, list(ids)].float()  # (readouts, 2)
            out[i] = log_score(at).exp().min().item()
    return out


def solution_example(tok, problem, solution, block):
    """A solution as its generator saw it (prompt, solution, EOS; the loss on the solution and
    EOS), cut to the context: what a likelihood reads and --loss likelihood trains on."""
    return encode_example(tok, generator_prompt(problem), generator_target(solution), block,
                          truncate=True)


@torch.no_grad()
def likelihood_scores(model, tok, problems, solutions, device, batch_size=64):
    """The evaluator-free control's scores: the generator's own confidence in each solution,
    as {"lp": exp(mean token log-prob), "minp": exp(lowest token log-prob)} over the solution
    and its EOS (model.sequence_logprobs; lists of floats in (0, 1], so the weighted rules can
    sum them like the evaluator's probabilities)."""
    model.eval()
    block, pad = model.config.block_size, eos_id(tok)
    exs = [solution_example(tok, p, s, block) for p, s in zip(problems, solutions)]
    out = {"lp": [0.0] * len(exs), "minp": [0.0] * len(exs)}
    for chunk in length_chunks([len(ids) for ids, _ in exs], batch_size):
        b = to_device(collate([exs[i] for i in chunk], pad), device)
        s = sequence_logprobs(model, b["x"], b["y"])
        for i, m, low in zip(chunk, s.normalised.exp().tolist(), s.lowest.exp().tolist()):
            out["lp"][i], out["minp"][i] = m, low
    return out


# -----------------------------------------------------------------------------
# candidates


def candidate_problems(splits, source, n):
    """The problems whose samples train the evaluator (and step 3's objectives): the
    generator's own training problems (source 'train', the paper's choice), or 'fresh' ones it
    never trained on (train_sft.py --n_fresh), on which its samples are as often wrong as on
    new problems."""
    if not splits[source]:
        raise DataError(f"--candidates_from {source}: the SSFT run has no {source} problems "
                        "(train it with --n_fresh N)")
    return splits[source][:n]


def training_and_val_candidates(model, tok, splits, which, sampling, progress=True):
    """The evaluator's candidates; which = (source, n_problems, n_val_problems, n_val_samples):
    sampling.n samples of each of the first n_problems of `source` (candidate_problems)
    labelled split 'train', then n_val_samples of each of the first n_val_problems validation
    problems labelled 'val' (held out: enough of them to re-rank, drawn as rerank.py draws
    its samples whatever sampling's temperature, so that every evaluator meets the same ones),
    with seeds sampling.seed and seed + 1."""
    source, n_problems, n_val_problems, n_val_samples = which
    train_rows = candidate_problems(splits, source, n_problems)
    val_rows = splits["val"][:n_val_problems]
    held_out = replace(sampling, n=n_val_samples, seed=sampling.seed + 1, temperature=0.9,
                       top_p=0.95)  # rerank.py's defaults, the paper's
    return (sample_candidates(model, tok, train_rows, sampling, ("train", source), progress)
            + sample_candidates(model, tok, val_rows, held_out, ("val", "val"), progress))


def sample_candidates(model, tok, rows, sampling, roles=("train", None), progress=True):
    """sampling.n sampled solutions per problem, graded: the evaluator's candidates.
    roles = (their role for the evaluator: train or val, the dataset split the problems are
    from; None: the same)."""
    split, problem_split = roles
    sols = generate_solutions(model, tok, [r["problem"] for r in rows], sampling,
                              f"sample {split}" if progress else None)
    out = []
    for r, ss in zip(rows, sols):
        for s in ss:
            ans = extract_answer(s)
            out.append({"problem_id": r["id"], "split": split,
                        "problem_split": problem_split or split, "problem": r["problem"],
                        "solution": s, "answer": ans, "gold": r["answer"],
                        "label": bool(is_equiv(ans, r["answer"]))})
    return out


RESULT = re.compile(r"=\s*(-?\d+)(?!.*=)")  # the integer right after a line's last '='


def slip(line, rng):
    """The line with one slip: the integer after its last '=' moved by a small amount (as the
    generator's own arithmetic slips are), or None when the line states no such result."""
    m = RESULT.search(line)
    if m is None:
        return None
    value = int(m.group(1)) + rng.choice([-10, -2, -1, 1, 2, 10])
    return line[:m.start(1)] + str(value) + line[m.end(1):]


def slip_start(solution, rng):
    """The opening of a wrong solution made from a right one: its lines up to a randomly chosen
    line that states a result (not the final answer line), that line with a slip
    (evaluator.slip), and a newline; None when no line can take one."""
    lines = solution.strip().split("\n")
    at = [i for i, line in enumerate(lines[:-1]) if RESULT.search(line)]
    if not at:
        return None
    i = rng.choice(at)
    return "\n".join(lines[:i] + [slip(lines[i], rng)]) + "\n"


def slip_candidates(model, tok, rows, sampling, source="fresh", progress=True):
    """Candidates that teach where a solution goes wrong, made from gold solutions: for each
    problem, its gold solution (right) and that solution with one slip in a result, continued
    by the generator from the slip on (so the error is carried forward as in its own samples),
    kept only where the continuation lands on a wrong answer (a slip the answer survives makes
    no wrong candidate). Seeded by sampling.seed; the continuation is greedy."""
    rng = random.Random(sampling.seed)
    starts = [slip_start(r["solution"], rng) for r in rows]
    kept = [(r, s) for r, s in zip(rows, starts) if s is not None]
    sols = generate_solutions(model, tok, [r["problem"] for r, _ in kept],
                              replace(sampling, n=1, temperature=0.0),
                              "slips" if progress else None, [s for _, s in kept])
    out = []
    for (r, _), (s,) in zip(kept, sols):
        pair = [{"problem_id": r["id"], "split": "train", "problem_split": source,
                 "source": kind, "problem": r["problem"], "solution": text,
                 "answer": extract_answer(text), "gold": r["answer"], "label": kind == "gold"}
                for text, kind in ((r["solution"].strip(), "gold"), (s, "slip"))]
        if not is_equiv(pair[1]["answer"], r["answer"]):
            out += pair
    return out


def step_prefixes(solution):
    """The openings of a solution that end a step (a line), shortest first; the whole solution
    (whose value is its own grade) is not among them: 'l1\\n', 'l1\\nl2\\n', ..."""
    lines = solution.strip().split("\n")
    return ["\n".join(lines[:i]) + "\n" for i in range(1, len(lines))]


def rollout_values(model, tok, cands, sampling, progress=True):
    """Process labels without a human (Wang et al. 2023, Math-Shepherd): for every distinct
    step prefix of the candidates' solutions, the share of sampling.n completions the
    generator samples from it that reach the gold answer. Returns {(problem id, prefix): value};
    a prefix several candidates share is rolled out once."""
    info = {c["problem_id"]: (c["problem"], c["gold"]) for c in cands}
    keys = sorted({(c["problem_id"], p) for c in cands for p in step_prefixes(c["solution"])})
    sols = generate_solutions(model, tok, [info[pid][0] for pid, _ in keys], sampling,
                              "rollouts" if progress else None, [p for _, p in keys])
    return {k: sum(is_equiv(extract_answer(s), info[k[0]][1]) for s in ss) / len(ss)
            for k, ss in zip(keys, sols)}


def step_readouts(tok, ids, n_steps):
    """Input positions (indices into ids[:-1]) of the newline that ends each of the solution's
    first n_steps lines: the last n_steps newlines before the template's tail, which has none.
    [] when the example lost lines (a shortened middle) or the tokenizer has no newline token."""
    nl = tok.token_to_id("\u010a")  # byte-level BPE's newline
    at = [j for j, t in enumerate(ids[:-1]) if t == nl]
    return at[len(at) - n_steps:] if n_steps and len(at) >= n_steps else []


def read_candidates(path):
    rows = [r for _, r in read_jsonl(path, ("problem_id", "split", "problem", "solution", "label"),
                                     DataError)]
    if not rows:
        raise DataError(f"{path}: no candidates")
    return rows


def make_pairs(cands, per_problem, rng, wrong="any"):
    """Up to per_problem (correct, incorrect) pairs per problem, drawn uniformly from all such
    pairs; wrong="voted": the incorrect side only from the problem's most voted wrong answer
    (the largest cluster of wrong answers, ties to the one seen first): the decision
    re-ranking inside the top clusters has to make. Returns (pairs, number of problems with
    one class only)."""
    by = defaultdict(lambda: ([], []))
    for i, c in enumerate(cands):
        by[c["problem_id"]][0 if c["label"] else 1].append(i)
    pairs, one_class = [], 0
    for pid in sorted(by):
        pos, neg = by[pid]
        if not pos or not neg:
            one_class += 1
            continue
        if wrong == "voted":  # (no wrong answer extracted: every wrong candidate stays)
            voted = rank_clusters(cluster([candidate_answer(cands[i]) for i in neg]))
            neg = [neg[j] for j in voted[0]] if voted else neg
        allp = [(a, b) for a in pos for b in neg]
        pairs += rng.sample(allp, min(per_problem, len(allp)))
    return pairs, one_class


def roc_auc(scores, labels):
    """Probability that a random positive outscores a random negative (ties count half)."""
    pos = [s for s, l in zip(scores, labels) if l]
    neg = [s for s, l in zip(scores, labels) if not l]
    if not pos or not neg:
        return float("nan")
    ranked = sorted(scores)
    # rank-sum (Mann-Whitney) with average ranks for ties
    rank, i = {}, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j] == ranked[i]:
            j += 1
        rank[ranked[i]] = (i + j + 1) / 2  # 1-based average rank
        i = j
    r_pos = sum(rank[s] for s in pos)
    return (r_pos - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def pair_metrics(cands, scores, per_problem=10 ** 9):
    """Pair accuracy (S+ > S-) and mean margin (log S+ - log S-) over every (correct,
    incorrect) pair within a problem."""
    pairs, _ = make_pairs(cands, per_problem, random.Random(0))
    if not pairs:
        return float("nan"), float("nan")
    acc = sum(scores[a] > scores[b] for a, b in pairs) / len(pairs)
    eps = 1e-12
    marg = sum(math.log(scores[a] + eps) - math.log(scores[b] + eps) for a, b in pairs) / len(pairs)
    return acc, marg


def distinct_scores(score_fn, cands):
    """score_fn(problems, solutions) applied once per distinct (problem, solution text) of the
    candidates and spread back over every copy: a generator that repeats itself samples the
    same text many times, and a score depends only on the text."""
    keys = [(c["problem_id"], c["solution"].strip()) for c in cands]
    first = {}
    for c, k in zip(cands, keys):
        first.setdefault(k, c)
    uniq = list(first)
    got = dict(zip(uniq, score_fn([first[k]["problem"] for k in uniq],
                                  [first[k]["solution"] for k in uniq]) if uniq else []))
    return [got[k] for k in keys]


def evaluate(model, tok, cands, progress=False, rule="final"):
    """AUC, within-problem pair accuracy and mean margin of the evaluator on candidates, and
    its scores (evaluator_scores with `rule`)."""
    scores = distinct_scores(lambda p, s: evaluator_scores(model, tok, p, s, progress=progress,
                                                           rule=rule), cands)
    labels = [c["label"] for c in cands]
    acc, marg = pair_metrics(cands, scores)
    return {"auc": roc_auc(scores, labels), "pair_accuracy": acc, "mean_margin": marg,
            "n_candidates": len(cands), "positive_rate": sum(labels) / len(labels)}, scores


def distinct_pair_accuracy(cands, scores):
    """Within-problem pair accuracy over distinct solution texts: every (correct, incorrect)
    pair of different texts of one problem counted once, however often either was sampled
    (pair_metrics counts every copy, so it rises with repetition); a tie counts half.
    Returns (accuracy, number of pairs)."""
    by = defaultdict(dict)  # problem id -> {text: (label, score)}
    for c, s in zip(cands, scores):
        by[c["problem_id"]].setdefault(c["solution"].strip(), (bool(c["label"]), s))
    hits, n = 0.0, 0
    for texts in by.values():
        pos = [s for label, s in texts.values() if label]
        neg = [s for label, s in texts.values() if not label]
        for a in pos:
            for b in neg:
                n += 1
                hits += 1.0 if a > b else 0.5 if a == b else 0.0
    return (hits / n if n else float("nan")), n


def problem_groups(cands):
    """problem id -> the indices of its candidates, in sampling order, and its answers' clusters
    ranked by the vote (selection.rank_clusters): computed once, read by every scorer."""
    idx = defaultdict(list)
    for i, c in enumerate(cands):
        idx[c["problem_id"]].append(i)
    return {pid: (ii, rank_clusters(cluster([candidate_answer(cands[i]) for i in ii])))
            for pid, ii in idx.items()}


def candidate_answer(c):
    """The candidate's extracted answer (stored by sample_candidates; older files: extracted)."""
    return c["answer"] if "answer" in c else extract_answer(c["solution"])


def top2_decision(cands, scores, groups):
    """The decision re-ranking inside the two largest clusters has to make: on the problems
    whose two largest answer clusters hold one right and one wrong answer, how often the right
    cluster's mean score is the higher (a tie goes to the larger one, as in the vote).
    Size-free: the vote itself (the larger cluster) is right on vote_accuracy of them.
    Returns (accuracy, vote_accuracy, number of such problems)."""
    hits = vote = n = 0
    for ii, ranked in groups.values():
        if len(ranked) < 2:
            continue
        first, second = ranked[0], ranked[1]
        right = [bool(cands[ii[c[0]]]["label"]) for c in (first, second)]
        if right[0] == right[1]:
            continue
        mean = lambda c: sum(scores[ii[j]] for j in c) / len(c)
        n += 1
        vote += right[0]
        hits += right[0] if mean(first) >= mean(second) else right[1]
    return (hits / n if n else float("nan")), (vote / n if n else float("nan")), n


def ranking_report(cands, scorers, K=2):
    """How well each scorer (name -> one score per candidate, higher = more likely right) ranks
    held-out candidates, and what re-ranking with it would answer on their problems (every
    problem's candidates taken as its N samples, selection.select with K clusters):
      auc, pair_accuracy (every sampled pair), pair_accuracy_distinct (distinct texts),
      top2_decision, and the re-ranking accuracies rr_all, rr_topk, w_rr_topk;
    beside the voting numbers (maj1, majk, pass, vote_top2) and the counts they rest on."""
    groups = problem_groups(cands)
    labels = [bool(c["label"]) for c in cands]
    one_class = sum(len({labels[i] for i in ii}) == 1 for ii, _ in groups.values())
    report = {"n_candidates": len(cands), "n_problems": len(groups), "n_one_class": one_class,
              "K": K, "scorers": {}}
    def rules(scores):  # every selection rule's accuracy over the problems (None: votes only)
        out = defaultdict(float)
        for ii, ranked in groups.values():
            picked = select_ranked(ranked, [labels[i] for i in ii],
                                   None if scores is None else [scores[i] for i in ii], K)
            for k, v in picked.items():
                out[k] += v / len(groups)
        return out
    for name, scores in scorers.items():
        acc, _ = pair_metrics(cands, scores)
        acc_d, n_d = distinct_pair_accuracy(cands, scores)
        t2, vote, n_t2 = top2_decision(cands, scores, groups)
        chosen = rules(scores)
        report["scorers"][name] = {
            "auc": roc_auc(scores, labels), "pair_accuracy": acc, "pair_accuracy_distinct": acc_d,
            "top2_decision": t2, **{k: chosen[k] for k in ("rr_all", "rr_topk", "w_rr_topk")}}
        report.update(n_pairs_distinct=n_d, n_top2=n_t2, vote_top2=vote)
    report.update(rules(None))  # the votes: maj1, majk, pass
    report["n_pairs"] = len(make_pairs(cands, 10 ** 9, random.Random(0))[0])
    return report


# -----------------------------------------------------------------------------


def score_rule(run_config):
    """How an evaluator checkpoint scores a solution (evaluator_scores' rule): a process
    evaluator by its weakest step, a likelihood evaluator by its own mean token probability of
    the solution, the paper's by its final read-out."""
    return {"process": "weakest", "likelihood": "likelihood"}.get(run_config.get("loss"), "final")


def process_loss(two, targets):
    """Binary cross-entropy of the two-way score S = sigmoid(l_correct - l_incorrect) at each
    read-out against a soft target in [0, 1] (a step's rollout value, or the grade at the
    final read-out), mean over read-outs. two: (R, 2) label logits; targets: (R,)."""
    d = two[:, 0] - two[:, 1]
    return -(targets * F.logsigmoid(d) + (1 - targets) * F.logsigmoid(-d)).mean()


def evaluator_batches(tok, cands, args, block_size, log=print):
    """Encoded evaluator examples and a stream of batches (each call: the next batch's example
    indices; data.cycling_batches): shuffled
    candidates (args.loss ce or process) or (correct, incorrect) pairs flattened as pos0, neg0,
    pos1, ... (margin; up to args.pairs_per_problem per problem), args.batch_size candidates or
    pairs a step, reshuffled every pass (seeded by args.seed). For the process and dense
    losses each example also carries its read-outs: [(input position, target)], one at the end
    of every step whose target the candidate holds ("step_values": rollout values, or its own
    grade), and the final one."""
    rng = random.Random(args.seed)
    ex = [evaluator_example(tok, c["problem"], c["solution"], c["label"], block_size)
          for c in cands]
    if args.loss in ("process", "dense"):
        for k, (c, e) in enumerate(zip(cands, ex)):
            at = step_readouts(tok, e[0], len(c["step_values"]))
            ex[k] = (*e, list(zip(at, c["step_values"] if at else []))
                     + [(len(e[0]) - 2, float(c["label"]))])
    if args.loss == "margin":
        pairs, one_class = make_pairs(cands, args.pairs_per_problem, rng,
                                      getattr(args, "wrong_side", "any"))
        n_prob = len({c["problem_id"] for c in cands})
        log(f"margin pairs: {len(pairs)} from {n_prob - one_class} problems; {one_class} problems "
            f"have only correct or only incorrect candidates and give no pairs")
        if not pairs:
            raise ValueError("no (correct, incorrect) pairs: every problem's candidates are all "
                             "right or all wrong; sample more (--n_samples) or more problems")
        units = pairs
    else:
        units = [(i,) for i in range(len(ex))]
    next_units = cycling_batches(len(units), args.batch_size, rng)
    batch = lambda: [i for k in next_units() for i in units[k]]
    return ex, batch


def evaluator_loss(model, examples, labels, args, label_ids, pad):
    """The loss of one evaluator batch of encoded examples and their labels: args.loss margin
    (lambda args.margin) over consecutive (pos, neg) rows, CE on the label word, or process and
    dense (targets at every read-out an example carries: process_loss) (label_ids: the two
    label words' token ids; pad: the padding id)."""
    b = to_device(collate([e[:2] for e in examples], pad), args.device)
    if args.loss in ("process", "dense"):
        logits, _ = model(b["x"], attention_mask=b["attention_mask"])
        rows = [(i, j, t) for i, e in enumerate(examples) for j, t in e[2]]
        at = logits[[i for i, _, _ in rows], [j for _, j, _ in rows]][:, list(label_ids)]
        return process_loss(at.float(), torch.tensor([t for _, _, t in rows], device=at.device))
    two, full = label_logits(model, b, label_ids)
    if args.loss == "margin":
        ls = log_score(two)
        return margin_loss(ls[0::2], ls[1::2], args.margin)
    labels = torch.tensor(labels, device=args.device)
    return ce_loss(full, labels, torch.tensor(label_ids, device=args.device))


def likelihood_losses(model, tok, cands, args, log=print):
    """--loss likelihood: the judge's score is its own length-normalised log-likelihood f of
    the solution, where its knowledge already ranks the samples, and training only corrects
    it. A stream (each call: the next args.batch_size (correct, incorrect) pairs of one
    problem, make_pairs) of the mean token cross-entropy of the correct sides plus the hinge
    max(0, f(X-) - f(X+) + lambda), lambda = args.margin: step 3's contrastive objective on
    the candidates alone."""
    pairs, one_class = make_pairs(cands, args.pairs_per_problem, random.Random(args.seed),
                                  args.wrong_side)
    log(f"likelihood pairs: {len(pairs)}; {one_class} problems give none")
    if not pairs:
        raise DataError("--loss likelihood: no problem has both a correct and an incorrect "
                        "candidate")
    block, pad = model.config.block_size, eos_id(tok)
    exs = [solution_example(tok, c["problem"], c["solution"], block) for c in cands]
    next_idx = cycling_batches(len(pairs), args.batch_size, random.Random(args.seed + 1))

    def next_loss():
        rows = [exs[i] for k in next_idx() for i in pairs[k]]  # correct0, wrong0, correct1, ...
        b = to_device(collate(rows, pad), args.device)
        s = sequence_logprobs(model, b["x"], b["y"])  # each (2 * pairs,)
        mle = -s.total[0::2].sum() / s.n_tokens[0::2].sum()
        return mle + margin_loss(s.normalised[0::2], s.normalised[1::2], args.margin)
    return next_loss


def evaluator_losses(model, tok, cands, args, log=print):
    """A stream of the evaluator's loss (evaluator_loss), each call on the next batch of
    candidates (evaluator_batches): what train_verifier.py trains on, and step 3's stage B.
    --loss likelihood has a stream of its own (likelihood_losses)."""
    if args.loss == "likelihood":
        return likelihood_losses(model, tok, cands, args, log)
    ex, next_batch = evaluator_batches(tok, cands, args, model.config.block_size, log)
    ids, pad = label_token_ids(tok), eos_id(tok)  # once, not at every step

    def next_loss():
        idx = next_batch()
        return evaluator_loss(model, [ex[i] for i in idx], [cands[i]["label"] for i in idx],
                              args, ids, pad)
    return next_loss


