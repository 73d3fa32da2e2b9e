"""The daemonless backend: bubblewrap namespaces, a non-root uid per slot, rlimits and cgroups.

A run is one process chain, each link narrowing what the next may do::

    sh (joins the run's cgroup) -> prlimit -> setpriv (slot uid, no new privileges)
       -> bwrap (new user/pid/net/ipc/uts/mount namespaces) -> the command

Inside, the host is visible read-only, except the paths hidden under empty tmpfs mounts
(other runs' work dirs among them); only the work dir (``/work``) and a private ``/tmp``
are writable; there is no network but a loopback of its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import math
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sandbox import seccomp
from sandbox.base import Backend
from sandbox.cgroups import CgroupFactory, RunCgroup
from sandbox.output import BoundedCapture, drain_in_thread
from sandbox.procs import is_leftover, note_run, processes_of
from sandbox.slots import Slot, SlotPool, ensure_private_dir
from sandbox.types import ExecResult, Limits, SandboxError, Workspace
from sandbox.workspace import chown_tree, collect_files, materialize

WORK_DIR = "/work"
# The sandbox user cannot run an interpreter under /root (pyenv, venvs built from it), so
# the search path is the distribution's own: `python3` is /usr/bin/python3.
DEFAULT_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"
DEFAULT_HIDDEN = ("/root", "/home", "/run", "/var/run", "/var/lib/docker")
WORK_TMPFS_SHARE = 50
"""Per cent of the machine's memory that all work dirs together may hold."""
HIDDEN_TMPFS_BYTES = 1 << 20
"""The empty tmpfs over a hidden path: writable by the run, so sized."""

_RESOURCES = {
    "--cpu": resource.RLIMIT_CPU,
    "--fsize": resource.RLIMIT_FSIZE,
    "--core": resource.RLIMIT_CORE,
    "--nofile": resource.RLIMIT_NOFILE,
    "--nproc": resource.RLIMIT_NPROC,
    "--as": resource.RLIMIT_AS,
}


CAP_SYS_RESOURCE = 24


