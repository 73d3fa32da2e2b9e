"""Find the final answer in a model's response.

Special tokens a trainer leaves at the end (``<|im_end|>``, ``</s>``) are dropped first, and
reasoning inside ``<think>...</think>`` is never read. Then, in order of trust:

1. the last ``\\boxed{}``/``\\fbox{}``, with the boxes that end the same statement:
   ``\\boxed{1}, \\boxed{2}`` and ``$a = \\boxed{3}$ and $b = \\boxed{5}$`` are one answer in
   parts, while a box followed by more reasoning is not part of a later one;
2. an answer phrase ("final answer is", "the answer must be", "Answer:", GSM8K's "####");
3. the last display formula near the end;
4. the whole response, when it is only a formula (datasets store bare answers);
5. the final statement (:mod:`.statements`): the last sentence that states a value, past
   closing remarks, verification lines ("Check: 4*4 = 16 ✓") and questions.

What follows the answer can revise it: a retraction ("Wait, actually it's 5.", "C: no,
actually B") replaces it, an alternative ("or possibly 4", "Alternatively, \\boxed{B}")
makes it a hedge ("3 or 4"), which the parser judges as such. A chain of equalities reads
as its last member (``A = 4^2 = 16`` -> ``16``). Every step is linear in the response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verifiers.math.statements import (
    EMPHASIS,
    MAX_CLOSING_STATEMENTS,
    MAX_REMARK_CHARS,
    NEGATION,
    TEXT_GROUP,
    Statement,
    inline_math,
    is_aside,
    is_formula,
    statement_answer,
    statements,
    trimmed,
    values,
    whole_formula,
)
from verifiers.text import strip_thinking, without_end_tokens

MAX_ADJACENT_BOXES = 16
MAX_SKIPPED_BOXES = 64
MAX_BOX_GAP_CHARS = 80
"""Boxes further apart than this are never parts of one answer."""
MAX_REREAD_CHARS = 2000
"""Longer answers are handed over as they are, with no chain or retraction read in them."""
DISPLAY_TAIL_CHARS = 200
"""A display formula counts as the answer only this close to the end of the response."""

_NEGATED = re.compile(r"(?:\bnot|n't|\bcannot be|\bnever)[\s$]*(?:\\\(|\$)?[\s$]*\Z")
_BOX = re.compile(r"\\(?:boxed|fbox)\s*")
_LABEL_NAME = r"(?:[A-Za-z]{1,3}|\\[A-Za-z]+)(?:_\{?\w{1,4}\}?)?'*(?:\(\w{1,4}\))?"
# What may stand between the boxes of one answer: separators, "and"/"or", part labels
# ("(b)", "Part 2:"), variable labels ("b =", "x_2 ="), list markup; never a sentence.
_GAP_PIECES = re.compile(
    r"\s+|[$,;:*\-•]|\.(?!\s+[A-Z])|\\[()\[\]]|\\(?:q?quad|[,;: ])(?![a-zA-Z])"
    r"|\\(?:text|mbox|textrm)\s*\{|\}"
    r"|(?:and|or|the|is|are|for|first|second|third|last|part|answer|respectively)\b"
    r"|\(?(?:[a-h]|[ivx]{1,4}|\d{1,2})\)|\d{1,2}(?=[:.)])"
    rf"|{_LABEL_NAME}\s*=",
    re.IGNORECASE,
)
_LABEL = re.compile(rf"(?:^|[^\w\\}}])({_LABEL_NAME})\s*=\s*\$?\s*\Z")
_PHRASES = re.compile(
    r"####\s*"
    r"|\*\*\s*(?:final\s+)?answer\s*:?\s*\*\*\s*:?\s*"
    r"|\b(?:final\s+answer|answer)\s*"
    r"(?:(?:is|must\s+be|should\s+be|would\s+be|will\s+be|has\s+to\s+be)\b\s*:?|:|=)\s*"
    r"|\banswers\s+are\s*:?\s*"
    r"|(?:correct\s+)?(?:option|choice)\s+is\s*:?\s*",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<!\d)\.(?:\s|$)|\.(?=\s+[A-Z])|\s+(?:because|since|as)\s|,?\s+not\s")
_MATHLIKE = re.compile(r"[\d\\=^]")
_LONE_CHOICE = re.compile(r"\(?[A-H]\)?")
_RETRACTION = (
    r"wait|actually|no(?=\s*[,.!;:])|oops|sorry|correction|i\s+mean|scratch\s+that"
    r"|on\s+second\s+thought"
)
# A revision opens its sentence (after punctuation and "hmm", "but"): "Wait, actually it's
# 5.", "(or possibly 4)", "Alternatively, $\boxed{B}$".
_REVISION = re.compile(
    r"[\s$.,;:()\-]*(?:(?:but|hmm+|oh|well)\b[\s,.!]*){0,3}"
    rf"(?:(?P<alternative>or|alternatively)|(?P<retraction>{_RETRACTION}))\b[\s,.!:;]*"
    rf"(?:(?:{_RETRACTION})\b[\s,.!:;]*){{0,3}}",
    re.IGNORECASE,
)
_RETRACTION_INSIDE = re.compile(rf"\b(?:{_RETRACTION})\b[\s,.!:;]*", re.IGNORECASE)
# "or equivalently 0.5", "(or about 3.14)": the same answer written again, not another one.
_SAME_ANSWER = re.compile(
    r"(?:equivalently|in\s+other\s+words|i\.e\.|that\s+is|approximately|about|roughly|"
    r"written\s+as|simplified|in\s+(?:decimal|simplest|lowest|exact|fraction)|as\s+a\s+"
    r"(?:decimal|fraction|percent)|\\approx|≈|~)",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"(?:(?:(?:it|that|this)(?:'s|\s+is|\s+(?:should|must|could|might|would)\s+be)"
    r"|the\s+answer\s+is|maybe|possibly|perhaps)\b\s*){0,3}",
    re.IGNORECASE,
)
_CONCLUDING = re.compile(
    r"(?:therefore|thus|so|hence|finally|in\s+conclusion|in\s+total|overall)\b", re.IGNORECASE
)
_NAME = re.compile(r"\s*(?:[A-Za-z]|\\[A-Za-z]+)(?:_\{?\w+\}?)?'*\s*")


@dataclass(frozen=True, slots=True)
class Extracted:
    answer: str
    source: str
    """Where it came from: "boxed", "answer phrase", "answer phrase after the last box"
    (either with ", revised by what follows it"), "display math", "whole response" or
    "final statement"."""


def read_group(text: str, start: int) -> tuple[str, int]:
    """The brace group at ``text[start] == "{"``; an unclosed one runs to the end.

    Escaped braces (``\\{``, ``\\}``) do not count.
    """
    depth, index = 0, start
    while index < len(text):
        char = text[index]
        index += 1
        if char == "\\":
            index += 1
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index - 1], index
    return text[start + 1 :], len(text)


def _box_content(text: str, match: re.Match[str]) -> tuple[str, int]:
    start = match.end()
    if start < len(text) and text[start] == "{":
        return read_group(text, start)
    token = re.match(r"[^\s$]+", text[start:])
    if token is None:
        return "", start
    return token.group(0), start + token.end()


def last_boxed(text: str) -> str | None:
    """The last non-empty box's content, joined with the boxes of the same statement."""
    found = _last_boxed(text)
    return found[0] if found else None


