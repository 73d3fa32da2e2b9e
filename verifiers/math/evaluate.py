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

import mpmath

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
STEP_POINTS = 16
"""As many for expressions with floor, ceil, abs, min, max: they agree on small ranges, so
these points reach magnitudes up to 10^7."""

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
    # Wide magnitudes: x + floor(x^2/10^6) agrees with x at every point below 1000.
    (1.0e3, 9.9e3),
    (-9.9e4, -1.0e4),
    (1.0e5, 9.9e5),
    (-9.9e6, -1.0e6),
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


# Numeric evaluation: one tree walk, two arithmetics. Double-precision complex numbers
# decide quickly; mpmath at two working precisions confirms an apparent equality, so a
# difference of 1e-40 (``e^{-100}`` against 0, ``103993/33102`` against pi) is a
# difference and not rounding noise.

PRECISE_DIGITS = (30, 60)
"""Working precisions (decimal digits) of the confirmation: rounding noise shrinks by about
10^-30 from the first to the second, a real difference does not."""
NOISE_DROP = 1e-15
"""A difference that shrinks at least this much with the extra digits is rounding noise."""
NOISE_DIGITS = 12
"""Digits at the end of the fine precision that rounding may have spoiled."""


@lru_cache(maxsize=4096)
def symbol_value(name: str, point: int) -> float:
    low, high = _RANGES[point % len(_RANGES)]
    fraction = (zlib.crc32(f"{name}#{point}".encode()) % 1_000_003) / 1_000_003
    return low + (high - low) * fraction


def _function_value(name: str, arguments: tuple[complex, ...]) -> float:
    """A fixed pseudo-random function, the same on both sides: ``f(3/4)`` == ``f(0.75)``."""
    key = ",".join(f"{complex(a).real:.9g}:{complex(a).imag:.9g}" for a in arguments)
    return 1 + (zlib.crc32(f"{name}({key})".encode()) % 1_000_003) / 1_000_003


def _real(value: complex) -> float:
    if abs(value.imag) > 1e-9 * max(1.0, abs(value.real)):
        raise ValueError("not real")
    return value.real


