"""What RDKit says about one SMILES: a molecule within bounds, its identity, its properties.

Every SMILES, the model's or the ground truth's, is read by :func:`read_molecule` under one
:class:`Reading`: length first, then heavy atoms on an unsanitized parse, then RDKit's own
sanitization (valence, aromaticity), then our rules (no dummy atom, no radical unless
allowed, salts stripped or a single fragment when asked). Only a molecule that passed all
of them reaches a descriptor, a SMARTS or a fingerprint.

RDKit's log is switched off at import: a bad SMILES from a policy is an expected event,
and its warnings ("Explicit valence for atom # 1 ...") would otherwise reach stderr per item.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from rdkit import Chem, DataStructs, RDLogger
from rdkit.Chem import QED, Crippen, Descriptors, rdFingerprintGenerator, rdMolDescriptors
from rdkit.Chem.SaltRemover import SaltRemover

RDLogger.DisableLog("rdApp.*")

Identity = Literal["smiles", "inchikey"]
_SPACE = re.compile(r"\s")

DESCRIPTORS: dict[str, Callable[[Chem.Mol], float]] = {
    "molecular_weight": Descriptors.MolWt,  # average mass, g/mol (PubChem's "Molecular Weight")
    "logp": Crippen.MolLogP,  # Wildman-Crippen; PubChem shows XLogP3, another method
    "qed": QED.qed,  # Bickerton et al. 2012, default weights
    "tpsa": rdMolDescriptors.CalcTPSA,  # Ertl et al. 2000, N and O contributions only
    "hbd": rdMolDescriptors.CalcNumHBD,
    "hba": rdMolDescriptors.CalcNumHBA,
    "rotatable_bonds": rdMolDescriptors.CalcNumRotatableBonds,
    "ring_count": rdMolDescriptors.CalcNumRings,  # smallest set of smallest rings
    "heavy_atoms": lambda mol: mol.GetNumHeavyAtoms(),
    "formal_charge": Chem.GetFormalCharge,
}
"""The descriptors a ground truth may bound, by the name it uses. All are RDKit's."""


class NotAMolecule(ValueError):
    """The SMILES does not describe an acceptable molecule; the message says why."""


class TooLarge(ValueError):
    """The SMILES is over a size limit; the message names the limit."""


@dataclass(frozen=True, slots=True)
class Reading:
    """How a SMILES is read and compared: the same for the answer and the ground truth."""

    max_smiles_chars: int
    max_heavy_atoms: int
    allow_radicals: bool = False
    strip_salts: bool = False
    single_fragment: bool = False
    stereo: bool = True
    identity: Identity = "smiles"


@dataclass(frozen=True, slots=True)
class Molecule:
    mol: Chem.Mol
    """Never modified: molecules are shared through the caches."""
    smiles: str
    """RDKit's canonical isomeric SMILES: the same graph, the same text."""
    key: str
    """Equal for the same molecule under the reading's identity (canonical SMILES or
    InChIKey, with or without stereochemistry)."""


READ_CACHE_SIZE = 4096
VALUE_CACHE_SIZE = 16_384
_values: dict[tuple[str, str], float] = {}
"""Descriptor values by (canonical SMILES, name): a group of rollouts often repeats an
answer, and QED or logP cost 0.5 to 3 ms on a new molecule. Cleared when full."""


@lru_cache(maxsize=READ_CACHE_SIZE)
def read_molecule(smiles: str, reading: Reading) -> Molecule:
    """The molecule a SMILES describes; raises :class:`TooLarge` or :class:`NotAMolecule`.
    Cached by text: the same answer comes back across a group of rollouts."""
    if len(smiles) > reading.max_smiles_chars:
        raise TooLarge(f"SMILES longer than max_smiles_chars={reading.max_smiles_chars}")
    if not smiles or _SPACE.search(smiles):
        raise NotAMolecule("not one SMILES (empty, or white space inside)")
    # A heavy atom takes at least one character: a short SMILES needs no early count.
    if len(smiles) > reading.max_heavy_atoms:
        _count_heavy_atoms(smiles, reading.max_heavy_atoms)
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise NotAMolecule(_why_unreadable(smiles))
    if mol.GetNumAtoms() == 0:
        raise NotAMolecule("no atoms")
    if "[" in smiles or "*" in smiles:  # dummies, radicals and atom maps need these
        _check_atoms(mol, reading)
    if reading.strip_salts and len(Chem.GetMolFrags(mol)) > 1:
        mol = _salt_remover().StripMol(mol, dontRemoveEverything=True)
    if reading.single_fragment and (count := len(Chem.GetMolFrags(mol))) > 1:
        raise NotAMolecule(f"{count} disconnected fragments (single_fragment is on)")
    canonical = Chem.MolToSmiles(mol)
    return Molecule(mol, canonical, identity_key(mol, canonical, reading))


