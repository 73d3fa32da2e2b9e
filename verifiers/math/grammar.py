"""The expression grammar: a recursive-descent parser from tokens to trees.

Loosest binding first: relation chains, unions, ratios, sums, products (explicit and
implicit), powers, postfix marks (``!``, ``%``, degrees), primaries (numbers, symbols,
functions, fractions, roots, brackets, sets, matrices). Depth is bounded; nothing is
evaluated here.
"""

from __future__ import annotations

from fractions import Fraction

from verifiers.math.lexer import FUNCTIONS, GREEK, SEPARATOR_WORDS, Token
from verifiers.math.nodes import (
    INFINITY,
    ZERO,
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
    PlusMinus,
    Pow,
    Relation,
    Seq,
    SetBuilder,
    Sym,
    Union,
)

MAX_DEPTH = 60


MAX_NUMBER_DIGITS = 1000


FUNCTION_NAMES = frozenset({"f", "g", "h"})


_CONSTANTS = {"pi": "pi", "infty": "inf", "infinity": "inf", "inf": "inf", "e": "e", "i": "i"}


_FUNCTION_ALIASES = {
    "lg": "log10",
    "arccot": "acot",
    "tg": "tan",
    "ctg": "cot",
    "cosec": "csc",
    "asin": "arcsin",
    "acos": "arccos",
    "atan": "arctan",
    "arctg": "arctan",
}


_INVERSE = {"sin": "arcsin", "cos": "arccos", "tan": "arctan", "cot": "acot"}


