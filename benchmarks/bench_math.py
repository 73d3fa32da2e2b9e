"""The math verifier against Math-Verify 0.9.0 on HardVerify-Math, in one run.

    make bench-math        # or: python benchmarks/bench_math.py [--data FILE]

Each candidate answer is wrapped as a model would write it, ``The final answer is
$\\boxed{<answer>}$.``, and judged against the pair's gold by both graders in this process.
Math-Verify gets the gold inside ``$...$`` (its documented input form, and the form that
reproduces its published 76/125 on this half). Prints, side by side: equivalent pairs
accepted, non-equivalent pairs accepted, and median / p99 / max time per pair; then the
targets: >= 110 of 125 accepted, <= 2 of 125 wrongly accepted, median at least 3x lower
than Math-Verify's. Each grader judges each pair once, after one warm-up call on a pair of
its own: both Math-Verify and we cache parsed answers, so repeating a pair would time the
caches. Our "cold" row also clears our parse cache before every pair, so caching the gold
does not flatter the ratio; the "warm" row keeps it, as a server does for the samples of
one prompt.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from verifiers.math import verify as reward_server_verify
from verifiers.math.parsing import parse_answer

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "hardverify_math_dev.jsonl"
TARGET_ACCEPTED, TARGET_WRONG, TARGET_SPEEDUP = 110, 2, 3.0
DEADLINE_S = 5.0


def wrap(answer: str) -> str:
    return f"The final answer is $\\boxed{{{answer}}}$."


def ours(cold: bool) -> Callable[[dict], bool]:
    def judge(pair: dict) -> bool:
        if cold:
            parse_answer.cache_clear()
        return reward_server_verify(wrap(pair["answer"]), pair["gold"]).reward == 1.0

    return judge


def math_verify() -> Callable[[dict], bool]:
    from math_verify import parse, verify  # imported here: only this benchmark needs it

    def judge(pair: dict) -> bool:
        gold = pair["gold"] if "$" in pair["gold"] else f"${pair['gold']}$"
        return bool(verify(parse(gold), parse(wrap(pair["answer"]))))

    return judge


WARM_UP = {"gold": "\\frac{1}{2}", "answer": "0.5", "label": True}


def run(judge: Callable[[dict], bool], pairs: list[dict]) -> dict:
    judge(WARM_UP)
    verdicts, times = [], []
    for pair in pairs:
        started = time.perf_counter()
        verdicts.append(judge(pair))
        times.append(time.perf_counter() - started)
    times.sort()
    return {
        "accepted": sum(v for v, p in zip(verdicts, pairs, strict=True) if p["label"]),
        "wrong": sum(v for v, p in zip(verdicts, pairs, strict=True) if not p["label"]),
        "median_ms": statistics.median(times) * 1e3,
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1e3,
        "max_ms": times[-1] * 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    pairs = [json.loads(line) for line in args.data.read_text().splitlines() if line.strip()]
    positives = sum(pair["label"] for pair in pairs)
    negatives = len(pairs) - positives

    results = {
        "reward-server math (cold)": run(ours(cold=True), pairs),
        "reward-server math (warm)": run(ours(cold=False), pairs),
        "math-verify 0.9.0": run(math_verify(), pairs),
    }
    print(f"{len(pairs)} pairs from {args.data.name}: {positives} equivalent, {negatives} not")
    header = f"{'grader':<28}{'accepted':>10}{'wrong':>8}{'median ms':>12}{'p99 ms':>10}"
    print(header + f"{'max ms':>10}")
    for name, r in results.items():
        print(
            f"{name:<28}{r['accepted']:>6}/{positives:<3}{r['wrong']:>4}/{negatives:<3}"
            f"{r['median_ms']:>12.3f}{r['p99_ms']:>10.3f}{r['max_ms']:>10.3f}"
        )
    cold, peer = results["reward-server math (cold)"], results["math-verify 0.9.0"]
    speedup = peer["median_ms"] / cold["median_ms"]
    checks = [
        (f"accepted >= {TARGET_ACCEPTED}/{positives}", cold["accepted"] >= TARGET_ACCEPTED),
        (f"wrongly accepted <= {TARGET_WRONG}/{negatives}", cold["wrong"] <= TARGET_WRONG),
        (
            f"median {speedup:.1f}x lower than math-verify (>= {TARGET_SPEEDUP:g}x)",
            speedup >= TARGET_SPEEDUP,
        ),
        (
            f"max {cold['max_ms']:.1f} ms within the {DEADLINE_S:g} s deadline",
            cold["max_ms"] < DEADLINE_S * 1e3,
        ),
    ]
    for label, met in checks:
        print(f"target: {label}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
