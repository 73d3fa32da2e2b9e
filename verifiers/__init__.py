"""Pluggable verifiers: each turns (response, ground truth, options) into an Outcome."""

from verifiers.base import (
    InvalidInput,
    Outcome,
    Status,
    Verifier,
    VerifierOptions,
    verifier,
)
from verifiers.registry import ENTRY_POINT_GROUP, Registry, default_registry

__all__ = [
    "ENTRY_POINT_GROUP",
    "InvalidInput",
    "Outcome",
    "Registry",
    "Status",
    "Verifier",
    "VerifierOptions",
    "default_registry",
    "verifier",
]
