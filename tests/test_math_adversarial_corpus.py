"""The math verifier on the labelled adversarial corpus (tests/data/math_adversarial_labelled.jsonl,
made by tests/data/make_math_adversarial.py): hostile answers labelled wrong, unusual right
answers labelled right, whole model responses.

Every verdict must agree with its label, except the few listed here with the reason the
verifier's documented policy differs from the label (README, "math: conventions").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verifiers import Status
from verifiers.math import verify

CORPUS = Path(__file__).parent / "data" / "math_adversarial_labelled.jsonl"

POLICY = "policy: "
LIMIT = "not read yet: "
KNOWN_DISAGREEMENTS = {
    "rounding_decimal_gold/33-3.1416-vs-3.14159@gsm8k": POLICY
    + "one place coarser and the unambiguous rounding is accepted (1.3 for 1.27, a true pair "
    "in HardVerify-Math)",
    "rounding_decimal_gold/37-frac_355_113-vs-3.14159@bold": POLICY
    + "a decimal gold with 3+ digits is read as the rounding of an exact answer (542/3 for "
    "180.67, a true pair in HardVerify-Math)",
    "percent_sign_is_a_unit/04-0.05-vs-5@paren": POLICY
    + "a percentage gold accepts its value (5/8 for 62.5%, true in HardVerify-Math)",
    "percent_sign_is_a_unit/05-frac_1_20-vs-5@paren": POLICY + "as above",
    "percent_sign_is_a_unit/13-0.125-vs-12.5@display": POLICY + "as above",
    "other_hedge/single-box-caveat": POLICY + "the boxed answer is a commitment",
    "unusual_form/union-as-inequalities": LIMIT + "x = 0 inside a union of inequalities",
    "math_looks_like_code/unbraced-subscript-name": LIMIT + "v_max, a subscript without braces",
    "math_looks_like_code/probability-of-event": LIMIT + "\\cap inside a label",
    "math_looks_like_code/sum-equals-closed-form": LIMIT + "\\sum as a label",
}


def _rows() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def verdicts() -> dict[str, tuple[dict, bool, str]]:
    results = {}
    for row in _rows():
        outcome = verify(row["response"], row["gold"])
        assert outcome.reward in (0.0, 1.0)
        assert outcome.status in (Status.OK, Status.FORMAT_ERROR)
        results[row["id"]] = (row, outcome.reward == 1.0, outcome.detail)
    return results


def test_every_verdict_agrees_with_its_label_but_the_known_ones(verdicts: dict) -> None:
    disagreements = {
        id_: detail for id_, (row, accepted, detail) in verdicts.items() if accepted != row["label"]
    }
    unexpected = {k: v for k, v in disagreements.items() if k not in KNOWN_DISAGREEMENTS}
    assert unexpected == {}


def test_known_disagreements_are_still_in_the_corpus(verdicts: dict) -> None:
    assert set(KNOWN_DISAGREEMENTS) <= set(verdicts)


@pytest.mark.parametrize(
    "kind",
    ["mc_hedge", "code_in_answer", "tiny_perturbation", "rounding_exact_gold", "format_trick"],
)
def test_no_hostile_answer_of_a_closed_class_is_paid(verdicts: dict, kind: str) -> None:
    paid = [
        id_
        for id_, (row, accepted, _) in verdicts.items()
        if row["class"] == kind and not row["label"] and accepted
    ]
    assert paid == []
