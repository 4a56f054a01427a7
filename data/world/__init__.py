"""
The embedded default dataset: MATH-format problems made by a seeded generator, so the whole
recipe runs on a laptop CPU with no download.

Seven subjects (MATH's), nineteen kinds of problem, levels 1-5, answers written as MATH
writes them (\\frac{a}{b}, negatives, unordered root lists). Every problem has two solution
styles:

  detailed  one step per line, every intermediate value shown (PRM800K-like), and several
            valid *methods* per type (e.g. factoring vs the quadratic formula), one chosen at
            random per problem: different texts reaching one answer, which is what gives
            majority voting something to vote over
  terse     MATH-human-like: one or two lines, the jumps left to the reader

Numbers are kept small on purpose: a tiny model learns multi-step structure far faster than
multi-digit arithmetic (docs/data.md, "Calibration"). Small ranges make few distinct problems,
so the splits are cut by content, not text: content_key names a problem's mathematics, and no
key is in two splits (make_splits). Cells whose ranges were too small to give test and val
their share were widened just enough (docs/data.md, "The embedded default").

    python -m data.world            # one example of each kind and level
    python -m data.world --stats    # distinct problems (content keys) per split and cell

The package, in the order a reader meets it:

  shared.py       what every kind shares: numbers as MATH writes them, common steps, the
                  answer line
  prealgebra.py, algebra.py, number_theory.py, counting.py, geometry.py,
  intermediate_algebra.py, precalculus.py
                  one file per MATH subject, one generator per kind of problem (19 kinds)
  registry.py     every kind's subject and generator (adding a kind: one function in its
                  subject's file, one line here)
  problems.py     a generator's output -> a problem record (content key, phrasing, method)
  splits.py       the default sizes and the train / val / test / fresh splits
  corpus.py       the pretraining corpus (pretrain.py), every held-out problem left out
  __main__.py     python -m data.world
"""
from .corpus import pretraining_corpus
from .problems import content_key, draw, dress, make_problem
from .registry import ALL_KINDS, GENERATORS, KINDS, REGISTRY, SUBJECT, SUBJECTS
from .splits import (CELLS, N_FRESH, N_TEST, N_TRAIN, N_VAL, examples_markdown, key_stats,
                     make_splits, stats_markdown, world_size)

__all__ = ["ALL_KINDS", "CELLS", "GENERATORS", "KINDS", "N_FRESH", "N_TEST", "N_TRAIN", "N_VAL",
           "REGISTRY", "SUBJECT", "SUBJECTS", "content_key", "draw", "dress", "examples_markdown",
           "key_stats", "make_problem", "make_splits", "pretraining_corpus", "stats_markdown",
           "world_size"]
