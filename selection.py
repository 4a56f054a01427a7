"""
Step 2b's rules as pure functions of (answers, correct flags, scores): cluster the N answers by
equivalence (grade.is_equiv), vote, re-rank inside the voted clusters. rerank.py applies them to
a split; the evaluator's held-out report (measures.ranking_report) applies them to its
candidates, so both read one implementation.

  cluster          answers -> clusters of sample indices, in order of first appearance
  rank_clusters    the vote: largest first, ties to the cluster seen first (no scores read)
  select           correctness of every rule on one problem: maj1, majK, RR.All, RR.TopK, W.RR,
                   W.RR.TopK, pass
  pass_at_k        the unbiased pass@k estimator
"""
import math

from grade import is_equiv

def cluster(answers):
    """answers (list of str or None) -> clusters, each a list of sample indices, in order of
    first appearance. None answers are dropped. Each answer joins the first cluster whose
    representative (first member) it is equivalent to."""
    clusters, reps = [], []
    for i, a in enumerate(answers):
        if a is None:
            continue
        for c, r in zip(clusters, reps):
            if is_equiv(a, r):
                c.append(i)
                break
        else:
            clusters.append([i])
            reps.append(a)
    return clusters


def rank_clusters(clusters):
    """The vote: largest first, ties to the cluster seen first. It never reads evaluator
    scores, so maj1 and majK are pure voting and the top-K clusters that RR.TopK re-ranks
    are the voted ones."""
    return sorted(clusters, key=len, reverse=True)  # a stable sort keeps first-seen order


def select(answers, correct, scores, K):
    """Correctness (0/1) of every selection method on one problem's samples."""
    return select_ranked(rank_clusters(cluster(answers)), correct, scores, K)


def select_ranked(ranked, correct, scores, K):
    """select, from clusters already formed and voted (rank_clusters): the evaluator's report
    clusters each problem once and selects with every scorer."""
    ok = lambda c: bool(correct[c[0]])  # a cluster is right when its answers are
    out = {"maj1": float(bool(ranked) and ok(ranked[0])),
           "majk": float(any(ok(c) for c in ranked[:K])),
           "pass": float(any(correct))}
    if scores is not None and ranked:
        members = [i for c in ranked for i in c]
        top = [i for c in ranked[:K] for i in c]
        out["rr_all"] = float(correct[best_sample(members, scores)])
        out["rr_topk"] = float(correct[best_sample(top, scores)])
        out["w_rr"] = float(ok(heaviest_cluster(ranked, scores)))
        out["w_rr_topk"] = float(ok(heaviest_cluster(ranked[:K], scores)))
    elif scores is not None:  # no sample had an answer
        out.update(rr_all=0.0, rr_topk=0.0, w_rr=0.0, w_rr_topk=0.0)
    return out


def best_sample(idx, scores):
    """RR: the highest-scored sample among idx; a tie goes to the sample drawn first."""
    return max(idx, key=lambda i: (scores[i], -i))


def heaviest_cluster(ranked, scores):
    """W.RR: the cluster with the largest summed score; a tie goes to the one the vote ranks
    higher (ranked is in voting order)."""
    sums = [sum(scores[i] for i in c) for c in ranked]
    return ranked[sums.index(max(sums))]


def pass_at_k(n, c, k):
    """Unbiased pass@k from n samples with c correct (Chen et al. 2021)."""
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


SCORED = ("rr_all", "rr_topk", "w_rr", "w_rr_topk")  # the rules that read scores
