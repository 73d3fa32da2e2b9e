"""Optional API keys: ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``, or, for a
browser, HTTP Basic auth with the key as the password (any user name).

Off when no key is configured. Probes (``/healthz``, ``/readyz``) stay open so that load
balancers and Kubernetes need no secret. Keys are compared in constant time, and every
configured key is compared, so the time taken says nothing about which one nearly matched.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Iterable
from pathlib import Path

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

OPEN_PATHS = frozenset({"/healthz", "/readyz"})
BROWSER_PATHS = frozenset({"/dashboard", "/v1/stats"})
"""Paths a browser opens: their 401 asks for the key as a Basic password, so the browser
prompts for it once and sends it with the page's own requests."""


def load_keys(keys: Iterable[str], keys_file: Path | None) -> list[bytes]:
    """Keys from settings plus one per line of ``keys_file`` (blank lines and # comments
    ignored)."""
    found = [key.strip() for key in keys if key.strip()]
    if keys_file is not None:
        for line in keys_file.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                found.append(line)
    return [key.encode() for key in found]


def presented_key(headers: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            if scheme.lower() == b"bearer" and token.strip():
                return token.strip()
            if scheme.lower() == b"basic" and token.strip():
                try:
                    _, _, password = base64.b64decode(token.strip(), validate=True).partition(b":")
                except binascii.Error:
                    return None
                return password or None
        elif name == b"x-api-key" and value.strip():
            return value.strip()
    return None


class ApiKeyAuth:
    """Pure ASGI middleware; a no-op without keys."""

    def __init__(self, app: ASGIApp, keys: list[bytes]) -> None:
        self.app = app
        self.keys = keys

    def allowed(self, presented: bytes | None) -> bool:
        if presented is None:
            return False
        matched = False
        for key in self.keys:
            matched |= hmac.compare_digest(presented, key)
        return matched

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.keys
            or scope["type"] != "http"
            or scope["path"] in OPEN_PATHS
            or self.allowed(presented_key(scope["headers"]))
        ):
            await self.app(scope, receive, send)
            return
        challenge = "Bearer"
        if scope["path"] in BROWSER_PATHS:
            challenge = 'Basic realm="reward-server: the API key as password", charset="UTF-8"'
        response = JSONResponse(
            {"detail": "missing or invalid API key (Authorization: Bearer <key>, or X-API-Key)"},
            status_code=401,
            headers={"WWW-Authenticate": challenge},
        )
        await response(scope, receive, send)
