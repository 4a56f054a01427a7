"""
Algebra: linear equations, series, systems of two equations.

Each generator: (rng, level) -> (problem, answer, {method: detailed solution}, terse
solution, content key).
"""
from fractions import Fraction

from .shared import coef, finish, move, paren, signed, tex


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
