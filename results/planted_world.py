"""
What makes the planted-answer comparison hard for the paper's evaluator, in a tiny world where
it is the only signal: every problem is the same question ("Guess my number."), its gold
answer a random number, each of its four candidates right or wrong by a coin flip (a wrong one
differs from the gold in one digit), and the gold answer planted at the end of the problem
text (candidates.plant_answers, as train_verifier.py --plant_answer end). The margin
evaluator (evaluator.evaluator_losses, the recipe train_verifier.py runs) is trained on 200
problems' candidates (or more) and scored on 60 other problems' by distinct-text pair accuracy
(measures.distinct_pair_accuracy): 1.0 is the comparison learned, 0.5 nothing. One setting
changes one thing at a time from the world the test uses (tests/test_train_verifier.py):
the answer's digits, filler words between the planted answer and the boxed one, a cue in the
wrong solutions' own text (as the real candidates' texts have), the data, the steps, dropout,
the objective (the LM loss beside the margin, CE), the model it starts from. One thread; --seeds N repeats a setting's training with
N seeds (the same world), the table giving their mean and each.

    python -m results.planted_world                  # each run's seconds: its JSON
    python -m results.planted_world --seeds 3 --settings "3 digits, from the SSFT model (4x128)"
    python -m results.planted_world --render

Writes results/planted_world.json (a setting already there is kept unless --rerun). The
settings "from the SSFT model" read out/sft/ckpt.pt (python train_sft.py).
"""
import argparse
import random
import time

import torch

from candidates import plant_answers
from common import add_sweep_flags
from data import generator_prompt, generator_target, train_tokenizer
from measures import distinct_pair_accuracy, evaluate
from model import GPT, GPTConfig, load_run
from records import read_json, write_json
from train_verifier import get_args as train_verifier_args
from train_verifier import train_evaluator

FILLER = "the of a number is and to in that we it for as with this".split()


def guessing_world(n_problems, seed, digits=1, filler=0, shortcut=0.0):
    """Candidates whose correctness nothing in the problem or solution text reveals: each
    problem the same question, its gold a random `digits`-digit number, its four candidates
    each right or (one digit changed) wrong by a coin flip; up to `filler` random words
    before a solution's answer line put the planted answer further from the boxed one.
    shortcut: the share of wrong candidates whose solution opens with "Hmm." (no right one
    does): a cue in the solution's own text that tells most labels without the comparison,
    as the real candidates' texts do (training candidates only: the held-out world has none)."""
    rng, cues = random.Random(seed), random.Random(f"{seed}/cues")
    lo, hi = (10 ** (digits - 1) if digits > 1 else 0), 10 ** digits - 1
    out = []
    for i in range(n_problems):
        gold = str(rng.randint(lo, hi))
        words = " ".join(rng.choice(FILLER) for _ in range(rng.randint(0, filler)))
        for _ in range(4):
            ans, cue = gold, ""
            if rng.random() >= 0.5:
                j = rng.randrange(digits)
                ans = gold[:j] + rng.choice([d for d in "0123456789" if d != gold[j]]) + \
                    gold[j + 1:]
                if cues.random() < shortcut:  # its own draws: the same world with or without
                    cue = "Hmm. "
            out.append({"problem_id": f"{seed}/{i}", "split": "train", "gold": gold,
                        "problem": "Guess my number.", "answer": ans, "label": ans == gold,
                        "solution": cue + (words + "\n" if words else "") +
                        f"The answer is $\\boxed{{{ans}}}$."})
    return out