class _Doubles:
    """Complex doubles with :mod:`cmath`."""

    constants = {"pi": complex(math.pi), "e": complex(math.e), "i": 1j, "inf": complex(math.inf)}
    unary = {
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
    zero = 0j
    one = 1 + 0j

    @staticmethod
    def number(value: Fraction | float) -> complex:
        if isinstance(value, Fraction):
            return complex(value.numerator / value.denominator)
        return complex(value)

    @staticmethod
    def log(value: complex) -> complex:
        return cmath.log(value)

    @staticmethod
    def gamma(value: complex) -> complex:
        return complex(math.gamma(_real(value)))

    @staticmethod
    def floor(value: complex) -> complex:
        return complex(math.floor(_real(value)))

    @staticmethod
    def ceil(value: complex) -> complex:
        return complex(math.ceil(_real(value)))

    @staticmethod
    def real(value: complex) -> float:
        return _real(value)

    @staticmethod
    def power(base: complex, exponent: complex) -> complex:
        if base != 0 and abs(exponent) * abs(math.log(abs(base))) > 700:
            raise OverflowError("power too large")
        if exponent.imag == 0 and base.imag == 0 and base.real < 0:
            # Real odd roots of negatives: (-8)^(1/3) = -2, as a person reads it.
            ratio = Fraction(exponent.real).limit_denominator(100)
            if ratio.denominator % 2 == 1 and abs(float(ratio) - exponent.real) < 1e-12:
                magnitude = (-base.real) ** exponent.real
                return complex(-magnitude if ratio.numerator % 2 else magnitude)
        return base**exponent


class _Precise:
    """mpmath complex numbers at the context's working precision."""

    unary = {
        "sin": mpmath.sin,
        "cos": mpmath.cos,
        "tan": mpmath.tan,
        "cot": mpmath.cot,
        "sec": mpmath.sec,
        "csc": mpmath.csc,
        "arcsin": mpmath.asin,
        "arccos": mpmath.acos,
        "arctan": mpmath.atan,
        "acot": mpmath.acot,
        "arcsec": mpmath.asec,
        "arccsc": mpmath.acsc,
        "sinh": mpmath.sinh,
        "cosh": mpmath.cosh,
        "tanh": mpmath.tanh,
        "coth": mpmath.coth,
        "ln": mpmath.log,
        "log10": mpmath.log10,
        "exp": mpmath.exp,
        "sqrt": mpmath.sqrt,
        "abs": lambda z: mpmath.mpc(abs(z)),
        "sgn": lambda z: mpmath.mpc((z.real > 0) - (z.real < 0)),
    }

    @property
    def constants(self) -> dict:
        return {"pi": +mpmath.pi, "e": +mpmath.e, "i": mpmath.mpc(0, 1), "inf": mpmath.inf}

    @property
    def zero(self) -> mpmath.mpc:
        return mpmath.mpc(0)

    @property
    def one(self) -> mpmath.mpc:
        return mpmath.mpc(1)

    @staticmethod
    def number(value: Fraction | float) -> mpmath.mpc:
        if isinstance(value, Fraction):
            return mpmath.mpc(mpmath.mpf(value.numerator) / value.denominator)
        return mpmath.mpc(value)

    @staticmethod
    def log(value: mpmath.mpc) -> mpmath.mpc:
        return mpmath.log(value)

    @staticmethod
    def real(value: mpmath.mpc) -> mpmath.mpf:
        if abs(value.imag) > mpmath.mpf(10) ** (-mpmath.mp.dps // 2) * max(1, abs(value.real)):
            raise ValueError("not real")
        return value.real

    def gamma(self, value: mpmath.mpc) -> mpmath.mpc:
        return mpmath.mpc(mpmath.gamma(self.real(value)))

    def floor(self, value: mpmath.mpc) -> mpmath.mpc:
        return mpmath.mpc(mpmath.floor(self.real(value)))

    def ceil(self, value: mpmath.mpc) -> mpmath.mpc:
        return mpmath.mpc(mpmath.ceil(self.real(value)))

    def power(self, base: mpmath.mpc, exponent: mpmath.mpc) -> mpmath.mpc:
        if exponent.imag == 0 and base.imag == 0 and base.real < 0:
            ratio = Fraction(float(exponent.real)).limit_denominator(100)
            if ratio.denominator % 2 == 1 and abs(float(ratio) - float(exponent.real)) < 1e-12:
                magnitude = mpmath.power(-base.real, exponent.real)
                return mpmath.mpc(-magnitude if ratio.numerator % 2 else magnitude)
        return mpmath.power(base, exponent)


_DOUBLES = _Doubles()
_PRECISE = _Precise()


def _call(arithmetic, name: str, values: list):  # type: ignore[no-untyped-def]
    if name in arithmetic.unary and len(values) == 1:
        return arithmetic.unary[name](values[0])
    match name, values:
        case "log", [value]:
            return arithmetic.log(value)
        case "log", [value, base]:
            return arithmetic.log(value) / arithmetic.log(base)
        case "root", [value, index]:
            if value.imag == 0 and value.real < 0 and index.real % 2 == 1:
                return -arithmetic.power(-value, 1 / index)
            return arithmetic.power(value, 1 / index)
        case "factorial", [value]:
            return arithmetic.gamma(value + 1)
        case "binom", [n, k]:
            return arithmetic.gamma(n + 1) / (arithmetic.gamma(k + 1) * arithmetic.gamma(n - k + 1))
        case "floor", [value]:
            return arithmetic.floor(value)
        case "ceil", [value]:
            return arithmetic.ceil(value)
        case "min" | "max", _:
            reals = [arithmetic.real(value) for value in values]
            return arithmetic.number(min(reals) if name == "min" else max(reals))
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
        value = _numeric(node, point, _Context(_DOUBLES, renames or {}, overrides or {}))
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        return NAN
    if not (abs(value) < MAX_MAGNITUDE):
        return NAN
    return value


def precisely_equal(
    gold: Node,
    candidate: Node,
    point: int,
    renames: Mapping[str, str] | None = None,
) -> bool | None:
    """Whether two trees are equal at a point, beyond double precision; ``None`` when either
    cannot be evaluated there. Call it only where doubles already agree: the doubles'
    bounds on magnitudes keep mpmath's work small."""
    differences = []
    for digits in PRECISE_DIGITS:
        with mpmath.workdps(digits):
            try:
                context = _Context(_PRECISE, {}, {})
                gold_value = _numeric(gold, point, context)
                candidate_value = _numeric(candidate, point, _Context(_PRECISE, renames or {}, {}))
                difference = abs(gold_value - candidate_value)
            except (ArithmeticError, ValueError, TypeError, RecursionError):
                return None
            if not (mpmath.isfinite(gold_value) and mpmath.isfinite(candidate_value)):
                return None
            differences.append(difference)
            scale = max(abs(gold_value), abs(candidate_value))
    coarse, fine = differences
    if fine == 0 or fine <= coarse * NOISE_DROP:
        return True
    # Exactly equal at the coarse precision, apart at the fine one: noise only if it is at
    # the fine precision's last digits (1 + 10^{-40} is not 1).
    return coarse == 0 and fine <= scale * mpmath.mpf(10) ** (NOISE_DIGITS - PRECISE_DIGITS[1])


@dataclass(frozen=True, slots=True)
class _Context:
    arithmetic: _Doubles | _Precise
    renames: Mapping[str, str]
    overrides: Mapping[str, complex]


def _numeric(node: Node, point: int, context: _Context):  # type: ignore[no-untyped-def]
    arithmetic = context.arithmetic
    match node:
        case Num(value=value):
            return arithmetic.number(value)
        case Sym(name=name):
            if name in context.overrides:
                value = context.overrides[name]
                return arithmetic.number(value.real) + arithmetic.number(value.imag) * 1j
            return arithmetic.number(symbol_value(context.renames.get(name, name), point))
        case Const(name=name):
            return arithmetic.constants[name]
        case Neg(operand=operand):
            # + 0: no negative zero imaginary part, which would put sqrt(-1) at -i.
            return -_numeric(operand, point, context) + arithmetic.zero
        case Add(terms=terms):
            total = arithmetic.zero
            for term in terms:
                total += _numeric(term, point, context)
            return total
        case Mul(factors=factors):
            product = arithmetic.one
            for factor in factors:
                product *= _numeric(factor, point, context)
            return product
        case Div(numerator=numerator, denominator=denominator):
            return _numeric(numerator, point, context) / _numeric(denominator, point, context)
        case Pow(base=base, exponent=exponent):
            return arithmetic.power(
                _numeric(base, point, context), _numeric(exponent, point, context)
            )
        case Call(name=name, args=args):
            values = [_numeric(argument, point, context) for argument in args]
            return _call(arithmetic, name, values)
        case Apply(name=name, args=args):
            values = tuple(_numeric(argument, point, context) for argument in args)
            return arithmetic.number(_function_value(name, values))
        case Marked(unit="percent", operand=operand):
            return _numeric(operand, point, context) / 100
        case Marked(unit="degree", operand=operand):
            return _numeric(operand, point, context) * arithmetic.constants["pi"] / 180
        case PlusMinus():
            raise ValueError("unexpanded plus-minus")
    raise ValueError(f"{type(node).__name__} has no numeric value")
