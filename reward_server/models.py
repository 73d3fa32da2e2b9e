"""The wire format of the native HTTP API; every other entry point speaks it too."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, WithJsonSchema, model_validator

from reward_server.shaping import Shaping
from verifiers.base import Status, Verifier

WARNING_HEADER = "X-Reward-Server-Warning"
"""Response header set when every item of a batch failed (invalid_input or error), so that
its rewards are all the failure reward; the value says how, with the first item's detail."""


class Item(BaseModel):
    """One sample to score."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str | None, Field(coerce_numbers_to_str=True)] = None
    verifier: str | None = Field(
        None,
        description="Verifier name, or 'compose' (ground_truth then lists the parts); else "
        "routed by data_source.",
    )
    data_source: str | None = Field(None, description="Dataset name, used to route to a verifier.")
    response: str = Field(description="The model's output.")
    ground_truth: Any = Field(description="The reference answer, in the verifier's format.")
    ground_truth_ref: str | None = Field(
        None,
        description="Instead of ground_truth: the name of one of the request's ground_truths "
        "(GRPO's rollouts of one prompt share theirs; it is sent and parsed once).",
    )
    prompt: str | None = None
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Verifier options, and 'shaping' (the Shaping schema): this item's reward "
        "shaping, overriding the request's key by key; the verifier never sees it.",
    )
    extra_info: dict[str, Any] = Field(
        default_factory=dict,
        description="Anything else; 'response_length' (tokens) is the length an overlong "
        "shaping counts.",
    )

    @model_validator(mode="before")
    @classmethod
    def _one_ground_truth(cls, data: Any) -> Any:
        if isinstance(data, dict) and "ground_truth_ref" in data:
            if "ground_truth" in data:
                raise ValueError("give ground_truth or ground_truth_ref, not both")
            return {**data, "ground_truth": None}  # filled from the request's ground_truths
        return data


class Result(BaseModel):
    """The reward for one item; ``results[i]`` always answers ``items[i]``."""

    id: str | None
    verifier: str = Field(description="The verifier that scored the item ('' if none resolved).")
    reward: float
    status: Status
    detail: str | None = None
    components: dict[str, float] = Field(default_factory=dict)
    elapsed_ms: float = 0.0


# Items are validated one by one so that a bad item yields an invalid_input result instead
# of failing its whole batch; the schema still documents what an item should be.
RawItem = Annotated[Any, WithJsonSchema(Item.model_json_schema())]


class RewardsRequest(BaseModel):
    items: list[RawItem]
    ground_truths: dict[str, Any] = Field(
        default_factory=dict,
        description="Ground truths shared by several items, by name: an item names one with "
        "ground_truth_ref instead of carrying its own ground_truth.",
    )
    timeout_s: PositiveFloat | None = Field(
        None, description="Per-item deadline for this request, capped by the server."
    )
    shaping: Shaping | None = Field(
        None,
        description="Reward shaping for every item of the request; an item's "
        "options.shaping overrides it key by key.",
    )
    reject_unresolved: bool = Field(
        False,
        description="Refuse the request (422) when an item has no verifier the server can "
        "use, instead of answering that item invalid_input.",
    )


class RewardsResponse(BaseModel):
    results: list[Result]


class VerifierInfo(BaseModel):
    name: str
    description: str
    components: list[str]
    timeout_s: float = Field(description="Default per-item deadline in seconds.")
    options_schema: dict[str, Any]

    @classmethod
    def of(cls, verifier: Verifier, default_timeout_s: float, max_timeout_s: float) -> Self:
        return cls(
            name=verifier.name,
            description=verifier.description,
            components=list(verifier.components),
            timeout_s=min(verifier.timeout_s or default_timeout_s, max_timeout_s),
            options_schema=verifier.options_model.model_json_schema(),
        )


class ErrorResponse(BaseModel):
    """Every error the service answers with: a message, or FastAPI's list of validation
    errors for a body that does not parse."""

    detail: str | list[dict[str, Any]]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": description}
    for code, description in {
        401: "Missing or invalid API key (when the server has keys).",
        413: "Body, or number of items, over the server's limits.",
        422: "The body is not a valid request.",
        503: "Busy: too many items pending (see Retry-After), or not ready.",
    }.items()
}
