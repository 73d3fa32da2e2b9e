"""``GET /dashboard``, a live page of the rewards, and ``GET /v1/stats``, the JSON it reads.

The page is one HTML file with its style and script inlined from ``reward_server/static/``:
no build step, no CDN, no third-party code, so it works offline and in an image built with
no network. The script draws SVG charts of a :class:`~reward_server.stats.Stats` snapshot,
polling ``/v1/stats`` live; ``reward-server score --report`` writes the same page with a
snapshot inlined instead. Both routes sit behind the API key like the rest of the API (a
browser is asked for it as the password of HTTP Basic auth, see reward_server/auth.py).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from reward_server.stats import Stats

STATIC = resources.files("reward_server") / "static"
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    # Inline style and script only, and requests to this server: nothing else may run or
    # be fetched, whatever a data source's name holds.
    "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
}


def page(snapshot: dict[str, Any] | None = None) -> str:
    """The dashboard as one HTML document: live (polling) without ``snapshot``, else a
    self-contained report of it."""
    data = json.dumps(snapshot).replace("<", "\\u003c")  # no </script> from a name
    return (
        (STATIC / "dashboard.html")
        .read_text(encoding="utf-8")
        .replace("/*STYLE*/", (STATIC / "dashboard.css").read_text(encoding="utf-8"))
        .replace("/*SCRIPT*/", (STATIC / "dashboard.js").read_text(encoding="utf-8"))
        .replace("/*DATA*/", data)  # last: a name may hold the other markers
    )


def write_report(path: Path, stats: Stats) -> None:
    """The charts of an offline run, as a self-contained HTML file."""
    path.write_text(page(stats.snapshot()), encoding="utf-8")


def router(stats: Stats) -> APIRouter:
    routes = APIRouter()
    live_page = page()

    @routes.get("/dashboard", include_in_schema=False)
    async def dashboard() -> HTMLResponse:
        """The live page."""
        return HTMLResponse(live_page, headers=PAGE_HEADERS)

    @routes.get("/v1/stats", response_model=dict[str, Any], tags=["dashboard"])
    async def stats_json() -> Response:
        """Rolling windows of the scored items per verifier and data source: what
        /dashboard draws."""
        body = json.dumps(stats.snapshot(), separators=(",", ":"))
        return Response(body, media_type="application/json")

    return routes
