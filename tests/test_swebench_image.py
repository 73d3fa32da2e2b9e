"""swe_tests grades a real SWE-bench row in a per-instance image built here, with no registry.

The row (pallets__flask-5014, SWE-bench Verified) goes in as the dataset stores it, plus
``image``: no test command, no log parser. scripts/swe-instance-image.sh builds the image
from the sandbox image (the repository at /testbed, the environment in a venv at
/opt/miniconda3/envs/testbed first on PATH); on a machine with an empty cache it downloads
the packages from PyPI first. See tests/data/swebench_rows/README.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from reward_server.engine import Engine
from reward_server.models import Result
from reward_server.settings import SandboxSettings, Settings
from tests.helpers import item
from tests.swe_fixtures import fenced

pytestmark = pytest.mark.sandbox

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = str(ROOT / "scripts" / "swe-instance-image.sh")
ROW_DIR = ROOT / "tests" / "data" / "swebench_rows" / "pallets__flask-5014"
IMAGE = "sweb.eval.x86_64.pallets_1776_flask-5014:latest"
LOCAL_NAME = "sweb.eval.x86_64.pallets__flask-5014:latest"
"""The same image under the name SWE-bench's harness gives the images it builds locally."""
BUILD_TIMEOUT_S = 900
"""An empty wheel cache means a PyPI download; the build itself takes well under a minute."""
DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
GOLD_COMPONENTS = {
    "applied": 1.0,
    "f2p_passed": 1.0,
    "f2p_total": 1.0,
    "p2p_passed": 59.0,
    "p2p_total": 59.0,
    "resolved": 1.0,
}


def load_row() -> dict:
    return json.loads((ROW_DIR / "row.json").read_text())


def build_image(docker_engine, timeout_s: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, "--base", docker_engine.image, str(ROW_DIR)],
        env={**os.environ, "DOCKER_HOST": docker_engine.url},
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


@pytest.fixture(scope="session")
def instance_image(docker_engine) -> str:
    """The row's image in the test engine, built FROM the test sandbox image."""
    build = build_image(docker_engine, BUILD_TIMEOUT_S)
    assert build.returncode == 0, build.stderr[-4000:]
    assert build.stdout.strip() == IMAGE
    return IMAGE


@pytest.fixture(scope="module")
def docker_client(docker_engine):
    import docker

    client = docker.DockerClient(base_url=docker_engine.url)
    yield client
    client.close()


@pytest.fixture(scope="module")
def conda_style_image(docker_client, instance_image: str) -> Iterator[str]:
    """The image with the venv off its PATH, as in the official images, where only the
    eval script's ``conda activate testbed`` puts the env's bin first."""
    name = f"swe-flask-no-venv-path:{uuid.uuid4().hex[:8]}"
    container = docker_client.containers.create(instance_image, ["true"], network_mode="none")
    try:
        container.commit(*name.split(":"), changes=[f"ENV PATH={DEBIAN_PATH}"])
    finally:
        container.remove(force=True)
    yield name
    docker_client.images.remove(name, force=True)


