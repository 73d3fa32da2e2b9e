"""What a killed worker's sandbox runs left behind, removed by the server within seconds.

A worker killed at its item's deadline (or dead of a crash) cannot clean up: its local
run's processes die with bubblewrap, but the work dir and cgroups stay, and a docker run's
container goes on until its own timeout, then stays with its volume. Each backend already
knows how to sweep runs whose owner process is gone; the server calls it, in a thread of
its own, right after it has seen a worker die, instead of leaving it to the next worker's
start-up.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import sandbox

log = logging.getLogger(__name__)

SETTLE_S = 0.5
"""The killed process must be reaped before its runs count as left behind."""


class Sweeper:
    """Sweeps the configured backend once per burst of deaths, never two at a time."""

    def __init__(self, backend_config: dict[str, Any]) -> None:
        config = dict(backend_config)
        self.name = config.pop("backend")
        self.config = sandbox.hashable_config(config)
        self._lock = threading.Lock()
        self._running = self._again = False

    def soon(self) -> None:
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._loop, daemon=True, name="sandbox-sweep").start()

    def _loop(self) -> None:
        while True:
            time.sleep(SETTLE_S)
            self.sweep()
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False

    def sweep(self) -> int:
        try:
            backend = sandbox.get_backend(self.name, **self.config)
            if backend.unavailable_reason is not None:
                return 0
            swept = backend.sweep()
        except Exception as exc:  # a sweep that fails must not take the server down
            log.warning("sandbox sweep failed: %s", exc)
            return 0
        if swept:
            log.info("swept %d sandbox leftovers of a killed worker", swept)
        return swept
