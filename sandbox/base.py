"""What every backend shares: availability, its description, and the async form of ``run``."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sandbox.procs import note_run
from sandbox.types import ExecResult, Limits, SandboxError, SandboxUnavailable, Workspace

# Runs of this process by "backend:outcome" (outcome: ok, failed, timeout, oom, error);
# the server's workers report the change per item, and /metrics shows the totals.
_runs: Counter[str] = Counter()


def run_counts() -> dict[str, int]:
    return dict(_runs)


class Backend(ABC):
    name: str
    unavailable_reason: str | None = None

    def run(
        self,
        command: Sequence[str] | str,
        workspace: Workspace = None,
        limits: Limits | None = None,
        **options: Any,
    ) -> ExecResult:
        """Run ``command`` (argv, or a string for ``/bin/sh -c``) in a fresh copy of
        ``workspace``, within ``limits``. ``options`` are the backend's own (``env`` and
        ``collect`` for both)."""
        self.check()
        argv = ["/bin/sh", "-c", command] if isinstance(command, str) else list(command)
        if not argv:
            raise SandboxError("empty command")
        note_run()
        try:
            result = self._run(argv, workspace, limits or Limits(), **options)
        except SandboxError:
            self._count("error")
            raise
        self._count(result.outcome)
        return result

    @abstractmethod
    def _run(
        self, argv: list[str], workspace: Workspace, limits: Limits, **options: Any
    ) -> ExecResult: ...

    @abstractmethod
    def sweep(self) -> int:
        """Remove what runs of a dead server left behind; returns how many things."""

    @abstractmethod
    def isolation(self) -> str:
        """One line on how runs are confined, for /readyz and the start-up log."""

    def details(self) -> dict[str, object]:
        return {}

    def ensure_image(self, image: str) -> None:
        """Return when runs can use ``image``; backends without images refuse."""
        raise SandboxError(f"the {self.name} sandbox backend runs no images ({image})")

    def _count(self, outcome: str) -> None:
        _runs[f"{self.name}:{outcome}"] += 1

    async def arun(
        self,
        command: Sequence[str] | str,
        workspace: Workspace = None,
        limits: Limits | None = None,
        **options: Any,
    ) -> ExecResult:
        return await asyncio.to_thread(self.run, command, workspace, limits, **options)

    def check(self) -> None:
        if self.unavailable_reason:
            raise SandboxUnavailable(f"{self.name} sandbox unavailable: {self.unavailable_reason}")

    def describe(self) -> dict[str, object]:
        return {
            "backend": self.name,
            "available": self.unavailable_reason is None,
            "reason": self.unavailable_reason,
            "isolation": self.isolation(),
            **self.details(),
        }