@pytest.fixture(scope="module")
def engine(docker_engine) -> Iterator[Engine]:
    sandbox = SandboxSettings(
        backend="docker", docker_url=docker_engine.url, docker_image=docker_engine.image
    )
    with Engine(Settings(workers=2, sandbox=sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def graded(engine: Engine, instance_image: str, conda_style_image: str) -> dict[str, Result]:
    """Answers to the unchanged row, scored in one batch."""
    row = load_row()
    truth = {**row, "image": instance_image}
    gold = fenced(row["patch"])
    # wrong.patch is plausible and wrong: the empty name is refused when the blueprint is
    # registered, but the hidden test only constructs one.
    wrong = fenced((ROW_DIR / "wrong.patch").read_text())
    items = {
        "gold": item("swe_tests", gold, truth),
        "empty": item("swe_tests", "", truth),
        "wrong": item("swe_tests", wrong, truth),
        "gold, no image key": item("swe_tests", gold, row),
        "gold, venv off PATH": item("swe_tests", gold, {**row, "image": conda_style_image}),
        "no such image": item("swe_tests", gold, {**row, "instance_id": "pallets__flask-1"}),
    }
    return dict(zip(items, engine.score(list(items.values())), strict=True))


def test_the_row_is_the_dataset_row_unchanged():
    row = load_row()
    assert not {"test_command", "log_parser", "image", "setup"} & row.keys()
    assert len(json.loads(row["FAIL_TO_PASS"])) == 1
    assert len(json.loads(row["PASS_TO_PASS"])) == 59


def test_gold_patch_resolves(graded):
    result = graded["gold"]
    assert (result.status, result.reward) == ("ok", 1.0), result.detail
    assert result.components == GOLD_COMPONENTS


def test_empty_response_earns_nothing(graded):
    result = graded["empty"]
    assert (result.status, result.reward) == ("format_error", 0.0), result.detail
    assert result.detail.startswith("no usable patch")
    passed = ("applied", "f2p_passed", "p2p_passed", "resolved")
    assert [result.components[name] for name in passed] == [0.0] * 4


def test_wrong_patch_earns_nothing(graded):
    result = graded["wrong"]
    assert (result.status, result.reward) == ("ok", 0.0), result.detail
    assert result.components["applied"] == 1.0
    assert result.components["f2p_passed"] == 0.0
    assert result.components["p2p_passed"] == result.components["p2p_total"] == 59.0
    assert "test_empty_name_not_allowed" in (result.detail or "")


def test_a_row_without_image_finds_it_by_the_official_local_name(graded, docker_client):
    assert docker_client.images.get(LOCAL_NAME).id == docker_client.images.get(IMAGE).id
    result = graded["gold, no image key"]
    assert (result.status, result.reward) == ("ok", 1.0), result.detail
    assert result.components == GOLD_COMPONENTS


def test_the_harness_puts_the_testbed_env_first_on_path(graded):
    """With Debian's python3 the tests could not import flask (it is installed in the venv
    only), so a resolved run shows that the harness found the env by itself."""
    result = graded["gold, venv off PATH"]
    assert (result.status, result.reward) == ("ok", 1.0), result.detail
    assert result.components == GOLD_COMPONENTS


def test_the_image_runs_its_own_environment(docker_client, instance_image):
    """What ``python3`` on the image's PATH is: the venv, with the row's pins and the
    editable checkout at /testbed (not Debian's pytest 7.2)."""
    probe = (
        "import sys, flask, pytest; from importlib.metadata import version; "
        "print(sys.prefix, pytest.__version__, version('werkzeug'), flask.__file__)"
    )
    output = docker_client.containers.run(
        instance_image, ["python3", "-I", "-c", probe], network_mode="none", remove=True
    )
    assert output.decode().split() == [
        "/opt/miniconda3/envs/testbed",
        "7.3.0",
        "2.3.7",
        "/testbed/src/flask/__init__.py",
    ]


def test_a_second_build_reuses_the_image(docker_engine, docker_client, instance_image):
    before = docker_client.images.get(instance_image).id
    again = build_image(docker_engine, 60)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "up to date" in again.stderr
    assert docker_client.images.get(instance_image).id == before


def test_a_missing_image_is_invalid_input_naming_it(graded):
    result = graded["no such image"]
    assert result.status == "invalid_input"
    assert "image sweb.eval.x86_64.pallets__flask-1:latest is not in the Docker engine" in (
        result.detail or ""
    )


def test_a_namespace_names_the_published_images_and_nothing_is_pulled(docker_engine):
    """With sandbox.image_namespace the row's image is the published one's name; the engine
    lacks it and the server may not pull: invalid_input naming it, at once."""
    sandbox = SandboxSettings(
        backend="docker",
        docker_url=docker_engine.url,
        docker_image=docker_engine.image,
        image_namespace="swebench",
    )
    with Engine(Settings(workers=1, sandbox=sandbox)) as running:
        (result,) = running.score([item("swe_tests", fenced(load_row()["patch"]), load_row())])
    assert result.status == "invalid_input"
    assert "swebench/sweb.eval.x86_64.pallets_1776_flask-5014:latest" in (result.detail or "")
