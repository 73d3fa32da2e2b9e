"""Isolated execution of untrusted code.

``run(command, workspace, limits) -> ExecResult`` on one of two backends:

- ``local`` (default): bubblewrap namespaces, a non-root uid per concurrent slot, rlimits
  and, as root, a cgroup per run. Needs no daemon.
- ``docker``: a fresh locked-down container per run, through the docker SDK.

Every run starts from a fresh copy of its workspace and leaves nothing behind. This
package knows nothing about verifiers; verifiers call it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import Any

from sandbox.base import Backend, run_counts
from sandbox.types import (
    ExecResult,
    GiB,
    ImageNotFound,
    Limits,
    MiB,
    SandboxError,
    SandboxUnavailable,
    Workspace,
)

__all__ = [
    "BACKENDS",
    "Backend",
    "ExecResult",
    "GiB",
    "ImageNotFound",
    "Limits",
    "MiB",
    "SandboxError",
    "SandboxUnavailable",
    "Workspace",
    "arun",
    "configure",
    "configured_image_namespace",
    "default_backend",
    "get_backend",
    "hashable_config",
    "run",
    "run_counts",
]

BACKENDS = ("local", "docker")
# functools.cache alone lets threads that ask at once each build (and sweep) a backend.
_backend_lock = threading.Lock()


def get_backend(name: str = "local", **config: Any) -> Backend:
    """The backend ``name``, made once per process and configuration, whichever threads ask.

    ``config`` are the fields of :class:`sandbox.local.LocalConfig` or
    :class:`sandbox.docker_backend.DockerConfig`. The backend may be unavailable: its
    ``unavailable_reason`` says why, and its ``run`` raises :class:`SandboxUnavailable`.
    """
    with _backend_lock:
        return _make_backend(name, **config)


@functools.cache
def _make_backend(name: str, **config: Any) -> Backend:
    if name == "local":
        from sandbox.local import LocalBackend, LocalConfig

        return LocalBackend(LocalConfig(**config))
    if name == "docker":
        from sandbox.docker_backend import DockerBackend, DockerConfig

        return DockerBackend(DockerConfig(**config))
    raise ValueError(f"unknown sandbox backend {name!r}; choose one of {', '.join(BACKENDS)}")


_configured: dict[str, Any] = {"name": "local", "config": {}}


def configure(backend: str = "local", **config: Any) -> None:
    """Set this process's default backend (the server calls it in every worker)."""
    if backend not in BACKENDS:
        raise ValueError(
            f"unknown sandbox backend {backend!r}; choose one of {', '.join(BACKENDS)}"
        )
    _configured.update(name=backend, config=hashable_config(config))


def hashable_config(config: dict[str, Any]) -> dict[str, Any]:
    """Backend settings as :func:`get_backend`'s cache needs them: lists as tuples."""
    return {
        key: tuple(value) if isinstance(value, list) else value for key, value in config.items()
    }


def configured_image_namespace() -> str | None:
    """The registry/namespace prefix of images derived from dataset rows, as configured
    (without building the backend)."""
    return _configured["config"].get("image_namespace")


def default_backend() -> Backend:
    """The backend chosen by :func:`configure` (``local`` with its defaults otherwise)."""
    return get_backend(_configured["name"], **_configured["config"])


def _chosen(backend: str | None) -> Backend:
    return get_backend(backend) if backend else default_backend()


def run(
    command: Sequence[str] | str,
    workspace: Workspace = None,
    limits: Limits | None = None,
    *,
    backend: str | None = None,
    **options: Any,
) -> ExecResult:
    """Run ``command`` on the configured backend, or on ``backend`` with its defaults."""
    return _chosen(backend).run(command, workspace, limits, **options)


async def arun(
    command: Sequence[str] | str,
    workspace: Workspace = None,
    limits: Limits | None = None,
    *,
    backend: str | None = None,
    **options: Any,
) -> ExecResult:
    return await _chosen(backend).arun(command, workspace, limits, **options)
