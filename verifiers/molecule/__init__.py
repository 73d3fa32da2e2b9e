"""``molecule``: is the SMILES a response gives a valid molecule that meets the ground truth?

:mod:`.truth` reads the ground truth (target, descriptor constraints, SMARTS, similarity,
forbidden molecules) into a cached :class:`~.truth.Task`; :mod:`.extraction` finds the
answer's SMILES-looking words (text only); :mod:`.chemistry` reads them with RDKit under
size limits and says what the molecule is. Here the candidates are decided (several
different molecules are a hedge) and every condition is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from verifiers.base import Outcome, Status, VerifierOptions, verifier
from verifiers.molecule.chemistry import (
    Fingerprints,
    Molecule,
    NotAMolecule,
    Reading,
    TooLarge,
    descriptor,
    matches,
    read_molecule,
    tanimoto,
)
from verifiers.molecule.extraction import MAX_CANDIDATES, Extracted, FormatProblem, extract_smiles
from verifiers.molecule.truth import Task, parse_task

__all__ = ["MoleculeOptions", "verify"]

FAMILIES = ("target", "constraints", "substructures", "similarity", "novelty")
COMPONENTS = ("valid", *FAMILIES)
NOT_ASKED = -1.0
"""The component of a condition family the ground truth does not ask for."""
SHOWN_CHARS = 80
SHOWN_FAILURES = 3


class MoleculeOptions(VerifierOptions):
    partial_credit: bool = False
    """Reward the fraction of conditions met instead of 0 when one fails (the target, each
    bounded descriptor, each SMARTS, each similarity reference and not_in count one each).
    An invalid molecule or a hedge still earns 0."""
    stereo: bool = True
    """Stereochemistry counts when comparing with the target and not_in, and in SMARTS
    matching; false: it is ignored on both sides (isotopes and charges still count)."""
    identity: Literal["smiles", "inchikey"] = "smiles"
    """How two molecules are the same: RDKit canonical SMILES, or standard InChIKey (which
    also merges the tautomers InChI treats as one, e.g. 2-pyridone and 2-hydroxypyridine)."""
    strip_salts: bool = False
    """Remove RDKit's default salt fragments (Cl, Br, I, Na, K, ... and common counter-acids)
    from every molecule, answer and ground truth, before comparing or computing anything:
    ``CCO.Cl`` is then ``CCO``. Off: a salt is another substance."""
    single_fragment: bool = False
    """A SMILES of several disconnected fragments (after salt stripping) is not a valid
    answer. Turn it on for descriptor-only tasks, where an added fragment moves the sums."""
    allow_radicals: bool = False
    """Accept atoms with unpaired electrons (``[CH3]``, ``[C]``, ``[O]``)."""
    fingerprint_radius: int = Field(2, ge=1, le=4)
    """Morgan radius for similar_to (2: ECFP4-like)."""
    fingerprint_bits: int = Field(2048, ge=64, le=16384)
    max_smiles_chars: int = Field(500, ge=1, le=100_000)
    """A longer answer SMILES is a format error, checked before RDKit sees it; a longer
    SMILES in the ground truth is invalid_input."""
    max_heavy_atoms: int = Field(200, ge=1, le=1000)
    """An answer with more heavy atoms is a format error (the ground truth's: invalid_input);
    counted before sanitization and any descriptor (RDKit's aromaticity perception and QED
    grow faster than linearly)."""


@dataclass(frozen=True, slots=True)
class Check:
    family: str
    passed: bool
    failure: str
    """What failed, for the detail, when it did."""


@verifier("molecule", options=MoleculeOptions, components=COMPONENTS, timeout_s=5.0)
def verify(response: str, ground_truth: Any, options: MoleculeOptions) -> Outcome:
    """The response's SMILES is a valid molecule meeting the ground truth (target, descriptor
    bounds, SMARTS, similarity, not_in)."""
    reading = Reading(
        max_smiles_chars=options.max_smiles_chars,
        max_heavy_atoms=options.max_heavy_atoms,
        allow_radicals=options.allow_radicals,
        strip_salts=options.strip_salts,
        single_fragment=options.single_fragment,
        stereo=options.stereo,
        identity=options.identity,
    )
    fingerprints = Fingerprints(options.fingerprint_radius, options.fingerprint_bits)
    task = parse_task(ground_truth, reading, fingerprints)
    try:
        extracted = extract_smiles(response, max_smiles_chars=options.max_smiles_chars)
    except FormatProblem as problem:
        return _format_error(str(problem))
    if extracted.crowded:
        detail = f"hedge: the {extracted.source} lists more than {MAX_CANDIDATES} SMILES"
        return _unjudged(task, detail)
    chosen = _choose(extracted, reading)
    if isinstance(chosen, list):
        shown = ", ".join(repr(_shown(smiles)) for smiles in chosen[:SHOWN_FAILURES])
        more = f" (+{len(chosen) - SHOWN_FAILURES} more)" if len(chosen) > SHOWN_FAILURES else ""
        detail = (
            f"hedge: the {extracted.source} names {len(chosen)} different molecules "
            f"({shown}{more}); one answer may be given"
        )
        return _unjudged(task, detail)
    smiles, molecule = chosen
    where = f"{_shown(smiles)!r} ({extracted.source})"
    if isinstance(molecule, TooLarge):
        return _format_error(f"{where}: {molecule}")
    if isinstance(molecule, NotAMolecule):
        return _unjudged(task, f"{where} is not a valid molecule: {molecule}")
    return _judged(task, molecule, options, where)


def _choose(
    extracted: Extracted, reading: Reading
) -> tuple[str, Molecule | NotAMolecule | TooLarge] | list[str]:
    """The answer among the candidates: the one valid molecule they name (written once or
    more), else the last candidate; several different valid molecules are a hedge, given
    as the list of their SMILES."""
    read: list[tuple[str, Molecule | NotAMolecule | TooLarge]] = []
    for smiles in extracted.candidates:
        try:
            read.append((smiles, read_molecule(smiles, reading)))
        except (NotAMolecule, TooLarge) as problem:
            read.append((smiles, problem))
    valid = [(smiles, found) for smiles, found in read if isinstance(found, Molecule)]
    different = {found.key: smiles for smiles, found in valid}
    if len(different) > 1:
        return list(different.values())
    return valid[-1] if valid else read[-1]


def _checks(task: Task, molecule: Molecule, options: MoleculeOptions) -> list[Check]:
    mol = molecule.mol
    checks = []
    if task.target is not None:
        same = molecule.key == task.target.key
        checks.append(Check("target", same, "not the target molecule"))
    for bound in task.constraints:
        value = descriptor(molecule, bound.name)
        failure = f"{bound.name} {value:.4g} not {bound.shown()}"
        checks.append(Check("constraints", bound.holds(value), failure))
    for pattern in task.must_match:
        found = matches(mol, pattern.query, stereo=options.stereo)
        checks.append(Check("substructures", found, f"lacks {_shown(pattern.smarts)!r}"))
    for pattern in task.must_not_match:
        found = matches(mol, pattern.query, stereo=options.stereo)
        checks.append(Check("substructures", not found, f"contains {_shown(pattern.smarts)!r}"))
    if task.similar_to:
        fingerprints = Fingerprints(options.fingerprint_radius, options.fingerprint_bits)
        answer = fingerprints.of(mol)
        for reference in task.similar_to:
            similarity = tanimoto(answer, reference.fingerprint)
            checks.append(
                Check(
                    "similarity",
                    reference.bound.holds(similarity),
                    f"Tanimoto {similarity:.3f} to {_shown(reference.smiles)!r} "
                    f"not {reference.bound.shown()}",
                )
            )
    if task.not_in is not None:
        index = task.not_in.index(molecule.key) if molecule.key in task.not_in else None
        checks.append(Check("novelty", index is None, f"is not_in[{index}]"))
    return checks


def _judged(task: Task, molecule: Molecule, options: MoleculeOptions, where: str) -> Outcome:
    checks = _checks(task, molecule, options)
    met = sum(check.passed for check in checks)
    components = {"valid": 1.0}
    for family in FAMILIES:
        own = [check.passed for check in checks if check.family == family]
        components[family] = sum(own) / len(own) if own else NOT_ASKED
    plural = "s" if len(checks) > 1 else ""
    if met == len(checks):
        return Outcome(1.0, detail=f"{where} meets {met} condition{plural}", components=components)
    failures = [check.failure for check in checks if not check.passed]
    shown = "; ".join(failures[:SHOWN_FAILURES])
    if len(failures) > SHOWN_FAILURES:
        shown += f" (+{len(failures) - SHOWN_FAILURES} more)"
    reward = met / len(checks) if options.partial_credit else 0.0
    detail = f"{where} meets {met} of {len(checks)} condition{plural}: {shown}"
    return Outcome(reward, detail=detail, components=components)


def _unjudged(task: Task, detail: str) -> Outcome:
    """0.0, ok: an answer was given, but no single valid molecule to check."""
    asked = {
        "target": task.target is not None,
        "constraints": bool(task.constraints),
        "substructures": bool(task.must_match or task.must_not_match),
        "similarity": bool(task.similar_to),
        "novelty": task.not_in is not None,
    }
    components = {"valid": 0.0}
    components.update({family: 0.0 if asked[family] else NOT_ASKED for family in FAMILIES})
    return Outcome(0.0, detail=detail, components=components)


def _format_error(detail: str) -> Outcome:
    return Outcome(
        0.0, Status.FORMAT_ERROR, detail=detail, components=dict.fromkeys(COMPONENTS, 0.0)
    )


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
