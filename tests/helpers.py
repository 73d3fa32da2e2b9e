from __future__ import annotations

from typing import Any


def item(verifier: str, response: str = "", ground_truth: Any = "", **fields: Any) -> dict:
    return {"verifier": verifier, "response": response, "ground_truth": ground_truth, **fields}
