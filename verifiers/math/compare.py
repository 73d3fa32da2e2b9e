"""Is a candidate answer equivalent to a gold answer? Both are parsed trees.

Numbers are compared exactly as rationals when both sides have exact values; decimals
get a tolerance tied to the precision they are written with. Expressions with free
symbols are compared as functions: at :data:`~verifiers.math.evaluate.POINTS` assignments
of their symbols, the same on both sides. Structures are compared by their own rules:
tuples in order, sets and bare lists order-free, intervals by ends and closedness.
"""

from __future__ import annotations

import cmath
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from verifiers.math.evaluate import (
    POINTS,
    STEP_FUNCTIONS,
    STEP_POINTS,
    NotExact,
    TooLarge,
    exact,
    numeric,
)
from verifiers.math.nodes import (
    INFINITY,
    Add,
    Apply,
    Call,
    Const,
    Div,
    Interval,
    Marked,
    Matrix,
    Mul,
    Neg,
    Node,
    Num,
    Opaque,
    PlusMinus,
    Pow,
    Relation,
    Seq,
    SetBuilder,
    Sym,
    Text,
    Union,
)

MAX_EXPANSIONS = 64
MAX_ITEMS = 5000
MAX_PAIRWISE = 40_000
MAX_SCIENTIFIC_EXPONENT = 400
INTEGER_PARAMETERS = frozenset("knmjl")
"""Names of the integer parameter in periodic solutions: ``\\pi/6 + k\\pi`` = ``\\pi/6 + n\\pi``."""
SUBJECT_MIN_WORDS = 4
SUBJECT_MAX_WORDS = 3
_NEGATIONS = frozenset({"not", "no", "never", "cannot", "t", "neither", "nor", "none", "nothing"})
_NOT_SUBJECTS = frozenset(
    {"yes", "no", "true", "false", "it", "there", "this", "that", "they", "he", "she", "we"}
)
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}
_INEQUALITIES = frozenset({"<", ">", "<=", ">="})
_SCALARS = (Num, Sym, Const, Add, Mul, Div, Neg, Pow, Call, Apply, Marked)


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How closely numbers must agree."""

    rel_tol: float = 1e-9
    """Relative tolerance for values that have no exact rational form (radicals, pi, ...)."""
    precision_units: float = 1.0
    """A decimal gold accepts candidates closer than this many units in its last written place."""
    min_rounded_digits: int = 3
    """A decimal candidate rounding an exact gold needs this many significant digits."""


def equivalent(gold: Node, candidate: Node, tolerance: Tolerance = Tolerance()) -> bool:
    return _Comparer(tolerance).answers(gold, candidate)


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        for name in getattr(current, "__slots__", ()):
            child = getattr(current, name)
            if isinstance(child, tuple):
                for item in child:
                    if isinstance(item, tuple):
                        stack.extend(item)
                    elif not isinstance(item, str):
                        stack.append(item)
            elif hasattr(child, "__slots__") and not isinstance(child, Fraction):
                stack.append(child)


@lru_cache(maxsize=8192)
def free_symbols(node: Node) -> frozenset[str]:
    return frozenset(n.name for n in _walk(node) if isinstance(n, Sym))


@lru_cache(maxsize=8192)
def _has(node: Node, kind: type) -> bool:
    return any(isinstance(n, kind) for n in _walk(node))


def _has_pi(node: Node) -> bool:
    return any(isinstance(n, Const) and n.name == "pi" for n in _walk(node))


def expand_plus_minus(node: Node) -> tuple[Node, ...]:
    """Every reading of the ``\\pm`` signs in ``node``; ``(node,)`` when there is none."""
    if not _has(node, PlusMinus):
        return (node,)
    match node:
        case PlusMinus(operand=operand, minus_first=minus_first):
            signs = (Neg, lambda x: x) if minus_first else (lambda x: x, Neg)
            readings = expand_plus_minus(operand)
            if 2 * len(readings) > MAX_EXPANSIONS:
                raise TooLarge("too many plus-minus readings")
            return tuple(sign(v) for v in readings for sign in signs)
    fields = [getattr(node, name) for name in node.__slots__]
    options = []
    for value in fields:
        if isinstance(value, tuple) and value and not isinstance(value[0], (str, tuple)):
            readings = [expand_plus_minus(item) for item in value]
            if math.prod(map(len, readings)) > MAX_EXPANSIONS:
                raise TooLarge("too many plus-minus readings")
            options.append([tuple(c) for c in itertools.product(*readings)])
        elif isinstance(value, (*_SCALARS, PlusMinus, Seq, Interval, Relation)):
            options.append(list(expand_plus_minus(value)))
        else:
            options.append([value])
    results = []
    for combination in itertools.product(*options):
        results.append(type(node)(*combination))
        if len(results) > MAX_EXPANSIONS:
            raise TooLarge("too many plus-minus readings")
    return tuple(results)


def _is_label(node: Node) -> bool:
    match node:
        case Sym() | Apply():
            return True
        case Seq(kind="tuple", items=items):
            return all(isinstance(item, Sym) for item in items)
    return False


def label_value(node: Node) -> Node | None:
    """``x = 5`` -> ``5``; ``f(x) = x+1`` -> ``x+1``; ``x = y = 1`` -> ``1``."""
    if (
        isinstance(node, Relation)
        and set(node.ops) == {"="}
        and all(_is_label(operand) for operand in node.operands[:-1])
    ):
        return node.operands[-1]
    if isinstance(node, Relation) and node.ops == ("in",) and _is_label(node.operands[0]):
        return node.operands[1]
    return None


def _labels(node: Node) -> dict[Node, Node] | None:
    if not isinstance(node, Seq) or node.kind != "list":
        return None
    pairs = {}
    for item in node.items:
        value = label_value(item)
        if value is None or len(item.operands) != 2:
            return None
        pairs[item.operands[0]] = value
    return pairs if len(pairs) == len(node.items) else None


def _literal(node: Node) -> Num | None:
    """A number as written, with its precision: ``-1.50``, or ``6.02 \\times 10^{23}``."""
    while isinstance(node, Neg):
        node = node.operand
    if isinstance(node, Num):
        return node
    match node:
        case Mul(factors=(Num(places=int()) as mantissa, Pow(base=Num(value=10), exponent=power))):
            shift = _literal(power)
            if (
                shift is not None
                and shift.places is None
                and shift.value.denominator == 1
                and abs(shift.value) <= MAX_SCIENTIFIC_EXPONENT
            ):
                exponent = int(shift.value) * (-1 if isinstance(power, Neg) else 1)
                return Num(mantissa.value, mantissa.places - exponent, mantissa.digits)
    return None


def _constant_chain(node: Node) -> bool:
    return (
        isinstance(node, Relation)
        and set(node.ops) == {"="}
        and not any(free_symbols(operand) for operand in node.operands)
    )


def _decimal_places(node: Node) -> int | None:
    literal = _literal(node)
    return literal.places if literal else None


def _percent_of(node: Node) -> Node:
    literal = _literal(node)
    if literal is not None and node == literal:
        places = None if literal.places is None else literal.places + 2
        return Num(literal.value / 100, places, literal.digits)
    return Div(node, Num(Fraction(100)))


class _Comparer:
    def __init__(self, tolerance: Tolerance) -> None:
        self.tolerance = tolerance

    # Whole answers.

    def answers(self, gold: Node, candidate: Node) -> bool:
        gold_labels, candidate_labels = _labels(gold), _labels(candidate)
        if gold_labels and candidate_labels and gold_labels.keys() == candidate_labels.keys():
            return all(self.same(gold_labels[k], candidate_labels[k]) for k in gold_labels)
        return any(self.same(g, c) for g in self.views(gold) for c in self.views(candidate))

    def views(self, node: Node) -> Iterator[Node]:
        """The readings of an answer: as written, without labels, prose as its numbers."""
        yield node
        value = label_value(node)
        if value is not None:
            yield from self.views(value)
        elif _constant_chain(node):
            yield from node.operands  # "\\frac{\\sqrt5-1}{2} \\approx 0.618": either side
        if isinstance(node, Seq) and node.kind == "list":
            values = [label_value(item) for item in node.items]
            if any(v is not None for v in values):
                yield Seq("list", tuple(v or i for v, i in zip(values, node.items, strict=True)))
        if isinstance(node, Seq) and len(node.items) == 1:
            yield from self.views(node.items[0])
        if isinstance(node, Text) and node.numbers is not None:
            yield node.numbers

    def same(self, gold: Node, candidate: Node) -> bool:
        try:
            golds, candidates = self.expanded(gold), self.expanded(candidate)
        except TooLarge:
            return gold == candidate
        if len(golds) > 1 or len(candidates) > 1:
            return self.collections(_as_list(golds), _as_list(candidates))
        gold, candidate = golds[0], candidates[0]
        if isinstance(gold, Opaque | Text) or isinstance(candidate, Opaque | Text):
            return self.texts(gold, candidate)
        if _is_region(gold) or _is_region(candidate):
            gold_region, candidate_region = self.region(gold), self.region(candidate)
            if gold_region is not None and candidate_region is not None:
                return self.matched(list(gold_region), list(candidate_region), self.intervals)
        if isinstance(gold, Seq) and isinstance(candidate, Seq):
            return self.collections(gold, candidate)
        if isinstance(gold, Matrix) or isinstance(candidate, Matrix):
            return self.matrices(gold, candidate)
        if isinstance(gold, Relation) and isinstance(candidate, Relation):
            return self.relations(gold, candidate)
        if isinstance(gold, Relation) and isinstance(candidate, _SCALARS):
            return self.solves(gold, candidate)
        if isinstance(gold, _SCALARS) and isinstance(candidate, _SCALARS):
            return self.scalars(gold, candidate)
        return False

    def expanded(self, node: Node) -> tuple[Node, ...]:
        if isinstance(node, Seq) and node.kind in ("list", "set"):
            items = tuple(v for item in node.items for v in expand_plus_minus(item))
            return (Seq(node.kind, items),)
        return expand_plus_minus(node)

    # Text.

    def texts(self, gold: Node, candidate: Node) -> bool:
        if isinstance(gold, Text) and isinstance(candidate, Text):
            if gold.words == candidate.words:
                return True
            if sorted(gold.words.split(" and ")) == sorted(candidate.words.split(" and ")):
                return True
            return _names_subject(gold.words, candidate.words)
        if isinstance(gold, Opaque) and isinstance(candidate, Opaque):
            return gold.text == candidate.text
        return False

    # Collections.

    def collections(self, gold: Seq, candidate: Seq) -> bool:
        if max(len(gold.items), len(candidate.items)) > MAX_ITEMS:
            return gold == candidate
        kinds = {gold.kind, candidate.kind}
        if kinds == {"tuple"} or kinds == {"tuple", "list"}:
            return len(gold.items) == len(candidate.items) and all(
                self.same(g, c) for g, c in zip(gold.items, candidate.items, strict=True)
            )
        gold_items, candidate_items = list(gold.items), list(candidate.items)
        if "set" in kinds and max(len(gold_items), len(candidate_items)) > 1:
            try:
                gold_items = self.distinct(gold_items)
                candidate_items = self.distinct(candidate_items)
            except TooLarge:
                return gold == candidate
        return self.matched(gold_items, candidate_items)

    def distinct(self, items: list[Node]) -> list[Node]:
        seen_values: set = set()
        kept: list[Node] = []
        for item in items:
            key = _exact_key(item)
            if key is not None:
                if key not in seen_values:
                    seen_values.add(key)
                    kept.append(item)
            elif len(kept) * len(items) > MAX_PAIRWISE:
                raise TooLarge("set too large to compare")
            elif not any(self.same(other, item) for other in kept):
                kept.append(item)
        return kept

    def matched(
        self,
        golds: list[Node],
        candidates: list[Node],
        equal: Callable[[Node, Node], bool] | None = None,
    ) -> bool:
        """A one-to-one pairing of equal items (greedy: equality is transitive)."""
        if len(golds) != len(candidates):
            return False
        if equal is None:
            equal = self.same
            golds, candidates = _without_exact_pairs(golds, candidates)
            if len(golds) * len(candidates) > MAX_PAIRWISE:
                return False
        remaining = list(candidates)
        for gold in golds:
            for index, candidate in enumerate(remaining):
                if equal(gold, candidate):
                    del remaining[index]
                    break
            else:
                return False
        return True

    def matrices(self, gold: Node, candidate: Node) -> bool:
        gold_rows, candidate_rows = _rows(gold), _rows(candidate)
        if gold_rows is None or candidate_rows is None:
            return False
        if len(gold_rows) != len(candidate_rows):
            return False
        return all(
            len(g) == len(c) and all(self.same(a, b) for a, b in zip(g, c, strict=True))
            for g, c in zip(gold_rows, candidate_rows, strict=True)
        )

    # Intervals and inequalities.

    def region(self, node: Node) -> tuple[Interval, ...] | None:
        match node:
            case Interval():
                return (node,)
            case Union(parts=parts):
                regions = [self.region(part) for part in parts]
                if any(r is None for r in regions):
                    return None
                return tuple(i for r in regions for i in r)
            case SetBuilder(condition=condition):
                return self.region(condition)
            case Seq(kind="tuple", items=(low, high)):
                return (Interval(low, high, False, False),)
            case Seq(kind="list", items=items) if items and all(
                isinstance(i, Relation) for i in items
            ):
                regions = [self.region(item) for item in items]
                if any(r is None for r in regions):
                    return None
                return tuple(i for r in regions for i in r)
            case Relation():
                return _relation_region(node)
        return None

    def intervals(self, gold: Interval, candidate: Interval) -> bool:
        return (
            _closed(gold.low, gold.low_closed) == _closed(candidate.low, candidate.low_closed)
            and _closed(gold.high, gold.high_closed)
            == _closed(candidate.high, candidate.high_closed)
            and self.scalars(gold.low, candidate.low)
            and self.scalars(gold.high, candidate.high)
        )

    def relations(self, gold: Relation, candidate: Relation) -> bool:
        if set(gold.ops) == {"="} and set(candidate.ops) == {"="}:
            if len(gold.ops) == 1 and len(candidate.ops) == 1:
                return self.equations(gold, candidate)
            return False
        gold_ops, gold_operands = _ascending(gold)
        candidate_ops, candidate_operands = _ascending(candidate)
        if gold_ops != candidate_ops:
            return False
        return all(self.same(g, c) for g, c in zip(gold_operands, candidate_operands, strict=True))

    def equations(self, gold: Relation, candidate: Relation) -> bool:
        """Same solution set: ``lhs - rhs`` of one is a constant multiple of the other's."""
        gold_difference = Add((gold.operands[0], Neg(gold.operands[1])))
        candidate_difference = Add((candidate.operands[0], Neg(candidate.operands[1])))
        if not all(_has_symbols(n) for n in (gold_difference, candidate_difference)):
            return False
        ratios = []
        for point in range(POINTS):
            g, c = numeric(gold_difference, point), numeric(candidate_difference, point)
            if cmath.isnan(g) or cmath.isnan(c):
                continue
            if abs(c) < 1e-12:
                if abs(g) < 1e-12:
                    continue
                return False
            ratios.append(g / c)
        if len(ratios) < 3 or abs(ratios[0]) < 1e-12:
            return False
        return all(_close(r, ratios[0], 1e-8) for r in ratios)

    def solves(self, gold: Relation, candidate: Node) -> bool:
        """``xy = 6`` and ``6/x``: the candidate is the solution for a symbol it lacks.

        Only for an equation that determines that symbol uniquely (it is linear in it), so
        ``\\sqrt{1-x^2}`` does not pass for ``x^2+y^2=1``.
        """
        if gold.ops != ("=",) or not free_symbols(candidate):
            return False
        difference = Add((gold.operands[0], Neg(gold.operands[1])))
        for name in sorted(free_symbols(gold) - free_symbols(candidate)):
            if not _linear_in(difference, name):
                continue
            agreeing = 0
            for point in range(_points(gold, candidate)):
                value = numeric(candidate, point)
                residual = numeric(difference, point, overrides={name: value})
                if cmath.isnan(value) or cmath.isnan(residual):
                    continue
                scale = max(abs(value), abs(numeric(gold.operands[1], point)), 1.0)
                if abs(residual) > 1e-8 * scale:
                    break
                agreeing += 1
            else:
                if agreeing >= 3:
                    return True
        return False

    # Numbers and expressions.

    def scalars(self, gold: Node, candidate: Node) -> bool:
        return any(self.values(g, c) for g, c in _unit_readings(gold, candidate))

    def values(self, gold: Node, candidate: Node) -> bool:
        if gold == candidate:
            return True
        if (
            free_symbols(gold)
            or free_symbols(candidate)
            or _has(gold, Apply)
            or _has(candidate, Apply)
        ):
            return self.identity(gold, candidate)
        try:
            gold_value, candidate_value = exact(gold), exact(candidate)
        except TooLarge:
            return False
        except NotExact:
            gold_value, candidate_value = numeric(gold, 0), numeric(candidate, 0)
            if cmath.isnan(gold_value) or cmath.isnan(candidate_value):
                return _infinite(gold) is not None and _infinite(gold) == _infinite(candidate)
            written_decimal = (_decimal_places(gold), _decimal_places(candidate)) != (None, None)
            if not written_decimal and _close(gold_value, candidate_value, self.tolerance.rel_tol):
                return True  # a decimal is held to the precision it is written with, below
            if abs(gold_value.imag) > 1e-12 or abs(candidate_value.imag) > 1e-12:
                return False
            return self.within_precision(gold, candidate, gold_value.real, candidate_value.real)
        if gold_value == candidate_value:
            return True
        return self.within_precision(gold, candidate, gold_value, candidate_value)

    def within_precision(
        self, gold: Node, candidate: Node, gold_value: Fraction | float, value: Fraction | float
    ) -> bool:
        difference = abs(gold_value - value)
        candidate_literal = _literal(candidate)
        gold_places, candidate_places = _decimal_places(gold), _decimal_places(candidate)
        if gold_places is not None:
            unit = Fraction(10) ** -gold_places * Fraction(self.tolerance.precision_units)
            if difference < unit * (1 - Fraction(1, 10**9)):
                return True
        if candidate_places is not None and (gold_places is None or candidate_places < gold_places):
            needed = 2 if gold_places is not None else self.tolerance.min_rounded_digits
            half_unit = Fraction(10) ** -candidate_places / 2
            return candidate_literal.digits >= needed and difference <= half_unit * (
                1 + Fraction(1, 10**9)
            )
        return False

    def identity(self, gold: Node, candidate: Node) -> bool:
        """Equal as functions of their symbols, at every point where both are defined."""
        renames = _parameter_renames(gold, candidate)
        agreeing = 0
        for point in range(_points(gold, candidate)):
            g, c = numeric(gold, point), numeric(candidate, point, renames)
            if cmath.isnan(g) or cmath.isnan(c):
                continue
            if not _close(g, c, 1e-8):
                return False
            agreeing += 1
        return agreeing >= 3 or (agreeing == 0 and gold == candidate)


