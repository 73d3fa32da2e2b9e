"""Read a ground truth into a :class:`Task`, all of it before any answer is looked at.

A ground truth is a SMILES string (the target), or an object with any of ``target``,
``constraints``, ``substructures``, ``similar_to`` and ``not_in`` (or that object as JSON
text). Every problem is an :class:`InvalidInput` naming the field. Tasks are cached by the
ground truth's canonical JSON text and the reading options: every sample of a prompt
brings the same ground truth.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rdkit import Chem, DataStructs

from verifiers.base import InvalidInput
from verifiers.molecule.chemistry import (
    DESCRIPTORS,
    Fingerprints,
    Molecule,
    NotAMolecule,
    Reading,
    TooLarge,
    read_molecule,
    read_smarts,
)

FIELDS = ("target", "constraints", "substructures", "similar_to", "not_in")
SUBSTRUCTURE_KINDS = ("must_match", "must_not_match")
MAX_PATTERNS = 64
"""SMARTS per list of ``substructures``."""
MAX_SMARTS_CHARS = 1000
MAX_REFERENCES = 16
"""Objects in ``similar_to``."""
MAX_NOT_IN = 1000
"""SMILES in ``not_in``."""
CACHE_SIZE = 1024


@dataclass(frozen=True, slots=True)
class Bound:
    """``low <= value <= high``, either side open when ``None``."""

    name: str
    low: float | None
    high: float | None

    def holds(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def shown(self) -> str:
        if self.low is not None and self.high is not None:
            return f"[{self.low:g}, {self.high:g}]"
        return f">= {self.low:g}" if self.low is not None else f"<= {self.high:g}"


@dataclass(frozen=True, slots=True)
class Pattern:
    smarts: str
    query: Chem.Mol


@dataclass(frozen=True, slots=True)
class Reference:
    smiles: str
    fingerprint: DataStructs.ExplicitBitVect
    bound: Bound


@dataclass(frozen=True, slots=True)
class Task:
    target: Molecule | None
    constraints: tuple[Bound, ...]
    must_match: tuple[Pattern, ...]
    must_not_match: tuple[Pattern, ...]
    similar_to: tuple[Reference, ...]
    not_in: tuple[str, ...] | None
    """Identity keys of the molecules that do not count, in the ground truth's order."""


