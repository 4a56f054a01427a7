"""
Step 3's settings, chosen on validation: train_joint.py's sequential recipe (stage B: the
margin evaluator objective; stage C: MLE) at several stage lengths and learning rates, each
beside the extra-MLE control with the same extra steps, from one SSFT model and one set of its
candidates. Every run solves the validation split greedily before stage B, after it, and at
the end (--stage_curve): how far stage B moves the generator and what stage C wins back. The
test split is never read.

    python train_sft.py && python train_verifier.py && python -m results.joint_settings
    python -m results.joint_settings --render

Writes results/joint_settings.json (a run already there is kept unless --rerun); runs go to
--runs/<setting>-<objective>.
"""
import argparse
import os

from common import add_sweep_flags
from records import read_json, write_json
from train_joint import main as train_joint

SETTINGS = {  # name -> train_joint flags (stage lengths, learning rate)
    "B100 C50 lr 1e-4": ["--stage_b_steps", "100", "--stage_c_steps", "50"],
    "B100 C200 lr 1e-4": ["--stage_b_steps", "100", "--stage_c_steps", "200"],
    "B100 C50 lr 3e-4": ["--stage_b_steps", "100", "--stage_c_steps", "50",
                         "--lr", "3e-4", "--min_lr", "3e-5"],
    "B50 C100 lr 1e-4": ["--stage_b_steps", "50", "--stage_c_steps", "100"],
}
OBJECTIVES = {"evaluator-margin": ["--objective", "evaluator", "--loss", "margin"],
              "mle": ["--objective", "mle"]}


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--generator", default="out/sft/ckpt.pt", help="the SSFT checkpoint")
    p.add_argument("--candidates", default="out/verifier/candidates.jsonl")
    add_sweep_flags(p, SETTINGS, "out/joint_settings", "results/joint_settings.json",
                    "train_joint")
    return p.parse_args(argv)


def render(saved):
    """Validation greedy accuracy after stage A (SSFT), B and C, for each setting and objective."""
    pct = lambda x: f"{100 * x:.1f}" if x is not None else ""
    lines = ["| setting | objective | after A (SSFT) | after B | after C |", "|---|---|---|---|---|"]
    for r in saved["rows"]:
        c = r["stage_accuracy"]
        lines.append(f"| {r['setting']} | {r['objective']} | {pct(c.get('A'))} | "
                     f"{pct(c.get('B'))} | {pct(c.get('C'))} |")
    return "\n".join(lines)


def main(argv=None):
    args = get_args(argv)
    saved = {**read_json(args.out, {"rows": []}), "split": "val", "init": args.generator,
             "candidates": args.candidates}
    for name in [] if args.render else args.settings:
        for objective, flags in OBJECTIVES.items():
            if not args.rerun and any(r["setting"] == name and r["objective"] == objective
                                      for r in saved["rows"]):
                continue
            out_dir = os.path.join(args.runs, f"{name}-{objective}".replace(" ", "-"))
            m = train_joint(["--generator", args.generator, "--candidates", args.candidates,
                             "--eval_split", "val", "--stage_curve", "--no_progress",
                             "--out_dir", out_dir, *flags, *SETTINGS[name], *args.extra])
            assert m["split"] == "val"
            saved["rows"] = [r for r in saved["rows"]
                             if (r["setting"], r["objective"]) != (name, objective)] + [
                {"setting": name, "objective": objective, "flags": flags + SETTINGS[name],
                 "stage_accuracy": m["stage_accuracy"], "train_seconds": m["train_seconds"],
                 "n_val": m["n_test"]}]
            write_json(args.out, saved)
    print(render(saved))
    return saved


if __name__ == "__main__":
    main()
