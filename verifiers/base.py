"""The verifier interface: a named, pure function of one sample.

A verifier module defines an options model and one public ``verify`` function, decorated
with :func:`verifier`::

    class MyOptions(VerifierOptions):
        strict: bool = True

    @verifier("my_check", options=MyOptions, components=("accuracy",))
    def verify(response: str, ground_truth: Any, options: MyOptions) -> Outcome: ...

The decorated object is a :class:`Verifier`; calling it with a plain mapping of options
validates them first, so unknown or ill-typed options become ``invalid_input``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError


class Status(StrEnum):
    """Why a reward is what it is. Only ``ok`` and ``format_error`` judge the model."""

    OK = "ok"
    FORMAT_ERROR = "format_error"
    INVALID_INPUT = "invalid_input"
    TIMEOUT = "timeout"
    ERROR = "error"

    @property
    def is_judgement(self) -> bool:
        return self in (Status.OK, Status.FORMAT_ERROR)


@dataclass(frozen=True, slots=True)
class Outcome:
    reward: float
    status: Status = Status.OK
    detail: str | None = None
    components: Mapping[str, float] = field(default_factory=dict)

    def __reduce__(self) -> tuple[type[Outcome], tuple[Any, ...]]:
        # Workers send the engine one outcome per item. Pickled as a frozen slotted
        # dataclass, one costs ~2 us more: dataclasses.fields() on each side.
        return Outcome, (self.reward, self.status, self.detail, self.components)


class InvalidInput(ValueError):
    """Raised by a verifier when the ground truth or options are unusable (the caller's bug)."""


class VerifierOptions(BaseModel):
    """Base of every verifier's options: frozen, and unknown keys are an error.

    A field's docstring is its description in the options schema ``/v1/verifiers`` shows."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


OptionsT = TypeVar("OptionsT", bound=VerifierOptions)
VerifyFunction = Callable[[str, Any, OptionsT], Outcome]


@dataclass(frozen=True)
class Verifier(Generic[OptionsT]):
    """A registered verifier: the function plus what the service needs to know about it."""

    name: str
    function: VerifyFunction[OptionsT]
    options_model: type[OptionsT]
    description: str = ""
    components: tuple[str, ...] = ()
    """The component keys every outcome carries; failures fill them with 0.0."""
    timeout_s: float | None = None
    """Default per-item deadline; ``None`` means the server's default."""

    @cached_property
    def default_options(self) -> OptionsT:
        """The options of a call that gives none, validated once (options are frozen)."""
        return self.options_model.model_validate({})

    def parse_options(self, options: Mapping[str, Any] | OptionsT | None) -> OptionsT:
        """Validate raw options; raises :class:`InvalidInput` with a readable message."""
        try:
            if not options:
                return self.default_options
            if isinstance(options, self.options_model):
                return options
            return self.options_model.model_validate(dict(options))
        except ValidationError as exc:
            raise InvalidInput(f"options: {describe_validation_error(exc)}") from None
        except (TypeError, ValueError):
            raise InvalidInput("options must be a JSON object") from None

    def __call__(
        self,
        response: str,
        ground_truth: Any,
        options: Mapping[str, Any] | OptionsT | None = None,
    ) -> Outcome:
        """Run the verifier on one sample; exceptions other than InvalidInput propagate."""
        outcome = self.function(response, ground_truth, self.parse_options(options))
        if not math.isfinite(outcome.reward):
            raise ValueError(f"verifier {self.name!r} returned a non-finite reward")
        return outcome


def verifier(
    name: str,
    *,
    options: type[OptionsT],
    description: str | None = None,
    components: tuple[str, ...] = (),
    timeout_s: float | None = None,
) -> Callable[[VerifyFunction[OptionsT]], Verifier[OptionsT]]:
    """Declare a verify function as a verifier; its docstring's first line describes it."""

    def wrap(function: VerifyFunction[OptionsT]) -> Verifier[OptionsT]:
        summary = description or (function.__doc__ or "").strip().split("\n", 1)[0]
        return Verifier(
            name=name,
            function=function,
            options_model=options,
            description=summary,
            components=components,
            timeout_s=timeout_s,
        )

    return wrap


def describe_validation_error(exc: ValidationError, limit: int = 3) -> str:
    """One line per pydantic error, e.g. ``foo: Extra inputs are not permitted``."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False)[:limit]:
        location = ".".join(str(part) for part in error["loc"])
        parts.append(f"{location}: {error['msg']}" if location else error["msg"])
    if exc.error_count() > limit:
        parts.append(f"(+{exc.error_count() - limit} more)")
    return "; ".join(parts)
