"""data/: loaders on fixture files, the synthetic generator, tokenizer, masks and batching."""
import json
import os
import random
import re

import pytest

from data import (DataError, EOS, LABEL_WORDS, bucket_batches, collate, decode, encode,
                  encode_example, encode_generator_examples, eos_id, generator_prompt,
                  generator_target, label_token_ids, left_pad, load_dataset, load_tokenizer,
                  train_tokenizer)
from data import N_FRESH, N_TEST, N_TRAIN, N_VAL, load_splits, world
from grade import extract_answer, is_equiv
from maths_key import maths_key


# --- real-data loaders on files the tests write ---------------------------------------------

def write_math(root):
    for subject, items in {
        "algebra": [{"problem": "Solve $x+1=3$.", "level": "Level 2", "type": "Algebra",
                     "solution": r"So $x=\boxed{2}$."},
                    {"problem": "No box.", "level": "Level 1", "type": "Algebra",
                     "solution": "The answer is two."}],
        "geometry": [{"problem": "Area?", "level": "Level ?", "type": "Geometry",
                      "solution": r"It is $\boxed{\frac{1}{2}}$."}],
    }.items():
        os.makedirs(root / "test" / subject)
        for i, item in enumerate(items):
            (root / "test" / subject / f"{i}.json").write_text(json.dumps(item))


def test_math_layout(tmp_path):
    write_math(tmp_path)
    reports = []
    rows = load_dataset(str(tmp_path), "test", report=reports.append)
    assert [r["answer"] for r in rows] == ["2", r"\frac{1}{2}"]
    assert rows[0]["level"] == 2 and rows[0]["type"] == "Algebra" and rows[0]["id"] == "algebra/0"
    assert rows[1]["level"] is None and rows[1]["type"] == "Geometry"
    assert set(rows[0]) == {"problem", "solution", "answer", "level", "type", "id"}
    assert reports and "1 (no boxed answer)" in reports[0]  # skipped, counted, reported


def test_math_layout_broken_file_names_the_file(tmp_path):
    write_math(tmp_path)
    (tmp_path / "test" / "algebra" / "5.json").write_text("{oops")
    with pytest.raises(DataError, match=r"algebra/5\.json: not valid JSON"):
        load_dataset(str(tmp_path), "test")
    (tmp_path / "test" / "algebra" / "5.json").write_text(json.dumps({"problem": "p"}))
    with pytest.raises(DataError, match=r"5\.json: missing field 'solution'"):
        load_dataset(str(tmp_path), "test")


