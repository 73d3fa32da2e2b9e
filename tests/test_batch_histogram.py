"""BatchHistogram exposes exactly what prometheus_client's Histogram would for the same
observations (but the ``_created`` samples), whatever the values and however they are
batched."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from reward_server.metrics import LATENCY_BUCKETS, REWARD_BUCKETS, BatchHistogram

LABELS = st.tuples(st.sampled_from(["math", "exact_match"]), st.sampled_from(["a", "(none)"]))
VALUES = st.floats(min_value=-3, max_value=400, allow_nan=False) | st.sampled_from(
    [*REWARD_BUCKETS, *LATENCY_BUCKETS]  # the bounds themselves: a value on a bound is in it
)


def exposition(registry: CollectorRegistry) -> list[str]:
    lines = generate_latest(registry).decode().splitlines()
    return sorted(line for line in lines if "_created" not in line and "HELP" not in line)


@settings(max_examples=60, deadline=None)
@given(
    buckets=st.sampled_from([REWARD_BUCKETS, LATENCY_BUCKETS]),
    batches=st.lists(st.tuples(LABELS, st.lists(VALUES, max_size=30)), max_size=6),
)
def test_the_same_exposition_as_a_histogram(buckets, batches) -> None:
    ours_registry, theirs_registry = CollectorRegistry(), CollectorRegistry()
    ours = BatchHistogram("h", "doc", ["verifier", "source"], buckets, ours_registry)
    theirs = Histogram(
        "h", "doc", ["verifier", "source"], buckets=buckets, registry=theirs_registry
    )
    for labels, values in batches:
        ours.observe(labels, values)
        child = theirs.labels(*labels)
        for value in values:
            child.observe(value)
    assert exposition(ours_registry) == exposition(theirs_registry)
