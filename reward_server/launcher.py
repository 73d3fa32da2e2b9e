"""Worker processes that start without re-running the caller's ``__main__``.

multiprocessing's forkserver and spawn start methods import the parent's main module in
every child (as ``__mp_main__``), so that functions defined there can be unpickled. Under a
training script that means ``import torch, transformers, trl`` again in each worker, seconds
apiece, and its unguarded top-level code run once more per worker. The engine's workers
only ever run functions of this package, so they skip that step: processes started through
:func:`worker_context` get the usual preparation data (``sys.path``, working directory,
authentication key, ...) without the main module's path or name. Every other process of
the program, ours or the caller's, starts exactly as multiprocessing would start it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from multiprocessing import context, popen_forkserver, spawn
from typing import Any

__all__ = ["worker_context"]

MAIN_MODULE_KEYS = ("init_main_from_path", "init_main_from_name")
"""The preparation-data entries that make a child import the parent's ``__main__``."""

_launching = threading.local()
_install_lock = threading.Lock()
_standard_preparation_data = spawn.get_preparation_data


def _preparation_data(name: str) -> dict[str, Any]:
    data = _standard_preparation_data(name)
    if getattr(_launching, "worker", False):
        for key in MAIN_MODULE_KEYS:
            data.pop(key, None)
    return data


class _WorkerPopen(popen_forkserver.Popen):
    def _launch(self, process_obj: Any) -> None:
        # A flag of this thread, so that a process another thread starts meanwhile keeps
        # its main module.
        _launching.worker = True
        try:
            super()._launch(process_obj)
        finally:
            _launching.worker = False


class _WorkerProcess(context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _WorkerPopen:
        return _WorkerPopen(process_obj)


class _WorkerContext(context.ForkServerContext):
    Process = _WorkerProcess


def worker_context(preload: Iterable[str]) -> context.ForkServerContext:
    """A forkserver context whose processes do not import ``__main__``; the forkserver
    (one per program) imports ``preload`` once, so each new worker starts in milliseconds."""
    with _install_lock:
        # popen_forkserver looks the function up on the spawn module at every launch.
        spawn.get_preparation_data = _preparation_data
    workers = _WorkerContext()
    workers.set_forkserver_preload(sorted({__name__, *preload}))
    return workers
