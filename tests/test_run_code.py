"""SandboxFusion's /run_code on a real server: verl's own requests, and what verl does with
our answers.

The requests are byte for byte what verl builds (verl/utils/reward_score/sandbox_fusion/
utils.py, ``call_sandbox_api``: the same keys, ``json.dumps``'d, the same headers), sent
concurrently as its ThreadPoolExecutor does; ``verl_case_status`` restates how
``_process_single_case`` classifies an answer (True, False, -1 sandbox or API error,
-2 runtime error, -3 timeout, -4 compile error), and the score is its pass rate.
"""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import start_server, stop_server

pytestmark = pytest.mark.sandbox

DATA = Path(__file__).parent / "data" / "code_tests"
KINGS_PATH = json.loads((DATA / "apps_kings_path.json").read_text())
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
KEY = "run-code-test-key"


def verl_payload(code: str, stdin: str | None, timeout: int, memory_mb: int, language: str) -> str:
    return json.dumps(
        {
            "compile_timeout": timeout,
            "run_timeout": timeout,
            "code": code,
            "stdin": stdin,
            "memory_limit_MB": memory_mb,
            "language": language,
            "files": {},
            "fetch_files": [],
        }
    )


def post(url: str, payload: str, **headers: str) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/run_code", content=payload, headers={**HEADERS, **headers}, timeout=60
    )
    response.raise_for_status()
    return response.json()


def verl_case_status(answer: dict[str, Any], expected: str | None) -> bool | int:
    """What verl's _process_single_case makes of an answer."""
    compile_result, run_result = answer.get("compile_result"), answer.get("run_result")
    if answer["status"] == "SandboxError":
        return -1
    if answer["status"] == "Failed":
        if compile_result and (
            compile_result["status"] in ("Error", "TimeLimitExceeded")
            or (compile_result["status"] == "Finished" and compile_result["return_code"] != 0)
        ):
            return -4
        if run_result:
            if run_result["status"] == "TimeLimitExceeded":
                return -3
            if run_result["status"] == "Error" or run_result["return_code"] != 0:
                return -2
        return -1
    if answer["status"] == "Success" and run_result and run_result["status"] == "Finished":
        stdout = run_result["stdout"] if run_result["stdout"] is not None else ""
        return expected is None or str(stdout).rstrip("\n") == str(expected).rstrip("\n")
    return -1


def verl_score(url: str, code: str, test_cases: str, language: str = "python") -> float:
    """verl's default_compute_score for codecontests/apps/codeforces/taco with a
    sandbox_fusion_url: compute_score(url, semaphore, 1024, completion, test_cases,
    continuous=True), the pass rate of the first 10 cases."""
    cases = json.loads(test_cases)

    def one(index: int) -> bool | int:
        payload = verl_payload(code, str(cases["inputs"][index]), 10, 1024, language)
        return verl_case_status(post(url, payload), cases["outputs"][index])

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(one, range(len(cases["inputs"]))))
    first = results[:10]
    return sum(1 for result in first if result is True) / len(first)


def test_verl_reward_path_scores_a_correct_and_a_wrong_program(server):
    test_cases = KINGS_PATH["input_output"]
    assert verl_score(server.url, KINGS_PATH["solutions"]["python"], test_cases) == 1.0
    wrong = verl_score(server.url, KINGS_PATH["wrong"]["python"], test_cases)
    assert wrong == pytest.approx(0.9)  # what verl's own test expects of this sample
    # Three cases: eleven concurrent compiles of <bits/stdc++.h> outlast verl's 10 s
    # compile_timeout on a 2-core machine, here as on SandboxFusion.
    cases = json.loads(test_cases)
    three = json.dumps({"inputs": cases["inputs"][:3], "outputs": cases["outputs"][:3]})
    assert verl_score(server.url, KINGS_PATH["solutions"]["cpp"], three, "cpp") == 1.0


@pytest.mark.parametrize(
    ("code", "language", "status"),
    [
        ("int main() { return nope; }", "cpp", -4),
        ("print(1 / 0)", "python", -2),
        ("import time\ntime.sleep(30)", "python", -3),
        ("print('7')", "python", True),
        ("print('8')", "python", False),
        ("fn main() {}", "rust", -1),
    ],
)
def test_verl_classifies_our_answers(server, code, language, status):
    answer = post(server.url, verl_payload(code, "", 2, 1024, language))
    assert verl_case_status(answer, "7") == status


