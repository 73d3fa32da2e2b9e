"""Is a candidate answer equivalent to a gold answer? Both are parsed trees.

Numbers are compared exactly as rationals when both sides have exact values; decimals
get a tolerance tied to the precision they are written with. Expressions with free
symbols are compared as functions: at :data:`~verifiers.math.evaluate.POINTS` assignments
of their symbols, the same on both sides. Structures are compared by their own rules:
tuples in order, sets and bare lists order-free, intervals by ends and closedness.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

from verifiers.math.evaluate import (
    POINTS,
    STEP_FUNCTIONS,
    STEP_POINTS,
    NotExact,
    TooLarge,
    exact,
    numeric,
    precisely_equal,
)
from verifiers.math.nodes import (
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
    Relation,
    Seq,
    SetBuilder,
    Sym,
    Text,
    Union,
)
from verifiers.math.regions import (
    ascending,
    closed_end,
    infinite_sign,
    is_region,
    region_variable,
    relation_region,
)
from verifiers.math.trees import (
    SCALARS,
    argument_renames,
    contains,
    expand_plus_minus,
    free_symbols,
    has_pi,
    is_constant_chain,
    is_plain_letter,
    label_value,
    labelled_values,
    percent_of,
    renamed,
    symbol_assignments,
    walk,
    written_number,
)

DECIMAL_REL_TOL = Fraction(1, 1000)
"""A decimal finer than a decimal gold but not rounding to it must agree to this relatively."""
MIN_ROUNDED_GOLD_DIGITS = 3
"""A decimal gold is read as a rounding of an exact answer only with this many significant
digits: ``0.3`` is three tenths, not anything from 0.25 to 0.35."""
CLOSE = 1e-8
"""Doubles closer than this (relatively) are checked again at high precision."""
MAX_ITEMS = 5000
MAX_PAIRWISE = 40_000
INTEGER_PARAMETERS = frozenset("knmjl")
"""Names of the integer parameter in periodic solutions: ``\\pi/6 + k\\pi`` = ``\\pi/6 + n\\pi``."""
SUBJECT_MIN_WORDS = 2
SUBJECT_MAX_WORDS = 3
_NEGATIONS = frozenset({"not", "no", "never", "cannot", "t", "neither", "nor", "none", "nothing"})
_NOT_SUBJECTS = frozenset(
    {"yes", "no", "true", "false", "it", "there", "this", "that", "they", "he", "she", "we"}
)


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How closely numbers must agree: exactly, but for the decimal conventions below."""

    approximate_digits: int | None = None
    """Significant digits at which a correctly rounded decimal may stand for an exact gold
    (3: ``0.333`` for 1/3); ``None``: an exact gold needs an exact answer."""


def equivalent(gold: Node, candidate: Node, tolerance: Tolerance = Tolerance()) -> bool:
    return _Comparer(tolerance).answers(gold, candidate)


