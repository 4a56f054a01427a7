"""
Geometry: area, angles, coordinates.

Each generator: (rng, level) -> (problem, answer, {method: detailed solution}, terse
solution, content key).
"""
import math
from fractions import Fraction

from .shared import coef, finish, paren, tex


def rectangle(rng, level):
    """Rectangle: area or perimeter; its two sides in either order."""
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


def rectangle_from_area(rng, level):
    """Rectangle from its area and one side: the other side, then the perimeter."""
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


def triangle_or_trapezoid(rng, level):
    """Triangle or trapezoid area."""
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


def circle(rng, level):
    """Circles: area or circumference from the radius, diameter, circumference or area."""
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


def right_triangle(rng, level):
    """Level 5: a side of a right triangle with integer sides."""
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


def area(rng, level):
    """Areas and perimeters of rectangles, triangles and trapezoids; right triangles."""
    if level == 1:  # rectangle: area or perimeter; its two sides in either order
        return rectangle(rng, level)
    if level == 2:  # rectangle from its area and one side: the other side, then the perimeter
        return rectangle_from_area(rng, level)
    if level == 3:  # triangle or trapezoid area
        return triangle_or_trapezoid(rng, level)
    if level == 4:  # circles: area or circumference from the radius, diameter, circumference or area
        return circle(rng, level)
    return right_triangle(rng, level)


def complement_or_supplement(rng, level):
    """Level 1: the complement or the supplement of an angle."""
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


def third_angle(rng, level):
    """The third angle of a triangle."""
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


def isosceles(rng, level):
    """Isosceles triangles."""
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


def polygon_or_exterior_angle(rng, level):
    """Levels 4 and 5: an exterior angle of a triangle, the angle sum of a polygon, or a
    regular polygon's interior angle."""
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


def angles(rng, level):
    """Angles in degrees: complements, triangles, isosceles triangles, polygons."""
    if level == 1:
        return complement_or_supplement(rng, level)
    if level == 2:  # the third angle of a triangle
        return third_angle(rng, level)
    if level == 3:  # isosceles triangles
        return isosceles(rng, level)
    return polygon_or_exterior_angle(rng, level)


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
