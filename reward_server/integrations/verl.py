"""verl's ``custom_reward_function``: ``compute_score`` and its async and batch variants.

verl 0.9's reward loop (managers ``naive``, ``dapo``, ``rate_limited``, ``remote``) calls
``compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...)`` once
per sample, and awaits it when it is ``async def``: :func:`compute_score_async` gathers the
calls that arrive together on one event loop (a reward worker's share of the batch) into
one request. Older verl also has the ``batch`` manager, which calls
``compute_score_batch(data_sources=..., solution_strs=..., ground_truths=...,
extra_infos=...)`` once per batch, and ``prime``, which calls ``compute_score`` positionally
and reads ``float(result[0])``. Each returns, per sample::

    {"score": float, "format_error": 0|1, "timeout": 0|1, "error": 0|1}

``score`` is the reward. verl logs every other key by averaging it over the batch, so the
keys never vary and every value is a number: ``format_error`` is the share of answers the
verifier could not read, ``timeout`` the share that ran out of time, ``error`` the share
that could not be scored (``error`` or ``invalid_input``, e.g. a ground truth the verifier
does not understand). The dict also reads as the score where a number is expected
(``float(result)``, ``result[0]``). The verifier comes from ``data_source`` (the server's
routes send ``openai/gsm8k``, ``lighteval/MATH``, ... to ``math``), unless ``extra_info``
names one: ``extra_info["verifier"]`` and ``extra_info["options"]`` override, per sample,
the ``verifier`` and ``options`` given as reward kwargs. The rest of ``extra_info`` is not
sent. A sample for which no verifier can be chosen raises: it is the run's configuration.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reward_server.integrations import score_items, score_items_async, server_url, to_python
from reward_server.models import Result
from verifiers.base import Status

__all__ = ["SCORE_KEYS", "Scores", "compute_score", "compute_score_async", "compute_score_batch"]

SCORE_KEYS = ("score", "format_error", "timeout", "error")
BATCH_WINDOW_S = 0.05
"""How long :func:`compute_score_async` waits for more calls before sending what it has:
verl starts a reward worker's samples together, and they arrive within milliseconds."""


class Scores(dict):
    """verl's per-sample dict (:data:`SCORE_KEYS`), which also reads as its score where a
    caller expects a number: ``float(scores)``, and ``scores[0]``, as the legacy ``prime``
    manager's ``float(result[0])`` (written for ``(score, ...)`` tuples) does."""

    def __getitem__(self, key: Any) -> Any:
        if type(key) is int and key == 0:
            key = "score"
        return super().__getitem__(key)

    def __float__(self) -> float:
        return float(self["score"])


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: dict[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, float]:
    """Score one sample on ``$REWARD_SERVER_URL``, or in-process when it is unset.

    Reward kwargs (``custom_reward_function.reward_kwargs``): ``verifier``, ``options``,
    ``timeout_s`` (per-item deadline), ``url`` (instead of the environment). Others, such
    as the ``sandbox_fusion_url`` verl passes to its own scorers, are ignored.
    """
    item = _item(data_source, solution_str, ground_truth, extra_info, kwargs)
    [result] = score_items([item], url=kwargs.get("url"), timeout_s=kwargs.get("timeout_s"))
    return _scores(result)


