"""Our swe_tests verdicts equal the official SWE-bench harness's on real instances.

tests/data/swe_real holds real bug fixes of real public repositories (licences and sources
in its README), each as a SWE-bench row with the repository at its base commit, the gold
patch, a wrong patch, and the logs and official verdicts of the runs made when the data was
built. For the gold, the empty and the wrong patch, the verifier's reward must equal the
resolution that swebench's own grading (its log parser, ``get_eval_tests_report`` and
``get_resolution_status``) gives on the log of the same sandbox run.
"""

from __future__ import annotations

import base64
import io
import json
import subprocess
import tarfile
from pathlib import Path

import pytest
from swebench.harness.constants import ResolvedStatus
from swebench.harness.grading import get_eval_tests_report, get_resolution_status
from swebench.harness.log_parsers import PARSER_REGISTRY

import sandbox
from verifiers.swe_tests import SweTestsOptions, verify
from verifiers.swe_tests import harness as swe_harness
from verifiers.swe_tests.instance import parse_instance
from verifiers.swe_tests.patches import ModelChange, model_change

DATA = Path(__file__).parent / "data" / "swe_real"
INSTANCES = sorted(path.name for path in DATA.iterdir() if (path / "row.json").is_file())
# How the rows were run when the data was built: pytest's or unittest's verbose runner.
UNITTEST_PARSER = "parse_log_django"


def row_of(name: str) -> dict:
    return json.loads((DATA / name / "row.json").read_text())


def ground_truth(name: str) -> dict:
    """The row as a trainer sends it: unchanged, plus where the repository is. A pytest
    repository needs nothing more (no test command, no parser); a unittest one, which no
    SWE-bench table knows, names its runner."""
    row = row_of(name)
    archive = base64.b64encode((DATA / name / "repo.tar.gz").read_bytes()).decode()
    truth = {key: value for key, value in row.items() if key not in ("test_command", "log_parser")}
    if row.get("log_parser") == UNITTEST_PARSER:
        truth |= {"test_command": "python3 -m unittest -v {tests}", "log_parser": "django"}
    return truth | {"archive": archive}


def official_resolved(name: str, log: str) -> bool:
    row = row_of(name)
    parser = PARSER_REGISTRY[row.get("log_parser") or "parse_log_pytest"]
    gold = {
        "FAIL_TO_PASS": json.loads(row["FAIL_TO_PASS"]),
        "PASS_TO_PASS": json.loads(row["PASS_TO_PASS"]),
    }
    report = get_eval_tests_report(parser(log, None), gold)
    return get_resolution_status(report) == ResolvedStatus.FULL.value


def patches(name: str) -> dict[str, str]:
    return {
        "gold": row_of(name)["patch"],
        "wrong": (DATA / name / "wrong.patch").read_text(),
        "empty": "",
    }


@pytest.fixture(scope="module", autouse=True)
def local_sandbox():
    sandbox.configure("local")


def test_the_data_is_there():
    assert len(INSTANCES) >= 4
    assert any(row_of(name).get("log_parser") == UNITTEST_PARSER for name in INSTANCES)


@pytest.mark.parametrize("name", INSTANCES)
def test_the_recorded_logs_grade_as_the_data_says(name):
    """The logs kept from building the data, graded officially, give the recorded
    verdicts: the rows' FAIL_TO_PASS/PASS_TO_PASS lists are the official parser's names."""
    expected = json.loads((DATA / name / "expected.json").read_text())
    for patch, resolved in expected.items():
        log = (DATA / name / "logs" / f"{patch}.log").read_text()
        assert official_resolved(name, log) == resolved, patch
    assert expected == {"gold": True, "empty": False, "wrong": False}


@pytest.mark.slow
@pytest.mark.parametrize("patch", ["gold", "wrong", "empty"])
@pytest.mark.parametrize("name", INSTANCES)
def test_our_verdict_is_the_official_one_on_the_same_run(name, patch):
    truth = ground_truth(name)
    response = patches(name)[patch]
    options = SweTestsOptions(run_timeout_s=120)
    outcome = verify(response, truth, options)

    # The same run, its log graded by the official harness's logic. The empty patch is not
    # run by either harness; officially it is unresolved, and the tests on the unpatched
    # repository show why.
    instance = parse_instance(truth)
    change = model_change(response) if response else ModelChange(edits={})
    report = swe_harness.run(instance, change, wall_s=120, memory_mb=2048)
    log = report.result.stdout.decode(errors="replace") + report.result.stderr.decode(
        errors="replace"
    )
    official = official_resolved(name, log) if response else False
    assert official == (patch == "gold"), log[-2000:]
    assert (outcome.reward == 1.0) == official, outcome.detail
    assert outcome.status == ("format_error" if patch == "empty" else "ok")


def clean_repository_archive(name: str, tmp_path: Path) -> str:
    """SWE-smith's images hold the repository as fixed, tests included: the base commit
    with the gold and test patches applied."""
    root = tmp_path / "repo"
    root.mkdir()
    with tarfile.open(DATA / name / "repo.tar.gz") as archive:
        archive.extractall(root, filter="data")
    row = row_of(name)
    for patch in (row["test_patch"], row["patch"]):
        subprocess.run(["git", "apply", "-"], input=patch, text=True, cwd=root, check=True)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(root.rglob("*")):
            archive.add(path, arcname=str(path.relative_to(root)), recursive=False)
    return base64.b64encode(buffer.getvalue()).decode()


SHAPED = "pytoolz__toolz-603"


@pytest.mark.slow
@pytest.mark.parametrize("patch", ["gold", "wrong", "empty"])
def test_a_swe_smith_row_as_published(patch, tmp_path):
    """SWE-smith's shape: no test_patch, ``patch`` is the bug, the image holds the fixed
    repository (given here as an archive in its place), the lists are lists."""
    row = json.loads((DATA / SHAPED / "row_swesmith.json").read_text())
    assert "test_patch" not in row and isinstance(row["FAIL_TO_PASS"], list)
    truth = {key: value for key, value in row.items() if key != "image_name"}
    truth["archive"] = clean_repository_archive(SHAPED, tmp_path)
    outcome = verify(patches(SHAPED)[patch], truth, SweTestsOptions(run_timeout_s=120))
    assert outcome.reward == (1.0 if patch == "gold" else 0.0), outcome.detail
    assert outcome.status == ("format_error" if patch == "empty" else "ok")
    if patch == "gold":
        assert outcome.components["p2p_passed"] == outcome.components["p2p_total"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("patch", ["gold", "wrong"])
def test_a_swe_gym_row_as_published(patch):
    """SWE-Gym's shape: SWE-bench's fields, the test lists as lists."""
    row = json.loads((DATA / SHAPED / "row_swegym.json").read_text())
    archive = base64.b64encode((DATA / SHAPED / "repo.tar.gz").read_bytes()).decode()
    outcome = verify(patches(SHAPED)[patch], row | {"archive": archive}, SweTestsOptions())
    assert outcome.reward == (1.0 if patch == "gold" else 0.0), outcome.detail
