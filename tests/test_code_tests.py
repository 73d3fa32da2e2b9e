"""code_tests: real programs, real problems, real sandbox runs on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verifiers.base import InvalidInput, Status
from verifiers.code_tests import COMPONENTS, verify

pytestmark = pytest.mark.sandbox

DATA = Path(__file__).parent / "data" / "code_tests"
HUMANEVAL = [json.loads(line) for line in (DATA / "humaneval.jsonl").read_text().splitlines()]
MBPP = [json.loads(line) for line in (DATA / "mbpp.jsonl").read_text().splitlines()]
KINGS_PATH = json.loads((DATA / "apps_kings_path.json").read_text())
TWO_SUM = json.loads((DATA / "call_two_sum.json").read_text())
SUM = {"inputs": ["1 2\n", "3 4\n", "10 20\n"], "outputs": ["3\n", "7\n", "30\n"]}
FAST = {"time_limit_s": 2}


@pytest.fixture(autouse=True)
def backend(default_sandbox):
    return default_sandbox


def fenced(code: str, language: str = "python") -> str:
    return f"<think>try ```python\nprint(0)\n``` first</think>\nHere:\n```{language}\n{code}\n```\n"


def judge(code: str, truth, language: str = "python", **options):
    outcome = verify(fenced(code, language), truth, {**FAST, **options})
    assert set(outcome.components) == set(COMPONENTS)
    assert outcome.status == Status.OK, outcome.detail
    return outcome


# -- correct programs pass, on every format ------------------------------------------


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_apps_stdio_problem_passes_in_each_language(language):
    truth = {"input_output": KINGS_PATH["input_output"]}
    outcome = judge(KINGS_PATH["solutions"][language], truth, language)
    assert (outcome.reward, outcome.components["passed"], outcome.components["total"]) == (
        1.0,
        11.0,
        11.0,
    )
    assert outcome.components["first_failure"] == -1.0


def test_ground_truth_as_json_text_like_verl_rows():
    outcome = judge(KINGS_PATH["solutions"]["python"], KINGS_PATH["input_output"])
    assert outcome.reward == 1.0


@pytest.mark.parametrize("row", HUMANEVAL, ids=[row["task_id"] for row in HUMANEVAL])
def test_humaneval_canonical_solutions_pass(row):
    truth = {"test": row["test"], "entry_point": row["entry_point"]}
    outcome = judge(row["prompt"] + row["canonical_solution"], truth)
    assert outcome.reward == 1.0, outcome.detail


@pytest.mark.parametrize("row", MBPP, ids=[str(row["task_id"]) for row in MBPP])
def test_mbpp_reference_solutions_pass(row):
    truth = {"test_list": row["test_list"], "test_setup_code": row["test_setup_code"]}
    outcome = judge(row["code"], truth)
    assert (outcome.reward, outcome.components["passed"]) == (1.0, 3.0), outcome.detail


@pytest.mark.parametrize("name", ["function", "leetcode"])
def test_call_based_function_and_solution_method_pass(name):
    outcome = judge(TWO_SUM["solutions"][name], TWO_SUM["ground_truth"])
    assert (outcome.reward, outcome.components["passed"]) == (1.0, 3.0), outcome.detail


# -- wrong programs fail, with the right detail ---------------------------------------


def test_wrong_answer_names_the_test_and_not_the_data():
    outcome = judge("a, b = map(int, input().split())\nprint(a * b)", SUM)
    assert outcome.reward == 0.0
    assert outcome.detail.startswith("test 1/3: wrong answer")
    assert "30" not in outcome.detail and "10 20" not in outcome.detail
    assert outcome.components["first_failure"] == 0.0


def test_show_data_names_expected_and_actual_output():
    outcome = judge("print(5)", SUM, show_data=True)
    assert "expected '3\\n', got '5\\n'" in outcome.detail


def test_partial_credit_runs_every_test():
    truth = {"input_output": KINGS_PATH["input_output"]}
    wrong = KINGS_PATH["wrong"]["python"]
    assert judge(wrong, truth).reward == 0.0
    outcome = judge(wrong, truth, partial_credit=True, stop_on_first_failure=False)
    assert outcome.reward == pytest.approx(10 / 11)
    assert outcome.components["first_failure"] == 3.0


def test_stop_on_first_failure_stops_at_a_crash():
    outcome = judge("import sys\nif sys.stdin.read().startswith('1 '): raise SystemExit(3)\n", SUM)
    assert outcome.detail.startswith("test 1/3: runtime error")
    assert outcome.components["passed"] == 0.0


@pytest.mark.parametrize(
    ("code", "language", "detail"),
    [
        ("print(1 / 0)", "python", "runtime error: ZeroDivisionError: division by zero"),
        ("while True:\n    pass", "python", "time limit exceeded (2 s)"),
        ("import time\ntime.sleep(30)", "python", "time limit exceeded (2 s)"),
        ("x = bytearray(4 << 30)", "python", "memory limit exceeded (256 MB)"),
        ("x = [0] * (2 << 30)", "python", "memory limit exceeded (256 MB)"),
        ("while True:\n    print('y' * 1000)", "python", "output limit exceeded"),
        (
            "#include <vector>\nint main(){std::vector<char> v(1ull<<33, 1); return v[5];}",
            "cpp",
            "memory limit exceeded (256 MB)",
        ),
        ("int main(){ volatile int *p = nullptr; return *p; }", "cpp", "runtime error (exit -11)"),
        ("int main(){ for(;;); }", "cpp", "time limit exceeded (2 s)"),
        ("#include <cstdlib>\nint main(){ std::abort(); }", "cpp", "runtime error"),
    ],
    ids=[
        "crash",
        "busy",
        "sleep",
        "alloc",
        "list",
        "flood",
        "cpp-alloc",
        "cpp-segv",
        "cpp-busy",
        "cpp-abort",
    ],
)
def test_failures_name_their_kind(code, language, detail):
    outcome = judge(code, SUM, language, memory_mb=256)
    assert outcome.reward == 0.0
    assert outcome.detail.startswith("test 1/3: ")
    assert detail in outcome.detail, outcome.detail


def test_compile_error_is_judged_with_the_compiler_message():
    outcome = judge("int main() { return undefined_name; }", SUM, "cpp")
    assert outcome.reward == 0.0
    assert outcome.components["compiled"] == 0.0
    assert outcome.detail.startswith("compile error: main.cpp:1:")
    assert "undefined_name" in outcome.detail


def test_humaneval_broken_solution_fails():
    row = HUMANEVAL[0]
    truth = {"test": row["test"], "entry_point": row["entry_point"]}
    outcome = judge(row["prompt"] + "    return False\n", truth)
    assert (outcome.reward, outcome.detail) == (0.0, "test 1/1: wrong answer; passed 0/1")


def test_mbpp_partial_credit_counts_asserts():
    row = MBPP[-1]  # square_perimeter
    truth = {"test_list": row["test_list"]}
    code = "def square_perimeter(a):\n    return 40 if a == 10 else 0"
    outcome = judge(code, truth, partial_credit=True, stop_on_first_failure=False)
    assert outcome.reward == pytest.approx(1 / 3)


def test_call_based_wrong_and_raising_solutions_fail():
    truth = TWO_SUM["ground_truth"]
    assert judge(TWO_SUM["wrong"]["function"], truth).detail.startswith("test 2/3: wrong answer")
    raising = judge("def twoSum(nums, target):\n    raise ValueError('no')", truth)
    assert raising.detail.startswith("test 1/3: runtime error: ValueError: no")
    missing = judge("def other():\n    pass", truth)
    assert "runtime error: NameError" in missing.detail


def test_float_outputs_within_tolerance_pass_and_exact_mode_refuses_them():
    truth = {"inputs": [""], "outputs": ["0.3333333\n"]}
    assert judge("print(1 / 3)", truth).reward == 1.0
    assert judge("print(1 / 3)", truth, compare="exact").reward == 0.0
    assert judge("print(0.34)", truth).reward == 0.0


def test_time_limit_of_the_ground_truth_applies():
    truth = {**SUM, "time_limit": {"seconds": 1, "nanos": 0}}
    outcome = verify(fenced("import time\ntime.sleep(5)"), truth)
    assert "time limit exceeded (1 s)" in outcome.detail


# -- reading the response and the ground truth ----------------------------------------


@pytest.mark.parametrize(
    ("response", "detail"),
    [
        ("a, b = 1, 2", "no program: no fenced code block"),
        ("```rust\nfn main() {}\n```", "no program: no code block in python or cpp"),
        ("<think>```python\nprint(3)\n```</think> done", "no program: no fenced code block"),
        ("```python\n\n```", "no program: the code block is empty"),
    ],
)
def test_responses_without_a_program_are_format_errors(response, detail):
    outcome = verify(response, SUM)
    assert (outcome.reward, outcome.status) == (0.0, Status.FORMAT_ERROR)
    assert outcome.detail.startswith(detail)
    assert outcome.components == {
        "passed": 0.0,
        "total": 3.0,
        "compiled": 0.0,
        "first_failure": -1.0,
    }


def test_whole_response_as_program_when_asked():
    code = "a, b = map(int, input().split())\nprint(a + b)"
    assert verify(code, SUM, {"extract": "fenced_or_whole"}).reward == 1.0


def test_assert_mode_takes_python_only():
    truth = {"test_list": ["assert f() == 1"]}
    outcome = verify(fenced("int main(){}", "cpp"), truth)
    assert outcome.status == Status.FORMAT_ERROR


@pytest.mark.parametrize(
    ("truth", "message"),
    [
        ({"inputs": ["1"], "outputs": []}, "1 inputs but 0 outputs"),
        ({"inputs": [], "outputs": []}, "no tests"),
        ({"input_output": "{not json"}, "input_output is not valid JSON"),
        ({"fn_name": "a b", "inputs": [[1]], "outputs": [1]}, "fn_name must be a Python name"),
        ({"fn_name": "f", "inputs": [1], "outputs": [1]}, r"inputs\[0\] must be a list"),
        ({"test": "assert True", "entry_point": "f"}, "check\\(candidate\\)"),
        ({"test_list": []}, "test_list must be a non-empty list"),
        ({"prompt": "x"}, "ground_truth needs inputs and outputs"),
        (42, "ground_truth must be an object"),
        ({"inputs": ["1"] * 5, "outputs": ["1"] * 5}, "over max_tests 4"),
    ],
)
def test_unusable_ground_truth_is_invalid_input(truth, message):
    with pytest.raises(InvalidInput, match=message):
        verify(fenced("print(1)"), truth, {"max_tests": 4})


@pytest.mark.parametrize(
    ("code", "language"),
    [("print(3)", "python"), ('#include <cstdio>\nint main(){ puts("3"); }', "cpp")],
)
def test_per_test_limits_never_exceed_the_runs_own(code, language):
    """A per-test CPU limit above the whole run's cannot be set (hard limits only go down)."""
    truth = {"inputs": ["1 2"], "outputs": ["3"]}
    outcome = judge(code, truth, language, time_limit_s=30, total_timeout_s=20)
    assert outcome.reward == 1.0, outcome.detail
