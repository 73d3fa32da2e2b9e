"""The seccomp filter of local runs: system calls a test run never needs, refused (EPERM).

Namespaces and dropped capabilities already stop most of these; the filter removes the
kernel's attack surface behind them (keyrings, eBPF, perf, userfaultfd, the new mount API)
and the calls that reach other processes or the machine. Everything else is allowed: a
deny list keeps ordinary programs (compilers, test runners, interpreters) working.
Built once per process with libseccomp (through pyseccomp's ctypes binding), for the
machine's own architecture; bubblewrap installs it right before the command runs.
"""

from __future__ import annotations

import errno
import functools
import tempfile

DENIED = (
    # kernel attack surface
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    # other processes' memory
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    # namespaces and mounts
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsmount",
    "fsconfig", "fspick", "move_mount", "open_tree", "mount_setattr",
    # the machine
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "reboot", "swapon", "swapoff", "acct", "quotactl", "syslog", "iopl", "ioperm",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "open_by_handle_at",
    "name_to_handle_at", "lookup_dcookie",
)  # fmt: skip


@functools.cache
def program() -> bytes:
    """The filter as BPF for bubblewrap's ``--seccomp``; raises ``OSError`` or
    ``ImportError`` when libseccomp is missing."""
    import pyseccomp

    rules = pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)
    for name in DENIED:
        try:
            rules.add_rule(pyseccomp.ERRNO(errno.EPERM), name)
        except OSError:
            continue  # a call this architecture does not have (iopl on arm64)
    with tempfile.TemporaryFile() as compiled:
        rules.export_bpf(compiled)
        compiled.seek(0)
        return compiled.read()