class _Comparer:
    def __init__(self, tolerance: Tolerance) -> None:
        self.tolerance = tolerance

    # Whole answers.

    def answers(self, gold: Node, candidate: Node) -> bool:
        names = argument_renames(gold, candidate)
        if names and not free_symbols(candidate) & set(names.values()) - set(names):
            candidate = renamed(candidate, names)
        gold_assigned, candidate_assigned = symbol_assignments(gold), symbol_assignments(candidate)
        if gold_assigned and candidate_assigned:
            if gold_assigned.keys() == candidate_assigned.keys():
                return all(
                    self.same(gold_assigned[k], candidate_assigned[k]) for k in gold_assigned
                )
            names = gold_assigned.keys() | candidate_assigned.keys()
            values = [*gold_assigned.values(), *candidate_assigned.values()]
            if all(map(is_plain_letter, names)) and not any(map(free_symbols, values)):
                return False  # "x = 3" is not "y = 3" (but "y = x" is "x = y")
        gold_labels, candidate_labels = labelled_values(gold), labelled_values(candidate)
        if gold_labels and candidate_labels and gold_labels.keys() == candidate_labels.keys():
            return all(self.same(gold_labels[k], candidate_labels[k]) for k in gold_labels)
        return any(self.same(g, c) for g in self.views(gold) for c in self.views(candidate))

    def views(self, node: Node) -> Iterator[Node]:
        """The readings of an answer: as written, without labels, prose as its numbers."""
        yield node
        value = label_value(node)
        assigned = symbol_assignments(node)
        if assigned and len(assigned) > 1:
            yield Seq("tuple", tuple(assigned.values()))  # x = y = 1, z = 2 -> (1, 1, 2)
        if value is not None:
            yield from self.views(value)
        elif is_constant_chain(node):
            yield from node.operands  # "\\frac{\\sqrt5-1}{2} \\approx 0.618": either side
        if isinstance(node, Seq) and node.kind == "list":
            values = [label_value(item) for item in node.items]
            if any(v is not None for v in values):
                # Distinct labels ("a = 2, b = 3") fix an order; a repeated one ("x = 1 or
                # x = -2") lists solutions.
                kind = "tuple" if symbol_assignments(node) or labelled_values(node) else "list"
                yield Seq(kind, tuple(v or i for v, i in zip(values, node.items, strict=True)))
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
        if is_region(gold) or is_region(candidate):
            variables = {region_variable(gold), region_variable(candidate)}
            if None not in variables and len(variables) > 1:
                return False  # "x >= -2" is not "y >= -2"
            gold_region, candidate_region = self.region(gold), self.region(candidate)
            if gold_region is not None and candidate_region is not None:
                gold_region, candidate_region = (
                    self.merged(gold_region),
                    self.merged(candidate_region),
                )
                return self.matched(list(gold_region), list(candidate_region), self.intervals)
        if isinstance(gold, Seq) and isinstance(candidate, Seq):
            return self.collections(gold, candidate)
        if any(isinstance(n, Matrix) or _scaled_matrix(n) for n in (gold, candidate)):
            return self.matrices(gold, candidate)
        if isinstance(gold, Relation) and isinstance(candidate, Relation):
            return self.relations(gold, candidate)
        if isinstance(gold, Relation) and isinstance(candidate, SCALARS):
            return self.solves(gold, candidate)
        if isinstance(gold, SCALARS) and isinstance(candidate, SCALARS):
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
            words = candidate.words.split()
            if gold.words in ("yes", "no") and words[:1] == [gold.words]:
                return not {"yes", "no"} - {gold.words} & set(words)  # "Yes, it is possible"
            return _names_subject(gold.words, candidate.words)
        if isinstance(gold, Opaque) and isinstance(candidate, Opaque):
            return gold.text == candidate.text
        return False

    # Collections.

    def collections(self, gold: Seq, candidate: Seq) -> bool:
        if max(len(gold.items), len(candidate.items)) > MAX_ITEMS:
            return gold == candidate
        kinds = {gold.kind, candidate.kind}
        if kinds == {"tuple", "set"}:
            return False  # an ordered pair is not a set: (2, -1) is not {2, -1}
        if kinds == {"tuple"} or kinds == {"tuple", "list"}:
            return len(gold.items) == len(candidate.items) and all(
                self.same(g, c) for g, c in zip(gold.items, candidate.items, strict=True)
            )
        gold_items, candidate_items = list(gold.items), list(candidate.items)
        if max(len(gold_items), len(candidate_items)) > 1 and (
            "set" in kinds or _all_tuples(gold_items)
        ):
            # A set ignores repeats, and so does a list of solution tuples whose gold repeats
            # none: (1,2), (3,4), (1,2) names two solutions. Numbers stay a multiset.
            try:
                distinct_golds = self.distinct(gold_items)
                if "set" in kinds or len(distinct_golds) == len(gold_items):
                    gold_items = distinct_golds
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
                regions = [_points_of(part) or self.region(part) for part in parts]
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
                return relation_region(node)
        return None

    def merged(self, region: tuple[Interval, ...]) -> tuple[Interval, ...]:
        """Overlapping or touching intervals joined: (1,3) u (2,4) = (1,4). Left alone
        unless every end has a real value."""
        ends = []
        for interval in region:
            low, high = _real_end(interval.low), _real_end(interval.high)
            if low is None or high is None:
                return region
            ends.append((low, high, interval))
        ends.sort(key=lambda e: (e[0], not e[2].low_closed))
        joined: list[list] = []
        for low, high, interval in ends:
            if joined and (
                low < joined[-1][1]
                or (low == joined[-1][1] and (interval.low_closed or joined[-1][2].high_closed))
            ):
                last = joined[-1]
                if high > last[1] or (high == last[1] and interval.high_closed):
                    last[1], last[2] = (
                        high,
                        Interval(
                            last[2].low, interval.high, last[2].low_closed, interval.high_closed
                        ),
                    )
            else:
                joined.append([low, high, interval])
        return tuple(entry[2] for entry in joined)

    def intervals(self, gold: Interval, candidate: Interval) -> bool:
        return (
            closed_end(gold.low, gold.low_closed) == closed_end(candidate.low, candidate.low_closed)
            and closed_end(gold.high, gold.high_closed)
            == closed_end(candidate.high, candidate.high_closed)
            and self.scalars(gold.low, candidate.low)
            and self.scalars(gold.high, candidate.high)
        )

    def relations(self, gold: Relation, candidate: Relation) -> bool:
        if set(gold.ops) == {"="} and set(candidate.ops) == {"="}:
            if len(gold.ops) == 1 and len(candidate.ops) == 1:
                return self.equations(gold, candidate)
            return False
        gold_ops, gold_operands = ascending(gold)
        candidate_ops, candidate_operands = ascending(candidate)
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
            or contains(gold, Apply)
            or contains(candidate, Apply)
        ):
            return self.identity(gold, candidate)
        try:
            gold_value, candidate_value = exact(gold), exact(candidate)
        except TooLarge:
            return False
        except NotExact:
            return self.inexact_values(gold, candidate)
        return gold_value == candidate_value or self.rounded(
            gold, candidate, gold_value, candidate_value
        )

    def inexact_values(self, gold: Node, candidate: Node) -> bool:
        """Values without an exact rational form (radicals, pi, logs): equal at high
        precision, or one a decimal rounding of the other under :meth:`rounded`."""
        gold_value, candidate_value = numeric(gold, 0), numeric(candidate, 0)
        if cmath.isnan(gold_value) or cmath.isnan(candidate_value):
            sign = infinite_sign(gold)
            return sign is not None and sign == infinite_sign(candidate)
        if _close(gold_value, candidate_value, CLOSE) and precisely_equal(gold, candidate, 0):
            return True
        if abs(gold_value.imag) > 1e-12 or abs(candidate_value.imag) > 1e-12:
            return False
        return self.rounded(gold, candidate, gold_value.real, candidate_value.real)

    def rounded(
        self, gold: Node, candidate: Node, gold_value: Fraction | float, value: Fraction | float
    ) -> bool:
        """Unequal values that the decimal conventions still accept.

        - A decimal gold with at least :data:`MIN_ROUNDED_GOLD_DIGITS` significant digits
          is a rounding (or truncation) of the exact answer it came from: ``180.67`` accepts
          ``542/3``. Not of pi or e itself: digits of pi ask for digits, not pi.
        - A decimal answer finer than a decimal gold rounds to it, or agrees within one
          unit of the gold's last place and :data:`DECIMAL_REL_TOL`.
        - A decimal answer one place coarser than a decimal gold is its unambiguous
          correct rounding (no tie: ``2.75`` accepts neither 2.7 nor 2.8), with >= 2
          significant digits.
        - Against an exact gold, a decimal answer is wrong unless the caller opted in with
          ``approximate``: then it is the correct rounding with that many digits.
        """
        gold_value, value = Fraction(gold_value), Fraction(value)
        gold_literal, literal = written_number(gold), written_number(candidate)
        gold_places = gold_literal.places if gold_literal else None
        places = literal.places if literal else None
        if gold_places is not None:
            unit = Fraction(10) ** -gold_places
            if places is None:
                return (
                    gold_literal.digits >= MIN_ROUNDED_GOLD_DIGITS
                    and not _named_constant(candidate)
                    and (
                        _rounds_to(value, gold_value, unit)
                        or _truncates_to(value, gold_value, unit)
                    )
                )
            if places > gold_places:
                if gold_literal.digits >= 2 and _rounds_to(value, gold_value, unit):
                    return True
                difference = abs(gold_value - value)
                return difference < unit and difference <= abs(gold_value) * DECIMAL_REL_TOL
            coarse_unit = Fraction(10) ** -places
            return (
                places == gold_places - 1
                and literal.digits >= 2
                and abs(gold_value - value) < coarse_unit / 2
            )
        digits = self.tolerance.approximate_digits
        if places is None or digits is None or literal.digits < digits:
            return False
        return _rounds_to(gold_value, value, Fraction(10) ** -places)

    def identity(self, gold: Node, candidate: Node) -> bool:
        """Equal as functions of their symbols, at every point where both are defined."""
        renames = _parameter_renames(gold, candidate)
        agreeing = 0
        for point in range(_points(gold, candidate)):
            g, c = numeric(gold, point), numeric(candidate, point, renames)
            if cmath.isnan(g) or cmath.isnan(c):
                continue
            if not _close(g, c, CLOSE):
                return self.same_family(gold, candidate, renames)
            if precisely_equal(gold, candidate, point, renames) is False:
                return False  # x + 10^{-30} is not x
            agreeing += 1
        return agreeing >= 3 or (agreeing == 0 and gold == candidate)

    def same_family(self, gold: Node, candidate: Node, renames: dict | None) -> bool:
        """``\\frac{\\pi}{4} + k\\pi`` and ``\\frac{5\\pi}{4} + k\\pi``: the same set of values
        as the integer parameter runs over Z (same period, offsets a whole period apart)."""
        gold_family = _periodic_family(gold, {})
        candidate_family = _periodic_family(candidate, renames or {})
        if gold_family is None or candidate_family is None:
            return False
        (gold_offset, gold_period), (offset, period) = gold_family, candidate_family
        if not _close(abs(gold_period), abs(period), 1e-9):
            return False
        shift = (offset - gold_offset) / gold_period
        return abs(shift - round(shift)) < 1e-9


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
    if not isinstance(node, Num | Neg | Div) or contains(node, Sym) or has_written_decimal(node):
        return None
    try:
        return exact(node)
    except (NotExact, TooLarge):
        return None


