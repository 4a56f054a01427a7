"""
What every kind of problem shares: numbers written as MATH writes them, the common
steps and the final answer line.
"""
from fractions import Fraction


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


def coef(a, var):
    """a x with the 1 left out: x, -x, 3x."""
    return var if a == 1 else ("-" + var if a == -1 else f"{a}{var}")
