"""Rolling statistics of scored items: what ``/v1/stats``, ``/dashboard`` and ``score --report``
show.

The engine hands every batch here, in the server process, with the workers' own numbers
(time in the verifier, sandbox runs, restarts) already merged into it. Memory is bounded
whatever the traffic: at most ``buckets`` time buckets; in each, counters keyed by verifier
(installed ones only, as for the metrics) and by data source (at most
:data:`MAX_DATA_SOURCES` names in the window, the rest counted as :data:`OTHER`), a fixed
reward histogram and a sparse latency histogram of at most :data:`LATENCY_BINS` bins; the
recent non-ok items are a ring of :data:`MAX_RECENT`. Window totals are kept as running
sums (added on record, subtracted when a bucket leaves the window), and a closed bucket's
percentiles are computed once, so a snapshot costs a walk over the buckets, not over items.
"""

from __future__ import annotations

import collections
import json
import math
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reward_server.misconfiguration import MAX_NAME_CHARS
from reward_server.models import Item, Result

STATUSES = ("ok", "format_error", "invalid_input", "timeout", "error")
_STATUS_INDEX = {name: index for index, name in enumerate(STATUSES)}
MAX_PENDING_BATCHES = 256
"""Batches submitted and not yet recorded, beyond which submitting records them itself."""
FAILURES = ("timeout", "error")
"""Statuses whose jump in rate raises an alert: our side, not the model, went wrong."""
REWARD_EDGES = tuple(round(-1.0 + step / 10, 1) for step in range(21))
"""Reward histogram bins of width 0.1 over [-1, 1]; rewards beyond count in the end bins."""
LATENCY_STEPS_PER_OCTAVE = 4
LATENCY_MIN_MS = 0.01
LATENCY_BINS = 4 * 26
"""Latency bins of 2**(1/4) (19 %) from 10 µs to about 11 minutes."""
PERCENTILES = (50, 90, 99)
MAX_DATA_SOURCES = 32
"""Distinct data sources in the window; items of further ones count under :data:`OTHER`."""
OTHER = "(other)"
MAX_SOURCE_SERIES = 12
"""Data sources with a series over time in a snapshot: those with the most items (all of
them have totals)."""
NONE = "(none)"
MAX_RECENT = 50
"""Most recent non-ok items kept, with their details."""
MAX_DETAIL_CHARS = 300
MAX_SAMPLE_CHARS = 300
RECENT_S = 60.0
"""Alerts compare the last RECENT_S seconds with the rest of the window."""
MIN_ALERT_ITEMS = 10
"""Fewer items than this in either part say nothing, and raise no alert."""
FAILURE_RATE_JUMP = 0.10
FAILURE_RATE_ALARM = 0.50
"""A failure rate this high is an alert whatever it was before."""
MEAN_REWARD_JUMP = 0.25
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def masked(detail: str | None) -> str:
    """A detail without the text it quotes: verifiers quote responses and ground truths
    (``{answer!r}``), and without ``dashboard.show_samples`` no model text is shown."""
    return _QUOTED.sub("'…'", detail or "")[:MAX_DETAIL_CHARS]


def _reward_bin(reward: float) -> int:
    if not math.isfinite(reward):
        return 0 if reward < 0 else len(REWARD_EDGES) - 2
    return min(max(math.floor(round((reward + 1.0) * 10, 9)), 0), len(REWARD_EDGES) - 2)


def _latency_bin(elapsed_ms: float) -> int:
    steps = math.log2(max(elapsed_ms, LATENCY_MIN_MS) / LATENCY_MIN_MS) * LATENCY_STEPS_PER_OCTAVE
    return min(int(steps), LATENCY_BINS - 1)


def _bin_ms(index: int) -> float:
    """The upper edge of a latency bin, in ms."""
    return round(LATENCY_MIN_MS * 2 ** ((index + 1) / LATENCY_STEPS_PER_OCTAVE), 3)