def _names_subject(sentence: str, phrase: str) -> bool:
    """``Kafelnikov`` answers ``Kafelnikov served in the first game``: the sentence's subject."""
    sentence_words, phrase_words = sentence.split(), phrase.split()
    return (
        len(sentence_words) >= SUBJECT_MIN_WORDS
        and 0 < len(phrase_words) <= SUBJECT_MAX_WORDS
        and sentence_words[: len(phrase_words)] == phrase_words
        and not _NEGATIONS & set(sentence_words)
        and not _NEGATIONS & set(phrase_words)
        and phrase_words[0] not in _NOT_SUBJECTS
    )


def _as_list(readings: tuple[Node, ...]) -> Seq:
    """The readings of a ``\\pm`` as a list; a single list stays itself."""
    if len(readings) == 1 and isinstance(readings[0], Seq):
        return readings[0]
    return Seq("list", readings)


def _exact_key(node: Node) -> Fraction | tuple | None:
    """The exact value of a plain number or tuple of them: the cheap way to pair long lists."""
    if isinstance(node, Seq) and node.kind == "tuple":
        keys = tuple(_exact_key(item) for item in node.items)
        return None if None in keys else keys
    if not isinstance(node, Num | Neg | Div) or _has(node, Sym) or _literal_decimal(node):
        return None
    try:
        return exact(node)
    except (NotExact, TooLarge):
        return None


