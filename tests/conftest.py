"""Shared fixtures: a real reward-server process on a free loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.helpers import NotReady, exited, serve, terminate, wait_ready
from tests.helpers import free_port as free_port  # where several tests import it from

TESTS = Path(__file__).parent
# The repositories under data/ have test suites of their own, run only inside the sandbox.
collect_ignore = ["data"]
PLUGINS = TESTS / "plugins"

# The test-only verifiers are found through their entry points, in this process and in
# the servers it starts.
sys.path.insert(0, str(PLUGINS))


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(
    log_path: Path,
    *args: str,
    env: dict[str, str] | None = None,
    startup_s: float = 60,
    wait_for: str = "/readyz",
) -> Server:
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PLUGINS), environment.get("PYTHONPATH")])
    )
    with log_path.open("wb") as log:
        process, url = serve(*args, stdout=log, env=environment)
    server = Server(url, process, log_path)
    try:
        wait_ready(url, startup_s=startup_s, gone=exited(process), path=wait_for)
    except NotReady as problem:
        stop_server(server)
        raise RuntimeError(f"{problem}:\n{server.log()}") from None
    return server


def stop_server(server: Server) -> None:
    terminate(server.process)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service with its default settings and two workers."""
    handle = start_server(tmp_path_factory.mktemp("server") / "server.log", "--workers", "2")
    yield handle
    stop_server(handle)


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http


NOT_ROOT = "DOCKER BACKEND NOT TESTED: starting a Docker engine needs root"


@pytest.fixture(scope="session")
def docker_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Our own dockerd and the sandbox image; skipped, loudly, only when not root."""
    if os.geteuid() != 0:
        pytest.skip(NOT_ROOT)
    from tests.docker_engine import start_engine

    engine = start_engine(tmp_path_factory.mktemp("docker"))
    yield engine
    engine.stop()


@pytest.fixture(scope="session", params=["local", "docker"])
def sandbox_backend(request: pytest.FixtureRequest) -> Iterator[object]:
    """Each sandbox backend in turn; the security suite runs against both."""
    if request.param == "local":
        from sandbox.local import LocalBackend

        backend = LocalBackend()
        backend.check()
        yield backend
        return
    from sandbox.docker_backend import DockerBackend, DockerConfig

    engine = request.getfixturevalue("docker_engine")
    backend = DockerBackend(DockerConfig(base_url=engine.url, image=engine.image))
    backend.check()
    yield backend
    backend.close()


@pytest.fixture(scope="module", params=["local", "docker"])
def default_sandbox(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each backend in turn as the process's default, as a server's setting makes it."""
    import sandbox

    if request.param == "docker":
        engine = request.getfixturevalue("docker_engine")
        sandbox.configure("docker", base_url=engine.url, image=engine.image)
    else:
        sandbox.configure("local")
    sandbox.default_backend().check()
    yield request.param
    sandbox.configure("local")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if any(NOT_ROOT in str(report.longrepr) for report in skipped):
        terminalreporter.write_sep("!", NOT_ROOT, red=True, bold=True)
