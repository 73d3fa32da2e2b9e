"""Bounded capture of a command's output: the head and the tail, never more than the limit.

Test runners print their summary last, so when output overflows the middle is what goes.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import BinaryIO

ELISION = b"\n[... %d bytes elided by the sandbox ...]\n"


class BoundedCapture:
    def __init__(self, limit: int) -> None:
        self._head_limit = limit - limit // 2
        self._tail_limit = limit // 2
        self._head = bytearray()
        self._tail: deque[bytes] = deque()
        self._tail_size = 0
        self.total = 0

    @property
    def truncated(self) -> bool:
        return self.total > self._head_limit + self._tail_limit

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self._head_limit - len(self._head)
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
        if not chunk or not self._tail_limit:
            return
        self._tail.append(chunk)
        self._tail_size += len(chunk)
        while self._tail_size - len(self._tail[0]) >= self._tail_limit:
            self._tail_size -= len(self._tail.popleft())

    def value(self) -> bytes:
        tail = b"".join(self._tail)[-self._tail_limit :] if self._tail_limit else b""
        if not self.truncated:
            return bytes(self._head) + tail
        dropped = self.total - len(self._head) - len(tail)
        return bytes(self._head) + ELISION % dropped + tail


def drain_in_thread(stream: BinaryIO, capture: BoundedCapture) -> threading.Thread:
    """Read ``stream`` to its end into ``capture`` on a daemon thread, so a pipe never fills."""

    def pump() -> None:
        with stream:
            while chunk := stream.read1(1 << 16):
                capture.feed(chunk)

    thread = threading.Thread(target=pump, daemon=True, name="sandbox-output")
    thread.start()
    return thread
