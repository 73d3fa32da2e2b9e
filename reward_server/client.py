"""Python clients for a running reward server: ``RewardClient`` (sync), ``AsyncRewardClient``.

A training loop scores thousands of samples per step, so a client keeps one httpx
connection pool per instance, splits large batches into requests the server accepts (at
most ``batch_size`` items each, results kept in input order), and rides out a server
restart or a transient overload: connection errors, timeouts and 5xx answers are retried
with exponential backoff for ``retry_window_s`` (60 s). A 4xx answer means the request
itself is wrong, so it fails at once. Anything that still fails raises
:class:`RewardServerError`, which carries the results of the chunks scored before it.

::

    from reward_server.client import RewardClient

    with RewardClient("http://127.0.0.1:8000") as client:
        results = client.score([{"verifier": "math", "response": "#### 4", "ground_truth": "4"}])
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import time
from collections.abc import Iterable, Mapping
from typing import Any, Self

import httpx
from pydantic import ValidationError

from reward_server.models import WARNING_HEADER, Item, Result, RewardsResponse

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

    ``status_code`` is the last HTTP status seen (``None`` when no answer came back),
    ``attempts`` the number of requests made for the failing chunk, and ``results`` the
    results already received: they answer the first ``len(results)`` items, in order.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        attempts: int = 1,
        results: list[Result] | None = None,
    ):
        super().__init__(message)
        self.status_code = status_code
        self.attempts = attempts
        self.results: list[Result] = results or []

    def after(self, results: list[Result], total: int) -> RewardServerError:
        """This error, for a call of ``total`` items whose earlier chunks gave ``results``."""
        kept = [*results, *self.results]
        message = str(self)
        if kept:
            message += (
                f" ({len(kept)} of {total} items were scored before it failed; their "
                "results are in this error's .results)"
            )
        error = RewardServerError(
            message, status_code=self.status_code, attempts=self.attempts, results=kept
        )
        error.__cause__ = self.__cause__
        return error


class _ClientBase:
    """Configuration and the transport-independent parts shared by both clients."""

    _transport: type[httpx.Client] | type[httpx.AsyncClient]

    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        batch_size: int = 1024,
        retry_window_s: float = 60.0,
        retries: int | None = None,
        backoff_s: float = 0.5,
        max_backoff_s: float = 8.0,
        http_timeout_s: float | None = 300.0,
        raise_on_failed_batch: bool = False,
        **httpx_kwargs: Any,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if retry_window_s < 0:
            raise ValueError(f"retry_window_s must be 0 or more, got {retry_window_s}")
        if retries is not None and retries < 0:
            raise ValueError(f"retries must be 0 or more, got {retries}")
        self.base_url = (base_url or os.environ.get(URL_ENV_VAR) or DEFAULT_URL).rstrip("/")
        self.batch_size = batch_size
        self.retry_window_s = retry_window_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.raise_on_failed_batch = raise_on_failed_batch
        api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV_VAR)
        headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = self._transport(
            base_url=self.base_url, headers=headers, timeout=http_timeout_s, **httpx_kwargs
        )

    def _chunks(self, items: Iterable[ItemLike]) -> list[list[Any]]:
        wire = [_to_wire(item) for item in items]
        return [wire[i : i + self.batch_size] for i in range(0, len(wire), self.batch_size)]

    @staticmethod
    def _payload(
        chunk: list[Any], timeout_s: float | None, reject_unresolved: bool
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"items": chunk}
        if timeout_s is not None:
            payload["timeout_s"] = timeout_s
        if reject_unresolved:
            payload["reject_unresolved"] = True
        return payload

    def _retry_in(self, attempt: int, started: float, response: httpx.Response | None) -> float:
        """Seconds to wait before the next attempt; ``-1`` when the chunk's retries are
        spent (``retries`` attempts, or ``retry_window_s`` since its first attempt)."""
        if self.retries is not None and attempt >= self.retries:
            return -1.0
        left = started + self.retry_window_s - time.monotonic()
        if left <= 0:
            return -1.0
        return min(self._delay(attempt, response), left)

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Exponential backoff with jitter, so that many trainer ranks retrying a restarted
        server do not arrive in lockstep; a 503's ``Retry-After`` is honoured up to the cap."""
        delay = min(self.max_backoff_s, self.backoff_s * 2**attempt) * random.uniform(0.5, 1.0)
        if response is not None:
            with contextlib.suppress(ValueError):  # absent, or an HTTP date
                delay = max(delay, float(response.headers.get("retry-after", "")))
        return min(delay, self.max_backoff_s)

    def _results(self, response: httpx.Response, expected: int) -> list[Result]:
        """The typed results of a non-5xx answer; a 4xx or a malformed body raises, and so
        does a batch that failed whole when ``raise_on_failed_batch`` is set."""
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
        warning = response.headers.get(WARNING_HEADER)
        if warning and self.raise_on_failed_batch:
            raise RewardServerError(
                f"POST {self.base_url}{REWARDS_PATH}: {warning}",
                status_code=response.status_code,
                results=results,
            )
        return results

    def _gave_up(
        self,
        failure: str,
        attempts: int,
        started: float,
        response: httpx.Response | None,
        cause: BaseException | None,
    ) -> RewardServerError:
        error = RewardServerError(
            f"POST {self.base_url}{REWARDS_PATH} failed after {attempts} attempt"
            f"{'s' if attempts > 1 else ''} in {time.monotonic() - started:.1f} s: {failure}",
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

    def score(
        self,
        items: Iterable[ItemLike],
        timeout_s: float | None = None,
        *,
        reject_unresolved: bool = False,
    ) -> list[Result]:
        """Score items (``Item`` models or dicts in the wire format); ``results[i]``
        answers ``items[i]``. ``timeout_s`` is the per-item deadline sent to the server;
        ``reject_unresolved`` makes an item with no usable verifier fail the call (422)
        rather than come back ``invalid_input``."""
        chunks = self._chunks(items)
        total = sum(map(len, chunks))
        results: list[Result] = []
        for chunk in chunks:
            payload = self._payload(chunk, timeout_s, reject_unresolved)
            try:
                results.extend(self._post(payload, len(chunk)))
            except RewardServerError as error:
                raise error.after(results, total) from error.__cause__
        return results

    def score_one(self, item: ItemLike, timeout_s: float | None = None) -> Result:
        return self.score([item], timeout_s)[0]

    def _post(self, payload: dict[str, Any], expected: int) -> list[Result]:
        started = time.monotonic()
        for attempt in itertools.count():
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
            wait_s = self._retry_in(attempt, started, response)
            if wait_s < 0:
                raise self._gave_up(failure, attempt + 1, started, response, cause)
            time.sleep(wait_s)
        raise AssertionError("unreachable")

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
        self,
        items: Iterable[ItemLike],
        timeout_s: float | None = None,
        *,
        reject_unresolved: bool = False,
    ) -> list[Result]:
        """Score items; ``results[i]`` answers ``items[i]``. Chunks are sent one after the
        other: a single chunk already keeps every server worker busy."""
        chunks = self._chunks(items)
        total = sum(map(len, chunks))
        results: list[Result] = []
        for chunk in chunks:
            payload = self._payload(chunk, timeout_s, reject_unresolved)
            try:
                results.extend(await self._post(payload, len(chunk)))
            except RewardServerError as error:
                raise error.after(results, total) from error.__cause__
        return results

    async def score_one(self, item: ItemLike, timeout_s: float | None = None) -> Result:
        return (await self.score([item], timeout_s))[0]

    async def _post(self, payload: dict[str, Any], expected: int) -> list[Result]:
        started = time.monotonic()
        for attempt in itertools.count():
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
            wait_s = self._retry_in(attempt, started, response)
            if wait_s < 0:
                raise self._gave_up(failure, attempt + 1, started, response, cause)
            await asyncio.sleep(wait_s)
        raise AssertionError("unreachable")

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
