"""
Answer extraction and equivalence for MATH-style answers: compact, safe, bounded in time.

    python grade.py predictions.jsonl      # accuracy overall, by level and by type
    python grade.py --help

Every number mathtune reports passes through here: accuracy, verifier labels and the answer
clusters of majority voting. Two calls matter:

  extract_answer(text) -> str | None   the final answer written in a solution
  is_equiv(pred, gold) -> bool         MATH conventions, exact (sympy), never raises

Safety: model text is never given to eval/sympify. A small hand-written parser turns the
normalised LaTeX into sympy objects, accepting only an allowlist of characters, commands,
functions and symbols, refusing exponent towers before they are computed, and every sympy
call runs under a CPU-time limit. Anything it cannot parse is compared as a normalised string.
"""
import argparse
import functools
import re
import signal
import threading
from contextlib import contextmanager

import sympy

from records import mean_by_group, read_jsonl  # (the CLI's file and its report)

MAX_LEN = 1000  # longer answers are compared as plain strings, never parsed
TIME_LIMIT_S = 2.0  # CPU seconds per sympy comparison (time_limit)

# -----------------------------------------------------------------------------
# extraction


def _braced(text, start):
    """text[start] == '{': return the content up to the matching '}', or None if unclosed."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
    return None


def extract_answer(text):
    """The final answer of a solution, tried in this order:
      1. the content of the last \\boxed{...} (nested braces balanced); None if that box is
         unclosed;
      2. else the last \\fbox{...};
      3. else the last \\boxed X without braces (up to '$' or the end of the line);
      4. else the last "final answer is X" (X may sit between $...$; a trailing period dropped;
         Minerva's "Final Answer: The final answer is $X$. I hope it is correct." included);
      5. else None.
    """
    if not isinstance(text, str):
        return None
    for cmd in ("\\boxed{", "\\fbox{"):
        i = text.rfind(cmd)
        if i >= 0:
            inner = _braced(text, i + len(cmd) - 1)
            return inner.strip() if inner is not None else None
    m = list(re.finditer(r"\\boxed ([^$\n]+)", text))
    if m:
        return m[-1].group(1).strip()
    m = list(re.finditer(r"final answer is:?\s*(?:\$([^$\n]+)\$|([^$\n]+?))\s*\.?\s*"
                         r"(?:I hope it is correct\.?\s*)?$", text, re.IGNORECASE | re.MULTILINE))
    if m:
        return (m[-1].group(1) or m[-1].group(2)).strip()
    return None


# -----------------------------------------------------------------------------
# string normalisation (MATH conventions)

_TEXT_CMDS = r"\\(?:text|textnormal|mbox|mathrm|textbf|mathbf|textit|operatorname)"


def _unwrap(s, cmd_regex):
    """Replace every \\cmd{X} by X (balanced braces)."""
    while True:
        m = re.search(cmd_regex + r"\s*\{", s)
        if not m:
            return s
        inner = _braced(s, m.end() - 1)
        if inner is None:
            return s[:m.start()] + s[m.end():]
        s = s[:m.start()] + inner + s[m.end() + len(inner) + 1:]


def normalize(s):
    """A canonical string for an answer; identical strings need no sympy."""
    s = str(s).replace("\x00", "")
    s = s.strip().strip("$").strip()
    s = _unwrap(s, r"\\(?:boxed|fbox)")  # a prediction that kept its own box
    s = re.sub(r"(?<!\\)\\(?:!|,|;|:| )", "", s)  # spacing commands: 1,\!000 -> 1,000 (not \\)
    s = s.replace("~", " ")
    s = re.sub(r"(?<![a-zA-Z\\])(pi|sqrt|infty)(?![a-zA-Z])", r"\\\1", s)  # 4pi -> 4\pi
    s = re.sub(r"\\(?:left|right|big|Big|bigg|Bigg)(?![a-zA-Z])", "", s)
    s = s.replace("\\displaystyle", "")
    s = re.sub(r"\\[dtc]frac", r"\\frac", s)
    s = s.replace(">=", "\\geq").replace("<=", "\\leq").replace("!=", "\\ne")  # ASCII spellings
    s = re.sub(r"\\(?:le|leqslant)(?![a-zA-Z])", r"\\leq", s)
    s = re.sub(r"\\(?:ge|geqslant)(?![a-zA-Z])", r"\\geq", s)
    s = re.sub(r"\\neq?(?![a-zA-Z])", r"\\ne", s)
    s = re.sub(r"\\lt(?![a-zA-Z])", "<", s)
    s = re.sub(r"\\gt(?![a-zA-Z])", ">", s)
    s = re.sub(r"\\mathbb\s*\{?\s*R\s*\}?", r"(-\\infty,\\infty)", s)  # all reals
    # a matrix as an array between brackets: \left[\begin{array}{cc}..\end{array}\right]
    s = re.sub(r"\\begin\{array\}\{[^}]*\}", r"\\begin{pmatrix}", s)
    s = s.replace("\\end{array}", "\\end{pmatrix}")
    s = re.sub(r"^\s*[\[(]\s*(\\begin\{pmatrix\}.*\\end\{pmatrix\})\s*[\])]\s*$", r"\1", s,
               flags=re.DOTALL)
    # degrees, percent, dollars
    s = re.sub(r"\^\s*\{?\s*\\circ\s*\}?", "", s).replace("\\circ", "").replace("°", "")
    s = s.replace("\\%", "").replace("%", "").replace("\\$", "").replace("$", "")
    # trailing units written as text after a number: 5\text{ cm}, 12 \mbox{inches}
    s = re.sub(r"(?<=[\d}])\s*" + _TEXT_CMDS + r"\s*\{\s*[a-zA-Z][a-zA-Z .^{}0-9]*\}"
               r"(?:\^\s*\{?\d\}?)?\s*$", "", s)  # ... and 6\text{ cm}^2
    s = re.sub(r"(\d)\s*\\?(?:degrees?|units?|cm|inches|feet|meters|dollars|cents|percent)\.?\s*$",
               r"\1", s)
    s = _unwrap(s, _TEXT_CMDS)
    s = re.sub(r"\s*,?\s+(?:and|or)\s+", ",", s)  # 3, 4, and 5 / 1 or 2
    s = re.sub(r"\{\s*,\s*\}", ",", s)  # 14{,}916 and 14 {, }916
    # one number followed by words only: 125 miles, 6 apples (a unit nobody listed)
    s = re.sub(r"^(-?\d[\d,.]*)\s+[a-zA-Z]{2,}(?:\s+[a-zA-Z]{2,})*\.?$", r"\1", s)
    s = s.strip()
    # thousands separators, only where the whole answer is one number
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", s.replace(" ", "")):
        s = s.replace(",", "").replace(" ", "")
    s = re.sub(r"_\{(\w+)\}", r"_\1", s)  # 204_{5} -> 204_5
    s = s.rstrip(".").rstrip("\\").strip()
    s = re.sub(r"(?<![\d}])\.(\d)", r"0.\1", s)  # .5 -> 0.5
    s = re.sub(r"\s+", " ", s)
    # a single assignment to a constant: x = 5, k=-2 (kept when the right side has letters:
    # y = 2x + 1 is an equation and compares as one)
    parts = _split_top(s, ",")
    stripped = []
    for p in parts:
        m = re.fullmatch(r"\s*[a-zA-Z](?:_\w+)?\s*=\s*(.+)", p)
        stripped.append(m.group(1) if m and not _has_variable(m.group(1)) else p)
    s = ",".join(x.strip() for x in stripped)
    return s.replace(" ", "") if not re.search(r"[a-zA-Z]{2,}", _strip_commands(s)) else s


def _strip_commands(s):
    return re.sub(r"\\[a-zA-Z]+", "", s)


def _has_variable(s):
    return bool(re.search(r"[a-zA-Z]", _strip_commands(s).replace("infty", "")))


def _split_top(s, sep):
    """Split on sep at bracket depth 0 ((), [], {}, \\{ \\})."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


# -----------------------------------------------------------------------------
# a small parser: normalised LaTeX -> sympy, allowlisted, no eval


class Unparseable(Exception):
    pass


_TOKEN = re.compile(r"\d+(?:\.\d*)?|\\[a-zA-Z]+|[a-zA-Z]|[-+*/^(){}\[\]|_]")
_SYMBOLS = {"pi": sympy.pi, "infty": sympy.oo, "i": sympy.I}
_GREEK = {"alpha", "beta", "gamma", "delta", "theta", "lambda", "mu", "sigma", "phi", "omega",
          "epsilon", "rho", "tau", "psi", "eta", "kappa", "nu", "xi", "zeta", "chi"}
_FUNCS = {"sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "sec": sympy.sec,
          "csc": sympy.csc, "cot": sympy.cot, "arcsin": sympy.asin, "arccos": sympy.acos,
          "arctan": sympy.atan, "ln": sympy.log, "log": sympy.log, "exp": sympy.exp}
_MUL = {"*", "\\cdot", "\\times"}
_DIV = {"/", "\\div"}
_COMMANDS = {"frac", "sqrt", "cdot", "times", "div"} | set(_SYMBOLS) | _GREEK | set(_FUNCS)
MAX_TOKENS = 300
MAX_DIGITS = 20000  # refuse powers whose value would have more digits than this


def _check_power(base, exp):
    """Refuse 9^{9^{9^9}} and friends before sympy computes them."""
    if not exp.is_number:
        return
    if exp.has(sympy.oo, sympy.zoo):
        return
    e = abs(sympy.N(exp, 15)) if not exp.is_Integer else abs(exp)
    if base.is_number and base.is_Rational:
        digits = max(len(str(abs(base.p))), len(str(base.q)))
        if e * digits > MAX_DIGITS:
            raise Unparseable("power too large")
    elif e > 100:
        raise Unparseable("power too large")


def _split_command(tok):
    """Spaces are gone after normalize, so '\\pi r' arrives as '\\pir' and '\\sin x' as
    '\\sinx': an unknown command is the longest known command it starts with, then single
    letters. ['\\pir'] -> ['\\pi', 'r']."""
    if not tok.startswith("\\") or tok[1:] in _COMMANDS:
        return [tok]
    for end in range(len(tok) - 1, 1, -1):
        if tok[1:end] in _COMMANDS:
            return [tok[:end]] + list(tok[end:])
    return [tok]


class _Parser:
    def __init__(self, s):
        s = s.replace(" ", "")
        pos, toks = 0, []
        while pos < len(s):
            m = _TOKEN.match(s, pos)
            if not m:
                raise Unparseable(f"character {s[pos]!r}")
            toks += _split_command(m.group())
            pos = m.end()
        if len(toks) > MAX_TOKENS:
            raise Unparseable("too long")
        self.toks, self.i, self.depth, self.in_abs = toks, 0, 0, 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, want=None):
        t = self.peek()
        if t is None or (want is not None and t != want):
            raise Unparseable(f"expected {want!r}, got {t!r}")
        self.i += 1
        return t

    def parse(self):
        e = self.expr()
        if self.peek() is not None:
            raise Unparseable(f"unexpected {self.peek()!r}")
        return e

    def expr(self):
        self.depth += 1
        if self.depth > 40:
            raise Unparseable("too deep")
        e = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            t = self.term()
            e = e + t if op == "+" else e - t
        self.depth -= 1
        return e

    def starts_atom(self, t):
        if t == "|":  # inside |...| a bar closes; outside it opens |x| (implicit product)
            return not self.in_abs
        return t is not None and (t[0].isdigit() or t[0].isalpha() or t in ("(", "{")
                                  or (t.startswith("\\") and t not in _MUL | _DIV))

    def term(self):
        e = self.unary()
        while True:
            t = self.peek()
            if t in _MUL:
                self.take()
                e = e * self.unary()
            elif t in _DIV:
                self.take()
                e = e / self.unary()
            elif self.starts_atom(t):  # implicit product: 2x, 3\sqrt2, x(y+1)
                e = e * self.power()
            else:
                return e

    def unary(self):
        if self.peek() == "-":
            self.take()
            return -self.unary()
        if self.peek() == "+":
            self.take()
            return self.unary()
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek() == "^":
            self.take()
            if self.peek() in ("-", "+"):
                exp = self.unary()
            else:
                exp = self.atom(single_digit=True)
            _check_power(base, exp)
            return base ** exp
        return base

    def arg(self):
        """A command argument: {expr}, or one character (\\frac12, \\sqrt3)."""
        return self.atom(single_digit=True)

    def atom(self, single_digit=False):
        t = self.peek()
        if t is None:
            raise Unparseable("unexpected end")
        if t[0].isdigit():
            self.take()
            if single_digit and len(t) > 1 and "." not in t:
                self.toks.insert(self.i, t[1:])  # \frac12: the first digit only
                t = t[0]
            return sympy.Rational(t)  # exact: 0.33 is 33/100, never 1/3
        if t in ("(", "{"):
            self.take()
            e = self.expr()
            self.take(")" if t == "(" else "}")
            return e
        if t == "|":
            self.take()
            self.in_abs += 1
            e = self.expr()
            self.in_abs -= 1
            self.take("|")
            return sympy.Abs(e)
        if t.isalpha() and len(t) == 1:
            self.take()
            return _SYMBOLS.get(t) or sympy.Symbol(t)
        if t.startswith("\\"):
            name = t[1:]
            self.take()
            if name == "frac":
                num = self.arg()
                return num / self.arg()
            if name == "sqrt":
                if self.peek() == "[":
                    self.take()
                    n = self.expr()
                    self.take("]")
                    return sympy.root(self.arg(), n)
                return sympy.sqrt(self.arg())
            if name in _SYMBOLS:
                return _SYMBOLS[name]
            if name in _GREEK:
                return sympy.Symbol(name)
            if name == "log" and self.peek() == "_":  # \log_2 8
                self.take()
                base = self.atom(single_digit=True)
                return sympy.log(self.power(), base)
            if name in _FUNCS:
                if self.peek() == "^":  # \sin^2 x
                    self.take()
                    p = self.atom(single_digit=True)
                    _check_power(sympy.Symbol("x"), p)
                    return _FUNCS[name](self.power()) ** p
                return _FUNCS[name](self.power())
        raise Unparseable(f"token {t!r}")


