"""Files into and out of a docker run whose writable directories are tmpfs mounts.

The engine's archive API reads and writes the container's root filesystem only, never its
tmpfs mounts, so files travel through ``docker exec``: one tar streamed into ``tar -x`` in
the container (the workspace, and the image directories a run may change, copied from the
image onto their tmpfs), and one ``tar -c`` of the collected files read back.
"""

from __future__ import annotations

import contextlib
import io
import socket
import tarfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePosixPath
from typing import Any

from sandbox.types import MiB, SandboxError
from sandbox.workspace import relative_path

PAGE = 4096
ENTRY_OVERHEAD = 1024
"""Memory the kernel charges for each file's inode and name besides its pages (an estimate)."""

_sizes: dict[tuple[str, str], int] = {}


class _ChunkReader(io.RawIOBase):
    """A file over the engine's chunk iterator, for tarfile's stream mode."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class _SocketWriter:
    """``write`` for tarfile's stream mode: sendall with an overall deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def write(self, data: bytes) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("upload into the container took too long")
        self._sock.settimeout(remaining)
        self._sock.sendall(data)
        return len(data)


def _image_dir_members(container: Any, path: str) -> Iterator[tuple[tarfile.TarInfo, Any]]:
    """The members of ``path`` in the container's image, named from ``/`` (no leading slash)."""
    prefix = str(PurePosixPath(path).parent).strip("/")
    chunks, _ = container.get_archive(path)
    with tarfile.open(fileobj=io.BufferedReader(_ChunkReader(chunks)), mode="r|") as archive:
        for member in archive:
            if prefix:
                member.name = f"{prefix}/{member.name}"
                if member.islnk():
                    member.linkname = f"{prefix}/{member.linkname}"
            yield member, archive.extractfile(member) if member.isfile() else None