def test_answer_fields_are_sandbox_fusions(server):
    answer = post(
        server.url,
        verl_payload("import sys\nprint(sys.stdin.read()[::-1])", "abc", 5, 256, "python"),
    )
    assert set(answer) == {
        "status",
        "message",
        "compile_result",
        "run_result",
        "executor_pod_name",
        "files",
    }
    assert (answer["status"], answer["message"], answer["compile_result"]) == ("Success", "", None)
    run = answer["run_result"]
    assert set(run) == {"status", "execution_time", "return_code", "stdout", "stderr"}
    assert (run["status"], run["return_code"], run["stdout"]) == ("Finished", 0, "cba\n")
    assert run["execution_time"] > 0
    timed_out = post(server.url, verl_payload("while True: pass", None, 1, 256, "python"))
    assert timed_out["status"] == "Failed"
    assert timed_out["run_result"]["status"] == "TimeLimitExceeded"
    assert timed_out["run_result"]["return_code"] is None
    compiled = post(server.url, verl_payload("int main(){return 3;}", None, 10, 256, "cpp"))
    assert compiled["compile_result"]["status"] == "Finished"
    assert compiled["compile_result"]["return_code"] == 0
    assert (compiled["status"], compiled["run_result"]["return_code"]) == ("Failed", 3)


def test_verl_code_tool_gets_stdout_and_stderr(server):
    """verl's SandboxFusionTool.execute_code: _process_single_case(0, None, None, url, code,
    timeout, memory_limit_mb, language), then stdout + stderr when the run Finished."""
    code = "import sys\nprint('out')\nprint('err', file=sys.stderr)\nraise SystemExit(1)"
    answer = post(server.url, verl_payload(code, None, 30, 1024, "python"))
    run = answer["run_result"]
    assert run["status"] == "Finished"
    assert run["stdout"] + run["stderr"] == "out\nerr\n"


def test_files_in_and_fetch_files_out(server):
    payload = json.dumps(
        {
            "code": "import helper\nopen('out.txt', 'w').write(helper.VALUE * 2)",
            "language": "python",
            "files": {"helper.py": base64.b64encode(b"VALUE = 'ab'\n").decode(), "skip": None},
            "fetch_files": ["out.txt", "missing.txt", "/etc/passwd"],
        }
    )
    answer = post(server.url, payload)
    assert answer["status"] == "Success", answer
    assert answer["files"] == {"out.txt": base64.b64encode(b"abab").decode()}


def test_reserved_names_and_bad_base64_are_sandbox_errors(server):
    for files in ({"runner.py": base64.b64encode(b"x").decode()}, {"a.txt": "%%%"}):
        answer = post(
            server.url, json.dumps({"code": "pass", "language": "python", "files": files})
        )
        assert answer["status"] == "SandboxError"


def test_unknown_language_and_over_limit_timeouts_are_refused(server):
    bad = httpx.post(f"{server.url}/run_code", json={"code": "x", "language": "cobol"})
    assert bad.status_code == 422
    long = httpx.post(
        f"{server.url}/run_code", json={"code": "x", "language": "python", "run_timeout": 1e6}
    )
    assert long.status_code == 422


def test_run_code_needs_the_api_key_when_keys_are_set(tmp_path):
    server = start_server(
        tmp_path / "server.log", "--workers", "1", env={"REWARD_SERVER_API_KEYS": json.dumps([KEY])}
    )
    try:
        payload = verl_payload("print(1)", None, 5, 256, "python")
        refused = httpx.post(f"{server.url}/run_code", content=payload, headers=HEADERS)
        assert refused.status_code == 401
        answer = post(server.url, payload, Authorization=f"Bearer {KEY}")
        assert answer["run_result"]["stdout"] == "1\n"
        metrics = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {KEY}"})
        assert 'reward_server_sandbox_runs_total{backend="local",outcome="ok"}' in metrics.text
        assert 'endpoint="/run_code"' in metrics.text
    finally:
        stop_server(server)


def test_code_rows_route_to_code_tests_through_the_engine(server):
    """verl's code data sources and the benchmarks' names reach code_tests by default."""
    humaneval = json.loads((DATA / "humaneval.jsonl").read_text().splitlines()[2])
    solution = f"```python\n{humaneval['prompt']}{humaneval['canonical_solution']}```"
    items = [
        {"data_source": source, "response": f"```python\n{KINGS_PATH['solutions']['python']}```",
         "ground_truth": KINGS_PATH["input_output"]}
        for source in ("codecontests", "apps", "codeforces", "taco")
    ] + [
        {"data_source": "openai_humaneval", "response": solution,
         "ground_truth": {"test": humaneval["test"], "entry_point": humaneval["entry_point"]}},
        {"data_source": "livecodebench", "response": "no code", "ground_truth": {
            "inputs": ["1"], "outputs": ["1"]}},
    ]  # fmt: skip
    response = httpx.post(f"{server.url}/v1/rewards", json={"items": items}, timeout=120)
    results = response.json()["results"]
    assert [r["verifier"] for r in results] == ["code_tests"] * 6
    assert [(r["status"], r["reward"]) for r in results] == [("ok", 1.0)] * 5 + [
        ("format_error", 0.0)
    ]