def _gap_joins(gap: str) -> bool:
    """Two boxes with only separators and labels between them are parts of one answer."""
    index = 0
    while index < len(gap):
        piece = _GAP_PIECES.match(gap, index)
        if piece is None:
            return False
        index = piece.end()
    return True


def _alternative(text: str) -> re.Match[str] | None:
    """``text`` opens with "or"/"alternatively" and another answer, not the same one again."""
    revision = _REVISION.match(text)
    if revision is None or not revision.group("alternative"):
        return None
    return None if _SAME_ANSWER.match(text, revision.end()) else revision


def _last_boxed(text: str) -> tuple[str, int] | None:
    """(content, end) of the answer box; ``("", 0)`` when every box is negated."""
    matches = list(_BOX.finditer(text))
    parts: list[tuple[str, str | None]] = []  # (content, label), last box first
    boundary = last_end = None
    skipped = negated = 0
    hedged = False
    for match in reversed(matches):
        content, end = _box_content(text, match)
        before = text[max(0, match.start() - 24) : match.start()]
        if not parts and (not content.strip() or _NEGATED.search(before)):
            # "put your answer in \boxed{}" and "it is not \boxed{5}" are not answers.
            negated += bool(content.strip())
            skipped += 1
            if skipped > MAX_SKIPPED_BOXES:
                break
            continue
        if len(parts) == MAX_ADJACENT_BOXES:
            break
        if boundary is not None:
            gap = text[end:boundary]
            if end > boundary or len(gap) > MAX_BOX_GAP_CHARS:
                break
            if _alternative(gap):  # "\boxed{3} or, if the ends count, \boxed{4}"
                hedged = True
            elif not _gap_joins(gap):
                break
            hedged = hedged or re.search(r"\bor\b", gap, re.IGNORECASE) is not None
        label = _LABEL.search(before)
        parts.append((content.strip(), label.group(1) if label else None))
        boundary = match.start()
        last_end = last_end or end
    if not parts:
        return ("", 0) if negated else None
    parts.reverse()
    contents = [content for content, _ in parts]
    if len(set(contents)) == 1:
        return contents[0], last_end
    labels = [label for _, label in parts]
    if None not in labels and len(set(labels)) == len(labels):
        contents = [f"{label} = {content}" for label, content in zip(labels, contents, strict=True)]
    return (" or " if hedged else ", ").join(contents), last_end


