"""The molecule verifier: extraction, identity, conditions, limits, hostile answers.

Called as a plain function, except the adversarial corpus, which also goes through a real
server in one batch. Known properties come from PubChem (tests/data/molecules/).
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import pytest
from rdkit import Chem

from tests.conftest import Server
from verifiers import InvalidInput, Status
from verifiers.molecule import COMPONENTS, verify
from verifiers.molecule.truth import _parsed

DATA = Path(__file__).parent / "data" / "molecules"
PUBCHEM = {
    row["name"]: row
    for row in map(json.loads, (DATA / "pubchem_properties.jsonl").read_text().splitlines())
}
ASPIRIN = PUBCHEM["aspirin"]["smiles"]
IBUPROFEN = PUBCHEM["ibuprofen"]["smiles"]
L_ALANINE = PUBCHEM["L-alanine"]["smiles"]
ALANINE = "CC(N)C(=O)O"
D_ALANINE = "C[C@H](C(=O)O)N"
NOT_ASKED = -1.0


def judge(response: str, ground_truth: Any, **options: Any) -> tuple[float, str, dict]:
    """Reward, status and components, checking what every outcome must hold."""
    outcome = verify(response, ground_truth, options)
    assert set(outcome.components) == set(COMPONENTS)
    assert outcome.status in (Status.OK, Status.FORMAT_ERROR), outcome.detail
    if outcome.status is Status.FORMAT_ERROR:
        assert outcome.reward == 0.0
        assert set(outcome.components.values()) == {0.0}
    if outcome.components["valid"] == 0.0:
        assert outcome.reward == 0.0, outcome.detail
    return outcome.reward, outcome.status.value, dict(outcome.components)


def reward(response: str, ground_truth: Any, **options: Any) -> float:
    return judge(response, ground_truth, **options)[0]


# --- same molecule, different writing -------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "target", "options", "expected"),
    [
        pytest.param("OCC", "CCO", {}, 1.0, id="atom-order"),
        pytest.param("C1=CC=CC=C1", "c1ccccc1", {}, 1.0, id="kekule-vs-aromatic"),
        pytest.param("c1ccccc1", "C1=CC=CC=C1", {}, 1.0, id="aromatic-vs-kekule"),
        pytest.param("CC(=O)Oc1ccccc1C(O)=O", ASPIRIN, {}, 1.0, id="aspirin-two-writings"),
        pytest.param("[H]OC([H])([H])C([H])([H])[H]", "CCO", {}, 1.0, id="explicit-hydrogens"),
        pytest.param("[CH3][CH2][OH]", "CCO", {}, 1.0, id="bracket-hydrogens"),
        pytest.param("C%10CC%10", "C1CC1", {}, 1.0, id="two-digit-ring-label"),
        pytest.param("[CH3:1][CH2:2][OH:3]", "CCO", {}, 1.0, id="atom-maps"),
        pytest.param("CCCO", "CCO", {}, 0.0, id="propanol-is-not-ethanol"),
        pytest.param("CC[O-]", "CCO", {}, 0.0, id="charge-counts"),
        pytest.param("[2H]OCC", "CCO", {}, 0.0, id="isotope-counts"),
        pytest.param("[2H]OCC", "CCO", {"stereo": False}, 0.0, id="isotope-counts-without-stereo"),
        # stereo on (the default): the answer carries exactly the target's stereo
        pytest.param(L_ALANINE, L_ALANINE, {}, 1.0, id="same-enantiomer"),
        pytest.param("N[C@@H](C)C(O)=O", L_ALANINE, {}, 1.0, id="same-enantiomer-rewritten"),
        pytest.param(D_ALANINE, L_ALANINE, {}, 0.0, id="other-enantiomer"),
        pytest.param(ALANINE, L_ALANINE, {}, 0.0, id="stereo-left-out"),
        pytest.param(L_ALANINE, ALANINE, {}, 0.0, id="stereo-added"),
        pytest.param("F/C=C/F", "F/C=C\\F", {}, 0.0, id="e-vs-z"),
        # stereo off: only the constitution
        pytest.param(D_ALANINE, L_ALANINE, {"stereo": False}, 1.0, id="enantiomers-no-stereo"),
        pytest.param(ALANINE, L_ALANINE, {"stereo": False}, 1.0, id="stereo-left-out-no-stereo"),
        pytest.param(L_ALANINE, ALANINE, {"stereo": False}, 1.0, id="stereo-added-no-stereo"),
        pytest.param("F/C=C/F", "F/C=C\\F", {"stereo": False}, 1.0, id="e-vs-z-no-stereo"),
        # salts and fragments: another substance unless strip_salts
        pytest.param("CCO.Cl", "CCO", {}, 0.0, id="salt-is-another-substance"),
        pytest.param("Cl.CCO", "CCO.Cl", {}, 1.0, id="same-salt-fragment-order"),
        pytest.param("CCO.Cl", "CCO", {"strip_salts": True}, 1.0, id="salt-stripped"),
        pytest.param("[Na+].CC(=O)[O-]", "CC(=O)[O-]", {"strip_salts": True}, 1.0, id="sodium"),
        pytest.param("CCO.C", "CCO", {"strip_salts": True}, 0.0, id="methane-is-no-salt"),
        pytest.param("CCO", "CCO.Cl", {"strip_salts": True}, 1.0, id="salt-stripped-from-target"),
        # identity by InChIKey: the same answers, and InChI's tautomers
        pytest.param("C1=CC=CC=C1", "c1ccccc1", {"identity": "inchikey"}, 1.0, id="inchikey"),
        pytest.param(D_ALANINE, L_ALANINE, {"identity": "inchikey"}, 0.0, id="inchikey-stereo"),
        pytest.param(
            D_ALANINE,
            L_ALANINE,
            {"identity": "inchikey", "stereo": False},
            1.0,
            id="inchikey-no-st",
        ),
        pytest.param("Oc1ccccn1", "O=c1cccc[nH]1", {}, 0.0, id="tautomers-by-smiles"),
        pytest.param("Oc1ccccn1", "O=c1cccc[nH]1", {"identity": "inchikey"}, 1.0, id="tautomers"),
    ],
)
def test_target_identity(answer: str, target: str, options: dict, expected: float) -> None:
    got, status, components = judge(answer, target, **options)
    assert (got, status) == (expected, "ok")
    assert components["valid"] == 1.0
    assert components["target"] == expected
    assert [
        components[key] for key in ("constraints", "substructures", "similarity", "novelty")
    ] == [NOT_ASKED] * 4


@pytest.mark.parametrize("name", sorted(PUBCHEM))
def test_random_writings_of_a_molecule_are_that_molecule(name: str) -> None:
    molecule = Chem.MolFromSmiles(PUBCHEM[name]["smiles"])
    writings = list(Chem.MolToRandomSmilesVect(molecule, 20, randomSeed=7))
    kekule = Chem.Mol(molecule)
    Chem.Kekulize(kekule, clearAromaticFlags=True)
    writings.append(Chem.MolToSmiles(kekule, kekuleSmiles=True))
    writings.append(Chem.MolToSmiles(Chem.AddHs(molecule)))
    for smiles in writings:
        assert reward(f"<answer>{smiles}</answer>", PUBCHEM[name]["smiles"]) == 1.0, smiles
        truth = {"target": PUBCHEM[name]["smiles"]}
        assert reward(smiles, truth, identity="inchikey") == 1.0, smiles


# --- where the answer is read -----------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected", "source"),
    [
        pytest.param("CCO", 1.0, "last line", id="bare"),
        pytest.param("Reasoning...\n\nThe answer is CCO.", 1.0, "last line", id="sentence"),
        pytest.param("Ethanol: `CCO`", 1.0, "last line", id="inline-code"),
        pytest.param("**CCO**", 1.0, "last line", id="bold"),
        pytest.param("Ethanol (CCO).", 1.0, "last line", id="parenthesized"),
        pytest.param('SMILES: "CCO"', 1.0, "last line", id="quoted"),
        pytest.param("I think it is CCO", 1.0, "last line", id="english-word-that-is-smiles"),
        pytest.param("CCO\n\n   \n", 1.0, "last line", id="trailing-blank-lines"),
        pytest.param("CCO<|im_end|><|endoftext|>", 1.0, "last line", id="end-tokens"),
        pytest.param("CCO</s>", 1.0, "last line", id="end-token-s"),
        pytest.param("CCO\nThis is ethanol.", 0.0, "format_error", id="answer-not-on-last-line"),
        pytest.param(
            "<answer>CCO</answer>\nHope this helps!", 1.0, "<answer> tag", id="answer-tag"
        ),
        pytest.param("<ANSWER> CCO </ANSWER>", 1.0, "<answer> tag", id="tag-case"),
        pytest.param("<answer>C</answer> <answer>CCO</answer>", 1.0, "<answer> tag", id="last-tag"),
        pytest.param("<answer>CCO", 1.0, "<answer> tag", id="unclosed-last-tag"),
        pytest.param("<smiles>CCO</smiles> is ethanol", 1.0, "<smiles> tag", id="smiles-tag"),
        pytest.param(
            "<answer>Ethanol, <smiles>CCO</smiles></answer>",
            1.0,
            "<smiles> tag inside <answer>",
            id="smiles-inside-answer",
        ),
        pytest.param(
            "<smiles>C</smiles>\n<answer>CCO</answer>", 1.0, "<answer> tag", id="answer-first"
        ),
        pytest.param("```smiles\nCCO\n```\nThat is ethanol.", 1.0, "code block", id="smiles-block"),
        pytest.param("```\nCCO\n```", 1.0, "code block", id="untagged-block"),
        pytest.param("```smiles\nC\n```\n```smiles\nCCO\n```", 1.0, "code block", id="last-block"),
        pytest.param(
            "```python\nprint('C')\n```\nThe answer: CCO",
            1.0,
            "last line",
            id="python-block-skipped",
        ),
        pytest.param("<think>maybe C</think>CCO", 1.0, "last line", id="after-think"),
        pytest.param(
            "<think>\n<answer>C</answer>\n</think>\nCCO", 1.0, "last line", id="tag-in-think"
        ),
        pytest.param("<think>I guess CCO", 0.0, "format_error", id="unclosed-think"),
        pytest.param("<think>CCO</think>", 0.0, "format_error", id="nothing-after-think"),
        pytest.param("", 0.0, "format_error", id="empty"),
        pytest.param("Ethanol.", 0.0, "format_error", id="a-name-is-no-smiles"),
        pytest.param("C2H6O", 0.0, "format_error", id="a-formula-is-no-smiles"),
        pytest.param("<answer>ethanol</answer>", 0.0, "format_error", id="name-in-tag"),
        pytest.param("<answer></answer>\nCCO", 0.0, "format_error", id="empty-tag-wins"),
    ],
)
def test_where_the_answer_is_read(response: str, expected: float, source: str) -> None:
    outcome = verify(response, "CCO")
    assert outcome.reward == expected, outcome.detail
    if source == "format_error":
        assert outcome.status is Status.FORMAT_ERROR
    else:
        assert outcome.status is Status.OK
        assert f"({source})" in (outcome.detail or "")


# --- hedges -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        "C or CCO",
        "CCO or C",
        "The answer is C, or maybe CCO.",
        "<answer>C or CCO</answer>",
        "<answer>CCO C</answer>",
        "```smiles\nC\nCCO\n```",
        "<smiles>CCO CCCO CCCCO</smiles>",
        "Either CCO or [2H]OCC",
        " ".join(["CCO"] + ["C" * n for n in range(1, 20)]),
        "CCO " * 17,  # more than MAX_CANDIDATES words: a list
        "I " * 16 + "CCO",  # counted before English words are dropped
    ],
)
def test_a_hedge_earns_nothing(response: str) -> None:
    got, status, components = judge(response, "CCO")
    assert (got, status) == (0.0, "ok")
    assert components["valid"] == 0.0
    assert components["target"] == 0.0


@pytest.mark.parametrize(
    "response",
    [
        "CCO or OCC",  # one molecule written twice
        "CCO, i.e. [H]OCC",
        "CCO or C1CC",  # the other is no molecule: it cannot be the answer
        "Take CCO; c1ccc is not aromatic",
    ],
)
def test_one_molecule_named_twice_is_no_hedge(response: str) -> None:
    assert reward(response, "CCO") == 1.0


def test_a_hedge_with_a_stereo_variant_depends_on_the_stereo_option() -> None:
    response = f"{L_ALANINE} or {D_ALANINE}"
    assert reward(response, L_ALANINE) == 0.0
    assert reward(response, L_ALANINE, stereo=False) == 1.0


# --- invalid molecules: the model answered, wrongly ---------------------------------------


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("C(C)(C)(C)(C)C", "valence"),
        ("c1cccc1", "kekulize"),
        ("C1CC", "syntax"),
        ("CC(C", "syntax"),
        ("C)C", "syntax"),
        ("[Xx]CC", "syntax"),
        ("*CC", "dummy atom"),
        ("[*]C(=O)O", "dummy atom"),
        ("[CH3]", "radical"),
        ("[C]", "radical"),
        ("CC[O]", "radical"),
        (".CCO", "syntax"),
        ("CC..O", "syntax"),
    ],
)
def test_an_invalid_molecule_earns_nothing(answer: str, reason: str) -> None:
    outcome = verify(
        f"<answer>{answer}</answer>", {"target": "CCO", "constraints": {"qed": {"min": 0}}}
    )
    assert (outcome.reward, outcome.status) == (0.0, Status.OK)
    assert reason in (outcome.detail or "")
    assert outcome.components == {
        "valid": 0.0,
        "target": 0.0,
        "constraints": 0.0,
        "substructures": NOT_ASKED,
        "similarity": NOT_ASKED,
        "novelty": NOT_ASKED,
    }


def test_radicals_when_allowed() -> None:
    assert reward("[CH3]", {"constraints": {"heavy_atoms": {"max": 1}}}) == 0.0
    assert reward("[CH3]", {"constraints": {"heavy_atoms": {"max": 1}}}, allow_radicals=True) == 1.0
    assert reward("[CH3]", "C", allow_radicals=True) == 0.0  # a methyl radical is not methane


def test_rdkit_says_nothing_on_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    for answer in ("C(C)(C)(C)(C)C", "c1cccc1", "C1CC", "[Xx]", "*C"):
        verify(answer, "CCO")
    verify("c1ccccc1", {"target": "c1ccccc1"}, {"identity": "inchikey"})
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_single_fragment_refuses_added_fragments() -> None:
    decane = "CCCCCCCCCC"
    truth = {"constraints": {"logp": {"min": 3}}, "not_in": ["CCO"]}
    # Crippen logP sums over fragments: ethanol with decane beside it passes...
    assert reward(f"CCO.{decane}", truth) == 1.0
    # ...unless one molecule is required.
    got, status, components = judge(f"CCO.{decane}", truth, single_fragment=True)
    assert (got, status, components["valid"]) == (0.0, "ok", 0.0)
    assert reward(f"CCO.{decane}", truth, single_fragment=True, strip_salts=True) == 0.0
    assert reward("CCO.Cl", {"target": "CCO"}, single_fragment=True, strip_salts=True) == 1.0


# --- not_in: the input molecule of an editing task --------------------------------------


@pytest.mark.parametrize(
    "copied",
    [
        ASPIRIN,
        "CC(=O)Oc1ccccc1C(=O)O",
        "OC(=O)C1=CC=CC=C1OC(C)=O",
        "[H]OC(=O)c1ccccc1OC(C)=O",
    ],
)
def test_the_input_molecule_copied_from_the_prompt_earns_nothing(copied: str) -> None:
    truth = {
        "not_in": [ASPIRIN],
        "similar_to": {"smiles": ASPIRIN, "min": 0.4},
        "constraints": {"molecular_weight": {"max": 250}},
    }
    got, status, components = judge(copied, truth)
    assert (got, status) == (0.0, "ok")
    assert components["novelty"] == 0.0
    assert components["similarity"] == 1.0
    assert components["constraints"] == 1.0
    assert judge(copied, truth, partial_credit=True)[0] == pytest.approx(2 / 3)
    # an edit: the methyl ester of the acid
    edited = "COC(=O)c1ccccc1OC(C)=O"
    assert judge(edited, truth)[0] == 1.0


def test_not_in_follows_the_stereo_option() -> None:
    truth = {"not_in": [L_ALANINE]}
    assert reward(D_ALANINE, truth) == 1.0
    assert reward(D_ALANINE, truth, stereo=False) == 0.0
    assert reward("CC(N)C(O)=O.Cl", truth, strip_salts=True, stereo=False) == 0.0


# --- constraints against PubChem ----------------------------------------------------------


def window(value: float, width: float) -> dict[str, float]:
    return {"min": value - width, "max": value + width}


@pytest.mark.parametrize("name", sorted(PUBCHEM))
def test_constraints_hold_at_pubchem_values(name: str) -> None:
    row = PUBCHEM[name]
    truth = {
        "target": row["smiles"],
        "constraints": {
            # PubChem rounds to 0.01 g/mol with slightly different atomic weights
            "molecular_weight": window(row["molecular_weight"], 0.01),
            "hbd": window(row["hbd"], 0),
            "heavy_atoms": window(row["heavy_atoms"], 0),
            "formal_charge": window(row["formal_charge"], 0),
        },
    }
    assert judge(row["smiles"], truth) == (
        1.0,
        "ok",
        {
            "valid": 1.0,
            "target": 1.0,
            "constraints": 1.0,
            "substructures": NOT_ASKED,
            "similarity": NOT_ASKED,
            "novelty": NOT_ASKED,
        },
    )
    assert Chem.MolToInchiKey(Chem.MolFromSmiles(row["smiles"])) == row["inchikey"]
    too_light = {"molecular_weight": {"min": row["molecular_weight"] + 0.5}}
    assert reward(row["smiles"], {"constraints": too_light}) == 0.0
    too_heavy = {"heavy_atoms": {"max": row["heavy_atoms"] - 1}}
    assert reward(row["smiles"], {"constraints": too_heavy}) == 0.0


# Where RDKit's method is PubChem's (Cactvs), the values agree; where not, the difference
# is pinned here so that a change of RDKit's defaults is noticed.
TPSA_AGREES = ["aspirin", "ibuprofen", "acetaminophen", "L-alanine"]
RDKIT_DIFFERS = {
    # (descriptor, molecule): RDKit's value, PubChem's in the data file
    ("tpsa", "caffeine"): 61.82,  # Ertl's N contributions; PubChem 58.4
    ("hba", "aspirin"): 3,  # RDKit's acceptor SMARTS; PubChem 4
    ("hba", "ibuprofen"): 1,  # PubChem 2
    ("hba", "L-alanine"): 2,  # PubChem 3
    ("rotatable_bonds", "aspirin"): 2,  # PubChem 3
    ("logp", "caffeine"): -1.0293,  # Wildman-Crippen; PubChem shows XLogP3 -0.1
    ("logp", "ibuprofen"): 3.0732,  # XLogP3 3.5
}


@pytest.mark.parametrize("name", TPSA_AGREES)
def test_tpsa_matches_pubchem(name: str) -> None:
    row = PUBCHEM[name]
    assert reward(row["smiles"], {"constraints": {"tpsa": window(row["tpsa"], 0.05)}}) == 1.0


@pytest.mark.parametrize("name", ["caffeine", "acetaminophen"])
def test_hba_matches_pubchem(name: str) -> None:
    row = PUBCHEM[name]
    assert reward(row["smiles"], {"constraints": {"hba": window(row["hba"], 0)}}) == 1.0


@pytest.mark.parametrize(("descriptor", "name"), sorted(RDKIT_DIFFERS))
def test_where_rdkit_and_pubchem_differ(descriptor: str, name: str) -> None:
    row = PUBCHEM[name]
    ours = RDKIT_DIFFERS[descriptor, name]
    theirs = row["xlogp3" if descriptor == "logp" else descriptor]
    assert reward(row["smiles"], {"constraints": {descriptor: window(ours, 0.005)}}) == 1.0
    assert reward(row["smiles"], {"constraints": {descriptor: window(theirs, 0.05)}}) == 0.0


def test_every_descriptor_can_be_bounded() -> None:
    ibuprofen = {
        "molecular_weight": {"min": 206, "max": 207},
        "logp": {"min": 3, "max": 3.2},
        "qed": {"min": 0.8, "max": 0.85},
        "tpsa": {"min": 37, "max": 38},
        "hbd": {"min": 1, "max": 1},
        "hba": {"min": 1, "max": 1},
        "rotatable_bonds": {"min": 4, "max": 4},
        "ring_count": {"min": 1, "max": 1},
        "heavy_atoms": {"min": 15, "max": 15},
        "formal_charge": {"min": 0, "max": 0},
    }
    assert reward(IBUPROFEN, {"constraints": ibuprofen}) == 1.0
    carboxylate = "CC(C)Cc1ccc(C(C)C(=O)[O-])cc1"
    got, _, components = judge(carboxylate, {"constraints": ibuprofen}, partial_credit=True)
    assert 0.0 < got == components["constraints"] < 1.0


def test_constraints_partial_credit_and_detail() -> None:
    truth = {
        "constraints": {
            "molecular_weight": {"max": 200},
            "logp": {"max": 3},
            "hbd": {"min": 1},
            "ring_count": {"min": 1},
        }
    }
    outcome = verify(IBUPROFEN, truth)
    assert outcome.reward == 0.0
    assert outcome.components["constraints"] == 0.5
    assert "meets 2 of 4 conditions" in (outcome.detail or "")
    assert "logp 3.073 not <= 3" in (outcome.detail or "")
    assert "molecular_weight 206.3 not <= 200" in (outcome.detail or "")
    assert verify(IBUPROFEN, truth, {"partial_credit": True}).reward == 0.5


# --- substructures and similarity --------------------------------------------------------


def test_substructures_must_and_must_not() -> None:
    truth = {
        "substructures": {
            "must_match": ["c1ccccc1", "C(=O)[OX2H1]"],
            "must_not_match": ["[#7]", "[Cl,Br,I]"],
        }
    }
    assert judge(IBUPROFEN, truth)[2]["substructures"] == 1.0
    assert reward(IBUPROFEN, truth) == 1.0
    outcome = verify("Nc1ccc(cc1)C(=O)OC", truth, {"partial_credit": True})
    assert outcome.components["substructures"] == 0.5  # no acid, and an N
    assert outcome.reward == 0.5
    assert "lacks 'C(=O)[OX2H1]'" in (outcome.detail or "")
    assert "contains '[#7]'" in (outcome.detail or "")


def test_chiral_smarts_follows_the_stereo_option() -> None:
    truth = {"substructures": {"must_match": [L_ALANINE]}}
    assert reward(L_ALANINE, truth) == 1.0
    assert reward(D_ALANINE, truth) == 0.0
    assert reward(D_ALANINE, truth, stereo=False) == 1.0


def test_similarity_bounds_and_fingerprint_options() -> None:
    phenol, aniline = "Oc1ccccc1", "Nc1ccccc1"
    close = {"similar_to": {"smiles": phenol, "min": 0.3}}
    assert reward(aniline, close) == 1.0
    assert reward(aniline, {"similar_to": {"smiles": phenol, "min": 0.5}}) == 0.0
    assert reward(phenol, {"similar_to": {"smiles": phenol, "min": 1.0}}) == 1.0
    # scaffold hopping: similar, but not too similar
    assert reward(phenol, {"similar_to": {"smiles": phenol, "min": 0.2, "max": 0.9}}) == 0.0
    # a larger radius sees more environments, and there the two differ more (0.656, 0.610)
    ester = "CC(C)Cc1ccc(cc1)C(C)C(=O)OC"
    near = {"similar_to": {"smiles": IBUPROFEN, "min": 0.63}}
    assert reward(ester, near) == 1.0
    assert reward(ester, near, fingerprint_radius=3) == 0.0
    # fewer bits, more collisions: aspirin looks closer to ibuprofen (0.195 vs 0.333)
    far = {"similar_to": {"smiles": IBUPROFEN, "min": 0.3}}
    assert reward(ASPIRIN, far) == 0.0
    assert reward(ASPIRIN, far, fingerprint_bits=64) == 1.0
    several = {"similar_to": [{"smiles": phenol, "min": 0.3}, {"smiles": "CCCCCC", "min": 0.3}]}
    got, _, components = judge(aniline, several, partial_credit=True)
    assert (got, components["similarity"]) == (0.5, 0.5)


def test_everything_at_once() -> None:
    truth = {
        "target": IBUPROFEN,
        "constraints": {"molecular_weight": {"max": 500}, "logp": {"max": 5}},
        "substructures": {"must_match": ["c1ccccc1"]},
        "similar_to": {"smiles": "CC(C)Cc1ccc(C)cc1", "min": 0.2},
        "not_in": [ASPIRIN],
    }
    got, status, components = judge(f"<answer>{IBUPROFEN}</answer>", truth)
    assert (got, status) == (1.0, "ok")
    assert components == dict.fromkeys(COMPONENTS, 1.0)
    got, _, components = judge(ASPIRIN, truth, partial_credit=True)
    assert components["target"] == 0.0
    assert components["novelty"] == 0.0
    assert 0.0 < got < 1.0


# --- limits: bounded before the work ------------------------------------------------------


def test_a_long_smiles_is_a_format_error_and_quick() -> None:
    started = time.perf_counter()
    outcome = verify("C" * 501, "CCO")
    assert outcome.status is Status.FORMAT_ERROR
    assert "max_smiles_chars=500" in (outcome.detail or "")
    outcome = verify("<answer>" + "C" * 1_000_000 + "</answer>", "CCO")
    assert outcome.status is Status.FORMAT_ERROR
    assert "longer than 20000 characters" in (outcome.detail or "")
    assert time.perf_counter() - started < 1.0
    assert reward("C" * 501, "C" * 501, max_smiles_chars=600, max_heavy_atoms=600) == 1.0


def test_heavy_atoms_are_counted_before_sanitization() -> None:
    many = "C" * 150 + "(" + "C" * 60 + ")"
    outcome = verify(many, "CCO")
    assert outcome.status is Status.FORMAT_ERROR
    assert "210 heavy atoms, over max_heavy_atoms=200" in (outcome.detail or "")
    assert verify(many, "CCO", {"max_heavy_atoms": 210}).status is Status.OK


def test_a_large_fused_ring_system_stays_fast() -> None:
    """A 190-atom graphene-like sheet, under the default limits: parsed, kekulized, QED."""
    sheet = _sheet(10, 19)
    assert len(sheet) <= 500
    started = time.perf_counter()
    truth = {"constraints": {"qed": {"min": 0}, "heavy_atoms": {"min": 190, "max": 190}}}
    outcome = verify(sheet, truth)
    assert outcome.reward == 1.0, outcome.detail
    assert time.perf_counter() - started < 1.0  # a fifth of the deadline, QED included
    bigger = _sheet(20, 20)
    outcome = verify(bigger, truth, {"max_smiles_chars": 5000})
    assert outcome.status is Status.FORMAT_ERROR
    assert "400 heavy atoms, over max_heavy_atoms=200" in (outcome.detail or "")


def _sheet(rows: int, columns: int) -> str:
    """A brick-wall honeycomb of ``rows * columns`` aromatic carbons, as SMILES."""
    mol = Chem.RWMol()
    index = {(r, c): mol.AddAtom(Chem.Atom(6)) for r in range(rows) for c in range(columns)}
    for (r, c), atom in index.items():
        if c + 1 < columns:
            mol.AddBond(atom, index[r, c + 1], Chem.BondType.AROMATIC)
        if r + 1 < rows and (r + c) % 2 == 0:
            mol.AddBond(atom, index[r + 1, c], Chem.BondType.AROMATIC)
    for atom in mol.GetAtoms():
        atom.SetIsAromatic(True)
    mol.UpdatePropertyCache(strict=False)
    Chem.FastFindRings(mol)
    return Chem.MolToSmiles(mol, canonical=False)


# --- the ground truth is the caller's: InvalidInput ---------------------------------------


@pytest.mark.parametrize(
    ("ground_truth", "message"),
    [
        (None, "ground_truth must be a target SMILES or an object"),
        (42, "got int"),
        (["CCO"], "got list"),
        ({}, "ground_truth asks for nothing"),
        ("C1CC", "ground_truth.target is not a usable molecule: not valid SMILES syntax"),
        ("C(C)(C)(C)(C)C", "ground_truth.target is not a usable molecule: chemically invalid"),
        ("*CC", "ground_truth.target is not a usable molecule: has a dummy atom"),
        ("CCO ethanol", "white space inside"),
        ("", "ground_truth.target is not a usable molecule"),
        ("C" * 501, "ground_truth.target: SMILES longer than max_smiles_chars=500"),
        ({"target": 5}, "ground_truth.target must be a SMILES string, got int"),
        ({"tagret": "CCO"}, "unknown keys tagret"),
        ({"constraints": {}}, "ground_truth.constraints must be a non-empty object"),
        ({"constraints": {"mw": {"max": 500}}}, "unknown descriptors mw"),
        ({"constraints": {"logp": {"min": 5, "max": 1}}}, "constraints.logp: min 5 > max 1"),
        ({"constraints": {"logp": {}}}, "constraints.logp needs min, max or both"),
        ({"constraints": {"logp": 3}}, "constraints.logp must be an object"),
        ({"constraints": {"logp": {"max": "5"}}}, "logp.max must be a finite number"),
        ({"constraints": {"logp": {"max": True}}}, "logp.max must be a finite number"),
        ({"constraints": {"logp": {"max": float("nan")}}}, "logp.max must be a finite number"),
        ({"constraints": {"logp": {"at_most": 5}}}, "logp has unknown keys at_most"),
        ({"substructures": {"must_match": ["C(("]}}, "must_match[0] is not valid SMARTS"),
        ({"substructures": {"must_match": "c1ccccc1"}}, "must_match must be a list of strings"),
        ({"substructures": {"required": ["C"]}}, "substructures has unknown keys required"),
        ({"substructures": {"must_match": []}}, "substructures lists no SMARTS"),
        ({"substructures": {"must_match": ["C" * 1001]}}, "must be a SMARTS of 1 to 1000"),
        ({"substructures": {"must_match": ["C"] * 65}}, "65 entries, over the limit of 64"),
        ({"similar_to": "c1ccccc1"}, "similar_to must be an object"),
        ({"similar_to": {"smiles": "c1ccccc1"}}, "similar_to needs min, max or both"),
        ({"similar_to": {"smiles": "c1ccccc1", "min": 1.5}}, "min must be in [0, 1]"),
        ({"similar_to": {"smiles": "c1ccccc1", "threshold": 0.5}}, "unknown keys threshold"),
        ({"similar_to": {"smiles": "c1cc", "min": 0.5}}, "similar_to.smiles is not a usable"),
        ({"similar_to": []}, "similar_to must hold 1 to 16 references"),
        ({"not_in": []}, "ground_truth.not_in is empty"),
        ({"not_in": "CCO"}, "ground_truth.not_in must be a list of strings"),
        ({"not_in": ["CCO", "C1CC"]}, "ground_truth.not_in[1] is not a usable molecule"),
        ({"not_in": ["C"] * 1001}, "1001 entries, over the limit of 1000"),
        ({"target": "OCC", "not_in": ["C", "CCO"]}, "target is also ground_truth.not_in[1]"),
        ("{not json", "ground_truth looks like JSON but is not"),
    ],
)
def test_unusable_ground_truth_is_invalid_input(ground_truth: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        verify("CCO", ground_truth)
    assert message in str(raised.value)


def test_a_radical_target_needs_allow_radicals() -> None:
    with pytest.raises(InvalidInput, match="allow_radicals is off"):
        verify("[CH3]", "[CH3]")
    assert verify("[CH3]", "[CH3]", {"allow_radicals": True}).reward == 1.0


def test_ground_truth_as_json_text_and_bare_string() -> None:
    truth = {"target": "CCO", "constraints": {"heavy_atoms": {"max": 3}}}
    assert reward("OCC", json.dumps(truth)) == 1.0
    assert reward("OCC", "CCO") == reward("OCC", {"target": "CCO"}) == 1.0
    assert reward("OCC", "  CCO\n") == 1.0


def test_invalid_ground_truth_is_refused_even_without_an_answer() -> None:
    with pytest.raises(InvalidInput):
        verify("no answer here", {"constraints": {"mw": {"max": 1}}})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"stereo": "sometimes"}, "stereo: Input should be a valid boolean"),
        ({"identity": "cas"}, "identity: Input should be 'smiles' or 'inchikey'"),
        ({"max_heavy_atoms": 5000}, "max_heavy_atoms: Input should be less than or equal to 1000"),
        ({"fingerprint_radius": 0}, "fingerprint_radius: Input should be greater than"),
        ({"strip_salt": True}, "strip_salt: Extra inputs are not permitted"),
    ],
)
def test_bad_options_are_invalid_input(options: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        verify("CCO", "CCO", options)


def test_a_ground_truth_is_read_once_per_reading() -> None:
    truth = {"target": "CCO", "not_in": ["C", "CC"]}
    _parsed.cache_clear()
    for _ in range(5):
        verify("CCO", truth)
    verify("CCO", dict(reversed(truth.items())))  # key order does not matter
    assert (_parsed.cache_info().hits, _parsed.cache_info().misses) == (5, 1)
    verify("CCO", truth, {"stereo": False})
    assert _parsed.cache_info().misses == 2


def test_declared_metadata() -> None:
    assert verify.name == "molecule"
    assert verify.components == (
        "valid",
        "target",
        "constraints",
        "substructures",
        "similarity",
        "novelty",
    )
    assert verify.timeout_s == 5.0
    assert verify.description.startswith("The response's SMILES is a valid molecule")


# --- fuzz: never raises, always judged -----------------------------------------------------

SMILES_PIECES = ["C", "c", "N", "n", "O", "o", "S", "Cl", "Br", "F", "[nH]", "[O-]", "[NH3+]",
                 "[C@@H]", "[C@H]", "(", ")", "=", "#", "1", "2", "%10", ".", "/", "\\", "*",
                 "[2H]", "[Na+]", "[CH2]", "[Fe]", "[Xx]", " ", "or", "<answer>", "</answer>",
                 "```", "\n"]  # fmt: skip


def test_random_answers_never_raise() -> None:
    rng = random.Random(20240611)
    truth = {
        "target": IBUPROFEN,
        "constraints": {"qed": {"min": 0.3}, "tpsa": {"max": 90}},
        "substructures": {"must_not_match": ["[N+](=O)[O-]"]},
        "similar_to": {"smiles": ASPIRIN, "min": 0.1},
        "not_in": [ASPIRIN],
    }
    seen: set[str] = set()
    for _ in range(1500):
        response = "".join(rng.choice(SMILES_PIECES) for _ in range(rng.randint(1, 30)))
        got, status, components = judge(response, truth, partial_credit=rng.random() < 0.5)
        assert 0.0 <= got <= 1.0
        seen.add(status if components["valid"] == 0 else "valid")
    assert seen == {"ok", "format_error", "valid"}


# --- the adversarial corpus, directly and through a server ---------------------------------

EDIT = {"target": IBUPROFEN, "not_in": [ASPIRIN]}
# (id, response, ground truth, options, expected reward, expected status)
CORPUS: list[tuple[str, str, Any, dict, float, str]] = [
    ("plain", IBUPROFEN, EDIT, {}, 1.0, "ok"),
    ("hedge-or", f"{ASPIRIN} or {IBUPROFEN}", EDIT, {}, 0.0, "ok"),
    ("hedge-reversed", f"{IBUPROFEN} or {ASPIRIN}", EDIT, {}, 0.0, "ok"),
    ("hedge-in-tag", f"<answer>{ASPIRIN} {IBUPROFEN}</answer>", EDIT, {}, 0.0, "ok"),
    ("hedge-dotted", f"{ASPIRIN}.{IBUPROFEN}", EDIT, {}, 0.0, "ok"),
    ("hedge-dotted-stripped", f"{ASPIRIN}.{IBUPROFEN}", EDIT, {"strip_salts": True}, 0.0, "ok"),
    ("copied-input", ASPIRIN, {"not_in": [ASPIRIN]}, {}, 0.0, "ok"),
    ("copied-input-kekule", "CC(=O)OC1=C(C=CC=C1)C(O)=O", {"not_in": [ASPIRIN]}, {}, 0.0, "ok"),
    (
        "copied-input-as-salt",
        f"{ASPIRIN}.Cl",
        {"not_in": [ASPIRIN]},
        {"strip_salts": True},
        0.0,
        "ok",
    ),
    ("dummy-atom", "*c1ccccc1", "c1ccccc1", {}, 0.0, "ok"),
    ("radical", "[CH2]c1ccccc1", "Cc1ccccc1", {}, 0.0, "ok"),
    ("bad-valence", "CC(C)(C)(C)(C)C", "CCO", {}, 0.0, "ok"),
    ("salt-default", "CCO.Cl", "CCO", {}, 0.0, "ok"),
    ("salt-stripped", "CCO.Cl", "CCO", {"strip_salts": True}, 1.0, "ok"),
    ("stereo-on", D_ALANINE, L_ALANINE, {}, 0.0, "ok"),
    ("stereo-off", D_ALANINE, L_ALANINE, {"stereo": False}, 1.0, "ok"),
    ("explicit-h", "[H]OC([H])([H])C([H])([H])[H]", "CCO", {}, 1.0, "ok"),
    ("kekule", "C1=CC=CC=C1", "c1ccccc1", {}, 1.0, "ok"),
    ("enormous", "C" * 1_000_000, "CCO", {}, 0.0, "format_error"),
    ("enormous-in-tag", "<answer>" + "C" * 10_000 + "</answer>", "CCO", {}, 0.0, "format_error"),
    ("many-ring-labels", "C1" * 240, "CCO", {}, 0.0, "ok"),
    ("many-atoms", "C" * 300, "CCO", {}, 0.0, "format_error"),
    ("many-atoms-short", "[C]" * 166, "CCO", {}, 0.0, "ok"),
    ("deep-branches", "C(" * 240 + "C" + ")" * 240, "CCO", {}, 0.0, "format_error"),
    ("many-tags", "<answer>" * 100_000 + "CCO", "CCO", {}, 1.0, "ok"),
    ("many-fences", "```\n" * 100_000, "CCO", {}, 0.0, "format_error"),
    ("smiles-words-flood", "CCO " * 6000, "CCO", {}, 0.0, "format_error"),
    ("smiles-words-list", "CCO " * 4000, "CCO", {}, 0.0, "ok"),
    ("unclosed-think", "<think>" + "CCO " * 1000, "CCO", {}, 0.0, "format_error"),
    ("end-tokens-flood", "CCO" + "<|im_end|>" * 10_000, "CCO", {}, 1.0, "ok"),
    ("fullwidth", "\uff23\uff23\uff2f", "CCO", {}, 0.0, "format_error"),
    ("zero-width", "C\u200bCO", "CCO", {}, 0.0, "format_error"),
]


@pytest.mark.parametrize(
    ("response", "ground_truth", "options", "expected", "status"),
    [pytest.param(*case[1:], id=case[0]) for case in CORPUS],
)
def test_adversarial_direct(
    response: str, ground_truth: Any, options: dict, expected: float, status: str
) -> None:
    verify("CCO", "CCO")  # imports and caches are not part of the clock
    started = time.perf_counter()
    got, got_status, _ = judge(response, ground_truth, **options)
    assert time.perf_counter() - started < 0.5  # a tenth of the 5 s deadline
    assert (got, got_status) == (expected, status)


def test_adversarial_through_a_server(server: Server) -> None:
    items = [
        {"id": name, "verifier": "molecule", "response": response, "ground_truth": truth,
         "options": options}
        for name, response, truth, options, _, _ in CORPUS
    ]  # fmt: skip
    with server.client() as http:
        answer = http.post("/v1/rewards", json={"items": items, "timeout_s": 5})
    assert answer.status_code == 200, answer.text[:2000]
    results = answer.json()["results"]
    assert [result["id"] for result in results] == [item["id"] for item in items]
    for (name, _, _, _, expected, status), result in zip(CORPUS, results, strict=True):
        assert (result["reward"], result["status"]) == (expected, status), (name, result["detail"])
        assert set(result["components"]) == set(COMPONENTS)
