"""Values of expression trees: exact rationals where possible, else complex floats at points.

Exact evaluation uses :class:`fractions.Fraction` and refuses (``TooLarge``) before any
result would exceed :data:`MAX_EXACT_BITS`, so ``9^{9^{9^9}}`` or ``(10^{100})!`` cost
nothing. Numeric evaluation substitutes the same pseudo-random values for a symbol on both
sides of a comparison; an unknown function ``f`` becomes a fixed pseudo-random function.
"""

from __future__ import annotations

import cmath
import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from verifiers.math.nodes import (
    Add,
    Apply,
    Call,
    Const,
    Div,
    Marked,
    Mul,
    Neg,
    Node,
    Num,
    PlusMinus,
    Pow,
    Sym,
)

MAX_EXACT_BITS = 20_000
MAX_FACTORIAL = 1_000
MAX_MAGNITUDE = 1e300
NAN = complex(math.nan, math.nan)
POINTS = 5
"""How many assignments of the free symbols an identity must hold at."""
STEP_POINTS = 12
"""As many for expressions with floor, ceil, abs, min, max: they agree on small ranges."""

# Each point draws every symbol from its own range: below one, above one, negative, ...
_RANGES = (
    (0.15, 0.85),
    (1.15, 1.85),
    (-1.85, -1.15),
    (2.2, 3.8),
    (-0.85, -0.15),
    (4.5, 9.5),
    (-9.5, -4.5),
    (11.0, 29.0),
    (-29.0, -11.0),
    (31.0, 97.0),
    (101.0, 499.0),
    (-499.0, -101.0),
)
STEP_FUNCTIONS = frozenset({"floor", "ceil", "abs", "sgn", "min", "max", "factorial", "binom"})


class TooLarge(ArithmeticError):
    pass


class NotExact(Exception):
    """The expression has no exact rational value (a symbol, an irrational function...)."""


def _bits(value: Fraction) -> int:
    return value.numerator.bit_length() + value.denominator.bit_length()


def _checked(value: Fraction) -> Fraction:
    if _bits(value) > MAX_EXACT_BITS:
        raise TooLarge("exact value too large")
    return value


def exact(node: Node) -> Fraction:
    """The exact rational value; raises :class:`NotExact` or :class:`TooLarge`."""
    match node:
        case Num(value=value):
            return value
        case Neg(operand=operand):
            return -exact(operand)
        case Add(terms=terms):
            return _checked(sum((exact(term) for term in terms), Fraction(0)))
        case Mul(factors=factors):
            product = Fraction(1)
            for factor in factors:
                product = _checked(product * exact(factor))
            return product
        case Div(numerator=numerator, denominator=denominator):
            divisor = exact(denominator)
            if divisor == 0:
                raise NotExact("division by zero")
            return _checked(exact(numerator) / divisor)
        case Pow(base=base, exponent=exponent):
            return _exact_power(exact(base), exact(exponent))
        case Call(name="factorial", args=(argument,)):
            value = exact(argument)
            if value.denominator != 1 or value < 0:
                raise NotExact("factorial of a non-natural number")
            if value > MAX_FACTORIAL:
                raise TooLarge("factorial too large")
            return Fraction(math.factorial(int(value)))
        case Call(name="binom", args=(top, bottom)):
            n, k = exact(top), exact(bottom)
            if n.denominator != 1 or k.denominator != 1 or n < 0 or abs(n) > 10**6:
                raise NotExact("binomial of non-natural numbers")
            return _checked(Fraction(math.comb(int(n), int(k)) if k >= 0 else 0))
        case Call(name="sqrt" | "root", args=args):
            return _exact_root(exact(args[0]), exact(args[1]) if len(args) > 1 else Fraction(2))
        case Call(name="abs", args=(argument,)):
            return abs(exact(argument))
        case Call(name="floor" | "ceil" as name, args=(argument,)):
            value = exact(argument)
            return Fraction(math.floor(value) if name == "floor" else math.ceil(value))
        case Call(name="min" | "max" as name, args=args):
            values = [exact(argument) for argument in args]
            return min(values) if name == "min" else max(values)
        case Call(name="gcd" | "lcm" as name, args=args):
            values = [exact(argument) for argument in args]
            if any(value.denominator != 1 for value in values):
                raise NotExact(f"{name} of non-integers")
            integers = [int(value) for value in values]
            return Fraction(math.gcd(*integers) if name == "gcd" else math.lcm(*integers))
        case Marked(unit="percent", operand=operand):
            return exact(operand) / 100
    raise NotExact(type(node).__name__)


