"""
The solution evaluator of the paper (step 2a): what it reads, how it scores, how it learns.
The steps that use one (the evaluator's training, re-ranking, step 3's stage B) import it
from here; its data live in candidates.py, its measurements in measures.py.

  the example   the paper's template, then the label word (" correct" / " incorrect"),
                a too-long solution shortened in its middle (evaluator_example)
  the score     S(X|P) = p(" correct") / (p(" correct") + p(" incorrect")) read at the
                last real token (label_logits, log_score, evaluator_scores)
  the losses    CE on the label word, and the margin loss over (correct, incorrect) pairs of
                one problem (ce_loss, margin_loss; evaluator_loss for a batch, evaluator_losses
                the stream train_verifier.py trains on); ours: the language model's loss
                beside (solution_lm_loss), process and dense read-outs at every step
  likelihood    a judge without a label word, its own mean token probability of the solution
                (likelihood_scores, likelihood_losses): the generator's is the control every
                evaluator has to beat

train_verifier.py is the script that trains one.
"""
import random

import torch
import torch.nn.functional as F
from tqdm import tqdm

from candidates import make_pairs, step_prefixes
from data import (EVALUATOR_TAIL, DataError, collate, cycling_batches, encode, encode_example,
                  eos_id, evaluator_head, evaluator_prompt, generator_prompt, generator_target,
                  label_token_ids, length_chunks, to_device)
from model import last_real_index, sequence_logprobs, token_cross_entropy


# -----------------------------------------------------------------------------
# the example: the paper's template, then the label word


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


