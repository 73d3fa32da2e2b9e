"""The math verifier: final answers in the forms policies and trainers actually write them.

Each group is one class of the extraction issue: special tokens a trainer leaves at the end,
bare answers, answers in several boxes, values stated in a final prose sentence, emphasis,
equality chains and check lines, ``\\( \\)``, and hedges or retractions, which must never
be rescued. The last group holds hostile megabyte responses to every new reading.
"""

from __future__ import annotations

import time

import pytest

from tests.math_helpers import judge_response
from verifiers import Status
from verifiers.math import verify
from verifiers.math.extraction import extract_answer
from verifiers.text import without_end_tokens

WORK = (
    "Let me set up the problem carefully. Writing $t = x^2$ turns the equation into a "
    "quadratic in $t$, and checking the boundary cases separately changes nothing.\n\n"
)


def extracted(response: str) -> str:
    found = extract_answer(response)
    assert found is not None, response
    return found.answer


def assert_format_error(response: str, gold: str) -> None:
    outcome = verify(response, gold)
    assert outcome.status is Status.FORMAT_ERROR, outcome.detail
    assert outcome.reward == 0.0
    assert outcome.components == {"format": 0.0, "accuracy": 0.0}


# --- special tokens a trainer leaves at the end ------------------------------------------------


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        ("#### 72<|eot_id|>", "72", 1.0),
        ("#### 72<|eot_id|>", "27", 0.0),
        ("The answer is 72.<|im_end|>", "72", 1.0),
        ("The answer is 72.<|im_end|>", "7", 0.0),
        ("Final answer: 72</s>", "72", 1.0),
        ("Final answer: 72</s>", "720", 0.0),
        (WORK + "#### 72<|im_end|>\n<|endoftext|><|endoftext|>", "72", 1.0),
        (WORK + "The answer is 72.<|end_of_text|>", "72", 1.0),
        (WORK + "The answer is 72.<\uff5cend\u2581of\u2581sentence\uff5c>", "72", 1.0),
        (WORK + "The answer is 72.<eos><pad><pad><pad>", "72", 1.0),
        (WORK + "The answer is 72.<end_of_turn>\n", "72", 1.0),
        (WORK + "So there are 72 clips.<|im_end|>\n<|im_start|>user", "72", 1.0),
        (WORK + "42<|endoftext|>", "42", 1.0),
        (WORK + "\\boxed{72}<|im_end|>", "72", 1.0),
        ("<think>\\boxed{5}</think>The answer is 72.<|eot_id|>", "72", 1.0),
        ("<think>\\boxed{5}</think>The answer is 72.<|eot_id|>", "5", 0.0),
    ],
)
def test_special_tokens_at_the_end_are_not_part_of_the_answer(
    response: str, gold: str, reward: float
) -> None:
    assert judge_response(gold, response) == reward


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("72<|eot_id|>", "72"),
        ("72.<|im_end|>\n<|endoftext|><|endoftext|>  \n", "72."),
        ("72</s></s>", "72"),
        ("72<|reserved_special_token_7|>", "72"),
        ("x<|start_header_id|>user<|end_header_id|>\n\n", "x"),
        ("Ask the user", "Ask the user"),  # a word without a token before it stays
        ("a <|im_end|> b", "a <|im_end|> b"),  # only the end is touched
        ("0 < |x| >", "0 < |x| >"),
        ("|x|<| a b |>", "|x|<| a b |>"),  # a token name has no spaces
        ("[1, 2]", "[1, 2]"),
        ("", ""),
    ],
)
def test_without_end_tokens(text: str, expected: str) -> None:
    assert without_end_tokens(text) == expected


@pytest.mark.parametrize(
    "response",
    ["<think>The answer is 5.<|im_end|>", "<think>\\boxed{5}</think><|eot_id|><|endoftext|>"],
)
def test_an_unclosed_or_empty_answer_stays_a_format_error_after_the_tokens(response: str) -> None:
    assert_format_error(response, "5")


