"""One sandbox run per item: apply the model's change, then the hidden tests, then run them.

Everything happens in a single run of a generated shell script (one copy of the
repository, one process tree to kill). The script reports how far it got in a ``stage``
file; the test runner's output sits between two markers carrying a per-run nonce.
"""

from __future__ import annotations

import json
import secrets
import shlex
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import sandbox
from sandbox import ExecResult, Limits, MiB
from verifiers.base import InvalidInput
from verifiers.swe_tests.instance import Instance
from verifiers.swe_tests.patches import ModelChange

HERE = Path(__file__).parent
APPLY_EDITS = (HERE / "apply_edits.py").read_text()
RUN_PYTEST = (HERE / "run_pytest.py").read_text()
JUNIT = "junit.xml"
# Results come from pytest's own report where we choose the command.
PYTEST_COMMAND = (
    'python3 -I "$H/run_pytest.py" -rA -p no:cacheprovider -o junit_family=xunit1 '
    f'--junitxml="$H/{JUNIT}"'
)

SCRIPT = r"""#!/bin/sh
# reward-server swe_tests harness
H="$1"; R="$2"
stage() { echo "$1" > "$H/stage"; echo "$1 $(date +%s.%N)" >> "$H/times"; }
stage start
cd "$R" || { stage no-repository; exit 0; }
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_TERMINAL_PROMPT=0
g() {
    git -c core.hooksPath=/dev/null -c safe.directory='*' -c user.name=reward-server \
        -c user.email=reward-server@localhost -c commit.gpgsign=false -c core.autocrlf=false "$@"
}
if ! g rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    { g init -q && g add -A && g commit -q --no-verify -m base; } >"$H/git.log" 2>&1 \
        || { stage git-failed; exit 0; }
fi
reset() { g checkout -q -- . 2>/dev/null; g clean -fdq >/dev/null 2>&1; }
if [ -f "$H/model.patch" ]; then
    if g apply --whitespace=nowarn "$H/model.patch" 2>"$H/apply.log"; then :
    else
        reset
        if g apply --reject --whitespace=nowarn "$H/model.patch" 2>>"$H/apply.log"; then :
        else
            reset
            if patch --batch --fuzz=5 -p1 -i "$H/model.patch" >>"$H/apply.log" 2>&1; then :
            else reset; stage apply-failed; exit 0
            fi
        fi
    fi
elif [ -f "$H/edits.json" ]; then
    python3 -I "$H/apply_edits.py" "$H/edits.json" 2>"$H/apply.log" \
        || { reset; stage apply-failed; exit 0; }
fi
while IFS= read -r file; do
    g checkout -q HEAD -- "$file" 2>/dev/null || rm -f -- "$file"
done < "$H/test_files"
g apply --whitespace=nowarn "$H/test.patch" 2>"$H/test_apply.log" \
    || { stage test-patch-failed; exit 0; }
if [ -s "$H/setup.sh" ]; then
    stage setup
    sh -e "$H/setup.sh" >"$H/setup.log" 2>&1 || { stage setup-failed; exit 0; }
fi
stage tests
echo ">>>>> reward-server tests begin $NONCE"
. "$H/tests.sh"
echo ">>>>> reward-server tests end $NONCE"
stage done
"""

COLLECTED = ("stage", "times", "apply.log", "test_apply.log", "setup.log", "git.log", JUNIT)


@dataclass(frozen=True)
class RunReport:
    stage: str
    # The begin marker was printed: from then on the model's code ran, and whatever
    # broke (the stage file included) is its doing.
    tests_started: bool
    test_log: str
    logs: dict[str, str]
    junit: bytes | None
    result: ExecResult
    # Seconds spent on the copy-in and clean-up around the command, and in each stage.
    timings: dict[str, float]

    def log(self, name: str, chars: int = 300) -> str:
        """The start of a log: where git and patch say first what went wrong."""
        return self.logs.get(name, "").strip()[:chars]


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
        return f"{PYTEST_COMMAND} {quoted}\n"
    command = instance.test_command
    if "{tests}" in command or "{test_modules}" in command:
        modules = " ".join(shlex.quote(module) for module in _django_modules(targets))
        return command.replace("{tests}", quoted).replace("{test_modules}", modules) + "\n"
    return f"{command} {quoted}\n"


def _harness_files(instance: Instance, change: ModelChange, nonce: str) -> dict[str, str]:
    files = {
        "run.sh": SCRIPT.replace("$NONCE", nonce),
        "test.patch": instance.test_patch,
        "test_files": "".join(f"{path}\n" for path in instance.test_files),
        "setup.sh": "".join(f"{line}\n" for line in instance.setup),
        "tests.sh": test_script(instance),
        "run_pytest.py": RUN_PYTEST,
    }
    if change.edits is not None:
        files["edits.json"] = json.dumps(change.edits)
        files["apply_edits.py"] = APPLY_EDITS
    else:
        files["model.patch"] = change.diff or ""
    return files


def _begin(nonce: str) -> str:
    return f">>>>> reward-server tests begin {nonce}"


def _between_markers(stdout: str, nonce: str) -> str:
    begin, end = _begin(nonce), f">>>>> reward-server tests end {nonce}"
    start = stdout.find(begin)
    start = start + len(begin) if start >= 0 else 0
    stop = stdout.rfind(end)
    return stdout[start : stop if stop >= start else len(stdout)]


def run(instance: Instance, change: ModelChange, *, wall_s: float, memory_mb: int) -> RunReport:
    nonce = secrets.token_hex(16)
    harness = _harness_files(instance, change, nonce)
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
                "ground_truth.image needs the docker sandbox backend (sandbox.backend = docker)"
            )
        result = backend.run(
            ["sh", "/harness/run.sh", "/harness", instance.repo_dir],
            harness,
            limits,
            image=instance.code,
            workdir="/harness",
            writable_root=True,
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
        stage=files.get("stage", b"").decode(errors="replace").strip() or "not-started",
        tests_started=_begin(nonce) in stdout,
        test_log=_between_markers(stdout, nonce),
        logs={
            name: content.decode(errors="replace")
            for name, content in files.items()
            if name.endswith(".log")
        },
        junit=files.get(JUNIT),
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
