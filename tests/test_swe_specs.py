"""SWE-bench rows as they are: the spec tables, the official names, images, row variants.

The official package (swebench 5.0.2, a dev dependency) is the reference: our test names
must be the names its parsers read from the same run, and our image names the ones its
harness derives.
"""

from __future__ import annotations

import json

import pytest
from swebench.harness.log_parsers import PARSER_REGISTRY
from swebench.image_builder.image_spec import ImageSpec
from swebench.task.checks import expected_image

from verifiers.base import InvalidInput
from verifiers.swe_tests import harness
from verifiers.swe_tests.instance import parse_instance
from verifiers.swe_tests.specs import (
    OFFICIAL_PARSERS,
    ImageNaming,
    eval_script_test_command,
    official_name_forms,
    official_names,
    spec_for,
)

TEST_PATCH = (
    "diff --git a/tests/test_x.py b/tests/test_x.py\n"
    "--- a/tests/test_x.py\n+++ b/tests/test_x.py\n@@ -1 +1,2 @@\n x = 1\n+y = 2\n"
)
FILES = {"tests/test_x.py": "x = 1\n"}


def row(**fields):
    base = {
        "instance_id": "owner__repo-1",
        "repo": "owner/repo",
        "version": "1.0",
        "base_commit": "0" * 40,
        "patch": "",
        "test_patch": TEST_PATCH,
        "FAIL_TO_PASS": json.dumps(["tests/test_x.py::test_y"]),
        "PASS_TO_PASS": "[]",
        "environment_setup_commit": "0" * 40,
        "problem_statement": "y is missing",
        "hints_text": "",
        "created_at": "2024-01-01T00:00:00Z",
    }
    return base | fields


# Node ids as pytest writes them, including the awkward ones the official parsers cut.
NODE_IDS = [
    "tests/test_x.py::test_plain",
    "tests/test_x.py::TestClass::test_method",
    "tests/test_x.py::test_param[1-2]",
    "tests/test_x.py::test_space[a b]",
    "tests/test_x.py::test_dash[x - y]",
    "tests/test_x.py::test_path[/usr/lib/python3/x.py]",
    "tests/test_x.py::test_path[//server/share]",
    "tests/test_x.py::test_glob[/tmp/*.py]",
    "lib/tests/test_b.py::test_button[MouseButton.LEFT]",
    "tests/test_x.py::test_unicode[\u00e9t\u00e9]",
]
STYLE_PARSERS = {
    "pytest": "parse_log_pytest",
    "pytest_options": "parse_log_pytest_options",
    "pytest_v2": "parse_log_pytest_v2",
    "matplotlib": "parse_log_matplotlib",
}


@pytest.mark.parametrize("style", sorted(STYLE_PARSERS))
@pytest.mark.parametrize("status", ["PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL"])
def test_official_names_hold_what_the_official_parser_reads(style, status):
    """A ``-rA`` summary of the node ids, read by the official parser, gives names that
    our statuses of the same tests hold, with the same status, for every line form."""
    # swebench 5's pytest_v2 keeps an ERROR line's message in the name: a failing test's
    # name then matches no row entry, which grades it failed, as ours does by its status.
    messages = ("FAILED",) if style == "pytest_v2" else ("FAILED", "ERROR")
    suffix = " - AssertionError: boom" if status in messages else ""
    log = "\n".join(f"{status} {node}{suffix}" for node in NODE_IDS)
    read = PARSER_REGISTRY[STYLE_PARSERS[style]](log, None)
    ours = official_names(dict.fromkeys(NODE_IDS, status), style)
    assert len(read) >= len(NODE_IDS) - 2  # the parser did read the lines
    assert {name: ours.get(name) for name in read} == read


def test_the_first_word_cut_of_swebench_4_rows():
    forms = official_name_forms("tests/test_x.py::test_space[a b]", "pytest")
    assert forms == {"tests/test_x.py::test_space[a b]", "tests/test_x.py::test_space[a"}
    options = official_name_forms("t.py::test_path[/usr/lib/python3/x.py]", "pytest_options")
    assert "t.py::test_path[/x.py]" in options


