"""Test results from a runner's log or report: test name -> status, as SWE-bench grades them.

Formats follow SWE-bench's parsers (pytest ``-rA`` summaries, Django's verbose runner,
SymPy's ``bin/test``), with one change against spoofing: when a test is reported more than
once, the worst status wins, so a printed fake ``PASSED`` line cannot hide a real failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Literal

from verifiers.swe_tests.multilingual_parsers import MULTILINGUAL_PARSERS, MultilingualParser
from verifiers.swe_tests.statuses import (
    ERROR,
    FAILED,
    PASSED,
    RANK,
    SKIPPED,
    SUCCESS,
    XFAIL,
    Statuses,
    merge,
)

__all__ = ["LOG_PARSERS", "RANK", "SUCCESS", "LogParser", "Statuses", "merge"]

_PYTEST_STATUSES = ("PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL", "XPASS")


def parse_pytest_log(log: str) -> Statuses:
    """``-rA`` short test summary lines: ``STATUS node_id[ - message]``."""

    def pairs() -> Iterable[tuple[str, str]]:
        for line in log.splitlines():
            word, _, rest = line.strip().partition(" ")
            if word not in _PYTEST_STATUSES or not rest:
                continue
            rest = rest.split(" - ", 1)[0]  # the reason of FAILED, ERROR, XFAIL
            status = {"XPASS": PASSED}.get(word, word)
            yield rest.strip(), status

    return merge(pairs())


_DJANGO_RESULT = re.compile(
    r"^(?P<name>\S+ \([\w.]+\))(?:\n.*?)?? \.\.\. (?P<result>.*)$", re.MULTILINE
)
_DJANGO_STATUS = (
    ("ok", PASSED),
    ("OK", PASSED),
    ("skipped", SKIPPED),
    ("expected failure", XFAIL),
    ("unexpected success", FAILED),
    ("FAIL", FAILED),
    ("ERROR", ERROR),
)
_DJANGO_HEADER = re.compile(r"^(FAIL|ERROR): (\S+ \([\w.]+\))", re.MULTILINE)


def parse_django_log(log: str) -> Statuses:
    """``runtests.py --verbosity 2``: ``test_name (module.Class) ... ok``, a docstring line
    possibly in between; ``FAIL:``/``ERROR:`` headers of the failure report count too."""

    def pairs() -> Iterable[tuple[str, str]]:
        for match in _DJANGO_RESULT.finditer(log):
            result = match.group("result").strip()
            for prefix, status in _DJANGO_STATUS:
                if result.startswith(prefix):
                    yield match.group("name"), status
                    break
        for kind, name in _DJANGO_HEADER.findall(log):
            yield name, FAILED if kind == "FAIL" else ERROR

    return merge(pairs())


# The verdict on a test file ends the line of its last test: "test_has ok    [FAIL]".
_SYMPY_FILE_VERDICT = re.compile(r"\s+\[(?:OK|FAIL)\]$")
_SYMPY_FAILURE = re.compile(r"^_+ (\S+\.py:\S+) _+$", re.MULTILINE)


def parse_sympy_log(log: str) -> Statuses:
    """``bin/test -C --verbose``: ``test_name ok|F|E`` lines, and ``___ path.py:test ___``
    headers of the failure report."""

    def pairs() -> Iterable[tuple[str, str]]:
        for name in _SYMPY_FAILURE.findall(log):
            yield name, FAILED
        for line in log.splitlines():
            line = _SYMPY_FILE_VERDICT.sub("", line.strip())
            if not line.startswith("test_"):
                continue
            name = line.split()[0]
            if line.endswith(" ok"):
                yield name, PASSED
            elif line.endswith(" F"):
                yield name, FAILED
            elif line.endswith(" E"):
                yield name, ERROR

    return merge(pairs())


LogParser = Literal["pytest", "django", "sympy", MultilingualParser]
LOG_PARSERS: dict[LogParser, Callable[[str], Statuses]] = {
    "pytest": parse_pytest_log,
    "django": parse_django_log,
    "sympy": parse_sympy_log,
    **MULTILINGUAL_PARSERS,
}
