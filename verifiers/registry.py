"""Verifiers are found through Python entry points (group ``reward_server.verifiers``).

A third-party package adds one by declaring, in its own pyproject::

    [project.entry-points."reward_server.verifiers"]
    my_check = "my_package.my_module:verify"

where ``verify`` is a :class:`~verifiers.base.Verifier` (see :func:`~verifiers.base.verifier`).
A plugin that fails to load is reported in :attr:`Registry.load_errors`; it never stops
the other verifiers from loading.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Iterator, Mapping
from importlib.metadata import entry_points

from verifiers.base import Verifier

ENTRY_POINT_GROUP = "reward_server.verifiers"

log = logging.getLogger(__name__)


class Registry(Mapping[str, Verifier]):
    """An immutable name -> verifier mapping, plus the plugins that could not be loaded."""

    def __init__(
        self,
        verifiers: Mapping[str, Verifier] | None = None,
        load_errors: Mapping[str, str] | None = None,
    ) -> None:
        self._verifiers = dict(sorted((verifiers or {}).items()))
        self.load_errors: dict[str, str] = dict(load_errors or {})

    @classmethod
    def from_entry_points(cls, group: str = ENTRY_POINT_GROUP) -> Registry:
        found: dict[str, Verifier] = {}
        errors: dict[str, str] = {}
        for entry_point in entry_points(group=group):
            name = entry_point.name
            if name in found:
                errors[name] = f"duplicate verifier name, {entry_point.value} ignored"
                continue
            try:
                loaded = entry_point.load()
            except Exception as exc:  # a broken plugin must not take the service down
                errors[name] = f"cannot load {entry_point.value}: {type(exc).__name__}: {exc}"
                continue
            if not isinstance(loaded, Verifier):
                errors[name] = f"{entry_point.value} is not a Verifier (use @verifier)"
                continue
            found[name] = loaded if loaded.name == name else dataclasses.replace(loaded, name=name)
        for name, error in errors.items():
            log.warning("verifier plugin %r not loaded: %s", name, error)
        return cls(found, errors)

    def __getitem__(self, name: str) -> Verifier:
        return self._verifiers[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._verifiers)

    def __len__(self) -> int:
        return len(self._verifiers)


@functools.cache
def default_registry() -> Registry:
    """The process-wide registry, loaded once from the installed entry points."""
    return Registry.from_entry_points()