def has_written_decimal(node: Node) -> bool:
    return any(isinstance(n, Num) and n.places is not None for n in walk(node))


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


def _periodic_family(node: Node, renames: dict[str, str]) -> tuple[float, float] | None:
    """(offset, period) of ``a + p k`` in its one integer parameter ``k`` and pi, else None."""
    names = {renames.get(name, name) for name in free_symbols(node)}
    if len(names) != 1 or not names <= INTEGER_PARAMETERS or not has_pi(node):
        return None
    parameter = next(iter(names))
    source = next(name for name in free_symbols(node) if renames.get(name, name) == parameter)
    values = [numeric(node, 0, overrides={source: complex(k)}) for k in (0, 1, 2, -1)]
    if any(cmath.isnan(v) or abs(v.imag) > 1e-9 for v in values):
        return None
    offset, period = values[0].real, values[1].real - values[0].real
    linear = _close(values[2].real - values[1].real, period, 1e-9) and _close(
        values[0].real - values[3].real, period, 1e-9
    )
    return (offset, period) if linear and abs(period) > 1e-12 else None


def _real_end(node: Node) -> float | None:
    sign = infinite_sign(node)
    if sign is not None:
        return sign * math.inf
    value = numeric(node, 0)
    if cmath.isnan(value) or abs(value.imag) > 1e-12 or free_symbols(node):
        return None
    return value.real


