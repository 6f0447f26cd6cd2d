"""decisions record the policy version they applied

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy_version_id", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key("fk_case_decisions_policy_version_id_policy_versions", "policy_versions",
                                    ["policy_version_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("case_decisions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_case_decisions_policy_version_id_policy_versions", type_="foreignkey")
        batch_op.drop_column("policy_version_id")
