"""code_tests' runner, inside the sandbox: every test of one item in one run, one process each.

Not imported by the verifier: its text is copied into the run's work dir, with
``solution_host.py``, the program and ``job.json``, and started as ``python3 -I runner.py``
(Debian's python3, standard library only). It reads the job and deletes it before any
program starts, and makes itself non-dumpable, so a program running as the same uid can
read neither the job file nor this process's memory, descriptors or environment.

What it reports is one line per event on its standard output, each starting with the
run's nonce, which only the job file and this process's memory hold: a program can print,
but not a line the verifier believes. The verdicts are not made here: stdio outputs and
call results go back to the verifier, which keeps the expected outputs outside the
sandbox. Assert-based tests are judged here, since their test code holds the expected
values: it runs in this process, and each call of the solution is a request to a separate
process (``solution_host.py``) that returns plain data, never an object of the program's.
"""

import base64
import builtins
import contextlib
import ctypes
import json
import os
import resource
import selectors
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import decode, encode  # from the work dir, which -I leaves out

PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
STDERR_TAIL = 2000
MESSAGE_BYTES = 64 * 1024 * 1024
ENV = {"PATH": "/usr/bin:/bin", "HOME": "/work", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}


class TimeLimit(Exception):
    pass


class SolutionDied(Exception):
    pass


class RemoteError(Exception):
    """An exception of the solution's own class, raised in its process."""


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    with open("job.json", "rb") as file:
        job = json.loads(file.read())
    os.unlink("job.json")
    report = Reporter(job["nonce"])
    # Whatever the test code prints must not mix with the report.
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the process's lifetime
    if job["language"] == "cpp" and not compile_cpp(job, report):
        report.emit({"done": True})
        return
    mode = job["mode"]
    if mode == "program":
        report.emit(program_run(job))
        report.emit({"done": True})
        return
    zygote = Zygote() if mode == "stdio" and job["language"] == "python" else None
    for index, test in enumerate(job["tests"]):
        if mode == "stdio":
            record, failed = stdio_test(job, test, zygote)
        elif mode == "call":
            record, failed = call_test(job, test)
        else:
            record, failed = assert_test(job, test)
        kill_strays(keep=zygote.pid if zygote else None)
        record["test"] = index
        report.emit(record)
        if failed and job["stop_on_first_failure"]:
            break
    report.emit({"done": True})


class Reporter:
    def __init__(self, nonce):
        self.nonce = nonce
        self.fd = os.dup(1)

    def emit(self, record):
        data = f"\n{self.nonce} {json.dumps(record)}\n".encode()
        while data:
            data = data[os.write(self.fd, data) :]


def compile_cpp(job, report):
    started = time.monotonic()
    process = subprocess.Popen(
        ["g++", "-O2", "-std=gnu++17", "-o", "main", "main.cpp"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=ENV,
        start_new_session=True,
    )
    _, err, timed_out = exchange(process, b"", 0, started + job["compile_timeout_s"])
    ok = process.returncode == 0 and not timed_out
    report.emit(
        {
            "compiled": ok,
            "timed_out": timed_out,
            "exit": process.returncode,
            "time_s": round(time.monotonic() - started, 4),
            "stderr": tail(err),
        }
    )
    kill_strays()
    return ok


def program_argv(job):
    return ["./main"] if job["language"] == "cpp" else ["python3", "main.py"]


def child_limits(job):
    memory = job["memory_bytes"]
    cpu = int(job["time_limit_s"]) + 1

    def apply():
        set_limits(memory, cpu)

    return apply


def set_limits(memory, cpu):
    """A test's address space and CPU time, never above what the run itself may use (a
    hard limit cannot be raised); SIGXCPU at ``cpu`` s, SIGKILL a second later."""
    for kind, soft, hard in (
        (resource.RLIMIT_AS, memory, memory),
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_CORE, 0, 0),
    ):
        _, ceiling = resource.getrlimit(kind)
        if ceiling != resource.RLIM_INFINITY:
            hard = min(hard, ceiling)
        resource.setrlimit(kind, (min(soft, hard), hard))


