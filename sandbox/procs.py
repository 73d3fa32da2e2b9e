"""Small facts about host processes."""

from __future__ import annotations

import contextlib
import os


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
    its owner is this process, before any run, or is gone."""
    return owner_pid == os.getpid() or not pid_alive(owner_pid)


def processes_of(uid: int) -> int:
    """How many processes ``uid`` owns on this host (what RLIMIT_NPROC counts)."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                count += entry.stat().st_uid == uid
    return count
