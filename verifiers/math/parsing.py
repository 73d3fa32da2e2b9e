"""From an answer string to a tree of :mod:`verifiers.math.nodes`.

This module reads a whole answer: it recognizes prose and multiple-choice letters, splits
lists at top-level commas and "and"/"or", drops units and qualifiers, and hands each item
to the expression grammar (:mod:`.grammar`). Nothing is ever handed to ``eval``, SymPy or
any other interpreter. An answer beyond the bounds, or one the grammar does not cover,
becomes :class:`Opaque` and is compared by its normalized text.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

from verifiers.math.grammar import ParseError, Parser
from verifiers.math.lexer import (
    FUNCTIONS,
    SEPARATOR_WORDS,
    UNIT_WORDS,
    LexError,
    Token,
    tokenize,
)
from verifiers.math.nodes import (
    INFINITY,
    Node,
    Num,
    Opaque,
    Relation,
    Seq,
    Sym,
    Text,
)
from verifiers.math.normalize import normalize

MAX_ANSWER_CHARS = 20_000
"""Single letters read as a function when followed by a parenthesis: ``f(x)``."""

_PROSE_WORD = re.compile(r"[A-Za-z]{3,}")
_NOT_PROSE = FUNCTIONS | {"and", "pmatrix", "bmatrix", "matrix", "array", "text", "frac"}
_SPECIAL_TEXT = {
    "infinity": INFINITY,
    "infinite": INFINITY,
    "infinitely many": INFINITY,
    "infinitely many solutions": INFINITY,
}
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_PROSE_NUMBER = re.compile(r"(?<![\w.{])\d+(?:\.\d+)?(?![\w.}])")
_STOPWORDS = frozenset(
    "a an the is are was were be of to in on at for and or with by from as it its this that "
    "there which than then so if not no".split()
)
_CHOICES = re.compile(r"[A-H]{2,8}|\(?[A-H]\)?(?:\s*(?:,|and|&)\s*\(?[A-H]\)?)+")
# Options offered as alternatives: "A or C", "(B)/(D)", "either A or B".
_HEDGED_CHOICES = re.compile(
    r"(?:either\s+)?\(?[A-H]\)?(?:\s*(?:,|\bor\b|/|\|)\s*\(?[A-H]\)?)*\s*(?:\bor\b|/)\s*\(?[A-H]\)?"
)
_BOUND = re.compile(
    r"\b(?:at (?:least|most)|(?:more|less|fewer|greater|smaller|larger) than|no (?:more|less)"
    r"|up to|between|over|under|below|above|not)\b"
)
_TEXT_ANSWERS = frozenset({"yes", "no", "true", "false", "none"})
_CHOICE = re.compile(
    r"^(?:\*\*)?(?:(?i:option|choice)\s+)?(?:\(([A-H])\)|([A-H])(?:\)|[.:]|(?=\s*$))(?=\s|\*|$))"
)
# Another option named after the first: "(B)", or a lone capital that is not a variable
# in a formula ("actually C", "A/B"; not "C = 5", "point C_1").
_OTHER_CHOICE = re.compile(r"\(([A-H])\)|(?<![\w\\^_{(])([A-H])(?![\w(^_{}'=]|\s*[=<>+*^])")
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")


def text_words(text: str) -> str:
    """Lower-case words with punctuation and articles removed: how prose is compared."""
    text = re.sub(r"\\[a-zA-Z]+|[{}$\\]", " ", text.lower())
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _is_separator(token: Token) -> bool:
    return (
        (token.kind == "op" and token.value in (",", ";"))
        or (token.kind == "sep" and token.value == "and")
        or (token.kind == "word" and token.value.lower() in SEPARATOR_WORDS)
    )


def _skip_exponent(tokens: list[Token], index: int) -> int:
    """The index after a unit's power (``\\text{ inches}^2``), or ``index`` if none."""
    if index + 1 >= len(tokens) or tokens[index].value != "^":
        return index
    index += 1
    if tokens[index].kind != "open":
        return index + 1
    depth = 0
    while index < len(tokens):
        depth += {"open": 1, "close": -1}.get(tokens[index].kind, 0)
        index += 1
        if depth == 0:
            break
    return index


