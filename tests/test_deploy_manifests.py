"""The Kubernetes recipe (deploy/kubernetes) is valid for Kubernetes, and it names what
the server really has: its probes' paths, the port it serves, the metric it scales on."""

from __future__ import annotations

import copy
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from reward_server.app import create_app
from reward_server.metrics import Metrics
from reward_server.settings import Settings

MANIFEST = Path(__file__).resolve().parents[1] / "deploy" / "kubernetes" / "reward-server.yaml"
VERSION = "1.30"


def documents() -> dict[str, dict]:
    return {doc["kind"]: doc for doc in yaml.safe_load_all(MANIFEST.read_text())}


@pytest.mark.parametrize("kind", ["Deployment", "Service", "HorizontalPodAutoscaler"])
def test_each_resource_is_valid_kubernetes(kind: str) -> None:
    kubernetes_validate.validate(documents()[kind], VERSION, strict=True)


def test_a_misspelt_field_is_caught() -> None:
    broken = copy.deepcopy(documents()["Deployment"])
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, VERSION, strict=True)


def test_the_recipe_names_what_the_server_has() -> None:
    container = documents()["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    paths = {route.path for route in create_app(Settings()).routes if hasattr(route, "path")}
    assert container["readinessProbe"]["httpGet"]["path"] in paths
    assert container["livenessProbe"]["httpGet"]["path"] in paths
    assert "8000" in container["args"] and container["ports"][0]["containerPort"] == 8000
    metric = documents()["HorizontalPodAutoscaler"]["spec"]["metrics"][0]["pods"]["metric"]
    exported = {family.name for family in Metrics().registry.collect()}
    assert metric["name"] in exported