SETTINGS = {  # name -> (digits, filler words, problems, steps, start, lr[, cue, dropout,
    #                  train_verifier.py flags beside the margin recipe's])
    "1 digit (the test's world)": (1, 0, 200, 600, "scratch", 3e-3),
    "1 digit, up to 30 filler words": (1, 30, 200, 600, "scratch", 3e-3),
    "2 digits": (2, 0, 200, 600, "scratch", 3e-3),
    "2 digits, up to 30 filler words": (2, 30, 200, 600, "scratch", 3e-3),
    "3 digits": (3, 0, 200, 600, "scratch", 3e-3),
    "3 digits, 10x the problems": (3, 0, 2000, 600, "scratch", 3e-3),
    "3 digits, 10x the problems, 2000 steps": (3, 0, 2000, 2000, "scratch", 3e-3),
    "1 digit, from the SSFT model (4x128)": (1, 0, 200, 600, "out/sft/ckpt.pt", 1e-3),
    "3 digits, from the SSFT model (4x128)": (3, 0, 200, 600, "out/sft/ckpt.pt", 1e-3),
    "3 digits, from the SSFT model, 10x the problems": (3, 0, 2000, 600, "out/sft/ckpt.pt",
                                                         1e-3),
    # the real control's two other differences, one at a time from the SSFT start: distance
    # (the real planted answer sits ~70 tokens before the read-out), and a cue in the
    # solution's text that tells 80% of the training labels without the comparison
    "3 digits, up to 30 filler words, from the SSFT model": (3, 30, 200, 600,
                                                             "out/sft/ckpt.pt", 1e-3),
    "3 digits, from the SSFT model, a cue on 80% of wrong training candidates": (
        3, 0, 200, 600, "out/sft/ckpt.pt", 1e-3, 0.8),
    "1 digit, a cue on 80% of wrong training candidates": (1, 0, 200, 600, "scratch", 3e-3,
                                                            0.8),
    # what lets the comparison through a cue: more problems (more pairs the cue leaves to the
    # comparison, too many to memorise), more steps, or both
    "3 digits, from the SSFT model, the cue, 10x the problems": (3, 0, 2000, 600,
                                                                 "out/sft/ckpt.pt", 1e-3, 0.8),
    "3 digits, from the SSFT model, the cue, 2000 steps": (3, 0, 200, 2000, "out/sft/ckpt.pt",
                                                           1e-3, 0.8),
    "3 digits, from the SSFT model, the cue, 10x the problems, 2000 steps": (
        3, 0, 2000, 2000, "out/sft/ckpt.pt", 1e-3, 0.8),
    # ... or dropout while the evaluator trains (against memorising the few pairs the cue
    # leaves), at the cue's 200 problems
    "3 digits, from the SSFT model, the cue, dropout 0.1": (3, 0, 200, 600, "out/sft/ckpt.pt",
                                                            1e-3, 0.8, 0.1),
    # ... or another objective beside or instead of the margin: Cobbe et al.'s language-model
    # loss on the correct solutions (which here is copying the planted answer into the boxed
    # one: the comparison's first half), or CE on the label word (no pair the cue satisfies
    # leaves the loss)
    "3 digits, from the SSFT model, the cue, LM loss (weight 1)": (
        3, 0, 200, 600, "out/sft/ckpt.pt", 1e-3, 0.8, 0.0, ("--lm_weight", "1")),
    "3 digits, from the SSFT model, the cue, CE": (
        3, 0, 200, 600, "out/sft/ckpt.pt", 1e-3, 0.8, 0.0, ("--loss", "ce")),
}


FIELDS = ("digits", "filler", "n_problems", "steps", "start", "lr", "shortcut", "dropout",
          "flags")


def setting_fields(setting):
    """A SETTINGS value as a dict of FIELDS (no cue, no dropout and the margin recipe's own
    flags when it does not say)."""
    return dict(zip(FIELDS, (*setting, 0.0, 0.0, ())[:len(FIELDS)]))


def evaluator_args(steps, lr, seed=0, flags=()):
    """train_verifier.py's flags for a tiny run: its margin recipe (or what `flags` change,
    e.g. ("--lm_weight", "1")), 16 pairs a step, the pairs' order seeded by 1337 + seed."""
    return train_verifier_args(["--no_progress", "--max_steps", str(steps), "--lr", str(lr),
                                "--min_lr", str(lr / 10), "--batch_size", "16",
                                "--warmup_steps", "5", "--device", "cpu", "--seed",
                                str(1337 + seed), *flags])


