"""The math verifier: finding the final answer in a response (and what happens without one)."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import item
from tests.math_helpers import boxed
from verifiers import InvalidInput, Status
from verifiers.math import verify


def assert_judged(response: str, gold: str | list[str], reward: float) -> None:
    """An answer was found (status ok) and judged right (1.0) or wrong (0.0)."""
    outcome = verify(response, gold)
    assert outcome.status is Status.OK, outcome.detail
    assert outcome.reward == reward, outcome.detail
    assert outcome.components == {"format": 1.0, "accuracy": reward}, outcome.detail


def assert_format_error(response: str, gold: str | list[str]) -> None:
    outcome = verify(response, gold)
    assert outcome.status is Status.FORMAT_ERROR, outcome.detail
    assert outcome.reward == 0.0
    assert outcome.components == {"format": 0.0, "accuracy": 0.0}
    assert outcome.detail


PROSE = (
    "We start by writing down what we know and then simplify the expression step by step, "
    "checking each intermediate result against the constraints of the problem statement. "
)


# --- <think> blocks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        ("<think>maybe \\boxed{3}</think>The answer is $\\boxed{5}$.", "5", 1.0),
        ("<think>maybe \\boxed{3}</think>The answer is $\\boxed{5}$.", "3", 0.0),
        ("<think>it is 5</think>\n\n**Answer:** 7", "7", 1.0),
        ("<think>it is 5</think>\n\n**Answer:** 7", "5", 0.0),
        ("<think>a</think> \\boxed{1} </think> \\boxed{2}", "2", 1.0),
        ("<think>a</think> \\boxed{1} </think> \\boxed{2}", "1", 0.0),
        ("<think>\\boxed{1}</think>\\boxed{2}</think>The answer is 3.", "3", 1.0),
        ("no opening tag, just reasoning</think>\n\\boxed{4}", "4", 1.0),
        ("<think>\nlong thought\n</think>\n\nSo the final answer is 12.", "12", 1.0),
        ("<think>\nthe answer is 12\n</think>\n\nSo the final answer is 13.", "12", 0.0),
    ],
)
def test_think_blocks_are_ignored(response: str, gold: str, reward: float) -> None:
    assert_judged(response, gold, reward)


@pytest.mark.parametrize(
    "response",
    [
        "<think>I think the answer is \\boxed{5}",
        "<think>Let me see. 2+3 = 5.\n\nThe answer is 5.",
        "<think>\n\\boxed{5}\n\n5",
        "<think>\\boxed{5}</think>",
        "<think>\\boxed{5}</think>   \n  ",
        "<think>a</think><think>the answer is \\boxed{5}",
    ],
)
def test_think_without_an_answer_after_it_is_a_format_error(response: str) -> None:
    assert_format_error(response, "5")


# --- \boxed and \fbox --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        (boxed("42"), "42", 1.0),
        (boxed("41"), "42", 0.0),
        (boxed("\\frac{1}{2}"), "\\frac{1}{2}", 1.0),
        (boxed("\\frac{1}{2}"), "1/2", 1.0),
        (boxed("\\frac{1}{3}"), "1/2", 0.0),
        (boxed("\\frac{\\sqrt{3}}{2}"), "\\frac{\\sqrt3}{2}", 1.0),
        (boxed("\\frac{\\sqrt{3}}{2}"), "\\frac{\\sqrt2}{2}", 0.0),
        (boxed("x^{2}+1"), "x^2+1", 1.0),
        (boxed("{5}"), "5", 1.0),
        (boxed("\\{1,2\\}"), "\\{1,2\\}", 1.0),
        (boxed("\\left(\\frac{1}{2}\\right)^{2}"), "\\frac14", 1.0),
        ("So $\\fbox{7}$ is it.", "7", 1.0),
        ("So $\\fbox{7}$ is it.", "8", 0.0),
        ("We get\n\\[\\boxed{12}\\]\nas required.", "12", 1.0),
        ("The answer is $\\boxed 5$.", "5", 1.0),
        ("The answer is $\\boxed 5$.", "6", 0.0),
        ("Thus \\boxed 9", "9", 1.0),
        ("Computing everything, the answer is \\boxed{42", "42", 1.0),
        ("Computing everything, the answer is \\boxed{42", "4", 0.0),
        ("Computing everything, the answer is \\boxed{\\frac{1}{2}", "0.5", 1.0),
        ("First \\boxed{3} was a guess.\n\nRedoing the sum carefully: \\boxed{4}", "4", 1.0),
        ("First \\boxed{3} was a guess.\n\nRedoing the sum carefully: \\boxed{4}", "3", 0.0),
        ("\\boxed{\\text{(C)}}", "C", 1.0),
        ("The answer is 3. After checking, we conclude $\\boxed{4}$.", "4", 1.0),
        ("We find $\\boxed{4}$.\n\nAnswer: 4", "4", 1.0),
    ],
)
def test_boxed_answers(response: str, gold: str, reward: float) -> None:
    assert_judged(response, gold, reward)


def test_a_boxed_answer_beats_an_earlier_marker() -> None:
    response = "Answer: 3 (first attempt).\n\nCorrecting that, $\\boxed{4}$."
    assert_judged(response, "4", 1.0)
    assert_judged(response, "3", 0.0)


@pytest.mark.parametrize("gold", ["\\boxed{5}", "The answer is $\\boxed{5}$."])
def test_a_boxed_gold_is_unwrapped(gold: str) -> None:
    assert_judged(boxed("5"), gold, 1.0)
    assert_judged(boxed("6"), gold, 0.0)


# --- markers, displays, last lines ------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        ("Adding them, we get 12.\nThe final answer is 12.", "12", 1.0),
        ("Adding them, we get 12.\nThe final answer is 12.", "13", 0.0),
        ("So the final answer is $\\frac{3}{4}$.", "\\frac34", 1.0),
        ("Therefore, the answer is $\\frac{3}{4}$.", "0.75", 1.0),
        ("Therefore, the answer is $\\frac{3}{4}$.", "\\frac43", 0.0),
        ("Some work.\n\nAnswer: 17", "17", 1.0),
        ("Some work.\n\nAnswer: 17", "71", 0.0),
        ("Some work.\n\n**Answer:** 17", "17", 1.0),
        ("Some work.\n\n**Answer:** $-17$", "-17", 1.0),
        ("Some work.\n\n**Answer:** $-17$", "17", 0.0),
        ("Some work.\n\n**Final Answer**: 23", "23", 1.0),
        ("Some work.\n\n**Final Answer**: 23", "32", 0.0),
        ("Natalia sold 48/2 = 24 clips in May.\n48+24 = 72\n#### 72", "72", 1.0),
        ("Natalia sold 48/2 = 24 clips in May.\n48+24 = 72\n#### 72", "24", 0.0),
        ("She earns 0.2 * 50 = 10 dollars.\n#### 10", "10", 1.0),
        ("The answer is 3.\nHmm, that is off by one. The answer is 4.", "4", 1.0),
        ("The answer is 3.\nHmm, that is off by one. The answer is 4.", "3", 0.0),
        ("Answer: 3\n\nOn reflection, the final answer is 8.", "8", 1.0),
        ("We compute $$12$$ first, and the total is\n$$13$$\nwhich we double check.", "13", 1.0),
        ("We compute $$12$$ first, and the total is\n$$13$$\nwhich we double check.", "12", 0.0),
        ("Hence\n\\[ 2\\sqrt{3} \\]\nis the length of the side we were after.", "2\\sqrt3", 1.0),
        ("Hence\n\\[ 2\\sqrt{3} \\]\nis the length of the side we were after.", "3\\sqrt2", 0.0),
        ("Putting it together:\n$$\\frac{5}{2}$$", "2.5", 1.0),
        ("Let me compute this carefully. Each step checks out.\n\n42", "42", 1.0),
        ("Let me compute this carefully. Each step checks out.\n\n42", "24", 0.0),
        ("Solving the linear equation gives the value of x.\nx = 3", "3", 1.0),
        ("Solving the linear equation gives the value of x.\nx = 3", "-3", 0.0),
    ],
)
def test_answers_without_a_box(response: str, gold: str, reward: float) -> None:
    assert_judged(response, gold, reward)


@pytest.mark.parametrize(
    "response",
    [
        "",
        "   \n\t  ",
        "I am not sure how to solve this problem. It seems to involve some geometry and maybe "
        "trigonometry, but I could not finish the computation in time, sorry about that.",
        PROSE * 20,
        "<think>",
    ],
)
def test_no_answer_anywhere_is_a_format_error(response: str) -> None:
    assert_format_error(response, "5")


# --- hedging and self-correction ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        ("The answer is $\\boxed{1}, \\boxed{2}$.", "1", 0.0),
        ("The answer is $\\boxed{1}, \\boxed{2}$.", "2", 0.0),
        ("The answer is $\\boxed{1}$ or $\\boxed{2}$.", "1", 0.0),
        ("The answer is $\\boxed{1}$ or $\\boxed{2}$.", "2", 0.0),
        ("The answer is 5 or 6.", "5", 0.0),
        ("The answer is 5 or 6.", "6", 0.0),
        (boxed("5 \\text{ or } 6"), "5", 0.0),
        (boxed("5, 6"), "5", 0.0),
        ("The answer is $\\boxed{3}\\boxed{3}$.", "3", 1.0),
        ("The answer is $\\boxed{3}$, $\\boxed{3}$.", "3", 1.0),
        ("The answer is $\\boxed{1}, \\boxed{2}$.", "1, 2", 1.0),
        ("The answer is $\\boxed{1}, \\boxed{2}$.", "1, 2, 3", 0.0),
    ],
)
def test_hedging(response: str, gold: str, reward: float) -> None:
    assert_judged(response, gold, reward)


SELF_CORRECTION = (
    "Adding the two terms gives $\\boxed{5}$. Wait, I made a mistake: the second term is 4, "
    "not 2. Redoing the sum, 3 + 4 = 7, so the answer is $\\boxed{7}$."
)


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        (SELF_CORRECTION, "7", 1.0),
        (SELF_CORRECTION, "5", 0.0),
        ("The answer is 5. Hmm, let me double-check... Actually the answer is 7.", "7", 1.0),
        ("The answer is 5. Hmm, let me double-check... Actually the answer is 7.", "5", 0.0),
        ("\\boxed{7}. But wait, that ignores the last case, so we get \\boxed{5}", "5", 1.0),
        ("\\boxed{7}. But wait, that ignores the last case, so we get \\boxed{5}", "7", 0.0),
    ],
)
def test_self_correction_is_judged_on_the_final_answer(
    response: str, gold: str, reward: float
) -> None:
    assert_judged(response, gold, reward)


# --- long outputs -------------------------------------------------------------------------------

LONG_PROSE = PROSE * (50_000 // len(PROSE) + 1)


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        (LONG_PROSE + boxed("123"), "123", 1.0),
        (LONG_PROSE + boxed("123"), "124", 0.0),
        ("\\boxed{1} " + LONG_PROSE + boxed("\\frac{7}{9}"), "\\frac79", 1.0),
        ("<think>" + LONG_PROSE + "\\boxed{1}</think>" + boxed("2"), "2", 1.0),
        (LONG_PROSE + "\n\nThe answer is 99.", "99", 1.0),
        (LONG_PROSE + "\n#### 1,234", "1234", 1.0),
    ],
)
def test_long_outputs(response: str, gold: str, reward: float) -> None:
    assert len(response) >= 50_000
    assert_judged(response, gold, reward)


def test_long_output_without_an_answer_is_a_format_error() -> None:
    assert_format_error(LONG_PROSE, "1")


# --- the verifier's contract --------------------------------------------------------------------


def test_detail_says_what_was_extracted() -> None:
    wrong = verify(boxed("17"), "18")
    assert wrong.reward == 0.0
    assert "17" in wrong.detail
    right = verify(boxed("\\frac{1}{2}"), "0.5")
    assert right.reward == 1.0
    assert "\\frac{1}{2}" in right.detail
    missing = verify("no idea, sorry, I really cannot tell what the answer could be here.", "1")
    assert missing.status is Status.FORMAT_ERROR
    assert isinstance(missing.detail, str)
    assert missing.detail


@pytest.mark.parametrize(
    "ground_truth", [None, [], [None], {"answer": "1"}, True, ("1",), float("nan"), [True]]
)
def test_unusable_ground_truth_is_invalid_input(ground_truth: object) -> None:
    with pytest.raises(InvalidInput):
        verify(boxed("1"), ground_truth)


@pytest.mark.parametrize(
    ("ground_truth", "answer", "reward"),
    [(42, "42", 1.0), (0.5, "\\frac12", 1.0), (["1", 2], "2", 1.0), (42, "41", 0.0)],
)
def test_numeric_ground_truths_are_read_as_numbers(
    ground_truth: object, answer: str, reward: float
) -> None:
    assert verify(boxed(answer), ground_truth).reward == reward


@pytest.mark.parametrize("options", [{"no_such_option": True}, {"strict": 1}, [1, 2]])
def test_bad_options_are_invalid_input(options: object) -> None:
    with pytest.raises(InvalidInput):
        verify(boxed("1"), "1", options)


@pytest.mark.parametrize("options", [None, {}])
def test_default_options(options: dict | None) -> None:
    assert verify(boxed("1"), "1", options).reward == 1.0


def test_declared_metadata() -> None:
    assert verify.name == "math"
    assert verify.components == ("format", "accuracy")
    assert verify.description


def test_over_http(client: httpx.Client) -> None:
    items = [
        item("math", boxed("\\frac{1}{2}"), "0.5", id="right"),
        item("math", boxed("3"), "4", id="wrong"),
        item("math", "I do not know the answer to this question, sorry about that.", "4"),
        item("math", boxed("1"), ["2", "1"], id="list"),
        item("math", boxed("1"), {"answer": 1}, id="bad"),
        {"data_source": "openai/gsm8k", "response": "3 + 4 = 7\n#### 7", "ground_truth": "7"},
    ]
    response = client.post("/v1/rewards", json={"items": items})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["reward"], r["status"]) for r in results] == [
        (1.0, "ok"),
        (0.0, "ok"),
        (0.0, "format_error"),
        (1.0, "ok"),
        (0.0, "invalid_input"),
        (1.0, "ok"),
    ]
    assert results[0]["components"] == {"format": 1.0, "accuracy": 1.0}
    assert results[1]["components"] == {"format": 1.0, "accuracy": 0.0}
    assert results[2]["components"] == {"format": 0.0, "accuracy": 0.0}
    assert results[5]["verifier"] == "math"
    assert all(r["verifier"] == "math" for r in results)
    assert all(isinstance(r["detail"], str) and r["detail"] for r in results)