def _is_unit_word(tokens: list[Token], index: int) -> bool:
    token = tokens[index]
    return (
        token.kind == "word"
        and len(token.value) > 1
        and token.value.lower() in UNIT_WORDS
        and index > 0
        and tokens[index - 1].kind in ("num", "close")
    )


def _strip_item_label(part: list[Token]) -> list[Token]:
    """``Minimum: 1`` -> ``1``."""
    for index, token in enumerate(part):
        if token.kind == "op" and token.value == ":" and index:
            words = part[:index]
            if all(w.kind == "word" for w in words) and sum(len(w.value) for w in words) > 1:
                return part[index + 1 :]
            break
        if token.kind != "word":
            break
    return part


def _split_items(tokens: list[Token], units: list[str] | None = None) -> list[list[Token]]:
    """Split at top-level commas, semicolons, "and", "or"; drop units (noted in ``units``)
    and qualifiers."""
    parts: list[list[Token]] = [[]]
    depth, index = 0, 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            depth = max(depth - 1, 0)
        if depth == 0 and _is_separator(token):
            parts.append([])
        elif token.kind == "sep" and token.value == "qualifier":
            # "f(x) = 1 \\text{ for all } x > 0": the qualifier runs to the next item.
            while index < len(tokens) and not (depth == 0 and _is_separator(tokens[index])):
                depth += {"open": 1, "close": -1}.get(tokens[index].kind, 0)
                index += 1
        elif token.kind == "text" or _is_unit_word(tokens, index - 1):
            after = _skip_exponent(tokens, index)
            if units is not None:
                power = "".join(
                    t.value
                    for t in tokens[index + 1 : after]
                    if t.kind != "open" and t.kind != "close"
                )
                units.append(_unit_name(token.value) + (f"^{power}" if power else ""))
            index = after
        else:
            parts[-1].append(token)
    return [_strip_item_label(part) for part in parts if part]


def _unit_name(text: str) -> str:
    """``Hours`` -> ``hour``, ``square inches`` -> ``inche^2``: case, plural and the way a
    power is written do not make a different unit."""
    words = [
        word[:-1] if len(word) > 3 and word.endswith("s") else word for word in text.lower().split()
    ]
    for prefix, power in (("square", "^2"), ("sq", "^2"), ("cubic", "^3")):
        if len(words) == 2 and words[0] == prefix:
            return words[1] + power
    return " ".join(words)


@lru_cache(maxsize=8192)
def answer_units(text: str) -> frozenset[str]:
    """The units written in an answer (``5 \\text{ cm}^2`` -> {"cm^2"}); empty when none
    or when the answer is prose."""
    if len(text) > MAX_ANSWER_CHARS:
        return frozenset()
    try:
        normalized = normalize(text)
        if _is_prose(normalized):
            return frozenset()
        units: list[str] = []
        _split_items(tokenize(normalized), units)
    except (LexError, ValueError):
        return frozenset()
    return frozenset(units)


def _parse_tokens(tokens: list[Token]) -> Node:
    parser = Parser(tokens)
    node = parser.item()
    if parser.pos != len(tokens):
        raise ParseError(f"unexpected {tokens[parser.pos].value!r}")
    return node


def _is_prose(normalized: str) -> bool:
    """A sentence rather than a formula: bare words, or a long ``\\text{}`` sentence."""
    texts = re.findall(r"\\text\s*\{([^{}]*)\}", normalized)
    if any(len(_PROSE_WORD.findall(text)) >= 5 for text in texts):
        return True
    bare = re.sub(r"\\text\s*\{[^{}]*\}|\\[a-zA-Z]+", " ", normalized)
    words = [w for w in _PROSE_WORD.findall(bare) if w.lower() not in _NOT_PROSE]
    if not texts and not words:
        return False
    has_math = bool(re.search(r"[\d=<>^_+*/()-]", bare))
    if not has_math and not words:
        # Only \text{...}: a worded answer, unless it is a letter (a choice, a unit).
        return any(_PROSE_WORD.search(text) for text in texts)
    if not has_math:
        return len(words) >= 1
    # Next to math, a three-letter run is as likely a product (abx) as a word.
    english = [w for w in re.findall(r"[A-Za-z]+", bare) if len(w) >= 4 or w.lower() in _STOPWORDS]
    return len([w for w in english if w.lower() not in _NOT_PROSE]) >= 2


