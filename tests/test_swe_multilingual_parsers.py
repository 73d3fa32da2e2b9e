"""The SWE-bench Multilingual log parsers against the official ones of ``swebench`` 5.0.2:
the same names and statuses on sample logs of every runner, on generated logs, and the
documented differences only (a repeated report gets its worst status; linear time)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import get_args
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from swebench.harness.log_parsers import PARSER_REGISTRY

from verifiers.base import InvalidInput
from verifiers.swe_tests.log_parsers import LOG_PARSERS, RANK, LogParser, Statuses, merge
from verifiers.swe_tests.multilingual_parsers import (
    LINE_FORMATS,
    MULTILINGUAL_PARSERS,
    MultilingualParser,
    instance_parser,
)

LOGS = Path(__file__).parent / "data" / "swe_logs"
SAMPLES = sorted(LOGS.glob("*.log"))
NAMES: tuple[MultilingualParser, ...] = get_args(MultilingualParser)
STATEFUL = sorted(set(NAMES) - set(LINE_FORMATS))

# Where the official parser keeps the last of several reports and ours the worst.
DIFFERENCES: dict[str, dict[str, str]] = {
    "cargo--spoofed.log": {"tests::parses": "FAILED"},
    "gotest--spoofed.log": {"TestParseAddress": "FAILED"},
    "gradle_custom--retried.log": {"io.reactivex.rxjava3.core.FlowableTests > flaky": "FAILED"},
    "jest--duplicate-titles.log": {"works": "FAILED"},
    "maven--repeated.log": {
        "com.google.gson.GsonBuilderTest#testModificationAfterCreate": "FAILED"
    },
}


def official(name: str, log: str) -> Statuses:
    """The swebench parser of the same name (none of these reads its test spec)."""
    return PARSER_REGISTRY[f"parse_log_{name}"](log, None)


def parser_of(sample: Path) -> MultilingualParser:
    name = sample.stem.split("--")[0]
    assert name in NAMES, f"{sample.name}: no parser {name!r}"
    return name  # type: ignore[return-value]


def sample(name: str) -> str:
    return (LOGS / name).read_text()


# ---------------------------------------------------------------- registry


def test_every_multilingual_parser_is_registered_and_typed():
    assert set(MULTILINGUAL_PARSERS) == set(NAMES)
    assert set(NAMES) <= set(get_args(LogParser))
    assert set(get_args(LogParser)) == set(LOG_PARSERS)
    for name in NAMES:
        assert LOG_PARSERS[name] is MULTILINGUAL_PARSERS[name]
        assert f"parse_log_{name}" in PARSER_REGISTRY


def test_every_parser_has_a_sample_log():
    assert {parser_of(path) for path in SAMPLES} == set(NAMES)


@pytest.mark.parametrize(
    ("name", "instance_id", "parser"),
    [
        ("jekyll", "jekyll__jekyll-9141", "minitest"),
        ("jekyll", "jekyll__jekyll-8761", "cucumber"),
        ("immutable_js", "immutable-js__immutable-js-2006", "jest"),
        ("immutable_js", "immutable-js__immutable-js-2005", "jest_json"),
        ("gotest", "gin-gonic__gin-1234", "gotest"),
    ],
)
def test_jekyll_and_immutable_js_pick_a_parser_by_pull_request(name, instance_id, parser):
    assert instance_parser(name, instance_id) == parser


@pytest.mark.parametrize(
    ("name", "instance_id"),
    [("jekyll", "jekyll__jekyll-1"), ("jekyll", "nodash"), ("immutable_js", "x-2004")],
)
def test_an_unknown_pull_request_is_the_callers_error(name, instance_id):
    with pytest.raises(InvalidInput, match=r"ground_truth\.log_parser"):
        instance_parser(name, instance_id)


# ---------------------------------------------------------------- sample logs


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.name)
def test_sample_log_reads_as_the_official_parser_reads_it(path):
    name, log = parser_of(path), path.read_text()
    ours = MULTILINGUAL_PARSERS[name](log)
    expected = {**official(name, log), **DIFFERENCES.get(path.name, {})}
    assert ours == expected
    assert ours, "a sample log must hold results"


def test_documented_differences_are_all_repeated_reports():
    for file, worst in DIFFERENCES.items():
        theirs = official(parser_of(LOGS / file), sample(file))
        for test, status in worst.items():
            assert RANK[status] > RANK[theirs[test]]


def test_samples_cover_every_status_the_formats_know():
    seen = {name: set(MULTILINGUAL_PARSERS[name](sample(f"{name}.log")).values()) for name in NAMES}
    for name, statuses in seen.items():
        assert {"PASSED", "FAILED"} <= statuses, name
    for name in ("gotest", "jest", "vitest", "redis", "micropython_test", "phpunit", "ruby_unit"):
        assert "SKIPPED" in seen[name], name


def test_quirks_of_the_official_names_are_kept():
    """These are the names FAIL_TO_PASS and PASS_TO_PASS hold, odd as they are."""
    jest = MULTILINGUAL_PARSERS["jest"](sample("jest.log"))
    assert jest["skipped parses heading with id"] == "SKIPPED"
    assert "todo handles custom ids with spaces" not in jest
    vitest = MULTILINGUAL_PARSERS["vitest"](sample("vitest.log"))
    assert "packages/runtime-core/__tests__/apiWatch.spec.ts > api: watch > handles" in vitest
    php = MULTILINGUAL_PARSERS["phpunit"](sample("phpunit.log"))
    assert php["None > a test before any suite header"] == "PASSED"
    assert php["Cell > Get formatted value"] == "FAILED"
    redis = MULTILINGUAL_PARSERS["redis"](sample("redis.log"))
    assert redis["LPOS no match"] == "FAILED"
    assert redis["LPOS basic usage - quicklist"] == "PASSED"
    gradle = MULTILINGUAL_PARSERS["gradle_custom"](sample("gradle_custom.log"))
    assert gradle["io.reactivex.rxjava3.core.FlowableTests > fromArray[2]  "] == "PASSED"
    assert not any("SKIPPED" in name or "noStatusEver" in name for name in gradle)
    cargo = MULTILINGUAL_PARSERS["cargo"](sample("cargo.log"))
    assert "searcher::mmap::tests::mmap_disabled" not in cargo  # ignored: no result
    assert not any("(line" in name for name in cargo)  # doc tests never match


def test_maven_pairs_results_with_commands_in_order():
    maven = MULTILINGUAL_PARSERS["maven"](sample("maven.log"))
    prefix = "com.google.gson.functional.PrimitiveTest#test"
    assert maven[f"{prefix}IntSerialization"] == "PASSED"  # two commands, then two results
    assert maven[f"{prefix}LongSerialization"] == "FAILED"
    # The install step's BUILD SUCCESS came before any command: the official parser gives
    # it to the command left without a result at the end, and so do we.
    assert maven["com.google.gson.JsonPrimitiveTest#testNoResult"] == "PASSED"


def test_karma_names_follow_the_official_suite_stack():
    karma = MULTILINGUAL_PARSERS["karma"](sample("karma.log"))
    assert karma["Components > setState > should batch updates"] == "FAILED"
    # "refs" pops one level and is not pushed: its tests land under "Components".
    assert karma["Components > should invoke refs in Component.render()"] == "PASSED"
    assert not any("printed before the browser starts" in name for name in karma)
    assert not any("tests completed" in name for name in karma)  # after SUMMARY:


def test_doctest_reads_the_first_report_only():
    doctest = MULTILINGUAL_PARSERS["doctest"](sample("doctest.log"))
    assert doctest["regression tests 2 > less than (<)"] == "FAILED"
    assert doctest["json_pointer > empty subcase"] == "PASSED"  # no expression: passed
    assert not any(name.startswith(("no subcases", "second binary")) for name in doctest)


# ---------------------------------------------------------------- what makes theirs raise


def test_a_karma_suite_that_climbs_too_high_reads_as_no_result():
    log = "Starting browser X\n      Deep\n    Up\n  Higher\n      ✔ a test\n"
    with pytest.raises(IndexError):
        official("karma", log)
    assert MULTILINGUAL_PARSERS["karma"](log) == {}


@pytest.mark.parametrize(
    "log",
    [
        "<doctest><TestCase name='a'><SubCase name='b'/></TestCase>",  # no end tag
        "<doctest><TestCase name='a'></doctest>",  # not well formed
        "noise <doctest/> more </doctest>",
    ],
)
def test_doctest_xml_that_does_not_parse_reads_as_no_result(log):
    with pytest.raises(Exception):  # noqa: B017  the official parser's ParseError
        official("doctest", log)
    assert MULTILINGUAL_PARSERS["doctest"](log) == {}


# ---------------------------------------------------------------- spoofing

# (parser, the real failure, a fake pass a test can print, the name both report)
SPOOFS = [
    ("gotest", "--- FAIL: TestX (0.01s)", "--- PASS: TestX (0.00s)", "TestX"),
    ("gotest", "    --- FAIL: TestX/sub (0.01s)", "--- PASS: TestX/sub (0.00s)", "TestX/sub"),
    ("cargo", "test a::b ... FAILED", "test a::b ... ok", "a::b"),
    ("jest", "✕ adds (3 ms)", "✓ adds", "adds"),
    ("jest_json", "[FAILED] a > b", "[PASSED] a > b", "a > b"),
    ("vitest", "\u00d7 f.ts > a 3ms", "✓ f.ts > a", "f.ts > a"),
    ("tap", "not ok 1 Maths > clone", "ok 7 Maths > clone", "Maths > clone"),
    ("redis", "[err]: SET in tests/unit/type.tcl", "[ok]: SET (1 ms)", "SET"),
    ("jq", "FAIL: tests/jqtest", "PASS: tests/jqtest", "tests/jqtest"),
    ("micropython_test", "FAIL  basics/a.py", "pass  basics/a.py", "basics/a.py"),
    ("googletest", "[  FAILED  ] S.t (1 ms)", "[       OK ] S.t (0 ms)", "S.t"),
    ("ant", "[junit] [ERR] t(C)", "[junit] [PASS] t(C)", "t(C)"),
    ("minitest", "C#test_a. = 0.01 s = F", "C#test_a. = 0.00 s = .", "C#test_a"),
    ("cucumber", "Scenario one ....F", "Scenario one .....", "Scenario one"),
    ("ruby_unit", "test: daily:\tF", "test: daily:\t.: (0.1)", "daily"),
    ("rspec_transformed_json", "works - failed", "works - passed", "works"),
    ("gradle_custom", "C > t FAILED", "C > t PASSED", "C > t"),
    ("phpunit", "Suite (N\\C)\n ✘ t", "Suite (N\\C)\n ✔ t", "Suite > t"),
    ("karma", "Starting browser X\n  S\n    ✖ t", "    ✔ t", "S > t"),
]


@pytest.mark.parametrize(("name", "real", "fake", "test"), SPOOFS, ids=[s[0] for s in SPOOFS])
def test_a_printed_fake_pass_cannot_hide_a_real_failure(name, real, fake, test):
    parse = MULTILINGUAL_PARSERS[name]
    assert parse(f"{real}\nnoise\n{fake}\n")[test] == "FAILED"
    if name != "karma":  # karma reads nothing before "Starting browser"
        assert parse(f"{fake}\n{real}\n")[test] == "FAILED"
    # The official parser keeps the last report: the fake one.
    assert official(name, f"{real}\nnoise\n{fake}\n")[test] == "PASSED"


def test_a_fake_maven_result_for_a_repeated_command_keeps_the_failure():
    command = "+ mvnd test -B -Dtest=C#t"
    log = f"{command}\n[INFO] BUILD FAILURE\n{command}\n[INFO] BUILD SUCCESS\n"
    assert MULTILINGUAL_PARSERS["maven"](log) == {"C#t": "FAILED"}


# ---------------------------------------------------------------- generated logs

TOKENS = [
    *("--- PASS: ", "--- FAIL: ", "--- SKIP: ", "=== RUN   ", "Test", "/sub", " (0.00s)"),
    *("test ", "a::b", " ... ", "ok", "FAILED", "ignored"),
    *("✓ ", "✕ ", "○ ", "\u00d7 ", "↓ ", " (12 ms)", " 5ms", " 2", " [skipped]"),
    *("[PASSED] ", "[FAILED] ", "ok 1 ", "not ok 2 ", "# SKIP "),
    *("[ok]: ", "[err]: ", "[skip]: ", "[ignore]: ", " in tests/unit/x.tcl", " in "),
    *("PASS: ", "FAIL: ", "pass  ", "FAIL  ", "skip  "),
    *("[       OK ] ", "[  FAILED  ] ", "[ OK ]", " (1 ms)", " (", ")", "("),
    *("    [junit] [PASS] ", "[junit] [ERR] ", "[junit] [FAIL] "),
    *("C#test_a", ". ", " = 0.01 s = ", ".", "F", "E", "=", "S"),
    *(" ....", " .F", "...", "test: ", ":\t", ": ", "O", " - passed", " - failed", " - "),
    *("+ mvnd test -Dtest=", "C#t", "[INFO] BUILD SUCCESS", "BUILD FAILURE"),
    *(" > ", " PASSED", " FAILED", "PASSED", "> Task :test", "C > t"),
    *("Starting browser", "SUMMARY:", "✔ ", "✖ ", "✘ ", "↩ ", "Suite (N\\C)", "None"),
    *(" ", "  ", "    ", "\t", "\r", "\x85", "\u2028", "\x1b[32m", "é", "x", "1", "]"),
]
LINE = st.lists(st.sampled_from(TOKENS), max_size=8).map("".join)
LOG = st.lists(LINE, max_size=12).map("\n".join)
GENERATED = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", sorted(LINE_FORMATS))
@GENERATED
@given(log=LOG)
def test_line_formats_read_each_line_as_the_official_parser_and_keep_the_worst(name, log):
    """Line by line, the official parser read on that line alone; over lines, the worst."""
    reports = (pair for line in log.split("\n") for pair in official(name, line).items())
    assert MULTILINGUAL_PARSERS[name](log) == merge(reports)


def agrees_but_for_repeats(ours: Statuses, theirs: Statuses) -> None:
    """The same tests; a status that differs is ours being worse (a repeated report)."""
    theirs = {test: status for test, status in theirs.items() if test}
    assert set(ours) == set(theirs)
    for test, status in ours.items():
        assert RANK[status] >= RANK[theirs[test]], test


@pytest.mark.parametrize("name", [name for name in STATEFUL if name != "doctest"])
@GENERATED
@given(log=LOG)
def test_stateful_formats_find_the_official_tests(name, log):
    try:
        theirs = official(name, log)
    except IndexError:  # karma's suite stack popped empty
        assert MULTILINGUAL_PARSERS[name](log) == {}
        return
    agrees_but_for_repeats(MULTILINGUAL_PARSERS[name](log), theirs)


@st.composite
def doctest_reports(draw: st.DrawFn) -> str:
    names = st.sampled_from(["a", "b", "a & <b>", 'q"', "  spaced  "])

    def subcases(depth: int) -> str:
        parts = []
        for _ in range(draw(st.integers(0, 2))):
            checks = "".join(
                f'<Expression success="{draw(st.sampled_from(["true", "false", "x"]))}"/>'
                for _ in range(draw(st.integers(0, 2)))
            )
            inner = subcases(depth + 1) if depth < 2 else ""
            parts.append(f"<SubCase name={quoteattr(draw(names))}>{checks}{inner}</SubCase>")
        return "".join(parts)

    cases = "".join(
        f"<TestCase name={quoteattr(draw(names))}>{subcases(0)}</TestCase>"
        for _ in range(draw(st.integers(0, 3)))
    )
    return f"noise\n<doctest binary='t'><TestSuite>{cases}</TestSuite></doctest>\nmore"


@GENERATED
@given(log=doctest_reports())
def test_doctest_reports_find_the_official_tests(log):
    agrees_but_for_repeats(MULTILINGUAL_PARSERS["doctest"](log), official("doctest", log))


# ---------------------------------------------------------------- linear time

LONG_CHARS = 200_000
# Lines on which the official patterns backtrack: 900 characters of the minitest one take
# 0.7 s there (cubic), 10 000 of the go one 0.8 s (quadratic); a test can print 4 MiB.
HOSTILE: dict[str, Callable[[int], str]] = {
    "gotest": lambda n: "--- PASS: X" + " (" * n,
    "googletest": lambda n: "[ OK ] " * (n // 8) + " (" * (n // 4) + "x",
    "googletest_closed": lambda n: "[ OK ] " * (n // 8) + " (" * (n // 4) + ")",
    "minitest": lambda n: "a" + ". " * (n // 4) + "=" * (n // 2),
    "gradle_custom": lambda n: "x" + " " * n + "yPASSED",
    "phpunit": lambda n: "a" + " (" * (n // 2),
    "redis": lambda n: "[err]: a" + " " * n + "b",
    "ruby_unit": lambda n: "a" + ":" * (n // 2) + " " * (n // 2),
    "cucumber": lambda n: " ." * (n // 2),
    "vitest": lambda n: "✓ a" + " 1" * (n // 2) + "x",
    "jest": lambda n: "✓ a" + " (1" * (n // 3),
    "maven": lambda n: "-Dtest=" * (n // 7),
}


def test_every_parser_reads_hostile_long_lines_in_linear_time():
    lines = [make(LONG_CHARS) for make in HOSTILE.values()]
    started = time.perf_counter()
    for name in NAMES:
        for line in lines:
            MULTILINGUAL_PARSERS[name](line)
    # Linear: ~0.1 s here; the official parsers would take hours on these lines.
    assert time.perf_counter() - started < 20.0