@contextmanager
def time_limit(seconds):
    """A limit on the CPU time this process spends (ITIMER_PROF), in the main thread (the common
    case: scripts, tests); not wall time, so that a grade never depends on what else the machine
    runs. Elsewhere the parser's size and power checks are the bound."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum, frame):
        raise TimeoutError

    old = signal.signal(signal.SIGPROF, on_alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


# -----------------------------------------------------------------------------
# canonical forms: a small tree of tuples, cached per string


def _parse_scalar(s):
    if "\\pm" in s:  # a \pm b -> the unordered pair {a + b, a - b}
        return ("set", tuple(sorted((_parse_scalar(s.replace("\\pm", op, 1))
                                     for op in ("+", "-")), key=repr)))
    # mixed numbers: 6\frac14 and 6\frac{1}{4} mean 6 + 1/4, not a product
    s = re.sub(r"(?<![\d.^}])(\d+)\\frac\{?(\d)\}?\{?(\d+)\}?$", r"(\1+\\frac{\2}{\3})", s)
    s = re.sub(r"(\d)e([+-]?\d+)$", r"\1\\times10^{\2}", s)  # 1.5e3
    for op in ("\\leq", "\\geq", "\\ne", "<", ">", "="):
        if op in s:
            return _parse_relation(s)
    with time_limit(TIME_LIMIT_S):
        return ("expr", _Parser(s).parse())


_FLIP = {"<": ">", ">": "<", "\\leq": "\\geq", "\\geq": "\\leq", "=": "=", "\\ne": "\\ne"}


def _parse_relation(s):
    parts = re.split(r"(\\leq|\\geq|\\ne|<|>|=)", s)
    if len(parts) != 3:
        raise Unparseable("chained relation")
    lhs, op, rhs = parts
    with time_limit(TIME_LIMIT_S):
        d = _Parser(lhs).parse() - _Parser(rhs).parse()
    if op in (">", "\\geq"):  # write every inequality as d < 0 or d <= 0
        op, d = _FLIP[op], -d
    return ("rel", op, d)


def _parse_item(s):
    s = s.strip()
    if not s:
        raise Unparseable("empty")
    m = re.fullmatch(r"\\begin\{[pbv]matrix\}(.*)\\end\{[pbv]matrix\}", s)
    if m:
        rows = [r for r in m.group(1).split("\\\\") if r.strip()]
        return ("matrix", tuple(tuple(_parse_item(c) for c in r.split("&")) for r in rows))
    if "\\cup" in s:
        return _set((_parse_item(p) for p in s.split("\\cup")), union=True)
    if s.startswith("\\{") and s.endswith("\\}"):
        return _parse_list(s[2:-2])
    if s[0] in "([" and s[-1] in ")]" and _matching_close(s) == len(s) - 1:
        items = _split_top(s[1:-1], ",")
        if len(items) > 1:  # tuple or interval: ordered, brackets matter
            return ("tuple", s[0], s[-1], tuple(_parse_item(x) for x in items))
    return _parse_scalar(s)


def _matching_close(s):
    depth = 0
    for i, ch in enumerate(s):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0:
            return i
    return -1


def _parse_list(s):
    items = [x for x in _split_top(s, ",")]
    if len(items) == 1:
        return _parse_item(items[0])
    return _set(_parse_item(x) for x in items)


def _set(items, union=False):
    """An unordered set of parsed items. An item that is itself a set gives its members, so a
    \\pm inside a list is the two values written out (1 \\pm \\sqrt{2}, 3 = 1 + \\sqrt{2},
    1 - \\sqrt{2}, 3) and a union of finite sets is one set; in a union a member that stands
    in both (the same to the letter) counts once (\\{1, 2\\} \\cup \\{2, 3\\} = \\{1, 2, 3\\})."""
    out = []
    for x in items:
        for y in (x[1] if x[0] == "set" else (x,)):
            if not (union and y in out):
                out.append(y)
    return ("set", tuple(sorted(out, key=repr)))


@functools.lru_cache(maxsize=100_000)
def canonical(s):
    """The canonical form of one answer string: ('str', text) when it cannot be parsed."""
    n = normalize(s)
    letter = re.fullmatch(r"\(?([A-E])\)?", n)
    if letter:
        return ("choice", letter.group(1))
    if re.fullmatch(r"[A-Za-z][A-Za-z ']*[A-Za-z]", n) and len(n) > 1:
        return ("text", n.lower())  # a word answer: Monday, \text{Evelyn}, even
    try:
        return _parse_list(n)
    except (Unparseable, TimeoutError, RecursionError, ValueError, TypeError, ZeroDivisionError,
            AttributeError, sympy.SympifyError, OverflowError, MemoryError):
        return ("str", n.replace(" ", "").lower())


def _zero(d):
    """Is the sympy expression d exactly zero? Cheap tests first, simplify last."""
    if d == 0:
        return True
    if d.is_Rational or d.is_Float:
        return False
    d = sympy.expand(d)
    if d == 0:
        return True
    if d.is_Rational:
        return False
    return sympy.simplify(d) == 0


def _same(a, b):
    if a == b:
        return True
    if a[0] == "set" and len(a[1]) == 1:
        return _same(a[1][0], b)
    if b[0] == "set" and len(b[1]) == 1:
        return _same(a, b[1][0])
    if a[0] != b[0]:
        return False
    kind = a[0]
    if kind == "expr":
        if a[1].has(sympy.oo) or b[1].has(sympy.oo):
            return a[1] == b[1]
        return _zero(a[1] - b[1])
    if kind == "rel":
        if a[1] != b[1]:
            # x = 2 vs 2 = x handled by the sign test below; < vs > by the parser's flip
            return False
        if a[1] in ("=", "\\ne"):  # same equation up to a nonzero constant factor
            if _zero(a[2] - b[2]) or _zero(a[2] + b[2]):
                return True
            ratio = sympy.cancel(a[2] / b[2])
            return bool(ratio.is_number and ratio != 0)
        return _zero(a[2] - b[2])
    if kind == "tuple":
        return a[1:3] == b[1:3] and len(a[3]) == len(b[3]) and all(
            _same(x, y) for x, y in zip(a[3], b[3]))
    if kind == "matrix":
        return len(a[1]) == len(b[1]) and all(
            len(r) == len(s) and all(_same(x, y) for x, y in zip(r, s))
            for r, s in zip(a[1], b[1]))
    if kind == "set":  # unordered: a perfect matching, greedily (items are few)
        if len(a[1]) != len(b[1]):
            return False
        left = list(b[1])
        for x in a[1]:
            for j, y in enumerate(left):
                if _same(x, y):
                    del left[j]
                    break
            else:
                return False
        return True
    return False  # str, text, choice: equal only when identical (checked above)


@functools.lru_cache(maxsize=200_000)
def _is_equiv_cached(pred, gold):
    if len(pred) > MAX_LEN or len(gold) > MAX_LEN:
        return pred.strip() == gold.strip()
    if pred.strip() == gold.strip():
        return True
    if normalize(pred) == normalize(gold):
        return True
    a, b = canonical(pred), canonical(gold)
    with time_limit(TIME_LIMIT_S):
        if _same(a, b):
            return True
    # an answer with a left-hand side against one without: y = 2x+3 vs 2x+3, (a,b) = (3,2) vs
    # (3,2), x \in [-2,7] vs [-2,7]: compare what follows it
    rp, rg = _right_side(pred), _right_side(gold)
    if (rp is None) != (rg is None):
        return _is_equiv_cached(rp or pred, rg or gold)
    return False


_LHS = r"[a-zA-Z](?:_\w+)?"


def _right_side(s):
    """'y=2x+3' -> '2x+3': the answer after a left-hand side of variable names only (a letter
    or a tuple of letters) and '=' or \\in; None when there is no such left-hand side."""
    m = re.fullmatch(rf"(?:{_LHS}|\({_LHS}(?:,{_LHS})+\))(?:=|\\in(?![a-zA-Z]))(.+)",
                     normalize(s).replace(" ", ""), re.DOTALL)
    return m.group(1) if m else None


def is_equiv(pred, gold):
    """True when the answer pred means the same as gold under MATH conventions. Never raises;
    returns False for None. Conventions (tests/test_grade.py has a row for each):
      - spacing and sizing commands, \\dfrac/\\tfrac, \\text{} wrappers, trailing units, degrees,
        %, $, thousands separators, .5, trailing period, a 'x =' prefix on a constant;
      - numbers are exact: 0.5 = \\frac12, 0.33 != \\frac13, 2^{-99} != 2^{-98};
      - expressions equal when sympy proves the difference zero (radicals, pi, reordering);
      - (a, b) and [a, b) are ordered, brackets included; comma lists, \\{...\\}, \\cup and \\pm
        are unordered; matrices compare shape then entries; equations up to a constant factor;
        inequalities after flipping > into <; words case-insensitively; (C) = C.
    """
    if pred is None or gold is None:
        return False
    try:
        return _is_equiv_cached(str(pred), str(gold))
    except Exception:  # TimeoutError, sympy internals: a failed comparison is "not equal"
        return False


# -----------------------------------------------------------------------------
# reading results and reporting them by level and type: used by every script, kept here
# because this is the lowest module that needs them (data/ imports grade, not the reverse)


# -----------------------------------------------------------------------------
# CLI


def grade_file(path):
    """Graded rows {level, type, correct}. Input rows: gold answer in 'gold' or 'answer' (or a
    gold 'gold_solution'); the prediction in 'prediction' (an answer) or
    'completion'/'model_solution' (a solution text, extracted)."""
    graded = []
    for ln, row in read_jsonl(path):
        gold = row.get("gold", row.get("answer"))
        if gold is None and "gold_solution" in row:
            gold = extract_answer(row["gold_solution"])
        if "prediction" in row:
            pred = row["prediction"]
        elif "completion" in row or "model_solution" in row:
            pred = extract_answer(row.get("completion", row.get("model_solution")))
        else:
            raise ValueError(f"{path}:{ln}: no 'prediction', 'completion' or 'model_solution' key")
        if gold is None:
            raise ValueError(f"{path}:{ln}: no gold answer ('gold', 'answer' or 'gold_solution')")
        graded.append({"level": row.get("level"), "type": row.get("type", row.get("subject")),
                       "correct": is_equiv(pred, gold)})
    return graded


def main(argv=None):
    p = argparse.ArgumentParser(description="Grade a predictions JSONL file: accuracy overall, "
                                            "by level and by type.")
    p.add_argument("predictions", help="JSONL with 'prediction' (or 'completion') and 'gold'")
    args = p.parse_args(argv)
    try:
        graded = grade_file(args.predictions)
    except (OSError, ValueError) as e:
        raise SystemExit(f"error: {e}")
    if not graded:
        raise SystemExit(f"{args.predictions}: no rows")
    report = mean_by_group(graded, ["correct"])
    n_ok = sum(g["correct"] for g in graded)
    print(f"accuracy {report['all']['correct']:.4f} ({n_ok}/{len(graded)})")
    for name in ("level", "type"):
        for k, v in report[f"by_{name}"].items():
            print(f"  {name} {k:24s} {v['correct']:.4f} ({round(v['correct'] * v['n'])}/{v['n']})")


if __name__ == "__main__":
    main()