def parse_task(ground_truth: Any, reading: Reading, fingerprints: Fingerprints) -> Task:
    """The task a ground truth states; raises :class:`InvalidInput` naming the field."""
    if isinstance(ground_truth, str) and ground_truth.lstrip().startswith("{"):
        try:
            ground_truth = json.loads(ground_truth)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"ground_truth looks like JSON but is not: {exc.msg}") from None
    if isinstance(ground_truth, str):
        ground_truth = {"target": ground_truth}
    if not isinstance(ground_truth, dict):
        raise InvalidInput(
            "ground_truth must be a target SMILES or an object with any of "
            f"{', '.join(FIELDS)}; got {type(ground_truth).__name__}"
        )
    try:
        text = json.dumps(ground_truth, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        raise InvalidInput("ground_truth must be JSON (strings, numbers, lists, objects)") from None
    return _parsed(text, reading, fingerprints)


@lru_cache(maxsize=CACHE_SIZE)
def _parsed(text: str, reading: Reading, fingerprints: Fingerprints) -> Task:
    truth: dict[str, Any] = json.loads(text)
    unknown = sorted(truth.keys() - set(FIELDS))
    if unknown:
        raise InvalidInput(
            f"ground_truth has unknown keys {', '.join(unknown)} (known: {', '.join(FIELDS)})"
        )
    if not truth:
        raise InvalidInput(f"ground_truth asks for nothing: give any of {', '.join(FIELDS)}")
    target = (
        _molecule(truth["target"], "ground_truth.target", reading) if "target" in truth else None
    )
    must_match, must_not_match = _substructures(truth)
    not_in = _not_in(truth, reading)
    if target is not None and not_in is not None and target.key in not_in:
        index = not_in.index(target.key)
        raise InvalidInput(
            f"ground_truth.target is also ground_truth.not_in[{index}]: no answer can be both"
        )
    return Task(
        target=target,
        constraints=_constraints(truth),
        must_match=must_match,
        must_not_match=must_not_match,
        similar_to=_similar_to(truth, reading, fingerprints),
        not_in=not_in,
    )


def _molecule(smiles: Any, where: str, reading: Reading) -> Molecule:
    if not isinstance(smiles, str):
        raise InvalidInput(f"{where} must be a SMILES string, got {type(smiles).__name__}")
    try:
        return read_molecule(smiles.strip(), reading)
    except TooLarge as problem:
        raise InvalidInput(f"{where}: {problem} (raise the option to use it)") from None
    except NotAMolecule as problem:
        shown = f"{smiles[:80]!r}"
        raise InvalidInput(f"{where} is not a usable molecule: {problem}: {shown}") from None


def _bound(
    value: Any,
    where: str,
    name: str,
    *,
    within: tuple[float, float] | None = None,
    known: str = "min, max",
) -> Bound:
    """A ``{"min": x, "max": y}`` object (either side may be left out)."""
    if not isinstance(value, dict):
        raise InvalidInput(f'{where} must be an object {{"min": x, "max": y}}, got {value!r:.60}')
    unknown = sorted(value.keys() - {"min", "max"})
    if unknown:
        raise InvalidInput(f"{where} has unknown keys {', '.join(unknown)} (known: {known})")
    if not value:
        raise InvalidInput(f"{where} needs min, max or both")
    sides: dict[str, float | None] = {}
    for side in ("min", "max"):
        number = value.get(side)
        if number is not None and (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or not math.isfinite(number)
        ):
            raise InvalidInput(f"{where}.{side} must be a finite number, got {number!r:.40}")
        if number is not None and within and not within[0] <= number <= within[1]:
            raise InvalidInput(f"{where}.{side} must be in [{within[0]:g}, {within[1]:g}]")
        sides[side] = None if number is None else float(number)
    low, high = sides["min"], sides["max"]
    if low is not None and high is not None and low > high:
        raise InvalidInput(f"{where}: min {low:g} > max {high:g}, nothing can meet it")
    return Bound(name, low, high)


def _constraints(truth: dict[str, Any]) -> tuple[Bound, ...]:
    if "constraints" not in truth:
        return ()
    constraints = truth["constraints"]
    if not isinstance(constraints, dict) or not constraints:
        raise InvalidInput(
            'ground_truth.constraints must be a non-empty object {"<descriptor>": '
            f'{{"min": x, "max": y}}}}; descriptors: {", ".join(DESCRIPTORS)}'
        )
    unknown = sorted(constraints.keys() - DESCRIPTORS.keys())
    if unknown:
        raise InvalidInput(
            f"ground_truth.constraints names unknown descriptors {', '.join(unknown)} "
            f"(known: {', '.join(DESCRIPTORS)})"
        )
    return tuple(
        _bound(value, f"ground_truth.constraints.{name}", name)
        for name, value in constraints.items()
    )


def _strings(value: Any, where: str, limit: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidInput(f"{where} must be a list of strings")
    if len(value) > limit:
        raise InvalidInput(f"{where} has {len(value)} entries, over the limit of {limit}")
    return value


def _substructures(truth: dict[str, Any]) -> tuple[tuple[Pattern, ...], tuple[Pattern, ...]]:
    if "substructures" not in truth:
        return (), ()
    lists = truth["substructures"]
    where = "ground_truth.substructures"
    if not isinstance(lists, dict) or not lists:
        raise InvalidInput(
            f'{where} must be an object {{"must_match": [SMARTS], "must_not_match": [SMARTS]}}'
        )
    unknown = sorted(lists.keys() - set(SUBSTRUCTURE_KINDS))
    if unknown:
        raise InvalidInput(
            f"{where} has unknown keys {', '.join(unknown)} (known: must_match, must_not_match)"
        )
    found: dict[str, tuple[Pattern, ...]] = {}
    for kind in SUBSTRUCTURE_KINDS:
        patterns = []
        listed = _strings(lists.get(kind, []), f"{where}.{kind}", MAX_PATTERNS)
        for index, smarts in enumerate(listed):
            if len(smarts) > MAX_SMARTS_CHARS or not smarts.strip():
                raise InvalidInput(
                    f"{where}.{kind}[{index}] must be a SMARTS of 1 to {MAX_SMARTS_CHARS} chars"
                )
            query = read_smarts(smarts.strip())
            if query is None:
                raise InvalidInput(f"{where}.{kind}[{index}] is not valid SMARTS: {smarts[:80]!r}")
            patterns.append(Pattern(smarts.strip(), query))
        found[kind] = tuple(patterns)
    if not found["must_match"] and not found["must_not_match"]:
        raise InvalidInput(f"{where} lists no SMARTS")
    return found["must_match"], found["must_not_match"]


def _similar_to(
    truth: dict[str, Any], reading: Reading, fingerprints: Fingerprints
) -> tuple[Reference, ...]:
    if "similar_to" not in truth:
        return ()
    value = truth["similar_to"]
    entries = value if isinstance(value, list) else [value]
    where = "ground_truth.similar_to"
    if not entries or len(entries) > MAX_REFERENCES:
        raise InvalidInput(f"{where} must hold 1 to {MAX_REFERENCES} references")
    references = []
    for index, entry in enumerate(entries):
        here = f"{where}[{index}]" if isinstance(value, list) else where
        if not isinstance(entry, dict) or "smiles" not in entry:
            raise InvalidInput(
                f'{here} must be an object {{"smiles": s, "min": t, "max"?: u}} '
                "(Tanimoto bounds on Morgan fingerprints)"
            )
        molecule = _molecule(entry["smiles"], f"{here}.smiles", reading)
        bounds = {key: item for key, item in entry.items() if key != "smiles"}
        bound = _bound(bounds, here, "tanimoto", within=(0.0, 1.0), known="smiles, min, max")
        references.append(Reference(entry["smiles"], fingerprints.of(molecule.mol), bound))
    return tuple(references)


def _not_in(truth: dict[str, Any], reading: Reading) -> tuple[str, ...] | None:
    if "not_in" not in truth:
        return None
    where = "ground_truth.not_in"
    smiles = _strings(truth["not_in"], where, MAX_NOT_IN)
    if not smiles:
        raise InvalidInput(f"{where} is empty")
    return tuple(
        _molecule(item, f"{where}[{index}]", reading).key for index, item in enumerate(smiles)
    )