def _exact_power(base: Fraction, exponent: Fraction) -> Fraction:
    if exponent.denominator != 1:
        root = _exact_root(base, Fraction(exponent.denominator))
        return _exact_power(root, Fraction(exponent.numerator))
    if base == 0:
        if exponent < 0:
            raise NotExact("zero to a negative power")
        return Fraction(0 if exponent else 1)
    if abs(base) == 1:
        return base ** int(exponent) if base.denominator == 1 else Fraction(1)
    if abs(exponent) * max(_bits(base), 1) > MAX_EXACT_BITS:
        raise TooLarge("power too large")
    return base ** int(exponent)


def _exact_root(value: Fraction, index: Fraction) -> Fraction:
    if index.denominator != 1 or index < 2 or index > 64:
        raise NotExact("root index")
    n = int(index)
    if value < 0:
        if n % 2 == 0:
            raise NotExact("even root of a negative number")
        return -_exact_root(-value, index)
    roots = [_integer_root(part, n) for part in (value.numerator, value.denominator)]
    if None in roots:
        raise NotExact("irrational root")
    return Fraction(roots[0], roots[1])


def _integer_root(value: int, n: int) -> int | None:
    if value.bit_length() > MAX_EXACT_BITS:
        return None
    guess = round(value ** (1 / n)) if value < 2**1000 else int(math.exp(math.log(value) / n))
    for candidate in (guess - 1, guess, guess + 1):
        if candidate >= 0 and candidate**n == value:
            return candidate
    return None


# Numeric evaluation.


@lru_cache(maxsize=4096)
def symbol_value(name: str, point: int) -> float:
    low, high = _RANGES[point % len(_RANGES)]
    fraction = (zlib.crc32(f"{name}#{point}".encode()) % 1_000_003) / 1_000_003
    return low + (high - low) * fraction


def _function_value(name: str, arguments: tuple[complex, ...]) -> complex:
    """A fixed pseudo-random function, the same on both sides: ``f(3/4)`` == ``f(0.75)``."""
    key = ",".join(f"{a.real:.9g}:{a.imag:.9g}" for a in arguments)
    return complex(1 + (zlib.crc32(f"{name}({key})".encode()) % 1_000_003) / 1_000_003)


_CONSTANT_VALUES = {"pi": complex(math.pi), "e": complex(math.e), "i": 1j, "inf": complex(math.inf)}

_UNARY = {
    "sin": cmath.sin,
    "cos": cmath.cos,
    "tan": cmath.tan,
    "cot": lambda z: 1 / cmath.tan(z),
    "sec": lambda z: 1 / cmath.cos(z),
    "csc": lambda z: 1 / cmath.sin(z),
    "arcsin": cmath.asin,
    "arccos": cmath.acos,
    "arctan": cmath.atan,
    "acot": lambda z: cmath.atan(1 / z),
    "arcsec": lambda z: cmath.acos(1 / z),
    "arccsc": lambda z: cmath.asin(1 / z),
    "sinh": cmath.sinh,
    "cosh": cmath.cosh,
    "tanh": cmath.tanh,
    "coth": lambda z: 1 / cmath.tanh(z),
    "ln": cmath.log,
    "log10": cmath.log10,
    "exp": cmath.exp,
    "sqrt": cmath.sqrt,
    "abs": lambda z: complex(abs(z)),
    "sgn": lambda z: complex((z.real > 0) - (z.real < 0)),
}


def _real(value: complex) -> float:
    if abs(value.imag) > 1e-9 * max(1.0, abs(value.real)):
        raise ValueError("not real")
    return value.real


