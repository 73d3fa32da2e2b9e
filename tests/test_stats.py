"""reward_server.stats: rolling windows, alerts, what is shown of requests, bounded memory.

Time is the ``clock`` argument (a list we advance), so windows are tested without waiting.
"""

from __future__ import annotations

import json
import statistics
import time
import tracemalloc

from reward_server.models import Result
from reward_server.stats import (
    MAX_DATA_SOURCES,
    MAX_RECENT,
    OTHER,
    RECENT_S,
    REWARD_EDGES,
    Stats,
    masked,
)

SECRET = "the model's secret answer 42"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def result(verifier: str, reward: float, status: str = "ok", **fields: object) -> Result:
    return Result(
        id=fields.pop("id", None), verifier=verifier, reward=reward, status=status, **fields
    )


def feed(stats: Stats, clock: Clock, seconds: float, per_second: int, **fields: object) -> None:
    """``per_second`` one-item batches each second, for ``seconds``."""
    source = fields.pop("data_source", "gsm8k")
    for _ in range(int(seconds)):
        clock.now += 1
        for _ in range(per_second):
            stats.record([{"data_source": source}], [result(**fields)])


def test_totals_series_and_histograms_per_verifier_and_data_source():
    clock = Clock()
    stats = Stats(clock=clock)
    feed(stats, clock, 20, 3, verifier="math", reward=1.0, elapsed_ms=2.0)
    feed(stats, clock, 20, 1, verifier="exact_match", reward=0.0, data_source="qa", elapsed_ms=0.1)
    snapshot = stats.snapshot()
    math_total = snapshot["totals"]["verifiers"]["math"]
    assert math_total["items"] == 60
    assert math_total["mean_reward"] == 1.0
    assert math_total["status"]["ok"] == 60
    assert math_total["histogram"][len(REWARD_EDGES) - 2] == 60
    assert 2.0 <= math_total["latency_ms"]["p50"] <= 2.0 * 1.19
    assert snapshot["totals"]["data_sources"]["qa"]["histogram"][10] == 20
    series = snapshot["series"]
    assert len(series["t"]) == 9  # 40 s in 5 s buckets
    assert sum(series["status"]["ok"]) == 80
    assert max(series["verifiers"]["math"]["items_per_s"]) == 3.0
    assert series["data_sources"]["gsm8k"][0] == 1.0
    assert series["data_sources"]["qa"][0] is None


def test_old_buckets_leave_the_window_and_the_totals():
    clock = Clock()
    stats = Stats(bucket_s=5, buckets=12, clock=clock)
    feed(stats, clock, 30, 2, verifier="math", reward=1.0, data_source="early")
    clock.now += 120
    feed(stats, clock, 10, 1, verifier="math", reward=0.0, data_source="late")
    snapshot = stats.snapshot()
    assert snapshot["totals"]["verifiers"]["math"]["items"] == 10
    assert set(snapshot["totals"]["data_sources"]) == {"late"}
    assert len(snapshot["series"]["t"]) <= 12
    clock.now += 3600
    quiet = stats.snapshot()
    assert quiet["totals"]["verifiers"] == {}
    assert quiet["series"]["t"] == []


def test_a_verifier_that_starts_timing_out_raises_an_alert():
    clock = Clock()
    stats = Stats(clock=clock)
    feed(stats, clock, 120, 2, verifier="sleepy", reward=1.0)
    assert stats.snapshot()["alerts"] == []
    feed(stats, clock, 30, 2, verifier="sleepy", reward=0.0, status="timeout", elapsed_ms=500.0)
    kinds = {(a["kind"], a["subject"]) for a in stats.snapshot()["alerts"]}
    assert ("failure_rate", "sleepy") in kinds
    clock.now += 10 * RECENT_S
    assert stats.snapshot()["alerts"] == []


def test_a_jump_of_the_mean_reward_raises_an_alert():
    clock = Clock()
    stats = Stats(clock=clock)
    feed(stats, clock, 120, 2, verifier="math", reward=0.2)
    feed(stats, clock, 60, 2, verifier="math", reward=1.0)
    (alert,) = stats.snapshot()["alerts"]
    assert alert["kind"] == "mean_reward"
    assert "0.20" in alert["message"]


def test_a_batch_that_was_all_invalid_input_raises_an_alert():
    clock = Clock()
    stats = Stats(clock=clock)
    results = [result("", 0.0, "invalid_input", detail=f"unknown verifier {SECRET!r}")] * 4
    stats.record([{}] * 4, results, failed_batch=f"every item failed; first: {SECRET!r}")
    (alert,) = stats.snapshot()["alerts"]
    assert alert["kind"] == "batch_invalid_input"
    assert SECRET not in json.dumps(stats.snapshot())


