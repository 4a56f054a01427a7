"""
Every rendered block of README.md and docs/: examples of the synthetic world and its sizes
(data/world/ at the scripts' defaults), the difficulty table, the evaluator learning
curves (and the control's, on two generators) and its variants on validation, the paper's
size cross, what an evaluator orders wrong, the evaluator's planted-answer control, step 3's
validation sweep, the first hour's commands, the bases and what a base costs, the memory a
real model's fine-tuning needs (computed), the speedrun records, the validation sweeps and
the results (results/render.py, from results/results.json), each from the JSON file its
command wrote.
Never typed: tests/test_results.py renders them and compares with the files.

    python -m results.blocks            # rewrite the blocks in README.md and docs/
    python -m results.blocks --check    # exit 1 if a file differs from the render
"""
import argparse
import json
import os
import sys

from records import write_text
from data import N_FRESH, N_TEST, N_TRAIN, N_VAL, world
from bench.bench_model import render as bench_model_table
from bench.first_hour import render as first_hour_table
from bench.gpu_check import plan_table as gpu_memory_table
from bench.pretrain_cost import render as pretrain_cost_table
from bench.speedrun import render as speedrun_table
from bench.sweep import render as sweep_table
from results.difficulty import render as difficulty_table
from results.evaluator_control import render as control_table
from results.evaluator_curve import table as curve_table
from results.evaluator_errors import render as errors_table
from results.planted_world import render as planted_world_table
from results.size_cross import read_curves
from results.size_cross import render as size_cross_table
from results.evaluator_settings import render as evaluator_table
from results.evaluator_settings import render_held_out as evaluator_variants_table
from results.joint_settings import render as joint_table
from results.render import fill, headline
from results.temperature import render as temperature_table
from results.render import render as results_table


def blocks(root="."):
    """{file: {block name: markdown}} for the <!-- name:start --> ... <!-- name:end --> blocks."""
    read = lambda *path: json.load(open(os.path.join(root, *path)))
    return {
        "README.md": {
            "example": world.examples_markdown(subjects=["Intermediate Algebra"]),
            "first-hour": first_hour_table(read("bench", "first_hour.json")),
            "headline": headline(read("results", "results.json"))},
        "docs/results.md": {
            "results": results_table(read("results", "results.json")),
            "joint-settings": joint_table(read("results", "joint_settings.json")),
            "temperature": temperature_table(read("results", "temperature.json")),
            "evaluator-curve": curve_table(read("results", "evaluator_curve.json")),
            "evaluator-curve-train": curve_table(read("results", "evaluator_curve_train.json")),
            "evaluator-curve-train2": curve_table(read("results", "evaluator_curve_train2.json")),
            "evaluator-curve-train3": curve_table(read("results", "evaluator_curve_train3.json")),
            "evaluator-curve-train-4x128": curve_table(
                read("results", "evaluator_curve_train_4x128.json")),
            "size-cross": size_cross_table(read_curves(root)),
            "evaluator-errors": errors_table(read("results", "evaluator_errors.json")),
            "evaluator-control": control_table(read("results", "evaluator_control.json")),
            "planted-world": planted_world_table(read("results", "planted_world.json")),
            "evaluator-variants": evaluator_variants_table(
                read("results", "evaluator_settings.json"))},
        "docs/data.md": {
            "examples": world.examples_markdown(),
            "data-stats": world.stats_markdown(N_TRAIN, N_VAL, N_TEST, N_FRESH),
            "difficulty": difficulty_table(read("results", "difficulty.json")["rows"])},
        "docs/model.md": {
            "bench-model": bench_model_table(read("bench", "bench_model.json"))},
        "docs/gpu.md": {"gpu-memory": gpu_memory_table()},
        "docs/speedrun.md": {
            "base": base_markdown([read("bases", f) for f in sorted(os.listdir(
                os.path.join(root, "bases"))) if f.startswith("world-") and f.endswith(".json")]),
            "pretrain-cost": pretrain_cost_table(read("bench", "pretrain_cost.json")),
            "speedrun": speedrun_table(read("bench", "speedrun.json")),
            "sweep-scratch": sweep_table(read("bench", "sweep.json")),
            "sweep-base": sweep_table(read("bench", "sweep_base.json")),
            "evaluator-settings": evaluator_table(read("results", "evaluator_settings.json"))}}


def base_markdown(bases):
    """What each base read and what it cost (pretrain.py's JSON), one row a base, smallest
    model first."""
    lines = ["| model | problems read | distinct | tokens | steps x windows | final loss | time |",
             "|---|---|---|---|---|---|---|"]
    for saved in sorted(bases, key=lambda b: (b["config"]["n_layer"], b["config"]["n_embd"])):
        c = saved["config"]
        lines.append(f"| {c['n_layer']}x{c['n_embd']} | {c['n_docs']:,} | "
                     f"{c['distinct_problems']:,} | {c['tokens'] / 1e6:.1f}M | {c['max_steps']} x "
                     f"{c['batch_size']} of {c['block_size']} tokens | "
                     f"{saved['history'][-1]['loss']:.3f} | {saved['train_seconds']:.0f} s on "
                     f"{saved['device']} (torch {saved['torch']}) |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--root", default=".", help="the repository")
    p.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    args = p.parse_args(argv)
    for path, rendered in blocks(args.root).items():
        full = os.path.join(args.root, path)
        text = open(full).read()
        new = fill(text, rendered, path)
        if args.check and new != text:
            sys.exit(f"{path}: its blocks differ from their render (python -m results.blocks)")
        if not args.check and new != text:
            write_text(full, new)


if __name__ == "__main__":
    main()
