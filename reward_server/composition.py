"""Composition: one item scored by several verifiers, their rewards combined into one.

An item with ``"verifier": "compose"`` carries ``{"parts": [{"verifier", "ground_truth",
"weight"?, "options"?, "name"?}, ...], "combine"?: "weighted_sum" | "min" | "product"}`` as
its ground truth. The server reads it (every part's verifier installed, its options valid)
before scheduling; a worker runs the parts one after another in the same task, so the item
has one deadline and a sandboxed part runs as it would alone. Components are the parts',
prefixed with the part's name (its verifier's, unless given): ``math.accuracy``,
``math.reward``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from verifiers.base import (
    InvalidInput,
    Outcome,
    Status,
    Verifier,
    VerifierOptions,
    describe_validation_error,
)
from verifiers.registry import default_registry

__all__ = [
    "COMPOSE",
    "ComposeOptions",
    "Composition",
    "CompositionSpec",
    "PartSpec",
    "composite_verifier",
    "cost_key",
    "parse_composition",
    "verify_composite",
]

COMPOSE = "compose"
"""The verifier name an item gives to be scored by a composition (reserved: a plugin of
that name is never chosen)."""
MAX_PARTS = 8
MAX_WEIGHT = 1000.0
PART_DETAIL_CHARS = 100
"""A part's own detail is cut to this in the composite's detail."""
DETAIL_CHARS = 500

Combine = Literal["weighted_sum", "min", "product"]


class PartSpec(BaseModel):
    """One verifier of a composition, with its own ground truth and options."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    verifier: str
    ground_truth: Any
    weight: float = Field(1.0, allow_inf_nan=False, ge=0, le=MAX_WEIGHT)
    """The part's weight in a weighted_sum. Never negative: a negative weight would turn a
    part's failure (a format error's -1) into credit."""
    options: dict[str, Any] = Field(default_factory=dict)
    name: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,40}$")
    """Prefix of the part's components; the verifier's name by default. Needed when two
    parts use the same verifier."""


class CompositionSpec(BaseModel):
    """The ground truth of a ``compose`` item."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    parts: list[PartSpec] = Field(min_length=1, max_length=MAX_PARTS)
    combine: Combine = "weighted_sum"
    """weighted_sum: sum of weight x reward; min: the lowest part reward; product: the
    product of the part rewards when none is negative, else the lowest."""


class ComposeOptions(VerifierOptions):
    """A compose item's options hold nothing but ``shaping``: each part has its own."""


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    verifier: str
    weight: float
    ground_truth: Any
    options: VerifierOptions


@dataclass(frozen=True, slots=True)
class Composition:
    """A composition read and checked in the server process: what a worker runs."""

    parts: tuple[Part, ...]
    combine: Combine

    @property
    def cost_key(self) -> str:
        """Compositions of the same verifiers cost alike; others may not (a sandboxed part)."""
        return f"{COMPOSE}[{'+'.join(part.verifier for part in self.parts)}]"


def parse_composition(ground_truth: Any, registry: Mapping[str, Verifier]) -> Composition:
    """Read a compose item's ground truth; raises :class:`InvalidInput` naming the field."""
    if not isinstance(ground_truth, Mapping):
        raise InvalidInput(
            f"a compose item's ground_truth must be an object with 'parts', got "
            f'{type(ground_truth).__name__}: {{"parts": [{{"verifier": ..., "ground_truth": '
            '..., "weight": ...}]}'
        )
    try:
        spec = CompositionSpec.model_validate(ground_truth)
    except ValidationError as exc:
        raise InvalidInput(f"ground_truth.{describe_validation_error(exc)}") from None
    parts = []
    for index, given in enumerate(spec.parts):
        where = f"ground_truth.parts.{index}"
        verifier = registry.get(given.verifier) if given.verifier != COMPOSE else None
        if verifier is None:
            known = ", ".join(registry) or "none"
            raise InvalidInput(
                f"{where}.verifier {given.verifier[:64]!r} is not an installed verifier "
                f"(compositions do not nest; installed: {known})"
            )
        if "shaping" in given.options:
            raise InvalidInput(
                f"{where}.options.shaping: shaping applies to the whole item: put it in the "
                "item's options"
            )
        if spec.combine != "weighted_sum" and given.weight != 1.0:
            raise InvalidInput(
                f"{where}.weight: weights apply to combine 'weighted_sum' only; "
                f"{spec.combine!r} takes each part's reward as it is"
            )
        try:
            options = verifier.parse_options(given.options)
        except InvalidInput as exc:
            raise InvalidInput(f"{where} ({verifier.name}): {exc}") from None
        name = given.name or verifier.name
        parts.append(Part(name, verifier.name, given.weight, given.ground_truth, options))
    names = [part.name for part in parts]
    if len(set(names)) < len(names):
        raise InvalidInput(
            f"ground_truth.parts: two parts are named {_first_duplicate(names)!r}: give "
            "each a distinct 'name'"
        )
    if spec.combine == "weighted_sum" and not any(part.weight for part in parts):
        raise InvalidInput("ground_truth.parts: every weight is 0, so every reward would be 0")
    return Composition(tuple(parts), spec.combine)