class _Group:
    """The numbers of one verifier, or one data source, over some time."""

    __slots__ = ("count", "histogram", "latency", "reward_sum", "statuses")

    def __init__(self) -> None:
        self.count = 0
        self.reward_sum = 0.0
        self.statuses = [0] * len(STATUSES)
        self.histogram = [0] * (len(REWARD_EDGES) - 1)
        self.latency: dict[int, int] = {}

    def add(self, status: int, reward: float, elapsed_ms: float) -> None:
        self.count += 1
        self.statuses[status] += 1
        reward = reward if math.isfinite(reward) else 0.0
        self.reward_sum += reward
        self.histogram[_reward_bin(reward)] += 1
        # As for the metrics: a timeout's time is its deadline, and an item refused before
        # a worker took it spent none.
        if elapsed_ms > 0 and STATUSES[status] != "timeout":
            index = _latency_bin(elapsed_ms)
            self.latency[index] = self.latency.get(index, 0) + 1

    def merge(self, other: _Group, sign: int = 1) -> None:
        self.count += sign * other.count
        self.reward_sum += sign * other.reward_sum
        for index, n in enumerate(other.statuses):
            self.statuses[index] += sign * n
        for index, n in enumerate(other.histogram):
            self.histogram[index] += sign * n
        for index, n in other.latency.items():
            left = self.latency.get(index, 0) + sign * n
            if left:
                self.latency[index] = left
            else:
                self.latency.pop(index, None)

    def mean(self) -> float | None:
        return round(self.reward_sum / self.count, 4) if self.count else None

    def percentiles(self) -> dict[str, float | None]:
        total = sum(self.latency.values())
        found: dict[str, float | None] = {f"p{q}": None for q in PERCENTILES}
        if not total:
            return found
        seen, wanted = 0, list(PERCENTILES)
        for index in sorted(self.latency):
            seen += self.latency[index]
            while wanted and seen >= total * wanted[0] / 100:
                found[f"p{wanted.pop(0)}"] = _bin_ms(index)
        return found

    def summary(self) -> dict[str, Any]:
        return {
            "items": self.count,
            "mean_reward": self.mean(),
            "status": dict(zip(STATUSES, self.statuses, strict=True)),
            "histogram": list(self.histogram),
            "latency_ms": self.percentiles(),
        }


def _merge_groups(into: dict[str, _Group], groups: Mapping[str, _Group], sign: int = 1) -> None:
    for name, group in groups.items():
        into.setdefault(name, _Group()).merge(group, sign)
        if not into[name].count:
            del into[name]


class _Bucket:
    __slots__ = ("failed_batches", "restarts", "row", "sandbox", "sources", "start", "verifiers")

    def __init__(self, start: float) -> None:
        self.start = start
        self.verifiers: dict[str, _Group] = {}
        self.sources: dict[str, _Group] = {}
        self.restarts: collections.Counter[str] = collections.Counter()
        self.sandbox: collections.Counter[str] = collections.Counter()
        self.failed_batches: collections.Counter[str] = collections.Counter()
        self.row: dict[str, Any] | None = None  # the snapshot's numbers, once closed

    def merge(self, other: _Bucket, sign: int = 1) -> None:
        _merge_groups(self.verifiers, other.verifiers, sign)
        _merge_groups(self.sources, other.sources, sign)
        for mine, theirs in (
            (self.restarts, other.restarts),
            (self.sandbox, other.sandbox),
            (self.failed_batches, other.failed_batches),
        ):
            for key, n in theirs.items():
                mine[key] += sign * n
                if not mine[key]:
                    del mine[key]
        self.row = None

    def numbers(self) -> dict[str, Any]:
        return {
            "verifiers": {
                name: {"items": g.count, "mean_reward": g.mean(), **g.percentiles()}
                for name, g in self.verifiers.items()
            },
            "sources": {name: g.mean() for name, g in self.sources.items()},
            "status": [
                sum(g.statuses[i] for g in self.verifiers.values()) for i in range(len(STATUSES))
            ],
            "restarts": dict(self.restarts),
            "sandbox": dict(self.sandbox),
        }


_EMPTY_ROW = _Bucket(0.0).numbers()


def data_source_of(raw: Any) -> str | None:
    """The ``data_source`` of an item as a request sent it, if it has a usable one."""
    value = raw.data_source if isinstance(raw, Item) else None
    if isinstance(raw, Mapping):
        value = raw.get("data_source")
    return value if isinstance(value, str) else None


