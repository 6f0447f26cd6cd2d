"""Who this process is, in a form another process can check: is the process that wrote a lease still running?

An identity is ``host|boot id|pid namespace|pid|start time``. A process on the same host, same boot and same pid
namespace can tell for certain whether the owner is gone (no such pid, a zombie, or the pid reused by a process
that started later). From anywhere else it cannot, and callers fall back on the lease's expiry.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path

_PROC = Path("/proc")


def identity() -> str:
    """This process's identity (computed per call: a forked child is a different process)."""
    pid = os.getpid()
    return "|".join([_host(), _boot_id(), _pid_namespace(), str(pid), _start_time(pid) or ""])


def is_gone(owner: str | None) -> bool:
    """True only when ``owner`` (an ``identity()``) certainly runs no more; False when it runs or we cannot tell."""
    parts = (owner or "").split("|")
    if len(parts) < 5 or parts[0] != _host():
        return False
    boot, namespace, pid, started = parts[1], parts[2], parts[3], parts[4]
    if boot and _boot_id() and boot != _boot_id():
        return True  # the host has restarted since: every process of that boot is gone
    if namespace != _pid_namespace() or not pid.isdigit():
        return False  # another container on a host of the same name: its pids mean nothing here
    return _start_time(int(pid)) != started


@cache
def _host() -> str:
    return socket.gethostname()[:200].replace("|", "_")


@cache
def _boot_id() -> str:
    try:
        return (_PROC / "sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


@cache
def _pid_namespace() -> str:
    try:
        return str((_PROC / "self/ns/pid").readlink())
    except OSError:
        return ""


def _start_time(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot); None when there is no such live process. Without
    ``/proc`` only existence can be checked, and the start time is ``""``."""
    if not _has_proc():
        return _exists_without_proc(pid)
    try:
        stat = (_PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    if not fields or fields[0] in ("Z", "X"):
        return None  # a zombie is dead; only its exit status waits to be collected
    return fields[19]


@cache
def _has_proc() -> bool:
    return (_PROC / "self/stat").exists()


def _exists_without_proc(pid: int) -> str | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return ""
    return ""
