"""Issue 15's findings as regression tests: answers a policy could be paid for without being
right score 0, and right answers in forms datasets and trainers produce score 1.

Each line is a class the verifier now handles by a general rule; the neighbouring tests
(test_math_numbers, test_math_conventions, test_math_adversarial, ...) hold more members.
"""

from __future__ import annotations

import time

import pytest

from tests.math_helpers import boxed
from verifiers import Status
from verifiers.math import verify

# (response, gold): each must score 0.
ACCEPTED_BUT_WRONG: dict[str, list[tuple[str, str]]] = {
    "multiple-choice hedges": [
        ("**Answer:** (A) or (B) or (C) or (D)", "A"),
        ("**Answer:** (A) or (B) or (C) or (D)", "B"),
        ("(A) is wrong, so the answer must be (B).", "A"),
        ("Answer: A: no, actually C", "A"),
        ("\\boxed{(A) \\text{ or } (B)}", "A"),
        ("The answer is (A) and (C).", "A"),
        ("Answer: A/B", "A"),
        ("The answer is (B) or maybe (D).", "D"),
    ],
    "rounding an exact gold": [
        (boxed("0.333"), "\\frac{1}{3}"),
        (boxed("0.866"), "\\frac{\\sqrt{3}}{2}"),
        (boxed("6.28"), "2\\pi"),
        (boxed("17.3205"), "10\\sqrt{3}"),
    ],
    "nearby values of a decimal gold": [
        (boxed("\\frac{4}{9}"), "0.5"),
        (boxed("\\frac{\\sqrt5}{5}"), "0.5"),
        (boxed("1/4"), "0.2"),
        (boxed("2/7"), "0.3"),
        (boxed("1/3"), "0.3"),
        (boxed("0.12"), "0.125"),
        (boxed("2.7"), "2.75"),
        (boxed("2.8"), "2.75"),
        (boxed("3.1"), "3.14159"),
        (boxed("\\pi"), "3.14159"),
    ],
    "tiny perturbations": [
        (boxed("e^{-100}"), "0"),
        (boxed("1+e^{-40}"), "1"),
        (boxed("\\pi+10^{-10}"), "\\pi"),
        (boxed("\\frac{103993}{33102}"), "\\pi"),
        (boxed("x+\\lfloor x^2/10^6\\rfloor"), "x"),
        (boxed("x + 10^{-30}x^2"), "x"),
        (boxed("\\sqrt{2}+10^{-12}"), "\\sqrt{2}"),
        (boxed("1 + 10^{-40}"), "1"),
    ],
    "text that is not mathematics": [
        (boxed("__import__('os').system('touch /tmp/pytest-of-root/pytest-0/x')"), "0"),
        (boxed("\\immediate\\write18{touch /tmp/pytest-of-root/pytest-0/x}"), "0"),
        (boxed("os.system(0)"), "0"),
        (boxed("system(0)"), "0"),
        (boxed("rm -rf /tmp/0"), "0"),
        (boxed("echo 0"), "0"),
        (boxed("/usr/bin/true 0"), "0"),
        (boxed("1; DROP TABLE answers;--"), "1"),
    ],
    "bounds are not values": [
        ("The answer is at least 3.", "3"),
        ("There are more than 5 ways.", "5"),
    ],
    "hedges after an answer": [
        ("$\\boxed{3}$ (or possibly 4)", "3"),
        ("The answer is 3. Alternatively, it could be 4.", "3"),
        ("$\\boxed{3}$ Hmm, or maybe $\\boxed{4}$.", "4"),
    ],
    "order and readings": [
        (boxed("\\{2,-1\\}"), "(2,-1)"),
        (boxed("(2,-1)"), "\\{2,-1\\}"),
        (boxed("\\{3,2,1\\}"), "(1,2,3)"),
        (boxed("5\\%"), "0.05"),
    ],
}

