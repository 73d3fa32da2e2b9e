"""Find the final answer in a model's response.

In order of trust: the last ``\\boxed{}``/``\\fbox{}`` (with the boxes written right next
to it: ``\\boxed{1}, \\boxed{2}`` is one answer with two parts), an answer phrase ("final
answer is", "Answer:", GSM8K's "####"), the last display formula near the end, and a short
last line. Reasoning inside ``<think>...</think>`` is never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verifiers.text import THINK_OPEN, after_thinking

MAX_ADJACENT_BOXES = 16
MAX_SKIPPED_BOXES = 64
_NEGATED = re.compile(r"(?:\bnot|n't|\bcannot be|\bnever)[\s$]*(?:\\\(|\$)?[\s$]*\Z")
DISPLAY_TAIL_CHARS = 200
"""A display formula counts as the answer only this close to the end of the response."""

_BOX = re.compile(r"\\(?:boxed|fbox)\s*")
_BOX_SEPARATOR = re.compile(
    r"[\s$.,;]*(?:(?:and|or|\\text\{\s*(?:and|or)\s*\}|\\quad|\\qquad|\\,)[\s$.,;]*)?"
)
_PHRASES = re.compile(
    r"####\s*"
    r"|\*\*\s*(?:final\s+)?answer\s*:?\s*\*\*\s*:?\s*"
    r"|(?:final\s+answer|answer)\s*(?:is\s*:?|:|=)\s*"
    r"|(?:correct\s+)?(?:option|choice)\s+is\s*:?\s*",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<!\d)\.(?:\s|$)|\.(?=\s+[A-Z])|\s+(?:because|since|as)\s|,?\s+not\s")
_INLINE = re.compile(r"\$([^$]+)\$")
_TRAILING_VALUE = re.compile(r"(?:\b(?:is|equals)\b|=|:)\s*([^\s].{0,60}?)\s*\.?$")
_MATHLIKE = re.compile(r"[\d\\=^]")


@dataclass(frozen=True, slots=True)
class Extracted:
    answer: str
    source: str
    """Where it came from: "boxed", "answer phrase", "display math" or "last line"."""


def strip_thinking(response: str) -> str | None:
    """The text after the last ``</think>``; ``None`` if a ``<think>`` is never closed."""
    response = after_thinking(response)
    return None if THINK_OPEN in response else response


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
    """The last non-empty box's content, joined with the boxes written right before it."""
    found = _last_boxed(text)
    return found[0] if found else None


def _last_boxed(text: str) -> tuple[str, int] | None:
    """(content, end) of the answer box; ``("", 0)`` when every box is negated."""
    matches = list(_BOX.finditer(text))
    contents: list[str] = []
    boundary = last_end = None
    skipped = negated = 0
    for match in reversed(matches):
        content, end = _box_content(text, match)
        before = text[max(0, match.start() - 24) : match.start()]
        if not contents and (not content.strip() or _NEGATED.search(before)):
            # "put your answer in \boxed{}" and "it is not \boxed{5}" are not answers.
            negated += bool(content.strip())
            skipped += 1
            if skipped > MAX_SKIPPED_BOXES:
                break
            continue
        if len(contents) == MAX_ADJACENT_BOXES:
            break
        if boundary is not None:
            gap = text[end:boundary]
            if end > boundary or not _BOX_SEPARATOR.fullmatch(gap):
                break
        contents.append(content.strip())
        boundary = match.start()
        last_end = last_end or end
    if not contents:
        return ("", 0) if negated else None
    contents.reverse()
    return (contents[0] if len(set(contents)) == 1 else ", ".join(contents)), last_end


def _after_phrase(text: str) -> str | None:
    last = None
    for last in _PHRASES.finditer(text):  # noqa: B007 - the last match is wanted
        pass
    if last is None:
        return None
    line = text[last.end() :].split("\n", 1)[0]
    end = _SENTENCE_END.search(line)
    answer = line[: end.start()] if end else line
    answer = answer.strip().strip("*").strip()
    inline = _INLINE.findall(answer)
    if len(inline) == 1 and answer.startswith("$"):
        answer = inline[0]
    return answer.rstrip(".").strip() or None


def _last_display(text: str) -> str | None:
    """The last ``$$...$$`` or ``\\[...\\]``, found from the end (linear time)."""
    best: tuple[int, str] | None = None
    for opener, closer in (("$$", "$$"), ("\\[", "\\]")):
        end = text.rfind(closer)
        start = text.rfind(opener, 0, end) if end > 0 else -1
        if start >= 0 and (best is None or end > best[0]):
            best = (end, text[start + len(opener) : end])
    if best is None or len(text) - best[0] > DISPLAY_TAIL_CHARS:
        return None
    return best[1].strip() or None


def _last_line(text: str) -> str | None:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return None
    line = lines[-1]
    inline = _INLINE.findall(line)
    if inline:
        return inline[-1].strip()
    if (len(line) <= 40 and re.search(r"[\d=]", line)) or len(line.split()) <= 3:
        return line.rstrip(".").strip() if len(line) <= 100 else None
    trailing = _TRAILING_VALUE.search(line)
    if trailing and _MATHLIKE.search(trailing.group(1)):
        return trailing.group(1).strip()
    return None


def extract_answer(response: str, *, boxed_only: bool = False) -> Extracted | None:
    """The final answer of a response, or ``None`` when it gives none."""
    text = strip_thinking(response)
    if text is None:
        return None
    boxed = _last_boxed(text)
    if boxed == ("", 0):
        return None  # the only boxed answers are ruled out ("it is not \boxed{5}")
    if boxed is not None:
        answer, end = boxed
        later = None if boxed_only else _after_phrase(text[end:])
        if later and _MATHLIKE.search(later):
            # "\boxed{5} was wrong. The answer is 6.": the last stated answer counts.
            return Extracted(later, "answer phrase after the last box")
        return Extracted(answer, "boxed")
    if boxed_only:
        return None
    for source, finder in (
        ("answer phrase", _after_phrase),
        ("display math", _last_display),
        ("last line", _last_line),
    ):
        answer = finder(text)
        if answer:
            return Extracted(answer, source)
    return None