# --- a bare answer is the whole response -----------------------------------------------------


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        ("\\{\\frac{\\pi}{6},\\frac{5\\pi}{6}\\}", "\\{\\frac{5\\pi}{6},\\frac{\\pi}{6}\\}", 1.0),
        ("\\{\\frac{\\pi}{6},\\frac{5\\pi}{6}\\}", "\\{\\frac{\\pi}{6},\\frac{7\\pi}{6}\\}", 0.0),
        (
            "\\left\\{\\frac{\\pi}{6}, \\frac{5\\pi}{6}\\right\\}",
            "\\{\\frac{\\pi}{6},\\frac{5\\pi}{6}\\}",
            1.0,
        ),
        ("x \\in [2, 5)", "[2,5)", 1.0),
        ("x \\in [2, 5)", "[2,5]", 0.0),
        ("$x \\in [2, 5)$", "[2,5)", 1.0),
        (
            "\\begin{pmatrix} 1 & 2 \\\\\n 3 & 4 \\end{pmatrix}",
            "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}",
            1.0,
        ),
        ("(-\\infty, -1] \\cup [1, \\infty)", "|x| \\ge 1", 1.0),
        ("**12**", "12", 1.0),
        ("2\\sqrt{3}", "\\sqrt{12}", 1.0),
    ],
)
def test_a_response_that_is_only_a_formula_is_the_answer(
    response: str, gold: str, reward: float
) -> None:
    assert judge_response(gold, response) == reward


def test_several_computation_lines_are_not_one_bare_answer() -> None:
    response = "2 + 3 = 5\n5 \\cdot 2 = 10\n10 - 1 = 9"
    assert extracted(response) == "10 - 1 = 9"
    assert judge_response("9", response) == 1.0


# --- several boxes that together form the answer ----------------------------------------------


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        (WORK + "So $a = \\boxed{3}$ and $b = \\boxed{5}$.", "a = 3, b = 5", 1.0),
        (WORK + "So $a = \\boxed{3}$ and $b = \\boxed{5}$.", "3, 5", 1.0),
        (WORK + "So $a = \\boxed{3}$ and $b = \\boxed{5}$.", "5", 0.0),
        (WORK + "So $a = \\boxed{3}$ and $b = \\boxed{5}$.", "a = 5, b = 3", 0.0),
        (WORK + "(a) $\\boxed{4}$\n\n(b) $\\boxed{5}$", "4, 5", 1.0),
        (WORK + "**Part 1:** \\boxed{4}\n\n**Part 2:** \\boxed{5}", "4, 5", 1.0),
        (WORK + "- $x = \\boxed{1}$\n- $y = \\boxed{2}$", "(x, y) = (1, 2)", 1.0),
        (WORK + "The first is \\boxed{3} and the second is \\boxed{5}.", "3, 5", 1.0),
        (
            WORK + "$\\boxed{(3, 3)} \\text{ for part (a) and } \\boxed{(1, 1)}$",
            "(3,3), (1,1)",
            1.0,
        ),
        (WORK + "So $AB = \\boxed{4}$ and $CD = \\boxed{5}$.", "AB=4, CD=5", 1.0),
    ],
)
def test_boxes_that_end_the_same_statement_are_one_answer(
    response: str, gold: str, reward: float
) -> None:
    assert judge_response(gold, response) == reward


@pytest.mark.parametrize(
    "response",
    [
        "We first get \\boxed{3}, which is too small, and redoing the count gives \\boxed{5}",
        "Trying \\boxed{3}. That fails the second condition.\n\nSo the answer is \\boxed{5}.",
        "First \\boxed{3} was a guess.\n\nRedoing the sum carefully: \\boxed{5}",
        "$\\boxed{3}$\n\nWait, recomputing the last step: $\\boxed{5}$",
    ],
)
def test_a_box_followed_by_more_reasoning_is_not_part_of_the_final_one(response: str) -> None:
    assert extracted(response) == "5"
    assert judge_response("5", response) == 1.0
    assert judge_response("3, 5", response) == 0.0