_ENVIRONMENTS = {"pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "matrix", "array"}


class ParseError(ValueError):
    pass


class Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.abs_depth = 0
        self.colon_depth = 0

    # Token helpers.

    def peek(self, offset: int = 0) -> Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def at(self, kind: str, value: str | None = None, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == kind and (value is None or token.value == value)

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise ParseError("unexpected end of answer")
        self.pos += 1
        return token

    def expect(self, kind: str, value: str | None = None) -> Token:
        if not self.at(kind, value):
            found = self.peek()
            raise ParseError(f"expected {value or kind}, found {found.value if found else 'end'}")
        return self.take()

    def nested(self) -> Parser:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(f"nested deeper than {MAX_DEPTH}")
        return self

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        self.depth -= 1

    # Grammar, loosest binding first.

    def item(self) -> Node:
        """One answer: an expression, relation chain, union of intervals, ..."""
        with self.nested():
            node = self.union()
            ops, operands = [], [node]
            while self.at("op") and self.peek().value in ("=", "<", ">", "<=", ">=", "!=", "in"):
                ops.append(self.take().value)
                operands.append(self.union())
            if ops:
                return Relation(tuple(ops), tuple(operands))
            return node

    def union(self) -> Node:
        parts = [self.ratio()]
        while self.at("cmd", "cup"):
            self.take()
            parts.append(self.ratio())
        node = parts[0] if len(parts) == 1 else Union(tuple(map(_as_interval, parts)))
        if self.at("cmd", "setminus") or self.at("cmd", "backslash"):
            self.take()
            node = _complement(node, _as_interval(self.ratio()))
        return node

    def ratio(self) -> Node:
        node = self.sum()
        if self.at("op", ":") and not self.colon_depth and not self.at("close", offset=1):
            self.take()
            node = Div(node, self.sum())
        return node

    def sum(self) -> Node:
        terms = [self.signed()]
        while (
            self.at("op", "+") or self.at("op", "-") or self.at("cmd", "pm") or self.at("cmd", "mp")
        ):
            op = self.take().value
            term = self.term()
            if op == "-":
                term = Neg(term)
            elif op in ("pm", "mp"):
                term = PlusMinus(term, minus_first=op == "mp")
            terms.append(term)
        return terms[0] if len(terms) == 1 else Add(tuple(terms))

    def signed(self) -> Node:
        if self.at("op", "-"):
            self.take()
            return Neg(self.signed())
        if self.at("op", "+"):
            self.take()
            return self.signed()
        if self.at("cmd", "pm") or self.at("cmd", "mp"):
            minus_first = self.take().value == "mp"
            return PlusMinus(self.signed(), minus_first)
        return self.term()

    def term(self) -> Node:
        with self.nested():
            factors = [self.power()]
            while True:
                if self.at("op", "*"):
                    self.take()
                    factors.append(self.signed_power())
                elif self.at("op", "/"):
                    self.take()
                    divisor = self.signed_power()
                    factors = [Div(_product(factors), divisor)]
                elif self.starts_primary():
                    factor = self.power()
                    mixed = _mixed_number(factors, factor)
                    factors = [mixed] if mixed else [*factors, factor]
                else:
                    break
            return _product(factors)

    def signed_power(self) -> Node:
        if self.at("op", "-"):
            self.take()
            return Neg(self.signed_power())
        return self.power()

    def starts_primary(self) -> bool:
        token = self.peek()
        if token is None:
            return False
        if token.kind in ("num", "open"):
            return True
        if token.kind == "word":
            return token.value.lower() not in SEPARATOR_WORDS
        if token.kind == "cmd":
            return token.value not in ("cup", "pm", "mp", "choose", "end", "setminus", "backslash")
        if token.kind == "op" and token.value == "|":
            return self.abs_depth == 0
        return False

    def power(self) -> Node:
        base = self.postfix(self.primary())
        if self.at("op", "^"):
            self.take()
            if self.peek() is None:  # a dangling "90^"
                return base
            exponent = self.exponent()
            base = self.postfix(Pow(base, exponent))
        return base

    def exponent(self) -> Node:
        if self.at("op", "-"):
            self.take()
            return Neg(self.exponent())
        if self.at("num"):
            return self.split_number()
        if self.at("word"):
            return self.split_word()
        return self.primary()

    def postfix(self, node: Node) -> Node:
        while True:
            if self.at("op", "!"):
                self.take()
                node = Call("factorial", (node,))
            elif self.at("op", "%"):
                self.take()
                node = Marked("percent", node)
            elif self.at("op", "°") or (self.at("op", "^") and self.at("op", "°", offset=1)):
                if self.at("op", "^"):
                    self.take()
                self.take()
                node = Marked("degree", self.arc_minutes(node))
            else:
                return node

    def arc_minutes(self, degrees: Node) -> Node:
        """``60^\\circ 42'`` and ``60^\\circ 42' 30''``."""
        for divisor in (60, 3600):
            primes = 1 if divisor == 60 else 2
            if self.at("num") and all(self.at("op", "'", offset=k + 1) for k in range(primes)):
                minutes = self.number(self.take().value)
                self.pos += primes
                degrees = Add((degrees, Div(minutes, Num(Fraction(divisor)))))
        return degrees

    # Primaries.

    def primary(self) -> Node:
        token = self.peek()
        if token is None:
            raise ParseError("unexpected end of answer")
        with self.nested():
            if token.kind == "num":
                return self.number(self.take().value)
            if token.kind == "word":
                return self.word()
            if token.kind == "open":
                return self.bracket()
            if token.kind == "cmd":
                return self.command()
            if token.kind == "op" and token.value == "|":
                self.take()
                self.abs_depth += 1
                inner = self.sum()
                self.abs_depth -= 1
                self.expect("op", "|")
                return Call("abs", (inner,))
            if token.kind == "op" and token.value in ("-", "+"):
                return self.signed()
        raise ParseError(f"unexpected {token.value!r}")

    def number(self, text: str) -> Num:
        if text.count(".") > 1:
            raise ParseError(f"malformed number {text!r}")
        if len(text) > MAX_NUMBER_DIGITS:
            raise ParseError(f"number longer than {MAX_NUMBER_DIGITS} digits")
        whole, _, fraction = text.partition(".")
        if not fraction:
            return Num(Fraction(int(whole or "0")))
        digits = (whole + fraction).lstrip("0")
        value = Fraction(int(whole or "0")) + Fraction(int(fraction), 10 ** len(fraction))
        return Num(value, places=len(fraction), digits=max(len(digits), 1))

    def split_number(self) -> Num:
        """One digit of a number token, as TeX reads ``x^23`` or ``\\frac12``."""
        token = self.peek()
        if len(token.value) == 1:
            self.take()
            return self.number(token.value)
        self.tokens[self.pos] = Token("num", token.value[1:])
        return self.number(token.value[0])

    def split_word(self) -> Node:
        token = self.peek()
        if len(token.value) == 1:
            return self.word()
        self.tokens[self.pos] = Token("word", token.value[1:])
        return self.letter(token.value[0])

    def word(self) -> Node:
        text = self.take().value
        lowered = text.lower()
        if lowered in FUNCTIONS or lowered in _FUNCTION_ALIASES:
            return self.function(_FUNCTION_ALIASES.get(lowered, lowered))
        if text == "dots":
            return Sym("...")
        if text in ("pi", "infty", "infinity", "inf"):
            return Const(_CONSTANTS[text])
        if len(text) > 1:
            self.tokens.insert(self.pos, Token("word", text[1:]))
        return self.letter(text[0])

    def letter(self, letter: str) -> Node:
        if letter in ("e", "i") and not self.at("op", "_"):
            return Const(_CONSTANTS[letter])
        name = letter + self.subscript() + self.primes()
        if self.at("open", "(") and (letter in FUNCTION_NAMES or self.defines_function()):
            return Apply(name, self.call_arguments())
        return Sym(name)

    def defines_function(self) -> bool:
        """``T(10) = 2``, ``x(t) = ...``: a letter applied to arguments, then ``=``."""
        depth = 0
        for index in range(self.pos, len(self.tokens)):
            token = self.tokens[index]
            if token.kind == "open":
                depth += 1
            elif token.kind == "close":
                depth -= 1
                if depth == 0:
                    after = index + 1
                    return after < len(self.tokens) and self.tokens[after].value == "="
        return False

    def subscript(self) -> str:
        if not self.at("op", "_"):
            return ""
        self.take()
        if self.at("open", "{"):
            start = self.pos
            self.skip_group()
            inner = self.tokens[start + 1 : self.pos - 1]
        else:
            inner = [self.take()]
        return "_{" + " ".join(token.value for token in inner) + "}"

    def primes(self) -> str:
        count = 0
        while self.at("op", "'"):
            self.take()
            count += 1
        return "'" * count

    def skip_group(self) -> None:
        depth = 0
        while True:
            token = self.take()
            if token.kind == "open":
                depth += 1
            elif token.kind == "close":
                depth -= 1
                if depth == 0:
                    return

    def group(self) -> Node:
        """A TeX argument: ``{...}`` or a single token."""
        if self.at("open", "{"):
            self.take()
            node = self.item()
            self.expect("close", "}")
            return node
        if self.at("num"):
            return self.split_number()
        if self.at("word"):
            return self.split_word()
        return self.primary()

    def call_arguments(self) -> tuple[Node, ...]:
        self.expect("open", "(")
        arguments = [self.item()]
        while self.at("op", ","):
            self.take()
            arguments.append(self.item())
        self.expect("close", ")")
        return tuple(arguments)

    def function(self, name: str) -> Node:
        power: Node | None = None
        base: Node | None = None
        for _ in range(2):
            if self.at("op", "^"):
                self.take()
                power = self.exponent()
            elif self.at("op", "_") and name == "log":
                self.take()
                base = self.group()
        if isinstance(power, Neg) and power.operand == Num(Fraction(1)) and name in _INVERSE:
            name, power = _INVERSE[name], None
        if self.at("open", "("):
            arguments = self.call_arguments()
        elif self.at("open", "{"):
            arguments = (self.group(),)
        else:
            arguments = (self.implicit_argument(),)
        if name in ("min", "max", "gcd", "lcm") and len(arguments) == 1:
            raise ParseError(f"{name} needs several arguments")
        if name == "log" and base is not None:
            arguments = (*arguments, base)
        node: Node = Call(name, arguments)
        return Pow(node, power) if power is not None else node

    def implicit_argument(self) -> Node:
        """``\\sin 2x``, ``\\tan \\frac{7}{5}\\pi``: a product up to an operator or function."""
        factors = [self.power()]
        while self.starts_primary() and not self.starts_function():
            factors.append(self.power())
        return _product(factors)

    def starts_function(self) -> bool:
        token = self.peek()
        if token.kind in ("cmd", "word"):
            return token.value.lower() in FUNCTIONS or token.value in _FUNCTION_ALIASES
        return False

    def command(self) -> Node:
        name = self.take().value
        if name in ("frac", "cfrac"):
            return Div(self.group(), self.group())
        if name == "binom":
            return Call("binom", (self.group(), self.group()))
        if name == "sqrt":
            if self.at("open", "["):
                self.take()
                index = self.item()
                self.expect("close", "]")
                return Call("root", (self.group(), index))
            return Call("sqrt", (self.group(),))
        if name in FUNCTIONS or name in _FUNCTION_ALIASES:
            return self.function(_FUNCTION_ALIASES.get(name, name))
        if name in ("pi", "infty"):
            return Const(_CONSTANTS[name])
        if name == "emptyset":
            return Seq("set", ())
        if name in GREEK:
            return Sym(name + self.subscript() + self.primes())
        if name in ("mathbb", "mathcal", "mathfrak", "mathscr"):
            letter = self.group()
            if isinstance(letter, Sym) and letter.name == "R" and name == "mathbb":
                if self.at("op", "^") and self.peek(1) and self.peek(1).value in ("+", "-"):
                    self.take()
                    positive = self.take().value == "+"  # R^+ and R^-: the half-lines
                    return (
                        Interval(ZERO, INFINITY, False, False)
                        if positive
                        else Interval(Neg(INFINITY), ZERO, False, False)
                    )
                return Interval(Neg(INFINITY), INFINITY, False, False)
            return Sym(f"{name}:{letter}")
        if name == "begin":
            return self.environment()
        if name in ("overline", "bar", "hat", "vec", "tilde", "widehat", "overrightarrow"):
            return Sym(f"{name}:{self.group()}")
        if name in ("exp",):
            return self.function("exp")
        raise ParseError(f"unsupported command \\{name}")

    def environment(self) -> Node:
        self.expect("open", "{")
        kind = self.take().value
        self.expect("close", "}")
        if kind not in _ENVIRONMENTS:
            raise ParseError(f"unsupported environment {kind}")
        if kind == "array" and self.at("open", "{"):
            self.skip_group()
        rows: list[tuple[Node, ...]] = []
        cells: list[Node] = []
        while True:
            if self.at("cmd", "end"):
                self.take()
                self.skip_group()
                break
            cells.append(self.item())
            if self.at("op", "&"):
                self.take()
            elif self.at("sep", "row"):
                self.take()
                rows.append(tuple(cells))
                cells = []
        if cells:
            rows.append(tuple(cells))
        if not rows or len({len(row) for row in rows}) != 1:
            raise ParseError("ragged matrix")
        return Matrix(tuple(rows))

    def bracket(self) -> Node:
        opener = self.take().value
        if opener == "{":
            node = self.item()
            if self.at("cmd", "choose"):  # {n \choose k}
                self.take()
                node = Call("binom", (node, self.item()))
            self.expect("close", "}")
            return node
        if opener in ("lceil", "lfloor"):
            inner = self.item()
            self.expect("close")
            return Call("ceil" if opener == "lceil" else "floor", (inner,))
        if opener == "langle":  # a vector: <1, 2, 3>
            items = [self.item()]
            while self.at("op", ","):
                self.take()
                items.append(self.item())
            self.expect("close", "rangle")
            return Seq("tuple", tuple(items)) if len(items) > 1 else items[0]
        if opener == "\\{":
            return self.braced_set()
        items = [self.item()]
        while self.at("op", ",") or self.at("op", ";"):  # (5; 3) is a pair too
            self.take()
            items.append(self.item())
        closer = self.expect("close").value
        if closer not in (")", "]"):
            raise ParseError(f"{opener} closed by {closer}")
        if len(items) == 1 and opener + closer in ("()", "[]"):
            return items[0]
        if len(items) == 2 and opener + closer != "()":
            return Interval(items[0], items[1], opener == "[", closer == "]")
        return Seq("tuple", tuple(items))

    def braced_set(self) -> Node:
        self.abs_depth += 1  # in "\\{x | x > 0\\}" the bar is a separator
        self.colon_depth += 1  # and so is the colon in "\\{x : x > 0\\}"
        first = self.item()
        self.abs_depth -= 1
        self.colon_depth -= 1
        if self.at("op", "|") or self.at("op", ":"):
            self.take()
            conditions = [self.item()]
            while self.at("op", ",") or self.at("sep", "and") or self.at("word", "or"):
                self.take()
                conditions.append(self.item())
            self.expect("close", "\\}")
            condition = conditions[0] if len(conditions) == 1 else Seq("list", tuple(conditions))
            return SetBuilder(first, condition)
        items = [first]
        while self.at("op", ","):
            self.take()
            items.append(self.item())
        self.expect("close", "\\}")
        return Seq("set", tuple(items))


def _product(factors: list[Node]) -> Node:
    return factors[0] if len(factors) == 1 else Mul(tuple(factors))


def _mixed_number(factors: list[Node], factor: Node) -> Node | None:
    """``2\\frac12`` is two and a half, not one."""
    if (
        len(factors) == 1
        and isinstance(factors[0], Num)
        and factors[0].places is None
        and isinstance(factor, Div)
        and isinstance(factor.numerator, Num)
        and isinstance(factor.denominator, Num)
        and factor.numerator.places is None
        and factor.denominator.places is None
    ):
        return Add((factors[0], factor))
    return None


def _complement(whole: Node, removed: Node) -> Node:
    """``\\mathbb{R} \\setminus [-1, 2]`` as ``(-inf, -1) u (2, inf)``: the reals less one
    interval or one point; any other difference is not read."""
    if whole != Interval(Neg(INFINITY), INFINITY, False, False):
        raise ParseError("only a set difference from the reals is read")
    if isinstance(removed, Seq) and removed.kind == "set" and len(removed.items) == 1:
        removed = Interval(removed.items[0], removed.items[0], True, True)
    if not isinstance(removed, Interval):
        raise ParseError("only an interval or a point is removed from the reals")
    return Union(
        (
            Interval(Neg(INFINITY), removed.low, False, not removed.low_closed),
            Interval(removed.high, INFINITY, not removed.high_closed, False),
        )
    )


def _as_interval(node: Node) -> Node:
    if isinstance(node, Seq) and node.kind == "tuple" and len(node.items) == 2:
        return Interval(node.items[0], node.items[1], False, False)
    return node
