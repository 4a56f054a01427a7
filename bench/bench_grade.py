"""
Benchmark the grader on two tables: the project's own equivalence table (tests/grade_table.py,
written with grade.py) and the public one (tests/public_cases.py: cases from Math-Verify's,
Qwen2.5-Math's and Hendrycks' tests, equivalence and extraction). Agreement with the expected
labels and pairs/s cold (caches cleared) and warm (canonical forms cached, as in clustering).
When math-verify is installed (bench-only, never a requirement:
pip install 'math-verify[antlr4_13_2]'), it grades the same cases beside grade.py.

    python -m bench.bench_grade

On the public table each row is scored twice: against its source's label, and against this
project's convention where a row says it differs (tests/public_cases.py names each difference).
"""
import os
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
import grade
from tests.grade_table import ROWS
from tests.public_cases import EQUIV, EXTRACT

# every table as (category, pred, gold, label); extraction rows grade a whole solution text
OWN = [(cat, pred, gold, want) for cat, pred, gold, want in ROWS]
PUBLIC_SOURCE = [(src, pred, gold, exp) for src, gold, pred, exp, _ in EQUIV]
PUBLIC_OURS = [(src, pred, gold, exp if ours is None else ours[0])
               for src, gold, pred, exp, ours in EQUIV]
EXTRACT_SOURCE = [(src, text, gold, exp) for src, gold, text, exp, _ in EXTRACT]
EXTRACT_OURS = [(src, text, gold, exp if ours is None else ours[0])
                for src, gold, text, exp, ours in EXTRACT]


def run(fn, rows, repeats=1):
    """(agreement, pairs/s, {category: agreement})."""
    by_cat, t0 = defaultdict(list), time.perf_counter()
    for _ in range(repeats):
        for cat, pred, gold, want in rows:
            try:
                got = bool(fn(pred, gold))
            except Exception:
                got = False
            by_cat[cat].append(got == want)
    dt = time.perf_counter() - t0
    n = len(rows) * repeats
    return sum(sum(v) for v in by_cat.values()) / n, n / dt, {c: sum(v) / len(v) for c, v in by_cat.items()}


def cold(pred, gold):
    grade.canonical.cache_clear()
    grade._is_equiv_cached.cache_clear()
    return grade.is_equiv(pred, gold)


def ours_extract(text, gold):
    return cold(grade.extract_answer(text), gold)


def graders():
    """name -> (answer grader, solution-text grader)."""
    out = {"grade.py": (cold, ours_extract)}
    try:
        from math_verify import parse, verify
    except ImportError:
        print("math-verify not installed: grade.py only (pip install 'math-verify[antlr4_13_2]')")
        return out
    # answers are wrapped in $...$ as Math-Verify's own tests pass them; texts go in as written
    out["math-verify"] = (lambda pred, gold: verify(parse(f"${gold}$"), parse(f"${pred}$")),
                          lambda text, gold: verify(parse(f"${gold}$"), parse(text)))
    return out


def main():
    tables = [("own table (tests/grade_table.py)", OWN, 0),
              ("public equivalence, sources' labels", PUBLIC_SOURCE, 0),
              ("public equivalence, our conventions", PUBLIC_OURS, 0),
              ("public extraction, sources' labels", EXTRACT_SOURCE, 1),
              ("public extraction, our conventions", EXTRACT_OURS, 1)]
    gs = graders()
    print("| table | rows | " + " | ".join(f"{g} agreement | {g} pairs/s" for g in gs) + " |")
    print("|---|---|" + "---|---|" * len(gs))
    speeds = defaultdict(list)
    for name, rows, which in tables:
        cells = []
        for g, fns in gs.items():
            acc, speed, _ = run(fns[which], rows)
            speeds[g].append(len(rows) / speed)
            cells.append(f"{acc:.3f} ({round(acc * len(rows))}/{len(rows)}) | {speed:,.0f}")
        print(f"| {name} | {len(rows)} | " + " | ".join(cells) + " |")
    acc, warm, _ = run(grade.is_equiv, OWN, repeats=20)
    print(f"\ngrade.py warm (canonical forms cached, as in clustering): {warm:,.0f} pairs/s")
    if len(gs) > 1:
        t_ours, t_mv = sum(speeds["grade.py"]), sum(speeds["math-verify"])
        print(f"every table, cold: grade.py {t_ours:.2f} s, math-verify {t_mv:.2f} s "
              f"({t_mv / t_ours:.1f}x)")
    _, _, cats = run(cold, PUBLIC_OURS)
    print("public table by source (our conventions): "
          + ", ".join(f"{c} {a:.3f}" for c, a in sorted(cats.items())))


if __name__ == "__main__":
    main()
