"""Write entries.jsonl: reasoning-gym entries, exactly as ``create_dataset`` makes them.

    .venv/bin/python tests/data/reasoning_gym/make_entries.py

Two entries of each task below, generated with ``seed=SEED`` by reasoning-gym 0.1.25
(Apache-2.0, https://github.com/open-thought/reasoning-gym), one JSON object a line:
``question``, ``answer``, ``metadata`` (tuples become lists, as in any JSON or parquet file).
"""

from __future__ import annotations

import json
from pathlib import Path

import reasoning_gym

SEED = 20260601
PER_TASK = 2
TASKS = {
    "arithmetic": [
        "basic_arithmetic",
        "chain_sum",
        "gcd",
        "products",
        "decimal_arithmetic",
        "fraction_simplification",
        "prime_factorization",
        "bitwise_arithmetic",
        "calendar_arithmetic",
        "time_intervals",
        "gsm_symbolic",
        "power_function",
    ],
    "algebra": ["complex_arithmetic", "polynomial_equations", "simple_equations"],
    "algorithmic": [
        "base_conversion",
        "caesar_cipher",
        "word_sorting",
        "number_sorting",
        "spell_backward",
        "binary_matrix",
        "spiral_matrix",
        "string_insertion",
        "cryptarithm",
        "jugs",
        "graph_color",
        "letter_counting",
    ],
    "logic": ["knights_knaves", "syllogism", "zebra_puzzles", "circuit_logic", "self_reference"],
    "games": [
        "countdown",
        "puzzle24",
        "mini_sudoku",
        "n_queens",
        "tower_of_hanoi",
        "maze",
        "knight_swap",
        "rush_hour",
    ],
    "graphs": ["shortest_path", "family_relationships", "course_schedule", "quantum_lock"],
    "cognition": ["number_sequence", "rubiks_cube", "color_cube_rotation", "needle_haystack"],
    "code": ["bf"],
    "geometry": ["simple_geometry", "advanced_geometry"],
    "induction": ["list_functions", "acre"],
    "arc": ["arc_1d"],
    "probability": ["coin_flip"],
}


def main() -> None:
    path = Path(__file__).with_name("entries.jsonl")
    with path.open("w", encoding="utf-8") as out:
        for names in TASKS.values():
            for name in names:
                dataset = reasoning_gym.create_dataset(name, size=PER_TASK, seed=SEED)
                for entry in dataset:
                    out.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


if __name__ == "__main__":
    main()
