"""Reward shaping, for every verifier: the engine turns a judged reward into the trained one.

Steps, in this order, each optional (``options.shaping`` of an item, or the request's
``shaping``, which an item's overrides key by key):

1. ``overlong``: DAPO's soft overlong punishment (Yu et al. 2025), added to the reward.
2. ``sigmoid``: PAR, Preference As Reward (Fu et al. 2025): ``sigmoid(r - reference)``,
   averaged over the references when there are several: bounded, and centered on them.
3. ``clip``: to ``[min, max]``.
4. ``scale`` and ``offset``: ``scale * r + offset``.

Only judgements (``ok``, ``format_error``) are shaped; an operational failure keeps the
configured ``failure_reward``. The verifier's reward stays in ``components.raw_reward``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from verifiers.base import InvalidInput, describe_validation_error

__all__ = ["SHAPING_KEY", "Overlong", "Range", "Shaping", "Sigmoid", "item_shaping"]

SHAPING_KEY = "shaping"
"""The key of an item's ``options`` that the engine takes for itself."""
MAX_LENGTH = 100_000_000
"""Bound on lengths, in characters or tokens: far above any context window."""
MAX_MAGNITUDE = 1e6
"""Bound on references, clip ends and offsets: rewards are small numbers."""
MAX_REFERENCES = 64

Finite = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Overlong(_Model):
    """DAPO's soft overlong punishment, added to the reward: 0 up to ``max_length -
    buffer``, then falling linearly to -1 at ``max_length``, and -1 beyond it."""

    max_length: int = Field(ge=1, le=MAX_LENGTH)
    """L_max: a longer response gets -1."""
    buffer: int = Field(ge=1, le=MAX_LENGTH)
    """L_cache: the soft zone below max_length where the penalty grows from 0 to -1."""
    unit: Literal["auto", "characters", "tokens"] = "auto"
    """How the length is counted: tokens from extra_info.response_length (which the
    trainer must then send), characters of the response, or auto: tokens when the item
    has extra_info.response_length, else characters."""

    @model_validator(mode="after")
    def _buffer_fits(self) -> Self:
        if self.buffer > self.max_length:
            raise ValueError(
                f"buffer ({self.buffer}) must not exceed max_length ({self.max_length})"
            )
        return self

    def penalty(self, length: int) -> float:
        soft_start = self.max_length - self.buffer
        if length <= soft_start:
            return 0.0
        if length <= self.max_length:
            return (soft_start - length) / self.buffer
        return -1.0


class Sigmoid(_Model):
    """PAR: ``sigmoid(r - reference)``, the mean over the references when several."""

    reference: Finite | Annotated[list[Finite], Field(min_length=1, max_length=MAX_REFERENCES)]
    """The reference reward r_ref (PAR: the reward of a reference model's response to the
    same prompt), or a list of them (several reference responses)."""

    def __call__(self, reward: float) -> float:
        references = self.reference if isinstance(self.reference, list) else [self.reference]
        return math.fsum(_sigmoid(reward - ref) for ref in references) / len(references)


class Range(_Model):
    min: Finite
    max: Finite

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not exceed max ({self.max:g})")
        return self


class Shaping(_Model):
    """Engine-level reward shaping, applied in the order overlong, sigmoid, clip, then
    scale and offset; the verifier's reward stays in components.raw_reward."""

    overlong: Overlong | None = None
    """DAPO's soft overlong punishment (Yu et al. 2025)."""
    sigmoid: Sigmoid | None = None
    """PAR's bounded, centered reward (Fu et al. 2025)."""
    clip: Range | None = None
    """Clip the reward to [min, max]."""
    scale: float = Field(1.0, allow_inf_nan=False, gt=0, le=1000)
    """Multiplies the reward, after clipping. Positive: a negative scale would rank a wrong
    answer above a right one."""
    offset: Finite = 0.0
    """Added after scaling."""

    @property
    def component_keys(self) -> tuple[str, ...]:
        """The components a shaped item's result carries besides its verifier's."""
        if self.overlong is None:
            return ("raw_reward",)
        return ("raw_reward", "overlong_penalty", "response_length")

    def apply(self, reward: float, length: int | None) -> tuple[float, dict[str, float]]:
        """The shaped reward, and the components that show how it was reached."""
        components = {"raw_reward": reward}
        if self.overlong is not None:
            assert length is not None, "the engine measures the length of every overlong item"
            penalty = self.overlong.penalty(length)
            components["overlong_penalty"] = penalty
            components["response_length"] = float(length)
            reward += penalty
        if self.sigmoid is not None:
            reward = self.sigmoid(reward)
        if self.clip is not None:
            reward = min(max(reward, self.clip.min), self.clip.max)
        return self.scale * reward + self.offset, components

    def length_of(self, response: str, extra_info: Mapping[str, Any]) -> int | None:
        """The length the overlong penalty counts; raises :class:`InvalidInput` when the
        unit asks for a token count the item lacks, or the count is not one."""
        if self.overlong is None:
            return None
        unit = self.overlong.unit
        if unit == "characters":
            return len(response)
        if "response_length" not in extra_info:
            if unit == "tokens":
                raise InvalidInput(
                    "options.shaping.overlong.unit is 'tokens': send the response's length "
                    "in tokens as extra_info.response_length"
                )
            return len(response)
        value = extra_info["response_length"]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if type(value) is not int or not 0 <= value <= MAX_LENGTH:
            shown = repr(value)[:40]
            raise InvalidInput(
                f"extra_info.response_length must be a whole number of tokens from 0 to "
                f"{MAX_LENGTH}, got {shown}"
            )
        return value


def request_shaping(value: Shaping | Mapping[str, Any] | None) -> Shaping | None:
    """A request's default shaping; raises ``ValueError`` naming the problem."""
    if value is None or isinstance(value, Shaping):
        return value
    try:
        return Shaping.model_validate(value)
    except ValidationError as exc:
        raise ValueError(f"shaping: {describe_validation_error(exc)}") from None


def item_shaping(default: Shaping | None, options: Mapping[str, Any]) -> Shaping | None:
    """The shaping of an item: the request's ``default``, with the keys of the item's
    ``options.shaping`` in place of its own (``null`` removes a step; ``"shaping": null``
    removes them all). Raises :class:`InvalidInput` naming the bad field."""
    if SHAPING_KEY not in options:
        return default
    given = options[SHAPING_KEY]
    if given is None:
        return None
    if not isinstance(given, Mapping):
        raise InvalidInput(
            f"options.shaping must be an object, got {type(given).__name__}: "
            'e.g. {"sigmoid": {"reference": 0.5}}'
        )
    base = default.model_dump(exclude_unset=True) if default is not None else {}
    try:
        return Shaping.model_validate({**base, **given})
    except ValidationError as exc:
        raise InvalidInput(f"options.shaping: {describe_validation_error(exc)}") from None


def _sigmoid(x: float) -> float:
    # Two forms, so that exp never overflows: exp(-x) for x >= 0, exp(x) below.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)
