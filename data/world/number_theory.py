"""
Number Theory: gcd / lcm / remainders (number_theory) and digits.

Each generator: (rng, level) -> (problem, answer, {method: detailed solution}, terse
solution, content key).
"""
import math

from .shared import CDOT, finish


def factor_str(n):
    f, p, out = n, 2, []
    while p * p <= f:
        while f % p == 0:
            out.append(p)
            f //= p
        p += 1
    if f > 1:
        out.append(f)
    return " \\cdot ".join(map(str, out)), out


def number_theory(rng, level):
    if level == 1 or level == 5:  # remainders
        m = rng.randint(2, 5)
        if level == 1:
            n = rng.randint(m + 1, 20)
            problem = f"What is the remainder when ${n}$ is divided by ${m}$?"
            q, r = divmod(n, m)
            m1 = [f"${m} \\times {q} = {m * q}$.", f"${n} - {m * q} = {r}$."]
            m2 = [f"Divide: ${n} \\div {m} = {q}$ with some left over.",
                  f"${n} = {m} \\cdot {q} + {r}$."]
            terse = f"${n} = {m} \\cdot {q} + {r}$, so the remainder is $\\boxed{{{r}}}$."
        else:
            a, b = rng.randint(4, 9), rng.randint(4, 9)
            problem = f"What is the remainder when ${a} \\times {b}$ is divided by ${m}$?"
            r = a * b % m
            ra, rb = a % m, b % m
            m1 = [f"${a} \\times {b} = {a * b}$.",
                  f"${a * b} = {m} \\cdot {a * b // m} + {r}$."]
            m2 = [f"${a} \\equiv {ra} \\pmod{{{m}}}$ and ${b} \\equiv {rb} \\pmod{{{m}}}$.",
                  f"${ra} \\times {rb} = {ra * rb}$.",
                  f"${ra * rb} = {m} \\cdot {ra * rb // m} + {r}$."]
            terse = f"${a} \\cdot {b} \\equiv {ra} \\cdot {rb} \\equiv \\boxed{{{r}}} \\pmod{{{m}}}$."
        key = ("mod", n, m) if level == 1 else ("mod", tuple(sorted((a, b))), m)
        return problem, str(r), {"direct": finish(m1, r), "reduce": finish(m2, r)}, terse, key
    g = rng.randint(5, 8) if level == 4 else rng.randint(2, 4)
    a, b = g * rng.randint(1, 5), g * rng.randint(1, 5)
    while a == b:
        b = g * rng.randint(1, 5)
    fa, fb = factor_str(a)[0], factor_str(b)[0]
    if level in (2, 4):  # gcd
        ans = math.gcd(a, b)
        problem = f"What is the greatest common divisor of ${a}$ and ${b}$?"
        steps, x, y = [], max(a, b), min(a, b)
        while y:
            steps.append(f"${x} = {y} \\cdot {x // y} + {x % y}$.")
            x, y = y, x % y
        m2 = [f"${a} = {fa}$.", f"${b} = {fb}$.", f"The common factors multiply to {ans}."]
        terse = f"${a} = {fa}$ and ${b} = {fb}$, so the gcd is $\\boxed{{{ans}}}$."
        return (problem, str(ans), {"euclid": finish(steps, ans), "factor": finish(m2, ans)},
                terse, ("gcd", min(a, b), max(a, b)))
    ans = a * b // math.gcd(a, b)  # lcm
    problem = f"What is the least common multiple of ${a}$ and ${b}$?"
    m1 = [f"$\\gcd({a}, {b}) = {math.gcd(a, b)}$.",
          f"$\\text{{lcm}} = \\frac{{{a} \\cdot {b}}}{{{math.gcd(a, b)}}} = "
          f"\\frac{{{a * b}}}{{{math.gcd(a, b)}}} = {ans}$."]
    m2 = [f"${a} = {fa}$.", f"${b} = {fb}$.", f"Take each prime to its highest power: {ans}."]
    terse = f"$\\text{{lcm}}({a}, {b}) = \\frac{{{a}\\cdot{b}}}{{{math.gcd(a, b)}}} = \\boxed{{{ans}}}$."
    return (problem, str(ans), {"gcd": finish(m1, ans), "factor": finish(m2, ans)}, terse,
            ("lcm", min(a, b), max(a, b)))


