"""A cgroup per run, for memory and process limits that hold for the whole process tree.

Works on cgroup v1 (one hierarchy per controller) and v2 (unified). The run's group is
made under this process's own group, so whatever limits the host put on the server apply
to the sandbox too. Only root can do this; others get ``None`` from ``CgroupFactory.probe``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sandbox.procs import is_leftover

PARENT_NAME = "reward-server-sandbox"
CONTROLLERS = ("memory", "pids")


def _own_paths() -> dict[str, str]:
    """Controller (or "" for v2) -> this process's cgroup path, from /proc/self/cgroup."""
    paths: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _mounts() -> dict[str, tuple[str, str]]:
    """Controller (or "" for v2) -> (mount point, root of the hierarchy shown there)."""
    mounts: dict[str, tuple[str, str]] = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        separator = fields.index("-")
        fstype, options = fields[separator + 1], fields[separator + 3].split(",")
        root, mount_point = fields[3], fields[4]
        if fstype == "cgroup2":
            mounts.setdefault("", (mount_point, root))
        elif fstype == "cgroup":
            for controller in CONTROLLERS:
                if controller in options:
                    mounts.setdefault(controller, (mount_point, root))
    return mounts


def _join(mount_point: str, root: str, path: str) -> Path:
    relative = os.path.relpath(path, root) if path.startswith(root) else path.lstrip("/")
    return Path(mount_point) / ("" if relative == "." else relative.lstrip("/"))


@dataclass
class RunCgroup:
    """One run's group (a directory per v1 controller, or one v2 directory)."""

    directories: list[Path]
    version: int

    @property
    def procs_files(self) -> list[Path]:
        return [directory / "cgroup.procs" for directory in self.directories]

    def oom_killed(self) -> bool:
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        for directory in self.directories:
            with contextlib.suppress(OSError):
                for line in (directory / name).read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "oom_kill" and int(value) > 0:
                        return True
        return False

    def pids(self) -> set[int]:
        found: set[int] = set()
        for path in self.procs_files:
            with contextlib.suppress(OSError):
                found.update(int(pid) for pid in path.read_text().split())
        return found

    def kill_all(self, grace_s: float = 5.0) -> bool:
        """SIGKILL every process in the group until it is empty; False if some survived."""
        if self.version == 2:
            with contextlib.suppress(OSError):
                (self.directories[0] / "cgroup.kill").write_text("1")
        deadline = time.monotonic() + grace_s
        while pids := self.pids():
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def remove(self) -> None:
        for directory in self.directories:
            for _ in range(200):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # EBUSY while the last killed tasks are being reaped
                    time.sleep(0.005)


class CgroupFactory:
    """Where run groups go on this host; ``probe`` says why there are none, if so."""

    def __init__(self, parents: list[Path], version: int) -> None:
        self.parents = parents
        self.version = version

    @classmethod
    def probe(cls) -> tuple[CgroupFactory | None, str]:
        if os.geteuid() != 0:
            return None, "not running as root, so no cgroup per run (rlimits only)"
        try:
            own, mounts = _own_paths(), _mounts()
        except OSError as exc:
            return None, f"cgroups unreadable: {exc}"
        try:
            if all(controller in mounts for controller in CONTROLLERS):
                parents = [
                    _join(*mounts[controller], own.get(controller, "/")) / PARENT_NAME
                    for controller in CONTROLLERS
                ]
                for parent in parents:
                    parent.mkdir(exist_ok=True)
                factory = cls(parents, version=1)
            elif "" in mounts:
                factory = cls([cls._v2_parent(_join(*mounts[""], own.get("", "/")))], version=2)
            else:
                return None, "no memory and pids cgroup controllers are mounted"
            factory.create().remove()
        except OSError as exc:
            return None, f"cannot create cgroups: {exc}"
        return factory, f"cgroup v{factory.version}"

    @staticmethod
    def _v2_parent(own: Path) -> Path:
        # v2 lets a group with processes have no controller-enabled children, so the run
        # groups go under a sibling-free child of the root or of our own group.
        parent = own / PARENT_NAME
        parent.mkdir(exist_ok=True)
        for directory in (own, parent):
            (directory / "cgroup.subtree_control").write_text(
                " ".join(f"+{controller}" for controller in CONTROLLERS)
            )
        return parent

    def create(self, memory_bytes: int | None = None, pids: int | None = None) -> RunCgroup:
        name = f"run-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        directories = [parent / name for parent in self.parents]
        for directory in directories:
            directory.mkdir()
        group = RunCgroup(directories, self.version)
        try:
            self._limit(group, memory_bytes, pids)
        except OSError:
            group.remove()
            raise
        return group

    def _limit(self, group: RunCgroup, memory_bytes: int | None, pids: int | None) -> None:
        if self.version == 2:
            (directory,) = group.directories
            if memory_bytes:
                (directory / "memory.max").write_text(str(memory_bytes))
                with contextlib.suppress(OSError):
                    (directory / "memory.swap.max").write_text("0")
            if pids:
                (directory / "pids.max").write_text(str(pids))
            return
        memory_dir, pids_dir = group.directories
        if memory_bytes:
            (memory_dir / "memory.limit_in_bytes").write_text(str(memory_bytes))
            with contextlib.suppress(OSError):  # absent when swap accounting is off
                (memory_dir / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
        if pids:
            (pids_dir / "pids.max").write_text(str(pids))

    def sweep(self) -> int:
        """Kill and remove run groups left by a server that died; returns how many."""
        leftovers: dict[str, list[Path]] = {}
        for parent in self.parents:
            with contextlib.suppress(OSError):
                for child in parent.iterdir():
                    if child.is_dir() and child.name.startswith("run-"):
                        leftovers.setdefault(child.name, []).append(child)
        swept = 0
        for name, directories in leftovers.items():
            owner = int(name.split("-")[1])
            if not is_leftover(owner):
                continue
            group = RunCgroup(directories, self.version)
            group.kill_all()
            group.remove()
            swept += 1
        return swept
