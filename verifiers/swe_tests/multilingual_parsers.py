"""Test results of SWE-bench Multilingual's runners (C/C++, Go, Java, JavaScript/TypeScript,
PHP, Ruby, Rust): a test log -> test name -> status, read as the official harness reads it.

Each parser ``<name>`` reads what ``parse_log_<name>`` of ``swebench`` 5.0.2
(``harness/log_parsers/{c,go,java,javascript,php,ruby,rust}.py``) reads: the same lines,
the same names, quirks included (jest's ``skipped `` prefix, vitest's lost trailing number,
PHPUnit's ``None > `` before the first suite), because those names are what a row's
FAIL_TO_PASS and PASS_TO_PASS hold. Line-by-line formats are one table (``LINE_FORMATS``);
Maven, Gradle, Karma, PHPUnit and doctest keep state across lines and have a function each.

Differences from the official parsers, all on purpose:
- A test reported more than once gets its worst status (:func:`merge`); the official ones
  keep the last report. This changes a verdict when a fake ``--- PASS: TestX`` follows the
  real ``--- FAIL: TestX``, a Gradle retry passes, or jest ``--verbose`` (titles without
  their describe blocks) shows one title passing and failing: ours FAILED, theirs the last.
- An empty name is not a test (theirs would keep the key ``""``).
- What makes the official parser raise reads as no result: doctest XML that does not parse,
  a Karma suite that climbs above its first level (the official ``IndexError``).
- Every line is read in linear time, where some official regexes backtrack for minutes on
  one long printed line (a log holds up to 4 MiB): minitest and googletest are read by
  code, redis's `` in file.tcl`` is cut from the right, and the go, Gradle and PHPUnit
  patterns run only on lines that end as a match must (``_guarded``). Same results.
- ``jekyll`` and ``immutable_js`` pick another parser by pull request number: they are not
  parsers here; :func:`instance_parser` names the parser they pick.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal
from xml.etree import ElementTree

from verifiers.base import InvalidInput
from verifiers.swe_tests.statuses import FAILED, PASSED, SKIPPED, Statuses, merge

__all__ = ["MULTILINGUAL_PARSERS", "MultilingualParser", "instance_parser"]

MultilingualParser = Literal[
    "redis",
    "jq",
    "doctest",
    "micropython_test",
    "googletest",
    "gotest",
    "maven",
    "ant",
    "gradle_custom",
    "jest",
    "jest_json",
    "vitest",
    "karma",
    "tap",
    "phpunit",
    "minitest",
    "cucumber",
    "ruby_unit",
    "rspec_transformed_json",
    "cargo",
]

Reader = Callable[[str], tuple[str, str] | None]
"""One line -> (test name, the runner's word for its status), or None."""


def _lines(log: str) -> list[str]:
    # "\n" only, as the official parsers split: str.splitlines would also cut at "\r",
    # "\x85", "\u2028" ..., and make names the official parsers never see.
    return log.split("\n")


def _regex(pattern: str) -> Reader:
    """A reader from a pattern with ``name`` and ``word`` groups, matched at the start."""
    compiled = re.compile(pattern)

    def read(line: str) -> tuple[str, str] | None:
        match = compiled.match(line)
        return (match["name"], match["word"]) if match else None

    return read


def _guarded(pattern: str, can_match: Callable[[str], bool]) -> Reader:
    """A reader that runs ``pattern`` only where ``can_match``: a condition every matching
    line meets, and past which the pattern's backtracking ends after one or two tries."""
    read = _regex(pattern)
    return lambda line: read(line) if can_match(line) else None


def _ends_with_paren(line: str) -> bool:
    return line.endswith(")")


_MINITEST_OUTCOMES = ".FE"


def _read_minitest(line: str) -> tuple[str, str] | None:
    """``Class#test_name. = 0.01 s = .``: the official ``^(.+)\\. .*=.*(\\.|F|E).*$``,
    read from the right instead of backtracking (cubic on a line of ``. `` and ``=``).

    Greedy as the pattern is: the outcome is the last ``.``, ``F`` or ``E``; an ``=``
    must come before it; the name ends at the last ``. `` before that ``=``."""
    outcome_at = max(line.rfind(outcome) for outcome in _MINITEST_OUTCOMES)
    equals_at = line.rfind("=", 0, outcome_at) if outcome_at >= 0 else -1
    name_end = line.rfind(". ", 1, equals_at) if equals_at >= 0 else -1
    return (line[:name_end], line[outcome_at]) if name_end >= 0 else None


_GTEST_VERDICT = re.compile(r"\[\s*(OK|FAILED)\s*\]\s")
_SPACE_PAREN = re.compile(r"\s\(")


def _read_googletest(line: str) -> tuple[str, str] | None:
    """``[       OK ] Suite.Test (0 ms)``: the official
    ``^.*\\[\\s*(OK|FAILED)\\s*\\]\\s(.*)\\s\\(.*\\)$``, read without its backtracking
    (cubic on a line of many verdicts and ``(``).

    Greedy as the pattern is: the line ends with ``)``; the name ends at the last
    whitespace + ``(`` before that ``)`` and starts after the last verdict before it."""
    if not line.endswith(")"):
        return None
    opens = [match.start() for match in _SPACE_PAREN.finditer(line, 0, len(line) - 1)]
    if not opens:
        return None
    name_end = opens[-1]
    verdicts = [match for match in _GTEST_VERDICT.finditer(line) if match.end() <= name_end]
    if not verdicts:
        return None
    return line[verdicts[-1].end() : name_end], verdicts[-1][1]


# The official r"\s+in\s+\S+$" searched from the left backtracks quadratically on a long
# run of whitespace; reversed, it matches from the start in one pass, the same cut.
_TCL_LOCATION_REVERSED = re.compile(r"\S+\s+ni\s+")


def _drop_tcl_location(name: str) -> str:
    """``SET foo in tests/unit/type/string.tcl`` -> ``SET foo``."""
    location = _TCL_LOCATION_REVERSED.match(name[::-1])
    return name[: len(name) - location.end()] if location else name


_PAREN_DURATION = r"(?:\s\(\d+\s*m?s\))?$"
"""jest's and redis's `` (12 ms)`` after a name: not part of it."""


@dataclass(frozen=True, slots=True)
class LineFormat:
    """A runner that reports one test per line."""

    read: Reader
    words: Mapping[str, str]
    """The runner's word -> status; a word not here (cargo's ``ignored``) is no result."""
    strip_name: bool = False
    """jest strips the name it reads (its `` (12 ms)`` may follow two spaces)."""
    rename_failed: Callable[[str], str] | None = None
    """Applied to the names of failed tests (redis drops `` in tests/unit/x.tcl``)."""

    def parse(self, log: str) -> Statuses:
        return merge(self._results(log))

    def _results(self, log: str) -> Iterator[tuple[str, str]]:
        for line in _lines(log):
            found = self.read(line.strip())
            if found is None or found[1] not in self.words:
                continue
            name, status = found[0], self.words[found[1]]
            if self.strip_name:
                name = name.strip()
            if self.rename_failed is not None and status == FAILED:
                name = self.rename_failed(name)
            yield name, status


_PASS_FAIL = {"PASS": PASSED, "FAIL": FAILED}
_PASS_FAIL_SKIP = {**_PASS_FAIL, "SKIP": SKIPPED}

LINE_FORMATS: dict[MultilingualParser, LineFormat] = {
    # C: redis/valkey's Tcl suite, "[ok]: SET and GET (1 ms)", "[err]: X in tests/unit/y.tcl".
    "redis": LineFormat(
        _regex(r"\[(?P<word>ok|err|skip|ignore)\]:\s(?P<name>.+?)" + _PAREN_DURATION),
        {"ok": PASSED, "err": FAILED, "skip": SKIPPED, "ignore": SKIPPED},
        rename_failed=_drop_tcl_location,
    ),
    # jq: automake's "PASS: tests/jqtest"; XFAIL, SKIP and the "# PASS:" totals are not.
    "jq": LineFormat(_regex(r"\s*(?P<word>PASS|FAIL):\s(?P<name>.+)$"), _PASS_FAIL),
    # micropython's run-tests.py: "pass  basics/int_big.py".
    "micropython_test": LineFormat(
        _regex(r"(?P<word>pass|FAIL|skip)\s+(?P<name>.+)$"),
        {"pass": PASSED, "FAIL": FAILED, "skip": SKIPPED},
    ),
    # fmt: googletest's "[  FAILED  ] Suite.Test (3 ms)"; the summary repeats it without time.
    "googletest": LineFormat(_read_googletest, {"OK": PASSED, "FAILED": FAILED}),
    # go test -v: "--- FAIL: TestX/sub_case (0.00s)", subtests indented.
    "gotest": LineFormat(
        _guarded(r"--- (?P<word>PASS|FAIL|SKIP): (?P<name>.+) \(.+\)$", _ends_with_paren),
        _PASS_FAIL_SKIP,
    ),
    # lombok: ant's "[junit] [ERR] testName"; an error is a failure.
    "ant": LineFormat(
        _regex(r"\s*\[junit\]\s+\[(?P<word>PASS|FAIL|ERR)\]\s+(?P<name>.*)$"),
        {"PASS": PASSED, "FAIL": FAILED, "ERR": FAILED},
    ),
    # jest --verbose: "✓ title (5 ms)", "✕ title", "○ skipped title" (the name keeps
    # "skipped "); "✎ todo" is not a result.
    "jest": LineFormat(
        _regex(r"\s*(?P<word>[✓✕○])\s(?P<name>.+?)" + _PAREN_DURATION),
        {"✓": PASSED, "✕": FAILED, "○": SKIPPED},
        strip_name=True,
    ),
    # jest --json through jq: "[PASSED] describe > title"; PENDING and TODO are not.
    "jest_json": LineFormat(
        _regex(r"\[(?P<word>PASSED|FAILED)\]\s(?P<name>.+)$"),
        {"PASSED": PASSED, "FAILED": FAILED},
    ),
    # vitest --reporter=verbose: "✓ file > describe > title 12ms", "↓ title [skipped]". A
    # trailing " <digits>" is read as a duration even without a unit, as officially. The
    # failure mark is U+00D7 MULTIPLICATION SIGN, not the letter x.
    "vitest": LineFormat(
        _regex(r"\s*(?P<word>[✓\u00d7↓])\s(?P<name>.+?)(?:\s(?:\d+\s*m?s?|\[skipped\]))?$"),
        {"✓": PASSED, "\u00d7": FAILED, "↓": SKIPPED},
    ),
    # TAP (three.js's qunit, axios): "not ok 2 Maths > Sphere > clone"; "# SKIP" stays in
    # the name of an "ok" line.
    "tap": LineFormat(
        _regex(r"(?P<word>ok|not ok) \d+ (?P<name>.+)$"), {"ok": PASSED, "not ok": FAILED}
    ),
    # minitest -v: "TestSite#test_: static files should work.  = 0.01 s = .".
    "minitest": LineFormat(_read_minitest, {".": PASSED, "F": FAILED, "E": FAILED}),
    # cucumber --format progress: "name ....F".
    "cucumber": LineFormat(_regex(r"(?P<name>.*) \.+(?P<word>\.|F)"), {".": PASSED, "F": FAILED}),
    # test-unit -v: "test: daily:\t\t.: (0.001)", "test_email: E".
    "ruby_unit": LineFormat(
        _regex(r"\s*(?:test: )?(?P<name>.+):\s+(?P<word>\.|E\b|F\b|O\b)"),
        {".": PASSED, "E": FAILED, "F": FAILED, "O": SKIPPED},
    ),
    # rspec --format json through jq: "description[ - id] - passed"; "pending" lines do not
    # match, so a pending example is no result (the official SKIPPED branch is never taken).
    "rspec_transformed_json": LineFormat(
        _regex(r"(?P<name>.+) - (?P<word>passed|failed)"), {"passed": PASSED, "failed": FAILED}
    ),
    # cargo test: "test module::name ... ok"; "ignored" is no result, and doc tests
    # ("src/lib.rs - f (line 3)") have spaces in their names, so never match.
    "cargo": LineFormat(
        _regex(r"test\s+(?P<name>\S+)\s+\.\.\.\s+(?P<word>\w+)$"),
        {"ok": PASSED, "FAILED": FAILED},
    ),
}


_MAVEN_TEST = re.compile(r".*-Dtest=(\S+)")
_MAVEN_BUILD = re.compile(r".*BUILD (SUCCESS|FAILURE)$")
_BUILD_STATUS = {"SUCCESS": PASSED, "FAILURE": FAILED}


def parse_maven(log: str) -> Statuses:
    """One ``mvn test -Dtest=Class#method`` per test, traced by ``set -x``, each ending in
    ``BUILD SUCCESS`` or ``BUILD FAILURE``: the n-th result belongs to the n-th command
    still waiting (results seen before any command wait for the commands left at the end),
    because traces and Maven's output can interleave."""

    def pairs() -> Iterator[tuple[str, str]]:
        waiting: deque[str] = deque()
        early: deque[str] = deque()
        for line in _lines(log):
            line = line.strip()
            if command := _MAVEN_TEST.match(line):
                waiting.append(command[1])  # the last -Dtest= of the line: the pattern is greedy
            if build := _MAVEN_BUILD.match(line):
                if waiting:
                    yield waiting.popleft(), _BUILD_STATUS[build[1]]
                else:
                    early.append(_BUILD_STATUS[build[1]])
        while waiting and early:
            yield waiting.popleft(), early.popleft()

    return merge(pairs())


_GRADLE_WORDS = {"PASSED": PASSED, "FAILED": FAILED}
_GRADLE_RESULT = _guarded(
    r"(?P<name>[^>].+)\s+(?P<word>PASSED|FAILED)$",
    # The word ends the line after whitespace; the name then keeps all but the last of it.
    lambda line: line[-6:] in _GRADLE_WORDS and line[-7:-6].isspace(),
)
_GRADLE_NAME = re.compile(r"[^>]\S*\s+>\s+\S+$")


def parse_gradle_custom(log: str) -> Statuses:
    """``Class > method PASSED`` from the testLogging block the official image installs; the
    word may come on a later line of its own when output interleaves. A line starting with
    ``>`` (a shell prompt, ``> Task :test``) is never a test; SKIPPED is no result."""

    def pairs() -> Iterator[tuple[str, str]]:
        waiting: str | None = None
        for line in _lines(log):
            line = line.strip()
            if result := _GRADLE_RESULT(line):
                yield result[0], _GRADLE_WORDS[result[1]]
                waiting = None
            elif _GRADLE_NAME.match(line):
                waiting = line
            elif waiting is not None and line in _GRADLE_WORDS:
                yield waiting, _GRADLE_WORDS[line]
                waiting = None

    return merge(pairs())


_KARMA_LINE = re.compile(r"(\s*)?([✔✖])?\s(.*)$")
_KARMA_MARKS = {"✔": PASSED, "✖": FAILED}


def parse_karma(log: str) -> Statuses:
    """karma-mocha-reporter after ``Starting browser``, up to ``SUMMARY:``: indented
    describe lines, then ``✔ title`` / ``✖ title``, named ``suite > inner > title``.

    The suite stack follows the official rule exactly, though it is rough: a deeper line
    pushes, a shallower one pops one level, a line at the same depth changes nothing."""
    results: list[tuple[str, str]] = []
    depth, started = -1, False
    suites: list[str] = []
    for line in _lines(log):
        if line.startswith("SUMMARY:"):
            break
        if "Starting browser" in line:
            started = True
            continue
        match = _KARMA_LINE.match(line) if started else None
        if match is None:
            continue
        indent, mark, title = match.groups()
        if indent and not mark:
            if len(indent) > depth:
                depth = len(indent)
                suites.append(title)
            elif len(indent) < depth:
                if not suites:
                    return {}  # the official parser raises IndexError here
                depth = len(indent)
                suites.pop()
                continue
        if mark:
            results.append((" > ".join([*suites, title]), _KARMA_MARKS[mark]))
    return merge(results)


_PHPUNIT_SUITE = re.compile(r"(\w.+) \(.+\)$")
_PHPUNIT_TEST = re.compile(r"\s*([✔✘↩])\s*(.*)$")
_PHPUNIT_MARKS = {"✔": PASSED, "✘": FAILED, "↩": SKIPPED}


def parse_phpunit(log: str) -> Statuses:
    """``phpunit --testdox``: a ``Suite Name (Fully\\Qualified\\Class)`` header, then
    ``✔ test``, ``✘ test`` or ``↩ test``, named ``Suite Name > test``. Lines are read
    unstripped; a test before any header is named ``None > test``, as officially."""

    def pairs() -> Iterator[tuple[str, str]]:
        suite: str | None = None
        for line in _lines(log):
            # Only a line ending in ")" is tried: elsewhere the pattern backtracks quadratically.
            if line.endswith(")") and (header := _PHPUNIT_SUITE.match(line)):
                suite = header[1]
            elif test := _PHPUNIT_TEST.match(line):
                yield f"{suite} > {test[2]}", _PHPUNIT_MARKS[test[1]]

    return merge(pairs())


def parse_doctest(log: str) -> Statuses:
    """doctest's ``-r=xml`` report: the first ``<doctest ...>...</doctest>`` of the log; each
    SubCase of a TestCase is ``TestCase > SubCase``, passed when all its expressions
    (nested subcases' included) succeed. A TestCase without subcases is not reported."""
    start = log.find("<doctest")
    end = log.find("</doctest>", start)
    if start < 0 or end < 0:
        return {}  # the official parser raises on a report without its end tag
    try:
        # expat (>= 2.4) bounds entity expansion, and ElementTree resolves no external one.
        root = ElementTree.fromstring(log[start : end + len("</doctest>")])
    except ElementTree.ParseError:
        return {}

    def pairs() -> Iterable[tuple[str, str]]:
        for case in root.findall(".//TestCase"):
            for subcase in case.findall(".//SubCase"):
                expressions = subcase.findall(".//Expression")
                passed = all(expr.get("success") == "true" for expr in expressions)
                yield f"{case.get('name')} > {subcase.get('name')}", PASSED if passed else FAILED

    return merge(pairs())


MULTILINGUAL_PARSERS: dict[MultilingualParser, Callable[[str], Statuses]] = {
    **{name: line_format.parse for name, line_format in LINE_FORMATS.items()},
    "doctest": parse_doctest,
    "maven": parse_maven,
    "gradle_custom": parse_gradle_custom,
    "karma": parse_karma,
    "phpunit": parse_phpunit,
}

# The official dispatchers and the pull requests each parser reads; any other is refused.
_BY_PULL_REQUEST: dict[str, tuple[Callable[[str], str], dict[str, MultilingualParser]]] = {
    "jekyll": (
        lambda instance_id: instance_id.split("-")[1],
        {
            "9141": "minitest",
            "8047": "minitest",
            "8167": "minitest",
            "8761": "cucumber",
            "8771": "cucumber",
        },
    ),
    "immutable_js": (
        lambda instance_id: instance_id.split("-")[-1],
        {"2006": "jest", "2005": "jest_json"},
    ),
}


def instance_parser(name: str, instance_id: str) -> str:
    """The parser that reads this instance's log: ``name`` itself, or for ``jekyll`` and
    ``immutable_js`` (SWE-bench dispatches them on the pull request number in the instance
    id, each one's runner differing) the one they pick."""
    if name not in _BY_PULL_REQUEST:
        return name
    pull_request_of, parsers = _BY_PULL_REQUEST[name]
    parts = instance_id.split("-")
    pull_request = pull_request_of(instance_id) if len(parts) > 1 else ""
    if pull_request not in parsers:
        raise InvalidInput(
            f"ground_truth.log_parser {name!r} reads only the instances of pull requests "
            f"{', '.join(parsers)}, got instance_id {instance_id!r}"
        )
    return parsers[pull_request]
