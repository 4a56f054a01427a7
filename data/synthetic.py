"""
The embedded default dataset: MATH-format problems made by a seeded generator, so the whole
recipe runs on a laptop CPU with no download.

Seven problem types (MATH subject names), levels 1-5, answers written as MATH writes them
(\\frac{a}{b}, negatives, unordered root lists). Every problem has two solution styles:

  detailed  one step per line, every intermediate value shown (PRM800K-like), and several
            valid *methods* per type (e.g. factoring vs the quadratic formula), one chosen at
            random per problem: different texts reaching one answer, which is what gives
            majority voting something to vote over
  terse     MATH-human-like: one or two lines, the jumps left to the reader

Numbers are kept small on purpose: a tiny model learns multi-step structure far faster than
multi-digit arithmetic (docs/data.md, "Calibration"). Small ranges make few distinct problems,
so the splits are cut by content, not text: content_key names a problem's mathematics, and no key is
in two splits (make_splits). Cells whose ranges were too small to give test and val their share
were widened just enough (docs/data.md, "The embedded default").

    python -m data.synthetic            # one example of each type and level
    python -m data.synthetic --stats    # distinct problems (content keys) per split and cell
"""
import math
import random
import re
from fractions import Fraction

# The default split sizes, in one place (data.sources and every script's flags read them):
# training rows (small kinds repeat their problems, so rows outnumber distinct problems), val
# and test problems, fresh ones for the evaluator and step 3; what they hold:
# python -m data.synthetic --stats.
N_TRAIN, N_VAL, N_TEST, N_FRESH = 12500, 500, 500, 3200

SUBJECTS = ("Prealgebra", "Algebra", "Number Theory", "Counting & Probability", "Geometry",
            "Intermediate Algebra", "Precalculus")  # MATH's seven, in its order
SUBJECT = {"arithmetic": "Prealgebra", "fractions": "Prealgebra", "percent": "Prealgebra",
           "rounding": "Prealgebra",
           "linear": "Algebra", "series": "Algebra", "system": "Algebra",
           "number_theory": "Number Theory", "digits": "Number Theory",
           "counting": "Counting & Probability", "probability": "Counting & Probability",
           "lists": "Counting & Probability",
           "area": "Geometry", "angles": "Geometry", "coordinates": "Geometry",
           "quadratic": "Intermediate Algebra", "functions": "Intermediate Algebra",
           "matrices": "Precalculus", "complex_trig": "Precalculus"}  # kind -> subject
KINDS = {s: tuple(k for k, v in SUBJECT.items() if v == s) for s in SUBJECTS}
CDOT = " \\cdot "


def tex(q):
    """A number as MATH writes it: 5, -3, \\frac{3}{4}, -\\frac{3}{4}."""
    q = Fraction(q)
    if q.denominator == 1:
        return str(q.numerator)
    sign = "-" if q < 0 else ""
    return f"{sign}\\frac{{{abs(q.numerator)}}}{{{q.denominator}}}"


def paren(q):
    """A number inside an expression: negatives in parentheses."""
    s = tex(q)
    return f"({s})" if q < 0 else s


def signed(v):
    """+ 4 or - 4: a term after another."""
    return f" + {v}" if v >= 0 else f" - {-v}"


def move(b):
    """The step that removes the constant b from the left side."""
    return f"Subtract {b} from both sides" if b > 0 else f"Add {-b} to both sides"


def finish(lines, answer):
    return "\n".join(lines + [f"The answer is $\\boxed{{{answer}}}$."])


# -----------------------------------------------------------------------------
# one function per type: (rng, level) -> (problem, answer, {method: detailed}, terse)


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


def linear(rng, level):
    a = 1 if level == 1 else rng.randint(2, 3)
    x = Fraction(rng.randint(-5, 5)) if level <= 2 else Fraction(rng.randint(-5, 5), a)
    b = (rng.randint(-12, 12) if level == 1 else rng.randint(-9, 9)) or 5
    if level <= 3:
        c = a * x + b
        problem = f"Solve for $x$: ${'' if a == 1 else a}x {'+' if b > 0 else '-'} {abs(b)} = {tex(c)}$."
        m1 = [f"{move(b)}: ${'' if a == 1 else a}x = {tex(c)} {'-' if b > 0 else '+'} {abs(b)} = {tex(c - b)}$."]
        if a != 1:
            m1.append(f"Divide both sides by {a}: $x = \\frac{{{tex(c - b)}}}{{{a}}} = {tex(x)}$.")
        m2 = [f"The equation $a \\cdot x + b = c$ has the solution $x = \\frac{{c - b}}{{a}}$ with "
              f"$a = {a}$, $b = {b}$, $c = {tex(c)}$.",
              f"$c - b = {tex(c)} - {paren(b)} = {tex(c - b)}$.",
              f"$x = \\frac{{{tex(c - b)}}}{{{a}}} = {tex(x)}$."]
        terse = (f"$x = {tex(c)}{signed(-b)} = \\boxed{{{tex(x)}}}$." if a == 1 else
                 f"$x = \\frac{{{tex(c)} - {paren(b)}}}{{{a}}} = \\boxed{{{tex(x)}}}$.")
    else:  # x on both sides: a x + b = c x + d
        c = rng.randint(1, a - 1) if a > 1 else 1
        x = Fraction(rng.randint(-4, 4))  # keep the printed equation integral
        d = int((a - c) * x + b)
        cx = f"{'' if c == 1 else c}x"
        problem = f"Solve for $x$: ${a}x{signed(b)} = {cx}{signed(d) if d else ''}$."
        m1 = [f"Subtract ${cx}$ from both sides: ${a - c}x{signed(b)} = {d}$.",
              f"{move(b)}: ${a - c}x = {d - b}$.",
              f"Divide by {a - c}: $x = {tex(x)}$."]
        m2 = [f"{move(b)}: ${a}x = {cx}{signed(d - b)}$.",
              f"Subtract ${cx}$ from both sides: ${a - c}x = {d - b}$.",
              f"Divide by {a - c}: $x = {tex(x)}$."]
        terse = f"${a - c}x = {d - b}$, so $x = \\boxed{{{tex(x)}}}$."
    key = (a, b, tex(c)) if level <= 3 else (a, b, c, d)
    return problem, tex(x), {"isolate": finish(m1, tex(x)), "formula": finish(m2, tex(x))}, terse, key


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


def factor_str(n):
    f, p, out = n, 2, []
    while p * p <= f:
        while f % p == 0:
            out.append(p)
            f //= p
        p += 1
    if f > 1:
        out.append(f)
    return " \\cdot ".join(map(str, out)), out


def number_theory(rng, level):
    if level == 1 or level == 5:  # remainders
        m = rng.randint(2, 5)
        if level == 1:
            n = rng.randint(m + 1, 20)
            problem = f"What is the remainder when ${n}$ is divided by ${m}$?"
            q, r = divmod(n, m)
            m1 = [f"${m} \\times {q} = {m * q}$.", f"${n} - {m * q} = {r}$."]
            m2 = [f"Divide: ${n} \\div {m} = {q}$ with some left over.",
                  f"${n} = {m} \\cdot {q} + {r}$."]
            terse = f"${n} = {m} \\cdot {q} + {r}$, so the remainder is $\\boxed{{{r}}}$."
        else:
            a, b = rng.randint(4, 9), rng.randint(4, 9)
            problem = f"What is the remainder when ${a} \\times {b}$ is divided by ${m}$?"
            r = a * b % m
            ra, rb = a % m, b % m
            m1 = [f"${a} \\times {b} = {a * b}$.",
                  f"${a * b} = {m} \\cdot {a * b // m} + {r}$."]
            m2 = [f"${a} \\equiv {ra} \\pmod{{{m}}}$ and ${b} \\equiv {rb} \\pmod{{{m}}}$.",
                  f"${ra} \\times {rb} = {ra * rb}$.",
                  f"${ra * rb} = {m} \\cdot {ra * rb // m} + {r}$."]
            terse = f"${a} \\cdot {b} \\equiv {ra} \\cdot {rb} \\equiv \\boxed{{{r}}} \\pmod{{{m}}}$."
        key = ("mod", n, m) if level == 1 else ("mod", tuple(sorted((a, b))), m)
        return problem, str(r), {"direct": finish(m1, r), "reduce": finish(m2, r)}, terse, key
    g = rng.randint(5, 8) if level == 4 else rng.randint(2, 4)
    a, b = g * rng.randint(1, 5), g * rng.randint(1, 5)
    while a == b:
        b = g * rng.randint(1, 5)
    fa, fb = factor_str(a)[0], factor_str(b)[0]
    if level in (2, 4):  # gcd
        ans = math.gcd(a, b)
        problem = f"What is the greatest common divisor of ${a}$ and ${b}$?"
        steps, x, y = [], max(a, b), min(a, b)
        while y:
            steps.append(f"${x} = {y} \\cdot {x // y} + {x % y}$.")
            x, y = y, x % y
        m2 = [f"${a} = {fa}$.", f"${b} = {fb}$.", f"The common factors multiply to {ans}."]
        terse = f"${a} = {fa}$ and ${b} = {fb}$, so the gcd is $\\boxed{{{ans}}}$."
        return (problem, str(ans), {"euclid": finish(steps, ans), "factor": finish(m2, ans)},
                terse, ("gcd", min(a, b), max(a, b)))
    ans = a * b // math.gcd(a, b)  # lcm
    problem = f"What is the least common multiple of ${a}$ and ${b}$?"
    m1 = [f"$\\gcd({a}, {b}) = {math.gcd(a, b)}$.",
          f"$\\text{{lcm}} = \\frac{{{a} \\cdot {b}}}{{{math.gcd(a, b)}}} = "
          f"\\frac{{{a * b}}}{{{math.gcd(a, b)}}} = {ans}$."]
    m2 = [f"${a} = {fa}$.", f"${b} = {fb}$.", f"Take each prime to its highest power: {ans}."]
    terse = f"$\\text{{lcm}}({a}, {b}) = \\frac{{{a}\\cdot{b}}}{{{math.gcd(a, b)}}} = \\boxed{{{ans}}}$."
    return (problem, str(ans), {"gcd": finish(m1, ans), "factor": finish(m2, ans)}, terse,
            ("lcm", min(a, b), max(a, b)))


