"""Verifier discovery through the entry-point group, and what every verifier shares."""

from __future__ import annotations

import pickle

import pytest

from verifiers import (
    ENTRY_POINT_GROUP,
    InvalidInput,
    Outcome,
    Registry,
    Status,
    Verifier,
    default_registry,
)


def test_builtin_and_plugin_verifiers_are_found() -> None:
    registry = default_registry()
    assert isinstance(registry["exact_match"], Verifier)
    # Registered by tests/plugins/*.dist-info, exactly as a third-party package would be.
    assert {"sleep_forever", "exit_worker", "raise_error"} <= set(registry)
    assert list(registry) == sorted(registry)


def test_broken_plugins_are_reported_not_fatal() -> None:
    errors = default_registry().load_errors
    assert "ModuleNotFoundError" in errors["broken_import"]
    assert "is not a Verifier" in errors["not_a_verifier"]
    assert "broken_import" not in default_registry()


def test_a_group_with_no_plugins_is_empty() -> None:
    registry = Registry.from_entry_points(group=ENTRY_POINT_GROUP + ".nothing_here")
    assert len(registry) == 0
    assert registry.load_errors == {}


def test_registry_is_immutable_mapping() -> None:
    registry = default_registry()
    with pytest.raises(TypeError):
        registry["x"] = registry["exact_match"]  # type: ignore[index]


def test_verifier_rejects_non_finite_rewards() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        default_registry()["nan_reward"]("", "", {})


def test_status_judgements() -> None:
    assert {s for s in Status if s.is_judgement} == {Status.OK, Status.FORMAT_ERROR}


def test_options_left_out_are_the_defaults_validated_once() -> None:
    verifier = default_registry()["json_schema"]
    assert verifier.parse_options({}) is verifier.parse_options(None)
    assert verifier.parse_options({}) == verifier.options_model()
    given = verifier.parse_options({"extraction": "lenient"})
    assert given.extraction == "lenient"
    assert verifier.parse_options(given) is given
    with pytest.raises(InvalidInput, match="options"):
        verifier.parse_options({"extraction": "loose"})


@pytest.mark.parametrize(
    "outcome",
    [
        Outcome(1.0),
        Outcome(0.25, Status.FORMAT_ERROR, "no answer", {"format": 0.0, "accuracy": 0.5}),
        Outcome(0.0, "not a status", None, {}),  # type: ignore[arg-type]  # a faulty plugin's
    ],
)
def test_an_outcome_survives_the_trip_from_a_worker(outcome: Outcome) -> None:
    back = pickle.loads(pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL))
    assert back == outcome
    assert type(back.status) is type(outcome.status)
