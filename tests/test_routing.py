from __future__ import annotations

import pytest

from reward_server.routing import choose_verifier, route_data_source
from reward_server.settings import DEFAULT_ROUTES


@pytest.mark.parametrize(
    "data_source",
    [
        "openai/gsm8k",
        "lighteval/MATH",
        "DigitalLearningGmbH/MATH-lighteval",
        "HuggingFaceH4/MATH-500",
        "math_dapo",
        "aime2024",
        "AIME_2025",
        "numina_olympiads",
    ],
)
def test_default_routes_cover_verl_data_sources(data_source: str) -> None:
    assert route_data_source(data_source, DEFAULT_ROUTES) == "math"


def test_unrouted_data_source() -> None:
    assert route_data_source("my/private-set", DEFAULT_ROUTES) is None


def test_precedence() -> None:
    routes = {"qa_*": "exact_match"}
    assert choose_verifier("math", "qa_x", routes, "other") == "math"
    assert choose_verifier(None, "qa_x", routes, "other") == "exact_match"
    assert choose_verifier(None, "nope", routes, "other") == "other"
    assert choose_verifier(None, None, routes, None) is None
    assert choose_verifier("", None, routes, "other") == "other"
