"""
Prealgebra: arithmetic, fractions, percent, rounding.

Each generator: (rng, level) -> (problem, answer, {method: detailed solution}, terse
solution, content key).
"""
import math
from fractions import Fraction

from .shared import finish, tex


def arithmetic(rng, level):
    n = {1: 2, 2: 2, 3: 3, 4: 3, 5: 4}[level]  # operands
    hi = 9
    terms = [rng.randint(2, hi)]
    ops = []
    for _ in range(n - 1):
        op = {1: "+", 2: "-"}.get(level) or rng.choice("+-*" if level >= 4 else "+-")
        ops.append(op)
        terms.append(rng.randint(2, 3) if op == "*" else rng.randint(1, hi))
    # products first: group the expression into signed summands
    summands, cur, sign, prod_lines = [], terms[0], 1, []
    factors, key = [terms[0]], []  # key: the signed products, each a sorted tuple of factors
    for op, t in zip(ops, terms[1:]):
        if op == "*":
            prod_lines.append(f"${cur} \\times {t} = {cur * t}$")
            cur *= t
            factors.append(t)
        else:
            summands.append(sign * cur)
            key.append((sign, tuple(sorted(factors))))
            cur, sign, factors = t, (1 if op == "+" else -1), [t]
    summands.append(sign * cur)
    key.append((sign, tuple(sorted(factors))))
    value = sum(summands)
    shown = {"+": "+", "-": "-", "*": "\\times"}
    expr = str(terms[0]) + "".join(f" {shown[o]} {t}" for o, t in zip(ops, terms[1:]))
    problem = f"Compute ${expr}$."
    head = ["Multiply before adding or subtracting."] + prod_lines if prod_lines else []
    # method 1: left to right
    left, acc = list(head), summands[0]
    for s in summands[1:]:
        new = acc + s
        left.append(f"${acc} {'+' if s > 0 else '-'} {abs(s)} = {new}$")
        acc = new
    # method 2: add the positive and the negative parts apart, then subtract
    pos, neg = [s for s in summands if s > 0], [-s for s in summands if s < 0]
    group = list(head)
    if len(pos) > 1:
        group.append(f"Positive terms: ${' + '.join(map(str, pos))} = {sum(pos)}$")
    if len(neg) > 1:
        group.append(f"Negative terms: ${' + '.join(map(str, neg))} = {sum(neg)}$")
    if neg:
        group.append(f"${sum(pos)} - {sum(neg)} = {value}$")
    methods = {"left_to_right": finish(left, value), "grouped": finish(group or left, value)}
    terse = f"${expr} = \\boxed{{{value}}}$."
    return problem, str(value), methods, terse, tuple(sorted(key))  # a + b = b + a


def fractions_(rng, level):
    dens = {1: (2, 7), 2: (2, 4), 3: (2, 5), 4: (2, 5), 5: (2, 6)}[level]
    b = rng.randint(*dens)
    d = b if level == 1 else (b * rng.randint(2, 3) if level == 2 else rng.randint(*dens))
    a, c = rng.randint(1, b - 1 if b > 2 else 2), rng.randint(1, d - 1 if d > 2 else 2)
    op = "-" if level == 4 or (level == 5 and rng.random() < 0.6) else "+"
    p, q = Fraction(a, b), Fraction(c, d)
    value = p + q if op == "+" else p - q
    problem = (f"Compute $\\frac{{{a}}}{{{b}}} {op} \\frac{{{c}}}{{{d}}}$. "
               "Express your answer as a common fraction.")
    lcd = b * d // math.gcd(b, d)
    n1, n2 = a * lcd // b, c * lcd // d
    raw = n1 + n2 if op == "+" else n1 - n2
    m1 = [f"The least common denominator of {b} and {d} is {lcd}.",
          f"$\\frac{{{a}}}{{{b}}} = \\frac{{{n1}}}{{{lcd}}}$ and "
          f"$\\frac{{{c}}}{{{d}}} = \\frac{{{n2}}}{{{lcd}}}$.",
          f"$\\frac{{{n1}}}{{{lcd}}} {op} \\frac{{{n2}}}{{{lcd}}} = \\frac{{{raw}}}{{{lcd}}}$."]
    if math.gcd(abs(raw), lcd) != 1:
        m1.append(f"Simplify: $\\frac{{{raw}}}{{{lcd}}} = {tex(value)}$.")
    cross = a * d + c * b if op == "+" else a * d - c * b
    m2 = [f"Cross-multiply over the common denominator ${b} \\cdot {d} = {b * d}$:",
          f"$\\frac{{{a} \\cdot {d} {op} {c} \\cdot {b}}}{{{b * d}}} = \\frac{{{cross}}}{{{b * d}}}$."]
    if math.gcd(abs(cross), b * d) != 1:
        m2.append(f"Simplify: $\\frac{{{cross}}}{{{b * d}}} = {tex(value)}$.")
    shortcut = "" if Fraction(raw, lcd) == value and math.gcd(abs(raw), lcd) == 1 \
        else f"\\frac{{{raw}}}{{{lcd}}} = "
    terse = f"$\\frac{{{a}}}{{{b}}} {op} \\frac{{{c}}}{{{d}}} = {shortcut}\\boxed{{{tex(value)}}}$."
    key = (op,) + (tuple(sorted([(a, b), (c, d)])) if op == "+" else ((a, b), (c, d)))
    return problem, tex(value), {"lcd": finish(m1, tex(value)), "cross": finish(m2, tex(value))}, terse, key