def units_cycle(a):
    """The units digits of a, a^2, a^3, ... up to where they repeat: 7 -> [7, 9, 3, 1]."""
    u, cycle = a % 10, []
    while (u ** (len(cycle) + 1)) % 10 not in cycle:
        cycle.append((u ** (len(cycle) + 1)) % 10)
    return cycle


def units_digit_of_sum_or_product(rng, level):
    """Units digit of a product (level 1) or a sum of three (level 2)."""
    nums = sorted(rng.randint(11, 99) for _ in range(2 if level == 1 else 3))
    op, word = ("\\times", "product") if level == 1 else ("+", "sum")
    units = [v % 10 for v in nums]
    val = math.prod(units) if level == 1 else sum(units)
    ans = val % 10
    expr = f" {op} ".join(map(str, nums))
    problem = f"What is the units digit of ${expr}$?"
    full = math.prod(nums) if level == 1 else sum(nums)
    m1 = [f"Only the units digits matter: {', '.join(map(str, units))}.",
          f"${f' {op} '.join(map(str, units))} = {val}$, whose units digit is {ans}."]
    if level == 1:  # (10p + u)(10q + v): every term but u v is a multiple of 10
        m2 = [f"${nums[0]} = 10 \\cdot {nums[0] // 10} + {units[0]}$ and "
              f"${nums[1]} = 10 \\cdot {nums[1] // 10} + {units[1]}$.",
              f"Every other term of the product is a multiple of 10; ${units[0]} \\times "
              f"{units[1]} = {val}$, so the units digit is {ans}."]
    else:
        m2 = [f"${expr} = {full}$.", f"The units digit of ${full}$ is {ans}."]
    terse = f"${f' {op} '.join(map(str, units))} = {val}$, so the units digit is $\\boxed{{{ans}}}$."
    return (problem, str(ans), {"units": finish(m1, ans), "direct": finish(m2, ans)}, terse,
            (word, tuple(nums)))


def units_digit_of_power(rng, level):
    """Units digit of a power: the cycle of units digits."""
    a, k = rng.randint(2, 99), rng.randint(2, 8)
    problem = f"What is the units digit of ${a}^{{{k}}}$?"
    u, cycle = a % 10, units_cycle(a)
    ans = cycle[(k - 1) % len(cycle)]
    m1 = [f"The units digit of ${a}$ is {u}.",
          f"The units digits of its powers repeat: {', '.join(map(str, cycle))}.",
          f"${k}$ leaves remainder ${(k - 1) % len(cycle) + 1}$ in this cycle of "
          f"{len(cycle)}, so the units digit is {ans}."]
    m2, d = [f"The units digit of ${a}$ is {u}."], u
    for j in range(2, k + 1):
        m2.append(f"${d} \\times {u} = {d * u}$, units digit {d * u % 10}.")
        d = d * u % 10
    terse = (f"The units digits of ${u}^n$ cycle through {', '.join(map(str, cycle))}, so "
             f"the answer is $\\boxed{{{ans}}}$.")
    return (problem, str(ans), {"cycle": finish(m1, ans), "multiply": finish(m2, ans)}, terse,
            ("power", a, k))


def remainder_from_digit_sum(rng, level):
    """The remainder mod 9 (or 3) from the digit sum."""
    n, m = rng.randint(100, 999), rng.choice([3, 9])
    ds = [int(c) for c in str(n)]
    ans = n % m
    problem = f"What is the remainder when ${n}$ is divided by ${m}$?"
    m1 = [f"A number leaves the same remainder mod {m} as the sum of its digits.",
          f"${' + '.join(map(str, ds))} = {sum(ds)}$.",
          f"${sum(ds)} = {m} \\cdot {sum(ds) // m} + {ans}$."]
    m2 = [f"${n} = {m} \\cdot {n // m} + {ans}$."]
    terse = f"The digit sum is ${sum(ds)}$, so the remainder is $\\boxed{{{ans}}}$."
    return (problem, str(ans), {"digit_sum": finish(m1, ans), "divide": finish(m2, ans)},
            terse, ("mod", n, m))


