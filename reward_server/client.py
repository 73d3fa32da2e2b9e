"""Python clients for a running reward server: ``RewardClient`` (sync), ``AsyncRewardClient``.

A training loop scores thousands of samples per step, so a client keeps one httpx
connection pool per instance, splits large batches into requests the server accepts (at
most ``batch_size`` items each, results kept in input order), and rides out a server
restart or a transient overload: connection errors, timeouts and 5xx answers are retried
with exponential backoff. A 4xx answer means the request itself is wrong, so it fails at
once. Anything that still fails raises :class:`RewardServerError`, never a partial result.

::

    from reward_server.client import RewardClient

    with RewardClient("http://127.0.0.1:8000") as client:
        results = client.score([{"verifier": "math", "response": "#### 4", "ground_truth": "4"}])
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from collections.abc import Iterable, Mapping
from typing import Any, Self

import httpx
from pydantic import ValidationError

from reward_server.models import Item, Result, RewardsResponse

__all__ = [
    "API_KEY_ENV_VAR",
    "DEFAULT_URL",
    "URL_ENV_VAR",
    "AsyncRewardClient",
    "RewardClient",
    "RewardServerError",
]

URL_ENV_VAR = "REWARD_SERVER_URL"
API_KEY_ENV_VAR = "REWARD_SERVER_API_KEY"
DEFAULT_URL = "http://127.0.0.1:8000"
REWARDS_PATH = "/v1/rewards"
MAX_ERROR_BODY_CHARS = 500

ItemLike = Item | Mapping[str, Any]


class RewardServerError(RuntimeError):
    """The server could not score a batch: unreachable, failing, or refusing the request.

    ``status_code`` is the last HTTP status seen (``None`` when no answer came back), and
    ``attempts`` the number of requests made for the failing chunk.
    """

    def __init__(self, message: str, *, status_code: int | None = None, attempts: int = 1):
        super().__init__(message)
        self.status_code = status_code
        self.attempts = attempts


class _ClientBase:
    """Configuration and the transport-independent parts shared by both clients."""

    _transport: type[httpx.Client] | type[httpx.AsyncClient]

    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        batch_size: int = 1024,
        retries: int = 3,
        backoff_s: float = 0.5,
        max_backoff_s: float = 8.0,
        http_timeout_s: float | None = 300.0,
        **httpx_kwargs: Any,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if retries < 0:
            raise ValueError(f"retries must be 0 or more, got {retries}")
        self.base_url = (base_url or os.environ.get(URL_ENV_VAR) or DEFAULT_URL).rstrip("/")
        self.batch_size = batch_size
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV_VAR)
        headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = self._transport(
            base_url=self.base_url, headers=headers, timeout=http_timeout_s, **httpx_kwargs
        )

    def _chunks(self, items: Iterable[ItemLike]) -> list[list[Any]]:
        wire = [_to_wire(item) for item in items]
        return [wire[i : i + self.batch_size] for i in range(0, len(wire), self.batch_size)]

    @staticmethod
    def _payload(chunk: list[Any], timeout_s: float | None) -> dict[str, Any]:
        payload: dict[str, Any] = {"items": chunk}
        if timeout_s is not None:
            payload["timeout_s"] = timeout_s
        return payload

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Exponential backoff with jitter, so that many trainer ranks retrying a restarted
        server do not arrive in lockstep; a 503's ``Retry-After`` is honoured up to the cap."""
        delay = min(self.max_backoff_s, self.backoff_s * 2**attempt) * random.uniform(0.5, 1.0)
        if response is not None:
            with contextlib.suppress(ValueError):  # absent, or an HTTP date
                delay = max(delay, float(response.headers.get("retry-after", "")))
        return min(delay, self.max_backoff_s)

    def _results(self, response: httpx.Response, expected: int) -> list[Result]:
        """The typed results of a non-5xx answer; a 4xx or a malformed body raises."""
        if response.status_code != 200:
            raise RewardServerError(
                f"POST {self.base_url}{REWARDS_PATH} was refused: {_describe(response)}",
                status_code=response.status_code,
            )
        try:
            results = RewardsResponse.model_validate_json(response.content).results
        except ValidationError as exc:
            raise RewardServerError(
                f"POST {self.base_url}{REWARDS_PATH} answered with an unexpected body: "
                f"{response.text[:MAX_ERROR_BODY_CHARS]!r} ({exc.error_count()} errors)",
                status_code=response.status_code,
            ) from None
        if len(results) != expected:
            raise RewardServerError(
                f"POST {self.base_url}{REWARDS_PATH} returned {len(results)} results "
                f"for {expected} items",
                status_code=response.status_code,
            )
        return results

    def _gave_up(
        self, failure: str, response: httpx.Response | None, cause: BaseException | None
    ) -> RewardServerError:
        attempts = self.retries + 1
        error = RewardServerError(
            f"POST {self.base_url}{REWARDS_PATH} failed after {attempts} attempt"
            f"{'s' if attempts > 1 else ''}: {failure}",
            status_code=None if response is None else response.status_code,
            attempts=attempts,
        )
        error.__cause__ = cause
        return error


