"""What several benchmarks need: a server of their own, a Docker engine of their own."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.helpers import NotReady, exited, serve, terminate, wait_ready  # noqa: E402


def start_server(workers: int) -> tuple[subprocess.Popen, str]:
    """``reward-server serve`` on a free loopback port, once ready; stop it with terminate()."""
    process, url = serve("--workers", str(workers), "--log-level", "warning")
    try:
        wait_ready(url, startup_s=60, gone=exited(process))
    except NotReady:
        terminate(process)
        raise
    return process, url


@contextlib.contextmanager
def docker_engine(url: str | None, image: str) -> Iterator[tuple[str | None, str]]:
    """(engine URL, sandbox image): the given engine, else, for root, a private dockerd
    with the sandbox image built in it (as the tests make), else (None, image)."""
    if url is not None or os.geteuid() != 0:
        yield url, image
        return
    from tests.docker_engine import start_engine

    print("starting a private dockerd and building the sandbox image ...", flush=True)
    engine = start_engine(Path(tempfile.mkdtemp(prefix="bench-docker-")))
    try:
        yield engine.url, engine.image
    finally:
        engine.stop()
