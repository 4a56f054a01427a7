"""
Counting & Probability: counting, probability, lists.

Each generator: (rng, level) -> (problem, answer, {method: detailed solution}, terse
solution, content key).
"""
import math
from fractions import Fraction

from .shared import CDOT, finish, paren, tex


COLOURS = ("red", "blue", "green", "yellow", "white", "black")


def probability(rng, level):
    """Marbles drawn from a bag, answers as common fractions. The colours are phrasing: the key
    is (the question, the asked colour's count, the other counts sorted)."""
    ncol, hi = {1: (2, 9), 2: (3, 6), 3: (3, 6), 4: (2, 6), 5: (3, 4)}[level]
    counts = [rng.randint(2, hi + 1) if level == 5 else rng.randint(1, hi)] + \
        [rng.randint(1, hi) for _ in range(ncol - 1)]
    cols = rng.sample(COLOURS, ncol)
    r, n = counts[0], sum(counts)
    order = range(ncol)  # the asked colour first: the count to use is the first one read
    bag = ", ".join(f"${counts[i]}$ {cols[i]}" for i in order[:-1]) + \
        f"{',' if ncol > 2 else ''} and ${counts[order[-1]]}$ {cols[order[-1]]} marbles"
    add = " + ".join(str(counts[i]) for i in order)
    head = f"A bag has {bag}."
    frac = lambda p, q: f"\\frac{{{p}}}{{{q}}}"
    simp = lambda p, q: frac(p, q) + (f" = {tex(Fraction(p, q))}" if math.gcd(p, q) > 1 else "")
    if level <= 3:
        good = n - r if level == 3 else r
        ans = tex(Fraction(good, n))
        ask = f"not {cols[0]}" if level == 3 else cols[0]
        problem = (f"{head} A marble is drawn at random. What is the probability that it is "
                   f"{ask}? Express your answer as a common fraction.")
        m1 = [f"There are ${add} = {n}$ marbles.",
              f"{'The marbles that are not ' + cols[0] if level == 3 else 'The ' + cols[0] + ' marbles'} "
              f"number ${good}$.",
              f"The probability is ${simp(good, n)}$."]
        m2 = [f"There are ${add} = {n}$ marbles.",
              f"The probability of {cols[0]} is ${frac(r, n)}$."]
        m2.append(f"The probability of not {cols[0]} is $1 - {frac(r, n)} = {ans}$." if level == 3
                  else f"The probability is ${simp(r, n)}$.")
        terse = f"$\\frac{{{good}}}{{{n}}} = \\boxed{{{ans}}}$."
        return (problem, ans, {"count": finish(m1, ans), "complement": finish(m2, ans)}, terse,
                ("not" if level == 3 else "is", r, tuple(sorted(counts[1:]))))
    again = "with replacement" if level == 4 else "without replacement"
    p = Fraction(r * r, n * n) if level == 4 else Fraction(r * (r - 1), n * (n - 1))
    ans = tex(p)
    problem = (f"{head} Two marbles are drawn at random, {again}. What is the probability that "
               f"both are {cols[0]}? Express your answer as a common fraction.")
    r2, n2 = (r, n) if level == 4 else (r - 1, n - 1)
    m1 = [f"There are ${add} = {n}$ marbles.",
          f"The first is {cols[0]} with probability ${frac(r, n)}$.",
          f"Then the second is {cols[0]} with probability ${frac(r2, n2)}$.",
          f"${frac(r, n)} \\cdot {frac(r2, n2)} = {simp(r * r2, n * n2)}$."]
    m2 = [f"There are ${add} = {n}$ marbles.",
          f"Ordered pairs of draws: ${n} \\cdot {n2} = {n * n2}$.",
          f"Pairs with both {cols[0]}: ${r} \\cdot {r2} = {r * r2}$.",
          f"The probability is ${simp(r * r2, n * n2)}$."]
    terse = f"${frac(r, n)} \\cdot {frac(r2, n2)} = \\boxed{{{ans}}}$."
    return (problem, ans, {"multiply": finish(m1, ans), "count": finish(m2, ans)}, terse,
            (again, r, tuple(sorted(counts[1:]))))


def product_of_choices(rng, level):
    """One item from each group: a product, in any order."""
    groups = rng.sample([("shirts", "shirt"), ("pairs of pants", "pair of pants"),
                         ("hats", "hat"), ("scarves", "scarf")], level + 1)
    ns = [rng.randint(2, 9 if level == 1 else 5) for _ in groups]
    ans = math.prod(ns)
    have = ", ".join(f"${n}$ {g[0]}" for n, g in zip(ns[:-1], groups)) + \
        f"{',' if level == 2 else ''} and ${ns[-1]}$ {groups[-1][0]}"
    pick = ", ".join(f"one {g[1]}" for g in groups[:-1]) + f" and one {groups[-1][1]}"
    problem = f"Sam has {have}. In how many ways can Sam choose {pick}?"
    prods = " \\cdot ".join(map(str, ns))
    m1 = [f"Each choice is independent, so multiply: ${prods} = {ans}$."]
    m2, acc = [], ns[0]
    for v in ns[1:]:
        m2.append(f"Each of the ${acc}$ choices so far goes with ${v}$ more: ${acc} \\cdot {v} = {acc * v}$.")
        acc *= v
    terse = f"${prods} = \\boxed{{{ans}}}$."
    return (problem, str(ans), {"multiply": finish(m1, ans), "stepwise": finish(m2, ans)},
            terse, ("each", tuple(sorted(ns))))


