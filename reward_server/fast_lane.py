"""The scoring routes answered without FastAPI's per-request machinery.

FastAPI's routing, dependency solving and body handling cost about 0.3 ms a request on a
2-core machine, several times what the engine spends on a cheap item; trainers that send
one sample per request (OpenRLHF's remote reward model) pay it per sample. This pure ASGI
layer, the innermost of the server's middlewares, answers those routes itself when the body
is JSON that the route's own model accepts. Any other body goes on to the FastAPI route
with its bytes replayed, so every error keeps FastAPI's shape, and the routes stay the one
statement of the API in the OpenAPI schema.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

Handler = Callable[[object], Awaitable[Response | None]]
"""Scores a parsed JSON body, or returns None for a body the FastAPI route should answer."""


class FastLane:
    """Pure ASGI middleware: POST ``path`` goes to ``handlers[path]`` when it takes the body."""

    def __init__(self, app: ASGIApp, handlers: Mapping[str, Handler]) -> None:
        self.app = app
        self.handlers = dict(handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.handlers.get(scope["path"]) if scope["type"] == "http" else None
        if handler is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        try:
            body = await _read_body(receive)
        except HTTPException as exc:  # the body-size limit, counted while reading
            await _error(exc)(scope, receive, send)
            return
        if body is None:  # the client went away
            return
        response = None
        try:
            parsed = json.loads(body) if body else None
        except (ValueError, RecursionError):  # FastAPI answers it, in its own words
            parsed = None
        try:
            if parsed is not None:
                response = await handler(parsed)
        except HTTPException as exc:
            response = _error(exc)
        except Exception:
            response = internal_error(scope["path"])
        if response is None:
            await self.app(scope, _replay(body, receive), send)
            return
        await response(scope, receive, send)


async def _read_body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives ``body`` once, then whatever the server says next."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def internal_error(path: str) -> Response:
    """The answer to an unhandled exception, logged with its traceback; no detail leaks."""
    log.exception("unhandled error on %s", path)
    return JSONResponse({"detail": "internal server error"}, status_code=500)


def _error(exc: HTTPException) -> Response:
    """What FastAPI's own handler answers for ``exc``."""
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
