"""Workspaces in and files out: the only places where host files meet a run's files."""

from __future__ import annotations

import io
import os
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from sandbox.types import SandboxError, Workspace


def relative_path(name: str) -> PurePosixPath:
    """A workspace-relative path, refused when absolute or when it climbs out with ``..``."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\0" in name:
        raise SandboxError(f"workspace path must be relative and stay inside: {name!r}")
    return path


MAX_ARCHIVE_MEMBERS = 200_000
"""Members an archive workspace may have; counted while reading, before any is unpacked."""
_CHECK_ROOT = "/reward-server-archive-check"


def check_archive(data: bytes) -> None:
    """Refuse, before any run, an archive that :func:`materialize` could not unpack: too many
    members, a name or link leaving the tree, a device or fifo, a file where a directory
    goes. The message names the member, never a host path."""
    files: set[PurePosixPath] = set()
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            for count, member in enumerate(archive, start=1):
                if count > MAX_ARCHIVE_MEMBERS:
                    raise SandboxError(f"archive has more than {MAX_ARCHIVE_MEMBERS} members")
                tarfile.data_filter(member, _CHECK_ROOT)
                path = PurePosixPath(member.name.removeprefix("./"))
                if any(parent in files for parent in path.parents):
                    raise SandboxError(f"{member.name!r} lies under a file of the archive")
                if not member.isdir():
                    files.add(path)
    except tarfile.FilterError as exc:
        raise SandboxError(str(exc).replace(_CHECK_ROOT, "the repository")) from None
    except tarfile.TarError as exc:
        raise SandboxError(f"not a readable tar archive: {exc}") from None


def materialize(workspace: Workspace, dest: Path) -> None:
    """Copy ``workspace`` into the existing, empty directory ``dest``."""
    if workspace is None:
        return
    if isinstance(workspace, list):
        for subdirectory, layer in workspace:
            target = dest / relative_path(subdirectory) if subdirectory else dest
            target.mkdir(parents=True, exist_ok=True)
            materialize(layer, target)
    elif isinstance(workspace, dict):
        for name, content in workspace.items():
            target = dest / relative_path(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.encode() if isinstance(content, str) else content)
    elif isinstance(workspace, bytes):
        try:
            with tarfile.open(fileobj=io.BytesIO(workspace)) as archive:
                # The "data" filter refuses absolute names, `..`, links leaving the tree and
                # device files, and drops set-uid bits.
                archive.extractall(dest, filter="data")
        except (tarfile.TarError, OSError) as exc:
            problem = str(exc).replace(str(dest), ".")  # no host path in the message
            raise SandboxError(f"workspace archive could not be unpacked: {problem}") from None
    else:
        source = Path(workspace)
        if not source.is_dir():
            raise SandboxError(f"workspace directory not found: {source}")
        shutil.copytree(source, dest, symlinks=True, dirs_exist_ok=True)


def chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid, follow_symlinks=False)
    for directory, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.chown(os.path.join(directory, name), uid, gid, follow_symlinks=False)


def to_tar(workspace: Workspace, *, uid: int = 0, gid: int = 0) -> bytes:
    """The workspace as an uncompressed tar rooted at ``.``, every entry owned by ``uid:gid``."""

    def owned(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid, info.gid, info.uname, info.gname = uid, gid, "", ""
        return info

    with tempfile.TemporaryDirectory(prefix="reward-server-ws-") as staging:
        materialize(workspace, Path(staging))
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            archive.add(staging, arcname=".", filter=owned)
        return buffer.getvalue()


def collect_files(root: Path, names: Iterable[str], max_bytes: int) -> dict[str, bytes]:
    """Regular files under ``root``, read without following any symlink a run may have planted.

    A missing file, a directory, a link or a file over ``max_bytes`` is left out.
    """
    files: dict[str, bytes] = {}
    for name in names:
        parts = relative_path(name).parts
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                flags = os.O_RDONLY | os.O_NOFOLLOW | (0 if last else os.O_DIRECTORY)
                next_fd = os.open(part, flags | os.O_NONBLOCK, dir_fd=fd)
                os.close(fd)
                fd = next_fd
            info = os.fstat(fd)
            if stat.S_ISREG(info.st_mode) and info.st_size <= max_bytes:
                with os.fdopen(os.dup(fd), "rb") as handle:
                    files[name] = handle.read(max_bytes)
        except OSError:
            pass
        finally:
            os.close(fd)
    return files
