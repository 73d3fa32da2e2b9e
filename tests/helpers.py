from __future__ import annotations

import signal
import subprocess
from typing import Any


def item(verifier: str, response: str = "", ground_truth: Any = "", **fields: Any) -> dict:
    return {"verifier": verifier, "response": response, "ground_truth": ground_truth, **fields}


def terminate(process: subprocess.Popen, grace_s: float = 30) -> None:
    """SIGTERM a process we started, then SIGKILL it if it is still there after ``grace_s``."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