def composite_verifier(
    composition: Composition, registry: Mapping[str, Verifier], default_timeout_s: float
) -> Verifier:
    """What the engine knows of a composition as of a verifier: its name, its components,
    and its deadline: the sum of its parts' (they run one after another)."""
    components = []
    timeout_s = 0.0
    for part in composition.parts:
        verifier = registry[part.verifier]
        components.append(f"{part.name}.reward")
        components.extend(f"{part.name}.{key}" for key in verifier.components)
        timeout_s += verifier.timeout_s or default_timeout_s
    return Verifier(
        name=COMPOSE,
        function=verify_composite,
        options_model=ComposeOptions,
        description="Several verifiers on one response, their rewards combined.",
        components=tuple(components),
        timeout_s=timeout_s,
    )


def cost_key(task: tuple) -> str:
    """The name the engine's cost tracking files a task under (see reward_server.chunks)."""
    name, _, ground_truth = task[:3]
    return ground_truth.cost_key if name == COMPOSE else name


class PartFailed(RuntimeError):
    """A part's verifier raised: the composite is an ``error`` that names the part."""


def verify_composite(response: str, composition: Composition, options: Any) -> Outcome:
    """Run in a worker: every part in turn, then their rewards combined."""
    registry = default_registry()
    rewards: list[float] = []
    components: dict[str, float] = {}
    details: list[str] = []
    format_error = False
    for part in composition.parts:
        try:
            outcome = registry[part.verifier](response, part.ground_truth, part.options)
        except InvalidInput as exc:
            raise InvalidInput(f"part {part.name!r}: {exc}") from None
        except Exception as exc:  # the boundary of a part: still an error, naming the part
            raise PartFailed(f"part {part.name!r}: {type(exc).__name__}: {exc}") from exc
        status = Status(outcome.status)
        if not status.is_judgement:
            return Outcome(0.0, status, f"part {part.name!r}: {outcome.detail}")
        format_error = format_error or status is Status.FORMAT_ERROR
        reward = float(outcome.reward)
        rewards.append(reward)
        components[f"{part.name}.reward"] = reward
        for key, value in outcome.components.items():
            components[f"{part.name}.{key}"] = float(value)
        shown = f" ({(outcome.detail or '')[:PART_DETAIL_CHARS]})" if outcome.detail else ""
        details.append(f"{part.name}: {status.value} {reward:g}{shown}")
    combined = _combine(composition, rewards)
    if not math.isfinite(combined):
        raise PartFailed(f"{composition.combine} of {rewards} is not a finite number")
    return Outcome(
        combined,
        Status.FORMAT_ERROR if format_error else Status.OK,
        (f"{composition.combine} {combined:g} = " + "; ".join(details))[:DETAIL_CHARS],
        components,
    )


def _combine(composition: Composition, rewards: list[float]) -> float:
    if composition.combine == "weighted_sum":
        weighted = zip(composition.parts, rewards, strict=True)
        return math.fsum(part.weight * reward for part, reward in weighted)
    if composition.combine == "product" and min(rewards) >= 0:
        return math.prod(rewards)
    # min, and a product with a negative factor: two -1 format errors must not multiply to 1.
    return min(rewards)


def _first_duplicate(names: list[str]) -> str:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return ""
