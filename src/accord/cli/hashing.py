"""``accord hash``: one JSON line per file (``{"file": ..., "signals": [...]}``), the form outside tools rely on.

It needs no database, so it imports the hashers, the process pool and the settings only: the command starts in
a fraction of a second (``tests/cli/test_startup.py``), then hashes on every core (``accord.cli.pool``).
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from accord.cli import pool
from accord.cli.config import settings
from accord.errors import DomainError
from accord.signals.hashing import hash_media
from accord.signals.media import MediaLimits

Files = Annotated[list[Path], typer.Argument(help="Files to read", exists=True, dir_okay=False)]


def _line(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, sort_keys=False) + "\n")


def _hash_one(path: Path, limits: MediaLimits) -> dict[str, Any]:
    """One file's JSON line (run in a worker process: reads, decodes and hashes the file there)."""
    try:
        signals = [{"type": s.type, "value": s.value, "quality": s.quality, "indexable": s.indexable}
                   for s in hash_media(path.read_bytes(), limits=limits)]
    except DomainError as exc:
        return {"file": str(path), "error": exc.detail}
    return {"file": str(path), "signals": signals}


def _crashed(path: Path) -> dict[str, Any]:
    return {"file": str(path), "error": "the process hashing this file died (a decoder crash or out of memory)"}


def hash_files(files: Files) -> None:
    """Hash files: one JSON line per file with its signals (PDQ for photos, MD5, SHA-256, video MD5), on every
    core."""
    cfg = settings()
    limits = MediaLimits(max_bytes=cfg.media_max_bytes, max_pixels=cfg.media_max_pixels)
    work = functools.partial(_hash_one, limits=limits)
    failed = False
    for _, document in pool.map_files(work, files, on_crash=_crashed, console=Console(stderr=True)):
        failed = failed or "error" in document
        _line(document)
    if failed:
        raise typer.Exit(code=2)
