"""deploy/: the Grafana dashboard and its provisioning, as Grafana's file provisioning takes
them (no Grafana here: its checks are restated), with queries only of series the server
exports, and a compose recipe whose mounts and names agree with them."""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml
from prometheus_client import Counter, Gauge, Histogram

from reward_server.metrics import BatchHistogram, Metrics

ROOT = Path(__file__).parent.parent
DEPLOY = ROOT / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "reward-server.json"
GRID_COLUMNS = 24
UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
"""Grafana refuses a provisioned dashboard whose uid is longer or has other characters."""
PANEL_TYPES = {"timeseries", "bargauge", "stat", "table", "heatmap", "gauge", "barchart"}
PROMQL_WORDS = {
    "sum", "by", "rate", "increase", "histogram_quantile", "le", "without", "avg", "max",
    "min", "count", "on", "ignoring", "group_left", "group_right",
}  # fmt: skip
# The page's charts, each of which the Grafana dashboard has too.
PAGE_PANELS = (
    "items/s per verifier",
    "latency per verifier",
    "status mix",
    "mean reward per verifier",
    "mean reward per data source",
    "reward distribution per verifier",
    "reward distribution per data source",
    "worker restarts",
    "sandbox runs",
)


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def exported() -> dict[str, set[str]]:
    """Series name -> label names, of everything /metrics can show."""
    series: dict[str, set[str]] = {}
    for metric in vars(Metrics()).values():
        if isinstance(metric, BatchHistogram):
            labels = set(metric.labelnames)
            series[f"{metric.name}_bucket"] = labels | {"le"}
            series[f"{metric.name}_sum"] = series[f"{metric.name}_count"] = labels
            continue
        if not isinstance(metric, Counter | Gauge | Histogram):
            continue
        name, labels = metric._name, set(metric._labelnames)
        if isinstance(metric, Counter):
            series[f"{name}_total"] = labels
        elif isinstance(metric, Histogram):
            series[f"{name}_bucket"] = labels | {"le"}
            series[f"{name}_sum"] = series[f"{name}_count"] = labels
        else:
            series[name] = labels
    return series


def test_the_dashboard_is_what_file_provisioning_accepts(dashboard):
    assert dashboard["title"].strip()
    assert UID.match(dashboard["uid"])
    assert dashboard.get("id") is None  # a provisioned dashboard gets its id from Grafana
    assert isinstance(dashboard["schemaVersion"], int) and dashboard["schemaVersion"] >= 36
    assert isinstance(dashboard["version"], int)
    assert dashboard["time"]["from"] and dashboard["time"]["to"]
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)) and all(isinstance(i, int) and i > 0 for i in ids)


def test_panels_fit_the_grid_without_overlapping(dashboard):
    cells = set()
    for panel in dashboard["panels"]:
        assert panel["type"] in PANEL_TYPES, panel["title"]
        grid = panel["gridPos"]
        assert all(isinstance(grid[k], int) for k in "xywh"), panel["title"]
        assert grid["x"] >= 0 and grid["y"] >= 0 and grid["w"] >= 1 and grid["h"] >= 1
        assert grid["x"] + grid["w"] <= GRID_COLUMNS, panel["title"]
        mine = set(
            itertools.product(
                range(grid["x"], grid["x"] + grid["w"]), range(grid["y"], grid["y"] + grid["h"])
            )
        )
        assert not cells & mine, f"{panel['title']} overlaps another panel"
        cells |= mine


def test_every_query_reads_series_the_server_exports(dashboard):
    series = exported()
    for panel in dashboard["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        targets = panel["targets"]
        assert targets, panel["title"]
        assert len({t["refId"] for t in targets}) == len(targets), panel["title"]
        for target in targets:
            expr = target["expr"]
            assert expr.count("(") == expr.count(")") and expr.count("[") == expr.count("]")
            names = re.findall(r"\breward_server_\w+", expr)
            assert names, expr
            labels = set().union(*(series[name] for name in names))  # KeyError: not exported
            for grouping in re.findall(r"\bby \(([^)]*)\)", expr):
                for label in grouping.split(","):
                    assert label.strip() in labels, f"{label!r} in {expr}"
            for label in re.findall(r"\{(\w+)=~?\"", expr):
                assert label in labels, f"{label!r} in {expr}"
            for word in re.findall(r"\b([a-z_]+)\s*\(", expr):
                assert word in PROMQL_WORDS, f"{word!r} in {expr}"


def test_the_grafana_dashboard_has_the_panels_of_the_page(dashboard):
    titles = " | ".join(panel["title"].lower() for panel in dashboard["panels"])
    for panel in PAGE_PANELS:
        assert panel in titles, panel


def test_the_compose_recipe_provisions_the_dashboard_and_scrapes_the_server():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    grafana_mounts = dict(volume.split(":")[:2] for volume in services["grafana"]["volumes"])
    provisioning = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/dashboards/reward-server.yaml").read_text()
    )
    assert provisioning["apiVersion"] == 1
    (provider,) = provisioning["providers"]
    assert provider["type"] == "file"
    assert grafana_mounts["./grafana/dashboards"] == provider["options"]["path"]
    assert grafana_mounts["./grafana/provisioning"] == "/etc/grafana/provisioning"
    datasources = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/datasources/prometheus.yaml").read_text()
    )
    (source,) = datasources["datasources"]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090" and "prometheus" in services
    prometheus = yaml.safe_load((DEPLOY / "prometheus/prometheus.yml").read_text())
    (job,) = prometheus["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == ["reward-server:8000"]
    assert "8000:8000" in services["reward-server"]["ports"]
    for service in services.values():
        for volume in service.get("volumes", []):
            source_path = volume.split(":")[0]
            if source_path != "./reward-key":  # the user's secret, made by the recipe
                assert (DEPLOY / source_path).exists(), source_path


def test_the_page_ships_in_the_wheel():
    """Every file of reward_server/static/ matches the package data of pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["package-data"]["reward_server"]
    static = ROOT / "reward_server" / "static"
    files = [path.relative_to(static.parent).as_posix() for path in static.iterdir()]
    assert {"static/dashboard.html", "static/dashboard.js", "static/dashboard.css"} <= set(files)
    for name in files:
        assert any(fnmatch(name, pattern) for pattern in patterns), name
