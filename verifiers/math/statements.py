"""Reading answers out of prose: formulas, sentences and the values they state.

Used by :mod:`.extraction` when a response has no box and no answer phrase: a bare formula
("x \\in [2, 5)"), "Therefore there are 15 handshakes in total.", "So the area is 24 square
units.", "Thus \\(x = 5\\)". Everything here reads a bounded tail of the response (or one
sentence of it) and is linear in what it reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verifiers.math.lexer import FUNCTIONS, UNIT_WORDS

MAX_FORMULA_CHARS = 1000
"""A response or sentence this short that is only a formula is the answer."""
STATEMENT_TAIL_CHARS = 2000
"""Sentences are read in this many characters at the end of the text."""
MAX_CLOSING_STATEMENTS = 4
"""Closing remarks, checks and questions skipped before giving up on a final statement."""
MAX_REMARK_CHARS = 80
"""A sentence without a value this short is a closing remark ("I hope this helps!")."""
MAX_COPULA_GAP_CHARS = 40
"""How far after "is"/"are"/"=" the value it introduces may start."""

_MATH_SIGNAL = re.compile(r"[\d\\=^_{}()\[\]<>+\-*/|]")
_WORD = re.compile(r"\\[A-Za-z]+|[A-Za-z]+")
TEXT_GROUP = re.compile(r"\\(?:text|mathrm|textbf|mbox|operatorname)\s*\{[^{}]*\}")
_STOPWORDS = frozenset(
    "the is are was were be so we of it its to by as at on for has an then thus hence "
    "therefore which that this with not never cannot".split()
)
_FORMULA_WORDS = (
    FUNCTIONS
    | UNIT_WORDS
    | frozenset(
        "and or square cubic sq mod matrix pmatrix bmatrix vmatrix array cases aligned".split()
    )
)
_NOT_UNITS = frozenset({"in"})  # "15 in total": the word, far more often than inches
EMPHASIS = re.compile(r"\*\*|__")
_BULLET = re.compile(r"^\s*(?:[-•>#*]+|\d{1,2}[.)])\s+")
_CHECK_MARKS = ("✓", "✔", "✅", "☑")
_VERIFICATION = re.compile(
    r"(?:check(?:ing)?|verif(?:y|ying|ication)|sanity\s+check|double[-\s]check(?:ing)?)\b",
    re.IGNORECASE,
)
_ABOUT_THE_QUESTION = re.compile(
    r"(?:(?:this|that|which)\s+)?(?:the\s+)?(?:question|problem|task|prompt)\s+"
    r"(?:asks|asked|wants|wanted|is\s+asking|was\s+asking)\b"
    r"|(?:we|you)\s+(?:are|were)\s+asked\b",
    re.IGNORECASE,
)
_COPULA = re.compile(
    r"\b(?:is|are|was|were|be|equals?|equal\s+to|gives|get|gets|makes|yields|becomes)\b|[:=]",
    re.IGNORECASE,
)
_CONCLUSION = re.compile(r"(?:so|thus|hence|therefore|then|finally)\b\s*,?\s*\Z", re.IGNORECASE)
_CONCLUSION_WORD = re.compile(r"\b(?:so|thus|hence|therefore)\b", re.IGNORECASE)
_PARALLEL = re.compile(r"\b(?:and|or|but|while|whereas|otherwise)\b", re.IGNORECASE)
NEGATION = re.compile(r"\b(?:not|never|cannot)\b|n't\b", re.IGNORECASE)
BOUND = re.compile(
    r"\b(?:at\s+(?:least|most)|(?:more|less|fewer|greater|smaller|larger)\s+than"
    r"|no\s+(?:more|less)|up\s+to|between|over|under|below|above)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\s*(?:%|\\%|percent\b)")
_UNIT = re.compile(r"\s+(?:(?:square|cubic|sq\.?)\s+)?([A-Za-z]+)(?:/[A-Za-z]+)?\b(?:\^\{?\d\}?)?")
_NUMBER = re.compile(
    r"(?<![\w.\\^_{}])[-\u2212]?\d+(?:,\d{3})*(?:\.\d+)?(?:\s*/\s*\d+)?(?![\w^_{}])"
)
_CHOICE = re.compile(r"\(([A-H])\)|\b(?i:option|choice)\s+\(?([A-H])\)?(?!\w)")
_LABEL_WORDS = re.compile(r"[A-Za-z][A-Za-z ]{0,30}")
_DIGIT = re.compile(r"[\d\\]")
_VALUE_JOINER = re.compile(r"[\s,;]*(?:(?:and|or|\\quad)[\s,;]*)?", re.IGNORECASE)

Span = tuple[int, int, str]
"""(start, end, text) of a value in a sentence."""


@dataclass(frozen=True, slots=True)
class Statement:
    text: str
    whole_line: bool
    """Alone on its line: only then can a few words ("Alice", "Option B") be an answer."""


def inline_math(text: str) -> list[Span]:
    """Each ``$...$`` and ``\\(...\\)`` with its content, left to right (linear time)."""
    found: list[Span] = []
    index = 0
    while True:
        dollar, paren = _unescaped(text, "$", index), text.find("\\(", index)
        if dollar < 0 and paren < 0:
            return found
        if dollar >= 0 and (paren < 0 or dollar < paren):
            opener, closer, start = "$", "$", dollar
        else:
            opener, closer, start = "\\(", "\\)", paren
        close = _unescaped(text, closer, start + len(opener))
        if close < 0:
            return found
        content = text[start + len(opener) : close]
        if content.strip():
            found.append((start, close + len(closer), content.strip()))
        index = close + len(closer)


def _unescaped(text: str, char: str, start: int) -> int:
    """Where ``char`` next occurs from ``start`` not escaped (``\\$`` is a dollar sign)."""
    index = text.find(char, start)
    while index > 0 and text[index - 1] == "\\" and char == "$":
        index = text.find(char, index + 1)
    return index


def trimmed(text: str) -> str:
    """Without the punctuation that ends a sentence, nor a ``)`` closing an aside; a ``!``
    after a number or bracket is a factorial and stays."""
    text = text.strip().rstrip(".,;:").strip()
    if text.endswith("!") and not re.search(r"[\d)}]!\Z", text):
        text = text[:-1].rstrip(".,;: ")
    if text.endswith(")") and text.count(")") + text.count("]") > text.count("(") + text.count("["):
        text = text[:-1].rstrip(".,;:! ")
    return text


def _prose_words(text: str) -> list[str]:
    """Words of natural language: not commands, units, functions or ``\\text{}`` contents."""
    return [
        word
        for word in _WORD.findall(TEXT_GROUP.sub(" ", text))
        if not word.startswith("\\")
        and (len(word) >= 4 or word.lower() in _STOPWORDS)
        and word.lower() not in _FORMULA_WORDS
    ]


def is_formula(text: str) -> bool:
    """Mathematics only: a sign of math and no word of prose (``x \\in [2, 5)``)."""
    return (
        len(text) <= MAX_FORMULA_CHARS
        and _MATH_SIGNAL.search(text) is not None
        and not _prose_words(text)
    )


def whole_formula(text: str) -> str | None:
    """A response that is only a formula, on one line or in one environment."""
    if len(text) > 2 * MAX_FORMULA_CHARS:
        return None
    text = trimmed(EMPHASIS.sub("", text))
    if "\n" in text and "\\begin" not in text:
        return None
    if not is_formula(text):
        return None
    inline = inline_math(text)
    whole = len(inline) == 1 and inline[0][0] == 0 and inline[0][1] == len(text)
    return inline[0][2] if whole else text


def is_aside(statement: str) -> bool:
    """A sentence that states no answer: a question, a check, talk about the question."""
    return (
        statement.rstrip().endswith("?")
        or any(mark in statement for mark in _CHECK_MARKS)
        or _VERIFICATION.match(statement) is not None
        or _ABOUT_THE_QUESTION.match(statement) is not None
    )


def statements(text: str) -> list[Statement]:
    """The tail of ``text`` cut into sentences at line ends and ``. ! ?``; math stays whole.

    Emphasis (``**``) and list bullets are removed: they never hide an answer.
    """
    tail = text[-STATEMENT_TAIL_CHARS:]
    if len(text) > len(tail):  # start at a line or a word, never inside one
        breaks = [index for index in (tail.find("\n"), tail.find(" ")) if index >= 0]
        tail = tail[min(breaks) :] if breaks else ""
    spans = {start: end for start, end, _ in inline_math(tail)}
    pieces: list[tuple[str, bool]] = []  # (text, ends its line)
    start = math_until = 0
    for index, char in enumerate(tail):
        math_until = spans.get(index, math_until)
        if index < math_until:
            continue
        if char == "\n" or (char in ".!?" and tail[index + 1 : index + 2] in ("", " ", "\t")):
            pieces.append((tail[start : index + 1], char == "\n"))
            start = index + 1
    pieces.append((tail[start:], True))
    found, line_start = [], True
    for piece, ends_line in pieces:
        cleaned = _BULLET.sub("", EMPHASIS.sub("", piece)).strip()
        if cleaned:
            found.append(Statement(cleaned, line_start and ends_line))
        line_start = ends_line or (line_start and not cleaned)
    return found


def _masked(text: str, spans: list[Span]) -> str:
    """``text`` with the spans blanked out, so the words and numbers in them are hidden."""
    pieces, last = [], 0
    for start, end, _ in spans:
        pieces += [text[last:start], " " * (end - start)]
        last = end
    return "".join(pieces) + text[last:]


def values(text: str) -> list[Span]:
    """The values a sentence states, in order: inline math, numbers (with a percent sign or
    a unit after them: ``24 square units``), options (``(B)``, ``option B``)."""
    inline = inline_math(text)
    plain = _masked(text, inline)
    found = []
    for start, end, content in inline:
        after = _unit_end(plain, end)
        found.append((start, after, content if after == end else text[start:after]))
    for match in _NUMBER.finditer(plain):
        end = _unit_end(plain, match.end())
        found.append((match.start(), end, text[match.start() : end]))
    found += [(m.start(), m.end(), m.group(0)) for m in _CHOICE.finditer(plain)]
    return sorted(found)


def _unit_end(plain: str, end: int) -> int:
    """Where a value ending at ``end`` ends with the percent sign or unit written after it."""
    percent = _PERCENT.match(plain, end)
    if percent:
        return percent.end()
    unit = _UNIT.match(plain, end)
    if unit and unit.group(1).lower() in UNIT_WORDS - _NOT_UNITS:
        return unit.end()
    return end


def _run_end(text: str, spans: list[Span], first: int) -> int:
    """The last of the values joined to ``spans[first]`` by "and", "or" or commas."""
    last = first
    while last + 1 < len(spans) and _VALUE_JOINER.fullmatch(
        text, spans[last][1], spans[last + 1][0]
    ):
        last += 1
    return last


def _run(text: str, spans: list[Span], first: int, last: int) -> str:
    return spans[first][2] if first == last else text[spans[first][0] : spans[last][1]]


def _formula_suffix(text: str) -> str | None:
    """The formula a sentence ends with after "is", ":" or "so": "So x = 3", "is 2\\sqrt3"."""
    words = text.split(" ")
    cut = len(words)
    while cut > 1 and not _prose_words(words[cut - 1]):
        cut -= 1
    if cut == len(words) or not _prose_words(words[cut - 1]):
        return None
    head, suffix = " ".join(words[:cut]), " ".join(words[cut:])
    if suffix.count("$") % 2 or not is_formula(suffix):
        return None
    copula = _COPULA.search(head, max(0, len(head) - 12))
    if (copula and not head[copula.end() :].strip()) or _CONCLUSION.search(head):
        inline = inline_math(suffix)
        if len(inline) == 1 and inline[0][0] == 0 and inline[0][1] == len(suffix):
            return inline[0][2]
        return suffix
    return None


def _is_labelled_list(text: str) -> bool:
    """Two or more ``label: value`` items separated by commas or semicolons."""
    items = [item.partition(":") for item in re.split(r"[,;]\s*(?:and\s+)?", text)]
    return len(items) >= 2 and all(
        colon and _LABEL_WORDS.fullmatch(label.strip()) and _DIGIT.search(value)
        for label, colon, value in items
    )


def _stated_run(text: str, spans: list[Span]) -> tuple[int, int, bool] | None:
    """(first, last, introduced) of the values the sentence states as its answer, if it
    says which; ``introduced`` when a verb or "so" introduces them."""
    plain = _masked(text, inline_math(text))
    # The value right after the last "is"/"are"/"=" that introduces one.
    for copula in reversed(list(_COPULA.finditer(plain))):
        first = next((i for i, span in enumerate(spans) if span[0] >= copula.end()), None)
        if first is None:
            continue
        between = plain[copula.end() : spans[first][0]]
        if len(between) > MAX_COPULA_GAP_CHARS or NEGATION.search(between):
            return None
        if BOUND.search(between):
            return None  # "more than 5 ways" bounds the answer; it does not state it
        last = _run_end(text, spans, first)
        if last + 1 < len(spans) and _PARALLEL.search(plain, spans[last][1], spans[last + 1][0]):
            return None  # "4 for one ordering and 6 for the other": two answers
        return first, last, True
    # Else the values after the last "so"/"thus", or all of them when they form one run.
    conclusions = list(_CONCLUSION_WORD.finditer(plain))
    after = conclusions[-1].end() if conclusions else 0
    first = next((i for i, span in enumerate(spans) if span[0] >= after), None)
    if first is not None and _run_end(text, spans, first) == len(spans) - 1:
        return first, len(spans) - 1, bool(conclusions)
    return None


def statement_answer(statement: Statement) -> str | None:
    """The value a sentence states; ``None`` when it states none, several without saying
    which ("With 6 people, 15 handshakes"), or breaks off ("Let me compute 3 times")."""
    text = trimmed(statement.text)
    if is_formula(text) or _is_labelled_list(text):
        return text  # "Minimum: 1, Maximum: 3": the parser reads the labels
    suffix = _formula_suffix(text)
    if suffix is not None:
        return suffix
    spans = values(text)
    chosen = _stated_run(text, spans) if spans else None
    if chosen is not None:
        first, last, introduced = chosen
        finished = statement.text.rstrip()[-1:] in (".", "!", ")") or spans[last][1] >= len(text)
        return _run(text, spans, first, last) if introduced or finished else None
    if (
        not spans
        and statement.whole_line
        and len(text.split()) <= 3
        and re.search(r"[A-Za-z]", text)
        and not statement.text.rstrip().endswith("!")
    ):
        return text  # a worded answer on its own line: "Option B", "Alice", "No"
    return None