def series(rng, level):
    n = 2 + (level + 1) // 2
    a, d = rng.randint(1, 20 if level == 1 else 15), rng.randint(1, 3)
    if level in (2, 4) or (level == 5 and rng.random() < 0.5):  # decreasing sequences
        d = -d
    terms = [a + k * d for k in range(n)]
    total = sum(terms)
    shown = ", ".join(map(str, terms[:3]))
    problem = (f"What is the sum of the first ${n}$ terms of the arithmetic sequence "
               f"${shown}, \\ldots$?")
    last = terms[-1]
    m1 = [f"The common difference is ${terms[1]} - {terms[0]} = {d}$.",
          f"The last term is ${a} + {n - 1} \\cdot {paren(d)} = {last}$.",
          f"The sum is $\\frac{{{n}({a} + {paren(last)})}}{{2}} = \\frac{{{n * (a + last)}}}{{2}} = {total}$."]
    m2, acc = [f"The terms are ${', '.join(map(str, terms))}$."], terms[0]
    for t in terms[1:]:
        m2.append(f"${acc} {'+' if t >= 0 else '-'} {abs(t)} = {acc + t}$")
        acc += t
    terse = f"$\\frac{{{n}({a} + {paren(last)})}}{{2}} = \\boxed{{{total}}}$."
    return (problem, str(total), {"formula": finish(m1, total), "add": finish(m2, total)}, terse,
            (n, a, d))


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


def poly(a, b, c):
    """a x^2 + b x + c as text."""
    s = ("" if a == 1 else str(a)) + "x^2"
    if b:
        s += f" {'+' if b > 0 else '-'} {'' if abs(b) == 1 else abs(b)}x"
    if c:
        s += f" {'+' if c > 0 else '-'} {abs(c)}"
    return s


def quadratic(rng, level):
    if level >= 4:  # 2x^2 + ...: one root a half-integer, +-1/2 or 3/2 (level 4), 5/2 or 7/2
        r1, a = rng.randint(-6, 6), 2
        r2 = Fraction(rng.choice([-3, -1, 1, 3] if level == 4 else [-7, -5, 5, 7]), 2)
    else:  # integer roots, the larger at most 4 (level 1), 5 or 6 (level 2), 7 or 8 (level 3)
        lo, hi = {1: (0, 4), 2: (5, 6), 3: (7, 8)}[level]
        r1, r2 = rng.randint(-hi, hi), Fraction(rng.randint(-hi, hi))
        while max(abs(r1), abs(r2)) < lo:
            r1, r2 = rng.randint(-hi, hi), Fraction(rng.randint(-hi, hi))
        a = 1
    b, c = -a * (r1 + r2), a * r1 * r2
    assert b.denominator == 1 and c.denominator == 1
    b, c = int(b), int(c)
    problem = (f"Find all solutions to ${poly(a, b, c)} = 0$. Enter all the solutions, "
               "separated by commas.")
    roots = sorted({Fraction(r1), r2}, key=lambda q: rng.random())
    ans = ", ".join(tex(q) for q in roots)

    def factor(r):  # (x - r) with r a fraction: (2x - 3)
        r = Fraction(r)
        lead = "" if r.denominator == 1 else str(r.denominator)
        num = r.numerator
        return f"({lead}x {'-' if num >= 0 else '+'} {abs(num)})" if num else f"{lead}x"

    m1 = [f"Factor: ${poly(a, b, c)} = {factor(r1)}{factor(r2)}$.",
          f"So $x = {tex(r1)}$ or $x = {tex(r2)}$."]
    disc = b * b - 4 * a * c
    sq = math.isqrt(disc)
    m2 = [f"The discriminant is ${paren(b)}^2 - 4 \\cdot {a} \\cdot {paren(c)} = {disc}$.",
          f"$\\sqrt{{{disc}}} = {sq}$.",
          f"$x = \\frac{{{-b} \\pm {sq}}}{{{2 * a}}}$, so $x = {tex(Fraction(-b + sq, 2 * a))}$ "
          f"or $x = {tex(Fraction(-b - sq, 2 * a))}$."]
    terse = f"${poly(a, b, c)} = {factor(r1)}{factor(r2)}$, so $x = \\boxed{{{ans}}}$."
    # the polynomial is the problem: the order of its roots is not
    return problem, ans, {"factor": finish(m1, ans), "formula": finish(m2, ans)}, terse, (a, b, c)


def coef(a, var):
    """a x with the 1 left out: x, -x, 3x."""
    return var if a == 1 else ("-" + var if a == -1 else f"{a}{var}")


def lin2(a, b, s):
    """a x + b y = s as text."""
    return f"{coef(a, 'x')} {'+' if b > 0 else '-'} {coef(abs(b), 'y')} = {s}"


def system(rng, level):
    """Two linear equations: a x + b y = s and x + k y = t (k = +-1); one unknown is asked."""
    a, b, k, lo, hi = {1: (1, 1, -1, 1, 12), 2: (1, 1, -1, -6, 6), 3: (rng.randint(2, 4), 1, 1, -4, 4),
                       4: (rng.randint(2, 4), 1, -1, -4, 4),
                       5: (rng.randint(2, 3), rng.randint(2, 3), rng.choice([-1, 1]), -4, 4)}[level]
    while a == b * k:  # the elimination below would divide by zero
        a = rng.randint(2, 4)
    x, y = rng.randint(lo, hi), rng.randint(lo, hi)
    while level == 1 and x <= y:
        x, y = rng.randint(lo, hi), rng.randint(lo, hi)
    s, t = a * x + b * y, x + k * y
    ask = rng.choice("xy")
    ans = x if ask == "x" else y
    problem = f"If ${lin2(a, b, s)}$ and ${lin2(1, k, t)}$, what is the value of ${ask}$?"
    bk = b * k
    how = {-1: "Add the two equations", 1: "Subtract the second equation from the first"}.get(
        bk, f"Subtract ${bk}$ times the second equation from the first")
    rhs = {-1: f"{s} + {paren(t)}", 1: f"{s} - {paren(t)}"}.get(bk, f"{s} - {paren(bk)} \\cdot {paren(t)}")
    m1 = [f"{how}: ${coef(a - bk, 'x')} = {rhs} = {s - bk * t}$.",
          f"So $x = {x}$."]
    if ask == "y":
        m1.append(f"From the second equation, ${coef(k, 'y')} = {t} - {paren(x)} = {t - x}$, "
                  f"so $y = {y}$.")
    m2 = [f"From the second equation, $x = {t} {'-' if k > 0 else '+'} y$.",
          f"Substitute into the first: ${a}({t} {'-' if k > 0 else '+'} y) {'+' if b > 0 else '-'} "
          f"{coef(abs(b), 'y')} = {s}$, so ${coef(b - a * k, 'y')} = {s} - {paren(a * t)} = {s - a * t}$.",
          f"So $y = {y}$."]
    if ask == "x":
        m2.append(f"Then $x = {t} {'-' if k > 0 else '+'} {paren(y)} = {x}$.")
    terse = (f"{how.split(':')[0]}: ${coef(a - bk, 'x')} = {s - bk * t}$, so $x = {x}$"
             + (f" and $y = {y}$" if ask == "y" else "") + f"; ${ask} = \\boxed{{{ans}}}$.")
    return (problem, str(ans), {"eliminate": finish(m1, ans), "substitute": finish(m2, ans)},
            terse, (a, b, s, k, t, ask))


