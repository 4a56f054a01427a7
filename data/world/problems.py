"""
From a generator's output to a problem record: the problem's content key (its mathematics,
which the splits never share), a phrasing, a variable letter and one solution method.
"""
import re

from .registry import GENERATORS, SUBJECT


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
