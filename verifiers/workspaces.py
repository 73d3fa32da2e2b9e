"""Repository directories the server's operator registered by name.

Clients name a workspace (``ground_truth.workspace``), never a host path: only the
directories listed in the server's ``workspaces`` setting can be used, and each is copied
into the sandbox, never mounted.
"""

from __future__ import annotations

from pathlib import Path

from verifiers.base import InvalidInput

_registered: dict[str, Path] = {}


def register(workspaces: dict[str, str]) -> None:
    """Replace the registered workspaces (the server calls this in every worker)."""
    _registered.clear()
    _registered.update({name: Path(path) for name, path in workspaces.items()})


def resolve(name: str) -> Path:
    try:
        path = _registered[name]
    except KeyError:
        known = ", ".join(sorted(_registered)) or "none"
        raise InvalidInput(f"unknown workspace {name!r} (registered: {known})") from None
    if not path.is_dir():
        raise InvalidInput(f"workspace {name!r} is not a directory on the server")
    return path