def units_cycle(a):
    """The units digits of a, a^2, a^3, ... up to where they repeat: 7 -> [7, 9, 3, 1]."""
    u, cycle = a % 10, []
    while (u ** (len(cycle) + 1)) % 10 not in cycle:
        cycle.append((u ** (len(cycle) + 1)) % 10)
    return cycle


def digits(rng, level):
    """Units digits, bases and divisor counts: big numbers, small arithmetic."""
    if level <= 2:  # units digit of a product (level 1) or a sum of three (level 2)
        nums = sorted(rng.randint(11, 99) for _ in range(2 if level == 1 else 3))
        op, word = ("\\times", "product") if level == 1 else ("+", "sum")
        units = [v % 10 for v in nums]
        val = math.prod(units) if level == 1 else sum(units)
        ans = val % 10
        expr = f" {op} ".join(map(str, nums))
        problem = f"What is the units digit of ${expr}$?"
        full = math.prod(nums) if level == 1 else sum(nums)
        m1 = [f"Only the units digits matter: {', '.join(map(str, units))}.",
              f"${f' {op} '.join(map(str, units))} = {val}$, whose units digit is {ans}."]
        if level == 1:  # (10p + u)(10q + v): every term but u v is a multiple of 10
            m2 = [f"${nums[0]} = 10 \\cdot {nums[0] // 10} + {units[0]}$ and "
                  f"${nums[1]} = 10 \\cdot {nums[1] // 10} + {units[1]}$.",
                  f"Every other term of the product is a multiple of 10; ${units[0]} \\times "
                  f"{units[1]} = {val}$, so the units digit is {ans}."]
        else:
            m2 = [f"${expr} = {full}$.", f"The units digit of ${full}$ is {ans}."]
        terse = f"${f' {op} '.join(map(str, units))} = {val}$, so the units digit is $\\boxed{{{ans}}}$."
        return (problem, str(ans), {"units": finish(m1, ans), "direct": finish(m2, ans)}, terse,
                (word, tuple(nums)))
    if level == 3:  # units digit of a power: the cycle of units digits
        a, k = rng.randint(2, 99), rng.randint(2, 8)
        problem = f"What is the units digit of ${a}^{{{k}}}$?"
        u, cycle = a % 10, units_cycle(a)
        ans = cycle[(k - 1) % len(cycle)]
        m1 = [f"The units digit of ${a}$ is {u}.",
              f"The units digits of its powers repeat: {', '.join(map(str, cycle))}.",
              f"${k}$ leaves remainder ${(k - 1) % len(cycle) + 1}$ in this cycle of "
              f"{len(cycle)}, so the units digit is {ans}."]
        m2, d = [f"The units digit of ${a}$ is {u}."], u
        for j in range(2, k + 1):
            m2.append(f"${d} \\times {u} = {d * u}$, units digit {d * u % 10}.")
            d = d * u % 10
        terse = (f"The units digits of ${u}^n$ cycle through {', '.join(map(str, cycle))}, so "
                 f"the answer is $\\boxed{{{ans}}}$.")
        return (problem, str(ans), {"cycle": finish(m1, ans), "multiply": finish(m2, ans)}, terse,
                ("power", a, k))
    if level == 4 and rng.random() < 0.5:  # the remainder mod 9 (or 3) from the digit sum
        n, m = rng.randint(100, 999), rng.choice([3, 9])
        ds = [int(c) for c in str(n)]
        ans = n % m
        problem = f"What is the remainder when ${n}$ is divided by ${m}$?"
        m1 = [f"A number leaves the same remainder mod {m} as the sum of its digits.",
              f"${' + '.join(map(str, ds))} = {sum(ds)}$.",
              f"${sum(ds)} = {m} \\cdot {sum(ds) // m} + {ans}$."]
        m2 = [f"${n} = {m} \\cdot {n // m} + {ans}$."]
        terse = f"The digit sum is ${sum(ds)}$, so the remainder is $\\boxed{{{ans}}}$."
        return (problem, str(ans), {"digit_sum": finish(m1, ans), "divide": finish(m2, ans)},
                terse, ("mod", n, m))
    if level == 4:  # base conversion
        b = rng.randint(2, 5)
        n = rng.randint(8, 31) if b == 2 else rng.randint(10, 40)
        ds, q, m1 = [], n, []
        while q:
            m1.append(f"${q} = {b} \\cdot {q // b} + {q % b}$.")
            ds.append(q % b)
            q //= b
        num = "".join(map(str, reversed(ds)))
        ans = f"{num}_{b}"
        m1.append(f"Read the remainders from the last to the first: ${ans}$.")
        powers = [b ** j for j in range(len(ds))][::-1]
        m2, rest = [f"The powers of {b} are {', '.join(map(str, powers))}."], n
        for p_ in powers:
            m2.append(f"${rest} = {rest // p_} \\cdot {p_} + {rest % p_}$.")
            rest %= p_
        m2.append(f"The digits are ${num}$, so ${n} = {ans}$.")
        terse = f"${n} = {ans}$, so the answer is $\\boxed{{{ans}}}$."
        problem = f"Express ${n}$ in base ${b}$."
        return (problem, ans, {"divide": finish(m1, ans), "powers": finish(m2, ans)}, terse,
                ("base", n, b))
    if rng.random() < 0.5:  # level 5: the units digit of a big power, by its cycle
        a, k = rng.randint(2, 99), rng.randint(9, 40)
        u, cycle = a % 10, units_cycle(a)
        ans = cycle[(k - 1) % len(cycle)]
        problem = f"What is the units digit of ${a}^{{{k}}}$?"
        r = (k - 1) % len(cycle) + 1
        m1 = [f"The units digit of ${a}$ is {u}.",
              f"The units digits of its powers repeat: {', '.join(map(str, cycle))}.",
              f"${k} = {len(cycle)} \\cdot {(k - 1) // len(cycle)} + {r}$, so the units digit is "
              f"the {r}th in the cycle: {ans}."]
        r4 = k % 4 or 4
        m2, d = [f"Units digits of powers repeat every 4: ${a}^{{{k}}}$ ends like ${u}^{{{r4}}}$."], u
        for _ in range(r4 - 1):
            m2.append(f"${d} \\times {u} = {d * u}$, units digit {d * u % 10}.")
            d = d * u % 10
        m2.append(f"The units digit is {ans}.")
        terse = f"The units digits of ${u}^n$ cycle through {', '.join(map(str, cycle))}, so the answer is $\\boxed{{{ans}}}$."
        return (problem, str(ans), {"cycle": finish(m1, ans), "mod4": finish(m2, ans)}, terse,
                ("power", a, k))
    n = rng.randint(12, 60)  # level 5: the number of positive divisors
    fs = {}
    for p_ in factor_str(n)[1]:
        fs[p_] = fs.get(p_, 0) + 1
    ans = math.prod(e + 1 for e in fs.values())
    shown = " \\cdot ".join(f"{p_}^{{{e}}}" if e > 1 else str(p_) for p_, e in fs.items())
    problem = f"How many positive divisors does ${n}$ have?"
    m1 = [f"${n} = {shown}$.",
          f"Each exponent plus one, multiplied: ${CDOT.join(str(e + 1) for e in fs.values())} = {ans}$."]
    divs = [d for d in range(1, n + 1) if n % d == 0]
    m2 = [f"The divisors of ${n}$ are {', '.join(map(str, divs))}.", f"There are {ans} of them."]
    terse = f"${n} = {shown}$, so it has $\\boxed{{{ans}}}$ divisors."
    return (problem, str(ans), {"exponents": finish(m1, ans), "list": finish(m2, ans)}, terse,
            ("divisors", n))


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


def counting(rng, level):
    """The multiplication principle, arrangements, choices and committees."""
    if level <= 2:  # one item from each group: a product, in any order
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
    if level == 3:  # ordered choices: k officers from n people
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
    if level == 4:  # unordered choices
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


