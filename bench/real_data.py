"""
The real datasets through this project's loaders, grader and tokenizer: row counts, how many
gold answers the grader parses as mathematics (the rest compare as normalised strings: base-n
numbers such as 204_5), every gold answer against the answer extracted from its own solution,
token lengths
of prompt + solution under the BPE train_sft.py would train (1024 tokens, on GSM8K's training
split), and how many examples `train_sft.py --dataset ... --skip_long` drops at each context.

    python -m bench.real_data                         # reads ../shared/data
    python -m bench.real_data --data /path/to/data    # gsm8k/ and math500/ under it

Prints the table docs/grader.md shows. tests/test_real_data.py asserts the same
facts (and skips when the data are absent).
"""
import argparse
import os
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from data import encode, generator_prompt, generator_target, load_dataset, train_tokenizer
from grade import canonical, extract_answer, is_equiv

CONTEXTS = (256, 512, 1024)


def answer_checks(rows):
    """(gold answers parsed as mathematics, gold equals the answer extracted from its own
    solution, of which the two strings differ): counts over rows."""
    parsed = sum(canonical(r["answer"])[0] != "str" for r in rows)
    extracted = [extract_answer(r["solution"]) for r in rows]
    sol_ok = sum(is_equiv(a, r["answer"]) for a, r in zip(extracted, rows))
    differ = sum(a is not None and a.strip() != r["answer"].strip() for a, r in zip(extracted, rows))
    return parsed, sol_ok, differ


def token_lengths(tok, rows):
    """Tokens of prompt + solution, as SSFT trains on them, sorted."""
    return sorted(len(encode(tok, generator_prompt(r["problem"]))) +
                  len(encode(tok, generator_target(r["solution"]))) for r in rows)


def percentile(xs, q):
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    args = p.parse_args(argv)
    t0 = time.time()
    sets = {("gsm8k", "train"): None, ("gsm8k", "test"): None, ("math500", "test"): None}
    for name, split in sets:
        sets[name, split] = load_dataset(os.path.join(args.data, name), split,
                                         report=lambda *a: None)
    train = sets["gsm8k", "train"]
    tok = train_tokenizer([generator_prompt(r["problem"]) + generator_target(r["solution"])
                           for r in train], 1024)
    print("| data | rows | gold parsed as maths | gold = answer of its own solution (strings differ) | "
          "tokens p50 / p90 / max | longer than " + " / ".join(map(str, CONTEXTS)) + " |")
    print("|---|---|---|---|---|---|")
    out = {}
    for (name, split), rows in sets.items():
        parsed, sol_ok, differ = answer_checks(rows)
        lens = token_lengths(tok, rows)
        longer = [sum(n > c for n in lens) for c in CONTEXTS]
        out[name, split] = {"rows": len(rows), "parsed": parsed, "solution": sol_ok,
                            "differ": differ, "longer": longer}
        print(f"| {name} {split} | {len(rows)} | {parsed} | {sol_ok} ({differ}) | "
              f"{percentile(lens, 0.5)} / {percentile(lens, 0.9)} / {lens[-1]} | "
              + " / ".join(map(str, longer)) + " |")
    print(f"\nBPE: 1024 tokens trained on GSM8K train (as train_sft.py --dataset gsm8k would); "
          f"{time.time() - t0:.1f} s in all.")
    return out


if __name__ == "__main__":
    main()