def _after_phrase(text: str) -> tuple[str, int] | None:
    """(answer, end) after the last answer phrase, up to the end of its sentence."""
    last = None
    for last in _PHRASES.finditer(text):  # noqa: B007 - the last match is wanted
        pass
    if last is None:
        return None
    line = text[last.end() :].split("\n", 1)[0]
    end = _SENTENCE_END.search(line)
    answer = line[: end.start()] if end else line
    stop = last.end() + len(answer)
    answer = EMPHASIS.sub("", answer).strip()
    inline = inline_math(answer)
    if len(inline) == 1 and inline[0][0] == 0:
        answer = inline[0][2]
    answer = answer.rstrip(".").strip()
    if not answer or NEGATION.match(answer):
        return None  # "the answer is not 5" states no answer
    return answer, stop


def _last_display(text: str) -> str | None:
    """The last ``$$...$$`` or ``\\[...\\]`` near the end, found from the end (linear time),
    unless a concluding sentence after it states the answer ("Therefore ... by 100%.")."""
    best: tuple[int, str, int] | None = None
    for opener, closer in (("$$", "$$"), ("\\[", "\\]")):
        end = text.rfind(closer)
        start = text.rfind(opener, 0, end) if end > 0 else -1
        if start >= 0 and (best is None or end > best[0]):
            best = (end, text[start + len(opener) : end], end + len(closer))
    if best is None or len(text) - best[0] > DISPLAY_TAIL_CHARS:
        return None
    return _final_statement(text[best[2] :], concluding=True) or best[1].strip() or None


def _stated_value(text: str) -> str | None:
    """The value a revision opens with ("it's 5.", "B", "possibly 4)"); ``None`` when it
    goes on to something else ("let me double-check: 2 + 3 = 5")."""
    text = trimmed(text[_FILLER.match(text).end() :])
    spans = values(text)
    if spans and spans[0][0] == 0:
        return spans[0][2]
    if is_formula(text) or _LONE_CHOICE.fullmatch(text):
        return text
    return None


