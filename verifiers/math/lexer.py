"""Tokens of a normalized answer.

The lexer reads ``\\text{...}`` groups whole and decides what their words are: math to
re-read (``\\text{(C)}``), a list separator (``\\text{ and }``), a qualifier that ends the
item (``\\text{ for all } x``), or a unit to drop (``\\text{ cm}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FUNCTIONS = frozenset(
    "sin cos tan cot sec csc arcsin arccos arctan arccot arcsec arccsc sinh cosh tanh coth "
    "ln log lg exp sqrt min max gcd lcm floor ceil abs sgn "
    "cosec asin acos atan arctg tg ctg".split()
)
GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi omicron rho varrho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda "
    "Xi Sigma Upsilon Phi Psi Omega ell".split()
)
RELATIONS = {
    "le": "<=",
    "leq": "<=",
    "leqslant": "<=",
    "ge": ">=",
    "geq": ">=",
    "geqslant": ">=",
    "lt": "<",
    "gt": ">",
    "ne": "!=",
    "neq": "!=",
    "approx": "=",
    "equiv": "=",
    "cong": "=",
    "in": "in",
}
SEPARATOR_WORDS = frozenset({"and", "or"})
QUALIFIER_WORDS = ("for all", "for every", "for each", "for any", "where", "when", "with", "if")
# Bare words after a number that are units, not variables ("5 cm", "12 days").
UNIT_WORDS = frozenset(
    "mm cm dm m km in inch inches ft feet foot yd yards mi miles mg g kg lb lbs oz ml l "
    "sec secs second seconds s min mins minute minutes h hr hrs hour hours day days week weeks "
    "month months year years dollars dollar cents cent yuan euros euro rupees units unit "
    "meters meter metres km/h mph degrees degree rad radians people students ways".split()
)
UNIT_LETTERS = frozenset("m g s h l L K N J W V".split())
"""A single letter in ``\\text{}`` right after a number is a unit: ``12\\,\\text{m}``."""
_MATHLIKE_TEXT = re.compile(r"[\d\s().,+\-*/=^_{}\[\]<>]*[A-Za-z]?[\d\s().,+\-*/=^_{}\[\]<>]*")


class LexError(ValueError):
    pass


@dataclass(slots=True)
class Token:
    kind: str  # "num", "word", "cmd", "op", "open", "close", "sep", "text"
    value: str


_SINGLE_OPS = set("+-*/^_=<>!%',;|:&")
_OPEN = {"(": "(", "[": "[", "{": "{"}
_CLOSE = {")": ")", "]": "]", "}": "}"}


def _read_group(text: str, start: int) -> tuple[str, int]:
    """The content of the brace group opening at ``text[start]``, and the index after it."""
    depth, index = 0, start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index], index + 1
        index += 1
    raise LexError("unbalanced braces")


def _text_tokens(content: str) -> list[Token]:
    words = content.strip()
    if not words:
        return []
    if _MATHLIKE_TEXT.fullmatch(words):
        return tokenize(words)
    lowered = f" {words.lower()} "
    for qualifier in QUALIFIER_WORDS:
        if f" {qualifier} " in lowered:
            return [Token("sep", "qualifier")]
    if any(f" {word} " in lowered for word in SEPARATOR_WORDS):
        return [Token("sep", "and")]
    return [Token("text", words)]


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char.isspace():
            index += 1
        elif char.isdigit() or (char == "." and index + 1 < length and text[index + 1].isdigit()):
            end = index
            while end < length and (text[end].isdigit() or text[end] == "."):
                end += 1
            tokens.append(Token("num", text[index:end]))
            index = end
        elif char.isalpha():
            end = index
            while end < length and text[end].isalpha() and text[end].isascii():
                end += 1
            end = max(end, index + 1)
            tokens.append(Token("word", text[index:end]))
            index = end
        elif char == "\\":
            index = _command(text, index, tokens)
        elif char in "<>" and text[index + 1 : index + 2] == "=":
            tokens.append(Token("op", char + "="))
            index += 2
        elif char == "!" and text[index + 1 : index + 2] == "=":
            tokens.append(Token("op", "!="))
            index += 2
        elif char in _OPEN:
            tokens.append(Token("open", char))
            index += 1
        elif char in _CLOSE:
            tokens.append(Token("close", char))
            index += 1
        elif char in _SINGLE_OPS:
            tokens.append(Token("op", char))
            index += 1
        else:
            raise LexError(f"unexpected character {char!r}")
    return tokens


def _command(text: str, index: int, tokens: list[Token]) -> int:
    match = re.compile(r"\\([a-zA-Z]+|.)").match(text, index)
    if match is None:
        raise LexError("dangling backslash")
    name, end = match.group(1), match.end()
    if name in ("text", "textup", "textsf", "operatorname"):
        while end < len(text) and text[end] == " ":
            end += 1
        if end >= len(text) or text[end] != "{":
            raise LexError(f"\\{name} without a group")
        content, end = _read_group(text, end)
        if name == "operatorname":
            tokens.append(Token("word", content.strip().replace("*", "")))
        elif content.strip() in UNIT_LETTERS and tokens and tokens[-1].kind in ("num", "close"):
            tokens.append(Token("text", content.strip()))  # "12\\,\\text{m}": a unit
        else:
            tokens.extend(_text_tokens(content))
        return end
    if name == "{":
        tokens.append(Token("open", "\\{"))
    elif name == "}":
        tokens.append(Token("close", "\\}"))
    elif name == "|":
        tokens.append(Token("op", "|"))
    elif name == "\\":
        tokens.append(Token("sep", "row"))
    elif name in RELATIONS:
        tokens.append(Token("op", RELATIONS[name]))
    elif name in ("cdot", "times", "ast"):
        tokens.append(Token("op", "*"))
    elif name in ("div",):
        tokens.append(Token("op", "/"))
    elif name in ("mid", "vert"):
        tokens.append(Token("op", "|"))
    elif name in ("colon",):
        tokens.append(Token("op", ":"))
    elif name in ("lceil", "rceil", "lfloor", "rfloor", "langle", "rangle"):
        tokens.append(Token("open" if name[0] == "l" else "close", name))
    elif name in ("ldots", "cdots", "dots", "dotsc", "dotsb", "vdots"):
        tokens.append(Token("word", "dots"))
    elif name == "circ":
        tokens.append(Token("op", "°"))
    else:
        tokens.append(Token("cmd", name))
    return end