def _gamma(value: complex) -> complex:
    return complex(math.gamma(_real(value)))


def _call(name: str, values: list[complex]) -> complex:
    if name in _UNARY and len(values) == 1:
        return _UNARY[name](values[0])
    match name, values:
        case "log", [value]:
            return cmath.log(value)
        case "log", [value, base]:
            return cmath.log(value) / cmath.log(base)
        case "root", [value, index]:
            if value.imag == 0 and value.real < 0 and index.real % 2 == 1:
                return -((-value) ** (1 / index))
            return value ** (1 / index)
        case "factorial", [value]:
            return _gamma(value + 1)
        case "binom", [n, k]:
            return _gamma(n + 1) / (_gamma(k + 1) * _gamma(n - k + 1))
        case "floor", [value]:
            return complex(math.floor(_real(value)))
        case "ceil", [value]:
            return complex(math.ceil(_real(value)))
        case "min" | "max", _:
            reals = [_real(value) for value in values]
            return complex(min(reals) if name == "min" else max(reals))
    raise ValueError(f"cannot evaluate {name} with {len(values)} arguments")


def numeric(
    node: Node,
    point: int,
    renames: Mapping[str, str] | None = None,
    overrides: Mapping[str, complex] | None = None,
) -> complex:
    """The value at one assignment of the free symbols; NaN where undefined or too large.

    ``renames`` reads a symbol as another (an integer parameter ``n`` as ``k``);
    ``overrides`` fixes the value of some symbols.
    """
    try:
        value = _numeric(node, point, _Context(renames or {}, overrides or {}))
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        return NAN
    if not (abs(value) < MAX_MAGNITUDE):
        return NAN
    return value


@dataclass(frozen=True, slots=True)
class _Context:
    renames: Mapping[str, str]
    overrides: Mapping[str, complex]


def _numeric(node: Node, point: int, context: _Context) -> complex:
    match node:
        case Num(value=value):
            return complex(value.numerator / value.denominator)
        case Sym(name=name):
            if name in context.overrides:
                return context.overrides[name]
            return complex(symbol_value(context.renames.get(name, name), point))
        case Const(name=name):
            return _CONSTANT_VALUES[name]
        case Neg(operand=operand):
            return -_numeric(operand, point, context)
        case Add(terms=terms):
            return sum((_numeric(term, point, context) for term in terms), 0j)
        case Mul(factors=factors):
            product = 1 + 0j
            for factor in factors:
                product *= _numeric(factor, point, context)
            return product
        case Div(numerator=numerator, denominator=denominator):
            return _numeric(numerator, point, context) / _numeric(denominator, point, context)
        case Pow(base=base, exponent=exponent):
            return _power(_numeric(base, point, context), _numeric(exponent, point, context))
        case Call(name=name, args=args):
            return _call(name, [_numeric(argument, point, context) for argument in args])
        case Apply(name=name, args=args):
            values = tuple(_numeric(argument, point, context) for argument in args)
            return _function_value(name, values)
        case Marked(unit="percent", operand=operand):
            return _numeric(operand, point, context) / 100
        case Marked(unit="degree", operand=operand):
            return _numeric(operand, point, context) * math.pi / 180
        case PlusMinus():
            raise ValueError("unexpanded plus-minus")
    raise ValueError(f"{type(node).__name__} has no numeric value")


def _power(base: complex, exponent: complex) -> complex:
    if base != 0 and abs(exponent) * abs(math.log(abs(base))) > 700:
        raise OverflowError("power too large")
    if exponent.imag == 0 and base.imag == 0 and base.real < 0:
        # Real odd roots of negatives: (-8)^(1/3) = -2, as a person reads it.
        ratio = Fraction(exponent.real).limit_denominator(100)
        if ratio.denominator % 2 == 1 and abs(float(ratio) - exponent.real) < 1e-12:
            magnitude = (-base.real) ** exponent.real
            return complex(-magnitude if ratio.numerator % 2 else magnitude)
    return base**exponent
