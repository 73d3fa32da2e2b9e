"""The reasoning-gym tasks this verifier scores, and their scorers, one per task per process.

reasoning-gym's ``score_answer`` is a method of the dataset class, so a scorer is the
registered class instantiated once with its default configuration (or the item's
``options.config``) and a size of one: no entry is generated. Importing reasoning_gym
costs about a second and 100 MB (sympy, matplotlib, numpy); it happens here, at import,
so the forkserver pays it once and every worker starts with it.

Every scorer of reasoning-gym 0.1.25 was read for this verifier (``AUDITED``); another
version is refused until its scorers have been read too. ``EXCLUDED`` says why some are not
scored; ``safe_eval`` replaces the ``eval``/``parse_expr`` calls of the others.
"""

from __future__ import annotations

import builtins
import dataclasses
import difflib
import functools
import importlib
import importlib.metadata
import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from reasoning_gym.factory import DATASETS
from sympy.parsing.sympy_parser import parse_expr

from verifiers.base import InvalidInput
from verifiers.reasoning_gym.safe_eval import arithmetic, literal

AUDITED_VERSION = "0.1.25"
AUDITED = frozenset(
    """ab acre advanced_geometry aiw arc_1d arc_agi base_conversion basic_arithmetic bf
    binary_alternation binary_matrix bitwise_arithmetic boxnet caesar_cipher
    calendar_arithmetic chain_sum circuit_logic codeio coin_flip color_cube_rotation
    complex_arithmetic composite count_bits count_primes countdown course_schedule
    cryptarithm decimal_arithmetic decimal_chain_sum dice emoji_mystery family_relationships
    figlet_font fraction_simplification futoshiki game_of_life game_of_life_halting gcd
    graph_color group_anagrams gsm_symbolic intermediate_integration isomorphic_strings jugs
    kakurasu knight_swap knights_knaves largest_island lcm leg_counting letter_counting
    letter_jumble list_functions mahjong_puzzle manipulate_matrix maze mini_sudoku
    modulo_grid n_queens needle_haystack number_filtering number_format number_sequence
    number_sorting palindrome_generation palindrome_partitioning path_star
    polynomial_equations polynomial_multiplication pool_matrix power_function
    prime_factorization products propositional_logic puzzle24 quantum_lock ransom_note
    rearc rectangle_count rotate_matrix rotten_oranges rubiks_cube rush_hour self_reference
    sentence_reordering shortest_path simple_equations simple_geometry simple_integration
    sokoban spell_backward spiral_matrix string_insertion string_manipulation
    string_splitting string_synthesis sudoku survo syllogism time_intervals tower_of_hanoi
    tsumego word_ladder word_sequence_reversal word_sorting zebra_puzzles""".split()
)
"""The tasks of reasoning-gym 0.1.25, every scorer read for eval, exec and reward hacks."""

_SYMPY = "its scorer parses the answer with sympy.parse_expr, which runs Python's eval"
EXCLUDED: Mapping[str, str] = {
    "simple_integration": _SYMPY,
    "intermediate_integration": _SYMPY,
    "polynomial_multiplication": _SYMPY,
    "game_of_life_halting": "its scorer compares bool(answer) with bool(gold), so any "
    "non-empty answer scores 1.0",
    "propositional_logic": "its scorer accepts any entailed formula, so restating a premise "
    "of the question scores 1.0",
    "composite": "a mix of other tasks: its rows name their own task in "
    "metadata.source_dataset and are scored by it",
}

_GUARDS: tuple[tuple[str, str, Callable[..., Any]], ...] = (
    ("reasoning_gym.algorithmic.binary_matrix", "eval", literal),
    ("reasoning_gym.algorithmic.spiral_matrix", "eval", literal),
    ("reasoning_gym.algorithmic.string_insertion", "eval", literal),
    ("reasoning_gym.algorithmic.number_sorting", "eval", literal),
    ("reasoning_gym.games.n_queens", "eval", literal),
    ("reasoning_gym.arithmetic.bitwise_arithmetic", "eval", arithmetic),
    ("reasoning_gym.games.countdown", "parse_expr", arithmetic),
    ("reasoning_gym.games.puzzle24", "parse_expr", arithmetic),
)
"""(module, global name, stand-in): module globals shadow builtins, so binding ``eval``
in a module replaces the builtin for that module's code only."""

PROBES: Mapping[str, str] = {"boxnet": "[]"}
"""An answer the scorer of a task without gold answers reads without raising (an empty plan)."""

MUTATING = frozenset({"knight_swap"})
"""Scorers that write into the entry's metadata: they get a copy."""

