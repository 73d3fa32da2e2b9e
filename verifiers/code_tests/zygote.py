"""code_tests: a Python interpreter started once per item, forking a fresh child per test.

Copied into the sandbox and started by runner.py (``python3 -I zygote.py``) for stdio tests
in Python: an interpreter start costs ~13 ms, a fork ~1 ms. It holds nothing secret (the
runner reads the job; this process never sees it). Per request on its socket (limits as
JSON, and the test's stdin, stdout and stderr as descriptors) it forks; the child takes
the descriptors as 0, 1 and 2, its own session and limits, and runs ``main.py`` as
``__main__``, as ``python3 main.py`` would; the zygote answers the child's pid, then its
wait status.
"""

import atexit
import builtins
import json
import os
import socket
import sys
import threading
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import set_limits  # from the work dir, which -I leaves out


def main():
    channel = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, fileno=int(sys.argv[1]))
    with open("main.py", "rb") as file:
        source = file.read()
    try:
        code = compile(source, "main.py", "exec")
        problem = None
    except (SyntaxError, ValueError) as exc:
        code, problem = None, exc
    while True:
        message, fds, _, _ = socket.recv_fds(channel, 4096, 3)
        if not message:
            return
        limits = json.loads(message)
        pid = os.fork()
        if pid == 0:
            channel.close()
            run_child(code, problem, fds, limits)
        for fd in fds:
            os.close(fd)
        channel.send(json.dumps({"pid": pid}).encode())
        _, status = os.waitpid(pid, 0)
        channel.send(json.dumps({"pid": pid, "status": status}).encode())


def run_child(code, problem, fds, limits):
    status = 1
    try:
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.closerange(3, 65536)
        set_limits(**limits)
        status = run_program(code, problem)
    finally:
        os._exit(status)


def run_program(code, problem):
    """The program as ``__main__``; its exit status, as the interpreter would give it."""
    module = types.ModuleType("__main__")
    module.__dict__.update({"__file__": os.path.abspath("main.py"), "__builtins__": builtins})
    sys.modules["__main__"] = module
    sys.argv = ["main.py"]
    sys.path.insert(0, os.getcwd())
    status = 0
    try:
        if problem is not None:
            raise problem
        exec(code, module.__dict__)  # noqa: S102 - the program, inside the sandbox
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
    except SystemExit as exc:
        status = exit_status(exc.code)
    except BaseException:
        traceback.print_exc()
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or 120
    return status


def exit_status(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    main()