# --- a value stated in the final sentence ----------------------------------------------------


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        (WORK + "Therefore there are 15 handshakes in total.", "15", 1.0),
        (WORK + "Therefore there are 15 handshakes in total.", "16", 0.0),
        (WORK + "Completing the square, the minimum value is $-8$.", "-8", 1.0),
        (WORK + "Completing the square, the minimum value is $-8$.", "8", 0.0),
        (WORK + "So the area is 24 square units.", "24", 1.0),
        (WORK + "So the area is 24 square units.", "24 \\text{ cm}^2", 1.0),
        (WORK + "So the area is 24 square units.", "25", 0.0),
        (WORK + "With 6 people, there are 15 handshakes.", "15", 1.0),
        (WORK + "There are 15 handshakes among the 6 people.", "15", 1.0),
        (WORK + "There are 15 handshakes among the 6 people.", "6", 0.0),
        (WORK + "The sum is 10, and so the product is 21.", "21", 1.0),
        (WORK + "So the side is 2\\sqrt{3}.", "\\sqrt{12}", 1.0),
        (WORK + "The minimum value is $-8$, reached when $x = 2$.", "-8", 1.0),
        (WORK + "Hence the solutions are 2 and 3.", "3, 2", 1.0),
        (WORK + "Hence the solutions are 2 and 3.", "2", 0.0),
        (WORK + "The probability is 3/4.", "0.75", 1.0),
        (WORK + "So there are 15 handshakes. I hope this helps!", "15", 1.0),
        (WORK + "So there are 15 handshakes.\n\nLet me know if anything is unclear.", "15", 1.0),
        (
            WORK + "Therefore, the probability that Alice wins the game is 2/3. <|im_start|>user",
            "2/3",
            1.0,
        ),
        (WORK + "She has 5 apples and 3 oranges, so she has 8 fruits.", "8", 1.0),
        (WORK + "She has 5 apples and 3 oranges, so she has 8 fruits.", "5", 0.0),
        (WORK + "Therefore there are 15 handshakes in total", "15", 1.0),
        (WORK + "Minimum: 1, Maximum: 3", "1, 3", 1.0),
        (WORK + "Minimum: 1, Maximum: 3", "3", 0.0),
        (WORK + "$28$ percent", "28\\%", 1.0),
    ],
)
def test_a_value_stated_in_the_final_sentence_is_the_answer(
    response: str, gold: str, reward: float
) -> None:
    assert judge_response(gold, response) == reward


@pytest.mark.parametrize(
    "response",
    [
        WORK + "The count is 4 for one ordering and 6 for the other.",
        WORK + "So x is not 5.",
        WORK + "The answer is not 5.",
        WORK + "I could not finish the computation in time, sorry about that.",
        WORK + "Next, let me compute 5 times",  # cut off mid-sentence (out of tokens)
    ],
)
def test_a_final_sentence_that_names_no_single_value_is_no_answer(response: str) -> None:
    assert_format_error(response, "5")


# --- emphasis and options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        (WORK + "Option B", "B", 1.0),
        (WORK + "Option B", "C", 0.0),
        (WORK + "**(C)**", "C", 1.0),
        (WORK + "**(C)**", "B", 0.0),
        (WORK + "**12**", "12", 1.0),
        (WORK + "**12**", "21", 0.0),
        (WORK + "The answer is **(C)**.", "C", 1.0),
        (WORK + "Final answer: **12**", "12", 1.0),
        (WORK + "**Final Answer:** (B)<|im_end|>", "B", 1.0),
        (WORK + "**AC**", "AC", 1.0),
        (WORK + "The correct options are (A) and (C).", "AC", 1.0),
        (WORK + "The correct options are (A) and (C).", "A", 0.0),
    ],
)
def test_markdown_emphasis_never_hides_the_answer(response: str, gold: str, reward: float) -> None:
    assert judge_response(gold, response) == reward


