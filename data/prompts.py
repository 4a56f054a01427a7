"""
The two prompt templates. Every script renders text through these functions; nothing else
types a template.

  generator:  "Problem: {P}\\nSolution:"  ->  " {X}" + EOS       (only X and EOS are trained)
  evaluator:  the paper's template, then the label word " correct" or " incorrect"
"""

EOS = "<|endoftext|>"
LABEL_WORDS = (" correct", " incorrect")  # (positive, negative): the next word after the prompt


def generator_prompt(problem):
    return f"Problem: {problem.strip()}\nSolution:"


def generator_target(solution):
    """The supervised text; EOS is appended as a token id, never as text."""
    return " " + solution.strip()


def evaluator_prompt(problem, solution):
    """Liu et al. 2023: 'Here is a math problem: {P}. Here is a candidate solution: {X}. The
    above candidate solution is' -- followed by ' correct' / ' incorrect'."""
    return (f"Here is a math problem: {problem.strip()}. Here is a candidate solution: "
            f"{solution.strip()}. The above candidate solution is")
