"""TRL's ``GRPOTrainer(reward_funcs=[...])``: a reward function backed by reward-server.

TRL calls each reward function with the batch's ``prompts`` and ``completions`` and every
other dataset column as a keyword argument holding one value per completion, awaits it
when it is a coroutine function, and treats ``None`` as "no reward from this function for
this sample". Completions are strings, or, for conversational datasets, message lists
whose last assistant message is the answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from reward_server.integrations import score_items_async, to_python

__all__ = ["RewardFunction", "completion_text", "reward_function"]

RewardFunction = Callable[..., Awaitable[list[float | None]]]


def reward_function(
    verifier: str | None = "math",
    ground_truth_column: str = "answer",
    url: str | None = None,
    options: dict[str, Any] | None = None,
    *,
    timeout_s: float | None = None,
) -> RewardFunction:
    """An async TRL reward function scoring completions with ``verifier``.

    The ground truth of completion ``i`` is ``kwargs[ground_truth_column][i]``. With
    ``verifier=None`` each item is routed by the dataset's ``data_source`` column. The
    server is ``url``, else ``$REWARD_SERVER_URL`` at call time, else none: the verifiers
    run in-process. Rewards of items that could not be judged (``timeout``, ``error``,
    ``invalid_input``) are ``None``, so a broken sample does not pass for a wrong answer;
    ``format_error`` is a judgement and keeps its reward. The function is named
    ``reward_server_<verifier>`` because TRL logs each reward under its function's name.
    """

    async def score(
        prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any
    ) -> list[float | None]:
        if ground_truth_column not in kwargs:
            columns = ", ".join(sorted(kwargs)) or "none"
            raise KeyError(
                f"reward_server reward function: no {ground_truth_column!r} column among "
                f"the dataset columns TRL passed ({columns}); set ground_truth_column"
            )
        truths = kwargs[ground_truth_column]
        sources = kwargs.get("data_source") or [None] * len(completions)
        items = []
        for completion, truth, source in zip(completions, truths, sources, strict=True):
            item: dict[str, Any] = {
                "response": completion_text(completion),
                "ground_truth": to_python(truth),
            }
            if verifier:
                item["verifier"] = verifier
            elif source is not None:
                item["data_source"] = to_python(source)
            if options:
                item["options"] = options
            items.append(item)
        results = await score_items_async(items, url=url, timeout_s=timeout_s)
        return [result.reward if result.status.is_judgement else None for result in results]

    name = f"reward_server_{verifier or 'routed'}"
    score.__name__ = score.__qualname__ = name
    return score


def completion_text(completion: Any) -> str:
    """The answer in a TRL completion: the string itself, or the content of the last
    assistant message (text parts joined when the content is a list of parts)."""
    if isinstance(completion, str):
        return completion
    messages = [m for m in completion if isinstance(m, Mapping)]
    assistant = [m for m in messages if m.get("role") == "assistant"]
    if not assistant:
        return ""
    content = assistant[-1].get("content")
    if isinstance(content, list):
        return "".join(
            part.get("text", "")
            for part in content
            if isinstance(part, Mapping) and part.get("type", "text") == "text"
        )
    return "" if content is None else str(content)