# --- equality chains and check lines ---------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        (WORK + "A = 4^2 = 16.", "16", 1.0),
        (WORK + "A = 4^2 = 16.", "4", 0.0),
        (WORK + "The area is $A = 4^2 = 16$.", "16", 1.0),
        (WORK + "The area is A = \\pi r^2 = 16\\pi.", "16\\pi", 1.0),
        (WORK + "\\boxed{P = 2 \\cdot 3 = 6}", "6", 1.0),
        (WORK + "x = y = z = 1", "(1, 1, 1)", 1.0),  # names, not a computation: kept whole
        (WORK + "The answer is 16.\nCheck: 4*4 = 16 ✓.", "16", 1.0),
        (WORK + "The answer is 16.\nCheck: 4*4 = 16 ✓.", "4", 0.0),
        (WORK + "So A = 16.\nCheck: 4 \\cdot 4 = 16 ✓.", "16", 1.0),
        (WORK + "So A = 16.\nVerification: 4 + 12 = 16.", "16", 1.0),
        (WORK + "$\\boxed{5}$\n\nWait, let me double-check: 2 + 3 = 5. Yes.", "5", 1.0),
    ],
)
def test_a_chain_reads_as_its_last_member_and_checks_do_not_replace_the_answer(
    response: str, gold: str, reward: float
) -> None:
    assert judge_response(gold, response) == reward


# --- \( ... \) ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        (WORK + "The answer is \\(\\frac{1}{2}\\).", "0.5", 1.0),
        (WORK + "The answer is \\(\\frac{1}{2}\\).", "2", 0.0),
        (WORK + "Thus \\(x = 5\\)", "5", 1.0),
        (WORK + "Thus \\(x = 5\\)", "-5", 0.0),
        (WORK + "Thus \\(x = 5\\).", "x = 5", 1.0),
        (WORK + "The answer is \\(x = 5\\), since \\(2x = 10\\).", "5", 1.0),
        (WORK + "So the minimum is \\(-8\\) at \\(x = 2\\).", "-8", 1.0),
    ],
)
def test_parenthesis_delimited_math_is_read_like_dollars(
    response: str, gold: str, reward: float
) -> None:
    assert judge_response(gold, response) == reward


# --- hedges and retractions: never rescued ----------------------------------------------------

# (response, what extraction hands to the parser): the parser judges a hedge as no answer.
HEDGES = [
    ("(A) is wrong, so the answer must be (B).", "(B)"),
    ("The answer is (A) or (B).", "(A) or (B)"),
    ("So it is either (A) or (B).", "(A) or (B)"),
    ("\\boxed{A} or \\boxed{B}", "A or B"),
    ("$\\boxed{B}$\n\nHmm, or maybe $\\boxed{C}$.", "B or C"),
    ("I get $\\boxed{C}$. Alternatively, $\\boxed{B}$.", "C or B"),
    ("It is either $\\boxed{3}$ or, if the endpoints count, $\\boxed{4}$.", "3 or 4"),
    ("$\\boxed{3}$ (or possibly 4)", "3 or 4"),
    ("The answer is 3. Alternatively, it could be 4.", "3 or 4"),
    ("It could be 5 or 6.", "5 or 6"),
]
# The later answer replaces the retracted one.
RETRACTIONS = [
    ("Answer: A: no, actually C", "C"),
    ("Answer: A. No, actually C", "C"),
    ("Answer: A, no wait, C", "C"),
    ("Answer: 3... actually, 5.", "5"),
    ("$\\boxed{3}$\n\nWait, actually it's 5.", "5"),
    ("So $\\boxed{B}$.\n\nAnswer: D", "D"),
]


@pytest.mark.parametrize(("response", "answer"), HEDGES + RETRACTIONS)
def test_what_extraction_hands_over_for_hedges_and_retractions(response: str, answer: str) -> None:
    assert extracted(WORK + response) == answer


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        ("(A) is wrong, so the answer must be (B).", "A", 0.0),
        ("(A) is wrong, so the answer must be (B).", "B", 1.0),
        ("Answer: A: no, actually C", "A", 0.0),
        ("Answer: A: no, actually C", "C", 1.0),
        ("The answer is (A) or (B).", "A", 0.0),
        ("The answer is (A) or (B).", "B", 0.0),
        ("$\\boxed{B}$\n\nHmm, or maybe $\\boxed{C}$.", "C", 0.0),
        ("$\\boxed{B}$\n\nHmm, or maybe $\\boxed{C}$.", "B", 0.0),
        ("I get $\\boxed{C}$. Alternatively, $\\boxed{B}$.", "B", 0.0),
        ("\\boxed{A} or \\boxed{B}", "A", 0.0),
        ("$\\boxed{3}$ (or possibly 4)", "3", 0.0),
        ("The answer is 3. Alternatively, it could be 4.", "3", 0.0),
        ("It is either $\\boxed{3}$ or, if the endpoints count, $\\boxed{4}$.", "4", 0.0),
        ("$\\boxed{3}$\n\nWait, actually it's 5.", "3", 0.0),
        ("$\\boxed{3}$\n\nWait, actually it's 5.", "5", 1.0),
        ("Answer: 3... actually, 5.", "3", 0.0),
        ("So $\\boxed{B}$.\n\nAnswer: D", "B", 0.0),
    ],
)
def test_hedges_and_retractions_are_never_rescued(response: str, gold: str, reward: float) -> None:
    assert judge_response(gold, WORK + response) == reward


