"""Concurrency slots shared by every process of the server, each with its own uid.

RLIMIT_NPROC counts processes per uid, so concurrent runs must not share one: slot ``k``
runs as ``uid_base + k``. A slot is held through an advisory lock on a file, which the
kernel releases when its holder dies, so a crashed worker never leaks a slot.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sandbox.types import SandboxError


def ensure_private_dir(path: Path, *, mode: int) -> None:
    """``path`` is a real directory of ours with ``mode``, or SandboxError: under /tmp or
    /var/tmp another user could have made it first, or a symlink to somewhere else."""
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise SandboxError(f"{path} is not a directory (a symlink or file was planted there)")
    if info.st_uid != os.geteuid():
        raise SandboxError(f"{path} belongs to uid {info.st_uid}, not to this server")
    if stat.S_IMODE(info.st_mode) != mode:
        os.chmod(path, mode)


@dataclass(frozen=True)
class Slot:
    index: int
    uid: int
    gid: int


class SlotPool:
    def __init__(self, lock_dir: Path, count: int, uid_base: int) -> None:
        self.lock_dir = lock_dir
        self.count = count
        self.uid_base = uid_base
        lock_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        ensure_private_dir(lock_dir, mode=0o700)

    @contextlib.contextmanager
    def acquire(self, timeout_s: float) -> Iterator[Slot]:
        deadline = time.monotonic() + timeout_s
        # Start at a per-process offset so that workers do not all contend for slot 0.
        start = os.getpid() % self.count
        while True:
            for step in range(self.count):
                index = (start + step) % self.count
                # O_NOFOLLOW: a planted slot-N.lock symlink must not make us create a file
                # elsewhere.
                fd = os.open(
                    self.lock_dir / f"slot-{index}.lock",
                    os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW,
                    0o600,
                )
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                try:
                    uid = self.uid_base + index
                    yield Slot(index, uid, uid)
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
                return
            if time.monotonic() > deadline:
                raise SandboxError(f"all {self.count} sandbox slots stayed busy for {timeout_s} s")
            time.sleep(0.01)
