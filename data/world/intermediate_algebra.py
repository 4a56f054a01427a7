"""
Intermediate Algebra: quadratics, functions.

Each generator: (rng, level) -> (problem, answer, {method: detailed solution}, terse
solution, content key).
"""
import math
from fractions import Fraction

from .shared import finish, paren, signed, tex


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


def polynomial_value(rng, level):
    """Levels 1 and 2: the value of a polynomial at a point."""
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


def composition(rng, level):
    """F(g(k)) with f, g linear."""
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


def root_sum_or_product(rng, level):
    """The sum or the product of the roots."""
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


def inverse(rng, level):
    """Level 5: the value of an inverse function."""
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


def functions(rng, level):
    """Values of polynomials, compositions, inverses and Vieta's formulas."""
    if level <= 2:
        return polynomial_value(rng, level)
    if level == 3:  # f(g(k)) with f, g linear
        return composition(rng, level)
    if level == 4:  # the sum or the product of the roots
        return root_sum_or_product(rng, level)
    return inverse(rng, level)
