"""
The solution evaluator of the paper (step 2a), as a library: the steps that read it (the
evaluator's training, re-ranking, step 3's stage B) import it from here. It holds

  the example      the paper's template, then the label word (" correct" / " incorrect"),
                   a too-long solution shortened in its middle (evaluator_example)
  the score        S(X|P) = p(" correct") / (p(" correct") + p(" incorrect")) read at the
                   last real token (label_logits, log_score, evaluator_scores)
  the losses       CE on the label word, and the margin loss over (correct, incorrect) pairs
                   of one problem (ce_loss, margin_loss; evaluator_loss for a batch)
  the candidates   the generator's own samples, graded (sample_candidates,
                   training_and_val_candidates, read_candidates, make_pairs)
  the metrics      ROC AUC, within-problem pair accuracy, mean margin (evaluate)

train_verifier.py is the script that trains one.
"""
import math
import random
from collections import defaultdict
from dataclasses import replace

import torch
import torch.nn.functional as F
from tqdm import tqdm

from common import generate_solutions
from data import (DataError, collate, cycling_batches, encode, eos_id, evaluator_prompt,
                  label_token_ids, length_chunks, to_device)
from grade import extract_answer, is_equiv, read_jsonl
from model import last_real_index

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


def margin_loss(log_s_pos, log_s_neg, margin):
    """max(0, log S(X-) - log S(X+) + lambda), mean over pairs."""
    return torch.clamp(log_s_neg - log_s_pos + margin, min=0).mean()


@torch.no_grad()
def evaluator_scores(model, tok, problems, solutions, batch_size=64, progress=False):
    """S(X|P) for each (problem, solution) pair -> list of floats in (0, 1), computed on the
    model's device."""
    model.eval()
    device = next(model.parameters()).device
    ids = label_token_ids(tok)
    block = model.config.block_size
    exs = [evaluator_example(tok, p, s, True, block) for p, s in zip(problems, solutions)]
    out = [0.0] * len(exs)
    chunks = length_chunks([len(ids) for ids, _ in exs], batch_size)
    for chunk in tqdm(chunks, disable=not progress, desc="score", leave=False):
        b = to_device(collate([exs[i] for i in chunk], eos_id(tok)), device)
        two, _ = label_logits(model, b, ids)
        for i, v in zip(chunk, log_score(two).exp().tolist()):
            out[i] = v
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


def training_and_val_candidates(model, tok, splits, plan, sampling, progress=True):
    """The evaluator's candidates; plan = (source, n_problems, n_val_problems): sampling.n
    samples of each of the first n_problems of `source` (candidate_problems) labelled split
    'train', then of the first n_val_problems validation problems labelled 'val' (held out),
    with seeds sampling.seed and seed + 1."""
    source, n_problems, n_val_problems = plan
    train_rows = candidate_problems(splits, source, n_problems)
    val_rows = splits["val"][:n_val_problems]
    return (sample_candidates(model, tok, train_rows, sampling, ("train", source), progress)
            + sample_candidates(model, tok, val_rows, replace(sampling, seed=sampling.seed + 1),
                                ("val", "val"), progress))


def sample_candidates(model, tok, rows, sampling, splits=("train", None), progress=True):
    """sampling.n sampled solutions per problem, graded: the evaluator's candidates.
    splits = (their role for the evaluator: train or val, the dataset split the problems are
    from; None: the same)."""
    split, problem_split = splits
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


def read_candidates(path):
    rows = [r for _, r in read_jsonl(path, ("problem_id", "split", "problem", "solution", "label"),
                                     DataError)]
    if not rows:
        raise DataError(f"{path}: no candidates")
    return rows


def make_pairs(cands, per_problem, rng):
    """Up to per_problem (correct, incorrect) pairs per problem, drawn uniformly from all such
    pairs. Returns (pairs, number of problems with one class only)."""
    by = defaultdict(lambda: ([], []))
    for i, c in enumerate(cands):
        by[c["problem_id"]][0 if c["label"] else 1].append(i)
    pairs, one_class = [], 0
    for pid in sorted(by):
        pos, neg = by[pid]
        if not pos or not neg:
            one_class += 1
            continue
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


def evaluate(model, tok, cands, progress=False):
    """AUC, within-problem pair accuracy and mean margin of the evaluator on candidates."""
    scores = evaluator_scores(model, tok, [c["problem"] for c in cands],
                              [c["solution"] for c in cands], progress=progress)
    labels = [c["label"] for c in cands]
    acc, marg = pair_metrics(cands, scores)
    return {"auc": roc_auc(scores, labels), "pair_accuracy": acc, "mean_margin": marg,
            "n_candidates": len(cands), "positive_rate": sum(labels) / len(labels)}


# -----------------------------------------------------------------------------


def evaluator_batches(tok, cands, args, block_size, log=print):
    """Encoded evaluator examples and a function giving the next step's example indices
    (stateful: data.cycling_batches): shuffled
    candidates (args.loss ce) or (correct, incorrect) pairs flattened as pos0, neg0, pos1, ...
    (margin; up to args.pairs_per_problem per problem), args.batch_size candidates or pairs a
    step, reshuffled every pass (seeded by args.seed)."""
    rng = random.Random(args.seed)
    ex = [evaluator_example(tok, c["problem"], c["solution"], c["label"], block_size)
          for c in cands]
    if args.loss == "margin":
        pairs, one_class = make_pairs(cands, args.pairs_per_problem, rng)
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
    batch = lambda step: [i for k in next_units(step) for i in units[k]]
    return ex, batch


def evaluator_loss(model, examples, labels, args, label_ids, pad):
    """The loss of one evaluator batch of encoded examples and their labels: args.loss margin
    (lambda args.margin) over consecutive (pos, neg) rows, or CE on the label word
    (label_ids: the two label words' token ids; pad: the padding id)."""
    b = to_device(collate(examples, pad), args.device)
    two, full = label_logits(model, b, label_ids)
    if args.loss == "margin":
        ls = log_score(two)
        return margin_loss(ls[0::2], ls[1::2], args.margin)
    labels = torch.tensor(labels, device=args.device)
    return ce_loss(full, labels, torch.tensor(label_ids, device=args.device))


def evaluator_step_loss(model, tok, cands, args, log=print):
    """step -> the evaluator loss of that step's batch of candidates (evaluator_batches): what
    train_verifier.py trains on, and step 3's stage B."""
    ex, batch = evaluator_batches(tok, cands, args, model.config.block_size, log)
    ids, pad = label_token_ids(tok), eos_id(tok)  # once, not at every step

    def loss(step):
        idx = batch(step)
        return evaluator_loss(model, [ex[i] for i in idx], [cands[i]["label"] for i in idx],
                              args, ids, pad)
    return loss


