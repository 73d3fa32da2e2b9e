"""String-level clean-up of an answer before tokenizing: one spelling per construct.

Everything here is a bounded, linear-time rewrite: no regular expression with nested
quantifiers, and each pass is applied once.
"""

from __future__ import annotations

import re
from fractions import Fraction

# A JSON "\t" or "\f" that was meant as LaTeX ("\text", "\frac") arrives as a control
# character; datasets are full of these.
_MANGLED_ESCAPES = {"\t": r"\t", "\f": r"\f", "\b": r"\b", "\r": r"\r", "\v": r"\v"}
_MANGLED = re.compile(r"[\t\f\b\r\v](?=[a-z]{2})")

_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")

_UNICODE = {
    "\u2212": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u00d7": r"\times ",
    "\u22c5": r"\cdot ",
    "\u00b7": r"\cdot ",
    "\u2219": r"\cdot ",
    "\u00f7": "/",
    "\u2264": r"\le ",
    "\u2266": r"\le ",
    "\u2265": r"\ge ",
    "\u2267": r"\ge ",
    "\u2260": r"\ne ",
    "\u03c0": r"\pi ",
    "\u221e": r"\infty ",
    "\u221a": r"\sqrt",
    "\u00b0": r"^\circ ",
    "\u222a": r"\cup ",
    "\u2229": r"\cap ",
    "\u2208": r"\in ",
    "\u00b1": r"\pm ",
    "\u2213": r"\mp ",
    "\u2032": "'",
    "\u2033": "''",
    "\u2205": r"\emptyset ",
    "\uff0c": ", ",
    "\uff1b": "; ",
    "\uff1a": ":",
    "\uff08": "(",
    "\uff09": ")",
    "\u3001": ", ",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u3000": " ",
}
_CIRCLED = {chr(0x2460 + n): n + 1 for n in range(20)}
_UNICODE_RE = re.compile("|".join(map(re.escape, [*_UNICODE, *_CIRCLED])))

# Commands that only change how something looks.
_COSMETIC = re.compile(
    r"\\(?:displaystyle|textstyle|scriptstyle|left|right|big|Big|bigg|Bigg|bigl|bigr|Bigl|Bigr"
    r"|biggl|biggr|Biggl|Biggr|middle|limits|nolimits|mathstrut|phantom\{[^{}]*\}|hline"
    r"|boldsymbol|bm|mathbf|mathit|mathsf|mathnormal|rm|bf|it)(?![a-zA-Z])"
)
# \quad also when glued to what follows (``\quadx_2``): no other command starts so.
_SPACING = re.compile(r"(?<!\\)\\[,;:! ]|\\q?quad|~|\\hspace\{[^{}]*\}|\\enspace")
_RENAMES = [
    (re.compile(r"\\[dt]frac(?![a-zA-Z])"), r"\\frac"),
    (re.compile(r"\\[dt]binom(?![a-zA-Z])"), r"\\binom"),
    (re.compile(r"\\(?:textcirc|circ|degree)(?![a-zA-Z])|\^\{\s*\\circ\s*\}"), r"\\circ "),
    (re.compile(r"\\(?:mbox|textrm|textbf|textit|textnormal|texttt|mathrm|hbox)\s*\{"), r"\\text{"),
    (re.compile(r"\\(?:varnothing|emptyset)(?![a-zA-Z])|\\\{\s*\\\}"), r"\\emptyset "),
    (re.compile(r"\\%|\s*\b(?:per\s?cent|percentage|pct)\b"), "%"),
    (re.compile(r"(\\circ|°)\s*(?:\\mathrm\{[CF]\}|\\text\{[CF]\}|[CF]\b)"), r"\1"),
    (re.compile(r"\\\$|\$"), " "),
    (re.compile(r"\\\(|\\\)|\\\[|\\\]"), " "),
]
# "12^{\mathrm{th}}", "12th", "1st": ordinal suffixes on integers.
_ORDINAL = re.compile(
    r"(\d)\s*(?:\^\s*\{?\s*(?:\\text\s*\{)?\s*(?:st|nd|rd|th)\s*\}?\}?|(?:st|nd|rd|th)\b)"
)
# Starts only where a digit run starts, so a long run of digits is scanned once.
_REPEATING = re.compile(r"(?<![\d.])(\d*)\.(\d*)\s*\\overline\s*\{?\s*(\d+)\s*\}?")
# MATH writes 11,\!111,\!100: a comma, then a negative thin space.
_THOUSANDS_MATH = re.compile(r"(\d),\s*\\!\s*(?=\d{3}(?!\d))")
# A gold stored with doubled backslashes ("\\frac{1}{5}"): a command, not a row break.
_DOUBLED_BACKSLASH = re.compile(r"\\\\(?=[a-zA-Z]{2,})")
_SCIENTIFIC = re.compile(r"(?<![\w.\\])(\d+(?:\.\d+)?)[eE]([+-]?\d+)(?![\w.])")
_LEADING_APPROX = re.compile(r"^(?:\\approx|\\sim|=)\s*")
_THOUSANDS_BRACED = re.compile(r"(\d)\{,\}(?=\d{3})")
_THOUSANDS_SPACED = re.compile(r"(?<![\d.])(\d{1,3})((?: \d{3})+)(?![\d.])")
_THOUSANDS_COMMA = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])")


