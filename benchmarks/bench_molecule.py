"""The molecule verifier's throughput: plain calls, and 2,000 items through reward_server.score.

    python benchmarks/bench_molecule.py

A typical item: a response with reasoning in ``<think>`` and the SMILES in ``<answer>``,
judged against a target and two descriptor bounds (molecular weight, logP). Two mixes:
"rollouts", GRPO-like, where answers repeat (14 drug-like molecules, so RDKit's parse and
the descriptors come from the caches after the first sight), and "all new", 2,000 different
molecules (no cache helps: logP alone costs about 0.6 ms on a new molecule). Printed: items
per second of ``verify()`` in this process and of ``reward_server.score`` (the engine's
workers, as the HTTP API runs them), and whether the targets are met.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import reward_server  # noqa: E402
from verifiers.molecule import chemistry, verify  # noqa: E402
from verifiers.molecule.truth import _parsed  # noqa: E402

ITEMS = 2000
TARGET_SCORE_ROLLOUTS_PER_S = 1000.0
"""Through the engine, answers that repeat (a GRPO group of 16 rollouts has few distinct)."""
TARGET_SCORE_ALL_NEW_PER_S = 150.0
"""Through the engine, every molecule new: a 1,024-rollout batch in under 7 s at worst."""

POOL = [
    "CC(=O)OC1=CC=CC=C1C(=O)O",
    "CN1C=NC2=C1C(=O)N(C(=O)N2C)C",
    "CC(C)CC1=CC=C(C=C1)C(C)C(=O)O",
    "CC(=O)NC1=CC=C(C=C1)O",
    "C[C@@H](C(=O)O)N",
    "CC(C)Cc1ccc(cc1)C(C)C(=O)OC",
    "COc1ccc2[nH]cc(CCN(C)C)c2c1",
    "CN1CCC[C@H]1c1cccnc1",
    "O=C(O)c1ccccc1O",
    "CC(C)NCC(O)COc1cccc2ccccc12",
    "Clc1ccc(cc1)C(c1ccccc1)N1CCN(CC1)CCOCC(=O)O",
    "CCN(CC)CC(=O)Nc1c(C)cccc1C",
    "OC(=O)CCc1ccccc1",
    "c1ccc2c(c1)ccc1ccccc12",
]
TRUTH = {
    "target": "CC(C)CC1=CC=C(C=C1)C(C)C(=O)O",
    "constraints": {"molecular_weight": {"max": 500}, "logp": {"max": 5}},
}


def response(smiles: str, rng: random.Random) -> str:
    guess = rng.choice(POOL)
    return (
        f"<think>Keep the acid and the ring. Maybe {guess}? No, too polar.</think>\n"
        f"<answer>{smiles}</answer>"
    )


def mixes() -> dict[str, list[str]]:
    rng = random.Random(0)
    rollouts = [response(rng.choice(POOL), rng) for _ in range(ITEMS)]
    new = [
        f"{'C' * a}c1ccc({'C' * b}C(=O)O)cc1{x}"
        for a in range(1, 21)
        for b in range(20)
        for x in ("", "F", "Cl", "O", "N")
    ]
    assert len(set(new)) == ITEMS
    return {"rollouts": rollouts, "all new": [response(smiles, rng) for smiles in new]}


def clear_caches() -> None:
    _parsed.cache_clear()
    chemistry.read_molecule.cache_clear()
    chemistry._values.clear()


def plain_rate(responses: list[str]) -> float:
    clear_caches()
    started = time.perf_counter()
    for text in responses:
        verify(text, TRUTH)
    return len(responses) / (time.perf_counter() - started)


def score_rate(responses: list[str], runs: int) -> float:
    """The best of ``runs``: the first run teaches the engine the verifier is cheap (then it
    sends items in chunks). "all new" runs once, after "rollouts": a second run would find
    every molecule in the workers' caches."""
    items = [
        {"verifier": "molecule", "response": text, "ground_truth": TRUTH, "id": str(index)}
        for index, text in enumerate(responses)
    ]
    best = 0.0
    for _ in range(runs):
        started = time.perf_counter()
        results = reward_server.score(items)
        best = max(best, len(items) / (time.perf_counter() - started))
        assert {result.status for result in results} == {"ok"}, results[0].detail
    return best


def main() -> int:
    reward_server.score([{"verifier": "molecule", "response": "CCO", "ground_truth": "CCO"}])
    rates = {}
    print(f"{'mix':<10}{'verify() items/s':>18}{'score() items/s':>17}")
    for name, responses in mixes().items():
        rates[name] = (plain_rate(responses), score_rate(responses, 3 if name == "rollouts" else 1))
        print(f"{name:<10}{rates[name][0]:>18.0f}{rates[name][1]:>17.0f}")
    met = (
        rates["rollouts"][1] >= TARGET_SCORE_ROLLOUTS_PER_S
        and rates["all new"][1] >= TARGET_SCORE_ALL_NEW_PER_S
    )
    print(
        f"target: score() >= {TARGET_SCORE_ROLLOUTS_PER_S:g} items/s (rollouts) and "
        f">= {TARGET_SCORE_ALL_NEW_PER_S:g} items/s (all new): {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