class Stats:
    """Rolling windows of one process's results, thread-safe. ``compact`` (for an offline
    run, whose length is unknown) keeps everything from the start instead, doubling the
    bucket width whenever ``buckets`` would be exceeded."""

    def __init__(
        self,
        *,
        bucket_s: float = 5.0,
        buckets: int = 120,
        show_samples: bool = False,
        compact: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bucket_s = bucket_s
        self.max_buckets = buckets
        self.show_samples = show_samples
        self.compact = compact
        self.clock = clock
        self.started = clock()
        self._buckets: collections.deque[_Bucket] = collections.deque()
        self._total = _Bucket(self.started)
        self._recent: collections.deque[dict[str, Any]] = collections.deque(maxlen=MAX_RECENT)
        self._last_failed_batch: dict[str, Any] | None = None
        self._closed: dict[str, Any] = {}
        self._closed_key: tuple[float, int, float, frozenset[str]] | None = None
        self._lock = threading.Lock()
        self._pending: collections.deque[tuple[float, tuple, dict[str, Any]]] = collections.deque()
        self._wake = threading.Event()
        self._draining = threading.Lock()
        self._recorder: threading.Thread | None = None

    # -- recording ---------------------------------------------------------------------

    def submit(self, items: Sequence[Any], results: Sequence[Result], **batch: Any) -> None:
        """Like :meth:`record`, off the caller's path: the engine answers a batch without
        waiting for its numbers. A thread of its own records them; :meth:`snapshot` records
        what is still waiting first, so a read never misses a batch that was answered."""
        self._pending.append((self.clock(), (items, results), batch))
        if len(self._pending) > MAX_PENDING_BATCHES:
            self.drain()  # the recorder fell behind: the callers wait, memory stays bounded
            return
        if self._recorder is None:
            self._recorder = threading.Thread(target=self._record_loop, daemon=True, name="stats")
            self._recorder.start()
        self._wake.set()

    def drain(self) -> None:
        """Record every submitted batch still waiting (one drainer at a time, so a batch
        another thread has taken is recorded before this returns)."""
        with self._draining:
            while True:
                try:
                    now, (items, results), batch = self._pending.popleft()
                except IndexError:
                    return
                self.record(items, results, now=now, **batch)

    def _record_loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            self.drain()

    def record(
        self,
        items: Sequence[Any],
        results: Sequence[Result],
        *,
        sandbox_runs: Mapping[str, int] | None = None,
        restarts: Mapping[str, int] | None = None,
        failed_batch: str | None = None,
        known: Callable[[str], bool] = lambda _: True,
        now: float | None = None,
    ) -> None:
        """One batch: ``results[i]`` answers ``items[i]``; ``known`` says which verifier
        names may become keys (others count as :data:`NONE`); ``now``: when it was scored."""
        now = self.clock() if now is None else now
        with self._lock:
            bucket = self._bucket(now)
            total = self._total
            # The batch's own groups first, then one merge per name into the bucket and
            # the totals: a 1,024-item batch of one verifier merges twice, not 4,096 times.
            verifiers: dict[str, _Group] = {}
            sources: dict[str, _Group] = {}
            for raw, result in zip(items, results, strict=False):
                verifier = result.verifier if result.verifier and known(result.verifier) else NONE
                source = self._source_name(data_source_of(raw), sources)
                status = _STATUS_INDEX[str(result.status)]
                group = verifiers.get(verifier) or verifiers.setdefault(verifier, _Group())
                group.add(status, result.reward, result.elapsed_ms)
                group = sources.get(source) or sources.setdefault(source, _Group())
                group.add(status, result.reward, 0.0)
                if status:
                    self._recent.append(self._entry(now, raw, result, verifier, source))
            for mine, theirs in ((verifiers, "verifiers"), (sources, "sources")):
                for name, group in mine.items():
                    for window in (bucket, total):
                        getattr(window, theirs).setdefault(name, _Group()).merge(group)
            for counters, given in (
                ((bucket.sandbox, total.sandbox), sandbox_runs),
                ((bucket.restarts, total.restarts), restarts),
            ):
                for key, n in (given or {}).items():
                    for counter in counters:
                        counter[key] += n
            if failed_batch is not None:
                every_invalid = all(r.status == "invalid_input" for r in results)
                kind = "invalid_input" if every_invalid else "failed"
                bucket.failed_batches[kind] += 1
                total.failed_batches[kind] += 1
                self._last_failed_batch = {"time": now, "kind": kind, "detail": failed_batch}
            bucket.row = None

    def restarted(self, reason: str) -> None:
        """A restart that belongs to no item (the whole pool was replaced)."""
        self.record([], [], restarts={reason: 1})

    def _source_name(self, name: str | None, batch: Mapping[str, object]) -> str:
        """The name a data source is counted under: itself while the window holds fewer
        than MAX_DATA_SOURCES names (counting the ones this ``batch`` adds), else OTHER."""
        if name is None:
            return NONE
        name = name[:MAX_NAME_CHARS]
        sources = self._total.sources
        if name in sources or name in batch:
            return name
        if len(sources) + sum(1 for known in batch if known not in sources) < MAX_DATA_SOURCES:
            return name
        return OTHER

    def _entry(
        self, now: float, raw: Any, result: Result, verifier: str, source: str
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "time": round(now, 3),
            "id": (result.id or "")[:MAX_NAME_CHARS],
            "verifier": verifier,
            "data_source": source,
            "status": str(result.status),
            "detail": (result.detail or "")[:MAX_DETAIL_CHARS]
            if self.show_samples
            else masked(result.detail),
        }
        if self.show_samples:
            fields = vars(raw) if isinstance(raw, Item) else raw
            if isinstance(fields, Mapping):
                response = fields.get("response")
                entry["response"] = str(response)[:MAX_SAMPLE_CHARS]
                truth = json.dumps(fields.get("ground_truth"), default=str)
                entry["ground_truth"] = truth[:MAX_SAMPLE_CHARS]
        return entry

    def _bucket(self, now: float) -> _Bucket:
        """The bucket of ``now``, after dropping (or, compacting, merging) old ones."""
        start = math.floor(now / self.bucket_s) * self.bucket_s
        buckets = self._buckets
        if buckets and buckets[-1].start >= start:
            return buckets[-1]
        if self.compact:
            while buckets and (start - buckets[0].start) / self.bucket_s >= self.max_buckets:
                buckets = self._coarsen()
                start = math.floor(now / self.bucket_s) * self.bucket_s
            if buckets and buckets[-1].start >= start:
                return buckets[-1]
        else:
            self._expire(start)
        buckets.append(_Bucket(start))
        return buckets[-1]

    def _expire(self, start: float) -> None:
        oldest = start - (self.max_buckets - 1) * self.bucket_s
        while self._buckets and self._buckets[0].start < oldest:
            self._total.merge(self._buckets.popleft(), sign=-1)

    def _coarsen(self) -> collections.deque[_Bucket]:
        """Double the bucket width, merging neighbours: an offline run keeps all its time."""
        self.bucket_s *= 2
        merged: collections.deque[_Bucket] = collections.deque()
        for bucket in self._buckets:
            start = math.floor(bucket.start / self.bucket_s) * self.bucket_s
            if not merged or merged[-1].start != start:
                merged.append(_Bucket(start))
            merged[-1].merge(bucket)
        self._buckets = merged
        return merged

    # -- reading -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything the dashboard draws, as JSON-ready values."""
        self.drain()
        now = self.clock()
        with self._lock:
            if not self.compact:
                self._expire(math.floor(now / self.bucket_s) * self.bucket_s)
            buckets = list(self._buckets)
            rows = self._rows(now, buckets)
            total = self._total
            totals = {
                "verifiers": {n: g.summary() for n, g in sorted(total.verifiers.items())},
                "data_sources": {n: g.summary() for n, g in sorted(total.sources.items())},
                "restarts": dict(total.restarts),
                "sandbox": dict(total.sandbox),
                "failed_batches": dict(total.failed_batches),
            }
            alerts = self._alerts(now, buckets)
            recent = list(reversed(self._recent))
            largest = sorted(total.sources, key=lambda n: -total.sources[n].count)
            series = self._series(now, rows, frozenset(largest[:MAX_SOURCE_SERIES]))
        return {
            "now": round(now, 3),
            "started": round(self.started, 3),
            "bucket_s": self.bucket_s,
            "window_s": self.bucket_s * self.max_buckets,
            "show_samples": self.show_samples,
            "statuses": list(STATUSES),
            "reward_edges": list(REWARD_EDGES),
            "series": series,
            "totals": totals,
            "alerts": alerts,
            "recent": recent,
        }

    def _rows(self, now: float, buckets: list[_Bucket]) -> list[tuple[float, dict[str, Any]]]:
        """Every bucket's numbers, oldest first, quiet buckets included as empty ones; live,
        up to the bucket of ``now``."""
        if not buckets:
            return []
        by_start = {round(bucket.start, 6): bucket for bucket in buckets}
        last = (
            buckets[-1].start if self.compact else math.floor(now / self.bucket_s) * self.bucket_s
        )
        steps = round((last - buckets[0].start) / self.bucket_s)
        rows = []
        for step in range(steps + 1):
            start = buckets[0].start + step * self.bucket_s
            bucket = by_start.get(round(start, 6))
            if bucket is None:
                rows.append((start, _EMPTY_ROW))
                continue
            if bucket.row is None or bucket is buckets[-1]:
                bucket.row = bucket.numbers()
            rows.append((start, bucket.row))
        return rows

    def _series(
        self, now: float, rows: list[tuple[float, dict[str, Any]]], sources: frozenset[str]
    ) -> dict[str, Any]:
        """One value per bucket, oldest first, for every verifier, status, reason, and the
        ``sources``. The closed buckets' columns are kept until a bucket closes or leaves
        the window: a snapshot computes only the current bucket's."""
        if not rows:
            return _columns([], [], sources)
        key = (rows[0][0], len(rows), self.bucket_s, sources)
        if self._closed_key != key:
            self._closed = _columns(rows[:-1], [self.bucket_s] * (len(rows) - 1), sources)
            self._closed_key = key
        start = rows[-1][0]
        current = _columns(rows[-1:], [max(min(self.bucket_s, now - start), 1.0)], sources)
        return _joined(self._closed, current, len(rows) - 1)

    def _alerts(self, now: float, buckets: list[_Bucket]) -> list[dict[str, Any]]:
        """What looks wrong: the last :data:`RECENT_S` seconds against the rest of the window."""
        recent: dict[str, list[float]] = {}
        failed_batches: collections.Counter[str] = collections.Counter()
        for bucket in buckets:
            if bucket.start + self.bucket_s <= now - RECENT_S:
                continue
            failed_batches.update(bucket.failed_batches)
            for name, group in bucket.verifiers.items():
                tally = recent.setdefault(name, [0, 0, 0.0])
                tally[0] += group.count
                tally[1] += _failures(group)
                tally[2] += group.reward_sum
        alerts = []
        for name, (count, failures, reward_sum) in sorted(recent.items()):
            total = self._total.verifiers[name]
            before = (
                total.count - count,
                _failures(total) - failures,
                total.reward_sum - reward_sum,
            )
            alerts += _verifier_alerts(name, (count, failures, reward_sum), before)
        for kind, n in sorted(failed_batches.items()):
            what = "every item invalid_input" if kind == "invalid_input" else "every item failed"
            detail = (self._last_failed_batch or {}).get("detail")
            shown = detail if self.show_samples else masked(detail)
            alerts.append(
                {
                    "kind": f"batch_{kind}",
                    "subject": "batches",
                    "message": f"{n} batch{'es' if n > 1 else ''} in the last {RECENT_S:g} s "
                    f"had {what}: a caller's configuration? Last: {shown}",
                }
            )
        return alerts


_FAILURE_INDEXES = tuple(STATUSES.index(status) for status in FAILURES)


def _failures(group: _Group) -> int:
    return sum(group.statuses[index] for index in _FAILURE_INDEXES)


def _columns(
    rows: list[tuple[float, dict[str, Any]]], spans: list[float], sources: frozenset[str]
) -> dict[str, Any]:
    """The series of ``rows``, a bucket of ``spans[i]`` seconds each, with data sources
    only of ``sources``."""
    names = {
        key: sorted({n for _, row in rows for n in row[key]})
        for key in ("verifiers", "sources", "restarts", "sandbox")
    }
    names["sources"] = [name for name in names["sources"] if name in sources]
    empty: dict[str, Any] = {}
    verifiers = {}
    for name in names["verifiers"]:
        cells = [row["verifiers"].get(name, empty) for _, row in rows]
        verifiers[name] = {
            "items_per_s": [
                round(c.get("items", 0) / span, 3) for c, span in zip(cells, spans, strict=True)
            ],
            "mean_reward": [c.get("mean_reward") for c in cells],
            **{f"p{q}": [c.get(f"p{q}") for c in cells] for q in PERCENTILES},
        }
    return {
        "t": [start for start, _ in rows],
        "verifiers": verifiers,
        "data_sources": {
            name: [row["sources"].get(name) for _, row in rows] for name in names["sources"]
        },
        "status": {
            status: [row["status"][index] for _, row in rows]
            for index, status in enumerate(STATUSES)
        },
        "restarts": {
            name: [row["restarts"].get(name, 0) for _, row in rows] for name in names["restarts"]
        },
        "sandbox": {
            name: [row["sandbox"].get(name, 0) for _, row in rows] for name in names["sandbox"]
        },
    }


def _joined(closed: dict[str, Any], current: dict[str, Any], closed_count: int) -> dict[str, Any]:
    """The closed buckets' series followed by the current bucket's; a series missing on one
    side is null (means, percentiles) or zero (counts, rates) there."""

    def join(before: dict[str, list], after: dict[str, list], missing: Any) -> dict[str, list]:
        return {
            name: before.get(name, [missing] * closed_count) + after.get(name, [missing])
            for name in sorted(before.keys() | after.keys())
        }

    verifiers = {}
    for name in sorted(closed["verifiers"].keys() | current["verifiers"].keys()):
        verifiers[name] = join(
            closed["verifiers"].get(name, {}), current["verifiers"].get(name, {}), None
        )
        verifiers[name]["items_per_s"] = [value or 0.0 for value in verifiers[name]["items_per_s"]]
    return {
        "t": closed["t"] + current["t"],
        "verifiers": verifiers,
        "data_sources": join(closed["data_sources"], current["data_sources"], None),
        "status": join(closed["status"], current["status"], 0),
        "restarts": join(closed["restarts"], current["restarts"], 0),
        "sandbox": join(closed["sandbox"], current["sandbox"], 0),
    }


def _verifier_alerts(
    name: str, last: tuple[int, int, float], before: tuple[int, int, float]
) -> list[dict[str, Any]]:
    """Alerts of one verifier from (items, timeouts and errors, reward sum) of the last
    :data:`RECENT_S` seconds and of the rest of the window."""
    found = []
    count, failures, reward_sum = last
    earlier_count, earlier_failures, earlier_sum = before
    if count >= MIN_ALERT_ITEMS:
        failed = failures / count
        earlier = earlier_failures / earlier_count if earlier_count else 0.0
        if failed >= FAILURE_RATE_ALARM or (
            failed >= FAILURE_RATE_JUMP and failed - earlier >= FAILURE_RATE_JUMP
        ):
            found.append(
                {
                    "kind": "failure_rate",
                    "subject": name,
                    "message": f"{name}: {failed:.0%} of the last {count} items timed out "
                    f"or failed in the last {RECENT_S:g} s (before: {earlier:.0%})",
                }
            )
    if count >= MIN_ALERT_ITEMS and earlier_count >= MIN_ALERT_ITEMS:
        now_mean, then_mean = reward_sum / count, earlier_sum / earlier_count
        if abs(now_mean - then_mean) >= MEAN_REWARD_JUMP:
            found.append(
                {
                    "kind": "mean_reward",
                    "subject": name,
                    "message": f"{name}: mean reward went from {then_mean:.2f} to "
                    f"{now_mean:.2f} in the last {RECENT_S:g} s",
                }
            )
    return found
