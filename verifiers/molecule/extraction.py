"""Find the SMILES a response gives as its answer. Text only: no chemistry here.

Reasoning before ``</think>`` is never read, and a ``<think>`` left open is a format
problem (the response never reached an answer); special tokens at the end are dropped.
Then the first of these places that exists holds the answer:

1. the last ``<answer>`` (to its ``</answer>``, or to the end when left open); inside it,
   its last ``<smiles>`` tag or last SMILES code block when it has one;
2. the last ``<smiles>...</smiles>``;
3. the last fenced code block tagged ``smiles``, ``smi``, ``text`` or not tagged;
4. the last non-empty line.

The place's candidates are its words that look like SMILES: split on white space, with
wrapping quotes, backticks, emphasis, sentence punctuation and unbalanced outer brackets
taken off, made only of SMILES symbols (organic-subset atoms, bracket atoms, bonds,
branches, ring closures, ``.``) and naming at least one atom. ``CCO`` and ``[Na+].[Cl-]``
are candidates, ``ethanol``, ``C2H6O`` and ``42`` are not. A few English words that are
also SMILES (``I``, ``NO``, ``IS``, ...) are dropped when the place has other candidates.
Deciding between several candidates needs chemistry: see the package's ``verify``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verifiers.text import THINK_CLOSE, fenced_blocks, strip_thinking, without_end_tokens

PLACE_CHARS_FLOOR = 20_000
MAX_CANDIDATES = 16
"""A place with more SMILES-looking words than this lists molecules: it is a hedge."""
SMILES_FENCE_TAGS = frozenset({"", "smiles", "smi", "text", "txt", "plaintext"})
ENGLISH_WORDS = frozenset({"I", "IN", "IS", "NO", "OF", "ON", "SO"})
"""Valid SMILES that are also words of a sentence ("I think it is CCO")."""

_TAG = re.compile(r"<(/?)(answer|smiles)\s*>", re.IGNORECASE)
_SMILES_WORD = re.compile(
    r"(?:\[[^\[\]\s]{1,40}\]|Br|Cl|[BCNOPSFI]|[bcnops]|\*|[-=#$:/\\().]|%\d\d|\d)+"
)
_ATOM = re.compile(r"\[|Br|Cl|[BCNOPSFIbcnops*]")
_QUOTES = "`'\"\u2018\u2019\u201c\u201d"
_TRAILING_PUNCTUATION = ".,;:!?"
_PAIRED_MARKS = "*_$"
_BRACKETS = (("(", ")"), ("[", "]"))
_EDGE_CHARS = frozenset(_QUOTES + _TRAILING_PUNCTUATION + _PAIRED_MARKS + "()[]")
_WORD = re.compile(r"\S+")
MAX_TRIM_PASSES = 4


class FormatProblem(ValueError):
    """The response gives no SMILES; the message says where it looked."""


@dataclass(frozen=True, slots=True)
class Extracted:
    candidates: tuple[str, ...]
    """The SMILES-looking words of the answer's place, in order (at least one)."""
    source: str
    """Where: "<answer> tag", "<smiles> tag", "code block" or "last line"."""
    crowded: bool = False
    """More than :data:`MAX_CANDIDATES` candidates: a list, not an answer."""


def extract_smiles(response: str, *, max_smiles_chars: int) -> Extracted:
    """The candidates of the answer's place; raises :class:`FormatProblem` when none, or
    when the place is longer than :func:`max_place_chars` (checked before reading it)."""
    text = strip_thinking(response)
    if text is None:
        raise FormatProblem("the <think> block is never closed: no answer after it")
    text = without_end_tokens(text)
    place, source = _answer_place(text)
    if source == "last line" and not place:
        after = " after </think>" if THINK_CLOSE in response else ""
        raise FormatProblem(f"no SMILES: the response has no text{after}")
    limit = max_place_chars(max_smiles_chars)
    if len(place) > limit:
        raise FormatProblem(f"the {source} is longer than {limit} characters")
    words = smiles_words(place)
    if not words:
        raise FormatProblem(f"no SMILES in the {source}{_shown_place(place)}")
    if len(words) > MAX_CANDIDATES:
        return Extracted(tuple(words[:MAX_CANDIDATES]), source, crowded=True)
    if len(words) > 1:
        words = [word for word in words if word not in ENGLISH_WORDS] or words
    return Extracted(tuple(words), source)


