"""Cheap items travel in chunks (issue 19), and nothing about an item's answer changes:
its own deadline, its own crash, its place in the batch, whoever else shares its chunk."""

from __future__ import annotations

import asyncio
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reward_server.chunks import OBSERVED, ChunkDispatcher
from reward_server.engine import Engine
from reward_server.settings import Settings
from tests.helpers import item

DEADLINE_S = 0.5


@pytest.fixture(scope="module")
def engine() -> Engine:
    with Engine(Settings(workers=2)) as running:
        # Enough quick items for `moody` to count as cheap: from here on it is chunked.
        warm = [item("moody", "fine", "1") for _ in range(OBSERVED * 4)]
        assert all(r.reward == 1.0 for r in running.score(warm))
        assert running._costs.cheap("moody") is not None
        yield running


def moody(response: str, index: int) -> dict:
    return item("moody", response, str(index % 7 / 7), id=str(index))


def expected_status(response: str) -> str:
    return {"hang": "timeout", "stuck": "timeout", "crash": "error"}.get(response, "ok")


def check(engine: Engine, responses: list[str]) -> None:
    items = [moody(response, index) for index, response in enumerate(responses)]
    results = engine.score(items, timeout_s=DEADLINE_S)
    assert [r.id for r in results] == [str(index) for index in range(len(items))]
    for index, (response, result) in enumerate(zip(responses, results, strict=True)):
        assert result.status == expected_status(response), (index, response, result)
        if result.status == "ok":
            assert result.reward == index % 7 / 7, (index, result)


def test_a_chunk_with_a_hang_and_a_crash_in_the_middle(engine: Engine) -> None:
    responses = ["fine"] * 40
    responses[13], responses[27] = "hang", "crash"
    started = time.monotonic()
    check(engine, responses)
    # The hang costs its own deadline once, not once per item behind it.
    assert time.monotonic() - started < 10 * DEADLINE_S


def test_code_no_signal_reaches_costs_only_its_item(engine: Engine) -> None:
    responses = ["fine"] * 30
    responses[5] = "stuck"
    check(engine, responses)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(["fine"] * 12 + ["hang", "crash"]),
        min_size=1,
        max_size=60,
    )
)
def test_any_mix_answers_every_item_in_order(engine: Engine, responses: list[str]) -> None:
    check(engine, responses)


def test_concurrent_one_item_requests_share_chunks(engine: Engine) -> None:
    """64 one-item requests in flight: every answer is its own, and they went in chunks."""
    sent_alone = 0
    original = ChunkDispatcher._send_alone

    def counting(self, pool, queued):
        nonlocal sent_alone
        sent_alone += 1
        return original(self, pool, queued)

    ChunkDispatcher._send_alone = counting
    try:

        async def many() -> list:
            indexes = list(range(64))
            random.shuffle(indexes)
            answers = await asyncio.gather(
                *(engine.score_async([moody("fine", index)]) for index in indexes)
            )
            return sorted((int(results[0].id), results[0]) for results in answers)

        for index, result in asyncio.run(many()):
            assert result.status == "ok" and result.reward == index % 7 / 7
    finally:
        ChunkDispatcher._send_alone = original
    assert sent_alone < 64, "every item went alone: requests were not coalesced"


def test_expensive_and_sandboxed_verifiers_are_not_chunked(engine: Engine) -> None:
    slow = [item("sleepy", "x", "1", options={"seconds": 0.01}) for _ in range(OBSERVED * 2)]
    engine.score(slow)
    assert engine._costs.cheap("sleepy") is None  # 10 ms an item: one per task
    assert engine._costs.cheap("swe_tests") is None  # never seen: one per task
    engine._costs.observe("pretend_sandboxed", 0.1, {"local:ok": 1})
    assert engine._costs.cheap("pretend_sandboxed") is None
