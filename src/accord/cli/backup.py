"""``accord backup FILE`` and ``accord restore FILE``: the whole database, encrypted (``accord.backup``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from accord import backup as backups
from accord.cli.context import clock, console, settings
from accord.db import make_engine
from accord.errors import InvalidInput

KeyFileOpt = Annotated[Path | None, typer.Option(
    "--key-file", help="A file holding the backup key (else ACCORD_BACKUP_KEY); at least 32 characters.")]


def _secret(key_file: Path | None) -> str:
    if key_file is not None:
        try:
            return backups.check_secret(key_file.read_text().strip())
        except OSError as exc:
            raise InvalidInput(f"cannot read the key file: {exc.strerror}", field="key_file") from None
    if not settings().backup_key:
        raise InvalidInput("no backup key: set ACCORD_BACKUP_KEY or pass --key-file", field="backup_key")
    return backups.check_secret(settings().backup_key)


def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup (created with mode 0600)")],
    key_file: KeyFileOpt = None,
) -> None:
    """Back up the whole database, encrypted and authenticated (AES-256-GCM), in one consistent snapshot."""
    secret = _secret(key_file)
    partial = file.with_name(file.name + ".partial")
    engine = make_engine(settings().database_url, pool=False)
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            summary = backups.backup(engine, out, secret, clock())
            out.flush()
            os.fsync(out.fileno())
        partial.replace(file)
    finally:
        engine.dispose()
        partial.unlink(missing_ok=True)
    console.print(f"backed up {summary.total} rows of {len(summary.rows)} tables "
                  f"(revision {', '.join(summary.revisions) or 'none'}) to {file}")


def restore(
    file: Annotated[Path, typer.Argument(help="A backup made by `accord backup`")],
    key_file: KeyFileOpt = None,
) -> None:
    """Restore a backup into an empty database (one without tables is migrated to the backup's revision first).
    A backup that was altered, cut short or made with another key is refused and nothing is restored."""
    secret = _secret(key_file)
    url = settings().database_url
    engine = make_engine(url, pool=False)
    try:
        with file.open("rb") as source:
            header, lines = backups.header_of(source, secret)
            backups.migrate_if_bare(engine, url, list(header["revisions"]))
            summary = backups.restore(engine, header, lines)
    except OSError as exc:
        raise InvalidInput(f"cannot read the backup: {exc.strerror}", field="file") from None
    finally:
        engine.dispose()
    console.print(f"restored {summary.total} rows of {len(summary.rows)} tables from {file}; "
                  "check it with `accord audit verify`")
