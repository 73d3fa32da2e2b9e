"""Find and parse the JSON value in a model's output, strictly and within bounds.

Strict JSON only: no NaN or Infinity, no duplicate keys, no trailing commas, no number that
overflows to infinity. Size and nesting depth are checked on the text, before any parser
or validator sees it.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NamedTuple

import jiter

from verifiers.text import after_thinking, fenced_blocks

_JSON_TAGS = frozenset({"", "json", "jsonc", "json5"})
_DECODER = json.JSONDecoder()
_LITERALS = frozenset({"true", "false", "null"})
MAX_INTEGER_DIGITS = 4000
# Digits read as 0, exponents as e and plus signs dropped: a large number shows as a long
# run of 0s or as an e followed by three 0s, found by a substring search.
_NUMBER_SHAPES = bytes.maketrans(b"123456789E", b"000000000e")
_LONG_RUN = b"0" * 200


class FormatProblem(ValueError):
    """The output holds no acceptable JSON value; the message says why."""


class Extracted(NamedTuple):  # a tuple: made once per item, cheaper than a dataclass
    value: Any
    source: str  # "whole output", "fenced block", "found in prose"
    passed_over: int = 0
    """In prose: values before it passed over because the schema's root does not fit them."""


def _reject_constant(name: str) -> Any:
    raise FormatProblem(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise FormatProblem(f"number {text[:20]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise FormatProblem(f"integer longer than {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise FormatProblem(f"duplicate key {duplicate!r}")
    return result


def nesting_depth(text: str, limit: int) -> int:
    """The deepest ``[``/``{`` nesting outside strings; stops counting past ``limit``."""
    if text.count("[") + text.count("{") <= limit:
        return limit  # cannot be deeper: no need to scan
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def strip_comments(text: str) -> str:
    """``//`` and ``/* */`` comments outside strings, for ```jsonc blocks."""
    out: list[str] = []
    index, length = 0, len(text)
    in_string = False
    while index < length:
        char = text[index]
        if in_string:
            out.append(char)
            if char == "\\" and index + 1 < length:
                out.append(text[index + 1])
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith("//", index):
            newline = text.find("\n", index)
            index = length if newline < 0 else newline
            continue
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            if end < 0:
                raise FormatProblem("unterminated comment")
            index = end + 2
            out.append(" ")
            continue
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _may_hold_large_numbers(encoded: bytes) -> bool:
    """Whether a number in the text could overflow a float or exceed MAX_INTEGER_DIGITS;
    strings count too, so this may say yes in vain, never no in vain.

    Without a digit run of 200 or an exponent of three digits, every number is below
    1e200 * 1e99, and no integer is longer than 199 digits."""
    shapes = encoded.translate(_NUMBER_SHAPES, b"+")
    return b"e000" in shapes or _LONG_RUN in shapes


def parse_strict(text: str, *, max_bytes: int, max_depth: int) -> Any:
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) > max_bytes:
        raise FormatProblem(f"JSON larger than {max_bytes} bytes")
    if text.count("[") + text.count("{") > max_depth and nesting_depth(text, max_depth) > max_depth:
        raise FormatProblem(f"JSON nested deeper than {max_depth}")
    if not _may_hold_large_numbers(encoded):
        # jiter refuses duplicate keys, NaN and Infinity in Rust, where json.loads needs a
        # Python hook per object. It accepts no text that json.loads refuses; what it
        # refuses (a lone surrogate, say) goes to json.loads, which says why in our words.
        try:
            return jiter.from_json(encoded, catch_duplicate_keys=True, allow_inf_nan=False)
        except ValueError:
            pass
    return parse_with_hooks(text, max_depth)


def parse_with_hooks(text: str, max_depth: int) -> Any:
    """:func:`parse_strict`'s reference: ``json.loads`` with a Python hook per object and
    number, which says in our words why a text is refused."""
    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise FormatProblem(f"invalid JSON: {exc.msg} at {where}") from None
    except RecursionError:
        raise FormatProblem(f"JSON nested deeper than {max_depth}") from None


def _looks_like_json(text: str) -> bool:
    return text[:1] in ("{", "[", '"', "-") or text[:1].isdigit() or text in _LITERALS


def extract_json(
    output: str,
    *,
    lenient: bool,
    strip_think: bool,
    max_bytes: int,
    max_depth: int,
    prefer: frozenset[str] = frozenset(),
) -> Extracted:
    """The JSON value of an output; raises :class:`FormatProblem` saying what was tried.

    Strict: the whole output, else the one fenced JSON block, whatever the first line looks
    like. Lenient also reads JSON in prose (see :func:`_in_prose`; ``prefer`` names the
    types the schema's root accepts)."""
    text = after_thinking(output) if strip_think else output
    if len(text) > 4 * max_bytes:
        raise FormatProblem(f"output larger than {4 * max_bytes} characters")
    stripped = text.strip()
    whole: FormatProblem | None = None
    if _looks_like_json(stripped):
        try:
            return Extracted(
                parse_strict(stripped, max_bytes=max_bytes, max_depth=max_depth), "whole output"
            )
        except FormatProblem as problem:
            whole = problem
    fences = [(tag, body) for tag, body in fenced_blocks(text) if tag in _JSON_TAGS]
    if len(fences) == 1:
        tag, body = fences[0]
        try:
            if tag in ("jsonc", "json5"):
                body = strip_comments(body)
            value = parse_strict(body, max_bytes=max_bytes, max_depth=max_depth)
        except FormatProblem as problem:
            tried = f"the ```{tag} block is not valid JSON: {problem}"
            raise FormatProblem(
                f"{tried}; nor is the whole output: {whole}" if whole is not None else tried
            ) from None
        return Extracted(value, "fenced block")
    if len(fences) > 1 and not lenient:
        raise FormatProblem(f"{len(fences)} JSON code blocks; expected exactly one")
    if not lenient:
        if whole is not None:
            raise FormatProblem(f"the whole output is not valid JSON: {whole}; no ```json block")
        raise FormatProblem("the output is neither one JSON value nor one ```json block")
    return _in_prose(text, max_bytes, max_depth, prefer)


MAX_PROSE_STARTS = 1000
# A string (closed, or running to the end of the text read) or a bracket, for following
# the nesting of text the decoder has accepted.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)
# A string closed on its line (JSON strings hold no raw newline, so a stray quote in prose
# hides one line at most) or a bracket, for pairing the brackets of free text.
_LINE_STRING_OR_BRACKET = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|[\[\]{}]')
_OPENING = re.compile(r"[\[{]")
_PAIRS = {"]": "[", "}": "{"}


def _open_at(text: str, start: int, end: int) -> list[int]:
    """Where the brackets still open at ``end`` stand, reading ``text[start:end]`` as JSON."""
    stack: list[int] = []
    for token in _STRING_OR_BRACKET.finditer(text, start, end):
        if token[0] in "[{":
            stack.append(token.start())
        elif token[0] in "]}" and stack:
            stack.pop()
    return stack


def _closing_brackets(text: str) -> dict[int, int]:
    """Where each bracket of free text that is closed by its own kind closes, strings on
    one line skipped; one pass. A closing bracket that does not match the innermost open
    one is prose and pairs with nothing."""
    closes: dict[int, int] = {}
    stack: list[int] = []
    for token in _LINE_STRING_OR_BRACKET.finditer(text):
        position = token.start()
        char = text[position]
        if char in "[{":
            stack.append(position)
        elif char in _PAIRS and stack and text[stack[-1]] == _PAIRS[char]:
            closes[stack.pop()] = position
    return closes


def _in_prose(text: str, max_bytes: int, max_depth: int, prefer: frozenset[str]) -> Extracted:
    """The JSON object or array in free text that the schema's root type fits best.

    Candidates are the complete values that stand on their own: a value is not searched
    for smaller ones, and neither is a bracketed span that does not decode (single quotes,
    a trailing comma), so no fragment of malformed JSON is scored. The first candidate of
    a type in ``prefer`` wins (a citation ``[1]`` does not beat the object an object schema
    asks for), else the first candidate. At most 1,000 starts are tried. A bracket that
    never closes is prose: the values after it are still candidates, and a value that
    fails to decode fails at the same place when decoding starts at one of its open inner
    brackets, so those are passed over (``[0,[0,[0,...`` costs one decode, not one each)."""
    if nesting_depth(text, max_depth) > max_depth:
        raise FormatProblem(f"JSON nested deeper than {max_depth}")
    closes: dict[int, int] | None = None  # paired on the first value that fails to decode
    doomed: set[int] = set()
    chosen: tuple[int, int] | None = None
    first: tuple[int, int] | None = None
    position = attempts = passed_over = 0
    while attempts < MAX_PROSE_STARTS and (match := _OPENING.search(text, position)):
        start = position = match.start()
        position += 1
        attempts += 1
        if start in doomed:
            continue
        try:
            _, end = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError as exc:
            closes = _closing_brackets(text) if closes is None else closes
            if start in closes:
                position = closes[start] + 1  # malformed: nothing inside it is a candidate
            else:
                doomed.update(_open_at(text, start + 1, exc.pos))
            continue
        except RecursionError:
            continue
        position = end
        if not prefer or ("object" if text[start] == "{" else "array") in prefer:
            chosen = (start, end)
            break
        first = first or (start, end)
        passed_over += 1
    if chosen is None:
        chosen, passed_over = first, 0
    if chosen is None:
        raise FormatProblem("no JSON object or array found in the output")
    start, end = chosen
    value = parse_strict(text[start:end], max_bytes=max_bytes, max_depth=max_depth)
    return Extracted(value, "found in prose", passed_over=passed_over)