def _points(*nodes: Node) -> int:
    """Step functions agree on small ranges; they are compared at more, wider points."""
    for node in nodes:
        if any(isinstance(n, Call) and n.name in STEP_FUNCTIONS for n in walk(node)):
            return STEP_POINTS
    return POINTS


def _has_symbols(node: Node) -> bool:
    return bool(free_symbols(node))


def _close(a: complex, b: complex, rel_tol: float) -> bool:
    return abs(a - b) <= rel_tol * max(abs(a), abs(b)) + 1e-12


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
        readings.append((_in_base_unit(gold), candidate))
        if gold_unit == "degree" or _at_least_one(gold.operand):
            readings.append((gold.operand, candidate))
    elif candidate_unit == "percent" and not gold_unit:
        # One reading, not two: an answer of 5% must not match both 5 and 0.05. From 1%
        # up, the sign is dropped like any unit next to a bare gold ("5 cm" ~ 5); below,
        # 0.25% is read as what it is, 0.0025, not as 0.25.
        if _at_least_one(candidate.operand):
            return [(gold, candidate.operand)]
        return [(gold, _in_base_unit(candidate))]
    elif candidate_unit and not gold_unit:
        readings += [(gold, _in_base_unit(candidate)), (gold, candidate.operand)]
    return readings


