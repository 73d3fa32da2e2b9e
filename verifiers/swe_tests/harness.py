"""One sandbox run per item: apply the model's change, then the hidden tests, then run them.

Everything happens in a single run of a generated shell script (one copy of the
repository, one process tree to kill). What the harness learns comes from the run's
standard output, which code can add to but never take back:

- Facts of the apply phase (how far it got, which paths git saw change, which pytest
  sections changed) are printed before any code of the repository runs, so the first
  line of each is the harness's. Nothing the code under test writes later (a stage file,
  a log) can turn a judged run into an operational status.
- The tests' results are one record that the runner prints when pytest returns, signed
  with a secret the script reads and deletes before any code of the repository runs.
- git works on a repository of the harness's own (``GIT_DIR`` outside the work tree, no
  repository configuration, no hooks, no fsmonitor), so a patch that writes ``.git/*``
  steers nothing, and what changed is what git and the file times say, not what the
  patch's headers claim.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import sandbox
from sandbox import ExecResult, Limits, MiB
from verifiers.base import InvalidInput
from verifiers.swe_tests.instance import Instance
from verifiers.swe_tests.patches import ModelChange

HERE = Path(__file__).parent
APPLY_EDITS = (HERE / "apply_edits.py").read_text()
RUN_PYTEST = (HERE / "run_pytest.py").read_text()
PYTEST_PLUGIN = (HERE / "reward_server_harness.py").read_text()
PYTEST_CONFIG = (HERE / "pytest_config.py").read_text()
UNITTEST_RECORDER = (HERE / "unittest_recorder.py").read_text()
# No plugin autoload: a patch cannot add one through an entry point (a *.dist-info at the
# repository root is on sys.path). The runner reads the secret from descriptor 3.
PYTEST_COMMAND = (
    'PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 python3 -I "$H/run_pytest.py" -rA -p no:cacheprovider'
)
SECRET_INPUT = "3<<REWARD_SERVER_SECRET\n$S\nREWARD_SERVER_SECRET\n"
# How a caller's test_command reports through the harness, by log parser: pytest loads the
# plugin, Python imports the unittest recorder as sitecustomize. Exported inside the
# command's subshell, so a compound command (`cd tests && ./runtests.py`) gets them too.
RECORDER_EXPORTS = {
    "pytest": 'export PYTHONPATH="$H${PYTHONPATH:+:$PYTHONPATH}" '
    'PYTEST_ADDOPTS="-p reward_server_harness ${PYTEST_ADDOPTS:-}"',
    "django": 'export PYTHONPATH="$H/unittest${PYTHONPATH:+:$PYTHONPATH}"',
}
HARNESS_LOADED = ">>>>> reward-server harness loaded"
APPLY_STAGES = (
    "no-repository",
    "git-failed",
    "apply-failed",
    "test-patch-failed",
    "tests-conflict",
    "applied",
)
CHANGED_BYTES = 256 * 1024
"""Names of changed paths the harness reads; a patch that changes more is refused."""

SCRIPT = r"""#!/bin/sh
# reward-server swe_tests harness
H="$1"; R="$2"
S=$(cat "$H/secret"); rm -f "$H/secret"
if [ -f "$H/env.sh" ]; then . "$H/env.sh"; fi
say() {
    echo ">>>>> reward-server $NONCE $*"
    if [ "$1" = stage ]; then echo "$2 $(date +%s.%N)" >> "$H/times"; fi
}
say stage start
cd "$R" || { say stage no-repository; exit 0; }
# SWE-smith: the instance is the image's repository with its bug patch applied.
if [ -s "$H/base.patch" ]; then
    git apply --whitespace=nowarn "$H/base.patch" 2>"$H/test_apply.log" \
        || { say stage test-patch-failed; exit 0; }
fi
export GIT_DIR="$H/git" GIT_WORK_TREE="$R" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
    GIT_TERMINAL_PROMPT=0
g() {
    git -c core.hooksPath=/dev/null -c core.fsmonitor=false -c safe.directory='*' \
        -c user.name=reward-server -c user.email=reward-server@localhost \
        -c commit.gpgsign=false -c core.autocrlf=false "$@"
}
{ g init -q && g add -A && g commit -q --no-verify --allow-empty -m base; } >"$H/git.log" 2>&1 \
    || { say stage git-failed; exit 0; }