def spawn(job, argv):
    return subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        start_new_session=True,
        preexec_fn=child_limits(job),
    )


def stdio_test(job, test, zygote=None):
    started = time.monotonic()
    process = zygote.spawn(job) if zygote else spawn(job, program_argv(job))
    deadline = started + job["time_limit_s"]
    out, err, timed_out = exchange(process, test["input"].encode(), test["cap"], deadline)
    record = ended(process, started, timed_out, err, out, test["cap"])
    record["out"] = base64.b64encode(out[: test["cap"]]).decode()
    failed = record["kind"] is not None
    expected_tokens = test.get("tokens")
    if not failed and expected_tokens is not None:
        failed = len(out.split()) != expected_tokens
    return record, failed


def program_run(job):
    """One run of the program on ``stdin``, its output and errors kept whole up to ``cap``
    (SandboxFusion's /run_code)."""
    started = time.monotonic()
    process = spawn(job, program_argv(job))
    cap = job["cap"]
    deadline = started + job["time_limit_s"]
    out, err, timed_out = exchange(process, job["stdin"].encode(), cap, deadline, err_cap=cap)
    record = ended(process, started, timed_out, err, out, cap)
    record["out"] = base64.b64encode(out[:cap]).decode()
    record["err"] = base64.b64encode(err).decode()
    return record


def ended(process, started, timed_out, err, out=b"", cap=None):
    """What every test reports about the program's process, and the kind of a failure that
    needs no expected output: time, output, memory, runtime error."""
    code = process.returncode
    record = {"exit": code, "time_s": round(time.monotonic() - started, 4), "stderr": tail(err)}
    if timed_out or code == -signal.SIGXCPU:
        record["kind"] = "time_limit"
    elif cap is not None and len(out) > cap:
        record["kind"] = "output_limit"
    elif code == -signal.SIGKILL or (code != 0 and memory_error(tail(err))):
        record["kind"] = "memory_limit"  # SIGKILL that was not ours: the memory cgroup's
    elif code != 0:
        record["kind"] = "runtime_error"
    else:
        record["kind"] = None
    return record


def memory_error(text):
    return "MemoryError" in text or "std::bad_alloc" in text


def exchange(process, data, cap, deadline, err_cap=STDERR_TAIL):
    """Feed ``data`` to the process, keep at most ``cap + 1`` bytes of its output and the tail
    of its errors, until it ends or the deadline passes (then it is killed)."""
    out, err = bytearray(), bytearray()
    selector = selectors.DefaultSelector()
    if process.stdin is not None:
        if data:
            os.set_blocking(process.stdin.fileno(), False)
            selector.register(process.stdin, selectors.EVENT_WRITE)
        else:
            process.stdin.close()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            selector.register(stream, selectors.EVENT_READ)
    view, timed_out = memoryview(data), False
    while selector.get_map():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        for key, _ in selector.select(remaining):
            if key.fileobj is process.stdin:
                try:
                    written = os.write(key.fd, view[:65536])
                except (BrokenPipeError, BlockingIOError) as exc:
                    written = 0 if isinstance(exc, BlockingIOError) else len(view)
                view = view[written:]
                if not view:
                    selector.unregister(key.fileobj)
                    process.stdin.close()
                continue
            chunk = os.read(key.fd, 65536)
            if not chunk:
                selector.unregister(key.fileobj)
                continue
            if key.fileobj is process.stdout:
                out += chunk
                if len(out) > cap:
                    selector.unregister(key.fileobj)
            else:
                err = (err + chunk)[-err_cap:]
        if len(out) > cap and process.stdout is not None:
            break
    selector.close()
    kill_group(process)
    return bytes(out), bytes(err), timed_out


