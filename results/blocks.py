"""
README's rendered blocks besides the results block (results/render.py): one example of each
subject, the world's and the splits' sizes (both from data/synthetic.py at the scripts'
defaults), the difficulty table (results/difficulty.json) and the evaluator learning curve
(results/evaluator_curve.json). Never typed: tests/test_results.py renders them and compares
with README.

    python -m results.blocks            # rewrite the blocks in README.md
    python -m results.blocks --check    # exit 1 if README.md differs from the render
"""
import argparse
import json
import os
import re
import sys

from data import N_FRESH, N_TEST, N_TRAIN, N_VAL, synthetic
from results.difficulty import render as difficulty_table
from results.evaluator_curve import table as curve_table


def blocks(results_dir="results"):
    """{block name: markdown} for the <!-- name:start --> ... <!-- name:end --> blocks."""
    read = lambda name: json.load(open(os.path.join(results_dir, name)))
    return {"examples": synthetic.examples_markdown(),
            "data-stats": synthetic.stats_markdown(N_TRAIN, N_VAL, N_TEST, N_FRESH),
            "difficulty": difficulty_table(read("difficulty.json")["rows"]),
            "evaluator-curve": curve_table(read("evaluator_curve.json"))}


def fill(readme, rendered):
    """README text with each block's body replaced by its render."""
    for name, body in rendered.items():
        pattern = rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)"
        readme, n = re.subn(pattern, lambda m: m.group(1) + body + "\n" + m.group(2), readme,
                            flags=re.S)
        if n != 1:
            raise SystemExit(f"error: README.md has no <!-- {name}:start --> ... end block")
    return readme


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--readme", default="README.md")
    p.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    args = p.parse_args(argv)
    text = open(args.readme).read()
    new = fill(text, blocks())
    if args.check:
        if new != text:
            sys.exit(f"{args.readme}: the data blocks differ from their render "
                     "(python -m results.blocks)")
        return
    with open(args.readme, "w") as f:
        f.write(new)


if __name__ == "__main__":
    main()