# (response, gold): each must score 1.
REJECTED_BUT_RIGHT: dict[str, list[tuple[str, str]]] = {
    "unions of intervals and points": [
        (boxed("(-\\infty,-2]\\cup\\{1\\}"), "(-\\infty,-2]\\cup\\{1\\}"),
        (boxed("\\{-1\\}\\cup[0,7)"), "\\{-1\\}\\cup[0,7)"),
        (boxed("[0,7)\\cup\\{-1\\}"), "\\{-1\\}\\cup[0,7)"),
    ],
    "MATH thousands separators": [
        (boxed("11,\\!111,\\!111,\\!100"), "11111111100"),
        (boxed("16,\\!386.20"), "16386.20"),
        (boxed("11111111100"), "11,\\!111,\\!111,\\!100"),
    ],
    "labelled golds": [
        (boxed("4, 5"), "AB=4, CD=5"),
        (boxed("1"), "|AB|=1"),
        (boxed("7:32"), "S_{MBCN}:S=7:32"),
    ],
    "sets and relations": [
        (boxed("(-\\infty,-1)\\cup(2,\\infty)"), "\\mathbb{R}\\setminus[-1,2]"),
        (boxed("\\mathbb{R}\\setminus[-1,2]"), "(-\\infty,-1)\\cup(2,\\infty)"),
        (boxed("-x>-1"), "x<1"),
        (boxed("x<1"), "-x>-1"),
        (boxed("\\sqrt{-1}"), "i"),
        (
            boxed("2\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}"),
            "\\begin{pmatrix}2&4\\\\6&8\\end{pmatrix}",
        ),
        (boxed("3\\begin{pmatrix}1\\\\-2\\end{pmatrix}"), "\\begin{pmatrix}3\\\\-6\\end{pmatrix}"),
    ],
    "decimal comma": [
        (boxed("3,5"), "3.5"),
    ],
    "delimiters": [
        ("The answer is \\(\\frac{1}{2}\\).", "\\frac{1}{2}"),
        ("Thus \\(x = 5\\)", "5"),
    ],
    "trainer text with special tokens": [
        ("#### 72<|eot_id|>", "72"),
        ("The answer is 72.<|im_end|>", "72"),
        ("Final answer: 72</s>", "72"),
        ("The answer is 72.<|im_end|><|endoftext|><|endoftext|>", "72"),
        ("So the probability is 2/3. <|im_start|>user", "\\frac{2}{3}"),
    ],
    "bare answers": [
        ("\\{\\frac{\\pi}{6},\\frac{5\\pi}{6}\\}", "\\{\\frac{\\pi}{6},\\frac{5\\pi}{6}\\}"),
        ("x \\in [2, 5)", "[2,5)"),
    ],
    "several boxes forming the answer": [
        ("(a) $\\boxed{3}$ (b) $\\boxed{5}$", "3, 5"),
        ("So $a = \\boxed{3}$ and $b = \\boxed{5}$.", "a=3, b=5"),
        ("$\\boxed{(2, 2)} \\quad \\text{and} \\quad \\boxed{(6, 2)}$", "(2, 2), (6, 2)"),
    ],
    "answers in prose and emphasis": [
        ("Therefore there are 15 handshakes in total.", "15"),
        ("So the minimum value is $-8$.", "-8"),
        ("Option B", "B"),
        ("**(C)**", "C"),
        ("**12**", "12"),
        ("A = 4^2 = 16.", "16"),
        ("The answer is 16.\nCheck: 4*4 = 16 ✓.", "16"),
    ],
}


def _cases(table: dict[str, list[tuple[str, str]]]) -> list:
    return [
        pytest.param(response, gold, id=f"{kind}: {response[-40:]} | {gold}")
        for kind, cases in table.items()
        for response, gold in cases
    ]


@pytest.mark.parametrize(("response", "gold"), _cases(ACCEPTED_BUT_WRONG))
def test_accepted_but_wrong_scores_zero(response: str, gold: str) -> None:
    outcome = verify(response, gold)
    assert outcome.reward == 0.0, outcome.detail
    assert outcome.components["accuracy"] == 0.0


@pytest.mark.parametrize(("response", "gold"), _cases(REJECTED_BUT_RIGHT))
def test_rejected_but_right_scores_one(response: str, gold: str) -> None:
    outcome = verify(response, gold)
    assert (outcome.reward, outcome.status) == (1.0, Status.OK), outcome.detail


@pytest.mark.parametrize(
    "answer",
    [
        "os.system('ls')",
        "__import__('os')",
        "\\input{/etc/passwd}",
        "lambda x: 0",
        "touch /tmp/pytest-of-root/pytest-0/x",
    ],
)
def test_code_is_a_format_error_not_a_number(answer: str) -> None:
    outcome = verify(boxed(answer), "0")
    assert outcome.status is Status.FORMAT_ERROR
    assert "not a mathematical answer" in outcome.detail
    assert outcome.components == {"format": 0.0, "accuracy": 0.0}


@pytest.mark.parametrize(
    "answer",
    ["abc(a+b+c)", "\\max(a, b)", "\\{\\lambda : \\lambda > 2\\}", "120 \\text{ sq.ft}", "f'(x)"],
)
def test_mathematics_that_resembles_code_is_read(answer: str) -> None:
    assert verify(boxed(answer), answer).reward == 1.0


def test_approximate_is_opt_in_and_demands_correct_rounding() -> None:
    approximate = {"approximate": 3}
    assert verify(boxed("0.333"), "\\frac13", approximate).reward == 1.0
    assert verify(boxed("0.334"), "\\frac13", approximate).reward == 0.0
    assert verify(boxed("0.33"), "\\frac13", approximate).reward == 0.0  # 2 digits < 3
    assert verify(boxed("6.28"), "2\\pi", approximate).reward == 1.0
    assert verify(boxed("6.29"), "2\\pi", approximate).reward == 0.0


@pytest.mark.parametrize("digits", [12_000, 19_000])
def test_long_digit_runs_stay_linear(digits: int) -> None:
    """The repeating-decimal pattern once backtracked quadratically: 19,000 digits hit the
    5 s deadline. One generous bound, as for any ReDoS pattern."""
    answer = "1" * digits + "\\overline{3}"
    started = time.monotonic()
    verify(boxed(answer), "1")
    verify(boxed("0." + "1" * digits), "1")
    assert time.monotonic() - started < 1.0