def _circled(match: re.Match[str]) -> str:
    text = match.group(0)
    return f" {_CIRCLED[text]}, " if text in _CIRCLED else _UNICODE[text]


def _repeating(match: re.Match[str]) -> str:
    whole, fixed, period = match.group(1) or "0", match.group(2), match.group(3)
    value = Fraction(int(whole + fixed), 10 ** len(fixed)) + Fraction(
        int(period), (10 ** len(period) - 1) * 10 ** len(fixed)
    )
    return rf"\frac{{{value.numerator}}}{{{value.denominator}}}"


def _depths(text: str) -> list[int]:
    """Bracket depth before each character, counting (, [ and { alike."""
    depths, depth = [], 0
    for char in text:
        depths.append(depth)
        if char in "([{":
            depth += 1
        elif char in ")]}" and depth:
            depth -= 1
    return depths


def _join_thousands(text: str) -> str:
    """``1,000`` -> ``1000`` at the top level only: ``(312,123,231)`` is a triple."""
    if "," not in text:
        return text
    depths = None
    pieces, last = [], 0
    for match in _THOUSANDS_COMMA.finditer(text):
        depths = depths or _depths(text)
        if depths[match.start()]:
            continue
        pieces += [text[last : match.start()], match.group(0).replace(",", "")]
        last = match.end()
    return "".join(pieces) + text[last:] if pieces else text


def _without_outer_group(text: str) -> str:
    """``{1, 3}`` -> ``1, 3``: a bare TeX group around a whole list only groups (unlike
    ``{5 \\choose 2}``, which needs its group)."""
    while text.startswith("{") and text.endswith("}") and "," in text and "\\choose" not in text:
        depth = 0
        for index, char in enumerate(text):
            depth += (char == "{") - (char == "}") if text[index - 1 : index] != "\\" else 0
            if depth == 0 and index < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def fix_mangled_escapes(text: str) -> str:
    return _MANGLED.sub(lambda m: _MANGLED_ESCAPES[m.group(0)], text)


def normalize(text: str) -> str:
    """One spelling per construct; the result is what the tokenizer reads."""
    text = fix_mangled_escapes(text).strip().strip("`")  # markdown code: `42`
    text = _INVISIBLE.sub("", text)
    text = _UNICODE_RE.sub(_circled, text)
    if "\\begin" not in text:
        text = _DOUBLED_BACKSLASH.sub(r"\\", text)
    text = _THOUSANDS_BRACED.sub(r"\1", text)
    text = _THOUSANDS_MATH.sub(r"\1", text)
    text = re.sub(r"(\d)\\[,;: ](?=\d{3}(?!\d))", r"\1", text)
    for pattern, replacement in _RENAMES:
        text = pattern.sub(replacement, text)
    text = _COSMETIC.sub(" ", text)
    text = _SPACING.sub(" ", text)
    text = _ORDINAL.sub(r"\1", text)
    text = _REPEATING.sub(_repeating, text)
    text = _THOUSANDS_SPACED.sub(lambda m: m.group(1) + m.group(2).replace(" ", ""), text)
    text = _join_thousands(text)
    text = _SCIENTIFIC.sub(r"(\1\\times 10^{\2})", text)
    text = " ".join(text.split())
    text = _LEADING_APPROX.sub("", text)
    return _without_outer_group(text.rstrip(" .,;:").lstrip(" ,;:"))
