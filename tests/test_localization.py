"""localization: SoRFT's F-beta rewards for file, function and line localization."""

from __future__ import annotations

import random
import time
from fractions import Fraction

import pytest

from verifiers import InvalidInput, Status
from verifiers.localization import MAX_GOLD_LOCATIONS
from verifiers.localization import verify as localize

FILES = {"level": "file", "targets": ["src/core/parser.py", "src/core/lexer.py"]}
FUNCTIONS = {
    "level": "function",
    "targets": ["src/core/parser.py:Parser.parse_expr", "src/core/lexer.py::tokenize"],
}
COMPONENT_KEYS = {"precision", "recall", "f_beta"}


def f_beta(precision: Fraction, recall: Fraction, beta: Fraction) -> float:
    """By hand: (1 + b^2) P R / (b^2 P + R), in exact arithmetic."""
    if precision + recall == 0:
        return 0.0
    b2 = beta * beta
    return float((1 + b2) * precision * recall / (b2 * precision + recall))


def assert_reward(outcome, expected: float, status: Status = Status.OK) -> None:
    assert outcome.status == status, outcome
    assert outcome.reward == pytest.approx(expected, abs=1e-12), outcome.detail
    assert set(outcome.components) == COMPONENT_KEYS
    assert outcome.components["f_beta"] == outcome.reward


# ---------------------------------------------------------------------------------------
# Answer formats
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        pytest.param("src/core/parser.py\nsrc/core/lexer.py", id="plain"),
        pytest.param("src/core/lexer.py\n\nsrc/core/parser.py\n", id="order-and-blank-lines"),
        pytest.param("```\nsrc/core/parser.py\nsrc/core/lexer.py\n```", id="fence"),
        pytest.param(
            "The files to edit:\n```text\nsrc/core/parser.py\nsrc/core/lexer.py\n```\nDone.",
            id="fence-with-prose",
        ),
        pytest.param("- src/core/parser.py\n- src/core/lexer.py", id="dash-bullets"),
        pytest.param("* src/core/parser.py\n+ src/core/lexer.py", id="star-plus-bullets"),
        pytest.param("• src/core/parser.py\n  - src/core/lexer.py", id="dot-bullet-indented"),
        pytest.param("1. src/core/parser.py\n2. src/core/lexer.py", id="numbered"),
        pytest.param("1) src/core/parser.py\n10) src/core/lexer.py", id="numbered-paren"),
        pytest.param("`src/core/parser.py`\n`src/core/lexer.py`", id="backticks"),
        pytest.param("- `src/core/parser.py`\n2. 'src/core/lexer.py'", id="mixed"),
        pytest.param('"src/core/parser.py"\n  src/core/lexer.py  ', id="quotes-spaces"),
        pytest.param("./src/core/parser.py\n./src/core/lexer.py", id="dot-slash"),
        pytest.param("a/src/core/parser.py\nb/src/core/lexer.py", id="diff-prefixes"),
        pytest.param("src/core/parser.py\r\nsrc/core/lexer.py\r\n", id="crlf"),
        pytest.param("src/core/parser.py\nsrc/core/parser.py\nsrc/core/lexer.py", id="duplicate"),
        pytest.param(
            "<think>\nMaybe src/util.py? No.\n</think>\nsrc/core/parser.py\nsrc/core/lexer.py",
            id="think-skipped",
        ),
        pytest.param(
            "```\nsrc/util.py\n```\nOn second thought:\n```\nsrc/core/parser.py\n"
            "src/core/lexer.py\n```",
            id="last-fence-wins",
        ),
    ],
)
def test_file_formats(response: str) -> None:
    outcome = localize(response, FILES)
    assert_reward(outcome, 1.0)
    assert outcome.components["precision"] == outcome.components["recall"] == 1.0


@pytest.mark.parametrize(
    "response",
    [
        "src/core/parser.py:Parser.parse_expr\nsrc/core/lexer.py:tokenize",
        "src/core/parser.py::Parser.parse_expr\nsrc/core/lexer.py::tokenize",
        "- `src/core/parser.py::Parser.parse_expr`\n- `./src/core/lexer.py:tokenize`",
        "```\nsrc/core/parser.py: Parser.parse_expr\nsrc/core/lexer.py :: tokenize\n```",
    ],
)
def test_function_formats(response: str) -> None:
    assert_reward(localize(response, FUNCTIONS), 1.0)


