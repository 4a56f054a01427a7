"""
Where problems come from. Every loader returns a list of records with the same keys:
    problem, solution, answer, level (int 1-5 or None), type (str or None), id

  load_dataset("synthetic", "train", style="detailed")  the embedded generator (data/world/)
  load_dataset("path/to/MATH", "test")                  MATH's layout: <root>/<split>/<subject>/<n>.json
  load_dataset("path/to/dir", "test")                   <dir>/<split>.jsonl (MATH500 or GSM8K rows)
  load_dataset("path/to/file.jsonl", "test")            one JSONL file, whatever the split
  load_splits(source, ...)                              a run's train/val/test (all scripts)

Bad input raises ValueError naming the file and line (or file and key). Rows skipped on
purpose (a MATH solution with no \\boxed answer) are counted in `skipped` and reported.
"""
import json
import os
import re

from grade import extract_answer
from records import read_jsonl

from . import world
from .world import N_TEST, N_TRAIN, N_VAL  # the default sizes: the world's

SPLITS = ("train", "val", "test", "fresh")
# A real dataset holds out fewer fresh problems (N_FRESH_REAL of its training rows) than the
# synthetic world's N_FRESH: every one held out is a solution the generator does not learn from.
N_FRESH_REAL = 400


class DataError(ValueError):
    pass


def load_dataset(source, split, style="detailed", n_train=N_TRAIN, n_val=N_VAL, n_test=N_TEST,
                 seed=0, report=print, n_fresh=0):
    """The records of one split. `style`, sizes and seed apply to the synthetic source (a real
    dataset's val and fresh splits are cut from its training rows by load_splits)."""
    if split not in SPLITS:
        raise DataError(f"split {split!r}: expected one of {SPLITS}")
    if source == "synthetic":
        return load_splits(source, style, n_train, n_val, n_test, seed, report, n_fresh)[split]
    if not os.path.exists(source):
        raise DataError(f"--dataset {source}: no such file or directory (expected 'synthetic', "
                        "a MATH directory or a JSONL file)")
    skipped = {"no boxed answer": 0}
    if os.path.isfile(source):
        rows = load_jsonl(source)
    elif os.path.isfile(os.path.join(source, f"{split}.jsonl")):
        rows = load_jsonl(os.path.join(source, f"{split}.jsonl"))
    elif os.path.isdir(os.path.join(source, split)):
        rows = load_math_dir(os.path.join(source, split), skipped)
    else:
        raise DataError(f"{source}: no {split}.jsonl and no {split}/ directory (MATH layout)")
    if any(skipped.values()):
        report(f"{source} [{split}]: skipped " + ", ".join(f"{v} ({k})" for k, v in skipped.items() if v))
    if not rows:
        raise DataError(f"{source} [{split}]: no usable rows")
    return rows


def synthetic_records(rows, style):
    """Generator rows -> the common record, with the chosen solution style as 'solution'."""
    return [{"problem": r["problem"], "solution": r[style], "answer": r["answer"],
             "level": r["level"], "type": r["type"], "id": r["id"]} for r in rows]


def load_splits(source, style="detailed", n_train=N_TRAIN, n_val=N_VAL, n_test=N_TEST, seed=0,
                report=print, n_fresh=0):
    """{"train", "val", "test", "fresh"}: the splits of a run. The one place that decides them;
    every script goes through it (load_run_splits for a checkpoint's run), so the evaluator,
    the re-ranker and step 3 see exactly the SSFT run's problems.
    A dataset with no val split (MATH, GSM8K) gives its last n_val training rows as val, and
    train keeps only the rest. `fresh` (n_fresh problems, none by default) is held out of
    training too, for the evaluator's candidates and step 3: drawn apart for the synthetic
    source, the last n_fresh remaining training rows for a real dataset. A single JSONL file is
    refused: it would serve every split, so the model would be tested on what it trained on."""
    if source != "synthetic" and os.path.isfile(source):
        raise DataError(f"--dataset {source}: a single file would serve as train, val and test "
                        "alike; put train.jsonl and test.jsonl (val.jsonl optional) in a "
                        "directory and pass the directory")
    if source == "synthetic":  # generated once, every split together
        if style not in ("detailed", "terse"):
            raise DataError(f"--style {style!r}: expected detailed or terse")
        made = world.make_splits(n_train, n_val, n_test, seed, n_fresh)
        return {k: synthetic_records(made[k], style) for k in SPLITS}
    load = lambda split: load_dataset(source, split, report=report)
    splits = {"train": load("train"), "test": load("test")}
    if any(os.path.exists(os.path.join(source, p)) for p in ("val.jsonl", "val")):
        splits["val"] = load("val")
    else:
        hold_out(splits, "val", n_val, source, report)
    splits["fresh"] = []
    if n_fresh:
        hold_out(splits, "fresh", n_fresh, source, report)
    return {k: splits[k] for k in SPLITS}


