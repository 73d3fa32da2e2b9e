"""verl's ``custom_reward_function``: ``compute_score`` and its async and batch variants.

verl calls ``compute_score(data_source=..., solution_str=..., ground_truth=...,
extra_info=...)`` once per sample (the ``naive`` and ``prime`` reward managers),
``compute_score_batch(data_sources=..., solution_strs=..., ground_truths=...,
extra_infos=...)`` once per batch (the ``batch`` manager), and awaits an ``async def``
``compute_score`` in its asynchronous reward loop. Each returns, per sample::

    {"score": float, "format_error": 0|1, "timeout": 0|1, "error": 0|1}

``score`` is the reward. verl logs every other key by averaging it over the batch, so the
keys never vary and every value is a number: ``format_error`` is the share of answers the
verifier could not read, ``timeout`` the share that ran out of time, ``error`` the share
that could not be scored (``error`` or ``invalid_input``, e.g. a ground truth the verifier
does not understand). The verifier comes from ``data_source`` (the server's routes send
``openai/gsm8k``, ``lighteval/MATH``, ... to ``math``), unless ``extra_info`` names one:
``extra_info["verifier"]`` and ``extra_info["options"]`` override, per sample, the
``verifier`` and ``options`` given as reward kwargs. The rest of ``extra_info`` is not sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reward_server.integrations import score_items, score_items_async, to_python
from reward_server.models import Result
from verifiers.base import Status

__all__ = ["SCORE_KEYS", "compute_score", "compute_score_async", "compute_score_batch"]

SCORE_KEYS = ("score", "format_error", "timeout", "error")


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
    """:func:`compute_score` for verl's asynchronous reward loop."""
    item = _item(data_source, solution_str, ground_truth, extra_info, kwargs)
    [result] = await score_items_async(
        [item], url=kwargs.get("url"), timeout_s=kwargs.get("timeout_s")
    )
    return _scores(result)


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


def _scores(result: Result) -> dict[str, float]:
    return {
        "score": result.reward,
        "format_error": int(result.status is Status.FORMAT_ERROR),
        "timeout": int(result.status is Status.TIMEOUT),
        "error": int(result.status in (Status.ERROR, Status.INVALID_INPUT)),
    }
