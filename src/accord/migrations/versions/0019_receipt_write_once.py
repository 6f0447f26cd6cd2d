"""receipt write-once: a trigger refuses an UPDATE that changes a set notices.received_at (TCO Art. 3(5))

The statements are copied here, not imported from ``accord.notices.models``, so that this migration keeps doing
what it did when the models change. On SQLite, a later migration that recreates ``notices`` (batch mode's
copy-and-move) drops the trigger and must create it again; ``tests/unit/notices/test_receipt.py`` checks the
migrated head.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-07 21:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESSAGE = "notices.received_at is written once (TCO Art. 3(5))"
_UPGRADE = {
    "sqlite": (
        "CREATE TRIGGER notices_received_at_write_once BEFORE UPDATE OF received_at ON notices FOR EACH ROW "
        "WHEN OLD.received_at IS NOT NULL AND NEW.received_at IS NOT OLD.received_at "
        f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
    ),
    "postgresql": (
        "CREATE FUNCTION notices_received_at_write_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END $$",
        "CREATE TRIGGER notices_received_at_write_once BEFORE UPDATE OF received_at ON notices FOR EACH ROW "
        "WHEN (OLD.received_at IS NOT NULL AND NEW.received_at IS DISTINCT FROM OLD.received_at) "
        "EXECUTE FUNCTION notices_received_at_write_once()",
    ),
}
_DOWNGRADE = {
    "sqlite": ("DROP TRIGGER IF EXISTS notices_received_at_write_once",),
    "postgresql": ("DROP TRIGGER IF EXISTS notices_received_at_write_once ON notices",
                   "DROP FUNCTION IF EXISTS notices_received_at_write_once()"),
}


def _run(statements: dict[str, tuple[str, ...]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def upgrade() -> None:
    _run(_UPGRADE)


def downgrade() -> None:
    _run(_DOWNGRADE)
