"""The math verifier on the HardVerify-Math development half (tests/data/README.md).

The targets of the math issue, kept as a regression guard: at least 110 of the 125
equivalent pairs accepted, at most 2 of the 125 non-equivalent pairs accepted. The speed
comparison with Math-Verify lives in benchmarks/bench_math.py, not here.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from tests.math_helpers import boxed
from verifiers import Status
from verifiers.math import verify
from verifiers.math.parsing import parse_answer

PAIRS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "hardverify_math_dev.jsonl").open()
    if line.strip()
]


@pytest.fixture(scope="module")
def verdicts() -> list[tuple[dict, float]]:
    return [(pair, verify(boxed(pair["answer"]), pair["gold"]).reward) for pair in PAIRS]


def test_the_data_is_the_balanced_development_half() -> None:
    assert len(PAIRS) == 250
    assert sum(pair["label"] for pair in PAIRS) == 125


def test_accepts_at_least_110_of_125_equivalent_answers(verdicts) -> None:
    accepted = sum(reward for pair, reward in verdicts if pair["label"])
    assert accepted >= 110


def test_accepts_at_most_2_of_125_wrong_answers(verdicts) -> None:
    wrong = [pair["id"] for pair, reward in verdicts if not pair["label"] and reward]
    assert len(wrong) <= 2, wrong


def test_every_pair_is_judged_not_a_format_error() -> None:
    for pair in PAIRS[:40]:
        outcome = verify(boxed(pair["answer"]), pair["gold"])
        assert outcome.status is Status.OK
        assert outcome.components["format"] == 1.0


def test_the_gold_is_parsed_once_per_distinct_answer() -> None:
    parse_answer.cache_clear()
    gold = PAIRS[0]["gold"]
    for pair in PAIRS[:2]:
        assert pair["gold"] == gold
        verify(boxed(pair["answer"]), gold)
    info = parse_answer.cache_info()
    assert info.hits >= 1
    assert info.currsize == 3  # one gold, two candidates


def test_judging_from_a_worker_thread_needs_no_signals() -> None:
    """Math-Verify relies on SIGALRM and hangs off the main thread; this must not."""
    results: list[float] = []

    def judge() -> None:
        for pair in PAIRS:
            results.append(verify(boxed(pair["answer"]), pair["gold"]).reward)

    thread = threading.Thread(target=judge)
    started = time.monotonic()
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert len(results) == len(PAIRS)
    assert time.monotonic() - started < 60
