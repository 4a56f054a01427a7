"""Grading cases from public graders' own tests, not written against grade.py: the second table
(tests/grade_table.py is the first, written with grade.py). Used by tests/test_grade.py and
bench/bench_grade.py, which report agreement on this table apart from the first.

EQUIV rows: (source, gold, pred, expected, ours). `expected` is the source's value; `ours` is
None where this project agrees, else (our value, why our convention differs). Predictions are
answers as a model writes them inside its box (the sources' free-text extraction is in EXTRACT).
EXTRACT rows: (source, solution text, gold, expected, ours): does the answer extracted from the
text grade equal to gold (shortened texts: the sentence holding the answer is kept).

Sources (public repositories, file and test name):
  MV   huggingface/Math-Verify tests/test_all.py (MIT): test_latex_notation_math,
       test_relations_math, test_matrix_extraction, test_percent_notation,
       test_sets_handling, test_number_extraction
  MVQ  the same file, test_complex_math_expressions ("Tests from qwen parser": the cases of
       QwenLM/Qwen2.5-Math evaluation/grader.py _test_math_equal, with expected values)
  HE   hendrycks/math modeling/math_equivalence_test.py (MIT): TestIsEquiv
  QW   QwenLM/Qwen2.5-Math evaluation/grader.py _test_math_equal (printed cases, no asserts;
       the expected value is the one its comments and Math-Verify's copy give)
PRM800K's grader (openai/prm800k grading/grader.py) and lm-eval's minerva_math utils ship no
test cases of their own; their conventions (exact rationals, unordered sets) are the ones
grade.py follows.
"""

EXACT = "this project never rounds: decimals are exact rationals (grade.py docstring)"
ORDER = "comma lists are unordered here (MATH's 'enter all solutions' answers)"
DECOMMA = "a comma is a thousands separator or a list separator here, never a decimal point"

