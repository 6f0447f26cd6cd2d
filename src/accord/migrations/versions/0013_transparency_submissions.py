"""transparency database submissions and out-of-court disputes

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-03 20:15:25.390997
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = '0013'
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('oot_disputes',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('decision_id', sa.String(length=40), nullable=False),
    sa.Column('body_name', sa.String(length=300), nullable=False),
    sa.Column('certified_by', sa.String(length=2), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('filed_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.Column('decided_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['case_decisions.id'], name=op.f('fk_oot_disputes_decision_id_case_decisions')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_oot_disputes_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oot_disputes'))
    )
    with op.batch_alter_table('oot_disputes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oot_disputes_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oot_disputes_provider_id'), ['provider_id'], unique=False)

    op.create_table('tdb_submissions',
    sa.Column('statement_id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('puid', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('tdb_uuid', sa.String(length=64), nullable=True),
    sa.Column('duplicate', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('next_attempt_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_tdb_submissions_provider_id_organisations')),
    sa.ForeignKeyConstraint(['statement_id'], ['case_statements.id'], name=op.f('fk_tdb_submissions_statement_id_case_statements')),
    sa.PrimaryKeyConstraint('statement_id', name=op.f('pk_tdb_submissions'))
    )
    with op.batch_alter_table('tdb_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tdb_submissions_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tdb_submissions_state'), ['state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tdb_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tdb_submissions_state'))
        batch_op.drop_index(batch_op.f('ix_tdb_submissions_provider_id'))

    op.drop_table('tdb_submissions')
    with op.batch_alter_table('oot_disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oot_disputes_provider_id'))
        batch_op.drop_index(batch_op.f('ix_oot_disputes_decision_id'))

    op.drop_table('oot_disputes')