def _literal_decimal(node: Node) -> bool:
    return any(isinstance(n, Num) and n.places is not None for n in _walk(node))


def _without_exact_pairs(golds: list[Node], candidates: list[Node]) -> tuple[list, list]:
    """Remove items paired by equal exact values; what is left is compared pairwise."""
    by_value: dict[Fraction, list[Node]] = {}
    for candidate in candidates:
        key = _exact_key(candidate)
        if key is not None:
            by_value.setdefault(key, []).append(candidate)
    paired: set[int] = set()
    golds_left = []
    for gold in golds:
        key = _exact_key(gold)
        bucket = by_value.get(key) if key is not None else None
        if bucket:
            paired.add(id(bucket.pop()))
        else:
            golds_left.append(gold)
    return golds_left, [c for c in candidates if id(c) not in paired]


def _is_region(node: Node) -> bool:
    """Written as a set of reals: an interval, a union, an inequality, ``x<1 or x>2``."""
    if isinstance(node, Seq) and node.kind == "list" and node.items:
        return all(_is_region(item) for item in node.items)
    return isinstance(node, Interval | Union | SetBuilder) or (
        isinstance(node, Relation) and bool(set(node.ops) & (_INEQUALITIES | {"!="}))
    )


def _linear_in(expression: Node, name: str) -> bool:
    """``expression`` is affine in the symbol ``name`` with a non-zero slope (sampled)."""
    for point in range(2):
        values = [numeric(expression, point, overrides={name: complex(v)}) for v in (0.5, 1.5, 4)]
        if any(cmath.isnan(v) for v in values):
            return False
        slope = values[1] - values[0]
        if abs(slope) < 1e-12 or not _close((values[2] - values[0]) / 3.5, slope, 1e-8):
            return False
    return True