def _revised(answer: str, after: list[Statement]) -> str:
    """``answer`` as the sentences after it leave it: a retraction with a value replaces
    it, an alternative with a value joins it as a hedge."""
    inside = None
    if len(answer) <= MAX_REREAD_CHARS:
        for inside in _RETRACTION_INSIDE.finditer(answer):  # noqa: B007 - the last counts
            pass
    if inside is not None and inside.start() > 0:
        answer = _stated_value(answer[inside.end() :]) or answer  # "C: no, actually B"
    for statement in after:
        revision = _REVISION.match(statement.text)
        if revision is None or (revision.group("alternative") and not _alternative(statement.text)):
            continue
        value = _stated_value(statement.text[revision.end() :])
        if value is not None:
            answer = value if revision.group("retraction") else f"{answer} or {value}"
    return answer


def _final_statement(text: str, *, concluding: bool = False) -> str | None:
    """The answer stated by the last sentence that states one, as later sentences revise it;
    with ``concluding``, only a sentence that opens with "Therefore", "So", ... counts."""
    found = statements(text)
    for index in range(len(found) - 1, max(-1, len(found) - MAX_CLOSING_STATEMENTS - 2), -1):
        statement = found[index]
        if is_aside(statement.text) or _alternative(statement.text):
            continue
        answer = statement_answer(statement)
        if answer is not None and (not concluding or _CONCLUDING.match(statement.text)):
            return _revised(answer, found[index + 1 :])
        if len(statement.text) > MAX_REMARK_CHARS or values(statement.text):
            return None  # reasoning, or several values without one stated as the answer
    return None


def _last_member(answer: str) -> str:
    """``A = 4^2 = 16`` -> ``16``: a chain of equalities that computes a value ends in it.

    Chains of names (``x = y = z = 1``), lists, and chains whose last member is not a
    closed value (no letters but commands) stay whole.
    """
    if len(answer) > MAX_REREAD_CHARS:
        return answer
    members, depth, start = [], 0, 0
    for index, char in enumerate(answer):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char in ",;" and depth == 0:
            return answer
        elif char == "=" and depth == 0 and answer[index - 1 : index] not in ("<", ">", "!"):
            members.append(answer[start:index])
            start = index + 1
    members.append(answer[start:])
    if len(members) < 3 or re.search(r"and|or", answer, re.IGNORECASE):
        return answer
    last = members[-1].strip()
    closed = re.sub(r"\\[A-Za-z]+", "", TEXT_GROUP.sub("", last))
    if not last or re.search(r"[A-Za-z]", closed) or all(_NAME.fullmatch(m) for m in members[:-1]):
        return answer
    return last


def _settled(answer: str, source: str, after: str) -> Extracted:
    """``answer`` as the text ``after`` it revises it, read as a chain's last member."""
    revised = _revised(answer, statements(after))
    if revised != answer:
        answer, source = revised, f"{source}, revised by what follows it"
    return Extracted(_last_member(answer), source)


def extract_answer(response: str, *, boxed_only: bool = False) -> Extracted | None:
    """The final answer of a response, or ``None`` when it gives none."""
    text = strip_thinking(without_end_tokens(response))
    if text is None:
        return None
    boxed = _last_boxed(text)
    if boxed == ("", 0):
        return None  # the only boxed answers are ruled out ("it is not \boxed{5}")
    if boxed is not None:
        answer, end = boxed
        if boxed_only:
            return Extracted(_last_member(answer), "boxed")
        later = _after_phrase(text[end:])
        if later and (_MATHLIKE.search(later[0]) or _LONE_CHOICE.fullmatch(later[0])):
            # "\boxed{5} was wrong. The answer is 6.": the last stated answer counts.
            return _settled(later[0], "answer phrase after the last box", text[end + later[1] :])
        return _settled(answer, "boxed", text[end:])
    if boxed_only:
        return None
    phrase = _after_phrase(text)
    if phrase is not None:
        return _settled(phrase[0], "answer phrase", text[phrase[1] :])
    for source, finder in (
        ("display math", _last_display),
        ("whole response", whole_formula),
        ("final statement", _final_statement),
    ):
        answer = finder(text)
        if answer:
            return Extracted(_last_member(answer), source)
    return None
