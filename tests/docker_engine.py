"""A real Docker engine for the tests: our own dockerd, with no bridge and no host changes.

It gets its own data root, exec root, socket and pidfile under a temporary directory, is
told to leave the host's network alone, and is stopped by its pid at the end. The sandbox
image is built from a debootstrap root filesystem (cached), since no registry is reachable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import terminate

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "reward-server-sandbox:test"


@dataclass
class DockerEngine:
    url: str
    image: str
    process: subprocess.Popen
    root: Path

    def stop(self) -> None:
        terminate(self.process)
        # dockerd leaves its network namespace mounted under the exec root.
        for mount_point in mounts_under(self.root):
            subprocess.run(["umount", "-l", mount_point], check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def mounts_under(root: Path) -> list[str]:
    """Mount points below ``root``, deepest first."""
    prefix = f"{root.resolve()}/"
    points = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    return sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True)


def start_engine(root: Path, startup_s: float = 60) -> DockerEngine:
    import docker

    root.mkdir(parents=True, exist_ok=True)
    socket = root / "docker.sock"
    url = f"unix://{socket}"
    log = (root / "dockerd.log").open("wb")
    process = subprocess.Popen(
        [
            "dockerd",
            f"--data-root={root / 'data'}",
            f"--exec-root={root / 'exec'}",
            f"--pidfile={root / 'docker.pid'}",
            f"--host={url}",
            "--bridge=none",
            "--iptables=false",
            "--ip6tables=false",
            "--ip-forward=false",
            "--ip-masq=false",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    engine = DockerEngine(url, IMAGE, process, root)
    deadline = time.monotonic() + startup_s
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"dockerd exited: {(root / 'dockerd.log').read_text()[-2000:]}")
        try:
            client = docker.DockerClient(base_url=url, timeout=10)
            client.ping()
            client.close()
            break
        except Exception:
            if time.monotonic() > deadline:
                engine.stop()
                raise
            time.sleep(0.2)
    build = subprocess.run(
        ["bash", str(ROOT / "scripts" / "sandbox-image.sh"), IMAGE],
        env={**os.environ, "DOCKER_HOST": url},
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        engine.stop()
        raise RuntimeError(f"sandbox image build failed:\n{build.stderr[-4000:]}")
    return engine
