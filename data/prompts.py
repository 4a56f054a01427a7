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


EVALUATOR_TAIL = ". The above candidate solution is"  # then ' correct' / ' incorrect'


def evaluator_head(problem):
    """The evaluator prompt up to its solution (which follows after a space)."""
    return f"Here is a math problem: {problem.strip()}. Here is a candidate solution:"


def evaluator_prompt(problem, solution):
    """Liu et al. 2023: 'Here is a math problem: {P}. Here is a candidate solution: {X}. The
    above candidate solution is' -- followed by ' correct' / ' incorrect'."""
    return f"{evaluator_head(problem)} {solution.strip()}{EVALUATOR_TAIL}"