def kill_group(process):
    if process.pid > 0:  # 0 would be our own group
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def kill_strays(keep=None):
    """Kill what a test left running (a daemon out of its session), then reap it: every
    process but this one, its ancestors and ``keep``. Others' processes refuse (EPERM)."""
    pid = os.getpid()
    keep = {pid, keep}
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat") as file:
                pid = int(file.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        keep.add(pid)
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in keep:
            with contextlib.suppress(OSError):
                os.kill(int(name), signal.SIGKILL)
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                break
        except ChildProcessError:
            break


def tail(data):
    return data[-STDERR_TAIL:].decode(errors="replace")


# -- Python programs forked from an interpreter that started once ---------------------


class Zygote:
    """zygote.py in its own session: a socket to it, and the child of each test."""

    def __init__(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen(
            ["python3", "-I", "zygote.py", str(theirs.fileno())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=ENV,
            start_new_session=True,
            pass_fds=(theirs.fileno(),),
        )
        theirs.close()
        self.pid = self.process.pid
        self.channel = ours

    def spawn(self, job):
        return ZygoteChild(self, job)

    def receive(self):
        message = self.channel.recv(4096)
        if not message:
            raise OSError("the zygote ended")
        return json.loads(message)


class ZygoteChild:
    """What Popen gives, for a child of the zygote: pid, pipes, wait, returncode."""

    def __init__(self, zygote, job):
        self.zygote, self.returncode = zygote, None
        pipes = [os.pipe() for _ in range(3)]
        theirs = [pipes[0][0], pipes[1][1], pipes[2][1]]
        limits = {"memory": job["memory_bytes"], "cpu": int(job["time_limit_s"]) + 1}
        try:
            socket.send_fds(zygote.channel, [json.dumps(limits).encode()], theirs)
            self.pid = zygote.receive()["pid"]
        except (OSError, ValueError, KeyError):
            self.pid, self.returncode = 0, 1  # the program broke the zygote: a failure
        for fd in theirs:
            os.close(fd)
        self.stdin = open(pipes[0][1], "wb", buffering=0)  # noqa: SIM115 - closed by kill_group
        self.stdout = open(pipes[1][0], "rb", buffering=0)  # noqa: SIM115
        self.stderr = open(pipes[2][0], "rb", buffering=0)  # noqa: SIM115

    def poll(self):
        return self.returncode

    def wait(self):
        while self.returncode is None:
            try:
                report = self.zygote.receive()
            except (OSError, ValueError):
                self.returncode = -signal.SIGKILL
                break
            if report.get("pid") == self.pid and "status" in report:
                self.returncode = os.waitstatus_to_exitcode(report["status"])
        return self.returncode


# -- the solution in a process of its own ---------------------------------------------


class SolutionProcess:
    """A solution_host.py process: requests on its stdin, answers on its stdout."""

    def __init__(self, job):
        self.started = time.monotonic()
        self.process = spawn(job, ["python3", "-I", "solution_host.py"])
        self.err = bytearray()
        self.buffer = bytearray()

    def names(self, deadline):
        """The program's top-level functions, once it has run: its first answer."""
        names = self.receive(deadline).get("names")
        if not isinstance(names, list):
            raise SolutionDied("the solution's process answered garbage")
        return [name for name in names if isinstance(name, str)]

    def call(self, name, args, deadline):
        message = json.dumps({"call": name, "args": args}).encode() + b"\n"
        try:
            self.process.stdin.write(message)
            self.process.stdin.flush()
        except OSError:
            raise SolutionDied("the solution's process ended") from None
        return self.receive(deadline)

    def receive(self, deadline):
        stdout, stderr = self.process.stdout.fileno(), self.process.stderr.fileno()
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeLimit()
            readable = selectors.DefaultSelector()
            readable.register(stdout, selectors.EVENT_READ)
            readable.register(stderr, selectors.EVENT_READ)
            events = readable.select(remaining)
            readable.close()
            for key, _ in events:
                chunk = os.read(key.fd, 65536)
                if key.fd == stderr:
                    self.err = (self.err + chunk)[-STDERR_TAIL:]
                elif not chunk:
                    self.process.wait()
                    raise SolutionDied("the solution's process ended")
                else:
                    self.buffer += chunk
                    if len(self.buffer) > MESSAGE_BYTES:
                        raise SolutionDied("the solution's answer is too large")
        line, _, rest = bytes(self.buffer).partition(b"\n")
        self.buffer = bytearray(rest)
        try:
            return json.loads(line)
        except (ValueError, RecursionError):
            raise SolutionDied("the solution's process answered garbage") from None

    def close(self, timed_out=False):
        """Kill the process; its own failure, if it ended before we killed it."""
        alive = self.process.poll() is None
        kill_group(self.process)
        record = ended(self.process, self.started, timed_out, bytes(self.err))
        if alive and not timed_out:
            record["kind"] = None
        return record


def call_test(job, test):
    deadline = time.monotonic() + job["time_limit_s"]
    solution, answer, timed_out = SolutionProcess(job), None, False
    try:
        solution.names(deadline)
        answer = solution.call(job["fn_name"], test["args"], deadline)
    except TimeLimit:
        timed_out = True
    except SolutionDied:
        pass
    record = solution.close(timed_out=timed_out)
    if not isinstance(answer, dict) or not {"raised", "value"} & set(answer):
        answer = None  # what a process the program controls may answer instead
    if answer is not None and "raised" in answer:
        record["kind"] = "runtime_error"
        record["stderr"] = str(answer["raised"])
    elif answer is not None:
        record["value"] = answer["value"]
    elif record["kind"] is None:
        record["kind"] = "runtime_error"
    return record, record["kind"] is not None


# -- assert-based tests: the test code here, the solution there ------------------------


def remote_exception(name, message):
    kind = getattr(builtins, name, None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        return kind(message)
    return RemoteError(f"{name}: {message}")


class Proxy:
    """Stands for the solution's function in the test code: each call is a request."""

    def __init__(self, solution, name, deadline):
        self.solution, self.name, self.deadline = solution, name, deadline
        self.__name__ = name

    def __call__(self, *args):
        try:
            arguments = encode(list(args))
        except TypeError as exc:
            raise RemoteError(f"TypeError: {exc}") from None
        answer = self.solution.call(self.name, arguments, self.deadline)
        if not isinstance(answer, dict):
            raise SolutionDied("the solution's process answered garbage")
        if "raised" in answer:
            name, _, message = answer["raised"].partition(": ")
            raise remote_exception(name, message)
        try:
            return decode(answer["value"])
        except (ValueError, TypeError, KeyError, RecursionError):
            raise SolutionDied("the solution returned something unreadable") from None


def assert_test(job, test):
    deadline = time.monotonic() + job["time_limit_s"]
    solution, kind, message = SolutionProcess(job), None, ""
    try:
        names = solution.names(deadline)
        namespace = {"__name__": "__test__", "__builtins__": builtins}
        exec(job.get("setup", ""), namespace)  # noqa: S102 - the ground truth's code, in the sandbox
        for name in names:
            namespace.setdefault(name, Proxy(solution, name, deadline))
        if job.get("entry_point"):
            exec(job["test_code"], namespace)  # noqa: S102 - the ground truth's test code
            candidate = Proxy(solution, job["entry_point"], deadline)
            namespace["check"](candidate)
        else:
            exec(test["code"], namespace)  # noqa: S102 - one assert of the ground truth
    except TimeLimit:
        kind = "time_limit"
    except SolutionDied as exc:
        kind, message = "runtime_error", str(exc)
    except AssertionError:
        kind = "wrong_answer"
    except RemoteError as exc:
        kind, message = "runtime_error", str(exc)
    except Exception as exc:  # an exception the solution raised, re-raised here
        kind, message = "runtime_error", f"{type(exc).__name__}: {exc}"
    record = solution.close(timed_out=kind == "time_limit")
    if kind and record["kind"] is None:
        record["kind"] = kind
    if message and kind == "runtime_error":
        record["stderr"] = message + "\n" + record["stderr"]
    if kind == "runtime_error" and memory_error(message):
        record["kind"] = "memory_limit"
    record["passed"] = kind is None
    return record, kind is not None


if __name__ == "__main__":
    main()