def test_official_names_keep_the_full_ids_and_the_worst_of_a_shared_name():
    statuses = {"t.py::test[a b]": "PASSED", "t.py::test[a c]": "FAILED", "t.py::ok": "PASSED"}
    named = official_names(statuses, "pytest")
    assert named["t.py::test[a b]"] == "PASSED"  # the full id still matches
    assert named["t.py::test[a"] == "FAILED"  # cut by the official parser: worst of both
    assert named["t.py::ok"] == "PASSED"


@pytest.mark.parametrize(
    "instance_id", ["django__django-11099", "sympy__sympy-20590", "pytest-dev__pytest-5227"]
)
@pytest.mark.parametrize("namespace", ["swebench", "registry.local:5000/sweb"])
def test_image_names_follow_the_official_scheme(instance_id, namespace):
    assert ImageNaming(namespace=namespace).image(instance_id) == expected_image(
        instance_id, namespace
    )
    spec = ImageSpec(
        instance_id=instance_id, dockerfile="FROM x", namespace=namespace, arch="amd64"
    )
    assert ImageNaming(namespace=namespace).image(instance_id) == spec.name
    local = ImageSpec(instance_id=instance_id, dockerfile="FROM x", namespace=None, arch="amd64")
    assert ImageNaming().image(instance_id) == local.name


def test_specs_of_the_swe_bench_repositories():
    assert spec_for("django/django", "4.0").log_parser == "django"
    assert "--parallel 1" in spec_for("django/django", "4.0").test_command
    assert "--parallel" not in spec_for("django/django", "1.9").test_command
    assert dict(spec_for("django/django", "3.0").env)["LANG"] == "en_US.UTF-8"
    assert spec_for("django/django", "5.0").env == ()
    assert spec_for("sympy/sympy", "1.12").log_parser == "sympy"
    assert spec_for("psf/requests", "2.0").names == "pytest_options"
    assert spec_for("scikit-learn/scikit-learn", "1.3").names == "pytest_v2"
    assert spec_for("Pallets/Flask", "2.3").test_command is None  # our pytest runner
    assert spec_for("someone/unknown", None).test_command is None


def test_every_official_python_parser_we_name_exists():
    assert set(OFFICIAL_PARSERS) <= set(PARSER_REGISTRY)


def test_a_django_row_derives_the_official_command_and_parser():
    instance = parse_instance(
        row(repo="django/django", version="3.0", files=FILES, FAIL_TO_PASS='["test_y (x.T)"]')
    )
    assert instance.log_parser == "django"
    script = harness.test_script(instance)
    assert "./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 test_x" in script
    assert "LANG='en_US.UTF-8'" in script


def test_a_sympy_row_runs_bin_test_on_the_test_files():
    instance = parse_instance(row(repo="sympy/sympy", version="1.12", files=FILES))
    assert instance.log_parser == "sympy"
    assert "bin/test -C --verbose tests/test_x.py" in harness.test_script(instance)


def test_the_caller_still_overrides_the_spec():
    instance = parse_instance(
        row(
            repo="django/django",
            files=FILES,
            test_command="python -m unittest -v",
            log_parser="django",
        )
    )
    assert instance.test_command == "python -m unittest -v"


def test_a_row_with_no_source_gets_its_image_by_the_naming_scheme():
    instance = parse_instance(
        row(instance_id="pallets__flask-4992"), ImageNaming(namespace="swebench")
    )
    assert (instance.source, instance.code) == (
        "image",
        "swebench/sweb.eval.x86_64.pallets_1776_flask-4992:latest",
    )
    with pytest.raises(InvalidInput, match="exactly one of image, files"):
        parse_instance(row())  # no naming: the caller must say where the code is


@pytest.mark.parametrize("field", ["image_name", "docker_image"])
def test_swe_smith_and_r2e_gym_image_fields(field):
    instance = parse_instance(row(**{field: "swesmith.x86_64.owner__repo.abc123"}))
    assert (instance.source, instance.code) == ("image", "swesmith.x86_64.owner__repo.abc123")


