"""
How well a scorer judges candidates (step 2a's measurements): ROC AUC, within-problem pair
accuracy and mean margin (evaluate), and the held-out report of any scorer, the evaluator's
or a control's: pair accuracy over distinct texts, the top-2 decision (the one re-ranking
inside the two largest clusters has to make) and the re-ranking rules on the candidates
(ranking_report).
"""
import math
import random
from collections import defaultdict

from candidates import candidate_answer, make_pairs
from evaluator import evaluator_scores
from selection import cluster, rank_clusters, select_ranked


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


def distinct_pairs(cands):
    """Every (correct, incorrect) pair of different solution texts of one problem, counted
    once however often either was sampled: (index of the right text's first candidate, index of
    the wrong one's), problem by problem in the candidates' order."""
    by = defaultdict(dict)  # problem id -> {text: index of its first candidate}
    for i, c in enumerate(cands):
        by[c["problem_id"]].setdefault(c["solution"].strip(), i)
    pairs = []
    for texts in by.values():
        pos = [i for i in texts.values() if cands[i]["label"]]
        neg = [i for i in texts.values() if not cands[i]["label"]]
        pairs += [(a, b) for a in pos for b in neg]
    return pairs


def pair_credit(right, wrong):
    """A scorer's credit on one (right, wrong) pair: 1 when it puts the right one first, a half
    on a tie."""
    return 1.0 if right > wrong else 0.5 if right == wrong else 0.0


def distinct_pair_accuracy(cands, scores):
    """Within-problem pair accuracy over distinct solution texts (distinct_pairs; pair_metrics
    counts every copy, so it rises with repetition); a tie counts half.
    Returns (accuracy, number of pairs)."""
    pairs = distinct_pairs(cands)
    hits = sum(pair_credit(scores[a], scores[b]) for a, b in pairs)
    return (hits / len(pairs) if pairs else float("nan")), len(pairs)


def problem_groups(cands):
    """problem id -> the indices of its candidates, in sampling order, and its answers' clusters
    ranked by the vote (selection.rank_clusters): computed once, read by every scorer."""
    idx = defaultdict(list)
    for i, c in enumerate(cands):
        idx[c["problem_id"]].append(i)
    return {pid: (ii, rank_clusters(cluster([candidate_answer(cands[i]) for i in ii])))
            for pid, ii in idx.items()}


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
