"""Questions about parsed answers that comparison asks: symbols, labels, precision, ``\\pm``."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from fractions import Fraction
from functools import lru_cache

from verifiers.math.evaluate import TooLarge
from verifiers.math.nodes import (
    Add,
    Apply,
    Call,
    Const,
    Div,
    Interval,
    Marked,
    Mul,
    Neg,
    Node,
    Num,
    PlusMinus,
    Pow,
    Relation,
    Seq,
    Sym,
)

MAX_EXPANSIONS = 64
MAX_SCIENTIFIC_EXPONENT = 400
SCALARS = (Num, Sym, Const, Add, Mul, Div, Neg, Pow, Call, Apply, Marked)
"""Node types that are numbers or expressions (not structures)."""


def walk(node: Node) -> Iterator[Node]:
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
    return frozenset(n.name for n in walk(node) if isinstance(n, Sym))


@lru_cache(maxsize=8192)
def contains(node: Node, kind: type) -> bool:
    return any(isinstance(n, kind) for n in walk(node))


def has_pi(node: Node) -> bool:
    return any(isinstance(n, Const) and n.name == "pi" for n in walk(node))


def expand_plus_minus(node: Node) -> tuple[Node, ...]:
    """Every reading of the ``\\pm`` signs in ``node``; ``(node,)`` when there is none."""
    if not contains(node, PlusMinus):
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
        elif isinstance(value, (*SCALARS, PlusMinus, Seq, Interval, Relation)):
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
    """A name: ``x``, ``f(x)``, ``(x, y)``; a segment or figure ``AB``, ``|AB|``; a ratio of
    names ``NO/BO``, ``V_1 : V_2``. Never a number or a sum: ``2x = 6`` is an equation."""
    match node:
        case Sym() | Apply():
            return True
        case Seq(kind="tuple", items=items):
            return all(isinstance(item, Sym) for item in items)
        case Mul(factors=factors):
            return all(isinstance(f, Sym) and f.name[:1].isupper() for f in factors)
        case Call(name="abs", args=(argument,)):
            return _is_label(argument)
        case Div(numerator=numerator, denominator=denominator):
            return _is_label(numerator) and _is_label(denominator)
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


def labelled_values(node: Node) -> dict[Node, Node] | None:
    if not isinstance(node, Seq) or node.kind != "list":
        return None
    pairs = {}
    for item in node.items:
        value = label_value(item)
        if value is None or len(item.operands) != 2:
            return None
        pairs[item.operands[0]] = value
    return pairs if len(pairs) == len(node.items) else None


def symbol_assignments(node: Node) -> dict[str, Node] | None:
    """``x = 1, y = 2`` or ``(x, y) = (1, 2)`` -> {"x": 1, "y": 2}; ``None`` when the answer
    is not such an assignment, or names a symbol twice (``x = 1 or x = 2`` is a solution set).
    """
    relations = node.items if isinstance(node, Seq) and node.kind == "list" else (node,)
    assigned: dict[str, Node] = {}
    for relation in relations:
        value = label_value(relation)
        if value is None or relation.ops == ("in",):
            return None
        for label in relation.operands[:-1]:
            if isinstance(label, Sym):
                pairs = [(label.name, value)]
            elif (
                isinstance(label, Seq)
                and isinstance(value, Seq)
                and value.kind == "tuple"
                and len(value.items) == len(label.items)
            ):
                pairs = [(s.name, v) for s, v in zip(label.items, value.items, strict=True)]
            else:
                return None
            for name, item in pairs:
                if name in assigned:
                    return None
                assigned[name] = item
    return assigned or None


def is_plain_letter(name: str) -> bool:
    return len(name) == 1 and name.isalpha()


def written_number(node: Node) -> Num | None:
    """A number as written, with its precision: ``-1.50``, or ``6.02 \\times 10^{23}``."""
    while isinstance(node, Neg):
        node = node.operand
    if isinstance(node, Num):
        return node
    match node:
        case Mul(factors=(Num(places=int()) as mantissa, Pow(base=Num(value=10), exponent=power))):
            shift = written_number(power)
            if (
                shift is not None
                and shift.places is None
                and shift.value.denominator == 1
                and abs(shift.value) <= MAX_SCIENTIFIC_EXPONENT
            ):
                exponent = int(shift.value) * (-1 if isinstance(power, Neg) else 1)
                return Num(mantissa.value, mantissa.places - exponent, mantissa.digits)
        case Marked(unit="percent", operand=operand):
            number = written_number(operand)
            if number is not None and number.places is not None:
                return Num(number.value / 100, number.places + 2, number.digits)
    return None


def is_constant_chain(node: Node) -> bool:
    return (
        isinstance(node, Relation)
        and set(node.ops) == {"="}
        and not any(free_symbols(operand) for operand in node.operands)
    )


def decimal_places(node: Node) -> int | None:
    literal = written_number(node)
    return literal.places if literal else None


def percent_of(node: Node) -> Node:
    literal = written_number(node)
    if literal is not None and node == literal:
        places = None if literal.places is None else literal.places + 2
        return Num(literal.value / 100, places, literal.digits)
    return Div(node, Num(Fraction(100)))


def renamed(node: Node, names: dict[str, str]) -> Node:
    """A copy of ``node`` with symbols renamed."""
    if isinstance(node, Sym):
        return Sym(names.get(node.name, node.name))
    if not hasattr(node, "__slots__") or isinstance(node, Num):
        return node
    values = []
    for field in node.__slots__:
        value = getattr(node, field)
        if isinstance(value, tuple):
            value = tuple(
                tuple(renamed(v, names) for v in item)
                if isinstance(item, tuple)
                else renamed(item, names)
                if hasattr(item, "__slots__")
                else item
                for item in value
            )
        elif hasattr(value, "__slots__") and not isinstance(value, Fraction):
            value = renamed(value, names)
        values.append(value)
    return type(node)(*values)


def argument_renames(gold: Node, candidate: Node) -> dict[str, str] | None:
    """``f(x) = 2x+3`` vs ``f(t) = 2t+3``: the candidate's argument names, as the gold's."""
    if not (isinstance(gold, Relation) and isinstance(candidate, Relation)):
        return None
    gold_label, candidate_label = gold.operands[0], candidate.operands[0]
    if (
        gold.ops == candidate.ops == ("=",)
        and isinstance(gold_label, Apply)
        and isinstance(candidate_label, Apply)
        and gold_label.name == candidate_label.name
        and len(gold_label.args) == len(candidate_label.args)
        and all(isinstance(a, Sym) for a in (*gold_label.args, *candidate_label.args))
        and gold_label.args != candidate_label.args
    ):
        return {c.name: g.name for g, c in zip(gold_label.args, candidate_label.args, strict=True)}
    return None