def run(setting, planted=True, seed=0):
    """Held-out distinct-text pair accuracy of a margin evaluator trained in the world of
    `setting` (a SETTINGS value), with the gold planted (or not: the same candidates, nothing
    to learn). seed: the training's (a scratch model's initialisation, the pairs' order); the
    world is the same for every seed."""
    f = setting_fields(setting)
    train = guessing_world(f["n_problems"], 0, f["digits"], f["filler"], f["shortcut"])
    val = guessing_world(60, 1, f["digits"], f["filler"])
    if planted:
        train, val = plant_answers(train, "end"), plant_answers(val, "end")
    torch.manual_seed(seed)
    if f["start"] == "scratch":
        tok = train_tokenizer([generator_prompt(c["problem"]) + generator_target(c["solution"])
                               for c in train[:800]], 400)
        model = GPT(GPTConfig(block_size=256, vocab_size=tok.get_vocab_size(), n_layer=2,
                              n_head=4, n_embd=64, bias=False))
    else:
        model, tok, _ = load_run(f["start"])
    model.set_dropout(f["dropout"])
    train_evaluator(model, tok, train, evaluator_args(f["steps"], f["lr"], seed, f["flags"]))
    return distinct_pair_accuracy(val, evaluate(model, tok, val)[1])


def spread(row):
    """' (mean of seeds: a, b, c)' when a setting ran with several training seeds."""
    runs = row.get("runs", [])
    return f" (mean of seeds: {', '.join(f'{a:.2f}' for a in runs)})" if len(runs) > 1 else ""


def render(saved):
    lines = ["| setting | digits | filler words | cue | training problems (x 4) | steps | model | "
             "lr | dropout | recipe | distinct-pair accuracy (held out) | s |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in saved["rows"]:
        model = "2x64, from scratch" if r["start"] == "scratch" else r["start"]
        cue = f"{r.get('shortcut', 0):.0%}" if r.get("shortcut") else "-"
        lines.append(f"| {r['name']} | {r['digits']} | {r['filler']} | {cue} | "
                     f"{r['n_problems']:,} | {r['steps']:,} | {model} | {r['lr']:g} | "
                     f"{r.get('dropout', 0):g} | {' '.join(r.get('flags', [])) or 'margin'} | "
                     f"{r['distinct']:.3f}{spread(r)} "
                     f"({r['n_pairs']} pairs) | {r['seconds']:.0f} |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_sweep_flags(p, SETTINGS, None, "results/planted_world.json", "(none)")
    p.add_argument("--seeds", type=int, default=1,
                   help="training seeds per setting (0, 1, ...): a setting already run with "
                        "fewer gets the missing ones, its figure their mean")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    saved = read_json(args.out, {"rows": []})
    for name in [] if args.render else args.settings:
        row = next((r for r in saved["rows"] if r["name"] == name), None)
        runs = list(row.get("runs", [row["distinct"]])) if row and not args.rerun else []
        if len(runs) >= args.seeds:
            continue
        t0, n = time.time(), row["n_pairs"] if row else 0
        for seed in range(len(runs), args.seeds):  # seed 0 first: the table's single runs
            acc, n = run(SETTINGS[name], seed=seed)
            runs.append(acc)
        # one run's seconds: the first seed's, as measured when the setting was first run
        seconds = row["seconds"] if row and not args.rerun else round(
            (time.time() - t0) / len(runs), 1)
        saved["rows"] = [r for r in saved["rows"] if r["name"] != name] + [
            {"name": name, **setting_fields(SETTINGS[name]),
             "distinct": sum(runs) / len(runs), "runs": runs, "n_pairs": n,
             "seconds": seconds}]
        saved["rows"].sort(key=lambda r: list(SETTINGS).index(r["name"]))
        write_json(args.out, saved)
        print(render({"rows": [r for r in saved["rows"] if r["name"] == name]}).split("\n")[-1],
              flush=True)
    print(render(saved))
    return saved


if __name__ == "__main__":
    main()