EQUIV = [
    # --- MV test_latex_notation_math / test_latex_notation (the boxed content as pred)
    ("MV", r"3\sqrt{13}", r"3\sqrt{13}", True, None),
    ("MV", r"\frac{3}{56}", r"\frac{3}{56}", True, None),
    ("MV", r"15\mbox{ cm}^2", r"15\mbox{ cm}^2", True, None),
    ("MV", r"15", r"15\mbox{ cm}^2", True, None),
    ("MV", r"-2,1", r"-2,1", True, None),
    ("MV", r"90^\circ", r"90^\circ", True, None),
    ("MV", r"204_5", r"204_5", True, None),
    ("MV", r"(6,31,-1)", r"(6,31,-1)", True, None),
    ("MV", r"1 \pm \sqrt{19}", r"1 \pm \sqrt{19}", True, None),
    ("MV", r"3 \pm 2 \sqrt{2}", r"3 \pm 2 \sqrt{2}", True, None),
    ("MV", r"\{1\pm\sqrt{5},-2\}", r"\{1\pm\sqrt{5},-2\}", True, None),
    ("MV", r"2 \sin b \cos a", r"2 \sin b \cos a", True, None),
    ("MV", r"2 \sin b \cos a", r"2 \cos a \sin b", True, None),
    ("MV", r"\frac{\pi r}{h+r}", r"\frac{\pi r}{h+r}", True, None),
    ("MV", r"\frac{\pi r}{h+r}", r"\frac{r\pi}{r+h}", True, None),
    ("MV", r"125", r"125\textnormal{ miles}", True, None),
    ("MV", r"[-1, -\frac{1}{2}) \cup (-\frac{1}{2}, 0) \cup (0, 1) \cup (1, \infty)",
     r"[-1, -\tfrac12) \cup (-\tfrac12, 0) \cup (0, 1) \cup (1, \infty)", True, None),
    ("MV", r"\sqrt{2}+\sqrt{5}", r"\sqrt 2+\sqrt 5", True, None),
    ("MV", r"\frac{9}{4}\pi", r"\frac94\pi", True, None),
    ("MV", r"\{-1\} \cup [0,7)", r"x \in \{-1\} \cup [0,7)", True, None),
    ("MV", r"\text{Evelyn}", r"\text{Evelyn}", True, None),
    ("MV", r"\frac{14}{3}", r"\frac{14}{3}", True, None),
    ("MV", r"1/3", r"\frac13", True, None),
    ("MV", "1", r"\frac3{3}", True, None),
    ("MV", r"\sqrt{3}", r"\sqrt3", True, None),
    ("MV", "1/3", r"\cfrac{1}{3}", True, None),
    ("MV", "1/3", r"\left( \frac{1}{3} \right)", True, None),
    ("MV", "1/3", r"\boxed{\frac{1}{3}}", True, None),
    ("MV", "1/3", r"\frac{1}{3} \text{meters}", True, None),
    ("MV", "1/3", r"k = \frac{1}{3}", True, None),
    ("MV", "12 and 13", r"12\text{ and }13", True, None),
    ("MV", r"\left( 3, \frac{\pi}{2} \right)", r"(3, \frac{\pi}{2})", True, None),
    # --- MV test_relations_math
    ("MV", "x >= 5", r"x \geq 5", True, None),
    ("MV", "x < 3", r"x \lt 3", True, None),
    ("MV", r"x \leq 2", "x <= 2", True, None),
    ("MV", "x > 5", r"x \gt 5", True, None),
    ("MV", "x != 3", r"x \neq 3", True, None),
    ("MV", "x > 5", "x < 5", False, None),
    ("MV", r"x \geq 5", r"x \leq 5", False, None),
    ("MV", r"x \leq 5", r"5 \geq x", True, None),
    ("MV", r"x \geq 5", r"5 \leq x", True, None),
    ("MV", "7 = 11a+c", "11a+c", False, None),
    ("MV", "11", "x=11", True, None),
    ("MV", "x < 1", "-x > -1", True, None),
    ("MV", "x < 1", "x > -1", False, None),
    ("MV", "x <= 1", "-x >= -1", True, None),
    ("MV", "a +3z = 0", "0", False, None),
    ("MV", "2x + z = 1", "1", False, None),
    ("MV", "a^2 + b = 0", "0", False, None),
    ("MV", "k=1", "1", True, None),
    ("MV", "1", "k=1", True, None),
    ("MV", "2x+4y-3=0", r"y=-\frac{1}{2}x+\frac{3}{4}", True, None),
    ("MV", "x^2/4 + y^2/3 = 1", "x^2/16 + y^2/12 = 1/4", True, None),
    # --- MV test_matrix_extraction
    (r"MV", r"\begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix}", r"\begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix}", True, None),
    ("MV", r"\begin{bmatrix}0 & 0 \\0 & 0\end{bmatrix}", r"\begin{pmatrix}0 & 0 \\0 & 0\end{pmatrix}", True, None),
    ("MV", r"\begin{pmatrix}1 & 2 \\3 & 4\end{pmatrix}",
     r"\left[\begin{array}{cc}1 & 2 \\3 & 4\end{array}\right]", True, None),
    ("MV", r"\begin{pmatrix}\frac{1}{2} & \frac{3}{4} \\ \frac{5}{6} & \frac{7}{8}\end{pmatrix}",
     r"\begin{pmatrix}\frac{1}{2} & \frac{3}{4} \\ \frac{5}{6} & \frac{7}{8}\end{pmatrix}", True, None),
    ("MV", r"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}", r"\begin{pmatrix}1 & 2 \\ 3 & 5\end{pmatrix}", False, None),
    # --- MV test_percent_notation
    (r"MV", r"28\%", "28", True, None),
    ("MV", r"28\%", "28 %", True, None),
    ("MV", r"28\%", "28 percent", True, None),
    ("MV", "0.28", "28", False, None),
    ("MV", "28/100", "28", False, None),
    ("MV", "28", "28/100", False, None),
    ("MV", r"\frac{28}{100}", "28", False, None),
    # --- MV test_sets_handling
    ("MV", "[0,1)", "[0,1)", True, None),
    ("MV", "[0,9)", "[0,1)", False, None),
    ("MV", "(0,9)", "[0,9)", False, None),
    ("MV", "1", "-[0,1)", False, None),
    # --- MV test_number_extraction / test_simple_fraction_notation (answers, not free text)
    ("MV", "-5", "-5", True, None),
    ("MV", "7425000", "7,425,000", True, None),
    ("MV", "1000", "1000.0", True, None),
    ("MV", "1000.0", "1,000.0", True, None),
    ("MV", "1000.99", "1,000.99", True, None),
    ("MV", "0.4", ".4", True, None),
    ("MV", "1000.99", r"\$1,000.99", True, None),
    ("MV", "10/9", r"\frac{10}{9}", True, None),
    ("MV", "-10/9", r"-\frac{10}{9}", True, None),
    ("MV", "1000.99", "1000,99", True, (False, DECOMMA)),
    ("MV", "1,22", "1.22", True, (False, DECOMMA)),
    ("MV", "2", "AZYUK2A", False, None),
    # --- MVQ test_complex_math_expressions (Qwen2.5-Math's cases)
    ("MVQ", r"\frac{1}{12}", "0.0833333333333333", True, (False, EXACT)),
    ("MVQ", r"(1,\frac{9}{2})", "(1,4.5)", True, None),
    ("MVQ", r"\frac{x+2}{7}", r"\frac{x}{7}+\frac{2}{7}", True, None),
    ("MVQ", r"\tan^2(y)+1", r"\sec^2(y)", True, None),
    ("MVQ", r"\begin{pmatrix}-\frac{7}{4}&-2\\4&\frac{1}{4}\\\end{pmatrix}",
     r"\begin{pmatrix}-\frac{7}{4}&-2\\4&\frac{1}{4}\\\end{pmatrix}", True, None),
    ("MVQ", "34x+45y-20z+100=0", "-34x-45y+20z-100=0", True, None),
    ("MVQ", r"\frac{\sqrt{\sqrt{11}+\sqrt{194}}}{15+2\sqrt{33}}",
     r"\frac{\sqrt{\sqrt{11}+\sqrt{194}}}{2\sqrt{33}+15}", True, None),
    ("MVQ", "(a+5)(b+2)", "(+5)(b+2)", False, None),
    ("MVQ", "2", r"\frac{1+\sqrt{5}}{2}", False, None),
    ("MVQ", "4", r"\frac{34}{16}+\frac{\sqrt{1358}}{16}", False, None),
    ("MVQ", r"1\sqrt{19}", "1", False, None),
    ("MVQ", r"(\frac{3}{5},\frac{8}{3}]", "(0.6,2.6667]", True, (False, EXACT)),
    ("MVQ", "x+2n+1", "x+1", False, None),
    # --- QW _test_math_equal
    ("QW", r"\frac{1}{12}", "1/12", True, None),
    ("QW", r"(1,\frac{9}{2})", "(1.0,4.5)", True, None),
    ("QW", "16", "$16.0$", True, None),
    ("QW", "3*s**2", "3s^2", True, (False, "'**' is Python, not LaTeX: the parser refuses it")),
    ("QW", "7(x+3)(x-3)", "7*(x - 3)*(x + 3)", True, None),
    ("QW", r"\frac{100}{3}", "33.3", False, None),
    ("QW", r"\frac1{6}", "1/6", True, None),
    # --- HE TestIsEquiv (gold = test_out, pred = test_in)
    ("HE", r"\frac{1}{2} + 2/3", r"\tfrac{1}{2} + \frac1{72}", False, None),
    ("HE", "4, 10, -2", "10, 4, -2", False, (True, ORDER)),
    ("HE", "4, 12, 2", "10, 4, 2", False, None),
    ("HE", r"\dfrac{1}{2} +\frac{1}{72}", r"\tfrac{1}{2} +\! \frac1{72}", True, None),
    ("HE", "10 ", r"10\text{ units}", True, None),
    ("HE", "100 ", r"10\text{ units}", False, None),
    ("HE", r"\$10", "10", True, None),
    ("HE", "(x-2)(x+2)", r"\left(x-2\right)\left(x+2\right)", True, None),
    ("HE", "4, .1, 2", "0.1, 4, 2", False, (True, ORDER)),
    ("HE", ".1", "0.1", True, None),
    ("HE", "10", r"10\%", True, None),
    ("HE", r"10\sqrt3 + \sqrt{4}", r"10\sqrt{3} + \sqrt4", True, None),
    ("HE", r"\frac{3}{4}i", r"\frac34i", True, None),
    ("HE", r"\frac{8}{3}", r"\tfrac83", True, None),
    ("HE", "x + y - z + 2 = 0", "5x - 7y + 11z + 4 = 0", False, None),
    ("HE", r"\frac{1}{2}", "1/2", True, None),
]

