"""The frameworks' own wire shapes, translated to and from native items and results.

- OpenRLHF (``--remote_rm_url http://host:port/get_reward``): ``{"query", "prompts",
  "labels"}`` in, ``{"rewards", "scores", "extra_logs"}`` out, all of length N.
- slime (``--rm-type remote_rm --rm-url http://host:port/get_reward``): one sample
  ``{"prompt", "response", "label"}`` in, ``{"reward", "score", ...}`` out.

A label is either the ground truth itself (the verifier then comes from the server's
``default_verifier``), or an object, or a JSON string of one, with ``ground_truth`` and
optionally ``verifier``, ``options``, ``data_source``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from reward_server.models import Result
from verifiers.base import Status

ITEM_KEYS = frozenset({"ground_truth", "verifier", "options", "data_source"})


class OpenRLHFRequest(BaseModel):
    query: list[str] = Field(description="Prompt + response, with special tokens.")
    prompts: list[str] | None = None
    labels: list[Any] | None = None


class OpenRLHFResponse(BaseModel):
    rewards: list[float]
    scores: list[float] = Field(description="Rewards clipped to [0, 1].")
    extra_logs: dict[str, list[float]] = Field(
        description="Reward components, plus 0/1 timeout and error; the same keys every time."
    )


class SlimeRequest(BaseModel):
    prompt: Any = None
    response: str
    label: Any = None


def item_from_label(label: Any, response: str, prompt: str | None = None) -> dict[str, Any]:
    """A native item for one framework sample."""
    spec = label
    if isinstance(label, str) and label.lstrip().startswith("{"):
        try:
            parsed = json.loads(label)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict) and "ground_truth" in parsed and parsed.keys() <= ITEM_KEYS:
            spec = parsed
    if isinstance(spec, dict) and "ground_truth" in spec and spec.keys() <= ITEM_KEYS:
        item = dict(spec)
    else:
        item = {"ground_truth": label}
    item["response"] = response
    if prompt is not None:
        item["prompt"] = prompt
    return item


def openrlhf_items(request: OpenRLHFRequest) -> list[dict[str, Any]]:
    count = len(request.query)
    prompts = request.prompts or [None] * count
    labels = request.labels if request.labels is not None else [None] * count
    if len(prompts) != count or len(labels) != count:
        raise ValueError(f"query has {count} entries, prompts {len(prompts)}, labels {len(labels)}")
    items = []
    for query, prompt, label in zip(request.query, prompts, labels, strict=True):
        response = query[len(prompt) :] if prompt and query.startswith(prompt) else query
        items.append(item_from_label(label, response, prompt))
    return items


def log_keys(component_names: Iterable[str]) -> list[str]:
    """The fixed ``extra_logs`` keys: every installed verifier's components, timeout, error."""
    return [*sorted(set(component_names) - {"timeout", "error"}), "timeout", "error"]


def clipped(reward: float) -> float:
    return min(max(reward, 0.0), 1.0)


def openrlhf_response(results: list[Result], keys: list[str]) -> OpenRLHFResponse:
    logs: dict[str, list[float]] = {key: [] for key in keys}
    for result in results:
        for key in keys:
            if key == "timeout":
                value = float(result.status is Status.TIMEOUT)
            elif key == "error":
                value = float(result.status in (Status.ERROR, Status.INVALID_INPUT))
            else:
                value = result.components.get(key, 0.0)
            logs[key].append(value)
    rewards = [result.reward for result in results]
    return OpenRLHFResponse(rewards=rewards, scores=[clipped(r) for r in rewards], extra_logs=logs)


def slime_response(result: Result) -> dict[str, Any]:
    return {
        "reward": result.reward,
        "score": clipped(result.reward),
        "status": result.status.value,
        "detail": result.detail,
        "components": result.components,
    }