def test_function_names_must_match_exactly() -> None:
    response = "src/core/parser.py:parse_expr\nsrc/core/lexer.py:Lexer.tokenize"
    assert_reward(localize(response, FUNCTIONS), 0.0)
    # Half right: P = 1/2, R = 1/2.
    response = "src/core/parser.py:Parser.parse_expr\nsrc/core/lexer.py:Lexer.tokenize"
    assert_reward(localize(response, FUNCTIONS), 0.5)


def test_think_is_skipped() -> None:
    response = "<think>src/core/parser.py\nsrc/core/lexer.py</think>\nsrc/core/parser.py"
    # Only the answer after </think>: P = 1, R = 1/2.
    assert_reward(localize(response, FILES), f_beta(Fraction(1), Fraction(1, 2), Fraction(3)))


def test_fence_excludes_prose() -> None:
    response = "src/core/lexer.py is also involved.\n```\nsrc/core/parser.py\n```"
    assert_reward(localize(response, FILES), f_beta(Fraction(1), Fraction(1, 2), Fraction(3)))


# ---------------------------------------------------------------------------------------
# F-beta by hand
# ---------------------------------------------------------------------------------------

GOLD = ["a.py", "b.py", "c.py", "d.py"]


@pytest.mark.parametrize(
    ("predicted", "gold", "beta", "precision", "recall"),
    [
        # P = 1/2, R = 1: F3 = 10 * 1/2 / (9/2 + 1) = 10/11
        (["a.py", "b.py", "x.py", "y.py"], ["a.py", "b.py"], 3, Fraction(1, 2), Fraction(1)),
        # P = 1, R = 1/3: F3 = (10/3) / (9 + 1/3) = 5/14
        (["a.py"], ["a.py", "b.py", "c.py"], 3, Fraction(1), Fraction(1, 3)),
        # P = R = 1/2: F = 1/2 for every beta
        (["a.py", "x.py"], ["a.py", "b.py"], 3, Fraction(1, 2), Fraction(1, 2)),
        (["a.py", "x.py"], ["a.py", "b.py"], 1, Fraction(1, 2), Fraction(1, 2)),
        # P = 1/2, R = 1: F1 = 2/3, F0.5 = 5/9, F2 = 5/6
        (["a.py", "b.py", "x.py", "y.py"], ["a.py", "b.py"], 1, Fraction(1, 2), Fraction(1)),
        (
            ["a.py", "b.py", "x.py", "y.py"],
            ["a.py", "b.py"],
            Fraction(1, 2),
            Fraction(1, 2),
            Fraction(1),
        ),
        (["a.py", "b.py", "x.py", "y.py"], ["a.py", "b.py"], 2, Fraction(1, 2), Fraction(1)),
        # P = 1, R = 1/2: F2 = 5/9, F3 = 10/19
        (["a.py"], ["a.py", "b.py"], 2, Fraction(1), Fraction(1, 2)),
        (["a.py"], ["a.py", "b.py"], 3, Fraction(1), Fraction(1, 2)),
        # P = 2/3, R = 1/2: F3 = (10 * 1/3) / (6 + 1/2) = 20/39
        (["a.py", "b.py", "z.py"], GOLD, 3, Fraction(2, 3), Fraction(1, 2)),
        # P = 1/5, R = 1/4
        (["a.py", "v.py", "w.py", "x.py", "y.py"], GOLD, 3, Fraction(1, 5), Fraction(1, 4)),
        # nothing right
        (["x.py", "y.py"], GOLD, 3, Fraction(0), Fraction(0)),
        # everything right
        (GOLD, GOLD, 10, Fraction(1), Fraction(1)),
    ],
)
def test_f_beta_by_hand(
    predicted: list[str], gold: list[str], beta: Fraction, precision: Fraction, recall: Fraction
) -> None:
    outcome = localize("\n".join(predicted), {"level": "file", "targets": gold}, {"beta": beta})
    assert_reward(outcome, f_beta(precision, recall, Fraction(beta)))
    assert outcome.components["precision"] == pytest.approx(float(precision), abs=1e-12)
    assert outcome.components["recall"] == pytest.approx(float(recall), abs=1e-12)


def test_hand_values() -> None:
    """The helper itself, against numbers worked out on paper."""
    assert f_beta(Fraction(1, 2), Fraction(1), Fraction(3)) == pytest.approx(10 / 11)
    assert f_beta(Fraction(1), Fraction(1, 3), Fraction(3)) == pytest.approx(5 / 14)
    assert f_beta(Fraction(1, 2), Fraction(1), Fraction(1)) == pytest.approx(2 / 3)
    assert f_beta(Fraction(1, 2), Fraction(1), Fraction(1, 2)) == pytest.approx(5 / 9)
    assert f_beta(Fraction(1), Fraction(1, 2), Fraction(3)) == pytest.approx(10 / 19)
    assert f_beta(Fraction(2, 3), Fraction(1, 2), Fraction(3)) == pytest.approx(20 / 39)


