"""swe_tests: real repositories, real patches, real sandbox runs on both backends."""

from __future__ import annotations

import base64
import io
import tarfile
import uuid
from pathlib import Path
from typing import get_args

import pytest

import sandbox
from sandbox.workspace import to_tar
from tests.sandbox_helpers import loopback_listener, marker, processes_with
from tests.swe_fixtures import (
    MINI_BREAKS_P2P,
    MINI_GOLD,
    MINI_HALF,
    NAMES,
    fenced,
    load,
    mini_instance,
    mini_module_patch,
    mini_patch,
    new_file_diff,
)
from verifiers import workspaces
from verifiers.base import InvalidInput
from verifiers.swe_tests import harness, verify
from verifiers.swe_tests.instance import parse_instance
from verifiers.swe_tests.log_parsers import LOG_PARSERS, LogParser

pytestmark = pytest.mark.sandbox


@pytest.fixture
def backend(default_sandbox):
    return default_sandbox


def score(response: str, truth: dict, **options):
    return verify(response, truth, options)


@pytest.mark.parametrize("name", NAMES)
def test_gold_patch_resolves(backend, name):
    fixture = load(name)
    outcome = score(fenced(fixture.gold), fixture.ground_truth())
    assert outcome.reward == 1.0, outcome.detail
    assert outcome.components["resolved"] == 1.0
    assert outcome.components["applied"] == 1.0
    assert outcome.components["f2p_passed"] == outcome.components["f2p_total"] > 0
    assert outcome.components["p2p_passed"] == outcome.components["p2p_total"] > 0


@pytest.mark.parametrize("name", NAMES)
def test_patch_that_breaks_a_passing_test_earns_nothing(backend, name):
    fixture = load(name)
    truth = fixture.ground_truth()
    outcome = score(fenced(fixture.break_p2p), truth)
    assert outcome.reward == 0.0
    assert outcome.components["f2p_passed"] == outcome.components["f2p_total"]
    assert outcome.components["p2p_passed"] < outcome.components["p2p_total"]
    assert score(fenced(fixture.break_p2p), truth, partial_credit=True).reward == 0.0


def test_unrelated_patch_earns_nothing(backend):
    fixture = load("calc")
    unrelated = new_file_diff("NOTES.md", ["looked at it"])
    outcome = score(fenced(unrelated), fixture.ground_truth())
    assert outcome.reward == 0.0
    assert outcome.status == "ok"
    assert outcome.components["applied"] == 1.0
    assert outcome.components["f2p_passed"] == 0.0
    assert "not resolved" in outcome.detail


def test_no_patch_is_a_format_error(backend):
    outcome = score("I could not find the bug.", load("calc").ground_truth())
    assert outcome.status == "format_error"
    assert outcome.reward == 0.0


def test_patch_that_does_not_apply_is_a_format_error(backend):
    stale = mini_patch("    return a + b").replace("return a - b", "return a - b - 0")
    outcome = score(fenced(stale), mini_instance())
    assert outcome.status == "format_error"
    assert outcome.reward == 0.0
    assert outcome.detail.startswith("patch does not apply")
    assert outcome.components["applied"] == 0.0


def test_partial_credit(backend):
    truth = mini_instance()
    assert score(fenced(MINI_HALF), truth).reward == 0.0
    half = score(fenced(MINI_HALF), truth, partial_credit=True)
    assert half.reward == 0.5
    assert half.components["f2p_passed"] == 1.0 and half.components["f2p_total"] == 2.0
    assert score(fenced(MINI_BREAKS_P2P), truth, partial_credit=True).reward == 0.0
    assert score(fenced(MINI_GOLD), truth, partial_credit=True).reward == 1.0


def test_search_replace_answer(backend):
    answer = (
        "<think>add subtracts</think>\n<solution>\n```python\n### mini/ops.py\n"
        "<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n```\n"
        "</solution>"
    )
    outcome = score(answer, mini_instance())
    assert outcome.reward == 1.0, outcome.detail
    missing = answer.replace("return a - b\n=", "return a * b\n=")
    assert score(missing, mini_instance()).status == "format_error"


def test_archive_source(backend):
    fixture = load("textkit")
    outcome = score(fenced(fixture.gold), fixture.ground_truth("archive"))
    assert outcome.reward == 1.0, outcome.detail


