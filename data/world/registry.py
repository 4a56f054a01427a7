"""
The registry: every kind of problem, its MATH subject and its generator, in the order the
world draws them. Adding a kind is one generator in its subject's file and one line here.
"""
from . import algebra, counting, geometry, intermediate_algebra, number_theory, prealgebra
from . import precalculus

SUBJECTS = ("Prealgebra", "Algebra", "Number Theory", "Counting & Probability", "Geometry",
            "Intermediate Algebra", "Precalculus")  # MATH's seven, in its order

REGISTRY = {  # kind -> (its subject, its generator); the order is the draws' order
    "arithmetic": ("Prealgebra", prealgebra.arithmetic),
    "fractions": ("Prealgebra", prealgebra.fractions_),
    "percent": ("Prealgebra", prealgebra.percent),
    "rounding": ("Prealgebra", prealgebra.rounding),
    "linear": ("Algebra", algebra.linear),
    "series": ("Algebra", algebra.series),
    "system": ("Algebra", algebra.system),
    "number_theory": ("Number Theory", number_theory.number_theory),
    "digits": ("Number Theory", number_theory.digits),
    "counting": ("Counting & Probability", counting.counting),
    "probability": ("Counting & Probability", counting.probability),
    "lists": ("Counting & Probability", counting.lists),
    "area": ("Geometry", geometry.area),
    "angles": ("Geometry", geometry.angles),
    "coordinates": ("Geometry", geometry.coordinates),
    "quadratic": ("Intermediate Algebra", intermediate_algebra.quadratic),
    "functions": ("Intermediate Algebra", intermediate_algebra.functions),
    "matrices": ("Precalculus", precalculus.matrices),
    "complex_trig": ("Precalculus", precalculus.complex_trig),
}
SUBJECT = {kind: subject for kind, (subject, _) in REGISTRY.items()}  # a record's "type"
GENERATORS = {kind: generate for kind, (_, generate) in REGISTRY.items()}
ALL_KINDS = tuple(REGISTRY)  # the 19 kinds (a record's "kind"; its "type" is the subject)
KINDS = {s: tuple(k for k, v in SUBJECT.items() if v == s) for s in SUBJECTS}
