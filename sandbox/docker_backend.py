"""The Docker backend: a fresh, locked-down container per run, through the docker SDK.

Default mode: the container runs as ``65534:65534`` on a read-only root, with the work dir
on a fresh volume (the image must own ``/work`` to that uid, as the sandbox image does).
Images that need a writable root (SWE-bench's keep the repository at ``/testbed`` and run
as root) pass ``writable_root=True`` and usually ``user=None`` and ``workdir="/testbed"``.
Either way: no network, memory = memory+swap limit, pids limit, CPU quota, every
capability dropped, no-new-privileges, an init process, and a kill at the deadline.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import tarfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sandbox.base import Backend
from sandbox.output import BoundedCapture
from sandbox.procs import is_leftover
from sandbox.slots import SlotPool
from sandbox.types import ExecResult, Limits, SandboxError, Workspace
from sandbox.workspace import relative_path, to_tar

LABEL = "reward-server.sandbox"
OWNER_LABEL = "reward-server.sandbox.owner"
DEFAULT_IMAGE = "reward-server-sandbox:latest"
DEFAULT_USER = "65534:65534"
_DEFAULT = object()


@dataclass(frozen=True)
class DockerConfig:
    # None: the DOCKER_HOST environment variable, else the default socket.
    base_url: str | None = None
    image: str = DEFAULT_IMAGE
    cpus: float = 1.0
    slots: int = 8
    lock_dir: str = "/tmp/reward-server-docker-slots"


def _ids(user: str | None) -> tuple[int, int]:
    if user is None:
        return 0, 0
    uid, _, gid = user.partition(":")
    if not uid.isdigit() or (gid and not gid.isdigit()):
        raise SandboxError(f"docker user must be numeric 'uid:gid', got {user!r}")
    return int(uid), int(gid or uid)


class DockerBackend(Backend):
    name = "docker"

    def __init__(self, config: DockerConfig | None = None) -> None:
        self.config = config or DockerConfig()
        self._client: Any = None
        self.slots = SlotPool(
            Path(self.config.lock_dir),
            self.config.slots,
            uid_base=0,
        )
        self.unavailable_reason = self._probe()
        if self._client is not None:
            with contextlib.suppress(Exception):
                self.sweep()

    def _probe(self) -> str | None:
        try:
            import docker
        except ImportError:
            return "the docker package is not installed"
        try:
            self._client = (
                docker.DockerClient(base_url=self.config.base_url, timeout=120)
                if self.config.base_url
                else docker.from_env(timeout=120)
            )
            self._client.ping()
        except Exception as exc:
            address = (
                self.config.base_url
                or os.environ.get("DOCKER_HOST")
                or "unix:///var/run/docker.sock"
            )
            return f"no Docker engine answers at {address}: {exc}"
        try:
            self._client.images.get(self.config.image)
        except Exception:
            return f"default image {self.config.image!r} not found (make sandbox-image builds it)"
        return None

    def isolation(self) -> str:
        return (
            "container: no network, cap_drop ALL, no-new-privileges, memory/pids/cpu limits, "
            "read-only root by default"
        )

    def details(self) -> dict[str, object]:
        return {"image": self.config.image}

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def sweep(self) -> int:
        """Remove containers and volumes left by a server that died; returns how many."""
        if self._client is None:
            return 0
        swept = 0
        for container in self._client.containers.list(all=True, filters={"label": LABEL}):
            owner = int(container.labels.get(OWNER_LABEL, "0"))
            if not is_leftover(owner):
                continue
            with contextlib.suppress(Exception):
                container.remove(force=True, v=True)
                swept += 1
        for volume in self._client.volumes.list(filters={"label": LABEL}):
            with contextlib.suppress(Exception):  # in use by a live run: kept
                volume.remove()
                swept += 1
        return swept

    def _run(
        self,
        argv: list[str],
        workspace: Workspace,
        limits: Limits,
        *,
        env: dict[str, str] | None = None,
        collect: Sequence[str] = (),
        image: str | None = None,
        workdir: str = "/work",
        writable_root: bool = False,
        user: str | object | None = _DEFAULT,
    ) -> ExecResult:
        """Run ``command`` in a new container of ``image``; see the module docstring."""
        if not PurePosixPath(workdir).is_absolute():
            raise SandboxError(f"workdir must be absolute: {workdir!r}")
        run_user: str | None = DEFAULT_USER if user is _DEFAULT else user  # type: ignore[assignment]
        uid, gid = _ids(run_user)
        with self.slots.acquire(timeout_s=limits.wall_s):
            return self._container_run(
                argv,
                workspace,
                limits,
                env=env or {},
                collect=collect,
                image=image or self.config.image,
                workdir=workdir,
                writable_root=writable_root,
                user=run_user,
                uid=uid,
                gid=gid,
            )

    def _container_run(
        self,
        argv: list[str],
        workspace: Workspace,
        limits: Limits,
        *,
        env: dict[str, str],
        collect: Sequence[str],
        image: str,
        workdir: str,
        writable_root: bool,
        user: str | None,
        uid: int,
        gid: int,
    ) -> ExecResult:
        import docker
        import requests  # docker's transport: its timeouts are requests'
        from docker.types import LogConfig, Mount, Ulimit

        labels = {LABEL: "1", OWNER_LABEL: str(os.getpid())}
        cpu_s = math.ceil(limits.cpu_s)
        # A second watchdog inside the container: if this process dies mid-run (a worker
        # killed at its item deadline), the command still ends, and the next sweep removes it.
        guarded = ["timeout", "-s", "KILL", str(math.ceil(limits.wall_s) + 10), *argv]
        options: dict[str, Any] = dict(
            image=image,
            command=guarded,
            user=user,
            working_dir=workdir,
            environment={"HOME": workdir, "TMPDIR": "/tmp", "LANG": "C.UTF-8", **env},
            network_mode="none",
            mem_limit=limits.memory_bytes,
            memswap_limit=limits.memory_bytes,
            pids_limit=limits.processes,
            nano_cpus=int(self.config.cpus * 1e9),
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            init=True,
            labels=labels,
            # The engine keeps no copy of the output: we read it from the attach stream.
            log_config=LogConfig(type=LogConfig.types.NONE),
            ulimits=[
                Ulimit(name="cpu", soft=cpu_s, hard=cpu_s),
                Ulimit(name="fsize", soft=limits.file_size_bytes, hard=limits.file_size_bytes),
                Ulimit(name="core", soft=0, hard=0),
                Ulimit(name="nofile", soft=1024, hard=1024),
            ],
            tmpfs={"/tmp": f"size={limits.memory_bytes},mode=1777"},
        )
        client = self._client
        volume = container = None
        started = time.monotonic()
        try:
            if writable_root:
                archive = _prefixed_tar(workspace, workdir, uid, gid)
            else:
                volume = client.volumes.create(labels=labels)
                options.update(read_only=True, mounts=[Mount(workdir, volume.name, type="volume")])
                archive = to_tar(workspace, uid=uid, gid=gid) if workspace is not None else None
            container = client.containers.create(**options)
            if archive is not None:
                container.put_archive("/" if writable_root else workdir, archive)
            socket = container.attach_socket(params={"stdout": 1, "stderr": 1, "stream": 1})
            stdout, stderr = (BoundedCapture(limits.output_bytes) for _ in range(2))
            reader = _read_in_thread(socket, stdout, stderr)
            container.start()
            timed_out = False
            try:
                exit_code = container.wait(timeout=limits.wall_s)["StatusCode"]
            except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
                # The watchdog: `wait` gave up at the deadline. Any other engine error is
                # ours, not a verdict on the code that ran.
                timed_out = True
                with contextlib.suppress(docker.errors.APIError):
                    container.kill()
                exit_code = container.wait(timeout=30)["StatusCode"]
            duration = time.monotonic() - started
            reader.join(timeout=10)
            container.reload()
            oom_killed = bool(container.attrs["State"].get("OOMKilled"))
            files = _collect(container, workdir, collect, limits.output_bytes)
            return ExecResult(
                exit_code=exit_code,
                stdout=stdout.value(),
                stderr=stderr.value(),
                duration_s=duration,
                timed_out=timed_out,
                oom_killed=oom_killed,
                output_truncated=stdout.truncated or stderr.truncated,
                files=files,
            )
        except docker.errors.ImageNotFound as exc:
            raise SandboxError(f"docker image not found: {image}") from exc
        except docker.errors.DockerException as exc:
            raise SandboxError(f"docker engine error: {exc}") from exc
        finally:
            if container is not None:
                with contextlib.suppress(Exception):
                    container.remove(force=True, v=True)
            if volume is not None:
                with contextlib.suppress(Exception):
                    volume.remove(force=True)


def _read_in_thread(
    socket: Any, stdout: BoundedCapture, stderr: BoundedCapture
) -> threading.Thread:
    from docker.utils.socket import frames_iter

    def pump() -> None:
        with contextlib.suppress(Exception):
            for stream, chunk in frames_iter(socket, tty=False):
                (stderr if stream == 2 else stdout).feed(chunk)
        with contextlib.suppress(Exception):
            socket.close()

    thread = threading.Thread(target=pump, daemon=True, name="docker-output")
    thread.start()
    return thread


def _prefixed_tar(workspace: Workspace, workdir: str, uid: int, gid: int) -> bytes | None:
    """The workspace as a tar to unpack at ``/``, its entries under ``workdir``."""
    if workspace is None:
        return None
    prefix = workdir.strip("/")
    buffer = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(to_tar(workspace, uid=uid, gid=gid))) as inner,
        tarfile.open(fileobj=buffer, mode="w") as outer,
    ):
        for member in inner.getmembers():
            content = inner.extractfile(member) if member.isfile() else None
            name = member.name.removeprefix("./").removeprefix(".")
            member.name = f"{prefix}/{name}".rstrip("/")
            outer.addfile(member, content)
    return buffer.getvalue()


def _collect(
    container: Any, workdir: str, names: Sequence[str], max_bytes: int
) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name in names:
        content = _read_file(container, PurePosixPath(workdir) / relative_path(name), max_bytes)
        if content is not None:
            files[name] = content
    return files


def _read_file(container: Any, path: PurePosixPath, max_bytes: int) -> bytes | None:
    """A regular file of the container, or None; refused if any part of the path is a link.

    The engine resolves links inside the container's root (never the host's), but a link
    planted by the run could still point at files of the image the run itself cannot read.
    """
    relative = path.relative_to(path.anchor)
    for depth in range(1, len(relative.parts) + 1):
        prefix = PurePosixPath(path.anchor, *relative.parts[:depth])
        try:
            stream, info = container.get_archive(str(prefix))
        except Exception:
            return None
        if info.get("linkTarget") or (prefix != path and not info.get("mode", 0) & (1 << 31)):
            stream.close()
            return None  # a link, or a file where a directory should be
        if prefix != path:
            stream.close()
            continue
        if info.get("size", 0) > max_bytes:
            stream.close()
            return None
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as archive:
            member = archive.next()
            if member is None or not member.isfile():
                return None
            handle = archive.extractfile(member)
            return handle.read(max_bytes) if handle else None
    return None