def _count_heavy_atoms(smiles: str, limit: int) -> None:
    raw = Chem.MolFromSmiles(smiles, sanitize=False)
    if raw is None:
        raise NotAMolecule("not valid SMILES syntax")
    heavy = sum(atom.GetAtomicNum() != 1 for atom in raw.GetAtoms())
    if heavy > limit:
        raise TooLarge(f"{heavy} heavy atoms, over max_heavy_atoms={limit}")


def _why_unreadable(smiles: str) -> str:
    """Why RDKit refused a SMILES: its syntax, or its chemistry (valence, aromaticity)."""
    raw = Chem.MolFromSmiles(smiles, sanitize=False)
    if raw is None:
        return "not valid SMILES syntax"
    try:
        Chem.SanitizeMol(raw)
    except Chem.MolSanitizeException as problem:
        return f"chemically invalid: {str(problem).strip()[:120]}"
    return "chemically invalid"


def _check_atoms(mol: Chem.Mol, reading: Reading) -> None:
    """Refuse dummies and (unless allowed) radicals; drop atom-map numbers (``[CH3:1]``),
    annotations of a reaction, not chemistry, that would change the canonical SMILES."""
    for atom in mol.GetAtoms():
        atom.SetAtomMapNum(0)
        if atom.GetAtomicNum() == 0:
            raise NotAMolecule("has a dummy atom (*), a placeholder and not a molecule")
        if atom.GetNumRadicalElectrons() and not reading.allow_radicals:
            raise NotAMolecule(
                f"has a radical on atom {atom.GetIdx()} ({atom.GetSymbol()}): an atom with "
                "too few hydrogens, e.g. [C] or [CH3] (allow_radicals is off)"
            )


@cache
def _salt_remover() -> SaltRemover:
    """RDKit's default salt list (halides, alkali metals, common counter-acids): a fragment
    that is exactly one of them is removed, never the last one left."""
    return SaltRemover()


def identity_key(mol: Chem.Mol, canonical: str, reading: Reading) -> str:
    if not reading.stereo:
        mol = Chem.Mol(mol)
        Chem.RemoveStereochemistry(mol)
        canonical = Chem.MolToSmiles(mol)
    if reading.identity == "inchikey":
        key = Chem.MolToInchiKey(mol)
        if key:  # InChI refuses a few molecules; the canonical SMILES still names them
            return f"inchikey:{key}"
    return f"smiles:{canonical}"


def descriptor(molecule: Molecule, name: str) -> float:
    key = (molecule.smiles, name)
    value = _values.get(key)
    if value is None:
        value = float(DESCRIPTORS[name](molecule.mol))
        if len(_values) >= VALUE_CACHE_SIZE:
            _values.clear()
        _values[key] = value
    return value


def matches(mol: Chem.Mol, pattern: Chem.Mol, *, stereo: bool) -> bool:
    return mol.HasSubstructMatch(pattern, useChirality=stereo)


def read_smarts(smarts: str) -> Chem.Mol | None:
    return Chem.MolFromSmarts(smarts)


@lru_cache(maxsize=16)
def _morgan(radius: int, bits: int) -> rdFingerprintGenerator.FingerprintGenerator64:
    return rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=bits)


@dataclass(frozen=True, slots=True)
class Fingerprints:
    radius: int
    bits: int

    def of(self, mol: Chem.Mol) -> DataStructs.ExplicitBitVect:
        return _morgan(self.radius, self.bits).GetFingerprint(mol)


def tanimoto(first: DataStructs.ExplicitBitVect, second: DataStructs.ExplicitBitVect) -> float:
    return float(DataStructs.TanimotoSimilarity(first, second))