def _points(*nodes: Node) -> int:
    """Step functions agree on small ranges; they are compared at more, wider points."""
    for node in nodes:
        if any(isinstance(n, Call) and n.name in STEP_FUNCTIONS for n in _walk(node)):
            return STEP_POINTS
    return POINTS


def _has_symbols(node: Node) -> bool:
    return bool(free_symbols(node))


def _close(a: complex, b: complex, rel_tol: float) -> bool:
    return abs(a - b) <= rel_tol * max(abs(a), abs(b)) + 1e-12


def _infinite(node: Node) -> int | None:
    if node == INFINITY:
        return 1
    if isinstance(node, Neg) and node.operand == INFINITY:
        return -1
    return None


def _closed(end: Node, closed: bool) -> bool:
    """An infinite end is open however it is written."""
    return closed and _infinite(end) is None


def _unit_readings(gold: Node, candidate: Node) -> list[tuple[Node, Node]]:
    """Percent and degree conventions: ``10\\%`` ~ ``10`` ~ ``0.1``; ``30^\\circ`` ~ ``\\pi/6``."""
    gold_unit = gold.unit if isinstance(gold, Marked) else None
    candidate_unit = candidate.unit if isinstance(candidate, Marked) else None
    if gold_unit == candidate_unit:
        if gold_unit is None:
            return [(gold, candidate)]
        return [(gold.operand, candidate.operand)]
    readings = [(gold, candidate)]
    if gold_unit and not candidate_unit:
        readings += [(gold.operand, candidate), (_in_base_unit(gold), candidate)]
    elif candidate_unit and not gold_unit:
        readings += [(gold, candidate.operand), (gold, _in_base_unit(candidate))]
    return readings


