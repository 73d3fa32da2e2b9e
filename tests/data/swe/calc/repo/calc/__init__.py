"""A small calculator: checked arithmetic, rounding and an expression evaluator."""

from calc.ops import CalcError, add, div, mean, mul, sub
from calc.parser import evaluate, tokenize
from calc.rounding import round_half_up

__all__ = [
    "CalcError",
    "add",
    "div",
    "evaluate",
    "mean",
    "mul",
    "round_half_up",
    "sub",
    "tokenize",
]
__version__ = "0.3.1"