def _prose(text: str) -> Text:
    words = text_words(re.sub(r"\s*[,;]\s*", " and ", text))
    numbers = [Num(Fraction(n)) for n in _PROSE_NUMBER.findall(text)]
    special = _SPECIAL_TEXT.get(words)
    if special is not None:
        return Text(words, special)
    if words in _NUMBER_WORDS:
        return Text(words, Num(Fraction(_NUMBER_WORDS.index(words))))
    if not numbers or _BOUND.search(words):
        return Text(words)  # "at least 3" bounds the answer; it does not give it
    return Text(words, numbers[0] if len(numbers) == 1 else Seq("tuple", tuple(numbers)))


@lru_cache(maxsize=8192)
def parse_answer(text: str) -> Node:
    """Parse one final answer. Never raises: unparseable answers become :class:`Opaque`."""
    if len(text) > MAX_ANSWER_CHARS:
        return Opaque(" ".join(text.split()))
    normalized = normalize(text)
    try:
        return _parse_normalized(normalized)
    except (ParseError, LexError, RecursionError, ValueError):
        return Opaque(normalized.replace(" ", ""))


def _parse_normalized(normalized: str) -> Node:
    unwrapped = re.sub(r"\\text\s*\{([^{}]*)\}", r" \1 ", normalized)
    choice = _choice(unwrapped.strip())
    if choice is not None:
        return choice
    if _HEDGED_CHOICES.fullmatch(unwrapped.strip()):
        return Opaque(f"hedge between options {unwrapped.strip()}")
    letters = _CHOICES.fullmatch(unwrapped.strip())
    if letters:  # several choices, "ACD" or "A, C, D": a set of letters
        return Seq("set", tuple(Sym(letter) for letter in re.findall(r"[A-H]", letters[0])))
    if unwrapped.strip().lower() in _TEXT_ANSWERS or _is_prose(normalized):
        return _prose(unwrapped)
    parts = [part for part in _split_items(tokenize(normalized)) if part]
    if not parts:
        raise ParseError("empty answer")
    items = tuple(
        item for item in map(_parse_tokens, parts) if not _declares_integer_parameter(item)
    )
    if not items:
        raise ParseError("only a parameter declaration")
    return items[0] if len(items) == 1 else Seq("list", items)


def _choice(text: str) -> Node | None:
    """A multiple-choice answer that starts with its letter: ``(B) 42``, ``C. none``.

    Exactly one option is an answer. Naming another one after it, as an alternative or a
    retraction ("(A) or (B)", "A: no, actually C", "(A) is wrong, so (B)"), is a hedge:
    it is read as a hedge, which equals no gold. An explicit set ("(A) and (C)") is left
    to the set reading.
    """
    match = _CHOICE.match(text)
    if match is None:
        return None
    letter = match.group(1) or match.group(2)
    others = {a or b for a, b in _OTHER_CHOICE.findall(text[match.end() :])} - {letter}
    if not others:
        return Sym(letter)
    if _CHOICES.fullmatch(text):
        return None
    return Opaque(f"hedge between options {', '.join(sorted({letter, *others}))}")


def _declares_integer_parameter(node: Node) -> bool:
    """``k \\in \\mathbb{Z}`` after a periodic family qualifies it; it is not an answer."""
    return (
        isinstance(node, Relation)
        and node.ops == ("in",)
        and isinstance(node.operands[0], Sym)
        and isinstance(node.operands[1], Sym)
        and node.operands[1].name.startswith("mathbb:")
    )