def image_dir_bytes(client: Any, image: str, path: str) -> int:
    """What a copy of the image's ``path`` takes on a tmpfs, in memory: pages and inodes.

    Measured once per image and path in each process, from a container that never starts.
    """
    image_id = client.images.get(image).id
    key = (image_id, path)
    if key not in _sizes:
        probe = client.containers.create(image_id, ["true"], network_mode="none")
        try:
            total = 0
            for member, _ in _image_dir_members(probe, path):
                total += -(-member.size // PAGE) * PAGE + ENTRY_OVERHEAD
            _sizes[key] = total
        except Exception as exc:
            raise SandboxError(f"image {image!r} has no readable {path}: {exc}") from None
        finally:
            with contextlib.suppress(Exception):
                probe.remove(force=True)
    return _sizes[key]


def upload(
    container: Any,
    workspace_tar: bytes | None,
    *,
    workdir: str,
    image_dirs: Sequence[str],
    user: str,
    deadline: float,
) -> None:
    """Unpack the image's ``image_dirs`` then the workspace (at ``workdir``) into the running
    container, through one ``tar -x``, as the run's ``user``, reading a stream from us."""
    from docker.utils.socket import frames_iter

    api = container.client.api
    if workspace_tar is None and not image_dirs:
        return
    command = ["tar", "-x", "-p", "--no-same-owner", "-f", "-", "-C", "/"]
    exec_id = api.exec_create(
        container.id, command, stdin=True, stdout=True, stderr=True, user=user
    )["Id"]
    conn = api.exec_start(exec_id, socket=True)
    raw: socket.socket = getattr(conn, "_sock", conn)
    try:
        with tarfile.open(fileobj=_SocketWriter(raw, deadline), mode="w|") as stream:
            for path in image_dirs:
                for member, content in _image_dir_members(container, path):
                    stream.addfile(member, content)
            if workspace_tar is not None:
                prefix = workdir.strip("/")
                with tarfile.open(fileobj=io.BytesIO(workspace_tar)) as inner:
                    for member in inner:
                        content = inner.extractfile(member) if member.isfile() else None
                        name = member.name.removeprefix("./").removeprefix(".")
                        member.name = f"{prefix}/{name}".rstrip("/")
                        stream.addfile(member, content)
        raw.shutdown(socket.SHUT_WR)
        raw.settimeout(max(deadline - time.monotonic(), 1.0))
        errors = b"".join(chunk for _, chunk in frames_iter(conn, tty=False))
    except OSError as exc:
        raise SandboxError(f"could not copy the workspace into the container: {exc}") from None
    finally:
        with contextlib.suppress(OSError):
            raw.close()
    if api.exec_inspect(exec_id).get("ExitCode") != 0:
        problem = errors.decode(errors="replace").strip()[-300:]
        raise SandboxError(f"the workspace does not fit in the run's disk quota: {problem}")


def collect(
    container: Any, workdir: str, names: Sequence[str], *, user: str, max_bytes: int
) -> dict[str, bytes]:
    """Regular files of the work dir, read as the run's own user (so nothing it could not
    read itself) and never through a symlink: every parent directory is archived too, and a
    name counts only when each of them is a real directory."""
    wanted = {str(relative_path(name)): name for name in names}
    listed: list[str] = []
    for path in wanted:
        parts = PurePosixPath(path).parts
        listed += ["/".join(parts[: depth + 1]) for depth in range(len(parts))]
    if not wanted:
        return {}
    api = container.client.api
    paths = list(dict.fromkeys(listed))
    command = ["tar", "-c", "--no-recursion", "-f", "-", "-C", workdir, "--", *paths]
    exec_id = api.exec_create(container.id, command, stdout=True, stderr=False, user=user)
    chunks = api.exec_start(exec_id, stream=True, demux=True)
    stdout = (out for out, _ in chunks if out)
    members: dict[str, tarfile.TarInfo] = {}
    files: dict[str, bytes] = {}
    budget = len(wanted) * (max_bytes + 64 * 1024) + 16 * MiB
    with contextlib.suppress(tarfile.TarError, OSError):
        reader = io.BufferedReader(_BoundedChunkReader(stdout, budget))
        with tarfile.open(fileobj=reader, mode="r|") as archive:
            for member in archive:
                member.name = member.name.rstrip("/")
                members[member.name] = member
                if member.name in wanted and member.isfile() and member.size <= max_bytes:
                    handle = archive.extractfile(member)
                    files[member.name] = handle.read() if handle else b""
    return {
        wanted[path]: content
        for path, content in files.items()
        if all(
            members.get(str(parent)) is not None and members[str(parent)].isdir()
            for parent in list(PurePosixPath(path).parents)[:-1]
        )
    }


class _BoundedChunkReader(_ChunkReader):
    """Stops after ``limit`` bytes: a run may ask us to read back no more than that."""

    def __init__(self, chunks: Iterable[bytes], limit: int) -> None:
        super().__init__(chunks)
        self._left = limit

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            return 0
        size = super().readinto(memoryview(buffer)[: self._left])
        self._left -= size
        return size


def oom_kills(container: Any, memory_bytes: int) -> int:
    """How many processes the kernel killed for memory in the container's cgroup. The
    engine flags an OOM only for the container's main process, and ours is the keeper.

    A run's tmpfs files can hold all its memory, so the limit is raised a little first:
    the process that reads the counter must not be the next one killed.
    """
    headroom = memory_bytes + 32 * MiB
    container.update(mem_limit=headroom, memswap_limit=headroom)
    api = container.client.api
    # cgroup v2, else v1 (both have an oom_kill line since Linux 4.13).
    read = "cat /sys/fs/cgroup/memory.events || cat /sys/fs/cgroup/memory/memory.oom_control"
    exec_id = api.exec_create(container.id, ["sh", "-c", read])["Id"]
    output = api.exec_start(exec_id).decode(errors="replace")
    for line in output.splitlines():
        name, _, value = line.partition(" ")
        if name == "oom_kill" and value.strip().isdigit():
            return int(value)
    return 0