def test_default_beta_is_three() -> None:
    truth = {"level": "file", "targets": ["a.py"]}
    default = localize("a.py\nb.py", truth)
    assert default.reward == localize("a.py\nb.py", truth, {"beta": 3}).reward
    # P = 1/2, R = 1: F3 = 10 * 1/2 / (9 * 1/2 + 1) = 10/11, F1 would be 2/3.
    assert default.reward == pytest.approx(10 / 11, abs=1e-12)


def test_gold_locations_are_a_set() -> None:
    # A = {a.py, b.py} however often, and in whatever spelling, the targets list them.
    truth = {"level": "file", "targets": ["a.py", "./a.py", "`a.py`", "b.py"]}
    outcome = localize("a.py", truth)
    assert_reward(outcome, f_beta(Fraction(1), Fraction(1, 2), Fraction(3)))
    assert outcome.components["recall"] == 0.5


def test_overlapping_gold_line_ranges() -> None:
    # Gold lines {10, 11, 12, 13}; predicting 11-12 recalls half of them.
    truth = {"level": "line", "targets": ["src/app.py:10-12", "src/app.py:11-13"]}
    outcome = localize("src/app.py:11-12", truth)
    assert_reward(outcome, f_beta(Fraction(1), Fraction(1, 2), Fraction(3)))


def test_recall_weighs_more_than_precision() -> None:
    truth = {"level": "file", "targets": GOLD}
    broad = localize("\n".join([*GOLD, "x.py", "y.py", "z.py", "w.py"]), truth).reward
    narrow = localize("a.py", truth).reward
    assert broad > narrow


# ---------------------------------------------------------------------------------------
# Lines
# ---------------------------------------------------------------------------------------

LINES = {"level": "line", "targets": ["src/app.py:10", "src/app.py:11", "src/app.py:12"]}


@pytest.mark.parametrize(
    "response",
    [
        "src/app.py:10-12",
        "src/app.py:10 - 12",
        "src/app.py:10\nsrc/app.py:11\nsrc/app.py:12",
        "- `src/app.py:10-11`\n- ./src/app.py:12",
        "src/app.py:12\nsrc/app.py:10-11\nsrc/app.py:11",
    ],
)
def test_line_ranges_expand(response: str) -> None:
    assert_reward(localize(response, LINES), 1.0)


def test_line_range_in_targets() -> None:
    truth = {"level": "line", "targets": ["src/app.py:10-12"]}
    assert_reward(localize("src/app.py:10\nsrc/app.py:11\nsrc/app.py:12", truth), 1.0)
    # One of three gold lines: P = 1, R = 1/3.
    assert_reward(localize("src/app.py:11", truth), 5 / 14)


def test_line_range_partial() -> None:
    # 8..12 is five lines, three of them gold: P = 3/5, R = 1.
    outcome = localize("src/app.py:8-12", LINES)
    assert_reward(outcome, f_beta(Fraction(3, 5), Fraction(1), Fraction(3)))


def test_line_tolerance() -> None:
    truth = {"level": "line", "targets": ["src/app.py:10"]}
    assert_reward(localize("src/app.py:12", truth), 0.0)
    assert_reward(localize("src/app.py:12", truth, {"line_tolerance": 1}), 0.0)
    assert_reward(localize("src/app.py:12", truth, {"line_tolerance": 2}), 1.0)
    assert_reward(localize("src/app.py:8", truth, {"line_tolerance": 2}), 1.0)
    # Another file is never within tolerance.
    assert_reward(localize("src/other.py:10", truth, {"line_tolerance": 50}), 0.0)
    # 8..12 against line 10: P = 1/5 exactly, all five with tolerance 2, three with 1.
    assert_reward(localize("src/app.py:8-12", truth), f_beta(Fraction(1, 5), 1, 3))
    assert_reward(localize("src/app.py:8-12", truth, {"line_tolerance": 2}), 1.0)
    outcome = localize("src/app.py:8-12", truth, {"line_tolerance": 1})
    assert_reward(outcome, f_beta(Fraction(3, 5), Fraction(1), Fraction(3)))


def test_tolerance_recall_side() -> None:
    # Gold 10..12, predicted 13 with tolerance 1: 12 is matched, 10 and 11 are not.
    outcome = localize("src/app.py:13", LINES, {"line_tolerance": 1})
    assert_reward(outcome, f_beta(Fraction(1), Fraction(1, 3), Fraction(3)))


