"""Answers that are sets of reals: intervals, unions, inequalities, set-builder sets."""

from __future__ import annotations

from verifiers.math.nodes import (
    INFINITY,
    Apply,
    Call,
    Interval,
    Neg,
    Node,
    Relation,
    Seq,
    SetBuilder,
    Sym,
    Union,
)
from verifiers.math.trees import free_symbols

_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}


INEQUALITIES = frozenset({"<", ">", "<=", ">="})


def is_region(node: Node) -> bool:
    """Written as a set of reals: an interval, a union, an inequality, ``x<1 or x>2``."""
    if isinstance(node, Seq) and node.kind == "list" and node.items:
        return all(is_region(item) for item in node.items)
    return isinstance(node, Interval | Union | SetBuilder) or (
        isinstance(node, Relation) and bool(set(node.ops) & (INEQUALITIES | {"!="}))
    )


def infinite_sign(node: Node) -> int | None:
    if node == INFINITY:
        return 1
    if isinstance(node, Neg) and node.operand == INFINITY:
        return -1
    return None


def closed_end(end: Node, closed: bool) -> bool:
    """An infinite end is open however it is written."""
    return closed and infinite_sign(end) is None


def ascending(relation: Relation) -> tuple[tuple[str, ...], tuple[Node, ...]]:
    """Write a chain with ``<``/``<=`` (``a > b`` becomes ``b < a``)."""
    if any(op in (">", ">=") for op in relation.ops):
        return tuple(_FLIP[op] for op in reversed(relation.ops)), tuple(reversed(relation.operands))
    return relation.ops, relation.operands


def _unnegated(relation: Relation) -> Relation:
    """``-x > -1`` as ``x < 1``: both sides times -1, the inequalities turned around."""
    negated = [isinstance(o, Neg) and isinstance(o.operand, Sym) for o in relation.operands]
    if sum(negated) != 1 or any(isinstance(o, Sym) for o in relation.operands):
        return relation
    operands = tuple(o.operand if isinstance(o, Neg) else Neg(o) for o in relation.operands)
    return Relation(tuple(_FLIP.get(op, op) for op in relation.ops), operands)


def relation_region(relation: Relation) -> tuple[Interval, ...] | None:
    relation = _unnegated(relation)
    ops, operands = ascending(relation)
    if ops == ("in",):
        return None
    absolute = _absolute_value_region(ops, operands)
    if absolute is not None:
        return absolute
    variables = [i for i, o in enumerate(operands) if isinstance(o, Sym | Apply)]
    if len(variables) != 1 or not set(ops) <= INEQUALITIES | {"!="}:
        return None
    index = variables[0]
    names = free_symbols(operands[index]) | {operands[index].name}
    if any(names & free_symbols(o) for i, o in enumerate(operands) if i != index):
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


def region_variable(node: Node) -> str | None:
    """The variable an inequality or set-builder set constrains, if it names one."""
    if isinstance(node, SetBuilder) and isinstance(node.variable, Sym):
        return node.variable.name
    if isinstance(node, Seq) and node.kind == "list" and node.items:
        names = {region_variable(item) for item in node.items}
        return names.pop() if len(names) == 1 else None
    if isinstance(node, Relation) and relation_region(node) is not None:
        symbols = [operand for operand in _unnegated(node).operands if isinstance(operand, Sym)]
        return symbols[0].name if len(symbols) == 1 else None
    return None


def _absolute_value_region(ops: tuple[str, ...], operands: tuple) -> tuple[Interval, ...] | None:
    """``|x| < a`` is ``(-a, a)``; ``|x| >= a`` is ``(-inf, -a] u [a, inf)``."""
    if len(ops) != 1 or ops[0] not in INEQUALITIES:
        return None
    left, right = operands
    for inside, bound, below in ((left, right, True), (right, left, False)):
        if (
            isinstance(inside, Call)
            and inside.name == "abs"
            and isinstance(inside.args[0], Sym)
            and not free_symbols(bound)
        ):
            closed = ops[0] == "<="
            if below:  # |x| < a
                return (Interval(Neg(bound), bound, closed, closed),)
            return (  # a < |x|
                Interval(Neg(INFINITY), Neg(bound), False, closed),
                Interval(bound, INFINITY, closed, False),
            )
    return None