# The caller's test patch must apply to the base: decided before the model's patch is.
if [ -s "$H/test.patch" ]; then
    g apply --check --whitespace=nowarn "$H/test.patch" 2>>"$H/test_apply.log" \
        || { say stage test-patch-failed; exit 0; }
fi
touch "$H/base.stamp"; sleep 0.02  # a later write gets a later mtime (coarse clock)
reset() { g checkout -q -- . 2>/dev/null; g clean -fdq >/dev/null 2>&1; }
if [ -f "$H/model.patch" ]; then
    if g apply --whitespace=nowarn "$H/model.patch" 2>"$H/apply.log"; then :
    else
        reset
        if g apply --reject --whitespace=nowarn "$H/model.patch" 2>>"$H/apply.log"; then :
        else
            reset
            if patch --batch --fuzz=5 -p1 -i "$H/model.patch" >>"$H/apply.log" 2>&1; then :
            else reset; say stage apply-failed; exit 0
            fi
        fi
    fi
elif [ -f "$H/edits.json" ]; then
    python3 -I "$H/apply_edits.py" "$H/edits.json" 2>"$H/apply.log" \
        || { reset; say stage apply-failed; exit 0; }
fi
{ g diff --name-only --no-renames -z HEAD; find . -newer "$H/base.stamp" -printf '%P\0'; } \
    > "$H/changed" 2>/dev/null
# At most CHANGED_BYTES of names, and their total: a flood of names cannot push the facts
# out of the output's kept head, and a list cut short fails the check.
head -c CHANGED_BYTES "$H/changed" > "$H/changed.shown"
say changed "$(wc -c < "$H/changed") $(base64 -w0 < "$H/changed.shown")"
python3 -I "$H/pytest_config.py" < "$H/changed.shown" > "$H/config" 2>/dev/null
say config "$? $(head -c CHANGED_BYTES "$H/config" | base64 -w0)"
while IFS= read -r file; do
    rm -rf -- "$file"; g checkout -q HEAD -- "$file" 2>/dev/null
done < "$H/test_files"
if [ -s "$H/test.patch" ]; then
    g apply --whitespace=nowarn "$H/test.patch" 2>>"$H/test_apply.log" \
        || { say stage tests-conflict; exit 0; }
fi
say tests "$(while IFS= read -r file; do sha256sum -- "$file"; done < "$H/test_targets" \
    2>/dev/null | base64 -w0)"
say stage applied
if [ -s "$H/setup.sh" ]; then
    sh -e "$H/setup.sh" >"$H/setup.log" 2>&1 || say stage setup-failed
fi
say stage tests
. "$H/tests.sh"
say stage done
"""

COLLECTED = ("times", "apply.log", "test_apply.log", "git.log")
# Image runs: the official images' Python is the conda env "testbed", which their eval
# script activates; the image outside the repository is read-only, so HOME is /tmp.
IMAGE_ENV = """for d in /opt/miniconda3/envs/testbed/bin /opt/conda/envs/testbed/bin; do
    if [ -d "$d" ]; then PATH="$d:$PATH"; break; fi