@functools.cache
def _can_raise_limits() -> bool:
    """Raising a hard rlimit needs CAP_SYS_RESOURCE, which containers often drop, root or not."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return bool(int(line.split()[1], 16) >> CAP_SYS_RESOURCE & 1)
    return False


def _rlimit(flag: str, value: int | None) -> str:
    """``soft:hard`` for prlimit; ``None`` is unlimited. Without the right to raise a hard
    limit, the value is capped at the one this process has."""
    if not _can_raise_limits():
        _, hard = resource.getrlimit(_RESOURCES[flag])
        if hard != resource.RLIM_INFINITY:
            value = hard if value is None else min(value, hard)
    text = "unlimited" if value is None else str(value)
    return f"{text}:{text}"


def remove_tree(path: Path) -> None:
    """Delete a work dir whatever a run left in it: ``rm -rf`` walks iteratively, where
    shutil.rmtree recurses once per level and fails on a 2,000-level tree."""
    subprocess.run(
        ["rm", "-rf", "--one-file-system", "--", str(path)], capture_output=True, check=False
    )


def _memory_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


_JOIN_CGROUP = 'for procs in $RS_CGROUP_PROCS; do echo $$ > "$procs" || exit 125; done; exec "$@"'


def _default_base_dir() -> Path:
    if os.geteuid() == 0:
        return Path("/var/tmp/reward-server-sandbox")
    return Path(tempfile.gettempdir()) / f"reward-server-sandbox-{os.geteuid()}"


@dataclass(frozen=True)
class LocalConfig:
    base_dir: Path = field(default_factory=_default_base_dir)
    # Concurrent runs across all of the server's processes; each gets uid ``uid_base + k``.
    slots: int = 16
    uid_base: int = 61000
    path: str = DEFAULT_PATH
    hidden_paths: tuple[str, ...] = DEFAULT_HIDDEN
    bwrap: str = "bwrap"


class LocalBackend(Backend):
    name = "local"

    def __init__(self, config: LocalConfig | None = None) -> None:
        self.config = config or LocalConfig()
        self.is_root = os.geteuid() == 0
        self.cgroups: CgroupFactory | None = None
        self.notes: list[str] = []
        self.unavailable_reason: str | None = None
        self.unavailable_reason = self._probe()
        if self.unavailable_reason is None:
            self.sweep()

    # -- availability ------------------------------------------------------------------

    def _probe(self) -> str | None:
        for tool in (self.config.bwrap, "prlimit") + (("setpriv",) if self.is_root else ()):
            if not shutil.which(tool):
                return f"{tool} not found (install bubblewrap and util-linux)"
        base = self.config.base_dir
        try:
            base.mkdir(parents=True, exist_ok=True)
            # Slot uids must pass through to their own work dir, and see nothing else here.
            ensure_private_dir(base, mode=0o711)
            self.notes.append(self._cap_disk(base))
            self.slots = SlotPool(base / "slots", self.config.slots, self.config.uid_base)
        except (OSError, SandboxError) as exc:
            return f"sandbox directory {base} unusable: {exc}"
        self.seccomp: bytes | None = None
        try:
            self.seccomp = seccomp.program()
        except (ImportError, OSError) as exc:
            self.notes.append(f"no seccomp filter: {exc}")
        self.cgroups, cgroup_note = CgroupFactory.probe()
        self.notes.append(cgroup_note)
        if not self.is_root:
            self.notes.append("not root: runs keep the server's uid")
        try:
            result = self._run(["/bin/sh", "-c", "exit 7"], None, Limits(wall_s=10))
        except SandboxError as exc:
            return str(exc)
        if result.exit_code != 7:
            return "bubblewrap cannot create the sandbox's namespaces: " + (
                result.stderr.decode(errors="replace").strip() or f"exit {result.exit_code}"
            )
        return None

    def _cap_disk(self, base: Path) -> str:
        """Work dirs on a tmpfs: what a run writes is memory charged to its cgroup, so its
        memory limit is its disk quota too, and all runs together stay under the tmpfs's
        size. Needs root (to mount); otherwise the disk is not capped, and said so."""
        if os.path.ismount(base):
            return f"work dirs on the mount at {base}"
        if not self.is_root:
            return "not root: work dirs on disk, their size not capped"
        size = _memory_bytes() * WORK_TMPFS_SHARE // 100
        with open(base.parent / f".{base.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the server's workers all start at once
            if not os.path.ismount(base):
                mounted = subprocess.run(
                    ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0711,nosuid,nodev",
                     "reward-server-sandbox", str(base)],
                    capture_output=True, text=True, check=False,
                )  # fmt: skip
                if mounted.returncode != 0:
                    return f"work dirs on disk, size not capped: {mounted.stderr.strip()}"
        return f"work dirs on a tmpfs of {size >> 20} MiB, charged to each run's memory"

    def isolation(self) -> str:
        parts = ["bubblewrap namespaces", "rlimits"]
        if self.is_root:
            parts.append("slot uids")
        if self.cgroups:
            parts.append(f"cgroup v{self.cgroups.version}")
        return ", ".join(parts)

    def details(self) -> dict[str, object]:
        return {"notes": self.notes}

    def sweep(self) -> int:
        """Remove work dirs and cgroups left behind by a server that was killed."""
        swept = self.cgroups.sweep() if self.cgroups else 0
        for child in self.config.base_dir.glob("run-*"):
            owner = int(child.name.split("-")[1])
            if not is_leftover(owner):
                continue
            remove_tree(child)
            swept += 1
        return swept

    # -- running -----------------------------------------------------------------------

    def _run(
        self,
        argv: list[str],
        workspace: Workspace,
        limits: Limits,
        *,
        env: dict[str, str] | None = None,
        collect: Sequence[str] = (),
    ) -> ExecResult:
        """Run in ``/work``, a fresh copy of ``workspace``; read the ``collect`` files from
        it afterwards."""
        note_run()  # the start-up probe runs here too, not through run()
        with self.slots.acquire(timeout_s=limits.wall_s) as slot:
            work_dir = self.config.base_dir / f"run-{os.getpid()}-{uuid.uuid4().hex[:12]}"
            group: RunCgroup | None = None
            try:
                work_dir.mkdir(mode=0o700)
                materialize(workspace, work_dir)
                if self.is_root:
                    chown_tree(work_dir, slot.uid, slot.gid)
                if self.cgroups:
                    group = self.cgroups.create(limits.memory_bytes, limits.processes)
                result = self._execute(argv, work_dir, slot, limits, env or {}, group)
                if collect:
                    files = collect_files(work_dir, collect, limits.output_bytes)
                    result = replace(result, files=files)
                return result
            except OSError as exc:
                raise SandboxError(f"sandbox set-up failed: {exc}") from exc
            finally:
                if group:
                    group.kill_all()
                    group.remove()
                remove_tree(work_dir)

    def _execute(
        self,
        argv: list[str],
        work_dir: Path,
        slot: Slot,
        limits: Limits,
        env: dict[str, str],
        group: RunCgroup | None,
    ) -> ExecResult:
        chain, options = self._launcher(work_dir, slot, limits, env, group)
        # bwrap reads its options from a descriptor and closes it: its command line (what
        # /proc/1/cmdline shows inside) names no host path.
        with tempfile.TemporaryFile() as options_file, tempfile.TemporaryFile() as filter_file:
            descriptors = [options_file.fileno()]
            if self.seccomp is not None:
                filter_file.write(self.seccomp)
                filter_file.flush()
                filter_file.seek(0)
                options += ["--seccomp", str(filter_file.fileno())]
                descriptors.append(filter_file.fileno())
            options_file.write(b"".join(option.encode() + b"\0" for option in options))
            options_file.flush()
            options_file.seek(0)
            return self._spawn(chain, descriptors, argv, limits, group)

    def _spawn(
        self,
        chain: list[str],
        descriptors: list[int],
        argv: list[str],
        limits: Limits,
        group: RunCgroup | None,
    ) -> ExecResult:
        launcher = [*chain, self.config.bwrap, "--args", str(descriptors[0]), "--"]
        outer_env = {"PATH": os.environ.get("PATH", DEFAULT_PATH)}
        if group:
            outer_env["RS_CGROUP_PROCS"] = " ".join(map(str, group.procs_files))
        stdout, stderr = BoundedCapture(limits.output_bytes), BoundedCapture(limits.output_bytes)
        started = time.monotonic()
        process = subprocess.Popen(
            launcher + argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=outer_env,
            start_new_session=True,
            pass_fds=tuple(descriptors),
        )
        drains = [drain_in_thread(process.stdout, stdout), drain_in_thread(process.stderr, stderr)]  # type: ignore[arg-type]
        timed_out = False
        try:
            process.wait(timeout=limits.wall_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            # Whatever is left (the timed-out command, daemons it started) dies now.
            if group:
                group.kill_all()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        duration = time.monotonic() - started
        for drain in drains:
            drain.join(timeout=5)
        exit_code = process.returncode
        return ExecResult(
            exit_code=exit_code,
            stdout=stdout.value(),
            stderr=stderr.value(),
            duration_s=duration,
            timed_out=timed_out or exit_code in (-signal.SIGXCPU, 128 + signal.SIGXCPU),
            oom_killed=bool(group and group.oom_killed()),
            output_truncated=stdout.truncated or stderr.truncated,
        )

    def _launcher(
        self,
        work_dir: Path,
        slot: Slot,
        limits: Limits,
        env: dict[str, str],
        group: RunCgroup | None,
    ) -> tuple[list[str], list[str]]:
        """The chain up to bwrap, and bwrap's options."""
        cpu_s = math.ceil(limits.cpu_s)
        rlimits: dict[str, int | None] = {
            "--cpu": cpu_s,
            "--fsize": limits.file_size_bytes,
            "--core": 0,
            "--nofile": 1024,
            "--nproc": limits.processes + (0 if self.is_root else processes_of(os.getuid())),
            # Without a memory cgroup, the address-space limit is the only memory bound;
            # with one, the limit a worker process inherited (reward-server caps its
            # workers' address space) is lifted.
            "--as": None if group else limits.memory_bytes,
        }
        launcher = ["/bin/sh", "-c", _JOIN_CGROUP, "sh"] if group else []
        launcher += [
            "prlimit",
            *(f"{flag}={_rlimit(flag, value)}" for flag, value in rlimits.items()),
        ]
        launcher.append("--")
        if self.is_root:
            launcher += [
                "setpriv",
                f"--reuid={slot.uid}",
                f"--regid={slot.gid}",
                "--clear-groups",
                "--no-new-privs",
                "--",
            ]
        options = [
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",  # no nested user namespace: no root, mounts or netns inside
            "--die-with-parent",
            "--new-session",
            "--cap-drop",
            "ALL",
            "--hostname",
            "sandbox",
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            # Every tmpfs is sized: /dev read-only but for a sized /dev/shm, /tmp as large as
            # the memory limit (its pages count against the memory cgroup too).
            "--remount-ro",
            "/dev",
            "--size",
            str(limits.memory_bytes),
            "--tmpfs",
            "/dev/shm",
            "--proc",
            "/proc",
            "--size",
            str(limits.memory_bytes),
            "--tmpfs",
            "/tmp",
        ]
        hidden = [*self.config.hidden_paths, str(self.config.base_dir)]
        for path in hidden:
            if os.path.isdir(path) and not os.path.islink(path):
                options += ["--size", str(HIDDEN_TMPFS_BYTES), "--tmpfs", path]
        options += ["--bind", str(work_dir), WORK_DIR, "--chdir", WORK_DIR, "--clearenv"]
        variables = {
            "PATH": self.config.path,
            "HOME": WORK_DIR,
            "TMPDIR": "/tmp",
            "LANG": "C.UTF-8",
            **env,
        }
        for key, value in variables.items():
            options += ["--setenv", key, value]
        return launcher, options
