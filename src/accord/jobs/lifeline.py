"""A worker started by ``accord serve --role all`` stops with the process that started it.

Two guards, because either alone has a gap. On Linux the kernel sends the worker SIGTERM the moment its parent
dies, however it dies (``prctl(PR_SET_PDEATHSIG)``; uvicorn re-raises SIGTERM, so the parent's own cleanup never
runs, and SIGKILL allows no cleanup at all). Elsewhere, and in case the parent died before the worker could ask
for that signal, the worker's loop checks between jobs that it still has the same parent.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from collections.abc import Callable

log = logging.getLogger("accord.worker")
PR_SET_PDEATHSIG = 1


def tie_to(parent: int) -> Callable[[], bool]:
    """Ask for SIGTERM when ``parent`` dies; returns the check the worker loop runs (True while it lives)."""
    if sys.platform.startswith("linux"):
        _parent_death_signal(signal.SIGTERM)
    return lambda: os.getppid() == parent


def _parent_death_signal(signum: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
        log.warning("prctl(PR_SET_PDEATHSIG) failed (errno %s): the worker watches its parent instead",
                    ctypes.get_errno())
