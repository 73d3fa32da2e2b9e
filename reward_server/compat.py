"""The frameworks' own wire shapes, translated to and from native items and results.

- OpenRLHF (``--reward.remote_url``, ``--remote_rm_url`` before 0.10.2, pointing at
  ``http://host:port/get_reward``): ``{"query", "prompts", "labels"}`` in, ``{"rewards",
  "scores", "extra_logs"}`` out, all of length N (N = 1 since 0.10).
- slime (``--rm-type remote_rm --rm-url``): one sample ``{"prompt", "response", "label"}``
  in; ``/slime/reward`` answers a bare number, ``/get_reward`` ``{"reward", "score", ...}``
  (with ``--reward-key reward``).

A label is either the ground truth itself (the verifier then comes from the server's
``default_verifier``), or an object, or a JSON string of one, with ``ground_truth`` and
optionally ``verifier``, ``options``, ``data_source``. An empty label is the trainer's sign
that no label column was configured, and refused as such.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from reward_server.models import Result
from verifiers.base import Status
from verifiers.text import without_end_tokens

ITEM_KEYS = frozenset({"ground_truth", "verifier", "options", "data_source"})
OPENRLHF_NO_LABEL = (
    "OpenRLHF sends an empty label when --data.label_key is not set: pass the dataset "
    "column that holds the answers (--data.label_key answer; --label_key before 0.10.2)"
)
SLIME_NO_LABEL = (
    "slime sends no label when --label-key is not set: pass the dataset column that holds "
    "the answers (--label-key label)"
)
LABEL_FIX = (
    "start the server with a default verifier (REWARD_SERVER_DEFAULT_VERIFIER=math, or "
    "default_verifier in its TOML file), or send labels as objects naming one: "
    '{"verifier": "math", "ground_truth": "42"}'
)


PROMPT_TAIL_CHARS = 200
"""When a query does not start with its prompt (OpenRLHF cut the prompt from the left to fit
``max_len``, or decoding changed its spaces), the response starts after the last occurrence
of this much of the prompt's end, which holds the chat template's generation header."""


class MissingLabels(ValueError):
    """Labels the trainer did not fill in: its configuration, not its data."""


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


def response_text(query: str, prompt: str | None) -> str:
    """The model's answer in an OpenRLHF query: the text after the prompt, without the
    end-of-sequence and padding tokens OpenRLHF leaves in (it decodes with special tokens)."""
    if prompt:
        if query.startswith(prompt):
            query = query[len(prompt) :]
        else:
            tail = prompt[-PROMPT_TAIL_CHARS:]
            start = query.find(tail)
            if start >= 0:
                query = query[start + len(tail) :]
    return without_end_tokens(query)


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


def check_labels(labels: list[Any], fix: str) -> None:
    """Raise :class:`MissingLabels` when a label is missing or empty."""
    empty = [index for index, label in enumerate(labels) if _empty(label)]
    if empty:
        where = ", ".join(map(str, empty[:5])) + (
            f" (+{len(empty) - 5} more)" if len(empty) > 5 else ""
        )
        raise MissingLabels(f"{len(empty)} of {len(labels)} labels are empty (at {where}): {fix}")


def _empty(label: Any) -> bool:
    return label is None or (isinstance(label, str) and not label.strip())


def openrlhf_items(request: OpenRLHFRequest) -> list[dict[str, Any]]:
    count = len(request.query)
    prompts = request.prompts or [None] * count
    labels = request.labels if request.labels is not None else [None] * count
    if len(prompts) != count or len(labels) != count:
        raise ValueError(f"query has {count} entries, prompts {len(prompts)}, labels {len(labels)}")
    check_labels(labels, OPENRLHF_NO_LABEL)
    items = []
    for query, prompt, label in zip(request.query, prompts, labels, strict=True):
        items.append(item_from_label(label, response_text(query, prompt), prompt))
    return items


# OpenRLHF merges extra_logs into each sample's info beside its own entries: a component
# with one of these names would overwrite the sample's reward, score or lengths there.
OPENRLHF_INFO_KEYS = frozenset({"reward", "score", "response_length", "total_length"})


def log_keys(component_names: Iterable[str]) -> list[str]:
    """The fixed ``extra_logs`` keys: the served verifiers' components (but those named as
    OpenRLHF's own info entries), timeout, error."""
    components = set(component_names) - {"timeout", "error"} - OPENRLHF_INFO_KEYS
    return [*sorted(components), "timeout", "error"]


def logged_verifiers(
    configured: list[str] | None,
    default_verifier: str | None,
    routes: dict[str, str],
    installed: Iterable[str],
) -> list[str]:
    """The verifiers whose components go into ``extra_logs``: ``configured``, else those
    the server serves without being told (its default and its routes' targets)."""
    installed = list(installed)
    if configured is not None:
        missing = [name for name in configured if name not in installed]
        if missing:
            raise ValueError(
                f"extra_logs_verifiers names {', '.join(map(repr, missing))}, which "
                f"{'is' if len(missing) == 1 else 'are'} not installed "
                f"(installed: {', '.join(installed) or 'none'})"
            )
        return list(configured)
    served = {default_verifier, *routes.values()}
    return [name for name in installed if name in served]


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


def slime_item(sample: SlimeRequest) -> dict[str, Any]:
    check_labels([sample.label], SLIME_NO_LABEL)
    prompt = sample.prompt if isinstance(sample.prompt, str) else None
    return item_from_label(sample.label, without_end_tokens(sample.response), prompt)


def slime_response(result: Result) -> dict[str, Any]:
    return {
        "reward": result.reward,
        "score": clipped(result.reward),
        "status": result.status.value,
        "detail": result.detail,
        "components": result.components,
    }
