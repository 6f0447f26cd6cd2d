"""``accord hash``: one JSON line per file (``{"file": ..., "signals": [...]}``), the form outside tools rely on.

It needs no database, so it imports the hashers and the settings only: the command starts in a fraction of a
second (``tests/cli/test_startup.py``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.config import settings
from accord.errors import DomainError
from accord.signals.hashing import hash_media
from accord.signals.media import MediaLimits

Files = Annotated[list[Path], typer.Argument(help="Files to read", exists=True, dir_okay=False)]


def _line(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, sort_keys=False) + "\n")


def hash_files(files: Files) -> None:
    """Hash files: one JSON line per file with its signals (PDQ for photos, MD5, SHA-256, video MD5)."""
    cfg = settings()
    limits = MediaLimits(max_bytes=cfg.media_max_bytes, max_pixels=cfg.media_max_pixels)
    failed = False
    for path in files:
        try:
            signals = [{"type": s.type, "value": s.value, "quality": s.quality, "indexable": s.indexable}
                       for s in hash_media(path.read_bytes(), limits=limits)]
            _line({"file": str(path), "signals": signals})
        except DomainError as exc:
            failed = True
            _line({"file": str(path), "error": exc.detail})
    if failed:
        raise typer.Exit(code=2)
