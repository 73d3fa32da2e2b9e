"""What every backend shares: availability, its description, and the async form of ``run``."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from sandbox.types import ExecResult, Limits, SandboxUnavailable, Workspace


class Backend(ABC):
    name: str
    unavailable_reason: str | None = None

    @abstractmethod
    def run(
        self,
        command: Sequence[str] | str,
        workspace: Workspace = None,
        limits: Limits | None = None,
        **options: Any,
    ) -> ExecResult:
        """Run ``command`` (argv, or a string for ``/bin/sh -c``) in a fresh copy of
        ``workspace``, within ``limits``."""

    @abstractmethod
    def sweep(self) -> int:
        """Remove what runs of a dead server left behind; returns how many things."""

    @abstractmethod
    def isolation(self) -> str:
        """One line on how runs are confined, for /readyz and the start-up log."""

    def details(self) -> dict[str, object]:
        return {}

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