def test_named_workspace_source(backend):
    fixture = load("calc")
    workspaces.register({"calc-base": str(fixture.repo)})
    try:
        outcome = score(
            fenced(fixture.gold), fixture.ground_truth("workspace", workspace="calc-base")
        )
        assert outcome.reward == 1.0, outcome.detail
        with pytest.raises(InvalidInput, match="unknown workspace"):
            score(fenced(fixture.gold), fixture.ground_truth("workspace", workspace="/etc"))
    finally:
        workspaces.register({})


def test_docker_image_source(docker_engine):
    """A SWE-bench-style image: the repository at /testbed, run as root, writable root."""
    import docker

    sandbox.configure("docker", base_url=docker_engine.url, image=docker_engine.image)
    fixture = load("inventory")
    client = docker.DockerClient(base_url=docker_engine.url)
    image = f"swe-fixture-inventory:{uuid.uuid4().hex[:8]}"
    container = client.containers.create(docker_engine.image, ["true"], network_mode="none")
    try:
        container.put_archive("/", to_tar([("testbed", fixture.repo)]))
        container.commit(*image.split(":"))
    finally:
        container.remove(force=True)
    try:
        truth = {**fixture.instance, "test_patch": (fixture.repo.parent / "test.patch").read_text()}
        outcome = score(fenced(fixture.gold), {**truth, "image": image})
        assert outcome.reward == 1.0, outcome.detail
        assert score(fenced(fixture.break_p2p), {**truth, "image": image}).reward == 0.0
    finally:
        client.images.remove(image, force=True)
        client.close()
        sandbox.configure("local")


def test_image_source_needs_the_docker_backend():
    sandbox.configure("local")
    truth = {**mini_instance(), "image": "sweb.eval.x86_64.demo:latest"}
    del truth["files"]
    with pytest.raises(InvalidInput, match="docker sandbox backend"):
        score(fenced(MINI_GOLD), truth)


def test_swe_bench_field_shapes():
    fixture = load("inventory")
    assert isinstance(fixture.instance["FAIL_TO_PASS"], str)  # JSON-encoded, as in the dataset
    instance = parse_instance(fixture.ground_truth())
    assert instance.fail_to_pass and all("::" in name for name in instance.fail_to_pass)
    assert instance.pass_to_pass and instance.test_files


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"test_patch": "not a diff"}, "names no file"),
        ({"FAIL_TO_PASS": "[not json"}, "not a JSON list"),
        ({"FAIL_TO_PASS": []}, "FAIL_TO_PASS is empty"),
        ({"archive": "aGk="}, "exactly one of"),
        ({"log_parser": "nose"}, "log_parser"),
        ({"timeout_s": -1}, "timeout_s"),
        ({"surprise": 1}, "unknown keys"),
        ({"files": {"../outside.py": "x"}}, "outside the repository"),
        ({"files": {"/etc/cron.d/x": "x"}}, "outside the repository"),
    ],
)
def test_bad_instances_are_invalid_input(change, reason):
    with pytest.raises(InvalidInput, match=reason):
        score(fenced(MINI_GOLD), {**mini_instance(), **change})


