"""Caller mistakes that would make every reward of a batch the same, found and named.

A quiet constant reward is the worst failure of a reward service: training goes on and
learns nothing. Two shapes of it are caught here. Items for which no verifier can be chosen
are the caller's configuration (:class:`UnresolvedVerifier`, refused by the framework entry
points with the fix in the message); a batch whose every item failed is reported
(:func:`failed_batch`, a header, a metric and a rate-limited log line) but still answered.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Sequence

from reward_server.models import Result
from reward_server.worker import MAX_DETAIL_CHARS
from verifiers.base import Status

FAILED_BATCH_LOG_INTERVAL_S = 10.0
"""At most one warning line per interval about batches in which every item failed; the
line counts the batches it stands for."""
FAILED = frozenset({Status.INVALID_INPUT, Status.ERROR})
"""Statuses that, when a whole batch has them, make its rewards a constant."""
MAX_PROBLEMS_SHOWN = 3
MAX_NAME_CHARS = 100
"""Names from requests (verifiers, data sources) are cut to this length in messages."""
UNRESOLVED_FIX = (
    "name a verifier in each item, route its data_source (the server's routes setting), "
    "or set the server's default_verifier (REWARD_SERVER_DEFAULT_VERIFIER=math)"
)


class UnresolvedVerifier(ValueError):
    """Items for which no installed verifier can be chosen: a mistake in the caller's
    configuration (every such item would get the same failure reward), not in its data."""


def describe_unresolved(
    problems: list[tuple[int, str]], total: int, installed: str, fix: str
) -> str:
    """One message for the unresolved items of a batch of ``total``: the first few, the
    installed verifiers, and ``fix``."""
    shown = "; ".join(f"item {index} {why}" for index, why in problems[:MAX_PROBLEMS_SHOWN])
    more = len(problems) - MAX_PROBLEMS_SHOWN
    shown += f" (+{more} more)" if more > 0 else ""
    return (
        f"{len(problems)} of {total} items have no verifier: {shown}. "
        f"Installed verifiers: {installed}. Fix: {fix}."
    )


def failed_batch(results: Sequence[Result]) -> str | None:
    """A one-line warning when every result of a non-empty batch is ``invalid_input`` or
    ``error``, with the first result's detail; else ``None``."""
    if not results or any(result.status not in FAILED for result in results):
        return None
    counts = collections.Counter(result.status.value for result in results)
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    detail = " ".join((results[0].detail or "").split())[:MAX_DETAIL_CHARS]
    return f"every item of this batch failed ({statuses}); first: {detail}"


class Throttle:
    """Lets one event through per interval and counts the ones it held back."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._last = -math.inf
        self._held = 0
        self._lock = threading.Lock()

    def quiet(self) -> int | None:
        """``None`` to stay quiet; else how many events were held back since the last one."""
        with self._lock:
            now = time.monotonic()
            if now - self._last < self.interval_s:
                self._held += 1
                return None
            held, self._held, self._last = self._held, 0, now
            return held
