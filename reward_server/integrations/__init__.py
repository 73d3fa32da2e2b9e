"""Adapters that plug reward-server into RL frameworks' reward-function hooks.

- :mod:`reward_server.integrations.verl`: verl's ``custom_reward_function``.
- :mod:`reward_server.integrations.trl`: TRL's ``GRPOTrainer(reward_funcs=[...])``.

Both score against the server at ``$REWARD_SERVER_URL`` (read at every call, so a launcher
can set it after import), or, when it is unset, in this process with
:func:`reward_server.score`: the same engine and the same numbers either way.

This module holds what they share: the choice between server and in-process scoring, one
pooled client per process (and per event loop for the async client), and the conversion of
numpy values, which both frameworks hand over from their datasets, into plain Python.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from reward_server.client import URL_ENV_VAR, AsyncRewardClient, RewardClient
from reward_server.models import Result

__all__ = ["score_items", "score_items_async", "server_url", "to_python"]

_clients: dict[tuple[int, str], RewardClient] = {}
_clients_lock = threading.Lock()
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, AsyncRewardClient]]
_async_clients = weakref.WeakKeyDictionary()


def server_url(url: str | None = None) -> str | None:
    """``url``, else ``$REWARD_SERVER_URL``; ``None`` (score in-process) when both are empty."""
    return url or os.environ.get(URL_ENV_VAR) or None


def to_python(value: Any) -> Any:
    """``value`` with numpy arrays turned into lists and numpy scalars into Python scalars,
    at any depth, so that it serializes as JSON and compares like the dataset's own values.

    numpy is never imported: its objects are recognized by their ``tolist`` method.
    """
    if isinstance(value, Mapping):
        return {to_python(key): to_python(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_python(item) for item in value]
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return to_python(value.tolist())  # object arrays can hold further numpy values
    return value


def score_items(
    items: Sequence[dict[str, Any]], url: str | None = None, timeout_s: float | None = None
) -> list[Result]:
    """Score on the server at ``url`` (else ``$REWARD_SERVER_URL``), else in-process. An
    item with no verifier the server can use fails the call: a trainer's configuration
    mistake must not train on constant rewards."""
    target = server_url(url)
    if target is None:
        import reward_server

        return reward_server.score(items, timeout_s, reject_unresolved=True)
    return _client(target).score(items, timeout_s=timeout_s, reject_unresolved=True)


async def score_items_async(
    items: Sequence[dict[str, Any]], url: str | None = None, timeout_s: float | None = None
) -> list[Result]:
    """Like :func:`score_items`, without blocking the event loop."""
    target = server_url(url)
    if target is None:
        import reward_server

        return await asyncio.to_thread(
            functools.partial(reward_server.score, items, timeout_s, reject_unresolved=True)
        )
    return await _async_client(target).score(items, timeout_s=timeout_s, reject_unresolved=True)


def _client(url: str) -> RewardClient:
    """One pooled client per URL and process: frameworks call the reward function once per
    sample, and a client inherited through fork would share its sockets with the parent."""
    key = (os.getpid(), url)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = RewardClient(url)
        return client


def _async_client(url: str) -> AsyncRewardClient:
    """One client per URL and event loop: an httpx async client cannot outlive its loop,
    and TRL runs async reward functions on a loop of its own."""
    with _clients_lock:  # several threads may each run a loop
        for loop in [loop for loop in _async_clients if loop.is_closed()]:
            del _async_clients[loop]  # its sockets died with it; the entry kept it alive
        per_loop = _async_clients.setdefault(asyncio.get_running_loop(), {})
        client = per_loop.get(url)
        if client is None:
            client = per_loop[url] = AsyncRewardClient(url)
        return client
