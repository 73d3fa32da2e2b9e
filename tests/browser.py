"""A headless Chromium (Debian's ``chromium``) driven over the DevTools protocol, for tests
that look at a page as a person would: navigate, answer the Basic auth prompt, evaluate
JavaScript, take a screenshot. Only loopback: the browser listens on 127.0.0.1.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from websockets.sync.client import ClientConnection, connect

from tests.helpers import terminate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


class Browser:
    """One page of a headless Chromium; ``credentials`` answer Basic auth prompts."""

    def __init__(self, profile: Path, *, width: int = 1400, height: int = 1800) -> None:
        if CHROMIUM is None:
            raise RuntimeError("chromium is not installed (scripts/install-system-deps.sh test)")
        self.log = profile / "chromium.log"
        with self.log.open("w") as log:  # a file, not a pipe: nobody has to drain it
            self.process = self._start(profile, log, width, height)
        self.credentials: tuple[str, str] | None = None
        self._ids = itertools.count(1)
        self._sockets = contextlib.ExitStack()
        self._socket = self._page_socket(self._browser_url())

    @staticmethod
    def _start(profile: Path, log: IO[str], width: int, height: int) -> subprocess.Popen:
        return subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",  # as root, Chromium's own sandbox cannot start
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )

    def _browser_url(self, startup_s: float = 60) -> str:
        deadline = time.monotonic() + startup_s
        while time.monotonic() < deadline:
            found = _LISTENING.search(self.log.read_text(errors="replace"))
            if found:
                return found.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        terminate(self.process, grace_s=5)
        raise RuntimeError(f"chromium did not start:\n{self.log.read_text(errors='replace')}")

    def _page_socket(self, browser_url: str) -> ClientConnection:
        host = browser_url.split("/")[2]
        with connect(browser_url, max_size=None) as browser:
            browser.send(json.dumps({"id": 1, "method": "Target.getTargets"}))
            while True:
                answer = json.loads(browser.recv(timeout=30))
                if answer.get("id") == 1:
                    break
        (page,) = [t for t in answer["result"]["targetInfos"] if t["type"] == "page"]
        page_url = f"ws://{host}/devtools/page/{page['targetId']}"
        socket = self._sockets.enter_context(connect(page_url, max_size=None))
        self._socket = socket
        self.call("Fetch.enable", handleAuthRequests=True, patterns=[{"urlPattern": "*"}])
        self.call("Page.enable")
        return socket

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command and wait for its answer, handling the events that come first."""
        number = next(self._ids)
        self._socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv(timeout=60))
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Fetch.requestPaused":
            self._send("Fetch.continueRequest", requestId=params["requestId"])
        elif method == "Fetch.authRequired":
            user, password = self.credentials or ("", "")
            response = "ProvideCredentials" if self.credentials else "CancelAuth"
            challenge = {"response": response, "username": user, "password": password}
            self._send(
                "Fetch.continueWithAuth",
                requestId=params["requestId"],
                authChallengeResponse=challenge,
            )

    def _send(self, method: str, **params: Any) -> None:
        """A command whose answer is not waited for (it is skipped when it comes)."""
        message = {"id": next(self._ids), "method": method, "params": params}
        self._socket.send(json.dumps(message))

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(
        self, expression: str, *, timeout_s: float, accept: Callable[[Any], bool] = bool
    ) -> Any:
        """Evaluate ``expression`` until ``accept`` takes its value; the last value on a
        timeout is in the error."""
        deadline = time.monotonic() + timeout_s
        value = None
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if accept(value):
                return value
            time.sleep(0.25)
        raise AssertionError(f"{expression} still {value!r} after {timeout_s} s")

    def screenshot(self, path: Path) -> None:
        height = self.evaluate("document.documentElement.scrollHeight")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=1400,
            height=int(height),
            deviceScaleFactor=1,
            mobile=False,
        )
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self._sockets.close()
        finally:
            terminate(self.process, grace_s=10)