MAX_EXPANDED_MOVES = 10_000
"""rubiks_cube expands ``U999999999`` into that many moves and rush_hour steps ``A+999999999``
one square at a time: answers that ask for more work than this are refused unread."""
_RUBIKS_MOVE = re.compile(r"[^\d]*(\d*)")
_RUSH_HOUR_MOVE = re.compile(r"[A-Z][+-](\d+)")


def _install_guards() -> None:
    """Bind the stand-ins; a module whose name is not what was read fails the import (the
    verifier is then listed as unavailable) rather than run unguarded."""
    for module_name, name, stand_in in _GUARDS:
        module = importlib.import_module(module_name)
        current = vars(module).get(name, getattr(builtins, name, None))
        if current not in (stand_in, builtins.eval, parse_expr):
            raise ImportError(f"{module_name}.{name} is not the eval or parse_expr audited")
        setattr(module, name, stand_in)


_install_guards()


def known_tasks() -> list[str]:
    """The tasks this verifier scores, sorted."""
    return sorted(name for name in DATASETS if name in AUDITED and name not in EXCLUDED)


@functools.cache
def installed_version() -> str:
    """The installed distribution's version: the package's ``__version__`` attribute is
    not kept up to date (0.1.25 still says 0.1.19). Read once: a look-up scans every
    installed distribution (about a millisecond)."""
    return importlib.metadata.version("reasoning-gym")


def check_task(task: str) -> None:
    """Raise :class:`InvalidInput` unless ``task`` is one this verifier scores."""
    installed = installed_version()
    if installed != AUDITED_VERSION:
        raise InvalidInput(
            f"reasoning-gym {installed[:20]} is installed; this verifier has "
            f"audited the scorers of {AUDITED_VERSION} only (pin reasoning-gym=={AUDITED_VERSION})"
        )
    if task in EXCLUDED:
        raise InvalidInput(f"reasoning-gym task {task!r} is not scored here: {EXCLUDED[task]}")
    if task not in DATASETS:
        close = difflib.get_close_matches(task, known_tasks(), n=3, cutoff=0.6)
        hint = f" (close: {', '.join(close)})" if close else " (see reasoning_gym.factory.DATASETS)"
        raise InvalidInput(f"unknown reasoning-gym task {task[:80]!r}{hint}")


def scorer(task: str, config: Mapping[str, Any] | None = None) -> Callable[[str, dict], Any]:
    """The ``score_answer`` of ``task``'s dataset, built once per process per configuration."""
    check_task(task)
    key = json.dumps(dict(config or {}), sort_keys=True)
    return _scorer(task, key)


@lru_cache(maxsize=256)
def _scorer(task: str, config_json: str) -> Callable[[str, dict], Any]:
    dataset_class, config_class = DATASETS[task]
    overrides = json.loads(config_json)
    fields = {field.name for field in dataclasses.fields(config_class)}
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise InvalidInput(
            f"options.config: {task} has no setting {', '.join(map(repr, unknown[:3]))} "
            f"(settings: {', '.join(sorted(fields))})"
        )
    if "size" in fields:
        overrides.setdefault("size", 1)
    try:
        dataset = dataset_class(config=config_class(**overrides))
    except (AssertionError, TypeError, ValueError) as exc:
        raise InvalidInput(f"options.config is not a valid {task} configuration: {exc}") from None
    return dataset.score_answer


def integrity_problem(task: str, answer: str, metadata: Mapping[str, Any]) -> str | None:
    """Why ``answer`` earns nothing although its scorer would pay it, or ``None``.

    puzzle24's scorer checks that four numbers in range make 24, not that they are the
    puzzle's: ``4*(9 - 5) + 8`` would score 1.0 on every puzzle."""
    if task != "puzzle24":
        return None
    if not isinstance(metadata.get("numbers"), list):
        raise InvalidInput("ground_truth.metadata.numbers (the puzzle's numbers) is missing")
    used = sorted(int(number) for number in re.findall(r"\b\d{1,6}\b", answer))
    if used != sorted(metadata["numbers"]):
        return f"uses the numbers {used[:6]}, not the puzzle's {sorted(metadata['numbers'])}"
    return None


def work_problem(task: str, answer: str) -> str | None:
    """Why scoring ``answer`` would take unbounded work, or ``None``."""
    if task == "rubiks_cube":
        counts = (match.group(1) for match in map(_RUBIKS_MOVE.fullmatch, answer.split()) if match)
    elif task == "rush_hour":
        counts = (match.group(1) for match in _RUSH_HOUR_MOVE.finditer(answer))
    else:
        return None
    total = 0
    for count in counts:
        total += int(count) if count and len(count) <= 6 else (1 if not count else 10**6)
        if total > MAX_EXPANDED_MOVES:
            return f"the answer asks for more than {MAX_EXPANDED_MOVES} moves"
    return None