EXTRACT = [
    # --- MV test_latex_notation_math (solutions shortened to the sentence with the answer)
    ("MV", "2-2p", r"If $2-x=p$, then $x=2-p$. Thus $x-p=\boxed{2-2p}$.", True, None),
    ("MV", r"3\sqrt{13}", r"& = \sqrt{117} = \boxed{3\sqrt{13}}. \end{align*}", True, None),
    ("MV", r"\frac{14}{3}", r"$=2+\frac{5}{3}+1=\boxed{\frac{14}{3}}$", True, None),
    ("MV", r"\text{Evelyn}", r"Therefore, $\boxed{\text{Evelyn}}$ is our answer.", True, None),
    ("MV", r"90^\circ", r"&= \boxed{90^\circ}. \end{align*}", True, None),
    ("MV", "0", r"the degree of $p(x)$ is $\boxed{0}.$", True, None),
    ("MV", "9", r"$129^{34}+96^{38} \equiv \boxed{9} \pmod{11}.$", True, None),
    ("MV", "(6,31,-1)", r"we find $(p,q,r) = \boxed{(6,31,-1)}.$", True, None),
    ("MV", r"\left( 3, \frac{\pi}{2} \right)",
     r"the polar coordinates are $\boxed{\left( 3, \frac{\pi}{2} \right)}.$", True, None),
    ("MV", r"14{,}916", r"Therefore, $\boxed{14{,}916}$ is our answer.", True, None),
    ("MV", r"28\%", r"making for a total loss of $\boxed{28\%}$.", True, None),
    ("MV", "125 miles", r"The distance is $\boxed{125\textnormal{ miles}}.$", True, None),
    ("MV", "189", "**Final Answer**\n\\boxed{189}\n</think>\n\nThus, the area is \\(\\boxed{189}\\) "
     "square centimeters.", True, None),
    # --- MV issue cases: Minerva's 'Final Answer: ...' line
    ("MV", "[0,1)", "Combining these conditions, the domain is $(0, 1)$. Final Answer: The final "
     "answer is $(0, 1)$. I hope it is correct.", False, None),
    ("MV", "28\\%", r"The overall percent loss is $28 \%$. Final Answer: The final answer is "
     r"$28 \%$. I hope it is correct.", True, None),
    ("MV", "14{,}916", "This number is divisible by both 3 and 4. Final Answer: The final answer "
     "is $14 {, }916$. I hope it is correct.", True, None),
    # --- MV test_latex_notation: answers not in a box or a final-answer line
    ("MV", "9", r"Answer $ 9 $", True,
     (False, "only \\boxed{} and 'final answer is' are read: our prompts ask for \\boxed{}")),
    ("MV", "2/3", "Therefore, the probability that Alice wins the game is 2/3.", True,
     (False, "only \\boxed{} and 'final answer is' are read: our prompts ask for \\boxed{}")),
]
