"""What every command needs: the settings, a unit of work, the clock, and output in table or JSON form."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.service import Actor
from accord.cli.config import settings as settings
from accord.clock import Clock, SystemClock
from accord.db import make_engine, make_sessionmaker, unit_of_work

console = Console()
err_console = Console(stderr=True)
OPERATOR = Actor("cli:operator", None)


def clock() -> Clock:
    return SystemClock()


@contextmanager
def session_scope() -> Iterator[Session]:
    engine = make_engine(settings().database_url, pool=False)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def session_factory() -> Iterator[sessionmaker[Session]]:
    """Sessions on one engine, for a command that commits several units of work (a bulk import's chunks)."""
    engine = make_engine(settings().database_url, pool=False)
    try:
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def output(rows: Sequence[dict[str, Any]], *, as_json: bool, title: str = "", single: bool = False) -> None:
    """JSON (one document) or a Rich table; ``single`` prints one object rather than a list."""
    if as_json:
        data: Any = rows[0] if single and rows else list(rows)
        console.print_json(json.dumps(data, default=_plain))
        return
    table = Table(title=title or None)
    for column in rows[0] if rows else []:
        table.add_column(column)
    for row in rows:
        table.add_row(*[_cell(v) for v in row.values()])
    console.print(table if rows else f"[dim]no {title or 'rows'}[/dim]")


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(_plain(value))