def test_no_request_text_without_show_samples():
    clock = Clock()
    for show in (False, True):
        stats = Stats(clock=clock, show_samples=show)
        item = {"response": SECRET, "ground_truth": SECRET, "data_source": "d"}
        bad = result("math", 0.0, "format_error", id="q1", detail=f"no answer in {SECRET!r}")
        stats.record([item], [bad])
        shown = json.dumps(stats.snapshot())
        assert (SECRET in shown) is show
        (recent,) = stats.snapshot()["recent"]
        assert recent["id"] == "q1"
        assert recent["status"] == "format_error"
        assert recent["detail"] == (f"no answer in {SECRET!r}" if show else "no answer in '…'")


def test_masked_details_keep_the_words_of_the_engine():
    deadline = "exceeded the 10 s deadline; the worker was killed and replaced"
    assert masked(deadline) == deadline
    assert masked("""'a\\'b' is not "c" """) == "'…' is not '…' "


def test_data_sources_beyond_the_bound_count_as_other():
    clock = Clock()
    stats = Stats(clock=clock)
    for index in range(MAX_DATA_SOURCES + 20):
        stats.record([{"data_source": f"set-{index}"}], [result("math", 1.0)])
    sources = stats.snapshot()["totals"]["data_sources"]
    assert len(sources) == MAX_DATA_SOURCES + 1
    assert sources[OTHER]["items"] == 20


def test_one_batch_of_many_new_data_sources_is_bounded_too():
    stats = Stats(clock=Clock())
    names = [f"set-{index}" for index in range(MAX_DATA_SOURCES + 20)]
    stats.record([{"data_source": n} for n in names], [result("math", 1.0) for _ in names])
    sources = stats.snapshot()["totals"]["data_sources"]
    assert len(sources) == MAX_DATA_SOURCES + 1
    assert sources[OTHER]["items"] == 20 and sources["set-0"]["items"] == 1


def test_an_offline_run_keeps_all_its_time_in_coarser_buckets():
    clock = Clock()
    stats = Stats(bucket_s=1.0, buckets=10, compact=True, clock=clock)
    feed(stats, clock, 100, 1, verifier="math", reward=1.0)
    snapshot = stats.snapshot()
    assert snapshot["totals"]["verifiers"]["math"]["items"] == 100
    assert sum(snapshot["series"]["status"]["ok"]) == 100
    assert len(snapshot["series"]["t"]) <= 10
    assert snapshot["bucket_s"] >= 10


def busy(stats: Stats, clock: Clock, seconds: int, *, start: int = 0) -> None:
    """Eight verifiers, new data source names all the time, failures with long details."""
    for second in range(start, start + seconds):
        clock.now += 1
        items = [{"data_source": f"source-{second}-{k}", "response": "x" * 1000} for k in range(40)]
        results = [
            result(
                f"v{k % 8}",
                (k % 5) / 4,
                "timeout" if k % 7 == 0 else "ok",
                id=f"item-{second}-{k}",
                detail="d" * 2000,
                elapsed_ms=0.05 * (k + 1) * (second % 13 + 1),
            )
            for k in range(40)
        ]
        stats.record(items, results, sandbox_runs={"local:ok": 3}, restarts={"timeout": 1})


def test_memory_stays_bounded_under_a_long_load():
    clock = Clock()
    tracemalloc.start()
    try:
        stats = Stats(bucket_s=5, buckets=120, clock=clock)
        busy(stats, clock, 650)  # the window is full
        stats.snapshot()
        before, _ = tracemalloc.get_traced_memory()
        busy(stats, clock, 1300, start=650)  # 52,000 more items, as many new data sources
        stats.snapshot()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before < 512 * 1024, f"grew by {after - before} bytes"
    snapshot = stats.snapshot()
    assert len(snapshot["series"]["t"]) == 120
    assert len(snapshot["totals"]["data_sources"]) <= MAX_DATA_SOURCES + 1
    assert len(snapshot["recent"]) == MAX_RECENT


def test_a_snapshot_of_a_full_window_costs_under_5_ms():
    clock = Clock()
    stats = Stats(bucket_s=5, buckets=120, clock=clock)
    busy(stats, clock, 600)
    timings = []
    for _ in range(30):
        clock.now += 0.5  # the current bucket changes between reads, as it does live
        stats.record([{}], [result("v0", 1.0)])
        started = time.thread_time()  # the CPU it costs, not the machine's other load
        json.dumps(stats.snapshot(), separators=(",", ":"))
        timings.append(time.thread_time() - started)
    assert statistics.median(timings) < 0.005, timings


def test_a_submitted_batch_is_in_the_next_snapshot() -> None:
    """The engine submits batches to be recorded off its path; a read never misses one."""
    stats = Stats(clock=Clock())
    for _ in range(50):
        stats.submit([{"data_source": "gsm8k"}] * 3, [result("math", 1.0)] * 3)
    assert stats.snapshot()["totals"]["verifiers"]["math"]["items"] == 150
