"""Items per second of the verifiers of issue 18, plain and through the engine, in one run.

    python benchmarks/bench_verifiers.py [--items 2000]

For each verifier, a batch as a trainer sends it (tests/data: the translation pairs'
paraphrases, reasoning-gym entries with their own and a wrong answer, drug-like molecules
against a target and two descriptor bounds): the rate of ``verify()`` called in this
process, and of ``reward_server.score`` (the engine's workers, as the HTTP API runs them),
warm (the best of three batches). The ratio engine/plain says what the engine costs; with
two workers it can exceed 1. ``benchmarks/bench_molecule.py`` measures molecules that are
all new (no cache helps).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import reward_server  # noqa: E402
from verifiers import default_registry  # noqa: E402

DATA = ROOT / "tests" / "data"
MOLECULES = (
    "CC(=O)OC1=CC=CC=C1C(=O)O",
    "CN1C=NC2=C1C(=O)N(C(=O)N2C)C",
    "CC(C)CC1=CC=C(C=C1)C(C)C(=O)O",
    "CC(=O)NC1=CC=C(C=C1)O",
    "COc1ccc2[nH]cc(CCN(C)C)c2c1",
)


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def translation_items() -> list[dict[str, Any]]:
    pairs = jsonl(DATA / "translation" / "pairs.jsonl")
    return [
        {
            "verifier": "translation",
            "response": f"<think>...</think><translation>{pair['paraphrase']}</translation>",
            "ground_truth": {
                "references": pair["references"],
                "source": pair["source"],
                "target_language": pair["target_language"],
            },
        }
        for pair in pairs
    ]


def reasoning_gym_items() -> list[dict[str, Any]]:
    entries = jsonl(DATA / "reasoning_gym" / "entries.jsonl")
    return [
        {
            "verifier": "reasoning_gym",
            "response": f"<answer>{answer}</answer>",
            "ground_truth": entry,
        }
        for entry in entries
        if entry.get("answer") is not None
        for answer in (entry["answer"], "42")
    ]


def molecule_items() -> list[dict[str, Any]]:
    truth = {
        "target": MOLECULES[2],
        "constraints": {"molecular_weight": {"max": 500}, "logp": {"max": 5}},
    }
    return [
        {
            "verifier": "molecule",
            "response": f"<think>...</think><answer>{smiles}</answer>",
            "ground_truth": truth,
        }
        for smiles in MOLECULES
    ]


def batch(items: list[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    return [
        {**item, "id": str(index)}
        for index, item in zip(range(size), itertools.cycle(items), strict=False)
    ]


def plain_rate(items: list[dict[str, Any]]) -> float:
    registry = default_registry()
    started = time.perf_counter()
    for item in items:
        registry[item["verifier"]](item["response"], item["ground_truth"])
    return len(items) / (time.perf_counter() - started)


def engine_rate(items: list[dict[str, Any]], runs: int = 3) -> float:
    best = 0.0
    for _ in range(runs):
        started = time.perf_counter()
        results = reward_server.score(items)
        best = max(best, len(items) / (time.perf_counter() - started))
        failed = [r for r in results if r.status not in ("ok", "format_error")]
        assert not failed, failed[0].detail
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    args = parser.parse_args()
    workloads = {
        "translation": translation_items(),
        "reasoning_gym": reasoning_gym_items(),
        "molecule": molecule_items(),
    }
    print(f"{'verifier':<15}{'verify() items/s':>18}{'engine items/s':>16}{'engine/plain':>14}")
    for name, items in workloads.items():
        items = batch(items, args.items)
        plain_rate(items[: len(items) // 4])  # warm the caches and imports of this process
        plain, engine = plain_rate(items), engine_rate(items)
        print(f"{name:<15}{plain:>18,.0f}{engine:>16,.0f}{engine / plain:>14.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