def _all_tuples(items: list[Node]) -> bool:
    return all(isinstance(item, Seq) and item.kind == "tuple" for item in items)


def _points_of(node: Node) -> tuple[Interval, ...] | None:
    """A finite set in a union, ``[0, 7) \\cup \\{-1\\}``, as closed one-point intervals."""
    if isinstance(node, Seq) and node.kind == "set" and node.items:
        return tuple(Interval(item, item, True, True) for item in node.items)
    return None


def _rounds_to(value: Fraction, rounded: Fraction, unit: Fraction) -> bool:
    """``rounded`` is ``value`` rounded half away from zero to a multiple of ``unit``."""
    if rounded and (value < 0) != (rounded < 0):
        return False
    return abs(rounded) - unit / 2 <= abs(value) < abs(rounded) + unit / 2


def _truncates_to(value: Fraction, truncated: Fraction, unit: Fraction) -> bool:
    if truncated and (value < 0) != (truncated < 0):
        return False
    return abs(truncated) <= abs(value) < abs(truncated) + unit


def _named_constant(node: Node) -> bool:
    """pi or e itself (``\\pi``, ``-e``): not a rounding of anything. Its multiples are
    ordinary exact values (``\\frac{\\pi}{6}`` for ``0.5236``)."""
    while isinstance(node, Neg):
        node = node.operand
    return isinstance(node, Const) and node.name in ("pi", "e")


def _at_least_one(node: Node) -> bool:
    r"""Whether a percentage may stand for its bare number: ``12\%`` ~ ``12``, but ``0.25\%``
    is not ``0.25`` (that is a fraction)."""
    value = numeric(node, 0)
    return not cmath.isnan(value) and abs(value) >= 1


def _in_base_unit(node: Marked) -> Node:
    if node.unit == "percent":
        return percent_of(node.operand)
    return Mul((node.operand, Div(Const("pi"), Num(Fraction(180)))))


def _parameter_renames(gold: Node, candidate: Node) -> dict[str, str] | None:
    gold_only = free_symbols(gold) - free_symbols(candidate)
    candidate_only = free_symbols(candidate) - free_symbols(gold)
    if (
        len(gold_only) == len(candidate_only) == 1
        and gold_only <= INTEGER_PARAMETERS
        and candidate_only <= INTEGER_PARAMETERS
        and has_pi(gold)
        and has_pi(candidate)
    ):
        return {next(iter(candidate_only)): next(iter(gold_only))}
    return None


def _scaled_matrix(node: Node) -> Matrix | None:
    """``2\\begin{pmatrix}1\\\\2\\end{pmatrix}``: a scalar times a matrix, multiplied out."""
    if not isinstance(node, Mul):
        return None
    matrices = [factor for factor in node.factors if isinstance(factor, Matrix)]
    if len(matrices) != 1:
        return None
    scalars = tuple(factor for factor in node.factors if not isinstance(factor, Matrix))
    if any(contains(factor, Matrix) for factor in scalars):
        return None
    return Matrix(tuple(tuple(Mul((*scalars, cell)) for cell in row) for row in matrices[0].rows))


def _rows(node: Node) -> tuple[tuple[Node, ...], ...] | None:
    node = _scaled_matrix(node) or node
    if isinstance(node, Matrix):
        return node.rows
    if isinstance(node, Seq) and node.kind == "tuple":
        return tuple((item,) for item in node.items)
    return None