def base_conversion(rng, level):
    """Base conversion."""
    b = rng.randint(2, 5)
    n = rng.randint(8, 31) if b == 2 else rng.randint(10, 40)
    ds, q, m1 = [], n, []
    while q:
        m1.append(f"${q} = {b} \\cdot {q // b} + {q % b}$.")
        ds.append(q % b)
        q //= b
    num = "".join(map(str, reversed(ds)))
    ans = f"{num}_{b}"
    m1.append(f"Read the remainders from the last to the first: ${ans}$.")
    powers = [b ** j for j in range(len(ds))][::-1]
    m2, rest = [f"The powers of {b} are {', '.join(map(str, powers))}."], n
    for p_ in powers:
        m2.append(f"${rest} = {rest // p_} \\cdot {p_} + {rest % p_}$.")
        rest %= p_
    m2.append(f"The digits are ${num}$, so ${n} = {ans}$.")
    terse = f"${n} = {ans}$, so the answer is $\\boxed{{{ans}}}$."
    problem = f"Express ${n}$ in base ${b}$."
    return (problem, ans, {"divide": finish(m1, ans), "powers": finish(m2, ans)}, terse,
            ("base", n, b))


def units_digit_of_big_power(rng, level):
    """Level 5: the units digit of a big power, by its cycle."""
    a, k = rng.randint(2, 99), rng.randint(9, 40)
    u, cycle = a % 10, units_cycle(a)
    ans = cycle[(k - 1) % len(cycle)]
    problem = f"What is the units digit of ${a}^{{{k}}}$?"
    r = (k - 1) % len(cycle) + 1
    m1 = [f"The units digit of ${a}$ is {u}.",
          f"The units digits of its powers repeat: {', '.join(map(str, cycle))}.",
          f"${k} = {len(cycle)} \\cdot {(k - 1) // len(cycle)} + {r}$, so the units digit is "
          f"the {r}th in the cycle: {ans}."]
    r4 = k % 4 or 4
    m2, d = [f"Units digits of powers repeat every 4: ${a}^{{{k}}}$ ends like ${u}^{{{r4}}}$."], u
    for _ in range(r4 - 1):
        m2.append(f"${d} \\times {u} = {d * u}$, units digit {d * u % 10}.")
        d = d * u % 10
    m2.append(f"The units digit is {ans}.")
    terse = f"The units digits of ${u}^n$ cycle through {', '.join(map(str, cycle))}, so the answer is $\\boxed{{{ans}}}$."
    return (problem, str(ans), {"cycle": finish(m1, ans), "mod4": finish(m2, ans)}, terse,
            ("power", a, k))


def divisor_count(rng, level):
    """Level 5: the number of positive divisors."""
    n = rng.randint(12, 60)  # level 5: the number of positive divisors
    fs = {}
    for p_ in factor_str(n)[1]:
        fs[p_] = fs.get(p_, 0) + 1
    ans = math.prod(e + 1 for e in fs.values())
    shown = " \\cdot ".join(f"{p_}^{{{e}}}" if e > 1 else str(p_) for p_, e in fs.items())
    problem = f"How many positive divisors does ${n}$ have?"
    m1 = [f"${n} = {shown}$.",
          f"Each exponent plus one, multiplied: ${CDOT.join(str(e + 1) for e in fs.values())} = {ans}$."]
    divs = [d for d in range(1, n + 1) if n % d == 0]
    m2 = [f"The divisors of ${n}$ are {', '.join(map(str, divs))}.", f"There are {ans} of them."]
    terse = f"${n} = {shown}$, so it has $\\boxed{{{ans}}}$ divisors."
    return (problem, str(ans), {"exponents": finish(m1, ans), "list": finish(m2, ans)}, terse,
            ("divisors", n))


def digits(rng, level):
    """Units digits, bases and divisor counts: big numbers, small arithmetic."""
    if level <= 2:  # units digit of a product (level 1) or a sum of three (level 2)
        return units_digit_of_sum_or_product(rng, level)
    if level == 3:  # units digit of a power: the cycle of units digits
        return units_digit_of_power(rng, level)
    if level == 4 and rng.random() < 0.5:  # the remainder mod 9 (or 3) from the digit sum
        return remainder_from_digit_sum(rng, level)
    if level == 4:  # base conversion
        return base_conversion(rng, level)
    if rng.random() < 0.5:  # level 5: the units digit of a big power, by its cycle
        return units_digit_of_big_power(rng, level)
    return divisor_count(rng, level)
