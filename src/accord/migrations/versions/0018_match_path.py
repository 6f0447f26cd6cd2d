"""match path: announce key revocations on PostgreSQL so that every process's key cache forgets at once

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 22:00:00

A trigger rather than application code: a key revoked by the API, the CLI or plain SQL is announced the same
way (``web.keycache`` LISTENs on ``accord_api_keys``). NOTIFY is transactional: it is delivered at commit.
SQLite has no broadcast; there the cache's time to live bounds how long another process trusts a revoked key.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FUNCTION = """
CREATE OR REPLACE FUNCTION accord_api_key_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('accord_api_keys', OLD.prefix);
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
_TRIGGER = """
CREATE TRIGGER api_keys_changed AFTER UPDATE OF revoked_at, scopes, org_id OR DELETE ON api_keys
FOR EACH ROW EXECUTE FUNCTION accord_api_key_changed()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)
    op.execute(_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS api_keys_changed ON api_keys")
    op.execute("DROP FUNCTION IF EXISTS accord_api_key_changed()")