def test_math500_jsonl(tmp_path):
    rows = [{"problem": "p1", "solution": r"\boxed{3}", "answer": "3", "subject": "Algebra",
             "level": 3, "unique_id": "test/algebra/1.json"},
            {"problem": "p2", "solution": r"so \boxed{(1,2)}", "subject": "Precalculus", "level": 5}]
    (tmp_path / "test.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    got = load_dataset(str(tmp_path), "test")
    assert got[0] == {"problem": "p1", "solution": r"\boxed{3}", "answer": "3", "level": 3,
                      "type": "Algebra", "id": "test/algebra/1.json"}
    assert got[1]["answer"] == "(1,2)" and got[1]["type"] == "Precalculus"
    assert load_dataset(str(tmp_path / "test.jsonl"), "train")[1]["level"] == 5  # a plain file


def test_gsm8k_jsonl(tmp_path):
    row = {"question": "Tom has 3 bags of 4 apples. How many?",
           "answer": "He has 3*4=<<3*4=12>>12 apples.\n#### 1,200"}
    (tmp_path / "train.jsonl").write_text(json.dumps(row) + "\n")
    (r,) = load_dataset(str(tmp_path), "train")
    assert r["problem"] == row["question"] and r["answer"] == "1200"
    assert "<<" not in r["solution"] and "3*4=12 apples" in r["solution"]
    assert extract_answer(r["solution"]) == "1200" and r["type"] == "GSM8K"


@pytest.mark.parametrize("content,match", [
    ('{"problem": "p", "solution": "\\\\boxed{1}"}\n{broken\n', r"bad\.jsonl:2: not valid JSON"),
    ('{"problem": "p"}\n', r"bad\.jsonl:1: missing field 'solution'"),
    ('{"question": "q"}\n', r"bad\.jsonl:1: missing field 'answer'"),
    ('{"question": "q", "answer": "no final line"}\n', r"bad\.jsonl:1: GSM8K answer has no"),
    ('{"problem": "p", "solution": "no box"}\n', r"bad\.jsonl:1: no 'answer' field"),
    ('{"problem": "p", "solution": "\\\\boxed{1}", "level": "Level 9"}\n', r"bad\.jsonl:1: level"),
    ("\n\n", r"no usable rows"),
    ("[1, 2]\n", r"bad\.jsonl:1: expected a JSON object"),
])
def test_bad_jsonl_errors_name_file_and_line(tmp_path, content, match):
    f = tmp_path / "bad.jsonl"
    f.write_text(content)
    with pytest.raises(DataError, match=match):
        load_dataset(str(f), "test")


def test_missing_source_and_split_errors(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_dataset(str(tmp_path / "nope"), "test")
    with pytest.raises(DataError, match="no val.jsonl"):
        load_dataset(str(tmp_path), "val")
    with pytest.raises(DataError, match="split 'dev'"):
        load_dataset("synthetic", "dev")


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_load_splits_holds_out_val_and_refuses_a_single_file(tmp_path):
    rows = [{"problem": f"p{i}", "solution": f"\\boxed{{{i}}}"} for i in range(10)]
    write_jsonl(tmp_path / "train.jsonl", rows)
    write_jsonl(tmp_path / "test.jsonl", rows[:3])
    reports = []
    s = load_splits(str(tmp_path), n_val=4, report=reports.append)
    # no val split: the last 4 training rows are val, and train no longer holds them
    assert [r["problem"] for r in s["val"]] == ["p6", "p7", "p8", "p9"]
    assert [r["problem"] for r in s["train"]] == [f"p{i}" for i in range(6)]
    assert len(s["test"]) == 3 and "held out as val" in reports[0]
    with pytest.raises(DataError, match="too few to hold out --n_val 10"):
        load_splits(str(tmp_path), n_val=10)
    write_jsonl(tmp_path / "val.jsonl", rows[:2])  # a val split of its own is used as it is
    s = load_splits(str(tmp_path), n_val=4)
    assert len(s["val"]) == 2 and len(s["train"]) == 10
    with pytest.raises(DataError, match="single file would serve as train, val and test"):
        load_splits(str(tmp_path / "train.jsonl"))
    s = load_splits(str(tmp_path), n_val=4, n_fresh=3)  # fresh: the last rows left after val
    assert [r["problem"] for r in s["fresh"]] == ["p7", "p8", "p9"] and len(s["train"]) == 7
    s = load_splits("synthetic", n_train=40, n_val=5, n_test=7)
    assert [len(s[k]) for k in ("train", "val", "test")] == [40, 5, 7] and s["fresh"] == []
    assert s["test"] == load_dataset("synthetic", "test", n_train=40, n_val=5, n_test=7)


# --- the synthetic generator --------------------------------------------------------------

@pytest.fixture(scope="module")
def splits():
    return world.make_splits(n_train=3000, n_val=100, n_test=300, seed=0)


def test_generator_is_deterministic_and_seeded():
    a = world.make_splits(50, 10, 10, seed=3)
    b = world.make_splits(50, 10, 10, seed=3)
    c = world.make_splits(50, 10, 10, seed=4)
    assert a == b and a["train"] != c["train"]


def assert_no_problem_in_two_splits(splits):
    """The independent canonicalisation (tests/maths_key.py) and the generator's content key
    both find every problem in one split only."""
    seen = {}
    for name, rows in splits.items():
        for r in rows:
            k = maths_key(r)
            assert seen.setdefault(k, (name, r["problem"]))[0] == name, (r["problem"], name, seen[k])
            assert seen.setdefault(r["key"], (name, r["problem"]))[0] == name


@pytest.mark.parametrize("sizes", [(600, 70, 70, 140), (N_TRAIN, N_VAL, N_TEST, N_FRESH)])
def test_splits_are_disjoint_in_content_and_stratified(sizes):
    n_train, n_val, n_test, n_fresh = sizes
    splits = world.make_splits(n_train, n_val, n_test, seed=0, n_fresh=n_fresh)
    assert [len(splits[k]) for k in ("train", "val", "test", "fresh")] == list(sizes)
    assert_no_problem_in_two_splits(splits)
    stats = world.key_stats(splits)
    # val, test and fresh: one row per problem, even to the independent eye
    for name, n in (("val", sizes[1]), ("test", sizes[2]), ("fresh", sizes[3])):
        assert stats[name]["keys"] == n and len({maths_key(r) for r in splits[name]}) == n
    # stratified: every (subject, level) cell has an equal share of test and val, give or take
    # one; inside a cell, test, val and train rows are split equally among the subject's kinds
    for name in ("test", "val"):
        per_cell = stats[name]["cells"].values()
        assert len(per_cell) == 35 and max(per_cell) - min(per_cell) <= 1
    for name in ("test", "val", "train"):
        rows = {}
        for r in splits[name]:
            rows.setdefault((r["type"], r["level"]), []).append(r["kind"])
        for (subject, level), kinds in rows.items():
            counts = [kinds.count(k) for k in world.KINDS[subject]]
            assert max(counts) - min(counts) <= 1, (name, subject, level, counts)


def test_default_sizes_leave_room():
    """The issue's floor for the defaults: 8000 distinct training problems, none of the 35
    (subject, level) cells under 100, 3200 fresh; a world of at least 20,000 problems."""
    stats = world.key_stats(world.make_splits(N_TRAIN, N_VAL, N_TEST, 0, N_FRESH))
    assert stats["train"]["keys"] >= 8000 and stats["train"]["min_keys_per_cell"] >= 100
    assert stats["fresh"]["keys"] == N_FRESH >= 2000 and N_VAL == N_TEST == 500
    total, per = world.world_size()
    assert total >= 20000 and min(per.values()) >= 10


def test_fresh_split_is_disjoint_and_leaves_the_other_splits_as_they_are():
    plain = world.make_splits(600, 40, 70, seed=0)
    with_fresh = world.make_splits(600, 40, 70, seed=0, n_fresh=70)
    assert plain["fresh"] == [] and len(with_fresh["fresh"]) == 70
    # fresh is drawn last: test, val and train are the same with or without it
    assert all(with_fresh[k] == plain[k] for k in ("test", "val", "train"))
    assert with_fresh == world.make_splits(600, 40, 70, seed=0, n_fresh=70)  # deterministic
    assert_no_problem_in_two_splits(with_fresh)
    assert {r["id"].split("/")[1] for r in with_fresh["fresh"]} == {"fresh"}


def test_content_key_agrees_with_the_independent_canonicalisation():
    """Both ways, over many draws of every kind and level: one independent key -> one content
    key (the generator knows every symmetry the independent reading finds: commutative
    operands, the order of roots, gcd(a, b) = gcd(b, a), ...), and the surface forms of one
    drawn problem (phrasing, letter, names, method) -> one independent key."""
    rng = random.Random(0)
    by_maths = {}
    for kind in world.ALL_KINDS:
        for level in range(1, 6):
            for _ in range(150):
                key, raw = world.draw(rng, kind, level)
                forms = [world.dress(rng, kind, level, key, raw) for _ in range(3)]
                maths = {maths_key(f) for f in forms}
                assert len(maths) == 1, [f["problem"] for f in forms]
                k = maths.pop()
                assert by_maths.setdefault(k, (key, raw[0]))[0] == key, (raw[0], by_maths[k][1])


def test_commutative_twins_share_a_key():
    """The twins an earlier content key missed: operand order of +, x, gcd, lcm, sums of
    fractions, and a ratio's object names."""
    def key_of(kind, problem, answer):
        return maths_key({"kind": kind, "problem": problem, "answer": answer})
    twins = [("number_theory", "Find the remainder when $6 \\times 5$ is divided by $2$.",
              "Find the remainder when $5 \\times 6$ is divided by $2$.", "0"),
             ("arithmetic", "Evaluate $7 + 8 + 3$.", "Evaluate $8 + 3 + 7$.", "18"),
             ("arithmetic", "Compute $7 - 3 + 2$.", "What is $2 + 7 - 3$?", "6"),
             ("fractions", "Compute $\\frac{6}{7} + \\frac{2}{7}$.",
              "What is $\\frac{2}{7} + \\frac{6}{7}$?", "\\frac{8}{7}"),
             ("number_theory", "What is the greatest common divisor of $12$ and $8$?",
              "Find the greatest common factor of $8$ and $12$.", "4")]
    for kind, a, b, ans in twins:
        assert key_of(kind, a, ans) == key_of(kind, b, ans), (a, b)
    assert key_of("number_theory", "What is the least common multiple of $12$ and $8$?", "24") != \
        key_of("number_theory", "What is the greatest common divisor of $12$ and $8$?", "24")
    assert key_of("arithmetic", "Compute $7 - 3$.", "4") != key_of("arithmetic", "Compute $3 - 7$.", "4")
    # the generator's keys: twins drawn apart meet in one key
    rng, keys, orders = random.Random(1), {}, {}
    for _ in range(3000):
        key, raw = world.draw(rng, "number_theory", 2)  # gcd(a, b)
        nums = tuple(re.findall(r"\$(\d+)\$", raw[0]))
        assert keys.setdefault(tuple(sorted(nums)), key) == key
        orders.setdefault(tuple(sorted(nums)), set()).add(nums)
    assert sum(len(o) == 2 for o in orders.values()) >= 5  # both orders drawn, one key


def test_a_cell_without_enough_problems_is_an_error():
    with pytest.raises(ValueError, match=r"cell \('.*', \d\) has no new problem left for test"):
        world.make_splits(100, 10, 35 * 1000, seed=0)


def test_subjects_levels_and_method_diversity(splits):
    rows = splits["train"]
    assert {r["kind"] for r in rows} == set(world.ALL_KINDS)
    assert {(r["type"], r["level"]) for r in rows} == set(world.CELLS)  # MATH's 7 x 5
    assert len(world.SUBJECTS) == 7 and all(len(k) >= 2 for k in world.KINDS.values())
    for kind in world.ALL_KINDS:  # every type has at least two methods in use
        assert len({r["method"] for r in rows if r["kind"] == kind}) >= 2, kind


def test_every_answer_extractable_and_self_equal(splits):
    for rows in splits.values():
        for r in rows:
            assert is_equiv(r["answer"], r["answer"])
            for style in ("detailed", "terse"):
                assert is_equiv(extract_answer(r[style]), r["answer"]), (style, r[style])


def test_answers_are_mathematically_right():
    """Check answers through an independent path: grade.py's parser on the problem's own LaTeX."""
    import random
    import sympy
    from grade import canonical
    rng = random.Random(1)
    for _ in range(40):
        for kind in ("arithmetic", "fractions", "linear", "quadratic"):
            ex = world.make_problem(rng, kind, rng.randint(1, 5))
            latex = ex["problem"].split("$")[-2] if kind != "arithmetic" else ex["problem"].split("$")[1]
            if kind in ("arithmetic", "fractions"):
                assert is_equiv(latex, ex["answer"]), (ex["problem"], ex["answer"])
                continue
            rel = canonical(latex)
            assert rel[0] == "rel" and rel[1] == "="
            roots = canonical(ex["answer"])
            roots = roots[1] if roots[0] == "set" else (roots,)
            (v,) = rel[2].free_symbols  # the variable's letter varies: x, y, n, ...
            for r in roots:
                assert sympy.simplify(rel[2].subs(v, r[1])) == 0, (ex["problem"], ex["answer"])


def as_complex(text):
    """'3 - 2i', '-i', '4i' -> a Python complex."""
    return complex(re.sub(r"(?<!\d)i", "1i", text.replace(" ", "")).replace("i", "j"))


def answer_from_scratch(ex):
    """The answer of a new-subject problem computed from its text by plain Python (or None for
    a kind this does not cover): an independent path to compare the generator with."""
    import math
    from fractions import Fraction
    p, kind = ex["problem"], ex["kind"]
    nums = [int(n) for n in re.findall(r"-?\d+", p)]
    if kind == "rounding":
        x = Fraction(re.search(r"\$([\d.]+)\$", p).group(1))
        place = {"tenth": Fraction(1, 10), "ten": 10, "hundred": 100}[p.split("nearest ")[1][:-1]]
        q = math.floor(x / place + Fraction(1, 2)) * place
        return f"{float(q):.1f}" if place < 1 else str(int(q))
    if kind == "lists":
        first, second, last = nums[0], nums[1], nums[-1]
        return str((last - first) // (second - first) + 1)
    if kind == "coordinates":
        (x1, y1), (x2, y2) = [tuple(map(int, t)) for t in re.findall(r"\((-?\d+), (-?\d+)\)", p)]
        if "midpoint" in p:
            return f"({(x1 + x2) // 2}, {(y1 + y2) // 2})"
        return str(round(math.dist((x1, y1), (x2, y2))))
    if kind == "digits":
        if "divisors" in p:
            return str(sum(nums[0] % d == 0 for d in range(1, nums[0] + 1)))
        if "base" in p:
            n, b = nums
            out = ""
            while n:
                out, n = str(n % b) + out, n // b
            return f"{out}_{b}"
        if "remainder" in p:
            return str(nums[0] % nums[1])
        if "^" in p:
            return str(pow(nums[0], nums[1], 10))
        return str((math.prod(nums) if "times" in p else sum(nums)) % 10)
    if kind == "counting":
        if "committee" in p:
            m, n, a, b = nums
            return str(math.comb(m, a) * math.comb(n, b))
        if "president" in p:
            return str(math.perm(nums[0], 3 if "treasurer" in p else 2))
        if "chosen from a group" in p:
            return str(math.comb(nums[1], nums[0]))
        return str(math.prod(nums))
    if kind == "probability":
        bag = re.findall(r"\$(\d+)\$ (\w+)", p)  # (count, colour) in the order listed
        counts, colours = [int(c) for c, _ in bag], [colour for _, colour in bag]
        asked = re.search(r"(?:it is|both are) (not )?(\w+)\?", p)
        r, n = counts[colours.index(asked.group(2))], sum(counts)
        if "without replacement" in p:
            q = Fraction(r * (r - 1), n * (n - 1))
        elif "with replacement" in p:
            q = Fraction(r * r, n * n)
        else:
            q = 1 - Fraction(r, n) if asked.group(1) else Fraction(r, n)
        return str(q.numerator) if q.denominator == 1 else f"\\frac{{{q.numerator}}}{{{q.denominator}}}"
    if kind == "complex_trig" and "i" in p and "\\" not in p:
        if "^{" in p:
            return ["1", "i", "-1", "-i"][nums[0] % 4]
        zs = [as_complex(z) for z in re.findall(r"\(([^()]*)\)", p)]
        v = zs[0] * zs[0] if "^2" in p else (zs[0] + zs[1] if "+ (" in p else zs[0] * zs[1])
        return complex(v)
    return None


def test_new_subject_answers_from_scratch():
    """Every kind whose answer plain Python can recompute from the problem's text agrees with
    the generator, over every level."""
    from grade import is_equiv
    rng, checked = random.Random(5), {}
    for kind in ("rounding", "lists", "coordinates", "digits", "counting", "probability",
                 "complex_trig"):
        for level in range(1, 6):
            for _ in range(40):
                ex = world.make_problem(rng, kind, level)
                want = answer_from_scratch(ex)
                if want is None:
                    continue
                if isinstance(want, complex):
                    assert as_complex(ex["answer"]) == want, (ex["problem"], ex["answer"], want)
                else:
                    assert is_equiv(ex["answer"], want), (ex["problem"], ex["answer"], want)
                checked[kind] = checked.get(kind, 0) + 1
    assert set(checked) == {"rounding", "lists", "coordinates", "digits", "counting",
                            "probability", "complex_trig"} and min(checked.values()) >= 40


def test_detailed_is_longer_than_terse(splits):
    d = sum(len(r["detailed"]) for r in splits["test"])
    t = sum(len(r["terse"]) for r in splits["test"])
    assert d > 1.5 * t


def test_load_dataset_synthetic_styles():
    d = load_dataset("synthetic", "test", style="detailed", n_train=20, n_val=5, n_test=5)
    t = load_dataset("synthetic", "test", style="terse", n_train=20, n_val=5, n_test=5)
    assert [r["problem"] for r in d] == [r["problem"] for r in t]
    assert all(a["solution"] != b["solution"] for a, b in zip(d, t))
    assert [r["answer"] for r in d] == [r["answer"] for r in t]
    with pytest.raises(DataError, match="--style"):
        load_dataset("synthetic", "test", style="fancy")


# --- tokenizer ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tok():
    rows = load_dataset("synthetic", "train", n_train=500, n_val=5, n_test=5)
    return train_tokenizer([generator_prompt(r["problem"]) + generator_target(r["solution"])
                            for r in rows], vocab_size=512)


def test_tokenizer_digits_eos_labels_round_trip(tok, tmp_path):
    assert [decode(tok, [i]) for i in encode(tok, "12345")] == list("12345")
    text = r"Compute $\frac{3}{4} + 12$."
    assert decode(tok, encode(tok, text)) == text
    assert tok.token_to_id(EOS) == eos_id(tok)
    c, i = label_token_ids(tok)
    assert [encode(tok, w) for w in LABEL_WORDS] == [[c], [i]] and c != i
    tok.save(str(tmp_path / "tokenizer.json"))
    again = load_tokenizer(str(tmp_path))
    assert encode(again, text) == encode(tok, text)


def test_gpt2_style_vocab_and_merges(tok, tmp_path):
    tok.model.save(str(tmp_path))  # writes vocab.json + merges.txt, as GPT-2 ships them
    assert os.path.isfile(tmp_path / "vocab.json") and os.path.isfile(tmp_path / "merges.txt")
    t2 = load_tokenizer(str(tmp_path))
    assert decode(t2, encode(t2, "Problem: x + 1 = 2")) == "Problem: x + 1 = 2"
    with pytest.raises(FileNotFoundError, match="no tokenizer.json"):
        load_tokenizer(str(tmp_path / "empty") if os.makedirs(tmp_path / "empty") is None else "")


# --- masks and batching -------------------------------------------------------------------

def test_supervised_tokens_are_exactly_solution_plus_eos(tok):
    prompt, target = generator_prompt("What is $2+2$?"), generator_target(r"$2+2=\boxed{4}$")
    ids, mask = encode_example(tok, prompt, target, block_size=256)
    sup = [i for i, m in zip(ids, mask) if m]
    assert sup[-1] == eos_id(tok) and ids[-1] == eos_id(tok)
    assert decode(tok, sup[:-1]) == target
    assert decode(tok, [i for i, m in zip(ids, mask) if not m]) == prompt
    with pytest.raises(ValueError, match="longer than the context"):
        encode_example(tok, prompt, target, block_size=10, name="ex7")


def test_collate_masks_prompt_and_padding_but_trains_eos(tok):
    exs = [encode_example(tok, generator_prompt(p), generator_target(s), 256)
           for p, s in [("a", "b"), ("What is $1+1$?", r"It is $\boxed{2}$, done.")]]
    eos = eos_id(tok)
    b = collate(exs, pad_id=eos)
    B, T = b["x"].shape
    assert T % 8 == 0 and B == 2
    for i, (ids, mask) in enumerate(exs):
        n = len(ids) - 1
        assert b["x"][i, :n].tolist() == ids[:-1]
        want = [t if m else -100 for t, m in zip(ids[1:], mask[1:])]
        assert b["y"][i, :n].tolist() == want
        assert (b["y"][i, n:] == -100).all() and (b["x"][i, n:] == eos).all()
        assert b["attention_mask"][i].sum() == n
        assert b["y"][i, n - 1] == eos  # the real EOS is trained although pad == EOS


def test_encode_generator_examples_skip_long_counts(tok):
    rows = [{"problem": "p", "solution": "s", "id": "a"},
            {"problem": "p " * 300, "solution": "s", "id": "long1"}]
    with pytest.raises(ValueError, match="long1"):
        encode_generator_examples(tok, rows, 64)
    msgs = []
    out = encode_generator_examples(tok, rows, 64, skip_long=True, report=msgs.append)
    assert len(out) == 1 and any("skipped 1 of 2" in m for m in msgs)


@pytest.mark.parametrize("kw", [dict(batch_size=7), dict(max_tokens=300)])
def test_bucketing_keeps_every_example_once(kw):
    import random
    lengths = [random.Random(i).randint(5, 100) for i in range(1000)]
    batches = bucket_batches(lengths, seed=1, **kw)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(1000))
    assert batches == bucket_batches(lengths, seed=1, **kw)
    assert batches != bucket_batches(lengths, seed=2, **kw)
    if "max_tokens" in kw:
        assert all(max(lengths[i] for i in b) * len(b) <= 300 or len(b) == 1 for b in batches)
    # bucketed: the padding waste is well below that of random batches of the same sizes
    waste = lambda bs: sum(max(lengths[i] for i in b) * len(b) - sum(lengths[i] for i in b)
                           for b in bs)
    rand = list(range(1000))
    random.Random(0).shuffle(rand)
    sizes, plain, s = [len(b) for b in batches], [], 0
    for n in sizes:
        plain.append(rand[s:s + n])
        s += n
    assert waste(batches) < 0.6 * waste(plain)


def test_left_pad():
    idx, mask = left_pad([[1, 2, 3], [4]], pad_id=0)
    assert idx.tolist() == [[1, 2, 3], [0, 0, 4]] and mask.tolist() == [[1, 1, 1], [0, 0, 1]]


def test_cycling_batches_cover_each_pass_and_repeat_deterministically():
    import random
    from data import cycling_batches
    nb = cycling_batches(10, 4, random.Random(0))
    got = [nb() for _ in range(5)]  # 20 indices = two full passes over 10 items
    flat = [i for b in got for i in b]
    assert all(len(b) == 4 for b in got)
    assert sorted(flat[:10]) == list(range(10)) and sorted(flat[10:]) == list(range(10))
    again = cycling_batches(10, 4, random.Random(0))
    assert [again() for _ in range(5)] == got


# sha256 (first 16 hex digits) of the default splits and of a pretraining corpus draw, computed
# before data/world.py became the data/world package: the move must change no problem
SPLITS_DIGEST = {"detailed": "c34293d67b439af9", "terse": "40e8b38eba90e974"}
CORPUS_DIGEST = "2a39294d27a7fc6d"  # pretraining_corpus(3000, the default held-out keys)


def test_default_splits_and_corpus_are_the_ones_committed():
    """Every problem, solution, answer, level, subject and id of the default splits (both
    styles, fresh problems included), and the pretraining corpus's texts, hash to the values
    computed before the world's code was reorganised."""
    import hashlib
    for style, want in SPLITS_DIGEST.items():
        s = load_splits("synthetic", style=style, n_train=N_TRAIN, n_val=N_VAL, n_test=N_TEST,
                        seed=0, report=lambda *a: None, n_fresh=N_FRESH)
        h = hashlib.sha256()
        for name in ("train", "val", "test", "fresh"):
            for r in s[name]:
                h.update(json.dumps([name, r["id"], r["problem"], r["solution"], r["answer"],
                                     r["level"], r["type"]]).encode())
        assert h.hexdigest()[:16] == want, style
    made = world.make_splits(N_TRAIN, N_VAL, N_TEST, 0, N_FRESH)
    held = {r["key"] for s in ("val", "test", "fresh") for r in made[s]}
    texts, _ = world.pretraining_corpus(3000, held)
    assert hashlib.sha256(json.dumps(texts).encode()).hexdigest()[:16] == CORPUS_DIGEST
