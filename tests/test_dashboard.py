"""``/dashboard`` and ``/v1/stats`` on a real server with an API key, the reward metrics, and
``reward-server score --report``."""

from __future__ import annotations

import base64
import json
import re
import statistics
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reward_server.metrics import MAX_DATA_SOURCE_LABELS, Metrics
from tests.conftest import Server, start_server, stop_server
from tests.helpers import item
from tests.test_batch_cli import run

KEY = "dashboard-key"
BEARER = {"Authorization": f"Bearer {KEY}"}
SECRET = "a response nobody may read on the dashboard"


def basic(password: str, user: str = "anyone") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    server = start_server(log, "--workers", "2", env={"REWARD_SERVER_API_KEYS": json.dumps([KEY])})
    yield server
    stop_server(server)


def score(server: Server, items: list[dict], **envelope: object) -> list[dict]:
    answer = httpx.post(
        f"{server.url}/v1/rewards", json={"items": items, **envelope}, headers=BEARER, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def test_stats_follow_the_scored_items_per_verifier_and_data_source(secured):
    before = httpx.get(f"{secured.url}/v1/stats", headers=BEARER).json()["totals"]
    items = [item("exact_match", "a", "a", data_source="qa-set")] * 6
    items += [item("exact_match", "b", "a", data_source="qa-set")] * 2
    items += [item("math", "\\boxed{4}", "4", data_source="openai/gsm8k")] * 3
    score(secured, items)
    stats = httpx.get(f"{secured.url}/v1/stats", headers=BEARER).json()
    qa = stats["totals"]["data_sources"]["qa-set"]
    earlier = before["data_sources"].get("qa-set", {"items": 0})["items"]
    assert qa["items"] - earlier == 8
    assert stats["totals"]["data_sources"]["openai/gsm8k"]["mean_reward"] == 1.0
    assert stats["totals"]["verifiers"]["exact_match"]["latency_ms"]["p50"] > 0
    assert sum(stats["series"]["status"]["ok"]) >= 11
    assert stats["series"]["verifiers"]["math"]["items_per_s"][-1] > 0


def test_the_page_and_its_numbers_need_the_api_key(secured):
    for path in ("/dashboard", "/v1/stats"):
        refused = httpx.get(f"{secured.url}{path}")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Basic realm=")
        assert httpx.get(f"{secured.url}{path}", headers=basic("wrong")).status_code == 401
        assert httpx.get(f"{secured.url}{path}", headers=basic(KEY)).status_code == 200
        assert httpx.get(f"{secured.url}{path}", headers=BEARER).status_code == 200
    malformed = {"Authorization": "Basic not-base64!"}
    assert httpx.get(f"{secured.url}/v1/stats", headers=malformed).status_code == 401
    # Scoring still challenges API clients with Bearer only.
    refused = httpx.post(f"{secured.url}/v1/reward", json=item("exact_match", "a", "a"))
    assert refused.headers["www-authenticate"] == "Bearer"


def test_the_page_is_one_self_contained_document(secured):
    page = httpx.get(f"{secured.url}/dashboard", headers=BEARER)
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page.text)
    assert "/*SCRIPT*/" not in page.text
    assert "v1/stats" in page.text


def test_no_request_text_reaches_the_stats(secured):
    score(secured, [item("math", SECRET, "4", data_source="private-set")])
    stats = httpx.get(f"{secured.url}/v1/stats", headers=BEARER).json()
    shown = [r for r in stats["recent"] if r["data_source"] == "private-set"]
    assert shown
    assert shown[0]["status"] == "format_error"
    assert SECRET not in json.dumps(stats)


def test_the_metrics_have_rewards_per_verifier_and_data_source(secured):
    score(secured, [item("exact_match", "a", "a", data_source="metrics-set")])
    text = httpx.get(f"{secured.url}/metrics", headers=BEARER).text
    assert re.search(
        r'reward_server_reward_count\{data_source="metrics-set",verifier="exact_match"\} [1-9]',
        text,
    )


def test_a_stats_read_costs_under_5_ms(secured):
    """Measured by the server itself (the access line's duration), with a busy window:
    several verifiers, 40 data sources (past the bound), failures in the recent list."""
    for round_ in range(5):
        items = [
            item("exact_match", "a", "a" if k % 3 else "b", data_source=f"set-{round_}-{k}")
            for k in range(8)
        ]
        items += [item("math", "\\boxed{1}", "1", data_source="gsm8k")] * 10
        items += [item("nope", "x", "x")] * 3
        score(secured, items)
    for _ in range(40):
        assert httpx.get(f"{secured.url}/v1/stats", headers=BEARER).status_code == 200
    access = [json.loads(line) for line in secured.log().splitlines() if line.startswith("{")]
    durations = [
        line["duration_ms"]
        for line in access
        if line.get("path") == "/v1/stats" and line.get("status") == 200
    ]
    assert len(durations) >= 40
    assert statistics.median(durations[-40:]) < 5.0, durations[-40:]


def test_the_batch_cli_writes_a_self_contained_report(tmp_path: Path):
    data = tmp_path / "in.jsonl"
    with data.open("w") as handle:
        for index in range(200):
            record = {
                "id": index,
                "response": str(index % 4),
                "ground_truth": "1",
                "data_source": f"set-{index % 3}",
            }
            handle.write(json.dumps(record) + "\n")
    report = tmp_path / "report.html"
    done = run(str(data), "-o", str(tmp_path / "out.jsonl"), "--verifier", "exact_match",
               "--report", str(report))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "mean reward" in done.stderr  # the summary is still printed
    page = report.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    inlined = re.search(r'<script id="snapshot" type="application/json">(.*?)</script>', page, re.S)
    assert inlined is not None
    snapshot = json.loads(inlined.group(1))
    totals = snapshot["totals"]
    assert totals["verifiers"]["exact_match"]["items"] == 200
    assert totals["verifiers"]["exact_match"]["mean_reward"] == 0.25
    assert set(totals["data_sources"]) == {"set-0", "set-1", "set-2"}
    assert sum(snapshot["series"]["status"]["ok"]) == 200


def test_reward_metrics_keep_a_bounded_set_of_data_sources():
    metrics = Metrics()
    metrics.rewards_given(("math", f"set-{k}", 1.0) for k in range(MAX_DATA_SOURCE_LABELS + 50))
    metrics.rewards_given([("math", None, 0.0), ("math", "set-0", float("nan"))])
    labels = {
        sample.labels["data_source"]
        for family in metrics.registry.collect()
        if family.name == "reward_server_reward"
        for sample in family.samples
    }
    assert len(labels) == MAX_DATA_SOURCE_LABELS + 2  # and (other), (none)
    assert {"(other)", "(none)", "set-0"} <= labels
