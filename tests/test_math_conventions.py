"""The math verifier on dataset conventions: percent, units, degrees, letters, words, golds."""

from __future__ import annotations

import pytest

from tests.math_helpers import boxed, judge, judge_response
from verifiers import Status
from verifiers.math import verify


@pytest.mark.parametrize(
    ("gold", "answer", "reward"),
    [
        # percent
        ("10\\%", "10\\%", 1.0),
        ("10\\%", "10", 1.0),
        ("10\\%", "0.1", 1.0),
        ("10\\%", "\\frac{1}{10}", 1.0),
        ("10\\%", "10%", 1.0),
        # An answer has one reading: 10% is 10, so it cannot also be 0.1 (issue 15).
        ("0.1", "10\\%", 0.0),
        ("\\frac{1}{10}", "10\\%", 0.0),
        ("10", "10\\%", 1.0),
        ("10\\%", "11\\%", 0.0),
        ("10\\%", "11", 0.0),
        ("10\\%", "1\\%", 0.0),
        ("12.5\\%", "\\frac18", 1.0),
        ("12.5\\%", "12.5", 1.0),
        ("12.5\\%", "12.49\\%", 1.0),
        ("12.5\\%", "15\\%", 0.0),
        ("50\\%", "\\frac12", 1.0),
        ("50\\%", "\\frac13", 0.0),
        # units and \text{}
        ("5", "5 \\text{ cm}", 1.0),
        ("5 \\text{ cm}", "5", 1.0),
        ("5 \\text{ cm}", "5 \\text{cm}", 1.0),
        ("5 \\text{ cm}", "6 \\text{ cm}", 0.0),
        ("5", "6 \\text{ cm}", 0.0),
        ("864 \\mbox{ inches}^2", "864", 1.0),
        ("864 \\mbox{ inches}^2", "864 \\text{ square inches}", 1.0),
        ("864 \\mbox{ inches}^2", "846", 0.0),
        ("12", "12 \\text{ meters}", 1.0),
        ("12", "12\\,\\text{m}", 1.0),
        ("12", "12 \\mathrm{~m}", 1.0),
        ("12", "13 \\text{ meters}", 0.0),
        ("3", "3 \\text{ apples}", 1.0),
        ("5", "\\text{5}", 1.0),
        ("\\text{5}", "5", 1.0),
        ("5", "\\text{6}", 0.0),
        # degrees
        ("30^\\circ", "30", 1.0),
        ("30", "30^\\circ", 1.0),
        ("30^\\circ", "30^{\\circ}", 1.0),
        ("30^\\circ", "30\u00b0", 1.0),
        ("30^\\circ", "\\frac{\\pi}{6}", 1.0),
        ("\\frac{\\pi}{6}", "30^\\circ", 1.0),
        ("135^\\circ", "\\frac{3\\pi}{4}", 1.0),
        ("\\frac{3\\pi}{4}", "135^\\circ", 1.0),
        ("135^\\circ", "135", 1.0),
        ("30^\\circ", "60^\\circ", 0.0),
        ("30^\\circ", "31", 0.0),
        ("60^\\circ", "\\frac{\\pi}{6}", 0.0),
        ("\\frac{\\pi}{6}", "60^\\circ", 0.0),
        ("135^\\circ", "\\frac{\\pi}{4}", 0.0),
        ("90^\\circ", "\\frac{\\pi}{2}", 1.0),
        ("90^\\circ", "\\pi", 0.0),
        # multiple choice letters
        ("C", "(C)", 1.0),
        ("C", "C)", 1.0),
        ("C", "C", 1.0),
        ("C", "\\text{(C)}", 1.0),
        ("C", "\\textbf{(C)}", 1.0),
        ("C", "\\text{C}", 1.0),
        ("(C)", "C", 1.0),
        ("(C)", "(C)", 1.0),
        ("(C)", "\\text{(C)}", 1.0),
        ("C", "B", 0.0),
        ("C", "(B)", 0.0),
        ("(C)", "B", 0.0),
        ("C", "\\text{(D)}", 0.0),
        ("C", "A, C", 0.0),
        ("C", "AC", 0.0),
        ("C", "(A), (C)", 0.0),
        ("A", "B", 0.0),
        # text answers
        ("yes", "Yes", 1.0),
        ("yes", "yes", 1.0),
        ("yes", "\\text{yes}", 1.0),
        ("Yes", "\\text{Yes}", 1.0),
        ("\\text{yes}", "YES", 1.0),
        ("yes", "no", 0.0),
        ("no", "yes", 0.0),
        ("no", "\\text{No}", 1.0),
        ("\\text{Monday}", "Monday", 1.0),
        ("Monday", "\\text{Monday}", 1.0),
        ("\\text{Monday}", "\\text{Tuesday}", 0.0),
        ("\\text{Monday}", "Tuesday", 0.0),
        ("\\text{Monday}", "Mon", 0.0),
        # ratios
        ("3", "3:1", 1.0),
        ("3:1", "3", 1.0),
        ("3:1", "3:1", 1.0),
        ("3", "3:2", 0.0),
        ("3:1", "1:3", 0.0),
        ("3:1", "6:2", 1.0),
        ("2", "1:2", 0.0),
    ],
)
def test_conventions(gold: str, answer: str, reward: float) -> None:
    assert judge(gold, answer) == reward


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        ("The answer is C", "C", 1.0),
        ("The answer is C.", "(C)", 1.0),
        ("The answer is (C).", "C", 1.0),
        ("Comparing the options, the correct choice is $\\boxed{C}$.", "C", 1.0),
        ("Answer: C", "C", 1.0),
        ("The answer is B", "C", 0.0),
        ("The answer is $\\boxed{A, C}$.", "C", 0.0),
        ("The answer is $\\boxed{AC}$.", "C", 0.0),
        ("The answer is $\\boxed{A}$ or $\\boxed{C}$.", "C", 0.0),
        ("So the answer is yes.", "yes", 1.0),
        ("So the answer is no.", "yes", 0.0),
        ("The meeting falls on a \\boxed{\\text{Monday}}.", "Monday", 1.0),
        ("#### 25%", "25", 1.0),
        ("The area is $\\boxed{864 \\text{ inches}^2}$.", "864", 1.0),
        ("The angle is $\\boxed{30^\\circ}$.", "\\frac{\\pi}{6}", 1.0),
        ("The angle is $\\boxed{60^\\circ}$.", "\\frac{\\pi}{6}", 0.0),
    ],
)
def test_conventions_in_context(response: str, gold: str, reward: float) -> None:
    assert judge_response(gold, response) == reward


@pytest.mark.parametrize(
    ("golds", "answer", "reward"),
    [
        (["1/2", "0.5"], "\\frac12", 1.0),
        (["1/2", "0.5"], "0.5", 1.0),
        (["1/2", "0.5"], "1/2", 1.0),
        (["1/2", "0.5"], "0.6", 0.0),
        (["1/2", "0.5"], "2", 0.0),
        (["3", "4", "5"], "5", 1.0),
        (["3", "4", "5"], "6", 0.0),
        (["\\text{Monday}", "Mon"], "Monday", 1.0),
        (["A", "(A)"], "B", 0.0),
        (["x+1"], "1+x", 1.0),
        (["x+1"], "x+2", 0.0),
        (["not parseable {{", "7"], "7", 1.0),
    ],
)
def test_list_of_golds(golds: list[str], answer: str, reward: float) -> None:
    assert judge(golds, answer) == reward


def test_list_of_golds_detail_mentions_the_failure() -> None:
    outcome = verify(boxed("0.6"), ["1/2", "0.5"])
    assert outcome.status is Status.OK
    assert outcome.reward == 0.0
    assert "0.6" in outcome.detail
