"""records.py: JSONL read with the file and line of a bad row, atomic writes, and MATH's
per-level / per-type means by hand."""
import json
import os

import pytest

from records import mean_by_group, read_json, read_jsonl, write_json, write_jsonl, write_text


def test_read_jsonl_names_file_and_line(tmp_path):
    f = tmp_path / "r.jsonl"
    f.write_text('{"a": 1}\n\n{"a": 2, "b": 3}\n')
    assert read_jsonl(str(f)) == [(1, {"a": 1}), (3, {"a": 2, "b": 3})]  # blank line 2 skipped
    with pytest.raises(ValueError, match=r"r\.jsonl:1: missing field 'b'"):
        read_jsonl(str(f), required=("a", "b"))
    f.write_text('{"a": 1}\n[1]\n')
    with pytest.raises(KeyError, match=r"r\.jsonl:2: expected a JSON object"):
        read_jsonl(str(f), error=KeyError)
    f.write_text('{"a": 1}\n{oops\n')
    with pytest.raises(ValueError, match=r"r\.jsonl:2: not valid JSON"):
        read_jsonl(str(f))


def test_mean_by_group_by_hand():
    rows = [{"level": 1, "type": "A", "ok": True, "x": 0.5},
            {"level": 1, "type": "B", "ok": False, "x": 1.0},
            {"level": 2, "type": "A", "ok": True, "x": 0.0}]
    r = mean_by_group(rows, ["ok", "x"])
    assert r["all"] == {"ok": 2 / 3, "x": 0.5, "n": 3}
    assert r["by_level"] == {"1": {"ok": 0.5, "x": 0.75, "n": 2}, "2": {"ok": 1.0, "x": 0.0, "n": 1}}
    assert r["by_type"]["A"] == {"ok": 1.0, "x": 0.25, "n": 2} and r["by_type"]["B"]["n"] == 1
    assert mean_by_group([], ["ok"])["all"] == {"n": 0}



def test_writes_are_atomic_and_round_trip(tmp_path, monkeypatch):
    """A write that fails midway leaves the file as it was (no torn file), and no temporary
    file is left behind on success."""
    path = str(tmp_path / "sub" / "rows.jsonl")
    rows = [{"a": 1}, {"b": [2, 3]}]
    write_jsonl(path, rows)
    assert [r for _, r in read_jsonl(path)] == rows
    assert os.listdir(os.path.dirname(path)) == ["rows.jsonl"]  # no temporary file left
    write_json(str(tmp_path / "m.json"), {"x": 1.5})
    assert read_json(str(tmp_path / "m.json"), None) == {"x": 1.5}
    assert read_json(str(tmp_path / "none.json"), {"rows": []}) == {"rows": []}

    def torn(src, dst):
        raise OSError("killed")
    monkeypatch.setattr(os, "replace", torn)
    with pytest.raises(OSError):
        write_text(path, "half")
    assert [r for _, r in read_jsonl(path)] == rows  # the old file, whole
    assert json.loads(open(path).readline()) == {"a": 1}


def test_two_writers_of_one_file_do_not_collide(tmp_path, monkeypatch):
    """Two runs writing the same file (two curves' points share a subset file): each write has
    its own temporary file, so one finishing in the middle of the other breaks neither."""
    import records
    path = tmp_path / "x.json"
    real_replace, pids = os.replace, iter([101, 102])
    monkeypatch.setattr(records.os, "getpid", lambda: next(pids))

    def the_other_writes_first(src, dst):
        monkeypatch.setattr(records.os, "replace", real_replace)
        records.write_text(str(path), "second")
        real_replace(src, dst)
    monkeypatch.setattr(records.os, "replace", the_other_writes_first)
    records.write_text(str(path), "first")
    assert path.read_text() == "first" and os.listdir(tmp_path) == ["x.json"]
