"""Answers that are code, shell or TeX programming rather than mathematics.

A policy learns whatever earns reward. Read as algebra, ``os.system('touch /tmp/0')`` is a
product of single letters with a zero in it, "equal" to 0; ``\\immediate\\write18{...}``
likewise. Such an answer is refused before it is parsed: it is a format error, never a
number. Each rule names a construct that mathematics does not write, so the rules cost no
recall: quotes around words, ``__``, ``name.name``, a call of a multi-letter name that is
not a known function (three letters are a product: ``abc(a+b+c)``), a file
path, a shell command line, TeX that reads, writes or defines
macros, a programming keyword. Every pattern is linear (no nested quantifiers).
"""

from __future__ import annotations

import re

from verifiers.math.lexer import FUNCTIONS, GREEK, UNIT_WORDS

MATH_NAMES = frozenset(
    name.lower()
    for name in FUNCTIONS
    | GREEK
    | UNIT_WORDS
    | set(
        "arcsinh arccosh arctanh arsinh arcosh artanh arccot log2 tg ctg cis det tr deg dim "
        "ker rank sup inf lim sum prod mod ord arg re im gcf hcf lcd sign round binom choose "
        "span null nullity proj perm diag adj cof lcm gcd max min var cov corr std erf erfc "
        "sech csch sinc res pr li ei si ci beta area vol atan asin acos atan2 log10 cosec "
        "arctg arcctg".split()
    )
)
"""Names that may stand right before a parenthesis in an answer: ``\\max(a, b)``, ``det(A)``."""

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Python dunder name", re.compile(r"__[A-Za-z]")),
    # A string is an argument or a value: after a bracket, a comma or "=". A prime (f'(x),
    # 42' 30'') follows a letter, a digit or a closing bracket.
    ("a quoted string", re.compile(r"[(\[,=]\s*(?:'[^'\n]*'|\"[^\"\n]*\")")),
    ("a method call", re.compile(r"[\w)\]]\.[A-Za-z_]\w*\(")),
    ("a dotted name", re.compile(r"\b[a-z_][a-z_0-9]+\.[a-z_][a-z_0-9]{2,}")),
    ("a file path", re.compile(r"(?:^|[\s'\"(={:,])(?:~|\.{1,2})?/[A-Za-z_.][\w.-]*/")),
    ("a file path", re.compile(r"(?:^|[\s'\"(={:,])(?:~|\.{1,2})/[A-Za-z_]")),
    ("a snake_case name", re.compile(r"\b[A-Za-z]{2,}_[A-Za-z]{2,}")),
    # "rm -rf /", "ls -la ~": a command word, a flag, an argument.
    ("a shell command line", re.compile(r"^\s*[a-z]{2,}\s+--?[A-Za-z][\w-]*\s+[A-Za-z/.~]")),
    (
        "a shell command",
        re.compile(
            r"^\W*(?:echo|sleep|exit|touch|cat|curl|wget|kill|chmod|chown|sudo|bash|python3?"
            r"|printf|mkdir|rmdir|export|eval|exec)\s+\S"
        ),
    ),
    ("SQL", re.compile(r"\b(?:DROP|DELETE|INSERT|UPDATE|SELECT|UNION)\s+[A-Z*]|;\s*--|--\s*$")),
    (
        "TeX programming",
        re.compile(
            r"\\(?:write|immediate|input|include|openin|openout|read|def|edef|gdef|xdef|let"
            r"|newcommand|renewcommand|providecommand|catcode|csname|expandafter|usepackage"
            r"|documentclass|special|directlua|ShellEscape|jobname|loop|repeat)(?![a-zA-Z])"
        ),
    ),
    (
        "a programming keyword",
        re.compile(
            r"(?<![\\\w])lambda\b[\w\s,]*:|\bimport\s+[a-z_]|\bfrom\s+[a-z_][\w.]*\s+import\b"
        ),
    ),
)
_CALL = re.compile(
    r"(?<![\\A-Za-z])([A-Za-z][A-Za-z0-9]{3,}|len|int|str|chr|hex|oct|bin|dir|map|zip)\("
)
_LETTER_OR_SLASH = re.compile(r"[A-Za-z/]")
MAX_CHECKED_CHARS = 20_000


def not_math_reason(answer: str) -> str | None:
    """Why ``answer`` is code rather than mathematics, or ``None`` when it may be math."""
    answer = answer[:MAX_CHECKED_CHARS]
    for reason, pattern in _RULES:
        for match in pattern.finditer(answer):
            if reason != "a quoted string" or _LETTER_OR_SLASH.search(match.group(0)[1:]):
                return reason
    for match in _CALL.finditer(answer):
        if match.group(1).lower() not in MATH_NAMES:
            return f"a call of {match.group(1)!r}"
    return None