async def compute_score_async(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: dict[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, float]:
    """:func:`compute_score` for verl's reward loop, batched: calls made together on one
    event loop (within ``batch_window_s``, a reward kwarg, default 0.05 s) are scored in
    one request, the replacement for the ``batch`` manager that the reward loop lacks."""
    item = _item(data_source, solution_str, ground_truth, extra_info, kwargs)
    window_s = float(kwargs.get("batch_window_s", BATCH_WINDOW_S))
    key = (server_url(kwargs.get("url")), kwargs.get("timeout_s"))
    return _scores(await _together(item, key, window_s))


def compute_score_batch(
    data_sources: Sequence[str],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Sequence[dict[str, Any] | None] | None = None,
    **kwargs: Any,
) -> list[dict[str, float]]:
    """:func:`compute_score` for a whole batch in one round trip (verl's ``batch`` reward
    manager, which passes numpy object arrays); ``results[i]`` answers sample ``i``."""
    count = len(solution_strs)
    infos = [None] * count if extra_infos is None else list(extra_infos)
    if not len(data_sources) == len(ground_truths) == len(infos) == count:
        raise ValueError(
            f"batch columns differ in length: {len(data_sources)} data_sources, {count} "
            f"solution_strs, {len(ground_truths)} ground_truths, {len(infos)} extra_infos"
        )
    items = [
        _item(source, solution, truth, info, kwargs)
        for source, solution, truth, info in zip(
            data_sources, solution_strs, ground_truths, infos, strict=True
        )
    ]
    results = score_items(items, url=kwargs.get("url"), timeout_s=kwargs.get("timeout_s"))
    return [_scores(result) for result in results]


def _item(
    data_source: Any,
    solution_str: Any,
    ground_truth: Any,
    extra_info: Any,
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    # Only the keys used are converted: extra_info can hold large arrays (images, tools).
    info = extra_info if isinstance(extra_info, Mapping) else {}
    item: dict[str, Any] = {
        "data_source": to_python(data_source),
        "response": to_python(solution_str),
        "ground_truth": to_python(ground_truth),
    }
    verifier = to_python(info.get("verifier")) or kwargs.get("verifier")
    if verifier:
        item["verifier"] = verifier
    options = info["options"] if "options" in info else kwargs.get("options")
    if options:
        item["options"] = to_python(options)
    return item


def _scores(result: Result) -> Scores:
    return Scores(
        score=result.reward,
        format_error=int(result.status is Status.FORMAT_ERROR),
        timeout=int(result.status is Status.TIMEOUT),
        error=int(result.status in (Status.ERROR, Status.INVALID_INPUT)),
    )


# -- calls gathered into one request ---------------------------------------------------

_Key = tuple[str | None, Any]  # (server URL or None for in-process, timeout_s)


@dataclass
class _Gathering:
    items: list[dict[str, Any]] = field(default_factory=list)
    waiters: list[asyncio.Future] = field(default_factory=list)


_gatherings: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[_Key, _Gathering]]
_gatherings = weakref.WeakKeyDictionary()
_sending: set[asyncio.Task] = set()  # tasks must be referenced until they finish


async def _together(item: dict[str, Any], key: _Key, window_s: float) -> Result:
    """The result of ``item``, scored in one request with the items that other calls on
    this event loop hand in within ``window_s`` of the first."""
    loop = asyncio.get_running_loop()
    pending = _gatherings.setdefault(loop, {})
    gathering = pending.get(key)
    if gathering is None:
        gathering = pending[key] = _Gathering()
        loop.call_later(window_s, _send, loop, key, gathering)
    waiter = loop.create_future()
    gathering.items.append(item)
    gathering.waiters.append(waiter)
    return await waiter


def _send(loop: asyncio.AbstractEventLoop, key: _Key, gathering: _Gathering) -> None:
    pending = _gatherings.get(loop, {})
    if pending.get(key) is gathering:
        del pending[key]
    task = loop.create_task(_score_gathering(key, gathering))
    _sending.add(task)
    task.add_done_callback(_sending.discard)


async def _score_gathering(key: _Key, gathering: _Gathering) -> None:
    url, timeout_s = key
    try:
        results = await score_items_async(gathering.items, url=url, timeout_s=timeout_s)
    except Exception as exc:  # every caller of the request gets its failure
        for waiter in gathering.waiters:
            if not waiter.done():
                waiter.set_exception(exc)
        return
    for waiter, result in zip(gathering.waiters, results, strict=True):
        if not waiter.done():  # its caller may have been cancelled
            waiter.set_result(result)
