"""Large ground truths travel packed (issue 19): pickled once per request, kept by each
worker under the digest of their bytes, so a worker gives its verifier the same object for
the same ground truth across items, chunks and requests, and a different ground truth is
never mistaken for a kept one."""

from __future__ import annotations

import json
import pickle

import pytest

from reward_server.engine import Engine
from reward_server.settings import Settings
from reward_server.truths import LARGE_BYTES, Kept, Packed, pack
from tests.helpers import item


def large(tag: str, entries: int = 2000) -> dict:
    """A ground truth well over LARGE_BYTES pickled, told apart by ``tag``."""
    truth = {f"{tag}-{index}": f"value {index} of {tag}" for index in range(entries)}
    assert len(pickle.dumps(truth)) > LARGE_BYTES
    return truth


def test_small_and_unstructured_ground_truths_travel_as_they_are() -> None:
    memo: dict = {}
    for truth in ("42", 3.5, None, {"a": 1}, [1, 2, 3], "x" * 100_000):
        assert pack(truth, memo) is truth


def test_one_that_cannot_be_pickled_fails_alone(engine: Engine) -> None:
    """From the Python API a ground truth may hold anything: its item is an error, and the
    batch is scored."""
    unpicklable = {"key": lambda: None}
    assert pack(unpicklable, {}) is unpicklable
    bad, good = engine.score(
        [item("truth_identity", "r", unpicklable), item("truth_identity", "r", {"k": 1})]
    )
    assert (bad.status, good.status) == ("error", "ok")


def test_a_large_one_is_pickled_once_per_object() -> None:
    memo: dict = {}
    truth = large("a")
    packed = pack(truth, memo)
    assert isinstance(packed, Packed)
    assert pickle.loads(packed.data) == truth
    assert pack(truth, memo) is packed  # the items that share it: pickled once
    equal_copy = json.loads(json.dumps(truth))
    assert pack(equal_copy, memo).digest == packed.digest  # equal bytes, same digest
    assert pack(large("b"), memo).digest != packed.digest


def test_a_worker_keeps_the_object_per_digest_within_its_budget() -> None:
    memo: dict = {}
    first, second = pack(large("a"), memo), pack(large("b"), memo)
    budget = len(first.data) + len(second.data)
    kept = Kept(budget_bytes=budget)
    one = kept.unpack(first)
    assert kept.unpack(Packed(first.digest, first.data)) is one
    assert kept.unpack(second) == large("b")
    assert len(kept) == 2
    kept.unpack(first)  # used last: the other is dropped first
    third = pack(large("c"), memo)
    assert kept.unpack(third) == large("c")
    assert kept.unpack(first) is one
    assert len(kept) == 2
    assert kept.unpack("plain") == "plain"
    too_big = Kept(budget_bytes=10)
    assert too_big.unpack(first) == large("a") and len(too_big) == 0


@pytest.fixture(scope="module")
def engine() -> Engine:
    with Engine(Settings(workers=2)) as running:
        yield running


def seen(results: list) -> list[tuple[str, str, int]]:
    """(worker pid, object id, entries) each item's verifier saw."""
    out = []
    for result in results:
        assert result.status == "ok", result.detail
        pid, object_id, entries = result.detail.split()
        out.append((pid, object_id, int(entries)))
    return out


def test_workers_see_one_object_per_ground_truth_across_requests(engine: Engine) -> None:
    objects: dict[str, set[str]] = {}  # worker pid -> ids of the objects seen
    for _ in range(6):  # each request parses its own copy, as the HTTP API does
        truth = json.loads(json.dumps(large("a")))
        batch = [{"verifier": "truth_identity", "response": "r", "ground_truth_ref": "t"}] * 8
        for pid, object_id, entries in seen(engine.score(batch, ground_truths={"t": truth})):
            assert entries == 2000
            objects.setdefault(pid, set()).add(object_id)
    assert objects and all(len(ids) == 1 for ids in objects.values())


def test_different_ground_truths_are_never_confused(engine: Engine) -> None:
    truths = [large(tag, entries) for tag, entries in (("a", 2000), ("b", 2100), ("c", 2200))]
    batch = [item("truth_identity", "r", truths[index % 3]) for index in range(30)]
    observed = seen(engine.score(batch))
    assert [entries for _, _, entries in observed] == [2000, 2100, 2200] * 10
    small = seen(engine.score([item("truth_identity", "r", {"k": 1})] * 4))
    assert {entries for _, _, entries in small} == {1}