# ---------------------------------------------------------------------------------------
# Guards against listing everything
# ---------------------------------------------------------------------------------------


def test_candidates_guard() -> None:
    truth = {"level": "file", "targets": ["a.py"], "candidates": ["a.py", "b.py", "c.py"]}
    outcome = localize("a.py\nd.py", truth)
    assert_reward(outcome, 0.0)
    assert "not among candidates" in outcome.detail and "d.py" in outcome.detail
    assert_reward(localize("a.py\nb.py", truth), 10 / 11)
    assert_reward(localize("./a.py", truth), 1.0)
    # Listing every candidate is allowed and scored.
    assert_reward(localize("a.py\nb.py\nc.py", truth), f_beta(Fraction(1, 3), 1, 3))


def test_candidates_are_normalized_like_answers() -> None:
    truth = {
        "level": "function",
        "targets": ["src/a.py::f"],
        "candidates": ["./src/a.py::f", "src/a.py:g"],
    }
    assert_reward(localize("src/a.py:f", truth), 1.0)
    assert_reward(localize("src/a.py::g", truth), 0.0)
    assert_reward(localize("src/a.py::h", truth), 0.0)
    assert "not among candidates" in localize("src/a.py::h", truth).detail


def test_candidates_with_line_ranges() -> None:
    truth = {"level": "line", "targets": ["a.py:3"], "candidates": ["a.py:1-5"]}
    assert_reward(localize("a.py:2-3", truth), f_beta(Fraction(1, 2), 1, 3))
    assert "not among candidates" in localize("a.py:5-6", truth).detail


def test_max_items() -> None:
    truth = {"level": "file", "targets": ["a.py"]}
    assert_reward(
        localize("a.py\nb.py\nc.py", truth, {"max_items": 3}), f_beta(Fraction(1, 3), 1, 3)
    )
    outcome = localize("a.py\nb.py\nc.py", truth, {"max_items": 2})
    assert_reward(outcome, 0.0)
    assert "max_items" in outcome.detail
    # Duplicates count once.
    assert localize("a.py\na.py\na.py", truth, {"max_items": 1}).reward == 1.0


def test_max_items_counts_range_lines() -> None:
    truth = {"level": "line", "targets": ["a.py:50"]}
    assert_reward(localize("a.py:1-100", truth), f_beta(Fraction(1, 100), 1, 3))
    assert_reward(localize("a.py:1-101", truth), 0.0)
    assert_reward(localize("a.py:1-101", truth, {"max_items": 101}), f_beta(Fraction(1, 101), 1, 3))
    assert_reward(localize("a.py:1-1000000", truth), 0.0)


def test_overlapping_ranges_count_each_line_once() -> None:
    truth = {"level": "line", "targets": ["a.py:50"]}
    response = "a.py:1-60\na.py:41-100\na.py:20-30\na.py:1-100"  # lines 1..100
    assert_reward(localize(response, truth), f_beta(Fraction(1, 100), 1, 3))
    outcome = localize(response + "\nb.py:1", truth)
    assert_reward(outcome, 0.0)
    assert "more than max_items=100 locations, passed at 'b.py:1'" in outcome.detail


def test_a_range_over_the_limit_is_refused_without_reading_it() -> None:
    truth = {"level": "line", "targets": ["f0.py:1"]}
    # The input: 55 characters, 40,000 lines; it took 6-11 s when ranges were listed.
    response = "\n".join(f"f{i}.py:1-10000" for i in range(4))
    started = time.perf_counter()
    outcome = localize(response, truth)
    assert time.perf_counter() - started < 0.05
    assert_reward(outcome, 0.0)
    assert outcome.detail == "more than max_items=100 locations, passed at 'f0.py:1-10000'"
    endless = localize("a.py:1-99999999999999", truth, {"max_items": 100_000})
    assert "max_items=100000" in endless.detail


def test_gold_locations_are_bounded() -> None:
    limit = MAX_GOLD_LOCATIONS
    truth = {"level": "line", "targets": [f"a.py:1-{limit}"]}
    assert localize(f"a.py:1-{limit}", truth, {"max_items": limit}).reward == 1.0
    with pytest.raises(InvalidInput, match=f"targets names more than {limit} locations"):
        localize("a.py:1", {"level": "line", "targets": [f"a.py:1-{limit + 1}"]})
    with pytest.raises(InvalidInput, match=f"candidates names more than {limit} locations"):
        localize(
            "a.py:1", {"level": "line", "targets": ["a.py:1"], "candidates": ["a.py:1-1000000000"]}
        )


