"""
The evaluator's candidates: what it is trained and measured on, made by the generator and
labelled by the grader (step 2a's data; evaluator.py is the evaluator itself).

  sampled      the generator's own samples of its training or fresh problems and of held-out
               validation problems, graded against the gold answer (sample_candidates,
               training_and_val_candidates, read_candidates)
  pairs        (correct, incorrect) candidates of one problem, for the margin losses
               (make_pairs)
  planted      the positive control: the gold answer written into each problem text
               (plant_answers, --plant_answer), and the diagnostic copies that state a wrong
               one (counterfactual_plants)
  slips        gold solutions beside copies with one slip carried forward (slip_candidates)
  rollouts     each step's value: the share of completions from it that reach the gold
               answer (step_prefixes, rollout_values), for --loss process
"""
import random
import re
from collections import defaultdict
from dataclasses import replace

from common import generate_solutions
from data import DataError
from grade import extract_answer, is_equiv
from records import read_jsonl
from selection import cluster, rank_clusters


# -----------------------------------------------------------------------------
# sampled and graded


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


def read_candidates(path):
    rows = [r for _, r in read_jsonl(path, ("problem_id", "split", "problem", "solution", "label"),
                                     DataError)]
    if not rows:
        raise DataError(f"{path}: no candidates")
    return rows


def candidate_answer(c):
    """The candidate's extracted answer (stored by sample_candidates; older files: extracted)."""
    return c["answer"] if "answer" in c else extract_answer(c["solution"])


# -----------------------------------------------------------------------------
# pairs


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


# -----------------------------------------------------------------------------
# the planted answer: a positive control


PLANTED = {  # --plant_answer: the gold answer written into the problem text (a positive control)
    "end": "{P} (The answer is ${A}$.)",
    "start": "Answer: ${A}$. {P}",
}


def plant_answers(cands, phrasing):
    """The candidates with each problem text carrying its own gold answer (PLANTED[phrasing]):
    "correct" becomes "the boxed answer equals the one the problem states", a comparison any
    rule that reads both gets right. The solutions and labels are untouched: a positive
    control of the evaluator's machinery on the real run's samples."""
    if any("gold" not in c for c in cands):
        raise DataError("--plant_answer: the candidates carry no gold answer (written before "
                        "candidates recorded it): sample them again")
    return [{**c, "problem": PLANTED[phrasing].replace("{A}", c["gold"]).replace(
        "{P}", c["problem"].strip())} for c in cands]


def counterfactual_plants(cands, phrasing):
    """A diagnostic of the control: for every training problem with a wrong answer among its
    candidates, a copy of all its candidates whose problem text states that wrong answer (the
    most voted one) instead of the gold, each labelled by whether its answer equals the one
    stated (problem id + "/cf"). Beside the real plants, the solution's own text then tells
    nothing about its label: only comparing it with the problem's statement does."""
    by = defaultdict(list)
    for c in cands:
        by[c["problem_id"]].append(c)
    out = []
    for pid, cs in by.items():
        wrong = [candidate_answer(c) for c in cs if not c["label"] and c.get("answer")]
        if not wrong:
            continue
        stated = wrong[rank_clusters(cluster(wrong))[0][0]]
        out += [{**c, "problem_id": pid + "/cf", "gold": stated,
                 "label": bool(c.get("answer")) and is_equiv(c["answer"], stated)} for c in cs]
    return plant_answers(out, phrasing)


# -----------------------------------------------------------------------------
# slips


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


# -----------------------------------------------------------------------------
# rollouts: process labels


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