def percent(rng, level):
    if level <= 2:
        p = rng.choice([10, 50] if level == 1 else [20, 25])
        n = rng.randint(1, 30) * (100 // math.gcd(100, p))
        ans = Fraction(p * n, 100)
        problem = f"What is ${p}\\%$ of ${n}$?"
        m1 = [f"${p}\\% = \\frac{{{p}}}{{100}}$.",
              f"$\\frac{{{p}}}{{100}} \\cdot {n} = \\frac{{{p * n}}}{{100}} = {tex(ans)}$."]
        m2 = [f"$1\\%$ of ${n}$ is $\\frac{{{n}}}{{100}}$.",
              f"${p} \\cdot \\frac{{{n}}}{{100}} = {tex(ans)}$."]
        terse = f"$\\frac{{{p}}}{{100}} \\cdot {n} = \\boxed{{{tex(ans)}}}$."
        return (problem, tex(ans), {"fraction": finish(m1, tex(ans)), "unit": finish(m2, tex(ans))},
                terse, ("of", min(p, n), max(p, n)))  # p% of n = n% of p
    r, b = rng.randint(1, 3), rng.randint(1, 3)  # parts: from 1-3 (level 3); 4 (level 4) or
    while r == b or (level > 3 and max(r, b) != level):  # 5 (level 5) is the larger part
        r, b = rng.randint(1, level), rng.randint(1, level)
    k = rng.randint(2, 11)
    total = (r + b) * k
    things = rng.choice([("red marbles", "blue marbles", "marbles"), ("boys", "girls", "students"),
                         ("cats", "dogs", "pets"), ("apples", "pears", "pieces of fruit"),
                         ("pens", "pencils", "things in the box"), ("cars", "bikes", "vehicles")])
    if rng.random() < 0.5:  # ask for the first group instead
        things, r, b = (things[1], things[0], things[2]), b, r
    problem = (f"The ratio of {things[0]} to {things[1]} is ${r}:{b}$. There are ${total}$ "
               f"{things[2]} in all. How many {things[1]} are there?")
    ans = b * k
    m1 = [f"There are ${r} + {b} = {r + b}$ parts.",
          f"Each part is ${total} \\div {r + b} = {k}$.",
          f"The {things[1]} are ${b} \\cdot {k} = {ans}$."]
    m2 = [f"The {things[1]} are $\\frac{{{b}}}{{{r + b}}}$ of all the {things[2]}.",
          f"$\\frac{{{b}}}{{{r + b}}} \\cdot {total} = {ans}$."]
    terse = f"$\\frac{{{b}}}{{{r + b}}} \\cdot {total} = \\boxed{{{ans}}}$."
    # the object names are phrasing: the key is (the asked part, the other part, the total)
    return (problem, str(ans), {"parts": finish(m1, ans), "fraction": finish(m2, ans)}, terse,
            ("ratio", b, r, total))


def rounding(rng, level):
    """Rounding to a place: the digits are copied, one digit decides."""
    if level == 5:  # a decimal to the nearest tenth
        n = rng.randint(100, 999)
        x, place, name = Fraction(n, 100), Fraction(1, 10), "tenth"
        shown = f"{n // 100}.{n % 100:02d}"
    else:
        digits_, place, name = {1: (rng.choice([2, 3]), 10, "ten"), 2: (3, 100, "hundred"),
                                3: (4, 10, "ten"), 4: (4, 100, "hundred")}[level]
        n = rng.randint(10 ** (digits_ - 1), 10 ** digits_ - 1)
        x, shown = Fraction(n), str(n)
    low = (x // place) * place
    high = low + place
    up = x - low >= place / 2  # halves round up
    val = high if up else low
    fmt = lambda q: f"{float(q):.1f}" if level == 5 else str(int(q))
    ans = fmt(val)
    problem = f"Round ${shown}$ to the nearest {name}."
    nxt = int((x - low) / place * 10)  # the digit right of the place
    m1 = [f"The digit right of the {name}s place is {nxt}.",
          f"{nxt} is {'5 or more, so round up' if up else 'less than 5, so round down'}: ${ans}$."]
    fine = (lambda q: f"{float(q):.2f}") if level == 5 else (lambda q: str(int(q)))
    diff, half = fine(x - low), fine(place / 2)
    m2 = [f"${shown}$ lies between ${fmt(low)}$ and ${fmt(high)}$.",
          f"${shown} - {fmt(low)} = {diff}$, {'at least' if up else 'less than'} half of "
          f"${fmt(place)}$ (${half}$), so it is nearer ${ans}$."]
    terse = f"${shown} \\approx \\boxed{{{ans}}}$."
    return (problem, ans, {"digit": finish(m1, ans), "between": finish(m2, ans)}, terse,
            ("round", shown, name))
