"""
Benchmark grade.is_equiv on the project's equivalence table (tests/grade_table.py): agreement
with the expected labels by category, and pairs/s cold (caches cleared) and warm (canonical
forms cached, as in clustering). When math-verify is installed (bench-only, never a
requirement: pip install 'math-verify[antlr4_13_2]'), it grades the same table for comparison.

    python bench/bench_grade.py
"""
import os
import sys
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))
import grade  # noqa: E402
from grade_table import ROWS  # noqa: E402


def run(name, fn, repeats=1):
    by_cat, t0 = defaultdict(list), time.perf_counter()
    for _ in range(repeats):
        for cat, pred, gold, want in ROWS:
            try:
                got = bool(fn(pred, gold))
            except Exception:
                got = False
            by_cat[cat].append(got == want)
    dt = time.perf_counter() - t0
    n = len(ROWS) * repeats
    acc = sum(sum(v) for v in by_cat.values()) / n
    print(f"{name:28s} agreement {acc:.3f} ({sum(sum(v) for v in by_cat.values()) // repeats}"
          f"/{len(ROWS)})  {n / dt:9.0f} pairs/s")
    return acc, n / dt, {c: sum(v) / len(v) for c, v in by_cat.items()}


def cold(pred, gold):
    grade.canonical.cache_clear()
    grade._is_equiv_cached.cache_clear()
    return grade.is_equiv(pred, gold)


print(f"{len(ROWS)} (pred, gold, expected) rows")
acc, cold_speed, cats = run("mathtune cold", cold)
run("mathtune warm (cached)", grade.is_equiv, repeats=20)
print("  by category: " + ", ".join(f"{c} {a:.2f}" for c, a in sorted(cats.items())))

try:
    from math_verify import parse, verify
except ImportError:
    print("math-verify not installed: skipping the comparison")
    sys.exit(0)


def mv(pred, gold):
    return verify(parse(f"${gold}$"), parse(f"${pred}$"))


mv_acc, mv_speed, mv_cats = run("math-verify", mv)
print("  by category: " + ", ".join(f"{c} {a:.2f}" for c, a in sorted(mv_cats.items())))
print(f"mathtune vs math-verify: agreement {acc:.3f} vs {mv_acc:.3f}, "
      f"speed (cold) {cold_speed / mv_speed:.1f}x")
