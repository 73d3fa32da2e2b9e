"""code_tests: the solution's side of call- and assert-based tests, in the solution's process.

Copied into the sandbox and started by runner.py as ``python3 -I solution_host.py``: it
runs ``main.py`` (not as ``__main__``), tells the runner the names it defined, then answers
one request per line on its standard input, ``{"call": name, "args": [...]}``, with
``{"value": ...}`` or ``{"raised": "Type: message"}`` on its standard output. What the
program prints goes to the error stream. Nothing of the tests' expected values is ever in
this process: the runner holds them, and compares.
"""

import builtins
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import decode, encode  # from the work dir, which -I leaves out

MAX_RAISED_CHARS = 1000


def main():
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)  # the program's prints: to the error stream, not into the answers

    def send(message):
        answers.write(json.dumps(message).encode() + b"\n")
        answers.flush()

    namespace = {"__name__": "__solution__", "__builtins__": builtins}
    with open("main.py", encoding="utf-8", errors="replace") as file:
        source = file.read()
    # Like the function-completion harnesses: the typing names a signature may use.
    exec("from typing import *", namespace)  # noqa: S102 - a constant, not the program
    exec(compile(source, "main.py", "exec"), namespace)  # noqa: S102 - inside the sandbox
    sys.stdout.flush()
    send({"names": [name for name, value in namespace.items() if _is_function(name, value)]})
    for line in requests:
        request = json.loads(line)
        try:
            value = _resolve(namespace, request["call"])(*decode(request["args"]))
            send({"value": encode(value)})
        except Exception as exc:  # the program's exception, reported
            send({"raised": f"{type(exc).__name__}: {exc}"[:MAX_RAISED_CHARS]})
        sys.stdout.flush()


def _is_function(name, value):
    return callable(value) and not name.startswith("__") and not isinstance(value, type(sys))


def _resolve(namespace, name):
    """A top-level function, else LeetCode's ``Solution().name``."""
    function = namespace.get(name)
    if callable(function):
        return function
    solution = namespace.get("Solution")
    if isinstance(solution, type) and callable(getattr(solution, name, None)):
        return getattr(solution(), name)
    raise NameError(f"the program defines no function {name!r}")


if __name__ == "__main__":
    main()
