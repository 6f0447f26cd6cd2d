"""bank entries: drop the two indexes the unique (bank_id, fingerprint) already serves, so that a bulk import
maintains four indexes per row instead of six (issue 16)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-08 03:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_bank_entries_fingerprint", table_name="bank_entries")
    op.drop_index("ix_bank_entries_bank_id", table_name="bank_entries")


def downgrade() -> None:
    op.create_index("ix_bank_entries_bank_id", "bank_entries", ["bank_id"], unique=False)
    op.create_index("ix_bank_entries_fingerprint", "bank_entries", ["fingerprint"], unique=False)