class RewardClient(_ClientBase):
    """Blocking client; one instance holds one connection pool, and is safe to share
    between threads.

    ``base_url`` defaults to ``$REWARD_SERVER_URL``, else ``http://127.0.0.1:8000``;
    ``api_key`` (default ``$REWARD_SERVER_API_KEY``) is sent as ``Authorization: Bearer``.
    ``http_timeout_s`` bounds one HTTP request, i.e. a whole chunk of ``batch_size`` items,
    so it must exceed the items' own deadlines. Further keyword arguments go to
    ``httpx.Client`` (``limits``, ``verify``, ``event_hooks``, ``transport``, ...).
    """

    _transport = httpx.Client

    def score(self, items: Iterable[ItemLike], timeout_s: float | None = None) -> list[Result]:
        """Score items (``Item`` models or dicts in the wire format); ``results[i]``
        answers ``items[i]``. ``timeout_s`` is the per-item deadline sent to the server."""
        results: list[Result] = []
        for chunk in self._chunks(items):
            results.extend(self._post(self._payload(chunk, timeout_s), len(chunk)))
        return results

    def score_one(self, item: ItemLike, timeout_s: float | None = None) -> Result:
        return self.score([item], timeout_s)[0]

    def _post(self, payload: dict[str, Any], expected: int) -> list[Result]:
        for attempt in range(self.retries + 1):
            response: httpx.Response | None = None
            cause: BaseException | None = None
            try:
                response = self._http.post(REWARDS_PATH, json=payload)
            except httpx.TransportError as exc:
                failure, cause = f"{type(exc).__name__}: {exc}", exc
            else:
                if response.status_code < 500:
                    return self._results(response, expected)
                failure = _describe(response)
            if attempt < self.retries:
                time.sleep(self._delay(attempt, response))
        raise self._gave_up(failure, response, cause)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncRewardClient(_ClientBase):
    """Like :class:`RewardClient`, for asyncio code (TRL's async reward functions, verl's
    reward loop). An instance is bound to the event loop it is first used on."""

    _transport = httpx.AsyncClient

    async def score(
        self, items: Iterable[ItemLike], timeout_s: float | None = None
    ) -> list[Result]:
        """Score items; ``results[i]`` answers ``items[i]``. Chunks are sent one after the
        other: a single chunk already keeps every server worker busy."""
        results: list[Result] = []
        for chunk in self._chunks(items):
            results.extend(await self._post(self._payload(chunk, timeout_s), len(chunk)))
        return results

    async def score_one(self, item: ItemLike, timeout_s: float | None = None) -> Result:
        return (await self.score([item], timeout_s))[0]

    async def _post(self, payload: dict[str, Any], expected: int) -> list[Result]:
        for attempt in range(self.retries + 1):
            response: httpx.Response | None = None
            cause: BaseException | None = None
            try:
                response = await self._http.post(REWARDS_PATH, json=payload)
            except httpx.TransportError as exc:
                failure, cause = f"{type(exc).__name__}: {exc}", exc
            else:
                if response.status_code < 500:
                    return self._results(response, expected)
                failure = _describe(response)
            if attempt < self.retries:
                await asyncio.sleep(self._delay(attempt, response))
        raise self._gave_up(failure, response, cause)

    async def close(self) -> None:
        await self._http.aclose()

    aclose = close

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def _to_wire(item: ItemLike) -> Any:
    if isinstance(item, Item):
        return item.model_dump(mode="json", exclude_defaults=True)
    return dict(item) if isinstance(item, Mapping) else item


def _describe(response: httpx.Response) -> str:
    status = f"HTTP {response.status_code} {response.reason_phrase}"
    body = response.text[:MAX_ERROR_BODY_CHARS]
    return f"{status}: {body}" if body else status
