"""Large ground truths: pickled once by the server, kept by each worker under their digest.

A structured ground truth can be large: a Kubernetes schema is 916 KB of JSON. Sent as it
is, it is pickled for every task, and every worker unpickles a new object each time, which
misses every cache a verifier keys by the object (json_schema's compiled validators) and
so pays again for its cache key. A large one is packed instead: pickled once per request
(once for all the items that share it), named by a digest of those bytes. A worker
unpickles a digest it has not seen and keeps the object; for a digest it has, it takes the
kept object, the same one each time, so the verifier's caches hit. Ground truths are read,
never changed, by verifiers: items that share one already share the object in a chunk.
"""

from __future__ import annotations

import collections
import hashlib
import pickle
from dataclasses import dataclass
from typing import Any

LARGE_BYTES = 32 * 1024
"""Pickled size from which a ground truth is packed; smaller ones travel as they are."""
KEPT_BYTES = 64 * 2**20
"""Pickled bytes of the ground truths one worker keeps, oldest use dropped first; at most
1/32 of a worker's address-space limit (see reward_server.worker.init_worker)."""


@dataclass(frozen=True, slots=True)
class Packed:
    """A pickled ground truth and the digest of its bytes."""

    digest: bytes
    data: bytes


def pack(ground_truth: Any, memo: dict[int, tuple[Any, Any]]) -> Any:
    """``ground_truth``, or its :class:`Packed` form when it is large. ``memo`` spans a
    request: a ground truth shared by its items (``ground_truth_ref``) is pickled once."""
    if not isinstance(ground_truth, dict | list):
        return ground_truth
    seen = memo.get(id(ground_truth))
    if seen is not None and seen[0] is ground_truth:
        return seen[1]
    try:
        data = pickle.dumps(ground_truth, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return ground_truth  # sent as it is, its item fails alone, as it did before
    packed = ground_truth
    if len(data) >= LARGE_BYTES:
        packed = Packed(hashlib.blake2b(data, digest_size=16).digest(), data)
    memo[id(ground_truth)] = (ground_truth, packed)  # holds it: its id is not reused
    return packed


class Kept:
    """A worker's unpacked ground truths by digest, within a budget of pickled bytes."""

    def __init__(self, budget_bytes: int = KEPT_BYTES) -> None:
        self.budget_bytes = budget_bytes
        self._objects: collections.OrderedDict[bytes, tuple[Any, int]] = collections.OrderedDict()
        self._bytes = 0

    def unpack(self, value: Any) -> Any:
        """``value`` itself, or the ground truth it packs (the kept object when seen)."""
        if not isinstance(value, Packed):
            return value
        found = self._objects.get(value.digest)
        if found is not None:
            self._objects.move_to_end(value.digest)
            return found[0]
        ground_truth = pickle.loads(value.data)
        size = len(value.data)
        if size <= self.budget_bytes:
            while self._bytes + size > self.budget_bytes:
                _, (_, dropped) = self._objects.popitem(last=False)
                self._bytes -= dropped
            self._objects[value.digest] = (ground_truth, size)
            self._bytes += size
        return ground_truth

    def __len__(self) -> int:
        return len(self._objects)
