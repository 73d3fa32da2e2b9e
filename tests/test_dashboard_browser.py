"""The real ``/dashboard`` in headless Chromium, against a server under load: the charts
draw with data, the banner appears when a verifier starts timing out, and the stats stay
bounded. Set UPDATE_SCREENSHOTS=1 to refresh docs/images/dashboard.png from this run.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from reward_server.stats import MAX_DATA_SOURCES, MAX_RECENT, OTHER
from tests.browser import CHROMIUM, Browser
from tests.conftest import Server, start_server, stop_server
from tests.helpers import item
from tests.test_batch_cli import run

KEY = "browser-key"
HEADERS = {"Authorization": f"Bearer {KEY}"}
SCREENSHOT = Path(__file__).parent.parent / "docs" / "images" / "dashboard.png"
NO_CHROMIUM = "DASHBOARD NOT TESTED IN A BROWSER: chromium is missing (run as root: make test)"
CHARTS = ("rate", "latency", "status", "mean-verifier", "mean-source")
NEW_NAMES = 8
"""Data source names never seen before, in each round of the load."""
LOAD_LIMIT_S = 240.0
"""The load stops by itself after this long, whatever the test does."""

pytestmark = pytest.mark.slow


class Load:
    """Batches of mixed verifiers from a thread until stopped; ``sleepy_s`` makes the
    sleepy verifier overrun its 0.5 s deadline when set above it, and ``new_names`` adds
    items of data sources never seen before."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sleepy_s = 0.0
        self.new_names = False
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        deadline = time.monotonic() + LOAD_LIMIT_S
        with httpx.Client(base_url=self.url, headers=HEADERS, timeout=60) as client:
            while not self._stop.is_set() and time.monotonic() < deadline:
                round_ = self.sent
                items = [
                    item("exact_match", "a", "a" if k % 4 else "b", data_source="qa/set")
                    for k in range(12)
                ]
                items += [
                    item("math", f"\\boxed{{{k % 3}}}", "1", data_source="openai/gsm8k")
                    for k in range(6)
                ]
                # New data source names all the time: the stats must keep a bounded set.
                items += [
                    item("exact_match", "x", "x", data_source=f"run-{round_}-{k}")
                    for k in range(NEW_NAMES if self.new_names else 0)
                ]
                client.post("/v1/rewards", json={"items": items})
                sleepy = item("sleepy", "", "1", options={"seconds": self.sleepy_s})
                client.post("/v1/rewards", json={"items": [sleepy] * 2, "timeout_s": 0.5})
                self.sent += 1
                time.sleep(0.05)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Server]:
    server = start_server(
        tmp_path / "server.log",
        "--workers",
        "2",
        env={"REWARD_SERVER_API_KEYS": json.dumps([KEY]), "REWARD_SERVER_DASHBOARD__BUCKET_S": "2"},
    )
    yield server
    stop_server(server)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    profile = tmp_path / "chromium"
    profile.mkdir()
    page = Browser(profile)
    yield page
    page.close()


def drawn(browser: Browser) -> dict[str, int]:
    """Marks drawn per chart, and the histograms."""
    ids = json.dumps(list(CHARTS))
    counts = browser.evaluate(
        f"JSON.stringify(Object.fromEntries({ids}.map((id) => [id, "
        "document.querySelectorAll(`#${id} [data-series]`).length])))"
    )
    found = json.loads(counts)
    found["histograms"] = browser.evaluate(
        "document.querySelectorAll('#hist-verifier svg[data-chart=histogram]').length"
    )
    return found


def test_the_live_page_draws_the_load_and_warns_when_a_verifier_times_out(
    served, browser, tmp_path
):
    browser.credentials = ("trainer", KEY)  # typed into the browser's Basic auth prompt
    with Load(served.url) as load:
        browser.open(f"{served.url}/dashboard")
        wait_until(lambda: len(stats_of(served)["series"]["t"]) >= 5, timeout_s=60)
        browser.wait_for(
            "JSON.stringify([...document.querySelectorAll('#hist-verifier figcaption')]"
            ".map((c) => c.textContent))",
            timeout_s=60,
            accept=lambda text: all(name in text for name in ("exact_match", "math", "sleepy")),
        )
        charts = drawn(browser)
        assert all(charts[name] > 0 for name in CHARTS), charts
        assert charts["histograms"] == 3
        assert browser.evaluate("document.getElementById('alerts').hidden") is True

        load.sleepy_s = 5.0  # from now on every sleepy item overruns its deadline
        banner = browser.wait_for(
            "document.getElementById('alerts').hidden ? '' : "
            "document.getElementById('alerts').textContent",
            timeout_s=90,
            accept=lambda text: "sleepy" in text,
        )
        assert "timed out" in banner
        browser.wait_for(
            "document.querySelectorAll('#operations [data-series=\"restart: timeout\"]').length",
            timeout_s=30,
        )
        recent = browser.evaluate("document.getElementById('recent').textContent")
        assert "exceeded the 0.5 s deadline" in recent
        shot = tmp_path / "dashboard.png"
        browser.screenshot(shot)

        # Then names never seen before, many more than the stats keep.
        load.new_names, sent = True, load.sent
        wait_until(lambda: (load.sent - sent) * NEW_NAMES > 2 * MAX_DATA_SOURCES, timeout_s=120)
        stats = stats_of(served)
        browser.wait_for(
            "document.getElementById('hist-source').textContent",
            timeout_s=30,
            accept=lambda text: "smaller data sources not drawn" in text,
        )
    assert shot.stat().st_size > 20_000
    assert shot.read_bytes().startswith(b"\x89PNG")
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copyfile(shot, SCREENSHOT)
    assert OTHER in stats["totals"]["data_sources"]
    assert len(stats["totals"]["data_sources"]) <= MAX_DATA_SOURCES + 1
    assert len(stats["recent"]) <= MAX_RECENT
    assert len(stats["series"]["t"]) <= stats["window_s"] / stats["bucket_s"]


def stats_of(server: Server) -> dict:
    return httpx.get(f"{server.url}/v1/stats", headers=HEADERS, timeout=30).json()


def wait_until(condition: Callable[[], bool], *, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not true after {timeout_s} s"
        time.sleep(0.25)


def test_the_offline_report_draws_its_charts_from_the_file(browser, tmp_path):
    data = tmp_path / "in.jsonl"
    records = [
        {"id": k, "response": str(k % 3), "ground_truth": "1", "data_source": f"set-{k % 2}"}
        for k in range(300)
    ]
    data.write_text("".join(json.dumps(record) + "\n" for record in records))
    report = tmp_path / "report.html"
    done = run(str(data), "-o", str(tmp_path / "out.jsonl"), "--verifier", "exact_match",
               "--report", str(report))  # fmt: skip
    assert done.returncode == 0, done.stderr
    browser.open(report.as_uri())
    browser.wait_for("document.body.dataset.updated", timeout_s=30)
    charts = drawn(browser)
    assert all(charts[name] > 0 for name in ("rate", "status", "mean-verifier", "mean-source"))
    assert charts["histograms"] == 1
    assert "offline run" in browser.evaluate("document.getElementById('state').textContent")
