"""key rotation: several signing keys per organisation (one active), preservation keys, each item's key

Revision ID: 0021
Revises: 0023
Create Date: 2026-12-08 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("retired_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "rights_preservation_keys",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("key_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", accord.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", accord.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_preservation_keys")),
    )
    with op.batch_alter_table("rights_preserved_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_rights_preserved_items_key_id"), ["key_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_rights_preserved_items_key_id_rights_preservation_keys"),
                                    "rights_preservation_keys", ["key_id"], ["id"])
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_at", accord.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_signing_keys_org_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_signing_keys_org_id"), ["org_id"], unique=False)
        batch_op.create_index("uq_signing_keys_active", ["org_id"], unique=True, sqlite_where=ACTIVE,
                              postgresql_where=ACTIVE)


def downgrade() -> None:
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.drop_index("uq_signing_keys_active", sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.drop_index(batch_op.f("ix_signing_keys_org_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_signing_keys_org_id"), ["org_id"])
        batch_op.drop_column("retired_at")
    with op.batch_alter_table("rights_preserved_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_rights_preserved_items_key_id_rights_preservation_keys"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_rights_preserved_items_key_id"))
        batch_op.drop_column("key_id")
    op.drop_table("rights_preservation_keys")
