"""Prometheus metrics of one server process, served at ``/metrics``.

Workers report what they did with each item (its verifier time, its sandbox runs), so every
series is counted here, in the server process: no multiprocess mode, no files.
"""

from __future__ import annotations

import bisect
import collections
import itertools
import math
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics_core import HistogramMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

# Item latencies span 50 µs (exact_match) to minutes (swe_tests).
LATENCY_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
)  # fmt: skip
REWARD_BUCKETS = (-1.0, -0.5, 0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
MAX_DATA_SOURCE_LABELS = 32
MAX_LABEL_CHARS = 100
"""Data sources that become labels: the first ones this process sees; later ones count as
"(other)", since names from requests must not grow the series without bound."""


class _Series:
    """One label set of a BatchHistogram: counts per bucket (not cumulative), and the sum."""

    __slots__ = ("counts", "total")

    def __init__(self, buckets: int) -> None:
        self.counts = [0] * buckets
        self.total = 0.0


class BatchHistogram(Collector):
    """A labelled histogram fed a batch of values at a time: one lock and a C bisect per
    value. prometheus_client's Histogram takes a lock and scans its buckets in Python for
    every observation, which cost the engine about a fifth of its rate on cheap items. The
    exposition is Histogram's, but for its ``_created`` samples."""

    def __init__(
        self,
        name: str,
        documentation: str,
        labelnames: Sequence[str],
        buckets: Sequence[float],
        registry: CollectorRegistry,
    ) -> None:
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)
        self.upper_bounds = (*buckets, math.inf)
        self._series: dict[tuple[str, ...], _Series] = {}
        self._lock = threading.Lock()
        registry.register(self)

    def observe(self, labels: tuple[str, ...], values: Iterable[float]) -> None:
        bounds = self.upper_bounds
        with self._lock:
            series = self._series.get(labels)
            if series is None:
                series = self._series[labels] = _Series(len(bounds))
            counts, total = series.counts, series.total
            for value in values:  # added in order, as Histogram does: the same float sum
                counts[bisect.bisect_left(bounds, value)] += 1
                total += value
            series.total = total

    def collect(self) -> Iterator[HistogramMetricFamily]:
        family = HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)
        with self._lock:
            snapshot = [(key, list(v.counts), v.total) for key, v in self._series.items()]
        for key, counts, total in snapshot:
            labels = dict(zip(self.labelnames, key, strict=True))
            cumulative = list(itertools.accumulate(counts))
            for bound, count in zip(self.upper_bounds, cumulative, strict=True):
                family.add_sample(
                    f"{self.name}_bucket", {**labels, "le": floatToGoString(bound)}, count
                )
            # As Histogram does: a count always, a sum only when no bucket is negative
            # (HistogramMetricFamily.add_metric leaves out both).
            family.add_sample(f"{self.name}_count", labels, cumulative[-1])
            if self.upper_bounds[0] >= 0:
                family.add_sample(f"{self.name}_sum", labels, total)
        yield family

    def describe(self) -> Iterator[HistogramMetricFamily]:
        yield HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            "reward_server_requests",
            "HTTP requests by endpoint and status code.",
            ["endpoint", "code"],
            registry=registry,
        )
        self.request_seconds = Histogram(
            "reward_server_request_duration_seconds",
            "HTTP request latency by endpoint.",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.items = Counter(
            "reward_server_items",
            "Scored items by verifier and status.",
            ["verifier", "status"],
            registry=registry,
        )
        self.item_seconds = BatchHistogram(
            "reward_server_item_duration_seconds",
            "Time an item spent in its verifier, by verifier.",
            ["verifier"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.timeouts = Counter(
            "reward_server_timeouts",
            "Items that overran their deadline (their worker was killed).",
            ["verifier"],
            registry=registry,
        )
        self.worker_restarts = Counter(
            "reward_server_worker_restarts",
            "Worker processes replaced after a timeout kill or a crash.",
            ["reason"],
            registry=registry,
        )
        self.queue_depth = Gauge(
            "reward_server_queue_depth",
            "Items accepted and waiting for a worker.",
            registry=registry,
        )
        self.in_flight = Gauge(
            "reward_server_in_flight_items",
            "Items being scored by a worker now.",
            registry=registry,
        )
        self.rejected = Counter(
            "reward_server_rejected_requests",
            "Requests refused with 503 because the queue of pending items was full.",
            registry=registry,
        )
        self.failed_batches = Counter(
            "reward_server_failed_batches",
            "Batches in which every item failed (invalid_input or error): a constant reward, "
            "most often a caller's configuration mistake.",
            registry=registry,
        )
        self.misconfigured = Counter(
            "reward_server_misconfigured_requests",
            "Requests refused because the caller's configuration cannot give real rewards "
            "(no verifier resolvable, empty labels).",
            ["endpoint", "reason"],
            registry=registry,
        )
        self.sandbox_runs = Counter(
            "reward_server_sandbox_runs",
            "Sandbox runs by backend and outcome (ok, failed, timeout, oom, error).",
            ["backend", "outcome"],
            registry=registry,
        )

        self.rewards = BatchHistogram(
            "reward_server_reward",
            "Rewards given, by verifier and data source (the first "
            f"{MAX_DATA_SOURCE_LABELS} data sources seen; the rest as (other)).",
            ["verifier", "data_source"],
            buckets=REWARD_BUCKETS,
            registry=registry,
        )
        self._source_labels: set[str] = set()
        self._source_lock = threading.Lock()
        self._children: dict[tuple[object, tuple[str, ...]], Any] = {}

    def child(self, metric: Any, *values: str) -> Any:
        """``metric.labels(*values)``, remembered: prometheus_client validates the values
        and takes a lock on every look-up, a measurable share of a one-item request. The
        label sets are bounded (endpoints, verifiers, statuses, capped data sources)."""
        key = (metric, values)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = metric.labels(*values)
        return found

    def rewards_given(self, given: Iterable[tuple[str, str | None, float]]) -> None:
        """(verifier, data source, reward) of a batch's items."""
        by_label: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
        labels: dict[str | None, str] = {}  # a look-up takes a lock: once per source a batch
        for verifier, source, reward in given:
            label = labels.get(source)
            if label is None:
                label = labels[source] = self._source_label(source)
            by_label[verifier, label].append(reward)
        for labels, rewards in by_label.items():
            self.rewards.observe(labels, (r if math.isfinite(r) else 0.0 for r in rewards))

    def _source_label(self, source: str | None) -> str:
        if source is None:
            return "(none)"
        source = source[:MAX_LABEL_CHARS]
        with self._source_lock:
            if source in self._source_labels:
                return source
            if len(self._source_labels) < MAX_DATA_SOURCE_LABELS:
                self._source_labels.add(source)
                return source
        return "(other)"

    def set_pending(self, pending: int, workers: int) -> None:
        self.in_flight.set(min(pending, workers))
        self.queue_depth.set(max(pending - workers, 0))

    def items_done(self, done: Iterable[tuple[str, str, float]]) -> None:
        """(verifier, status, elapsed ms) of a batch's items, counted per label set rather
        than per item: label lookups take a lock each."""
        counts: collections.Counter[tuple[str, str]] = collections.Counter()
        durations: dict[str, list[float]] = collections.defaultdict(list)
        for verifier, status, elapsed_ms in done:
            counts[verifier, status] += 1
            if status != "timeout" and elapsed_ms:
                durations[verifier].append(elapsed_ms / 1000.0)
        for (verifier, status), count in counts.items():
            self.child(self.items, verifier, status).inc(count)
            if status == "timeout":
                self.child(self.timeouts, verifier).inc(count)
        for verifier, seconds in durations.items():
            self.item_seconds.observe((verifier,), seconds)

    def sandbox(self, runs: Mapping[str, int]) -> None:
        for key, count in runs.items():
            backend, _, outcome = key.partition(":")
            self.sandbox_runs.labels(backend, outcome).inc(count)
