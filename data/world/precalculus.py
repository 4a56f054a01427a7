"""
Precalculus: matrices, complex numbers and trigonometry.

Each generator: (rng, level) -> (problem, answer, {method: detailed solution}, terse
solution, content key).
"""
from .shared import CDOT, coef, finish, paren


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