def hold_out(splits, name, n, source, report):
    """Move the last n training rows to splits[name] (they are never trained on)."""
    if len(splits["train"]) <= n:
        raise DataError(f"{source}: no {name} split, and its {len(splits['train'])} training "
                        f"rows are too few to hold out --n_{name} {n}")
    splits[name], splits["train"] = splits["train"][-n:], splits["train"][:-n]
    report(f"{source}: the last {n} training rows are held out as {name}")


# the run-config keys that decide which problems a run's splits hold
SPLIT_KEYS = ("n_train", "n_val", "n_test", "n_fresh", "data_seed")


def load_run_splits(run_config, report=print):
    """The splits of the run a checkpoint was trained in (its saved run config)."""
    rc = run_config
    return load_splits(rc.get("dataset", "synthetic"), style=rc.get("style", "detailed"),
                       n_train=rc.get("n_train", N_TRAIN), n_val=rc.get("n_val", N_VAL),
                       n_test=rc.get("n_test", N_TEST), seed=rc.get("data_seed", 0), report=report,
                       n_fresh=rc.get("n_fresh", 0))


def parse_level(value, where):
    """'Level 3' or 3 -> 3; 'Level ?' or None -> None."""
    if value is None:
        return None
    if isinstance(value, int):
        level = value
    else:
        m = re.fullmatch(r"(?:Level\s*)?(\d|\?)", str(value).strip())
        if not m:
            raise DataError(f"{where}: level {value!r} is not 'Level N'")
        if m.group(1) == "?":
            return None
        level = int(m.group(1))
    if not 1 <= level <= 5:
        raise DataError(f"{where}: level {value!r} outside 1-5")
    return level


def load_math_dir(root, skipped):
    """MATH's original layout: <root>/<subject>/<n>.json with problem, level, type, solution."""
    rows = []
    for subject in sorted(os.listdir(root)):
        sub = os.path.join(root, subject)
        if not os.path.isdir(sub):
            continue
        names = sorted((f for f in os.listdir(sub) if f.endswith(".json")),
                       key=lambda f: (len(f), f))
        for name in names:
            path = os.path.join(sub, name)
            try:
                with open(path) as f:
                    raw = json.load(f)
            except json.JSONDecodeError as e:
                raise DataError(f"{path}: not valid JSON ({e.msg}, line {e.lineno})") from None
            for key in ("problem", "solution"):
                if key not in raw:
                    raise DataError(f"{path}: missing field {key!r}")
            answer = extract_answer(raw["solution"])
            if answer is None:
                skipped["no boxed answer"] += 1
                continue
            rows.append({"problem": raw["problem"], "solution": raw["solution"],
                         "answer": answer, "level": parse_level(raw.get("level"), path),
                         "type": raw.get("type", subject), "id": f"{subject}/{name[:-5]}"})
    return rows


def gsm8k_record(row, where):
    """GSM8K: 'question', and 'answer' = reasoning with <<a*b=c>> annotations + '#### N'."""
    if "####" not in row["answer"]:
        raise DataError(f"{where}: GSM8K answer has no '#### N' final line")
    reasoning, final = row["answer"].rsplit("####", 1)
    final = final.strip().replace(",", "")
    reasoning = re.sub(r"<<[^>]*>>", "", reasoning).strip()
    return {"problem": row["question"], "answer": final,
            "solution": f"{reasoning}\nThe answer is $\\boxed{{{final}}}$.",
            "level": None, "type": "GSM8K"}


def load_jsonl(path):
    """MATH500-style rows (problem, solution, answer[, subject, level, unique_id]) or GSM8K rows
    (question, answer ending in '#### N')."""
    rows = []
    for ln, row in read_jsonl(path, error=DataError):
        where = f"{path}:{ln}"
        if "question" in row:
            if "answer" not in row:
                raise DataError(f"{where}: missing field 'answer'")
            rec = gsm8k_record(row, where)
        else:
            for key in ("problem", "solution"):
                if key not in row:
                    raise DataError(f"{where}: missing field {key!r}")
            answer = row.get("answer") or extract_answer(row["solution"])
            if answer is None:
                raise DataError(f"{where}: no 'answer' field and no \\boxed{{}} in the solution")
            rec = {"problem": row["problem"], "solution": row["solution"], "answer": str(answer),
                   "level": parse_level(row.get("level"), where),
                   "type": row.get("type", row.get("subject"))}
        rec["id"] = str(row.get("unique_id", row.get("id", f"{os.path.basename(path)}:{ln}")))
        rows.append(rec)
    return rows