def max_place_chars(max_smiles_chars: int) -> int:
    """The longest answer place read: room for a SMILES of the longest accepted length and
    the words around it."""
    return max(PLACE_CHARS_FLOOR, 2 * max_smiles_chars)


def _answer_place(text: str) -> tuple[str, str]:
    """The text that holds the answer, and what it is."""
    tags = _tag_spans(text)
    if "answer" in tags:
        inner = tags["answer"]
        inside = _tag_spans(inner).get("smiles")
        if inside is not None:
            return inside, "<smiles> tag inside <answer>"
        block = _smiles_block(inner)
        if block is not None:
            return block, "code block inside <answer>"
        return inner, "<answer> tag"
    if "smiles" in tags:
        return tags["smiles"], "<smiles> tag"
    block = _smiles_block(text)
    if block is not None:
        return block, "code block"
    text = text.rstrip()
    return text[max(text.rfind("\n"), text.rfind("\r")) + 1 :], "last line"


def _tag_spans(text: str) -> dict[str, str]:
    """The content of the last ``<answer>`` and of the last ``<smiles>``: from the opening
    tag to its closing tag, or to the end of the text when none follows. One pass."""
    opened: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    for match in _TAG.finditer(text):
        name = match[2].lower()
        if not match[1]:
            opened[name] = match.end()
            spans.pop(name, None)
        elif name in opened and name not in spans:
            spans[name] = (opened[name], match.start())
    return {
        name: text[start : spans[name][1]] if name in spans else text[start:]
        for name, start in opened.items()
    }


def _smiles_block(text: str) -> str | None:
    bodies = [body for tag, body in fenced_blocks(text) if tag in SMILES_FENCE_TAGS]
    return bodies[-1] if bodies else None


def smiles_words(text: str) -> list[str]:
    """The words of ``text`` that look like SMILES, trimmed, in order; past
    ``MAX_CANDIDATES + 1`` of them the rest are not read."""
    words: list[str] = []
    for match in _WORD.finditer(text):
        word = match[0]
        if word[0] in _EDGE_CHARS or word[-1] in _EDGE_CHARS:
            word = _trimmed(word)
        if is_smiles_like(word):
            words.append(word)
            if len(words) > MAX_CANDIDATES:
                break
    return words


def is_smiles_like(word: str) -> bool:
    return _SMILES_WORD.fullmatch(word) is not None and _ATOM.search(word) is not None


def _trimmed(word: str) -> str:
    """A word without what wraps it in prose: quotes, backticks, ``**``/``_``/``$`` marks on
    both ends, sentence punctuation after it, parentheses around it (``(CCO)``) and brackets
    with no partner (``CCO).``). A few passes, each linear in the word."""
    for _ in range(MAX_TRIM_PASSES):
        before = word
        word = word.strip(_QUOTES).rstrip(_TRAILING_PUNCTUATION)
        for mark in _PAIRED_MARKS:
            run = min(len(word) - len(word.lstrip(mark)), len(word) - len(word.rstrip(mark)))
            if run and len(word) > 2 * run:
                word = word[run:-run]
        if _in_parentheses(word):
            word = word[1:-1]
        word = _without_unpaired(word)
        if word == before:
            break
    return word


def _in_parentheses(word: str) -> bool:
    """``(…)`` where the first parenthesis closes at the last character."""
    if word[:1] != "(" or word[-1:] != ")":
        return False
    depth = 0
    for index, char in enumerate(word):
        depth += (char == "(") - (char == ")")
        if depth == 0:
            return index == len(word) - 1
    return False


def _without_unpaired(word: str) -> str:
    """``word`` without leading openers or trailing closers that nothing pairs with."""
    for opening, closing in _BRACKETS:
        excess = word.count(opening) - word.count(closing)
        if excess > 0:
            word = word[min(excess, len(word) - len(word.lstrip(opening))) :]
        elif excess < 0:
            word = word[: len(word) - min(-excess, len(word) - len(word.rstrip(closing)))]
    return word


def _shown_place(place: str) -> str:
    place = " ".join(place.split())
    if not place:
        return " (it is empty)"
    return f": {place[:60]!r}" + ("…" if len(place) > 60 else "")
