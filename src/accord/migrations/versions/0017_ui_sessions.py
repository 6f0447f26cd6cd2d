"""ui sessions: server-side, revocable UI logins and failed-login throttles (issue 21, item 5)

Revision ID: 0017
Revises: 0019
Create Date: 2026-12-07 21:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ui_sessions',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('org_id', sa.String(length=40), nullable=False),
    sa.Column('member_id', sa.String(length=40), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_ui_sessions_member_id_members')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_ui_sessions_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ui_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_ui_sessions_token_hash'))
    )
    with op.batch_alter_table('ui_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ui_sessions_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ui_sessions_org_id'), ['org_id'], unique=False)
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('lockouts', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )


def downgrade() -> None:
    op.drop_table('login_throttles')
    with op.batch_alter_table('ui_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ui_sessions_org_id'))
        batch_op.drop_index(batch_op.f('ix_ui_sessions_member_id'))
    op.drop_table('ui_sessions')