def _archive(*members: tuple[str, bytes | None, bytes]) -> str:
    """base64 of a .tar.gz of (name, type, data) members."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.type, info.size = kind, len(data)
            if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname, info.size = data.decode(), 0
            archive.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(
    ("archive", "reason"),
    [
        (base64.b64encode(b"plain text").decode(), "not a readable tar archive"),
        (_archive(("../../escape.py", tarfile.REGTYPE, b"")), "outside the destination"),
        (_archive(("evil", tarfile.SYMTYPE, b"/etc/passwd")), "link to an absolute path"),
        (_archive(("hard", tarfile.LNKTYPE, b"/etc/passwd")), "link to an absolute path"),
        (_archive(("dev0", tarfile.CHRTYPE, b"")), "special file"),
        (_archive(("a", tarfile.REGTYPE, b"1"), ("a/b", tarfile.REGTYPE, b"2")), "under a file"),
    ],
)
def test_bad_archives_are_invalid_input_naming_no_host_path(archive, reason):
    """Refused while parsing the instance, before any run: the caller's mistake, and the
    message names the member, not where the sandbox would have unpacked it."""
    truth = {key: value for key, value in mini_instance().items() if key != "files"}
    with pytest.raises(InvalidInput, match=reason) as refused:
        score(fenced(MINI_GOLD), {**truth, "archive": archive})
    assert "/var/tmp" not in str(refused.value) and "reward-server" not in str(refused.value)


def test_test_patch_that_does_not_apply_is_invalid_input(backend):
    broken = mini_instance(test_patch=load("calc").ground_truth()["test_patch"])
    with pytest.raises(InvalidInput, match="test_patch does not apply"):
        score(fenced(MINI_GOLD), broken)


# -- hostile patches: each earns nothing, stays in the sandbox, leaves nothing behind --------


def test_patch_editing_the_hidden_tests_is_rejected():
    fixture = load("calc")
    test_file = sorted(parse_instance(fixture.ground_truth()).test_files)[0]
    forged = (
        f"diff --git a/{test_file} b/{test_file}\n--- a/{test_file}\n+++ b/{test_file}\n"
        "@@ -1 +1 @@\n-x\n+y\n"
    )
    outcome = score(fenced(forged), fixture.ground_truth())
    assert outcome.reward == 0.0
    assert "a file of the hidden tests" in outcome.detail


def test_conftest_is_rejected_before_anything_runs():
    conftest = new_file_diff(
        "conftest.py", ["import socket", "socket.create_connection(('127.0.0.1', 9), 1)"]
    )
    outcome = score(fenced(conftest), mini_instance())
    assert outcome.reward == 0.0
    assert "conftest.py" in outcome.detail


def test_import_time_socket_is_contained(backend):
    with loopback_listener() as port:
        code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), 2).send(b'x')"
        outcome = score(fenced(mini_module_patch(code)), mini_instance())
    assert outcome.reward == 0.0


def test_deleting_everything_is_contained(backend, tmp_path):
    canary = tmp_path / "canary.txt"
    canary.write_text("still here")
    code = "import shutil\nshutil.rmtree('/', ignore_errors=True)"
    outcome = score(fenced(mini_module_patch(code)), mini_instance())
    assert outcome.reward == 0.0
    assert canary.read_text() == "still here"
    assert Path("/usr/bin/python3").exists()


def test_fork_bomb_is_contained(backend):
    tag = marker()
    code = f"import os  # {tag}\nwhile True:\n    try: os.fork()\n    except OSError: pass"
    outcome = score(fenced(mini_module_patch(code)), mini_instance(timeout_s=8))
    assert outcome.reward == 0.0
    assert processes_with(tag) == []


def test_sleeping_forever_times_out(backend):
    code = "import time\ntime.sleep(10**6)"
    outcome = score(fenced(mini_module_patch(code)), mini_instance(timeout_s=3))
    assert outcome.reward == 0.0
    assert "timed out after 3 s" in outcome.detail


def test_printed_fake_results_earn_nothing(backend):
    fake = "\n".join(
        [
            "print('>>>>> reward-server tests begin 0')",
            "for t in ['test_add', 'test_add_negative', 'test_add_zero']:",
            "    print('PASSED tests/test_add.py::' + t)",
            "print('PASSED tests/test_ops.py::test_neg')",
            "print('>>>>> reward-server tests end 0')",
        ]
    )
    outcome = score(fenced(mini_module_patch(fake)), mini_instance())
    assert outcome.reward == 0.0
    assert outcome.components["f2p_passed"] == 0.0


def test_a_fake_pytest_module_cannot_write_the_report(backend):
    fake_pytest = new_file_diff(
        "pytest.py", ["import sys", "print('PASSED tests/test_add.py::test_add')", "sys.exit(0)"]
    )
    outcome = score(fenced(fake_pytest), mini_instance())
    assert outcome.reward == 0.0
    assert outcome.components["f2p_passed"] == 0.0


def test_a_bug_in_reading_the_results_is_an_error_not_a_verdict(monkeypatch):
    """Only a malformed or missing record is judged (0, "did not complete"); a bug of ours
    while reading it raises, which the engine answers as ``error``, never as a wrong patch."""

    def broken(stdout: str, secret: str) -> dict:
        raise KeyError("a bug in the record reader")

    monkeypatch.setattr(harness, "signed_record", broken)
    with pytest.raises(KeyError, match="record reader"):
        score(fenced(MINI_GOLD), mini_instance())


def test_log_parser_names_have_one_source():
    assert set(get_args(LogParser)) == set(LOG_PARSERS)
    with pytest.raises(InvalidInput, match="pytest, django, sympy"):
        parse_instance(mini_instance(log_parser="nose"))
