"""The exact_match verifier, called as a plain function."""

from __future__ import annotations

import pytest

from verifiers import InvalidInput, Status
from verifiers.exact_match import verify


@pytest.mark.parametrize(
    ("response", "ground_truth", "options", "reward"),
    [
        ("42", "42", {}, 1.0),
        ("  42\n", "42", {}, 1.0),
        ("  42\n", "42", {"strip": False}, 0.0),
        ("42", " 42 ", {}, 1.0),
        ("Paris", "paris", {}, 0.0),
        ("Paris", "paris", {"case_sensitive": False}, 1.0),
        ("STRASSE", "straße", {"case_sensitive": False}, 1.0),
        ("a  b\tc", "a b c", {}, 0.0),
        ("a  b\tc", "a b c", {"normalize_whitespace": True}, 1.0),
        ("  a \n b ", "a b", {"normalize_whitespace": True, "strip": False}, 1.0),
        ("B", ["A", "B", "C"], {}, 1.0),
        ("D", ["A", "B", "C"], {}, 0.0),
        ("", "", {}, 1.0),
        ("", "x", {}, 0.0),
        ("4.0", "4", {}, 0.0),
    ],
)
def test_rewards(response: str, ground_truth: object, options: dict, reward: float) -> None:
    outcome = verify(response, ground_truth, options)
    assert outcome.status is Status.OK
    assert outcome.reward == reward
    assert outcome.components == {"accuracy": reward}


def test_detail_names_the_matched_answer() -> None:
    assert verify("b", ["a", "b"]).detail == "matched accepted answer #2 of 2"
    assert verify("c", ["a", "b"]).detail == "no match against 2 accepted answers"
    assert verify("c", "a").detail == "no match against 1 accepted answer"


@pytest.mark.parametrize("ground_truth", [None, 42, [], ["a", 1], {"answer": "a"}, True])
def test_unusable_ground_truth_is_invalid_input(ground_truth: object) -> None:
    with pytest.raises(InvalidInput, match="ground_truth must be a string"):
        verify("a", ground_truth)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"case_sensitve": False}, "case_sensitve: Extra inputs are not permitted"),
        ({"strip": "sometimes"}, "strip: Input should be a valid boolean"),
        ([1, 2], "options must be a JSON object"),
    ],
)
def test_bad_options_are_invalid_input(options: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        verify("a", "a", options)


def test_declared_metadata() -> None:
    assert verify.name == "exact_match"
    assert verify.components == ("accuracy",)
    assert verify.description.startswith("Reward 1.0 when the response equals")