def officers(rng, level):
    """Ordered choices: k officers from n people."""
    k = rng.choice([2, 3])
    n = rng.randint(4, 10 if k == 2 else 7)
    roles = ["a president", "a vice-president", "a treasurer"][:k]
    ans = math.prod(range(n - k + 1, n + 1))
    problem = (f"In how many ways can {', '.join(roles[:-1])} and {roles[-1]} be chosen from "
               f"a club of ${n}$ people, if no one holds two offices?")
    f_ = " \\cdot ".join(str(n - j) for j in range(k))
    m1 = [f"The first office has ${n}$ choices, the next one fewer each time.",
          f"${f_} = {ans}$."]
    m2 = [f"This is $\\frac{{{n}!}}{{{n - k}!}}$.", f"$\\frac{{{n}!}}{{{n - k}!}} = {f_} = {ans}$."]
    terse = f"${f_} = \\boxed{{{ans}}}$."
    return (problem, str(ans), {"multiply": finish(m1, ans), "factorial": finish(m2, ans)},
            terse, ("officers", n, k))


def unordered_choices(rng, level):
    """Unordered choices."""
    k = rng.choice([2, 3])
    n = rng.randint(k + 2, 10 if k == 2 else 9)
    ans = math.comb(n, k)
    problem = f"In how many ways can ${k}$ people be chosen from a group of ${n}$ people?"
    top = " \\cdot ".join(str(n - j) for j in range(k))
    m1 = [f"In order: ${top} = {math.perm(n, k)}$ ways.",
          f"Each group is counted ${k}! = {math.factorial(k)}$ times.",
          f"$\\frac{{{math.perm(n, k)}}}{{{math.factorial(k)}}} = {ans}$."]
    m2 = [f"$\\binom{{{n}}}{{{k}}} = \\frac{{{top}}}{{{CDOT.join(str(j) for j in range(k, 0, -1))}}} = {ans}$."]
    terse = f"$\\binom{{{n}}}{{{k}}} = \\boxed{{{ans}}}$."
    return (problem, str(ans), {"order": finish(m1, ans), "binomial": finish(m2, ans)}, terse,
            ("choose", n, k))


def committee(rng, level):
    """Level 5: a committee with a number of girls and of boys."""
    m, n = rng.randint(3, 6), rng.randint(3, 6)  # level 5: a committee from two groups
    a, b = rng.randint(1, 2), rng.randint(1, 2)
    ca, cb = math.comb(m, a), math.comb(n, b)
    ans = ca * cb
    problem = (f"A club has ${m}$ girls and ${n}$ boys. In how many ways can a committee of "
               f"${a}$ girls and ${b}$ boys be chosen?")
    m1 = [f"Girls: $\\binom{{{m}}}{{{a}}} = {ca}$.", f"Boys: $\\binom{{{n}}}{{{b}}} = {cb}$.",
          f"Together: ${ca} \\cdot {cb} = {ans}$."]
    m2 = [f"Boys: $\\binom{{{n}}}{{{b}}} = {cb}$.", f"Girls: $\\binom{{{m}}}{{{a}}} = {ca}$.",
          f"Together: ${cb} \\cdot {ca} = {ans}$."]
    terse = f"$\\binom{{{m}}}{{{a}}}\\binom{{{n}}}{{{b}}} = {ca} \\cdot {cb} = \\boxed{{{ans}}}$."
    # girls and boys are names: choosing a of m and b of n, in either group order
    return (problem, str(ans), {"girls_first": finish(m1, ans), "boys_first": finish(m2, ans)},
            terse, ("committee", tuple(sorted([(m, a), (n, b)]))))


def counting(rng, level):
    """The multiplication principle, arrangements, choices and committees."""
    if level <= 2:  # one item from each group: a product, in any order
        return product_of_choices(rng, level)
    if level == 3:  # ordered choices: k officers from n people
        return officers(rng, level)
    if level == 4:  # unordered choices
        return unordered_choices(rng, level)
    return committee(rng, level)


def lists(rng, level):
    """How many numbers are in an arithmetic list: (last - first) / step + 1."""
    lo, hi_d, n_max = {1: (1, 1, 20), 2: (1, 3, 12), 3: (1, 5, 10), 4: (30, 5, 10), 5: (-20, 5, 10)}[level]
    d = 1 if level == 1 else rng.randint(2, hi_d)
    n = rng.randint(4, n_max)
    a = rng.randint(lo, lo + 19)
    if level == 4:  # counting down
        d = -d
    terms = [a + j * d for j in range(n)]
    b = terms[-1]
    shown = f"{terms[0]}, {terms[1]}, {terms[2]}, \\ldots, {b}"
    problem = f"How many numbers are in the list ${shown}$?"
    span = abs(b - a)
    m1 = [f"The step is ${abs(d)}$.",
          f"From ${a}$ to ${b}$ is ${span}$, which is ${span} \\div {abs(d)} = {span // abs(d)}$ steps.",
          f"With the first number, ${span // abs(d)} + 1 = {n}$ numbers."]
    first, step, last = (a, d, b) if d > 0 else (b, -d, a)
    shift = first - step
    m2 = ([f"Reverse it: ${first}, {first + step}, \\ldots, {last}$."] if d < 0 else []) + [
        f"{'Subtract' if shift >= 0 else 'Add'} ${abs(shift)}$ {'from' if shift >= 0 else 'to'} "
        "every number: the list becomes "
        f"${step}, {2 * step}, \\ldots, {last - shift}$.",
        f"That is ${step}$ times $1, 2, \\ldots, {n}$, so there are ${n}$ numbers."]
    terse = f"$\\frac{{{b} - {paren(a)}}}{{{abs(d)}}} + 1 = \\boxed{{{n}}}$." if d > 0 else \
        f"$\\frac{{{a} - {paren(b)}}}{{{-d}}} + 1 = \\boxed{{{n}}}$."
    return (problem, str(n), {"steps": finish(m1, n), "shift": finish(m2, n)}, terse,
            ("list", a, d, n))
