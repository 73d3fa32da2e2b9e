"""patch_similarity's ratio: cydifflib against python's difflib, on 1, 10 and 30 kB diffs.

    make bench-patch       # or: python benchmarks/bench_patch.py

SWE-RL's reward is ``difflib.SequenceMatcher(None, pred, oracle, autojunk=False).ratio()``
over two unified diffs, which is quadratic. For each size, two diffs of a generated Python
module are built (an oracle and a prediction that shares most of its hunks), both
implementations score them, the ratios are checked to be identical, and the time of each
and the speed-up are printed. Target: at least 10x at 10 kB.
"""

from __future__ import annotations

import difflib
import random
import time
from collections.abc import Callable

import cydifflib

from verifiers.patch_similarity.similarity import normalized_diff

TARGET_SPEEDUP_10KB = 10.0


_WORDS = (
    "user account order invoice payment total amount price quantity item cart session token "
    "request response status error message config limit offset page cursor cache store key "
    "value record field schema table column index query filter sort group count average"
).split()


def module(lines: int, rng: random.Random) -> list[str]:
    """A Python module of varied functions: diffs of it look like real ones."""
    out: list[str] = []
    while len(out) < lines:
        name = "_".join(rng.sample(_WORDS, 2))
        args = ", ".join(rng.sample(_WORDS, rng.randint(1, 3)))
        out.append(f"def {name}({args}):")
        for _ in range(rng.randint(2, 6)):
            target, source, other = rng.sample(_WORDS, 3)
            template = rng.choice(
                [
                    "    {t} = {s}.get({o!r}, {n})",
                    "    if {t} > {n}:\n        raise ValueError(f'{t} too large: {{{t}}}')",
                    "    {t} = [x.{o} for x in {s} if x.{o} is not None]",
                    "    log.debug('%s %s', {t}, {s})",
                    "    {t} += {s} * {n}",
                ]
            )
            out.extend(
                template.format(t=target, s=source, o=other, n=rng.randint(0, 999)).split("\n")
            )
        out.append(f"    return {rng.choice(_WORDS)}")
        out.append("")
    return out


def edited(lines: list[str], rng: random.Random, edits: int) -> list[str]:
    copy = list(lines)
    for _ in range(edits):
        index = rng.randrange(len(copy))
        word = rng.choice(_WORDS)
        copy[index] = copy[index].replace(word, word.upper()) + f"  # {rng.choice(_WORDS)}"
    return copy


def diffs_of_size(target_chars: int, seed: int) -> tuple[str, str]:
    """A predicted and an oracle diff of about ``target_chars`` each."""
    rng = random.Random(seed)
    original = module(400 + target_chars // 10, rng)
    edits = 1
    while True:
        oracle = edited(original, random.Random(seed + 1), edits)
        predicted = edited(original, random.Random(seed + 2), edits)
        old, new_oracle, new_pred = ("\n".join(x) for x in (original, oracle, predicted))
        oracle_diff, predicted_diff = (
            normalized_diff(old, new_oracle),
            normalized_diff(old, new_pred),
        )
        if len(oracle_diff) >= target_chars:
            return predicted_diff, oracle_diff
        edits = max(edits + 1, int(edits * 1.3))


def timed(call: Callable[[], float], repeat: int) -> tuple[float, float]:
    best, value = float("inf"), 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        value = call()
        best = min(best, time.perf_counter() - started)
    return best, value


def main() -> None:
    print(f"{'size':>6}{'difflib s':>12}{'cydifflib s':>13}{'speed-up':>10}  identical")
    speedups = {}
    for kilobytes in (1, 10, 30):
        predicted, oracle = diffs_of_size(kilobytes * 1000, 7)
        repeat = 5 if kilobytes < 30 else 1
        slow, slow_ratio = timed(
            lambda p=predicted, o=oracle: difflib.SequenceMatcher(
                None, p, o, autojunk=False
            ).ratio(),
            repeat,
        )
        fast, fast_ratio = timed(
            lambda p=predicted, o=oracle: cydifflib.SequenceMatcher(
                None, p, o, autojunk=False
            ).ratio(),
            repeat,
        )
        speedups[kilobytes] = slow / fast
        print(
            f"{kilobytes:>4}kB{slow:>12.4f}{fast:>13.4f}{slow / fast:>9.1f}x  "
            f"{slow_ratio == fast_ratio!s:>9}"
        )
    met = "met" if speedups[10] >= TARGET_SPEEDUP_10KB else "NOT met"
    print(f"target: speed-up at 10 kB {speedups[10]:.1f}x (>= {TARGET_SPEEDUP_10KB:g}x): {met}")


if __name__ == "__main__":
    main()