def test_line_numbers_longer_than_18_digits_are_text() -> None:
    huge = "a.py:" + "9" * 5000
    truth = {"level": "line", "targets": [huge, "a.py:1"]}
    assert_reward(localize(huge, truth), f_beta(Fraction(1), Fraction(1, 2), Fraction(3)))
    assert_reward(localize("a.py:" + "9" * 18, truth), 0.0)


def by_hand(predicted: list[str], gold: list[str], tolerance: int) -> tuple[float, float]:
    """Precision and recall of clean ``path:first-last`` items, every line listed."""

    def lines(items: list[str]) -> list[tuple[str, int]]:
        listed: dict[tuple[str, int], None] = {}
        for entry in items:
            path, _, span = entry.rpartition(":")
            first, _, last = span.partition("-")
            for line in range(int(first), int(last or first) + 1):
                listed[(path, line)] = None
        return list(listed)

    mine, theirs = lines(predicted), lines(gold)

    def near(a: tuple[str, int], b: tuple[str, int]) -> bool:
        return a[0] == b[0] and abs(a[1] - b[1]) <= tolerance

    precision = Fraction(sum(any(near(m, t) for t in theirs) for m in mine), len(mine))
    recall = Fraction(sum(any(near(t, m) for m in mine) for t in theirs), len(theirs))
    return precision, recall


@pytest.mark.parametrize("seed", range(5))
def test_line_ranges_against_listing_every_line(seed: int) -> None:
    rng = random.Random(seed)

    def span() -> str:
        first = rng.randint(1, 60)
        return f"{rng.choice(['a.py', 'b.py'])}:{first}-{first + rng.randint(0, 30)}"

    for _ in range(60):
        predicted = [span() for _ in range(rng.randint(1, 6))]
        gold = [span() for _ in range(rng.randint(1, 3))]
        tolerance = rng.choice([0, 0, 2])
        options = {"max_items": 400, "line_tolerance": tolerance}
        outcome = localize("\n".join(predicted), {"level": "line", "targets": gold}, options)
        precision, recall = by_hand(predicted, gold, tolerance)
        assert_reward(outcome, f_beta(precision, recall, Fraction(3)))
        assert outcome.components["precision"] == pytest.approx(float(precision), abs=1e-12)
        assert outcome.components["recall"] == pytest.approx(float(recall), abs=1e-12)


# ---------------------------------------------------------------------------------------
# Empty answers and invalid input
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        "",
        "   \n\n\t",
        "<think>src/core/parser.py</think>",
        "<think>src/core/parser.py</think>\n\n",
        "```\n```",
        "- \n* \n1. ",
        "``\n''",
    ],
)
def test_empty_answer_is_a_format_error(response: str) -> None:
    outcome = localize(response, FILES)
    assert_reward(outcome, 0.0, Status.FORMAT_ERROR)
    assert outcome.components == {"precision": 0.0, "recall": 0.0, "f_beta": 0.0}
    assert "no file location" in outcome.detail


@pytest.mark.parametrize(
    ("truth", "match"),
    [
        ("src/a.py", "ground_truth must be"),
        (["src/a.py"], "ground_truth must be"),
        ({"targets": ["a.py"]}, "ground_truth must be"),
        ({"level": "module", "targets": ["a.py"]}, "ground_truth must be"),
        ({"level": "file"}, "targets must be a list of strings"),
        ({"level": "file", "targets": "a.py"}, "targets must be a list of strings"),
        ({"level": "file", "targets": ["a.py", 3]}, "targets must be a list of strings"),
        ({"level": "file", "targets": []}, "targets is empty"),
        ({"level": "file", "targets": ["  ", "``"]}, "targets is empty"),
        ({"level": "file", "targets": ["a.py"], "candidates": "a.py"}, "candidates must be"),
        ({"level": "file", "targets": ["a.py"], "candidates": [None]}, "candidates must be"),
        ({"level": "file", "targets": ["a.py"], "gold": ["a.py"]}, "unknown keys: gold"),
    ],
)
def test_invalid_ground_truth(truth: object, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        localize("a.py", truth)


@pytest.mark.parametrize(
    "options",
    [{"beta": 0}, {"beta": -1}, {"line_tolerance": -1}, {"max_items": 0}, {"tolerance": 1}],
)
def test_invalid_options(options: dict) -> None:
    with pytest.raises(InvalidInput, match="options"):
        localize("a.py", {"level": "file", "targets": ["a.py"]}, options)


def test_components_declared() -> None:
    assert set(localize.components) == COMPONENT_KEYS