@pytest.mark.parametrize(
    ("response", "gold"),
    [
        ("$\\boxed{\\frac12}$ (or equivalently 0.5)", "0.5"),
        ("The answer is $\\frac12$, or about 0.5.", "1/2"),
        ("Answer: No, it cannot be done.", "No"),
        ("$\\boxed{5}$\n\nWait, let me verify this. Plugging in, 2 + 3 = 5 ✓.", "5"),
    ],
)
def test_the_same_answer_restated_is_no_hedge(response: str, gold: str) -> None:
    assert judge_response(gold, WORK + response) == 1.0


# --- the last statement, the question, and thinking ---------------------------------------------


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        (
            "Therefore there are 15 handshakes.\n"
            "The question asks how many handshakes occur among 6 people.",
            "15",
            1.0,
        ),
        (
            "Therefore there are 15 handshakes.\nHow many handshakes occur among 6 people?",
            "15",
            1.0,
        ),
        (
            "Therefore there are 15 handshakes.\nWe were asked for the handshakes of 6 people.",
            "6",
            0.0,
        ),
        ("The answer is 15.\nThis is the number of handshakes among the 6 people.", "15", 1.0),
        ("<think>maybe 6</think>\n\nTherefore there are 15 handshakes.", "15", 1.0),
        ("<think>maybe 6</think>\n\nTherefore there are 15 handshakes.", "6", 0.0),
        ("<think>\nA = 4^2\n</think>\nA = 4^2 = 16.", "16", 1.0),
    ],
)
def test_the_answer_stated_last_is_not_replaced_by_talk_about_the_question(
    response: str, gold: str, reward: float
) -> None:
    assert judge_response(gold, WORK + response) == reward


@pytest.mark.parametrize(
    "response",
    [
        "<think>So there are 15 handshakes in total.",
        "<think>The answer is 15.<|im_end|>",
        "<think>x \\in [2, 5)",
    ],
)
def test_an_unclosed_think_block_is_still_a_format_error(response: str) -> None:
    assert_format_error(response, "15")


# --- hostile megabyte responses to the new readings: fast, and never an answer for free ------

MB = 1_000_000
LIMIT_S = 2.0
HOSTILE = {
    "end-tokens": ("x" + "<|endoftext|>" * (MB // 13), "5"),
    "full-width-openers": ("<\uff5c" * (MB // 2), "5"),
    "unclosed-parens": ("\\(" * (MB // 2), "5"),
    "dollars": ("$" * MB, "5"),
    "stars": ("**" * (MB // 2), "5"),
    "copulas": ("is " * (MB // 3), "5"),
    "periods": ("1." * (MB // 2), "5"),
    "long-phrase": ("The answer is " + "1 " * (MB // 2), "5"),
    "retractions": ("The answer is 5 " + "wait, " * (MB // 6), "5"),
    "alternatives": ("\\boxed{3}" + " Or possibly 4." * (MB // 15), "3"),
    "labelled-boxes": ("a = \\boxed{1} and " * (MB // 18), "2"),
    "equalities": ("1 = " * (MB // 4), "5"),
}


@pytest.mark.parametrize(("response", "gold"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_megabytes_stay_fast_and_earn_nothing(response: str, gold: str) -> None:
    verify("\\boxed{1}", "1")  # imports are not part of the bound
    started = time.monotonic()
    outcome = verify(response, gold)
    elapsed = time.monotonic() - started
    assert elapsed < LIMIT_S, f"took {elapsed:.2f} s"
    assert outcome.reward == 0.0, outcome.detail
