"""The math verifier against Math-Verify 0.9.0, side by side, in one run.

    make bench-math        # or: python benchmarks/bench_math.py [--data FILE] [--suite FILE]
                           #     [--adversarial FILE] [--misses]

(a) HardVerify-Math dev. Each candidate answer is wrapped as a model would write it, ``The
final answer is $\\boxed{<answer>}$.``, and judged against the pair's gold by both graders in
this process. Math-Verify gets the gold inside ``$...$`` (its documented input form, and the
form that reproduces its published 76/125 on this half). Prints, side by side: equivalent
pairs accepted, non-equivalent pairs accepted, and median / p99 / max time per pair; then the
targets: >= 110 of 125 accepted, <= 2 of 125 wrongly accepted, median at least 3x lower than
Math-Verify's. Each grader judges each pair once, after one warm-up call on a pair of its
own: both Math-Verify and we cache parsed answers, so repeating a pair would time the caches.
Our "cold" row also clears our parse cache before every pair, so caching the gold does not
flatter the ratio; the "warm" row keeps it, as a server does for the samples of one prompt.

(b) The peer suite, tests/data/math_verify_suite.jsonl: the cases of Math-Verify's own tests
that run with its default configuration (tests/data/README.md). Math-Verify gets
``verify(parse(gold), parse(prediction))`` with both strings exactly as its tests pass them.
We get the prediction as the response, as-is (a bare expression is what a dataset would
store, and we read bare answers too), and the gold as the ground truth, as-is: the gold is
not stripped of its ``$...$``, because we read a gold inside ``$...$`` as its content (measured:
stripping changed no verdict). Prints expected-true cases accepted (recall) and expected-false
cases accepted (false positives) for both graders; targets: our recall >= Math-Verify's - 10,
our false positives <= Math-Verify's. ``--misses`` lists the cases we get wrong and it gets
right.

(c) The adversarial corpus, tests/data/math_adversarial_labelled.jsonl, when present (fields
``id``, ``response``, ``gold``, ``label``): the same two numbers for both graders, no target.
Math-Verify gets ``parse(gold)`` (inside ``$...$`` when it has no ``$``) and ``parse(response)``.

(d) Per-item speed through the engine: every item of (a), (b) and (c) in one batch to
``reward_server.score`` (the in-process engine, its worker processes, settings from the
environment), after a warm-up batch, against Math-Verify's mean time per item in this process
over the same items (its (a), (b), (c) runs). The engine's verdicts are the ones (b) and (c)
print; an item the engine does not judge (timeout, error, invalid input) counts as not
accepted. The workers start with empty caches and keep them through the batch, as a server
does. Prints both per-item times, the ratio, and the target: at least 3x faster. The engine
runs its workers in parallel, Math-Verify runs in one process: the per-worker time (wall time
x workers / items) is printed too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import reward_server
from reward_server.settings import load_settings
from verifiers import Status
from verifiers.math import verify as reward_server_verify
from verifiers.math.parsing import parse_answer

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data"
DATA = DATA_DIR / "hardverify_math_dev.jsonl"
SUITE = DATA_DIR / "math_verify_suite.jsonl"
ADVERSARIAL = DATA_DIR / "math_adversarial_labelled.jsonl"
TARGET_ACCEPTED, TARGET_WRONG, TARGET_SPEEDUP = 110, 2, 3.0
TARGET_PEER_RECALL_MARGIN = 10
"""Our recall on the peer suite may trail Math-Verify's on its own tests by this many cases."""
TARGET_ENGINE_SPEEDUP = 3.0
DEADLINE_S = 5.0
PEER = "math-verify 0.9.0"
ENGINE = "reward-server math (engine)"
SHOWN_CHARS = 70


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled pair, as each grader is given it."""

    id: str
    response: str
    """What both graders read the candidate answer from."""
    gold: str
    """Our ground truth."""
    peer_gold: str
    """What Math-Verify parses as the gold."""
    label: bool


def wrap(answer: str) -> str:
    return f"The final answer is $\\boxed{{{answer}}}$."


def in_dollars(gold: str) -> str:
    return gold if "$" in gold else f"${gold}$"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def hardverify_cases(path: Path) -> list[Case]:
    return [
        Case(row["id"], wrap(row["answer"]), row["gold"], in_dollars(row["gold"]), row["label"])
        for row in read_jsonl(path)
    ]


def suite_cases(path: Path) -> list[Case]:
    return [
        Case(row["id"], row["prediction"], row["gold"], row["gold"], row["expected"])
        for row in read_jsonl(path)
    ]


def adversarial_cases(path: Path) -> list[Case]:
    return [
        Case(row["id"], row["response"], row["gold"], in_dollars(row["gold"]), row["label"])
        for row in read_jsonl(path)
    ]


def ours(cold: bool) -> Callable[[Case], bool]:
    def judge(case: Case) -> bool:
        if cold:
            parse_answer.cache_clear()
        return reward_server_verify(case.response, case.gold).reward == 1.0

    return judge


def math_verify() -> Callable[[Case], bool]:
    from math_verify import parse, verify  # imported here: only this benchmark needs it

    def judge(case: Case) -> bool:
        return bool(verify(parse(case.peer_gold), parse(case.response)))

    return judge


WARM_UP = Case("warm-up", wrap("0.5"), "\\frac{1}{2}", "$\\frac{1}{2}$", True)


@dataclass(frozen=True, slots=True)
class Run:
    verdicts: list[bool]
    times_s: list[float]


def accepted(verdicts: list[bool], cases: list[Case]) -> tuple[int, int]:
    """(equivalent cases accepted, non-equivalent cases accepted)."""
    pairs = list(zip(verdicts, cases, strict=True))
    return sum(v for v, c in pairs if c.label), sum(v for v, c in pairs if not c.label)


def run(judge: Callable[[Case], bool], cases: list[Case]) -> Run:
    judge(WARM_UP)
    verdicts, times = [], []
    for case in cases:
        started = time.perf_counter()
        verdicts.append(judge(case))
        times.append(time.perf_counter() - started)
    return Run(verdicts, times)


def latency(times_s: list[float]) -> dict[str, float]:
    times = sorted(times_s)
    return {
        "median_ms": statistics.median(times) * 1e3,
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1e3,
        "max_ms": times[-1] * 1e3,
    }


def through_engine(cases: list[Case], workers: int) -> tuple[list[bool], list[Status], float]:
    """Verdicts, statuses and wall seconds of one batch scored by ``reward_server.score``."""
    warm_up = [
        {"verifier": "math", "response": wrap(f"{n}/2"), "ground_truth": WARM_UP.gold}
        for n in range(4 * workers)
    ]
    reward_server.score(warm_up)
    items = [
        {"id": str(i), "verifier": "math", "response": c.response, "ground_truth": c.gold}
        for i, c in enumerate(cases)
    ]
    started = time.perf_counter()
    results = reward_server.score(items)
    wall_s = time.perf_counter() - started
    return [r.reward == 1.0 for r in results], [r.status for r in results], wall_s


def check(label: str, met: bool) -> None:
    print(f"target: {label}: {'met' if met else 'NOT met'}")


def shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def report_hardverify(path: Path, cases: list[Case], peer: Run) -> None:
    positives = sum(case.label for case in cases)
    negatives = len(cases) - positives
    results = {
        "reward-server math (cold)": run(ours(cold=True), cases),
        "reward-server math (warm)": run(ours(cold=False), cases),
        PEER: peer,
    }
    print(f"(a) {len(cases)} pairs from {path.name}: {positives} equivalent, {negatives} not")
    header = f"{'grader':<28}{'accepted':>10}{'wrong':>8}{'median ms':>12}{'p99 ms':>10}"
    print(header + f"{'max ms':>10}")
    for name, r in results.items():
        right, wrong = accepted(r.verdicts, cases)
        t = latency(r.times_s)
        print(
            f"{name:<28}{right:>6}/{positives:<3}{wrong:>4}/{negatives:<3}"
            f"{t['median_ms']:>12.3f}{t['p99_ms']:>10.3f}{t['max_ms']:>10.3f}"
        )
    cold = results["reward-server math (cold)"]
    right, wrong = accepted(cold.verdicts, cases)
    cold_t, peer_t = latency(cold.times_s), latency(peer.times_s)
    speedup = peer_t["median_ms"] / cold_t["median_ms"]
    check(f"accepted >= {TARGET_ACCEPTED}/{positives}", right >= TARGET_ACCEPTED)
    check(f"wrongly accepted <= {TARGET_WRONG}/{negatives}", wrong <= TARGET_WRONG)
    check(
        f"median {speedup:.1f}x lower than math-verify (>= {TARGET_SPEEDUP:g}x)",
        speedup >= TARGET_SPEEDUP,
    )
    check(
        f"max {cold_t['max_ms']:.1f} ms within the {DEADLINE_S:g} s deadline",
        cold_t["max_ms"] < DEADLINE_S * 1e3,
    )


def report_labelled(title: str, cases: list[Case], verdicts: dict[str, list[bool]]) -> None:
    """Equivalent and non-equivalent cases accepted, for each grader."""
    positives = sum(case.label for case in cases)
    negatives = len(cases) - positives
    print(f"{title}: {positives} equivalent, {negatives} not")
    print(f"{'grader':<28}{'accepted':>10}{'wrong':>8}")
    for name, judged in verdicts.items():
        right, wrong = accepted(judged, cases)
        print(f"{name:<28}{right:>6}/{positives:<3}{wrong:>4}/{negatives:<3}")


def report_peer_suite(path: Path, cases: list[Case], ours: list[bool], peer: list[bool]) -> None:
    title = f"(b) {len(cases)} cases from {path.name} (Math-Verify's own tests, default config)"
    report_labelled(title, cases, {ENGINE: ours, PEER: peer})
    (our_recall, our_wrong), (peer_recall, peer_wrong) = (
        accepted(ours, cases),
        accepted(peer, cases),
    )
    wanted = peer_recall - TARGET_PEER_RECALL_MARGIN
    check(
        f"peer suite accepted {our_recall} >= {wanted} "
        f"(math-verify's {peer_recall} - {TARGET_PEER_RECALL_MARGIN})",
        our_recall >= wanted,
    )
    check(
        f"peer suite wrongly accepted {our_wrong} <= {peer_wrong} (math-verify's)",
        our_wrong <= peer_wrong,
    )


def report_misses(cases: list[Case], ours: list[bool], peer: list[bool]) -> None:
    """The cases we get wrong and Math-Verify gets right."""
    for case, mine, theirs in zip(cases, ours, peer, strict=True):
        if mine != case.label and theirs == case.label:
            print(f"  miss {case.id} (expected {case.label})")
            print(f"       gold {shown(case.gold)!r}\n       prediction {shown(case.response)!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--suite", type=Path, default=SUITE)
    parser.add_argument("--adversarial", type=Path, default=ADVERSARIAL)
    parser.add_argument("--misses", action="store_true", help="list the peer-suite cases we miss")
    args = parser.parse_args()
    corpora = {
        "hardverify": hardverify_cases(args.data),
        "suite": suite_cases(args.suite),
        "adversarial": adversarial_cases(args.adversarial) if args.adversarial.exists() else [],
    }
    peer = {name: run(math_verify(), cases) for name, cases in corpora.items()}
    report_hardverify(args.data, corpora["hardverify"], peer["hardverify"])

    workers = load_settings().workers
    everything = [case for cases in corpora.values() for case in cases]
    verdicts, statuses, wall_s = through_engine(everything, workers)
    engine, start = {}, 0
    for name, cases in corpora.items():
        engine[name] = verdicts[start : start + len(cases)]
        start += len(cases)

    print()
    report_peer_suite(args.suite, corpora["suite"], engine["suite"], peer["suite"].verdicts)
    if args.misses:
        report_misses(corpora["suite"], engine["suite"], peer["suite"].verdicts)
    print()
    if adversarial := corpora["adversarial"]:
        title = f"(c) {len(adversarial)} responses from {args.adversarial.name}"
        verdicts_c = {ENGINE: engine["adversarial"], PEER: peer["adversarial"].verdicts}
        report_labelled(title, adversarial, verdicts_c)
    else:
        print(f"(c) skipped: no {args.adversarial}")

    print()
    not_judged = sum(status not in (Status.OK, Status.FORMAT_ERROR) for status in statuses)
    peer_s = sum(sum(r.times_s) for r in peer.values())
    ours_ms, peer_ms = wall_s * 1e3 / len(everything), peer_s * 1e3 / len(everything)
    print(
        f"(d) {len(everything)} items of (a)-(c) in one batch through reward_server.score, "
        f"{workers} workers; {not_judged} not judged (timeout, error, invalid_input)"
    )
    print(f"{ENGINE:<28}{ours_ms:>10.3f} ms/item wall{ours_ms * workers:>10.3f} ms/item per worker")
    print(f"{PEER + ' (in-process)':<28}{peer_ms:>10.3f} ms/item")
    speedup = peer_ms / ours_ms
    check(
        f"per item through the engine {speedup:.1f}x faster than math-verify "
        f"(>= {TARGET_ENGINE_SPEEDUP:g}x)",
        speedup >= TARGET_ENGINE_SPEEDUP,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
