"""Verifiers that misbehave on purpose, to test the engine's supervision.

They are registered through entry points (see the dist-info folder beside this file), the
same way a third-party plugin would be, and only when this folder is on sys.path.
"""

from __future__ import annotations

import ctypes
import os
import re
import time
from typing import Any

from verifiers import Outcome, VerifierOptions, verifier


class NoOptions(VerifierOptions):
    pass


class SleepyOptions(VerifierOptions):
    seconds: float = 0.0


NOT_A_VERIFIER = "registered by mistake"


@verifier("sleep_forever", options=NoOptions, components=("accuracy",))
def sleep_forever(response: str, ground_truth: Any, options: NoOptions) -> Outcome:
    """Never returns."""
    while True:
        time.sleep(3600)


@verifier("sleepy", options=SleepyOptions, components=("accuracy",))
def sleepy(response: str, ground_truth: Any, options: SleepyOptions) -> Outcome:
    """Sleeps for options.seconds, then rewards float(ground_truth)."""
    time.sleep(options.seconds)
    return Outcome(float(ground_truth), components={"accuracy": 1.0})


@verifier("slow_default", options=NoOptions, timeout_s=0.5)
def slow_default(response: str, ground_truth: Any, options: NoOptions) -> Outcome:
    """Declares a 0.5 s default deadline and takes 30 s."""
    time.sleep(30)
    return Outcome(1.0)


@verifier("exit_worker", options=NoOptions)
def exit_worker(response: str, ground_truth: Any, options: NoOptions) -> Outcome:
    """Kills its own worker process."""
    os._exit(1)


@verifier("segfault", options=NoOptions)
def segfault(response: str, ground_truth: Any, options: NoOptions) -> Outcome:
    """Dereferences a null pointer."""
    ctypes.string_at(0)
    return Outcome(1.0)


@verifier("raise_error", options=NoOptions)
def raise_error(response: str, ground_truth: Any, options: NoOptions) -> Outcome:
    """Raises."""
    raise RuntimeError("boom")


@verifier("memory_hog", options=NoOptions)
def memory_hog(response: str, ground_truth: Any, options: NoOptions) -> Outcome:
    """Asks for 64 GiB."""
    hoard = bytearray(64 * 2**30)
    return Outcome(float(len(hoard) > 0))


@verifier("nan_reward", options=NoOptions)
def nan_reward(response: str, ground_truth: Any, options: NoOptions) -> Outcome:
    """Returns a reward that is not a number."""
    return Outcome(float("nan"))


@verifier("moody", options=NoOptions)
def moody(response: str, ground_truth: Any, options: NoOptions) -> Outcome:
    """Cheap, but for a response that asks otherwise: ``hang`` sleeps (a signal reaches
    it), ``stuck`` backtracks in the regex engine's C code (none does), ``crash`` kills its
    worker; anything else rewards float(ground_truth) at once."""
    if response == "hang":
        time.sleep(3600)
    elif response == "stuck":
        re.match(r"(a+)+$", "a" * 64 + "b")
    elif response == "crash":
        os._exit(1)
    return Outcome(float(ground_truth))


@verifier("truth_identity", options=NoOptions)
def truth_identity(response: str, ground_truth: Any, options: NoOptions) -> Outcome:
    """Says which ground-truth object it was given, in which worker (process id and object
    id), and how many entries it has."""
    return Outcome(1.0, detail=f"{os.getpid()} {id(ground_truth)} {len(ground_truth)}")
