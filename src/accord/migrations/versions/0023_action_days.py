"""action days: Referral Action Day campaigns with a shared deadline and the notices sent in them (EUR-04)

Revision ID: 0023
Revises: 0020
Create Date: 2026-12-08 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('action_days',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('deadline_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_action_days_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_days'))
    )
    with op.batch_alter_table('action_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_days_org_id'), ['org_id'], unique=False)
    op.create_table('action_day_notices',
    sa.Column('notice_id', sa.String(length=40), nullable=False),
    sa.Column('action_day_id', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['action_day_id'], ['action_days.id'],
                            name=op.f('fk_action_day_notices_action_day_id_action_days')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_action_day_notices_notice_id_notices')),
    sa.PrimaryKeyConstraint('notice_id', name=op.f('pk_action_day_notices'))
    )
    with op.batch_alter_table('action_day_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_day_notices_action_day_id'), ['action_day_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('action_day_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_day_notices_action_day_id'))
    op.drop_table('action_day_notices')
    with op.batch_alter_table('action_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_days_org_id'))
    op.drop_table('action_days')
