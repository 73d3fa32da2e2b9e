"""The parsed form of an answer: small immutable trees, hashable so they can be cached.

Expressions (``Num`` ... ``Marked``) are the leaves of structures (``Seq``, ``Interval``,
``Relation``, ...). Parsing builds these directly from tokens; nothing here is ever
evaluated as Python code.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Num:
    value: Fraction
    places: int | None = None
    """Decimal places as written (``1.50`` -> 2); ``None`` for exact numbers."""
    digits: int = 0
    """Significant digits as written, for decimals."""


@dataclass(frozen=True, slots=True)
class Sym:
    name: str


@dataclass(frozen=True, slots=True)
class Const:
    name: str  # "pi", "e", "i", "inf"


@dataclass(frozen=True, slots=True)
class Add:
    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Mul:
    factors: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Div:
    numerator: Node
    denominator: Node


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node


@dataclass(frozen=True, slots=True)
class PlusMinus:
    """``\\pm x``: stands for both ``x`` and ``-x``; expanded before comparison."""

    operand: Node
    minus_first: bool = False


@dataclass(frozen=True, slots=True)
class Pow:
    base: Node
    exponent: Node


@dataclass(frozen=True, slots=True)
class Call:
    """A known function: sin, log, sqrt, factorial, binom, floor, ..."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Apply:
    """An unknown function applied to arguments, e.g. ``f(x)``."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Marked:
    """A number carrying a unit convention: ``percent`` or ``degree``."""

    unit: str
    operand: Node


# Structures.


@dataclass(frozen=True, slots=True)
class Seq:
    kind: str  # "tuple" (ordered), "set" (order-free, no duplicates), "list" (a multiset)
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Interval:
    low: Node
    high: Node
    low_closed: bool
    high_closed: bool


@dataclass(frozen=True, slots=True)
class Union:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Relation:
    """A chain ``a < b <= c`` or an equation ``y = 2x + 1``."""

    ops: tuple[str, ...]  # each one of "<", "<=", ">", ">=", "=", "!=", "in"
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class SetBuilder:
    variable: Node
    condition: Node


@dataclass(frozen=True, slots=True)
class Matrix:
    rows: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True, slots=True)
class Text:
    """A prose answer, already lower-cased and stripped of punctuation and articles."""

    words: str
    numbers: Node | None = None
    """The numbers written in a prose answer, for comparison with a bare numeric answer."""


@dataclass(frozen=True, slots=True)
class Opaque:
    """An answer too large or too odd to parse; compared by its normalized text only."""

    text: str


Node = (
    Num
    | Sym
    | Const
    | Add
    | Mul
    | Div
    | Neg
    | PlusMinus
    | Pow
    | Call
    | Apply
    | Marked
    | Seq
    | Interval
    | Union
    | Relation
    | SetBuilder
    | Matrix
    | Text
    | Opaque
)

ZERO = Num(Fraction(0))
ONE = Num(Fraction(1))
INFINITY = Const("inf")
