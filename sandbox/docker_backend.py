"""The Docker backend: a fresh, locked-down container per run, through the docker SDK.

The root filesystem is always read-only; what a run may write are sized tmpfs mounts,
charged to its memory limit, so a run cannot fill the host's disk:

- the work dir (``/work`` by default), holding the workspace;
- ``/tmp``;
- ``image_dirs``: directories of the image a run may change, each copied from the image
  onto its own tmpfs (SWE-bench images keep the repository at ``/testbed`` and run as
  root: ``image_dirs=["/testbed"], user=None``). The copy's size is added to the limits.

The default user is ``65534:65534``; ``user=None`` is root. Either way: no network,
memory = memory+swap limit, pids limit, CPU quota, every capability dropped,
no-new-privileges, an init process, and a kill at the deadline.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sandbox import docker_transfer
from sandbox.base import Backend
from sandbox.output import BoundedCapture
from sandbox.procs import is_leftover
from sandbox.slots import SlotPool
from sandbox.types import ExecResult, ImageNotFound, Limits, SandboxError, Workspace
from sandbox.workspace import to_tar

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
    # Pull an image a run names that the engine lacks; off, such a run fails at once.
    pull: bool = False
    # Registry/namespace of images derived from dataset rows (SWE-bench's naming scheme).
    image_namespace: str | None = None


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

    def ensure_image(self, image: str) -> None:
        """Return when the engine has ``image``, pulling it first if the configuration
        allows; else raise :class:`ImageNotFound` naming it."""
        import docker

        if self._client is None:
            raise SandboxError(self.unavailable_reason or "no Docker engine")
        try:
            self._client.images.get(image)
            return
        except docker.errors.ImageNotFound:
            if not self.config.pull:
                raise ImageNotFound(
                    f"image {image} is not in the Docker engine (pull or build it first; "
                    "the server pulls only with sandbox.docker_pull)"
                ) from None
        except docker.errors.DockerException as exc:
            raise SandboxError(f"docker engine error: {exc}") from exc
        try:
            self._client.images.pull(image)
        except docker.errors.DockerException as exc:
            raise ImageNotFound(f"image {image} could not be pulled: {exc}") from exc

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
        image_dirs: Sequence[str] = (),
        user: str | object | None = _DEFAULT,
    ) -> ExecResult:
        """Run ``command`` in a new container of ``image``; see the module docstring."""
        for path in (workdir, *image_dirs):
            if not PurePosixPath(path).is_absolute() or ".." in PurePosixPath(path).parts:
                raise SandboxError(f"container paths must be absolute: {path!r}")
        # None is root, as SWE-bench images expect: the container's own user is the keeper's.
        run_user: str = DEFAULT_USER if user is _DEFAULT else (user or "0:0")  # type: ignore[assignment]
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
                image_dirs=tuple(dict.fromkeys(str(PurePosixPath(p)) for p in image_dirs)),
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
        image_dirs: tuple[str, ...],
        user: str,
        uid: int,
        gid: int,
    ) -> ExecResult:
        import docker
        import requests  # docker's transport: its timeouts are requests'
        from docker.types import LogConfig, Ulimit

        client = self._client
        labels = {LABEL: "1", OWNER_LABEL: str(os.getpid())}
        cpu_s = math.ceil(limits.cpu_s)
        wall_s = math.ceil(limits.wall_s)
        # Every writable place is a sized tmpfs, charged to the container's memory: the
        # image's directories a run may change hold their copy plus the run's own quota.
        copies = {path: docker_transfer.image_dir_bytes(client, image, path) for path in image_dirs}
        owner = f"uid={uid},gid={gid}"
        tmpfs = {"/tmp": f"size={limits.memory_bytes},mode=1777"}
        for path in (workdir, *image_dirs):
            size = limits.memory_bytes + copies.get(path, 0)
            tmpfs[path] = f"size={size},{owner},mode=0755,exec"
        memory = limits.memory_bytes + sum(copies.values())
        options: dict[str, Any] = dict(
            image=image,
            # The container only keeps the mounts alive: the command, the copy in and the
            # copy out are execs. If this process dies mid-run (a worker killed at its item
            # deadline), the keeper still ends, and the next sweep removes the container.
            command=["sleep", str(2 * wall_s + 60)],
            # Under another uid than the run's: with no capabilities, the run cannot signal
            # it (`kill -9 -1` would otherwise stop the container and lose its files).
            user="65534:65534" if uid == 0 else "0:0",
            working_dir=workdir,
            environment={"HOME": workdir, "TMPDIR": "/tmp", "LANG": "C.UTF-8", **env},
            network_mode="none",
            mem_limit=memory,
            memswap_limit=memory,
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
            read_only=True,
            tmpfs=tmpfs,
        )
        container = None
        started = time.monotonic()
        try:
            archive = to_tar(workspace, uid=uid, gid=gid) if workspace is not None else None
            container = client.containers.create(**options)
            container.start()
            docker_transfer.upload(
                container,
                archive,
                workdir=workdir,
                image_dirs=image_dirs,
                user=user,
                deadline=started + limits.wall_s,
            )
            api = client.api
            guarded = ["timeout", "-s", "KILL", str(wall_s + 10), *argv]
            exec_id = api.exec_create(container.id, guarded, user=user, workdir=workdir)["Id"]
            stdout, stderr = (BoundedCapture(limits.output_bytes) for _ in range(2))
            begun = time.monotonic()
            reader = _read_in_thread(api.exec_start(exec_id, socket=True), stdout, stderr)
            timed_out = not _wait_for_exec(api, exec_id, reader, deadline=begun + limits.wall_s)
            if timed_out:
                with contextlib.suppress(docker.errors.APIError):
                    container.kill()
            duration = time.monotonic() - begun
            reader.join(timeout=10)
            exit_code = api.exec_inspect(exec_id).get("ExitCode")
            container.reload()
            oom_killed = bool(container.attrs["State"].get("OOMKilled"))
            files: dict[str, bytes] = {}
            # A run that got its container stopped anyway (the keeper killed for memory)
            # loses its files and the OOM count, not its result.
            with contextlib.suppress(docker.errors.APIError):
                if not timed_out:
                    oom_killed = oom_killed or docker_transfer.oom_kills(container, memory) > 0
                if collect and not timed_out:
                    files = docker_transfer.collect(
                        container, workdir, collect, user=user, max_bytes=limits.output_bytes
                    )
            return ExecResult(
                exit_code=-9 if exit_code is None else exit_code,
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
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            raise SandboxError(f"docker engine error: {exc}") from exc
        finally:
            if container is not None:
                with contextlib.suppress(Exception):
                    container.remove(force=True, v=True)


def _wait_for_exec(api: Any, exec_id: str, reader: threading.Thread, deadline: float) -> bool:
    """Whether the exec'd command ended before ``deadline``. Its output closing is the fast
    signal; a process it left behind can hold the output open, so the engine is asked too."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        reader.join(timeout=min(remaining, 0.05))
        if not api.exec_inspect(exec_id).get("Running"):
            return True


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