done
export PATH HOME=/tmp
"""


@dataclass(frozen=True)
class RunReport:
    facts: dict[str, list[str]]
    """Each ``say`` key's values in order; the first of an apply-phase fact is the harness's."""
    record: dict | None
    """The plugin's signed record (pytest runs), or None when there is not exactly one."""
    plugin_loaded: bool
    """The harness's pytest plugin said it was loaded (it loads before the repository's
    code, which therefore cannot stop it)."""
    test_log: str
    logs: dict[str, str]
    result: ExecResult
    # Seconds spent on the copy-in and clean-up around the command, and in each stage.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def stage(self) -> str:
        """How far the apply phase got: the first of :data:`APPLY_STAGES` printed."""
        return next(
            (value for value in self.facts.get("stage", []) if value in APPLY_STAGES),
            "not-started",
        )

    def changed(self) -> list[str] | None:
        """The paths git and the file times saw change in the apply phase; ``None`` when
        the list could not be read whole (too many names, a damaged fact)."""
        total, _, encoded = self.facts.get("changed", [""])[0].partition(" ")
        try:
            names = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return None
        if not total.isdigit() or int(total) != len(names):
            return None
        return sorted({path for path in names.decode(errors="replace").split("\0") if path})

    def test_hashes(self) -> dict[str, str]:
        """sha256 of each test file handed to the runner, as the apply phase left it."""
        try:
            text = base64.b64decode(self.facts.get("tests", [""])[0], validate=True).decode()
        except (binascii.Error, ValueError):
            return {}
        hashes = {}
        for line in text.splitlines():
            digest, _, path = line.partition("  ")
            hashes[path.removeprefix("./")] = digest
        return hashes

    def config_changed(self) -> list[str] | None:
        """Files whose pytest section changed; ``None`` when the check did not finish."""
        status, _, encoded = self.facts.get("config", [""])[0].partition(" ")
        if status != "0":
            return None
        return _paths(encoded, separator="\n")

    def log(self, name: str, chars: int = 300) -> str:
        """The start of a harness log: where git and patch say first what went wrong."""
        return self.logs.get(name, "").strip()[:chars]


def _paths(encoded: str, *, separator: str) -> list[str]:
    try:
        text = base64.b64decode(encoded, validate=True).decode(errors="replace")
    except (binascii.Error, ValueError):
        return []
    return sorted({path for path in text.split(separator) if path})


def test_targets(instance: Instance) -> list[str]:
    """Test files to hand the runner: the test patch's, and those the test ids name."""
    targets = {path for path in instance.test_files if path.endswith(".py")}
    for name in instance.fail_to_pass + instance.pass_to_pass:
        path = name.split("::", 1)[0]
        if "::" in name and path.endswith(".py"):
            targets.add(path)
    return sorted(targets)


def _django_modules(paths: list[str]) -> list[str]:
    modules = []
    for path in paths:
        pure = PurePosixPath(path)
        parts = pure.with_suffix("").parts
        modules.append(".".join(parts[1:] if parts[:1] == ("tests",) else parts))
    return modules


def test_script(instance: Instance) -> str:
    targets = test_targets(instance)
    quoted = " ".join(shlex.quote(target) for target in targets)
    if instance.test_command is None:
        return f"{PYTEST_COMMAND} {quoted} {SECRET_INPUT}"
    command = instance.test_command
    if "{tests}" in command or "{test_modules}" in command:
        modules = " ".join(shlex.quote(module) for module in _django_modules(targets))
        command = command.replace("{tests}", quoted).replace("{test_modules}", modules)
    elif not instance.directives_included:
        command = f"{command} {quoted}"
    if instance.log_parser in RECORDER_EXPORTS:
        # The caller's command reports through the harness's recorder as well.
        exports = RECORDER_EXPORTS[instance.log_parser]
        return f"echo '{TESTS_BEGIN}'\n( {exports}; {command} ) {SECRET_INPUT}say exit $?\n"
    # The command's real exit, once: a printed fake one makes two, which grading refuses.
    return f"echo '{TESTS_BEGIN}'\n( {command} )\nsay exit $?\n"


def _harness_files(
    instance: Instance, change: ModelChange, nonce: str, secret: str
) -> dict[str, str]:
    files = {
        "run.sh": SCRIPT.replace("$NONCE", nonce).replace("CHANGED_BYTES", str(CHANGED_BYTES)),
        "secret": secret,
        "test.patch": instance.test_patch,
        "base.patch": instance.base_patch,
        "test_files": "".join(f"{path}\n" for path in instance.test_files),
        "test_targets": "".join(f"{path}\n" for path in test_targets(instance)),
        "setup.sh": "".join(f"{line}\n" for line in instance.setup),
        "tests.sh": test_script(instance),
        "run_pytest.py": RUN_PYTEST,
        "reward_server_harness.py": PYTEST_PLUGIN,
        "pytest_config.py": PYTEST_CONFIG,
    }
    if instance.test_command is not None and instance.log_parser == "django":
        files["unittest/sitecustomize.py"] = UNITTEST_RECORDER
    if instance.source == "image":
        files["env.sh"] = IMAGE_ENV
    if change.edits is not None:
        files["edits.json"] = json.dumps(change.edits)
        files["apply_edits.py"] = APPLY_EDITS
    else:
        files["model.patch"] = change.diff or ""
    return files


