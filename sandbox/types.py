"""The sandbox's vocabulary: what a run may use, what it gave back, and how it can fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from typing import Union

MiB = 2**20
GiB = 2**30

# A directory on the host (copied, never mounted), a .tar/.tar.gz as bytes, files by
# relative path, or layers: a list of (subdirectory, workspace) placed in order. Each run
# gets its own fresh, writable copy.
Workspace = Union[
    str,
    "PathLike[str]",
    bytes,
    dict[str, str | bytes],
    list[tuple[str, "Workspace"]],
    None,
]


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run. Every run has all of them: there is no unlimited."""

    wall_s: float = 30.0
    cpu_s: float = 30.0
    memory_bytes: int = 1 * GiB
    processes: int = 64
    output_bytes: int = 1 * MiB
    file_size_bytes: int = 64 * MiB

    def __post_init__(self) -> None:
        for name in ("wall_s", "cpu_s", "memory_bytes", "processes", "output_bytes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"Limits.{name} must be positive, got {getattr(self, name)!r}")
        if self.file_size_bytes < 0:
            raise ValueError("Limits.file_size_bytes must not be negative")


@dataclass(frozen=True)
class ExecResult:
    """What one run gave back. ``exit_code`` is negative when a signal ended the command."""

    exit_code: int
    stdout: bytes
    stderr: bytes
    duration_s: float
    timed_out: bool = False
    oom_killed: bool = False
    # True when stdout or stderr went past Limits.output_bytes and its middle was dropped.
    output_truncated: bool = False
    # Files asked for with ``collect=``, read from the work dir after the run, by relative path.
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and not self.oom_killed

    @property
    def outcome(self) -> str:
        """One word for metrics and logs: ok, failed, timeout or oom."""
        if self.timed_out:
            return "timeout"
        if self.oom_killed:
            return "oom"
        return "ok" if self.exit_code == 0 else "failed"


class SandboxError(Exception):
    """A run could not be carried out (bad workspace, engine error); not the command's fault."""


class SandboxUnavailable(SandboxError):
    """The backend cannot isolate code on this host; the message says exactly why."""


class ImageNotFound(SandboxError):
    """The engine does not have the image a run names, and may not pull it."""
