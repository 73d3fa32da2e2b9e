"""reward-server: rule-based, verifiable rewards for RL post-training, as a service.

In-process use::

    import reward_server
    item = {"verifier": "exact_match", "response": "4", "ground_truth": "4"}
    [result] = reward_server.score([item])
"""

from __future__ import annotations

__version__ = "0.1.0"

import atexit
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reward_server.engine import Engine
    from reward_server.models import Item, Result

__all__ = ["__version__", "score"]

_engine: Engine | None = None
_engine_lock = threading.Lock()


def score(
    items: Sequence[Item | dict[str, Any]],
    timeout_s: float | None = None,
    *,
    reject_unresolved: bool = False,
    shaping: dict[str, Any] | None = None,
) -> list[Result]:
    """Score items with a process-wide engine (started on first use, settings from the
    environment), exactly as the HTTP API would. With ``reject_unresolved``, an item no
    installed verifier can score raises ``reward_server.misconfiguration.UnresolvedVerifier``.
    ``shaping`` is the items' default reward shaping, as the HTTP request's."""
    global _engine
    with _engine_lock:
        if _engine is None:
            from reward_server.engine import Engine
            from reward_server.settings import load_settings

            _engine = Engine(load_settings()).start()
            atexit.register(_engine.close)
    return _engine.score(items, timeout_s, reject_unresolved=reject_unresolved, shaping=shaping)