TESTS_BEGIN = ">>>>> reward-server tests begin"
_FACT = ">>>>> reward-server "
_RECORD = ">>>>> reward-server record "


def _facts(stdout: str, nonce: str) -> dict[str, list[str]]:
    prefix = f"{_FACT}{nonce} "
    facts: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        if line.startswith(prefix):
            key, _, value = line[len(prefix) :].partition(" ")
            facts.setdefault(key, []).append(value.strip())
    return facts


def signed_record(stdout: str, secret: str) -> dict | None:
    """The runner's record: exactly one line signed with the secret, else None."""
    signed = f"{_RECORD}{secret} "
    lines = [line for line in stdout.splitlines() if line.startswith(signed)]
    if len(lines) != 1:
        return None
    try:
        record = json.loads(base64.b64decode(lines[0][len(signed) :], validate=True))
    except (binascii.Error, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _test_output(stdout: str) -> str:
    """What the tests printed: after the first "tests begin", for the log parsers."""
    start = stdout.find(TESTS_BEGIN)
    return stdout[start + len(TESTS_BEGIN) :] if start >= 0 else ""


def run(instance: Instance, change: ModelChange, *, wall_s: float, memory_mb: int) -> RunReport:
    nonce, secret = secrets.token_hex(16), secrets.token_hex(16)
    harness = _harness_files(instance, change, nonce, secret)
    started = time.monotonic()
    limits = Limits(
        wall_s=wall_s,
        cpu_s=wall_s,
        memory_bytes=memory_mb * MiB,
        processes=512,
        output_bytes=4 * MiB,
        file_size_bytes=256 * MiB,
    )
    if instance.source == "image":
        backend = sandbox.default_backend()
        if backend.name != "docker":
            raise InvalidInput(
                f"ground_truth's image {instance.code} needs the docker sandbox backend "
                "(sandbox.backend = docker)"
            )
        try:
            backend.ensure_image(instance.code)
        except sandbox.ImageNotFound as missing:
            raise InvalidInput(str(missing)) from None
        result = backend.run(
            ["sh", "/harness/run.sh", "/harness", instance.repo_dir],
            harness,
            limits,
            image=instance.code,
            workdir="/harness",
            image_dirs=[instance.repo_dir],
            user=None,
            collect=COLLECTED,
        )
        files = result.files
    else:
        workspace: sandbox.Workspace = [("repo", instance.code), ("harness", harness)]
        result = sandbox.run(
            ["sh", "/work/harness/run.sh", "/work/harness", "/work/repo"],
            workspace,
            limits,
            collect=[f"harness/{name}" for name in COLLECTED],
        )
        files = {name.removeprefix("harness/"): content for name, content in result.files.items()}
    elapsed = time.monotonic() - started
    stdout = result.stdout.decode(errors="replace")
    return RunReport(
        facts=_facts(stdout, nonce),
        record=signed_record(stdout, secret),
        plugin_loaded=HARNESS_LOADED in stdout,
        test_log=_test_output(stdout),
        logs={
            name: content.decode(errors="replace")
            for name, content in files.items()
            if name.endswith(".log")
        },
        result=result,
        timings=_timings(files.get("times", b""), outside_s=elapsed - result.duration_s),
    )


def _timings(stamps: bytes, outside_s: float) -> dict[str, float]:
    """``copy``: the backend's work around the command; ``apply``: start to the tests
    (git, the patches, set-up); ``run``: the tests."""
    times: dict[str, float] = {}
    for line in stamps.decode(errors="replace").splitlines():
        name, _, value = line.partition(" ")
        try:
            times.setdefault(name, float(value))
        except ValueError:
            continue
    timings = {"copy": max(outside_s, 0.0)}
    if "start" in times and "tests" in times:
        timings["apply"] = times["tests"] - times["start"]
    if "tests" in times and "done" in times:
        timings["run"] = times["done"] - times["tests"]
    return timings
