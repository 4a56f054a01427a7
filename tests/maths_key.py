"""A second canonicalisation of a synthetic problem's mathematics, read from its final text
alone, independently of data/world's content keys (which come from the numbers a
generator drew). Two problems are the same mathematics when they have the same

  kind, question words (a fixed vocabulary: gcd vs lcm, area vs perimeter, ...),
  multiset of maths segments, each parsed with Python's `ast` into a tree whose + and x
  operands are sorted (a - b + c = c + a - b, 2 x 3 = 3 x 2), with variable letters renamed
  in order of appearance (x, y, ...) and matrices/vectors written as the sums they ask for,
  and answer (a list of roots in any order).

The multiset of segments makes gcd(a, b) = gcd(b, a), "a shirts and b hats" = "b shirts and
a hats", the two points of a distance and the two equations of a system order-free. Names
(colours, objects) and phrasings are words outside the vocabulary, so they never enter."""
import ast
import re

QUESTION_WORDS = [  # (words in the problem, what they ask): longer phrases first
    ("greatest common", "gcd"), ("largest integer", "gcd"), ("least common", "lcm"),
    ("smallest positive", "lcm"), ("remainder", "remainder"), ("units digit", "units"),
    ("in base", "base"), ("divisors", "divisors"), ("not ", "not"),
    ("without replacement", "without"), ("with replacement", "with"),
    ("has area", "given_area"), ("has circumference", "given_circumference"),
    ("its area", "ask_area"), ("its circumference", "ask_circumference"), ("area", "area"),
    ("perimeter", "perimeter"), ("complement", "complement"), ("supplement", "supplement"),
    ("third angle", "third"), ("base angle of an", "given_base"),
    ("vertex angle of an", "given_vertex"), ("base angle", "base_angle"), ("vertex angle", "vertex"),
    ("exterior", "exterior"), ("sum of the interior", "polygon_sum"),
    ("each interior", "regular"), ("hypotenuse", "hypotenuse"), ("other leg", "leg"),
    ("distance", "distance"), ("sum of the roots", "root_sum"),
    ("product of the roots", "root_product"), ("president", "officers"),
    ("committee", "committee"), ("radius", "radius"), ("diameter", "diameter"),
    ("circumference", "circumference"), ("trapezoid", "trapezoid"), ("triangle has base", "triangle"),
    ("ratio", "ratio"), ("sum of the first", "series"), ("add up the first", "series"),
    ("probability", "probability"), ("choose one", "one_of_each"),
    ("chosen from a group", "choose"), ("nearest tenth", "tenth"), ("nearest ten", "ten"),
    ("nearest hundred", "hundred"), ("midpoint", "midpoint"), ("numbers are in the list", "list"),
]
PI = "PI"


def question(problem):
    words = re.sub(r"\$[^$]*\$", " ", problem).lower()
    found = set()
    for phrase, tag in QUESTION_WORDS:
        if phrase in words:
            found.add(tag)
            words = words.replace(phrase, " ")
    return tuple(sorted(found))


def rename_letters(segments):
    """Variable letters renamed a, b, c ... in order of first appearance, over all segments
    (commands such as \\frac and \\pi are not letters)."""
    names = {}

    def sub(m):
        return names.setdefault(m.group(0), "v" + "abcdefgh"[len(names)])
    return [re.sub(r"(?<![A-Za-z\\])[a-z](?![A-Za-z])", sub, s) for s in segments]


def matrices_to_sums(s):
    r"""\det of a 2x2 matrix -> a d - b c; a dot product of column vectors -> sum of products."""
    mats = [[row.split("&") for row in m.split("\\\\")]
            for m in re.findall(r"\\begin\{pmatrix\}(.*?)\\end\{pmatrix\}", s)]
    if s.startswith("\\det"):
        (a, b), (c, d) = mats[0]
        return f"({a})*({d}) - ({b})*({c})" + s[s.index("\\end{pmatrix}") + 13:]
    if len(mats) == 2:
        u, v = [[r[0] for r in m] for m in mats]
        return " + ".join(f"({p})*({q})" for p, q in zip(u, v))
    return s


def to_python(s):
    """LaTeX maths -> Python expression text (or None when it is not an expression)."""
    s = matrices_to_sums(s)
    s = s.replace("^\\circ", "").replace("\\%", "*PCT").replace("\\pi", PI)
    s = re.sub(r"\\(sin|cos|tan) (\d+)", r"\1(\2)", s)
    s = s.replace("\\ldots", "ELLIPSIS").replace("\\times", "*").replace("\\cdot", "*")
    s = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", s)
    s = s.replace("^{-1}", "_INV").replace("^", "**").replace("{", "(").replace("}", ")")
    s = re.sub(r"(\d|\))\s*([A-Za-z(])", r"\1*\2", s)  # implicit products: 2x, 3(x + 1), 2PI
    s = s.replace(":", ",RATIO,")
    return s


def tree(node):
    """A canonical nested tuple of an ast node: + and * operands sorted."""
    if isinstance(node, ast.Expression):
        return tree(node.body)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        return ("+",) + tuple(sorted(signed_terms(node)))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return ("*",) + tuple(sorted(factors(node)))
    if isinstance(node, ast.BinOp):
        return (type(node.op).__name__, tree(node.left), tree(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return ("neg", tree(node.operand))
    if isinstance(node, ast.Tuple):
        return ("tuple",) + tuple(tree(e) for e in node.elts)
    if isinstance(node, ast.Call):
        return ("call", tree(node.func)) + tuple(tree(a) for a in node.args)
    if isinstance(node, ast.Constant):
        return repr(node.value)
    if isinstance(node, ast.Name):
        return node.id
    raise ValueError(ast.dump(node))


def signed_terms(node, sign=1):
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        right = sign if isinstance(node.op, ast.Add) else -sign
        return signed_terms(node.left, sign) + signed_terms(node.right, right)
    return [(sign, str(tree(node)))]


def factors(node):
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return factors(node.left) + factors(node.right)
    return [str(tree(node))]


def segment_key(s):
    """One maths segment: an expression, an equation (sides kept apart) or a list."""
    sides = to_python(s).split("=")
    out = []
    for side in sides:
        side = re.sub(r"\bi\b", "I", side)
        out.append(str(tree(ast.parse(side.strip(), mode="eval"))))
    return tuple(out)


def answer_key(answer):
    return tuple(sorted(a.replace(" ", "") for a in answer.split(",")))


def maths_key(row):
    segments = rename_letters(re.findall(r"\$([^$]*)\$", row["problem"]))
    return (row["kind"], question(row["problem"]),
            tuple(sorted(segment_key(s) for s in segments)), answer_key(row["answer"]))