def area(rng, level):
    """Areas and perimeters of rectangles, triangles and trapezoids; right triangles."""
    if level == 1:  # rectangle: area or perimeter; its two sides in either order
        a, b = sorted((rng.randint(2, 6), rng.randint(2, 6)))
        what = rng.choice(["area", "perimeter"])
        problem = f"A rectangle is ${b}$ units long and ${a}$ units wide. What is its {what}" + \
            (", in square units?" if what == "area" else ", in units?")
        if what == "area":
            ans = a * b
            m1 = [f"Area is length times width: ${b} \\times {a} = {ans}$."]
            m2 = [f"There are ${a}$ rows of ${b}$ unit squares: ${a} \\times {b} = {ans}$."]
        else:
            ans = 2 * (a + b)
            m1 = [f"Perimeter is twice length plus width: $2({b} + {a}) = 2 \\cdot {a + b} = {ans}$."]
            m2 = [f"Add the four sides: ${b} + {a} + {b} + {a} = {ans}$."]
        terse = f"The {what} is $\\boxed{{{ans}}}$."
        return (problem, str(ans), {"formula": finish(m1, ans), "direct": finish(m2, ans)}, terse,
                ("rect", what, a, b))
    if level == 2:  # rectangle from its area and one side: the other side, then the perimeter
        a, b = rng.randint(2, 6), rng.randint(2, 6)
        ans = 2 * (a + b)
        problem = (f"A rectangle has area ${a * b}$ square units and one side ${a}$ units long. "
                   "What is its perimeter, in units?")
        m1 = [f"The other side is ${a * b} \\div {a} = {b}$.",
              f"The perimeter is $2({a} + {b}) = {ans}$."]
        m2 = [f"The other side is ${a * b} \\div {a} = {b}$.",
              f"The perimeter is ${a} + {b} + {a} + {b} = {ans}$."]
        terse = f"The other side is ${b}$, so the perimeter is $2({a} + {b}) = \\boxed{{{ans}}}$."
        return (problem, str(ans), {"formula": finish(m1, ans), "direct": finish(m2, ans)}, terse,
                ("rect_from_area", a, b))
    if level == 3:  # triangle or trapezoid area
        h = rng.randint(2, 6)
        if rng.random() < 0.5:
            b = rng.randint(2, 6)
            ans = tex(Fraction(b * h, 2))
            problem = (f"A triangle has base ${b}$ units and height ${h}$ units. What is its area, "
                       "in square units?")
            m1 = [f"Area is half base times height: $\\frac{{1}}{{2}} \\cdot {b} \\cdot {h} = {ans}$."]
            m2 = [f"The rectangle ${b}$ by ${h}$ has area ${b * h}$; the triangle is half of it: "
                  f"$\\frac{{{b * h}}}{{2}} = {ans}$."]
            terse = f"$\\frac{{{b} \\cdot {h}}}{{2}} = \\boxed{{{ans}}}$."
            return (problem, ans, {"formula": finish(m1, ans), "half": finish(m2, ans)}, terse,
                    ("triangle", tuple(sorted((b, h)))))
        a, b = sorted(rng.sample(range(2, 7), 2))
        ans = tex(Fraction((a + b) * h, 2))
        problem = (f"A trapezoid has parallel sides ${a}$ and ${b}$ units long and height ${h}$ "
                   "units. What is its area, in square units?")
        m1 = [f"Area is the average of the parallel sides times the height.",
              f"$\\frac{{{a} + {b}}}{{2}} \\cdot {h} = \\frac{{{a + b}}}{{2}} \\cdot {h} = {ans}$."]
        m2 = [f"Cut it into two triangles of height ${h}$: $\\frac{{{a} \\cdot {h}}}{{2}} + "
              f"\\frac{{{b} \\cdot {h}}}{{2}} = {tex(Fraction(a * h, 2))} + {tex(Fraction(b * h, 2))} = {ans}$."]
        terse = f"$\\frac{{({a} + {b}) \\cdot {h}}}{{2}} = \\boxed{{{ans}}}$."
        return (problem, ans, {"formula": finish(m1, ans), "split": finish(m2, ans)}, terse,
                ("trapezoid", a, b, h))
    if level == 4:  # circles: area or circumference from the radius, diameter, circumference or area
        r = rng.randint(1, 6)
        ask = rng.choice(["area", "circumference"])
        given = rng.choice([g for g in ("radius", "diameter", "circumference", "area") if g != ask])
        pi = "\\pi"
        val = {"radius": str(r), "diameter": str(2 * r), "circumference": coef(2 * r, pi),
               "area": coef(r * r, pi)}
        problem = (f"A circle has {given} ${val[given]}$ units. What is its {ask}, in "
                   f"{'square ' if ask == 'area' else ''}units? Express your answer in terms of $\\pi$.")
        ans = val[ask]
        first = {"radius": f"The radius is ${r}$.",
                 "diameter": f"The radius is half the diameter: ${2 * r} \\div 2 = {r}$.",
                 "circumference": f"$2\\pi r = {val['circumference']}$, so $r = {r}$.",
                 "area": f"$\\pi r^2 = {val['area']}$, so $r^2 = {r * r}$ and $r = {r}$."}[given]
        if ask == "area":
            m1 = [first, f"The area is $\\pi r^2 = \\pi \\cdot {r}^2 = {ans}$."]
            m2 = [first, f"The diameter is ${2 * r}$.",
                  f"The area is $\\frac{{\\pi d^2}}{{4}} = \\frac{{{4 * r * r}\\pi}}{{4}} = {ans}$."]
        else:
            m1 = [first, f"The circumference is $2\\pi r = 2\\pi \\cdot {r} = {ans}$."]
            m2 = [first, f"The diameter is ${2 * r}$.", f"The circumference is $\\pi d = {ans}$."]
        terse = f"$r = {r}$, so the {ask} is $\\boxed{{{ans}}}$."
        return (problem, ans, {"radius": finish(m1, ans), "diameter": finish(m2, ans)}, terse,
                ("circle", given, ask, r))
    # level 5: right triangles with integer sides
    base = rng.choice([(3, 4, 5), (3, 4, 5), (5, 12, 13), (8, 15, 17)])
    k = rng.randint(1, max(1, 20 // base[2]))
    a, b, c = (k * s for s in base)
    if rng.random() < 0.5:
        a, b = b, a
    if rng.random() < 0.5:  # the hypotenuse from the legs
        problem = (f"A right triangle has legs ${a}$ and ${b}$ units long. How long is its "
                   "hypotenuse, in units?")
        m1 = [f"$c^2 = {a}^2 + {b}^2 = {a * a} + {b * b} = {c * c}$.", f"$c = \\sqrt{{{c * c}}} = {c}$."]
        g = math.gcd(a, b)
        m2 = [f"The legs are ${g}$ times ${a // g}$ and ${b // g}$.",
              f"${a // g}, {b // g}, {c // g}$ is a right triangle, so the hypotenuse is "
              f"${g} \\cdot {c // g} = {c}$."]
        terse = f"$\\sqrt{{{a}^2 + {b}^2}} = \\sqrt{{{c * c}}} = \\boxed{{{c}}}$."
        return (problem, str(c), {"pythagoras": finish(m1, c), "scale": finish(m2, c)}, terse,
                ("hypotenuse", min(a, b), max(a, b)))
    problem = (f"A right triangle has hypotenuse ${c}$ units and one leg ${a}$ units long. How "
               "long is the other leg, in units?")
    m1 = [f"$b^2 = {c}^2 - {a}^2 = {c * c} - {a * a} = {b * b}$.", f"$b = \\sqrt{{{b * b}}} = {b}$."]
    m2 = [f"$b^2 = ({c} - {a})({c} + {a}) = {c - a} \\cdot {c + a} = {b * b}$.",
          f"$b = \\sqrt{{{b * b}}} = {b}$."]
    terse = f"$\\sqrt{{{c}^2 - {a}^2}} = \\sqrt{{{b * b}}} = \\boxed{{{b}}}$."
    return (problem, str(b), {"pythagoras": finish(m1, b), "difference": finish(m2, b)}, terse,
            ("leg", c, a))


def angles(rng, level):
    """Angles in degrees: complements, triangles, isosceles triangles, polygons."""
    if level == 1:
        whole = rng.choice([90, 180])
        a = 10 * rng.randint(1, whole // 10 - 1)
        name = "complement" if whole == 90 else "supplement"
        ans = whole - a
        problem = f"What is the measure, in degrees, of the {name} of a ${a}^\\circ$ angle?"
        m1 = [f"The two angles add up to ${whole}^\\circ$.", f"${whole} - {a} = {ans}$."]
        m2 = [f"Count up from ${a}$ to ${whole}$: ${a} + {ans} = {whole}$."]
        terse = f"${whole} - {a} = \\boxed{{{ans}}}$."
        return (problem, str(ans), {"subtract": finish(m1, ans), "count_up": finish(m2, ans)},
                terse, (name, a))
    if level == 2:  # the third angle of a triangle
        a, b = sorted((10 * rng.randint(1, 16), 10 * rng.randint(1, 16)))
        while a + b >= 180:
            a, b = sorted((10 * rng.randint(1, 16), 10 * rng.randint(1, 16)))
        ans = 180 - a - b
        problem = (f"Two angles of a triangle measure ${a}^\\circ$ and ${b}^\\circ$. What is the "
                   "measure of the third angle, in degrees?")
        m1 = [f"The angles of a triangle add up to ${180}^\\circ$.", f"${a} + {b} = {a + b}$.",
              f"${180} - {a + b} = {ans}$."]
        m2 = [f"The angles of a triangle add up to ${180}^\\circ$.", f"${180} - {a} = {180 - a}$.",
              f"${180 - a} - {b} = {ans}$."]
        terse = f"${180} - {a} - {b} = \\boxed{{{ans}}}$."
        return (problem, str(ans), {"sum": finish(m1, ans), "subtract": finish(m2, ans)}, terse,
                ("third", a, b))
    if level == 3:  # isosceles triangles
        if rng.random() < 0.5:
            v = 10 * rng.randint(1, 17)
            ans = (180 - v) // 2
            problem = (f"The vertex angle of an isosceles triangle measures ${v}^\\circ$. What is "
                       "the measure of each base angle, in degrees?")
            m1 = [f"The two base angles share ${180} - {v} = {180 - v}$ degrees.",
                  f"${180 - v} \\div 2 = {ans}$."]
            m2 = [f"Each base angle is $90 - \\frac{{{v}}}{{2}} = 90 - {v // 2} = {ans}$."]
            key = ("base", v)
        else:
            base_ = 10 * rng.randint(1, 8)
            ans = 180 - 2 * base_
            problem = (f"Each base angle of an isosceles triangle measures ${base_}^\\circ$. What "
                       "is the measure of the vertex angle, in degrees?")
            m1 = [f"The base angles add up to $2 \\cdot {base_} = {2 * base_}$.",
                  f"${180} - {2 * base_} = {ans}$."]
            m2 = [f"${180} - {base_} = {180 - base_}$.", f"${180 - base_} - {base_} = {ans}$."]
            key = ("vertex", base_)
        terse = f"The answer is $\\boxed{{{ans}}}$."
        return (problem, str(ans), {"sum": finish(m1, ans), "stepwise": finish(m2, ans)}, terse, key)
    n = rng.choice([3, 4, 5, 6, 8, 9, 10, 12, 15, 18, 20, 24, 30, 36]) if level == 5 \
        else rng.randint(3, 8)
    if level == 4 and rng.random() < 0.5:  # an exterior angle of a triangle
        a, b = sorted((10 * rng.randint(1, 8), 10 * rng.randint(1, 8)))
        ans = a + b
        problem = (f"Two interior angles of a triangle measure ${a}^\\circ$ and ${b}^\\circ$. What "
                   "is the measure of the exterior angle at the third vertex, in degrees?")
        m1 = [f"The exterior angle equals the sum of the two remote interior angles.",
              f"${a} + {b} = {ans}$."]
        m2 = [f"The third angle is $180 - {a} - {b} = {180 - ans}$.",
              f"The exterior angle is $180 - {180 - ans} = {ans}$."]
        terse = f"${a} + {b} = \\boxed{{{ans}}}$."
        return (problem, str(ans), {"remote": finish(m1, ans), "third": finish(m2, ans)}, terse,
                ("exterior", a, b))
    if level == 4:  # the sum of the interior angles
        ans = 180 * (n - 2)
        problem = f"What is the sum of the interior angles of a polygon with ${n}$ sides, in degrees?"
        m1 = [f"The polygon splits into ${n} - 2 = {n - 2}$ triangles.", f"${n - 2} \\cdot 180 = {ans}$."]
        m2 = [f"The exterior angles add up to $360$; each interior and exterior pair adds up to $180$.",
              f"${n} \\cdot 180 - 360 = {180 * n} - 360 = {ans}$."]
        terse = f"$180({n} - 2) = \\boxed{{{ans}}}$."
        return (problem, str(ans), {"triangles": finish(m1, ans), "exterior": finish(m2, ans)},
                terse, ("polygon_sum", n))
    ans = 180 - 360 // n  # level 5: each interior angle of a regular polygon
    problem = f"What is the measure of each interior angle of a regular polygon with ${n}$ sides, in degrees?"
    m1 = [f"Each exterior angle is $360 \\div {n} = {360 // n}$.", f"$180 - {360 // n} = {ans}$."]
    m2 = [f"The interior angles add up to $180({n} - 2) = {180 * (n - 2)}$.",
          f"${180 * (n - 2)} \\div {n} = {ans}$."]
    terse = f"$180 - \\frac{{360}}{{{n}}} = \\boxed{{{ans}}}$."
    return (problem, str(ans), {"exterior": finish(m1, ans), "sum": finish(m2, ans)}, terse,
            ("regular", n))


def functions(rng, level):
    """Values of polynomials, compositions, inverses and Vieta's formulas."""
    if level <= 2:
        if level == 1:
            a, b, c, k = 0, rng.randint(2, 5), rng.randint(-9, 9), rng.randint(-4, 4)
        else:
            a, b, c, k = 1, rng.randint(-4, 4), rng.randint(-9, 9), rng.randint(-3, 3)
        f = (poly(a, b, c) if a else f"{b}x{signed(c) if c else ''}")
        ans = a * k * k + b * k + c
        problem = f"Let $f(x) = {f}$. What is $f({k})$?"
        sub = f.replace("x", f"({k})")
        terms = ([f"{paren(k)}^2 = {k * k}"] if a else []) + [f"{b} \\cdot {paren(k)} = {b * k}"]
        m1 = [f"$f({k}) = {sub}$.", f"${'$ and $'.join(terms)}$.",
              f"${' + '.join(map(paren, ([k * k] if a else []) + [b * k, c]))} = {ans}$."]
        if a:  # Horner: (k + b) k + c
            m2 = [f"Write $f(x) = (x{signed(b)})x{signed(c)}$.",
                  f"${k}{signed(b)} = {k + b}$.", f"${paren(k + b)} \\cdot {paren(k)} = {(k + b) * k}$.",
                  f"${(k + b) * k}{signed(c)} = {ans}$."]
        else:
            m2 = [f"${b} \\cdot {paren(k)} = {b * k}$.", f"${b * k}{signed(c)} = {ans}$."]
        terse = f"$f({k}) = {sub} = \\boxed{{{ans}}}$."
        return (problem, str(ans), {"substitute": finish(m1, ans), "nested": finish(m2, ans)},
                terse, ("value", a, b, c, k))
    if level == 3:  # f(g(k)) with f, g linear
        p, q, r, s, k = (rng.randint(2, 3), rng.randint(-5, 5), rng.randint(2, 3),
                         rng.randint(-5, 5), rng.randint(-2, 2))
        g = r * k + s
        ans = p * g + q
        problem = (f"Let $f(x) = {p}x{signed(q) if q else ''}$ and $g(x) = {r}x{signed(s) if s else ''}$. "
                   f"What is $f(g({k}))$?")
        m1 = [f"$g({k}) = {r} \\cdot {paren(k)}{signed(s)} = {g}$.",
              f"$f({g}) = {p} \\cdot {paren(g)}{signed(q)} = {ans}$."]
        m2 = [f"$f(g(x)) = {p}({r}x{signed(s)}){signed(q)} = {p * r}x{signed(p * s + q)}$.",
              f"$f(g({k})) = {p * r} \\cdot {paren(k)}{signed(p * s + q)} = {ans}$."]
        terse = f"$g({k}) = {g}$, so $f(g({k})) = \\boxed{{{ans}}}$."
        return (problem, str(ans), {"inside_out": finish(m1, ans), "compose": finish(m2, ans)},
                terse, ("compose", p, q, r, s, k))
    if level == 4:  # the sum or the product of the roots
        a, b, c = rng.randint(2, 5), rng.randint(-12, 12) or 7, rng.randint(-12, 12) or -5
        what = rng.choice(["sum", "product"])
        val = Fraction(-b, a) if what == "sum" else Fraction(c, a)
        ans = tex(val)
        problem = f"What is the {what} of the roots of ${poly(a, b, c)} = 0$?"
        rule = f"$-\\frac{{b}}{{a}} = -\\frac{{{b}}}{{{a}}}$" if what == "sum" else \
            f"$\\frac{{c}}{{a}} = \\frac{{{c}}}{{{a}}}$"
        m1 = [f"For $ax^2 + bx + c$ the {what} of the roots is {rule}.", f"That is ${ans}$."]
        m2 = [f"Divide by {a}: $x^2 {'+' if b > 0 else '-'} \\frac{{{abs(b)}}}{{{a}}}x "
              f"{'+' if c > 0 else '-'} \\frac{{{abs(c)}}}{{{a}}} = (x - r)(x - s)$.",
              f"Matching terms, $r {'+' if what == 'sum' else chr(92) + 'cdot'} s = {ans}$."]
        terse = f"By Vieta, the {what} is $\\boxed{{{ans}}}$."
        return (problem, ans, {"vieta": finish(m1, ans), "match": finish(m2, ans)}, terse,
                (what, a, b, c))
    a, b, k = rng.randint(2, 5), rng.randint(-9, 9) or 4, rng.randint(-9, 9)  # level 5: inverse
    ans = tex(Fraction(k - b, a))
    problem = f"Let $f(x) = {a}x{signed(b)}$. What is $f^{{-1}}({k})$?"
    m1 = [f"Solve ${a}x{signed(b)} = {k}$.", f"${a}x = {k}{signed(-b)} = {k - b}$.",
          f"$x = {ans}$."]
    m2 = [f"Swap $x$ and $y$ in $y = {a}x{signed(b)}$: $x = {a}y{signed(b)}$.",
          f"$f^{{-1}}(x) = \\frac{{x{signed(-b)}}}{{{a}}}$.",
          f"$f^{{-1}}({k}) = \\frac{{{k}{signed(-b)}}}{{{a}}} = {ans}$."]
    terse = f"$f^{{-1}}({k}) = \\frac{{{k}{signed(-b)}}}{{{a}}} = \\boxed{{{ans}}}$."
    return (problem, ans, {"solve": finish(m1, ans), "inverse": finish(m2, ans)}, terse,
            ("inverse", a, b, k))


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


def coordinates(rng, level):
    """Points in the plane: midpoints, distances along a line or by Pythagoras, areas."""
    x1, y1 = rng.randint(-6, 6), rng.randint(-6, 6)
    if level == 1:  # the midpoint
        x2, y2 = x1 + 2 * rng.randint(-4, 4), y1 + 2 * rng.randint(-4, 4)
        mx, my = (x1 + x2) // 2, (y1 + y2) // 2
        ans = f"({mx}, {my})"
        problem = f"What is the midpoint of the segment with endpoints $({x1}, {y1})$ and $({x2}, {y2})$?"
        m1 = [f"Average the $x$-coordinates: $\\frac{{{x1} + {paren(x2)}}}{{2}} = {mx}$.",
              f"Average the $y$-coordinates: $\\frac{{{y1} + {paren(y2)}}}{{2}} = {my}$."]
        m2 = [f"Half the way from $x = {x1}$ to ${x2}$: ${x1} + \\frac{{{x2 - x1}}}{{2}} = {mx}$.",
              f"Half the way from $y = {y1}$ to ${y2}$: ${y1} + \\frac{{{y2 - y1}}}{{2}} = {my}$."]
        terse = f"$\\left(\\frac{{{x1} + {paren(x2)}}}{{2}}, \\frac{{{y1} + {paren(y2)}}}{{2}}\\right) = \\boxed{{{ans}}}$."
        return (problem, ans, {"average": finish(m1, ans), "halfway": finish(m2, ans)}, terse,
                ("midpoint", tuple(sorted([(x1, y1), (x2, y2)]))))
    if level == 2:  # on a horizontal or vertical line
        dist = rng.randint(1, 12)
        x2, y2 = (x1 + rng.choice([-1, 1]) * dist, y1) if rng.random() < 0.5 else \
            (x1, y1 + rng.choice([-1, 1]) * dist)
        axis = "x" if y1 == y2 else "y"
        u, v = (x1, x2) if axis == "x" else (y1, y2)
        m1 = [f"Both points have the same ${'y' if axis == 'x' else 'x'}$-coordinate.",
              f"The distance is $|{v} - {paren(u)}| = {dist}$."]
        m2 = [f"Count along the {axis}-axis from ${min(u, v)}$ to ${max(u, v)}$: "
              f"${max(u, v)} - {paren(min(u, v))} = {dist}$."]
        ans = dist
    else:  # by Pythagoras: legs from small right triangles
        dx, dy, ans = rng.choice({3: [(3, 4, 5), (4, 3, 5)], 4: [(6, 8, 10), (8, 6, 10)],
                                  5: [(5, 12, 13), (12, 5, 13), (3, 4, 5), (6, 8, 10)]}[level])
        x2, y2 = x1 + rng.choice([-1, 1]) * dx, y1 + rng.choice([-1, 1]) * dy
        m1 = [f"$\\Delta x = {x2} - {paren(x1)} = {x2 - x1}$ and $\\Delta y = {y2} - {paren(y1)} = {y2 - y1}$.",
              f"$\\sqrt{{{paren(x2 - x1)}^2 + {paren(y2 - y1)}^2}} = \\sqrt{{{dx * dx} + {dy * dy}}} = "
              f"\\sqrt{{{ans * ans}}} = {ans}$."]
        g = math.gcd(dx, dy)
        m2 = [f"The legs are ${dx}$ and ${dy}$ long.",
              f"They are ${g}$ times ${dx // g}$ and ${dy // g}$, so the distance is "
              f"${g} \\cdot {ans // g} = {ans}$."]
    problem = f"What is the distance between the points $({x1}, {y1})$ and $({x2}, {y2})$?"
    terse = f"The distance is $\\boxed{{{ans}}}$."
    # the two points in either order
    return (problem, str(ans), {"formula": finish(m1, ans), "legs": finish(m2, ans)}, terse,
            ("distance", tuple(sorted([(x1, y1), (x2, y2)]))))


def pmatrix(rows):
    return "\\begin{pmatrix} " + " \\\\ ".join(" & ".join(map(str, r)) for r in rows) + \
        " \\end{pmatrix}"


def matrices(rng, level):
    """Determinants of 2x2 matrices and dot products."""
    if level in (1, 2, 5):
        lo, hi = {1: (0, 4), 2: (-3, 3), 5: (-3, 3)}[level]
        a, b, c, d = (rng.randint(lo, hi) for _ in range(4))
        det = a * d - b * c
        if level == 5:  # an unknown entry from the determinant
            while c == 0:
                c = rng.randint(lo, hi)
            det = a * d - b * c
            problem = (f"Find $k$ if $\\det {pmatrix([[a, 'k'], [c, d]])} = {det}$.")
            m1 = [f"$\\det = {a} \\cdot {paren(d)} - k \\cdot {paren(c)} = {a * d} {'-' if c > 0 else '+'} {coef(abs(c), 'k')}$.",
                  f"${a * d} {'-' if c > 0 else '+'} {coef(abs(c), 'k')} = {det}$, so "
                  f"${coef(-c, 'k')} = {det - a * d}$.", f"$k = {b}$."]
            m2 = [f"$k \\cdot {paren(c)} = {a} \\cdot {paren(d)} - {paren(det)} = {a * d - det}$.",
                  f"$k = {a * d - det} \\div {paren(c)} = {b}$."]
            terse = f"${a * d} - {paren(c)}k = {det}$, so $k = \\boxed{{{b}}}$."
            return (problem, str(b), {"expand": finish(m1, b), "isolate": finish(m2, b)}, terse,
                    ("unknown", tuple(sorted((a, d))), c, det))  # a d = d a
        problem = f"Compute $\\det {pmatrix([[a, b], [c, d]])}$."
        m1 = [f"$\\det = ad - bc = {a} \\cdot {paren(d)} - {paren(b)} \\cdot {paren(c)}$.",
              f"$= {a * d} - {paren(b * c)} = {det}$."]
        m2 = [f"The diagonal product is ${a} \\cdot {paren(d)} = {a * d}$.",
              f"The other product is ${b} \\cdot {paren(c)} = {b * c}$.",
              f"Their difference is ${a * d} - {paren(b * c)} = {det}$."]
        terse = f"${a} \\cdot {paren(d)} - {paren(b)} \\cdot {paren(c)} = \\boxed{{{det}}}$."
        # a d - b c: each product's factors in either order
        return (problem, str(det), {"formula": finish(m1, det), "products": finish(m2, det)}, terse,
                ("det", tuple(sorted((a, d))), tuple(sorted((b, c)))))
    n, lo, hi = (2, -3, 3) if level == 3 else (3, -2, 2)
    u = [rng.randint(lo, hi) for _ in range(n)]
    v = [rng.randint(lo, hi) for _ in range(n)]
    ans = sum(p * q for p, q in zip(u, v))
    problem = f"Compute ${pmatrix([[x] for x in u])} \\cdot {pmatrix([[x] for x in v])}$."
    prods = [p * q for p, q in zip(u, v)]
    m1 = [f"Multiply matching entries: " + ", ".join(f"${p} \\cdot {paren(q)} = {p * q}$" for p, q in zip(u, v)) + ".",
          f"Add them: ${' + '.join(map(paren, prods))} = {ans}$."]
    m2, acc = [], 0
    for p, q in zip(u, v):
        m2.append(f"${acc} + {paren(p)} \\cdot {paren(q)} = {acc + p * q}$.")
        acc += p * q
    terse = "$" + " + ".join(f"{paren(p)}{CDOT}{paren(q)}" for p, q in zip(u, v)) + f" = \\boxed{{{ans}}}$."
    # the vectors in either order, the entries' products in any order
    return (problem, str(ans), {"products": finish(m1, ans), "running": finish(m2, ans)}, terse,
            ("dot", tuple(sorted(tuple(sorted(pq)) for pq in zip(u, v)))))


def cx(re_, im):
    """a + bi as MATH writes it: 3 - 2i, -i, 4, 5i."""
    if im == 0:
        return str(re_)
    i = "i" if abs(im) == 1 else f"{abs(im)}i"
    if re_ == 0:
        return ("-" if im < 0 else "") + i
    return f"{re_} {'-' if im < 0 else '+'} {i}"


TRIG = {0: ("0", "1", "0"), 30: ("\\frac{1}{2}", "\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{3}}{3}"),
        45: ("\\frac{\\sqrt{2}}{2}", "\\frac{\\sqrt{2}}{2}", "1"),
        60: ("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}", "\\sqrt{3}"), 90: ("1", "0", None)}


def complex_trig(rng, level):
    """Complex arithmetic and trigonometric values at special angles."""
    if level in (1, 2, 5):
        lo, hi = (-5, 5) if level == 1 else (-2, 2) if level == 2 else (-3, 3)
        # no zero real part: (i)(i) and (i)^2 would be i^2, a powers-of-i problem
        a, b = rng.randint(lo, hi) or 1, rng.randint(lo, hi) or 1
        c, d = (a, b) if level == 5 else (rng.randint(lo, hi) or -1, rng.randint(lo, hi) or 1)
        if level == 1:
            re_, im = a + c, b + d
            problem = f"Simplify $({cx(a, b)}) + ({cx(c, d)})$."
            m1 = [f"Real parts: ${a} + {paren(c)} = {re_}$.", f"Imaginary parts: ${b} + {paren(d)} = {im}$."]
            m2 = [f"Imaginary parts: ${b} + {paren(d)} = {im}$.", f"Real parts: ${a} + {paren(c)} = {re_}$."]
            key = ("sum", tuple(sorted((a, c))), tuple(sorted((b, d))))  # a + bi + c + di
        else:
            re_, im = a * c - b * d, a * d + b * c
            problem = (f"Simplify $({cx(a, b)})^2$." if level == 5
                       else f"Simplify $({cx(a, b)})({cx(c, d)})$.")
            m1 = [f"Expand: ${a} \\cdot {paren(c)} + {paren(a)} \\cdot {paren(d)}i + {paren(b)} \\cdot {paren(c)}i "
                  f"+ {paren(b)} \\cdot {paren(d)}i^2$.",
                  f"$= {a * c} + {paren(a * d)}i + {paren(b * c)}i - {paren(b * d)}$ since $i^2 = -1$.",
                  f"$= {cx(re_, im)}$."]
            m2 = [f"Real part: $ac - bd = {a * c} - {paren(b * d)} = {re_}$.",
                  f"Imaginary part: $ad + bc = {a * d} + {paren(b * c)} = {im}$."]
            key = ("square", a, b) if level == 5 else ("product", tuple(sorted([(a, b), (c, d)])))
        ans = cx(re_, im)
        terse = f"The result is $\\boxed{{{ans}}}$."
        return (problem, ans, {"parts": finish(m1, ans), "formula": finish(m2, ans)}, terse, key)
    if level == 3:  # powers of i
        n = rng.randint(2, 99)
        ans = ["1", "i", "-1", "-i"][n % 4]
        problem = f"Evaluate $i^{{{n}}}$."
        m1 = [f"The powers of $i$ repeat every 4: $i, -1, -i, 1$.",
              f"${n} = 4 \\cdot {n // 4} + {n % 4}$, so $i^{{{n}}} = i^{{{n % 4}}} = {ans}$."]
        m2 = [f"$i^{{{n}}} = (i^2)^{{{n // 2}}}" + (" \\cdot i" if n % 2 else "") +
              f" = (-1)^{{{n // 2}}}" + (" \\cdot i" if n % 2 else "") + f" = {ans}$."]
        terse = f"$i^{{{n}}} = i^{{{n % 4}}} = \\boxed{{{ans}}}$."
        return (problem, ans, {"cycle": finish(m1, ans), "square": finish(m2, ans)}, terse,
                ("ipow", n))
    fn = rng.choice(["sin", "cos", "tan"])  # level 4: a trig value at a special angle
    ref = rng.choice([30, 45, 60] + ([0, 90] if fn != "tan" else []))
    quad = rng.randint(0, 3)
    deg = [ref, 180 - ref, 180 + ref, 360 - ref][quad] % 360
    val = TRIG[ref]["sin cos tan".split().index(fn)]
    sign = {"sin": [1, 1, -1, -1], "cos": [1, -1, -1, 1], "tan": [1, -1, 1, -1]}[fn][quad]
    neg = sign < 0 and val != "0"
    ans = ("-" if neg else "") + val
    problem = f"Compute $\\{fn} {deg}^\\circ$."
    m1 = [f"The reference angle of ${deg}^\\circ$ is ${ref}^\\circ$.",
          f"$\\{fn} {ref}^\\circ = {val}$.",
          f"In that quadrant $\\{fn}$ is {'negative' if sign < 0 else 'positive'}, so the value is ${ans}$."]
    m2 = [f"On the unit circle, ${deg}^\\circ$ sits at $(\\cos {deg}^\\circ, \\sin {deg}^\\circ)$, "
          f"mirroring ${ref}^\\circ$.", f"So $\\{fn} {deg}^\\circ = {ans}$."]
    terse = f"$\\{fn} {deg}^\\circ = \\boxed{{{ans}}}$."
    return (problem, ans, {"reference": finish(m1, ans), "circle": finish(m2, ans)}, terse,
            ("trig", fn, deg))


GENERATORS = {"arithmetic": arithmetic, "fractions": fractions_, "percent": percent,
              "rounding": rounding,
              "linear": linear, "series": series, "system": system,
              "number_theory": number_theory, "digits": digits,
              "counting": counting, "probability": probability, "lists": lists,
              "area": area, "angles": angles, "coordinates": coordinates,
              "quadratic": quadratic, "functions": functions,
              "matrices": matrices, "complex_trig": complex_trig}
TYPES = tuple(GENERATORS)


# Surface variety that costs the model no arithmetic: several phrasings of each question and,
# for equations, the variable's letter. (Without it several type/level cells have fewer than
# ten distinct problems, too few to hold any out for testing.)
PHRASINGS = [
    (r"^Compute \$(.+)\$\.", [r"Compute $\1$.", r"What is $\1$?", r"Evaluate $\1$.",
                              r"Find the value of $\1$."]),
    (r"^Solve for \$x\$: \$(.+)\$\.$", [r"Solve for $x$: $\1$.", r"Find $x$ if $\1$.",
                                       r"What value of $x$ satisfies $\1$?"]),
    (r"^Find all solutions to \$(.+)\$\.", [r"Find all solutions to $\1$.", r"Solve $\1$.",
                                             r"What are the roots of $\1$?"]),
    (r"^What is the greatest common divisor of (.+)\?$",
     [r"What is the greatest common divisor of \1?", r"Find the greatest common factor of \1.",
      r"What is the largest integer that divides both \1?"]),
    (r"^What is the least common multiple of (.+)\?$",
     [r"What is the least common multiple of \1?", r"Find the least common multiple of \1.",
      r"What is the smallest positive integer divisible by both \1?"]),
    (r"^What is the remainder when (.+)\?$", [r"What is the remainder when \1?",
                                              r"Find the remainder when \1."]),
    (r"^What is the sum of the first (.+)\?$", [r"What is the sum of the first \1?",
                                                r"Find the sum of the first \1.",
                                                r"Add up the first \1."]),
    (r"^What is (\$\d+\\%\$ of \$\d+\$)\?$", [r"What is \1?", r"Find \1.", r"Compute \1."]),
]
VARIABLES = "xyntkmz"


def rephrase(rng, problem):
    for pattern, templates in PHRASINGS:
        if re.match(pattern, problem):
            return re.sub(pattern, rng.choice(templates), problem, count=1)
    return problem


def rename_variable(text, v):
    return re.sub(r"(?<![A-Za-z\\])x(?![A-Za-z])", v, text)


def content_key(kind, key):
    """A problem's mathematics as one string: its kind and the generator's canonical key, the
    numbers and structure it was drawn with, with every symmetry the generator knows taken
    out (operands of +, x, gcd, lcm and sums of fractions sorted; a polynomial, not the order
    of its roots; counts, not colour or object names). Phrasing and the variable's letter are
    applied afterwards (dress), so they never enter. Two problems with one key are one
    problem: the splits never share a key."""
    return " | ".join([kind] + [str(k) for k in key])


def draw(rng, kind, level):
    """The mathematics of one problem: (content key, the generator's output)."""
    *raw, key = GENERATORS[kind](rng, level)
    return content_key(kind, key), tuple(raw)


def dress(rng, kind, level, key, raw):
    """One surface form of a drawn problem as a record with both styles: a phrasing, for
    equations a variable letter, and one of its solution methods."""
    problem, answer, methods, terse = raw
    problem = rephrase(rng, problem)
    if kind in ("linear", "quadratic"):
        v = rng.choice(VARIABLES)
        problem, terse = rename_variable(problem, v), rename_variable(terse, v)
        methods = {k: rename_variable(m, v) for k, m in methods.items()}
    name = rng.choice(sorted(methods))
    return {"problem": problem, "answer": answer, "level": level, "type": SUBJECT[kind],
            "kind": kind, "method": name, "detailed": methods[name], "terse": terse, "key": key}


def make_problem(rng, kind, level):
    """One random problem of a kind and level, dressed."""
    return dress(rng, kind, level, *draw(rng, kind, level))


def shares(n, cells, rng):
    """n rows spread evenly over the cells; the remainder goes to randomly chosen cells."""
    out = dict.fromkeys(cells, n // len(cells))
    for c in rng.sample(cells, n % len(cells)):
        out[c] += 1
    return out


MISSES = 200  # draws in a row without a new key before a cell counts as exhausted
CELLS = [(s, lv) for s in SUBJECTS for lv in range(1, 6)]  # (subject, level), as MATH reports


def make_splits(n_train, n_val, n_test, seed=0, n_fresh=0):
    """train/val/test (and fresh), disjoint in content: every content key (content_key)
    belongs to one split, so no split holds another's mathematics under a new phrasing,
    letter or operand order. `fresh` (n_fresh problems, none by default) are problems the
    generator never trains on, for the evaluator's candidates and step 3; drawn last, so test,
    val and train are the same with or without them.

    Every (subject, level) cell gives each split an equal share of its rows (stratified), and
    splits it equally among the subject's kinds, so every split has the same mix of kinds.
    Test and val take one row per new key; train takes new keys too, and a (kind, level) with
    no new keys left (MISSES draws in a row found none) repeats its own training keys in new
    surface forms (phrasing, letter, method): more text, never more mathematics, and the same
    mix of kinds as test. Fresh takes what is left, one row per new key; a kind with none left
    lends its fresh share to another kind of its cell, or of its subject at another level. A
    kind too small for its test or val share is an error."""
    rng = random.Random(seed)
    owner = {}  # content key -> split: a key is drawn once, for one split
    train_raw = {}  # (kind, level) -> [(key, raw)] of its training problems
    exhausted = set()
    splits = {}

    def new_key(kind, level, split):
        """A (key, raw) of this kind and level never drawn before, or None if none is left."""
        if (kind, level) not in exhausted:
            for _ in range(MISSES):
                key, raw = draw(rng, kind, level)
                if key not in owner:
                    owner[key] = split
                    return key, raw
            exhausted.add((kind, level))
        return None

    def row(kind, level, split):
        """(kind, level, key, raw) of one row of this split."""
        got = new_key(kind, level, split)
        if got is not None:
            if split == "train":
                train_raw.setdefault((kind, level), []).append(got)
            return (kind, level) + got
        if split == "train" and train_raw.get((kind, level)):
            return (kind, level) + rng.choice(train_raw[(kind, level)])
        kinds = list(KINDS[SUBJECT[kind]])
        # another kind of the same cell lends a new problem; for fresh, any level of the subject
        lenders = [(k, level) for k in rng.sample(kinds, len(kinds))]
        if split == "fresh":
            lenders += rng.sample([(k, lv) for k in kinds for lv in range(1, 6) if lv != level],
                                  len(kinds) * 4)
        for other, lv in (lenders if split in ("fresh", "train") else []):
            got = new_key(other, lv, split)
            if got is not None:
                return (other, lv) + got
        raise ValueError(f"cell ({kind!r}, {level}) has no new problem left for {split}: widen "
                         "its number ranges or ask for fewer problems (--n_test, --n_val, "
                         "--n_fresh)")

    for split, n in (("test", n_test), ("val", n_val), ("train", n_train), ("fresh", n_fresh)):
        quota, slots = shares(n, CELLS, rng), []
        for (subject, level), q in quota.items():
            for kind, k in shares(q, list(KINDS[subject]), rng).items():
                slots += [((j + rng.random()) / k, kind, level) for j in range(k)]
        # the slots take turns (each kind in proportion to its share), so that kinds whose
        # number ranges overlap divide their common keys evenly
        rows = []
        for _, kind, level in sorted(slots):
            rows.append(dress(rng, *row(kind, level, split)))
        rng.shuffle(rows)
        for i, ex in enumerate(rows):
            ex["id"] = f"synthetic/{split}/{i}"
        splits[split] = rows
    return {k: splits[k] for k in ("train", "val", "test", "fresh")}


def key_stats(splits):
    """Distinct content keys per split (and rows), overall and per (subject, level) cell."""
    out = {}
    for name, rows in splits.items():
        if not rows:
            continue
        cells = {}
        for r in rows:
            cells.setdefault(f"{r['type']} L{r['level']}", set()).add(r["key"])
        out[name] = {"rows": len(rows), "keys": len({r["key"] for r in rows}),
                     "min_keys_per_cell": min(len(v) for v in cells.values()),
                     "cells": {k: len(v) for k, v in sorted(cells.items())}}
    return out


def world_size(draws=2000, seed=0):
    """Distinct content keys found in `draws` draws of every (kind, level): a lower bound on
    the problems the world holds, per kind and level and in all."""
    rng, per = random.Random(seed), {}
    for kind in TYPES:
        for level in range(1, 6):
            per[(kind, level)] = {draw(rng, kind, level)[0] for _ in range(draws)}
    total = len(set().union(*per.values()))
    return total, {c: len(v) for c, v in per.items()}


def stats_markdown(n_train, n_val, n_test, n_fresh, seed=0):
    """The tables docs/data.md shows, for the configuration given."""
    total, per = world_size()
    out = [f"World: at least {total} distinct problems (content keys found in 2000 draws of "
           "every kind and level):", "",
           "| kind | subject | " + " | ".join(f"L{lv}" for lv in range(1, 6)) + " |",
           "|---|---|" + "---|" * 5]
    out += [f"| {kind} | {SUBJECT[kind]} | " + " | ".join(str(per[(kind, lv)]) for lv in range(1, 6))
            + " |" for kind in TYPES]
    stats = key_stats(make_splits(n_train, n_val, n_test, seed, n_fresh))
    out += ["", f"Splits for `--n_train {n_train} --n_val {n_val} --n_test {n_test} --n_fresh "
            f"{n_fresh} --data_seed {seed}` (the scripts' defaults):", "",
            "| split | rows | distinct problems | fewest in a (subject, level) cell |",
            "|---|---|---|---|"]
    out += [f"| {name} | {v['rows']} | {v['keys']} | {v['min_keys_per_cell']} |"
            for name, v in stats.items()]
    out += ["", "| subject | " + " | ".join(f"train L{lv}" for lv in range(1, 6)) + " |",
            "|---|" + "---|" * 5]
    out += [f"| {s} | " + " | ".join(str(stats["train"]["cells"].get(f"{s} L{lv}", 0))
                                     for lv in range(1, 6)) + " |" for s in SUBJECTS]
    return "\n".join(out)


def examples_markdown(seed=0, level=3, subjects=None):
    """One problem of each subject (its first kind, at `level`) with both solution styles."""
    rng, out = random.Random(seed), []
    for subject in SUBJECTS:
        ex = make_problem(rng, KINDS[subject][0], level)  # (drawn for all: the same problems)
        if subjects and subject not in subjects:
            continue
        out += [f"**{subject}** (level {level}): {ex['problem']}", "", "```",
                ex["detailed"], "```", f"terse: {ex['terse']}", ""]
    return "\n".join(out).rstrip()


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser(description="The embedded dataset: examples, or its size.")
    p.add_argument("--stats", action="store_true", help="distinct problems per split and cell")
    p.add_argument("--examples", action="store_true",
                   help="one problem of each subject, both styles, as README and docs/data.md "
                        "show them")
    p.add_argument("--n_train", type=int, default=N_TRAIN)
    p.add_argument("--n_val", type=int, default=N_VAL)
    p.add_argument("--n_test", type=int, default=N_TEST)
    p.add_argument("--n_fresh", type=int, default=N_FRESH)
    p.add_argument("--data_seed", type=int, default=0)
    a = p.parse_args()
    if a.stats:
        print(stats_markdown(a.n_train, a.n_val, a.n_test, a.n_fresh, a.data_seed))
    elif a.examples:
        print(examples_markdown())
    else:
        rng = random.Random(a.data_seed)
        for kind in TYPES:
            for level in range(1, 6):
                ex = make_problem(rng, kind, level)
                print(f"--- {ex['type']} ({kind}), level {level}, method {ex['method']}")
                print(ex["problem"])
                print(ex["detailed"])
                print("terse:", ex["terse"])


def pretraining_corpus(n_docs, held_out, seed=1):
    """Text for pretraining a base model (pretrain.py): n_docs problems of the world, each
    followed by one of its solutions (a detailed method or the terse one, at random), drawn
    uniformly over kinds and levels with their own seed. Any problem whose content key is in
    `held_out` (the validation, test and fresh problems) is skipped, so the base never reads
    a problem that a run is measured on or that the evaluator's candidates come from.
    -> (texts, distinct content keys read)."""
    rng = random.Random(f"pretrain-{seed}")
    cells = [(kind, level) for kind in TYPES for level in range(1, 6)]
    texts, keys = [], set()
    while len(texts) < n_docs:
        kind, level = rng.choice(cells)
        key, raw = draw(rng, kind, level)
        if key in held_out:
            continue
        row = dress(rng, kind, level, key, raw)
        texts.append(row["problem"] + "\n" + (row["terse"] if rng.random() < 0.25 else row["detailed"]))
        keys.add(key)
    return texts, keys
