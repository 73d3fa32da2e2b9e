"""Which verifier scores an item: its own choice, else its data_source's route, else the default."""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Literal

Origin = Literal["item", "route", "default"]


def route_data_source(data_source: str, routes: Mapping[str, str]) -> str | None:
    """The verifier of the first route whose glob pattern matches, case-insensitively."""
    key = data_source.lower()
    for pattern, verifier_name in routes.items():
        if fnmatchcase(key, pattern.lower()):
            return verifier_name
    return None


def choose_verifier(
    verifier: str | None,
    data_source: str | None,
    routes: Mapping[str, str],
    default: str | None,
) -> str | None:
    return verifier_choice(verifier, data_source, routes, default)[0]


def verifier_choice(
    verifier: str | None,
    data_source: str | None,
    routes: Mapping[str, str],
    default: str | None,
) -> tuple[str | None, Origin]:
    """The verifier's name (``None``: none), and where it came from."""
    if verifier:
        return verifier, "item"
    if data_source:
        routed = route_data_source(data_source, routes)
        if routed:
            return routed, "route"
    return default, "default"