def _in_base_unit(node: Marked) -> Node:
    if node.unit == "percent":
        return _percent_of(node.operand)
    return Mul((node.operand, Div(Const("pi"), Num(Fraction(180)))))


def _parameter_renames(gold: Node, candidate: Node) -> dict[str, str] | None:
    gold_only = free_symbols(gold) - free_symbols(candidate)
    candidate_only = free_symbols(candidate) - free_symbols(gold)
    if (
        len(gold_only) == len(candidate_only) == 1
        and gold_only <= INTEGER_PARAMETERS
        and candidate_only <= INTEGER_PARAMETERS
        and _has_pi(gold)
        and _has_pi(candidate)
    ):
        return {next(iter(candidate_only)): next(iter(gold_only))}
    return None


def _ascending(relation: Relation) -> tuple[tuple[str, ...], tuple[Node, ...]]:
    """Write a chain with ``<``/``<=`` (``a > b`` becomes ``b < a``)."""
    if any(op in (">", ">=") for op in relation.ops):
        return tuple(_FLIP[op] for op in reversed(relation.ops)), tuple(reversed(relation.operands))
    return relation.ops, relation.operands


def _relation_region(relation: Relation) -> tuple[Interval, ...] | None:
    ops, operands = _ascending(relation)
    if ops == ("in",):
        return None
    variables = [i for i, o in enumerate(operands) if isinstance(o, Sym)]
    if len(variables) != 1 or not set(ops) <= _INEQUALITIES | {"!="}:
        return None
    index = variables[0]
    name = operands[index].name
    if any(name in free_symbols(o) for i, o in enumerate(operands) if i != index):
        return None
    if ops == ("!=",):
        value = operands[1 - index]
        return (
            Interval(Neg(INFINITY), value, False, False),
            Interval(value, INFINITY, False, False),
        )
    if "!=" in ops or len(ops) > 2:
        return None
    low, high = Neg(INFINITY), INFINITY
    low_closed = high_closed = False
    if index > 0:
        low, low_closed = operands[index - 1], ops[index - 1] == "<="
    if index < len(ops):
        high, high_closed = operands[index + 1], ops[index] == "<="
    return (Interval(low, high, low_closed, high_closed),)


def _rows(node: Node) -> tuple[tuple[Node, ...], ...] | None:
    if isinstance(node, Matrix):
        return node.rows
    if isinstance(node, Seq) and node.kind == "tuple":
        return tuple((item,) for item in node.items)
    return None
