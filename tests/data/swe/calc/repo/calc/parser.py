"""Evaluate arithmetic expressions: numbers, + - * /, unary minus and parentheses."""

from __future__ import annotations

import re

from calc.ops import CalcError, add, div, mul, sub
from calc.rounding import round_half_up

_NUMBER = re.compile(r"\d+\.\d*|\.\d+|\d+")
_OPERATORS = {"+": add, "-": sub, "*": mul, "/": div}


def tokenize(text: str) -> list[int | float | str]:
    tokens: list[int | float | str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
            continue
        match = _NUMBER.match(text, position)
        if match:
            literal = match.group()
            tokens.append(float(literal) if "." in literal else int(literal))
            position = match.end()
        elif char in "+-*/()":
            tokens.append(char)
            position += 1
        else:
            raise CalcError(f"unexpected character {char!r} at {position}")
    return tokens


class _Parser:
    def __init__(self, tokens: list[int | float | str]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> int | float | str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> int | float | str | None:
        token = self.peek()
        self.index += 1
        return token

    def expression(self) -> float:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = _OPERATORS[self.take()](value, self.term())
        return value

    def term(self) -> float:
        value = self.factor()
        while self.peek() in ("*", "/"):
            value = _OPERATORS[self.take()](value, self.factor())
        return value

    def factor(self) -> float:
        token = self.take()
        if token == "-":
            return -self.factor()
        if token == "(":
            value = self.expression()
            if self.take() != ")":
                raise CalcError("missing closing parenthesis")
            return value
        if isinstance(token, (int, float)):
            return token
        raise CalcError(f"unexpected {token!r}" if token is not None else "unexpected end")


def evaluate(text: str, digits: int | None = None) -> float:
    """The value of ``text``, rounded half up to ``digits`` places when given."""
    tokens = tokenize(text)
    if not tokens:
        raise CalcError("empty expression")
    parser = _Parser(tokens)
    value = parser.expression()
    if parser.peek() is not None:
        raise CalcError(f"unexpected {parser.peek()!r} after the expression")
    return value if digits is None else round_half_up(value, digits)
