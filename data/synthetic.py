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
multi-digit arithmetic (README, "Calibration"). Small ranges make few distinct problems, so the
splits are cut by content, not text: content_key names a problem's mathematics, and no key is
in two splits (make_splits). Cells whose ranges were too small to give test and val their share
were widened just enough (README, "The embedded default").

    python -m data.synthetic            # one example of each type and level
    python -m data.synthetic --stats    # distinct problems (content keys) per split and cell
"""
import math
import random
import re
from fractions import Fraction

TYPES = ("arithmetic", "linear", "fractions", "number_theory", "series", "percent", "quadratic")
SUBJECT = {"arithmetic": "Prealgebra", "linear": "Algebra", "fractions": "Prealgebra",
           "number_theory": "Number Theory", "series": "Algebra", "percent": "Prealgebra",
           "quadratic": "Intermediate Algebra"}


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
    for op, t in zip(ops, terms[1:]):
        if op == "*":
            prod_lines.append(f"${cur} \\times {t} = {cur * t}$")
            cur *= t
        else:
            summands.append(sign * cur)
            cur, sign = t, (1 if op == "+" else -1)
    summands.append(sign * cur)
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
    return problem, str(value), methods, terse


def linear(rng, level):
    a = 1 if level == 1 else rng.randint(2, 3)
    x = Fraction(rng.randint(-4, 4)) if level <= 2 else Fraction(rng.randint(-5, 5), a)
    b = rng.randint(-6, 6) or 5
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
    return problem, tex(x), {"isolate": finish(m1, tex(x)), "formula": finish(m2, tex(x))}, terse


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
    return problem, tex(value), {"lcd": finish(m1, tex(value)), "cross": finish(m2, tex(value))}, terse


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
        return problem, str(r), {"direct": finish(m1, r), "reduce": finish(m2, r)}, terse
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
        return problem, str(ans), {"euclid": finish(steps, ans), "factor": finish(m2, ans)}, terse
    ans = a * b // math.gcd(a, b)  # lcm
    problem = f"What is the least common multiple of ${a}$ and ${b}$?"
    m1 = [f"$\\gcd({a}, {b}) = {math.gcd(a, b)}$.",
          f"$\\text{{lcm}} = \\frac{{{a} \\cdot {b}}}{{{math.gcd(a, b)}}} = "
          f"\\frac{{{a * b}}}{{{math.gcd(a, b)}}} = {ans}$."]
    m2 = [f"${a} = {fa}$.", f"${b} = {fb}$.", f"Take each prime to its highest power: {ans}."]
    terse = f"$\\text{{lcm}}({a}, {b}) = \\frac{{{a}\\cdot{b}}}{{{math.gcd(a, b)}}} = \\boxed{{{ans}}}$."
    return problem, str(ans), {"gcd": finish(m1, ans), "factor": finish(m2, ans)}, terse


def series(rng, level):
    n = 2 + (level + 1) // 2
    a, d = rng.randint(1, 15), rng.randint(1, 3)
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
    return problem, str(total), {"formula": finish(m1, total), "add": finish(m2, total)}, terse


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
        return problem, tex(ans), {"fraction": finish(m1, tex(ans)), "unit": finish(m2, tex(ans))}, terse
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
    return problem, str(ans), {"parts": finish(m1, ans), "fraction": finish(m2, ans)}, terse


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
    return problem, ans, {"factor": finish(m1, ans), "formula": finish(m2, ans)}, terse


GENERATORS = {"arithmetic": arithmetic, "linear": linear, "fractions": fractions_,
              "number_theory": number_theory, "series": series, "percent": percent,
              "quadratic": quadratic}


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


def content_key(kind, problem):
    """The mathematics of a generated problem, read before rephrasing: its type, the question's
    words with the maths taken out, and the maths between $...$ in order. Phrasing and the
    variable's letter are applied afterwards (rephrase, rename_variable) and a ratio problem's
    object names are phrasing too, so none of them is part of the key. Two problems with one
    key are one problem: the splits never share a key."""
    maths = re.findall(r"\$([^$]*)\$", problem)
    words = "ratio" if kind == "percent" and ":" in maths[0] else re.sub(r"\$[^$]*\$", "$", problem)
    return " | ".join([kind, words] + maths)


def draw(rng, kind, level):
    """The mathematics of one problem: (content key, the generator's output)."""
    raw = GENERATORS[kind](rng, level)
    return content_key(kind, raw[0]), raw


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
    """One random problem of a (type, level) cell, dressed."""
    return dress(rng, kind, level, *draw(rng, kind, level))


def shares(n, cells, rng):
    """n rows spread evenly over the cells; the remainder goes to randomly chosen cells."""
    out = dict.fromkeys(cells, n // len(cells))
    for c in rng.sample(cells, n % len(cells)):
        out[c] += 1
    return out


MISSES = 200  # draws in a row without a new key before a cell counts as exhausted


def make_splits(n_train=8000, n_val=200, n_test=500, seed=0, n_fresh=0):
    """train/val/test (and fresh), disjoint in content: every content key (content_key)
    belongs to one split, so no split holds another's mathematics under a new phrasing or
    letter. `fresh` (n_fresh problems, none by default) are problems the generator never trains
    on, for the evaluator's candidates and step 3; drawn after val, so test and val are the
    same with or without them.

    Every (type, level) cell gives each split an equal share of its rows (stratified). Test,
    val, then fresh take one row per new key; train takes new keys too, and once a cell has no new
    keys left (MISSES draws in a row found none) it repeats its own training keys in new
    surface forms (phrasing, letter, method): more text, never more mathematics. A cell
    without enough keys for its test and val shares is an error."""
    rng = random.Random(seed)
    cells = [(k, lv) for k in TYPES for lv in range(1, 6)]
    owner = {}  # content key -> split: a key is drawn once, in one cell, for one split
    train_raw = {c: [] for c in cells}  # (key, raw) of each cell's training problems
    exhausted = set()
    splits = {}

    def new_key(c, split):
        """A (key, raw) never drawn before, or None once the cell has no new ones."""
        if c not in exhausted:
            for _ in range(MISSES):
                key, raw = draw(rng, *c)
                if key not in owner:
                    owner[key] = split
                    return key, raw
            exhausted.add(c)
        return None

    for split, n in (("test", n_test), ("val", n_val), ("fresh", n_fresh), ("train", n_train)):
        quota, rows = shares(n, cells, rng), []
        # the cells take turns (each in proportion to its share), so that cells whose number
        # ranges overlap divide their common keys evenly
        turns = sorted(((j + rng.random()) / quota[c], c) for c in cells for j in range(quota[c]))
        for _, c in turns:
            got = new_key(c, split)
            if got is None and split != "train":
                raise ValueError(f"cell {c} has no new problem left for {split}: widen its "
                                 "number ranges or ask for fewer problems (--n_test, --n_val, "
                                 "--n_fresh)")
            if got is None:
                if not train_raw[c]:
                    raise ValueError(f"cell {c} has no problem left for train")
                got = rng.choice(train_raw[c])
            elif split == "train":
                train_raw[c].append(got)
            rows.append(dress(rng, *c, *got))
        rng.shuffle(rows)
        for i, ex in enumerate(rows):
            ex["id"] = f"synthetic/{split}/{i}"
        splits[split] = rows
    return {k: splits[k] for k in ("train", "val", "test", "fresh")}



def key_stats(splits):
    """Distinct content keys per split (and rows), overall and per (type, level) cell."""
    out = {}
    for name, rows in splits.items():
        if not rows:
            continue
        cells = {}
        for r in rows:
            cells.setdefault(f"{r['kind']} L{r['level']}", set()).add(r["key"])
        out[name] = {"rows": len(rows), "keys": len({r["key"] for r in rows}),
                     "min_keys_per_cell": min(len(v) for v in cells.values()),
                     "cells": {k: len(v) for k, v in sorted(cells.items())}}
    return out


if __name__ == "__main__":
    import sys
    if "--stats" in sys.argv:
        stats = key_stats(make_splits())
        cells = sorted({c for v in stats.values() for c in v["cells"]},
                       key=lambda c: (c.split()[0], c.split()[1]))
        print("| split | rows | distinct problems | fewest in a cell |\n|---|---|---|---|")
        for name, v in stats.items():
            print(f"| {name} | {v['rows']} | {v['keys']} | {v['min_keys_per_cell']} |")
        print("\n| cell | " + " | ".join(stats) + " |\n|---|---|---|---|")
        for c in cells:
            print(f"| {c} | " + " | ".join(str(v["cells"].get(c, 0)) for v in stats.values()) + " |")
        sys.exit(0)
    rng = random.Random(0)
    for kind in TYPES:
        for level in range(1, 6):
            ex = make_problem(rng, kind, level)
            print(f"--- {ex['type']} ({kind}), level {level}, method {ex['method']}")
            print(ex["problem"])
            print(ex["detailed"])
            print("terse:", ex["terse"])
