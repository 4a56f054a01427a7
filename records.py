"""
The project's records, read and written in one place: JSONL rows (a malformed line is an error
naming the file and line), JSON, and text written atomically (a run killed mid-write leaves the
old file, never a torn one), and MATH's way of summarising graded rows (means by level and by
type). Candidates, samples, metrics and rendered pages all go through here; it imports nothing
of the project, so the grader, data/ and every script can read it.
"""
import json
import os
from collections import defaultdict


def read_jsonl(path, required=(), error=ValueError):
    """[(line number, row)] of a JSONL file, blank lines skipped. A line that is not a JSON
    object, or lacks a `required` key, raises `error` naming the file and line."""
    rows = []
    with open(path) as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise error(f"{path}:{ln}: not valid JSON ({e.msg})") from None
            if not isinstance(row, dict):
                raise error(f"{path}:{ln}: expected a JSON object")
            for key in required:
                if key not in row:
                    raise error(f"{path}:{ln}: missing field {key!r}")
            rows.append((ln, row))
    return rows


def read_json(path, default):
    """A JSON file's content, or `default` when the file does not exist yet."""
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f)


def write_atomically(path, write):
    """write(tmp) fills a temporary file beside `path`, which then replaces it: a run killed
    mid-write leaves the old file (or none), never a torn one that a later step would read as
    a shorter run. The temporary file is this process's own, so two runs writing one file do
    not collide."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    write(tmp)
    os.replace(tmp, path)


def write_text(path, text):
    """Write a text file atomically (write_atomically)."""
    def write(tmp):
        with open(tmp, "w") as f:
            f.write(text)
    write_atomically(path, write)


def write_json(path, obj):
    write_text(path, json.dumps(obj, indent=2))


def write_jsonl(path, rows):
    """One JSON object per line, atomically (write_text)."""
    write_text(path, "".join(json.dumps(r) + "\n" for r in rows))


def mean_by_group(rows, fields):
    """MATH's way of reporting: the mean of each field (0/1 or bool) over all rows, by level and
    by type. rows: dicts with 'level', 'type' and the fields. Returns
    {"all": {field: mean, "n": count}, "by_level": {level: {...}}, "by_type": {type: {...}}}."""
    def mean(group):
        return {**{f: sum(float(r[f]) for r in group) / len(group) for f in fields},
                "n": len(group)}
    out = {"all": mean(rows) if rows else {"n": 0}, "by_level": {}, "by_type": {}}
    for key in ("level", "type"):
        groups = defaultdict(list)
        for r in rows:
            groups[str(r[key])].append(r)
        out[f"by_{key}"] = {k: mean(v) for k, v in sorted(groups.items())}
    return out
