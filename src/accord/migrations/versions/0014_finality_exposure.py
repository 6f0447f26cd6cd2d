"""finality (final_at), Art. 9 order reviews, reinstatement instructions, Art. 5 exposure, Art. 18 penalties

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-03 20:08:51.974448
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = '0014'
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('exposure_decisions',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('authority_id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('final_order_ids', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('decided_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('reports', sa.JSON(), nullable=False),
    sa.Column('requirements', sa.JSON(), nullable=False),
    sa.Column('review', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['organisations.id'], name=op.f('fk_exposure_decisions_authority_id_organisations')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_exposure_decisions_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exposure_decisions'))
    )
    with op.batch_alter_table('exposure_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exposure_decisions_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exposure_decisions_provider_id'), ['provider_id'], unique=False)

    op.create_table('penalties',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('authority_id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('ground', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('imposed_on', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['organisations.id'], name=op.f('fk_penalties_authority_id_organisations')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_penalties_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_penalties'))
    )
    with op.batch_alter_table('penalties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_penalties_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_penalties_provider_id'), ['provider_id'], unique=False)

    op.create_table('order_reviews',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('notice_id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('issuer_id', sa.String(length=40), nullable=True),
    sa.Column('brought_by', sa.String(length=20), nullable=False),
    sa.Column('body', sa.String(length=300), nullable=False),
    sa.Column('case_reference', sa.String(length=200), nullable=False),
    sa.Column('filed_on', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('outcome_reasons', sa.Text(), nullable=False),
    sa.Column('decided_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_org_id', sa.String(length=40), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['issuer_id'], ['organisations.id'], name=op.f('fk_order_reviews_issuer_id_organisations')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_order_reviews_notice_id_notices')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_order_reviews_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_reviews'))
    )
    with op.batch_alter_table('order_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_reviews_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_reviews_provider_id'), ['provider_id'], unique=False)

    op.create_table('reinstatement_instructions',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('notice_id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=12), nullable=False),
    sa.Column('decision_id', sa.String(length=40), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('issued_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_reinstatement_instructions_notice_id_notices')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_reinstatement_instructions_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reinstatement_instructions'))
    )
    with op.batch_alter_table('reinstatement_instructions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reinstatement_instructions_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reinstatement_instructions_provider_id'), ['provider_id'], unique=False)

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('final_at', accord.db.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('final_at')

    with op.batch_alter_table('reinstatement_instructions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reinstatement_instructions_provider_id'))
        batch_op.drop_index(batch_op.f('ix_reinstatement_instructions_notice_id'))

    op.drop_table('reinstatement_instructions')
    with op.batch_alter_table('order_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_reviews_provider_id'))
        batch_op.drop_index(batch_op.f('ix_order_reviews_notice_id'))

    op.drop_table('order_reviews')
    with op.batch_alter_table('penalties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_penalties_provider_id'))
        batch_op.drop_index(batch_op.f('ix_penalties_authority_id'))

    op.drop_table('penalties')
    with op.batch_alter_table('exposure_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exposure_decisions_provider_id'))
        batch_op.drop_index(batch_op.f('ix_exposure_decisions_authority_id'))

    op.drop_table('exposure_decisions')
