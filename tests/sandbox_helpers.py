"""What the sandbox tests check on the host after a run."""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def loopback_listener() -> Iterator[int]:
    """A port on 127.0.0.1 that the host listens on; fails if anything connected to it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.2)
        yield listener.getsockname()[1]
        with pytest.raises(TimeoutError):
            listener.accept()


def marker() -> str:
    return f"rs-marker-{uuid.uuid4().hex}"


def processes_with(text: str) -> list[int]:
    """Host pids whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def leftovers(backend: object) -> list[str]:
    """Work dirs, cgroups, containers and volumes of finished runs: always empty."""
    found: list[str] = []
    if backend.name == "local":
        found += [str(path) for path in backend.config.base_dir.glob("run-*")]
        for parent in backend.cgroups.parents if backend.cgroups else []:
            found += [str(path) for path in parent.glob("run-*")]
    else:
        from sandbox.docker_backend import LABEL

        client = backend._client
        found += [c.name for c in client.containers.list(all=True, filters={"label": LABEL})]
        found += [v.name for v in client.volumes.list(filters={"label": LABEL})]
    return found


def run_dirs_on_host(backend: object) -> list[Path]:
    """Where the work dirs of runs in progress live on the host."""
    if backend.name == "local":
        return list(backend.config.base_dir.glob("run-*"))
    from sandbox.docker_backend import LABEL

    # A docker run's work dir is a tmpfs in the container's mount namespace.
    containers = backend._client.containers.list(filters={"label": LABEL})
    return [Path(f"/proc/{c.attrs['State']['Pid']}/root/work") for c in containers]
