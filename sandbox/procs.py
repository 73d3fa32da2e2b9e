"""Small facts about host processes."""

from __future__ import annotations

import contextlib
import os

_running_pid = 0
"""The pid of this process once it has started a run (set before the run makes anything)."""


def note_run() -> None:
    """Called before a run makes a work dir, cgroup or container: from then on, what bears
    this process's pid is live, never a leftover of a dead process that had the same pid."""
    global _running_pid
    _running_pid = os.getpid()


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_leftover(owner_pid: int) -> bool:
    """Whether something a process made (a work dir, a cgroup, a container) may be swept:
    its owner is this process before it started any run (a dead process had its pid), or
    is gone. A sweep lists before it asks, and a run notes itself before it makes
    anything, so a sweep in any thread never takes a live run of this process."""
    if owner_pid == os.getpid():
        return _running_pid != owner_pid
    return not pid_alive(owner_pid)


def processes_of(uid: int) -> int:
    """How many processes ``uid`` owns on this host (what RLIMIT_NPROC counts)."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                count += entry.stat().st_uid == uid
    return count
