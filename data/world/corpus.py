"""
The pretraining corpus (pretrain.py): the world's problems with a solution each, every
held-out problem left out by content key.
"""
import random

from .problems import draw, dress
from .registry import ALL_KINDS


def pretraining_corpus(n_docs, held_out, seed=1):
    """Text for pretraining a base model (pretrain.py): n_docs problems of the world, each
    followed by one of its solutions (a detailed method or the terse one, at random), drawn
    uniformly over kinds and levels with their own seed. Any problem whose content key is in
    `held_out` (the validation, test and fresh problems) is skipped, so the base never reads
    a problem that a run is measured on or that the evaluator's candidates come from.
    -> (texts, distinct content keys read)."""
    rng = random.Random(f"pretrain-{seed}")
    cells = [(kind, level) for kind in ALL_KINDS for level in range(1, 6)]
    texts, keys = [], set()
    while len(texts) < n_docs:
        kind, level = rng.choice(cells)
        key, raw = draw(rng, kind, level)
        if key in held_out:
            continue
        row = dress(rng, kind, level, key, raw)
        texts.append(row["problem"] + "\n" + (row["terse"] if rng.random() < 0.25 else row["detailed"]))
        keys.add(key)
    return texts, keys
