"""
The world from the command line: one example of each kind and level, the examples docs show,
or its size.

    python -m data.world            # one example of each kind and level
    python -m data.world --stats    # distinct problems (content keys) per split and cell
"""
import argparse
import random

from .problems import make_problem
from .registry import ALL_KINDS
from .splits import N_FRESH, N_TEST, N_TRAIN, N_VAL, examples_markdown, stats_markdown


def main(argv=None):
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
    a = p.parse_args(argv)
    if a.stats:
        print(stats_markdown(a.n_train, a.n_val, a.n_test, a.n_fresh, a.data_seed))
    elif a.examples:
        print(examples_markdown())
    else:
        rng = random.Random(a.data_seed)
        for kind in ALL_KINDS:
            for level in range(1, 6):
                ex = make_problem(rng, kind, level)
                print(f"--- {ex['type']} ({kind}), level {level}, method {ex['method']}")
                print(ex["problem"])
                print(ex["detailed"])
                print("terse:", ex["terse"])


if __name__ == "__main__":
    main()