def test_a_swebench_5_row_uses_its_eval_script_test_command():
    script = "\n".join(
        [
            "#!/bin/bash",
            "set -uxo pipefail",
            "source /opt/miniconda3/bin/activate",
            "export LANG=en_US.UTF-8",
            "git checkout abc tests/test_x.py",
            ": '>>>>> Start Test Output'",
            "npx jest --verbose tests/x.test.js",
            ": '>>>>> End Test Output'",
            "git checkout abc tests/test_x.py",
        ]
    )
    assert eval_script_test_command(script) == (
        "export LANG=en_US.UTF-8\nnpx jest --verbose tests/x.test.js"
    )
    instance = parse_instance(
        row(
            image="x:latest",
            eval_script=script,
            log_parser="parse_log_pytest",
            eval_type="pass_and_fail",
        )
    )
    assert instance.directives_included
    assert "jest --verbose tests/x.test.js )" in harness.test_script(instance).replace("\n", " ")


def test_swebench_5_parser_names_map_to_ours_and_their_name_style():
    instance = parse_instance(row(files=FILES, log_parser="parse_log_requests"))
    assert (instance.log_parser, instance.name_style) == ("pytest", "pytest_options")
    with pytest.raises(InvalidInput, match="log_parser must be one of"):
        parse_instance(row(files=FILES, log_parser="parse_log_nonexistent"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"eval_type": "fail_only"}, "only pass_and_fail"),
        ({"eval_script": "echo no markers"}, "no test command between its markers"),
        ({"made_up_field": 1}, "unknown keys: made_up_field"),
    ],
)
def test_bad_rows_are_invalid_with_a_specific_reason(fields, message):
    with pytest.raises(InvalidInput, match=message):
        parse_instance(row(files=FILES) | fields)


def test_a_bad_image_name_is_invalid():
    with pytest.raises(InvalidInput, match="image_name does not give an image name"):
        parse_instance(row(image_name="Not An Image!"))


def test_non_python_tests_with_no_known_command_are_refused_loudly():
    java_patch = TEST_PATCH.replace("tests/test_x.py", "src/test/java/XTest.java")
    with pytest.raises(InvalidInput, match="pass test_command and log_parser"):
        parse_instance(row(files=FILES, test_patch=java_patch, repo="apache/lucene"))


def test_multilingual_rows_take_their_official_parser_by_name():
    java_patch = TEST_PATCH.replace("tests/test_x.py", "src/test/java/XTest.java")
    instance = parse_instance(
        row(
            image="x:latest",
            test_patch=java_patch,
            test_command="mvn test -Dtest=XTest",
            log_parser="parse_log_maven",
        )
    )
    assert instance.log_parser == "maven"
    jekyll = parse_instance(
        row(instance_id="jekyll__jekyll-8761", image="x:latest", log_parser="parse_log_jekyll")
        | {"test_command": "script/cucumber"}
    )
    assert jekyll.log_parser == "cucumber"  # the official parser of that pull request
    with pytest.raises(InvalidInput, match="reads only the instances of pull requests"):
        parse_instance(row(instance_id="jekyll__jekyll-1", image="x:latest", log_parser="jekyll"))


def test_swe_smith_rows_take_their_bug_patch_as_the_base():
    bug = TEST_PATCH.replace("tests/test_x.py", "pkg/core.py")
    smith = {
        "instance_id": "owner__repo.abc12345.pr_1",
        "repo": "swesmith/owner__repo.abc12345",
        "patch": bug,
        "FAIL_TO_PASS": ["tests/test_x.py::test_y"],
        "PASS_TO_PASS": ["tests/test_z.py::test_w"],
        "image_name": "swesmith.x86_64.owner__repo.abc12345",
        "problem_statement": "...",
    }
    instance = parse_instance(smith)
    assert (instance.base_patch, instance.test_patch) == (bug, "")
    assert instance.test_files == ("tests/test_x.py", "tests/test_z.py")
    assert instance.code == "swesmith.x86_64.owner__repo.abc12345"
    with pytest.raises(InvalidInput, match="needs pytest ids"):
        parse_instance(smith | {"FAIL_TO_PASS": ["test_y (x.T)"], "PASS_TO_PASS": []})


def test_a_swe_bench_row_without_its_test_patch_is_not_taken_for_swe_smith():
    """Its ``patch`` is the gold fix: applying it as a base would reward doing nothing."""
    with pytest.raises(InvalidInput, match="test_patch must be a non-empty unified diff"):
        parse_instance(row(files=FILES, patch=TEST_PATCH, test_patch=""))
