"""Request ids, JSON log lines and per-request metrics.

Every request gets an id, taken from ``X-Request-ID`` when it is sane or made up, echoed
in the response and attached to every log line written while it is handled. One access
line per request records method, path, status and duration, never a body: responses and
ground truths stay out of the logs.
"""

from __future__ import annotations

import contextvars
import logging
import random
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reward_server.metrics import Metrics

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_SANE_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")
access_log = logging.getLogger("reward_server.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def logging_config(level: str, fmt: str) -> dict[str, Any]:
    """``logging.config.dictConfig`` for the server and uvicorn: JSON lines or plain text."""
    formatter: dict[str, Any] = (
        {
            "()": JsonFormatter,
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # Replaced by reward_server.access, which has the request id and the duration.
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }


def _route_paths(routes: Iterable[Any], prefix: str = "") -> Iterator[str]:
    """Every route's full path, through included routers (FastAPI keeps an included router
    as one entry holding the original router and its prefix)."""
    for route in routes:
        path = getattr(route, "path", None)
        if isinstance(path, str):
            yield prefix + path
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from _route_paths(included.routes, prefix + getattr(context, "prefix", ""))


class RequestContext:
    """Pure ASGI middleware, outermost: the request id, the access line and the metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.endpoints: frozenset[str] | None = None

    def endpoint(self, scope: Scope) -> str:
        """The route's path, or "other": paths from requests must not become labels."""
        if self.endpoints is None:
            self.endpoints = frozenset(_route_paths(scope["app"].routes))
        return scope["path"] if scope["path"] in self.endpoints else "other"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"").decode(
            "latin-1"
        )
        # Not uuid4: it reads os.urandom, tens of microseconds a request in a VM.
        rid = given if _SANE_ID.match(given) else f"{random.getrandbits(128):032x}"
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration = time.perf_counter() - started
            endpoint = self.endpoint(scope)
            self.metrics.child(self.metrics.requests, endpoint, str(status)).inc()
            self.metrics.child(self.metrics.request_seconds, endpoint).observe(duration)
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": endpoint,
                    "status": status,
                    "duration_ms": round(duration * 1000, 3),
                    "client": (scope.get("client") or ("", 0))[0],
                },
            )
            request_id.reset(token)
