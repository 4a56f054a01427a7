"""
The splits: the default sizes, train / val / test / fresh problems drawn evenly over (subject,
level) cells with no content key in two splits, and the tables docs/data.md shows.
"""
import random

from .problems import draw, dress, make_problem
from .registry import ALL_KINDS, KINDS, SUBJECT, SUBJECTS


# The default split sizes, in one place (data.sources and every script's flags read them):
# training rows (small kinds repeat their problems, so rows outnumber distinct problems), val
# and test problems, fresh ones for the evaluator and step 3; what they hold:
# python -m data.world --stats.
N_TRAIN, N_VAL, N_TEST, N_FRESH = 12500, 500, 500, 3200


def shares(n, cells, rng):
    """n rows spread evenly over the cells; the remainder goes to randomly chosen cells."""
    out = dict.fromkeys(cells, n // len(cells))
    for c in rng.sample(cells, n % len(cells)):
        out[c] += 1
    return out


MISSES = 200  # draws in a row without a new key before a cell counts as exhausted


CELLS = [(s, lv) for s in SUBJECTS for lv in range(1, 6)]  # (subject, level), as MATH reports


def split_slots(n, rng):
    """(kind, level) of each of a split's n rows, in the order they are drawn: every (subject,
    level) cell's equal share, divided equally among the subject's kinds, the kinds taking
    turns (each in proportion to its share) so that kinds whose number ranges overlap divide
    their common keys evenly."""
    slots = []
    for (subject, level), q in shares(n, CELLS, rng).items():
        for kind, k in shares(q, list(KINDS[subject]), rng).items():
            slots += [((j + rng.random()) / k, kind, level) for j in range(k)]
    return [(kind, level) for _, kind, level in sorted(slots)]


def lenders(kind, level, split, rng):
    """Who lends a row when (kind, level) has no new problem left for `split`: another kind of
    the same cell (train, fresh), and for fresh also any level of the subject; nobody for test
    and val, which must find their own."""
    kinds = list(KINDS[SUBJECT[kind]])
    out = [(k, level) for k in rng.sample(kinds, len(kinds))]
    if split == "fresh":
        out += rng.sample([(k, lv) for k in kinds for lv in range(1, 6) if lv != level],
                          len(kinds) * 4)
    return out if split in ("fresh", "train") else []


def make_splits(n_train, n_val, n_test, seed=0, n_fresh=0):
    """train/val/test (and fresh), disjoint in content: every content key (content_key)
    belongs to one split, so no split holds another's mathematics under a new phrasing,
    letter or operand order. `fresh` (n_fresh problems, none by default) are problems the
    generator never trains on, for the evaluator's candidates and step 3; drawn last, so test,
    val and train are the same with or without them.

    Every (subject, level) cell gives each split an equal share of its rows (stratified), and
    splits it equally among the subject's kinds, so every split has the same mix of kinds.
    Test and val take one row per new key; train takes new keys too, and a (kind, level) with
    no new keys left (MISSES draws in a row found none) repeats its own training keys in new
    surface forms (phrasing, letter, method): more text, never more mathematics, and the same
    mix of kinds as test. Fresh takes what is left, one row per new key; a kind with none left
    lends its fresh share to another kind of its cell, or of its subject at another level. A
    kind too small for its test or val share is an error."""
    rng = random.Random(seed)
    owner = {}  # content key -> split: a key is drawn once, for one split
    train_raw = {}  # (kind, level) -> [(key, raw)] of its training problems
    exhausted = set()
    splits = {}

    def new_key(kind, level, split):
        """A (key, raw) of this kind and level never drawn before, or None if none is left."""
        if (kind, level) not in exhausted:
            for _ in range(MISSES):
                key, raw = draw(rng, kind, level)
                if key not in owner:
                    owner[key] = split
                    return key, raw
            exhausted.add((kind, level))
        return None

    def row(kind, level, split):
        """(kind, level, key, raw) of one row of this split."""
        got = new_key(kind, level, split)
        if got is not None:
            if split == "train":
                train_raw.setdefault((kind, level), []).append(got)
            return (kind, level) + got
        if split == "train" and train_raw.get((kind, level)):
            return (kind, level) + rng.choice(train_raw[(kind, level)])
        for other, lv in lenders(kind, level, split, rng):
            got = new_key(other, lv, split)
            if got is not None:
                return (other, lv) + got
        raise ValueError(f"cell ({kind!r}, {level}) has no new problem left for {split}: widen "
                         "its number ranges or ask for fewer problems (--n_test, --n_val, "
                         "--n_fresh)")

    for split, n in (("test", n_test), ("val", n_val), ("train", n_train), ("fresh", n_fresh)):
        rows = [dress(rng, *row(kind, level, split)) for kind, level in split_slots(n, rng)]
        rng.shuffle(rows)
        for i, ex in enumerate(rows):
            ex["id"] = f"synthetic/{split}/{i}"
        splits[split] = rows
    return {k: splits[k] for k in ("train", "val", "test", "fresh")}


def key_stats(splits):
    """Distinct content keys per split (and rows), overall and per (subject, level) cell."""
    out = {}
    for name, rows in splits.items():
        if not rows:
            continue
        cells = {}
        for r in rows:
            cells.setdefault(f"{r['type']} L{r['level']}", set()).add(r["key"])
        out[name] = {"rows": len(rows), "keys": len({r["key"] for r in rows}),
                     "min_keys_per_cell": min(len(v) for v in cells.values()),
                     "cells": {k: len(v) for k, v in sorted(cells.items())}}
    return out


def world_size(draws=2000, seed=0):
    """Distinct content keys found in `draws` draws of every (kind, level): a lower bound on
    the problems the world holds, per kind and level and in all."""
    rng, per = random.Random(seed), {}
    for kind in ALL_KINDS:
        for level in range(1, 6):
            per[(kind, level)] = {draw(rng, kind, level)[0] for _ in range(draws)}
    total = len(set().union(*per.values()))
    return total, {c: len(v) for c, v in per.items()}


def stats_markdown(n_train, n_val, n_test, n_fresh, seed=0):
    """The tables docs/data.md shows, for the configuration given."""
    total, per = world_size()
    out = [f"World: at least {total} distinct problems (content keys found in 2000 draws of "
           "every kind and level):", "",
           "| kind | subject | " + " | ".join(f"L{lv}" for lv in range(1, 6)) + " |",
           "|---|---|" + "---|" * 5]
    out += [f"| {kind} | {SUBJECT[kind]} | " + " | ".join(str(per[(kind, lv)]) for lv in range(1, 6))
            + " |" for kind in ALL_KINDS]
    stats = key_stats(make_splits(n_train, n_val, n_test, seed, n_fresh))
    out += ["", f"Splits for `--n_train {n_train} --n_val {n_val} --n_test {n_test} --n_fresh "
            f"{n_fresh} --data_seed {seed}` (the scripts' defaults):", "",
            "| split | rows | distinct problems | fewest in a (subject, level) cell |",
            "|---|---|---|---|"]
    out += [f"| {name} | {v['rows']} | {v['keys']} | {v['min_keys_per_cell']} |"
            for name, v in stats.items()]
    out += ["", "| subject | " + " | ".join(f"train L{lv}" for lv in range(1, 6)) + " |",
            "|---|" + "---|" * 5]
    out += [f"| {s} | " + " | ".join(str(stats["train"]["cells"].get(f"{s} L{lv}", 0))
                                     for lv in range(1, 6)) + " |" for s in SUBJECTS]
    return "\n".join(out)


def examples_markdown(seed=0, level=3, subjects=None):
    """One problem of each subject (its first kind, at `level`) with both solution styles."""
    rng, out = random.Random(seed), []
    for subject in SUBJECTS:
        ex = make_problem(rng, KINDS[subject][0], level)  # (drawn for all: the same problems)
        if subjects and subject not in subjects:
            continue
        out += [f"**{subject}** (level {level}): {ex['problem']}", "", "```",
                ex["detailed"], "```", f"terse: {ex['terse']}", ""]
    return "\n".join(out).rstrip()