def evaluator_example(tok, problem, solution, label, block_size, lm=False):
    """(ids, mask): the evaluator prompt's tokens, then the label token (" correct" if label
    else " incorrect"; its first token if the word is several), mask 1 on that token only
    (lm: on the solution's tokens too, for the language-modelling term of --lm_weight).
    A solution too long for the context loses its middle (shorten_middle), never the final
    answer line nor the template's tail: the score must be read right after "is"."""
    label_id = label_token_ids(tok)[0 if label else 1]
    solution = solution.strip()
    while True:
        ids = encode(tok, evaluator_prompt(problem, solution)) + [label_id]
        if len(ids) <= block_size + 1:  # +1: the inputs are ids[:-1]
            mask = [0] * (len(ids) - 1) + [1]
            if lm:  # the solution: after the head, before the template's tail
                start = len(encode(tok, evaluator_head(problem)))
                end = len(ids) - 1 - len(encode(tok, EVALUATOR_TAIL))
                mask[start:end] = [1] * (end - start)
            return ids, mask
        if len(solution) <= 1:
            raise ValueError(f"problem too long for the evaluator context ({block_size} tokens)")
        # drop characters in proportion to the tokens over (a token has at least one character)
        over = len(ids) - (block_size + 1)
        solution = shorten_middle(solution, max(over, len(solution) * over // len(ids)) + len(CUT))


# -----------------------------------------------------------------------------
# the score: S(X|P) at the last real token


def label_logits(model, batch, ids, right_padded=False):
    """Logits of the two label words at the last real input position (the token 'is'),
    whatever the padding side. Returns (B, 2) [correct, incorrect] and the full-vocab
    log-probs there (B, V) for the CE loss. Only that position is projected onto the
    vocabulary (GPT.forward's read). right_padded (data.collate's batches): no attention mask,
    since causal attention alone keeps every real token from seeing the padding after it
    (the same logits, by the faster kernel)."""
    mask = batch["attention_mask"]
    at, _ = model(batch["x"], attention_mask=None if right_padded else mask,
                  read=last_real_index(mask))  # (B, V)
    return read_label(at, ids)


def read_label(at, ids):
    """(the two label words' logits (B, 2), the log-probs over the vocabulary (B, V)) from the
    logits at the read-out position (B, V)."""
    at = at.float()
    return at[:, list(ids)], torch.log_softmax(at, -1)


def log_score(two):
    """log S = log p(correct) / (p(correct) + p(incorrect)), from the (B, 2) label logits."""
    return F.logsigmoid(two[:, 0] - two[:, 1])


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
        if rule == "final":  # one read-out a row
            two, _ = label_logits(model, b, ids, right_padded=True)
            for i, s in zip(chunk, log_score(two).exp().tolist()):
                out[i] = s
            continue
        logits, _ = model(b["x"])  # (B, T, V); right-padded (collate): causal is enough
        last = last_real_index(b["attention_mask"])
        for j, i in enumerate(chunk):
            at = logits[j, steps[i] + [last[j].item()]][:, list(ids)].float()  # (readouts, 2)
            out[i] = log_score(at).exp().min().item()
    return out


def step_readouts(tok, ids, n_steps):
    """Input positions (indices into ids[:-1]) of the newline that ends each of the solution's
    first n_steps lines: the last n_steps newlines before the template's tail, which has none.
    [] when the example lost lines (a shortened middle) or the tokenizer has no newline token."""
    nl = tok.token_to_id("\u010a")  # byte-level BPE's newline
    at = [j for j, t in enumerate(ids[:-1]) if t == nl]
    return at[len(at) - n_steps:] if n_steps and len(at) >= n_steps else []


def score_rule(run_config):
    """How an evaluator checkpoint scores a solution (evaluator_scores' rule): a process
    evaluator by its weakest step, a likelihood evaluator by its own mean token probability of
    the solution, the paper's by its final read-out."""
    return {"process": "weakest", "likelihood": "likelihood"}.get(run_config.get("loss"), "final")


# -----------------------------------------------------------------------------
# the losses: the paper's two, then ours


def ce_loss(full_logp, labels, ids):
    """Cross-entropy of the label word over the whole vocabulary, mean over the batch."""
    target = torch.where(labels.bool(), ids[0], ids[1])
    return -full_logp.gather(1, target[:, None]).mean()


def margin_loss(s_pos, s_neg, margin):
    """max(0, s(X-) - s(X+) + lambda), mean over pairs: the project's one hinge. The
    evaluator's margin loss with s = log S (the paper's), step 3's ranking loss with s = the
    length-normalised log-likelihood f (train_joint.pair_ranking_loss)."""
    return torch.clamp(s_neg - s_pos + margin, min=0).mean()


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
    lm = bool(getattr(args, "lm_weight", 0))
    ex = [evaluator_example(tok, c["problem"], c["solution"], c["label"], block_size, lm)
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
    # the whole batch, collated only by the paths that read it (--length_split collates its
    # pieces). collate pads on the right: causal attention alone keeps every real token from
    # seeing the padding after it, so no path here passes the attention mask (label_logits'
    # right_padded)
    whole = lambda: to_device(collate([e[:2] for e in examples], pad), args.device)
    if args.loss in ("process", "dense"):
        b = whole()
        logits, _ = model(b["x"])  # (B, T, V): read-outs at every step
        rows = [(i, j, t) for i, e in enumerate(examples) for j, t in e[2]]
        at = logits[[i for i, _, _ in rows], [j for _, j, _ in rows]][:, list(label_ids)]
        return process_loss(at.float(), torch.tensor([t for _, _, t in rows], device=at.device))
    lm = getattr(args, "lm_weight", 0)
    if lm:  # the language model's loss needs every position's logits
        b = whole()
        logits, _ = model(b["x"])  # (B, T, V)
        last = last_real_index(b["attention_mask"])
        two, full = read_label(logits[torch.arange(len(last), device=last.device), last],
                               label_ids)
    elif getattr(args, "length_split", 1) > 1:
        two, full = label_logits_in_pieces(model, examples, label_ids, pad, args)
    else:
        two, full = label_logits(model, whole(), label_ids, right_padded=True)
    if args.loss == "margin":
        ls = log_score(two)
        loss = margin_loss(ls[0::2], ls[1::2], args.margin)
    else:
        loss = ce_loss(full, torch.tensor(labels, device=args.device),
                       torch.tensor(label_ids, device=args.device))
    if lm:  # Cobbe et al.: the language model's loss beside
        loss = loss + lm * solution_lm_loss(logits, b, labels)
    return loss


def label_logits_in_pieces(model, examples, ids, pad, args):
    """label_logits of a batch cut into args.length_split length-sorted pieces, each padded
    only to its own longest example: the same (B, 2) and (B, V) rows in the batch's order (a
    margin batch's pos, neg, pos, ... pairs stay paired), fewer padding positions computed."""
    chunks = length_chunks([len(e[0]) for e in examples], -(-len(examples) // args.length_split))
    pieces = [label_logits(model, to_device(collate([examples[i][:2] for i in c], pad),
                                            args.device), ids, right_padded=True)
              for c in chunks]
    order = torch.tensor([i for c in chunks for i in c], device=pieces[0][0].device)
    back = torch.empty_like(order)
    back[order] = torch.arange(len(order), device=order.device)  # batch row -> its piece row
    return torch.cat([two for two, _ in pieces])[back], torch.cat([f for _, f in pieces])[back]


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


def process_loss(two, targets):
    """Binary cross-entropy of the two-way score S = sigmoid(l_correct - l_incorrect) at each
    read-out against a soft target in [0, 1] (a step's rollout value, or the grade at the
    final read-out), mean over read-outs. two: (R, 2) label logits; targets: (R,)."""
    d = two[:, 0] - two[:, 1]
    return -(targets * F.logsigmoid(d) + (1 - targets) * F.logsigmoid(-d)).mean()


def solution_lm_loss(logits, batch, labels):
    """Mean token cross-entropy of the correct candidates' solutions inside the evaluator's
    template (the targets evaluator_example(lm=True) marks, less the label word at the end):
    what teaches the judge to predict a right solution, and so to see where one departs."""
    y = batch["y"].clone()
    y[torch.arange(len(y), device=y.device), last_real_index(batch["attention_mask"])] = -100
    y[~torch.tensor(labels, dtype=torch.bool, device=y.device)] = -100
    if not (y != -100).any():
        return logits.sum() * 0.0  # no correct candidate in the batch
    return token_cross_entropy(logits, y)


# -----------------------------------------------------------------------------
# a judge without a label word: its own likelihood (also the control every evaluator must beat)


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
