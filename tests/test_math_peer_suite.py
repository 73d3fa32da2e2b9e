"""The math verifier on Math-Verify's own test cases (tests/data/README.md), as a peer suite.

Every case of Math-Verify's tests that runs with its default configuration, as data: the
gold and the prediction exactly as its tests pass them, and its expected verdict. The
prediction is our response as-is, the gold our ground truth as-is (we read a gold inside
``$...$`` as its content). The targets of the issue: our recall within 10 cases of
Math-Verify's on its own suite, and no more false positives than it has. The side-by-side
run, with timings, is benchmarks/bench_math.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verifiers import Outcome, Status
from verifiers.math import verify

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "math_verify_suite.jsonl").open()
    if line.strip()
]
# Measured with math-verify 0.9.0, default parse() and verify(), on these 149 cases:
# it accepts all 125 equivalent cases and none of the 24 others.
MATH_VERIFY_RECALL = 125
MATH_VERIFY_FALSE_POSITIVES = 0
RECALL_MARGIN = 10


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    return {case["id"]: verify(case["prediction"], case["gold"]) for case in CASES}


def test_the_data_is_math_verifys_default_config_suite() -> None:
    assert len(CASES) == 149
    assert sum(case["expected"] for case in CASES) == 125
    assert len({case["id"] for case in CASES}) == len(CASES)


def test_recall_is_within_10_cases_of_math_verifys_own(outcomes) -> None:
    equivalent = [case["id"] for case in CASES if case["expected"]]
    missed = [name for name in equivalent if outcomes[name].reward != 1.0]
    recall = len(equivalent) - len(missed)
    assert recall >= MATH_VERIFY_RECALL - RECALL_MARGIN, missed


def test_no_more_false_positives_than_math_verify(outcomes) -> None:
    accepted = [c["id"] for c in CASES if not c["expected"] and outcomes[c["id"]].reward == 1.0]
    assert len(accepted) <= MATH_VERIFY_FALSE_POSITIVES, accepted


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_every_case_is_judged_with_a_reward_of_0_or_1(case, outcomes) -> None:
    outcome = outcomes[case["id"]]
    assert outcome.status in (Status.OK, Status.FORMAT_ERROR), outcome.detail
    assert outcome.reward in (0.0, 1.0)
    assert outcome.components == {
        "format": float(outcome.status is Status.OK),
        "accuracy": outcome.reward,
    }
