"""rights: complaints, user notices, preserved items

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-28 23:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = '0006'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = ('rights',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rights_complaints',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('decision_id', sa.String(length=40), nullable=False),
    sa.Column('by', sa.String(length=12), nullable=False),
    sa.Column('filed_by_org_id', sa.String(length=40), nullable=True),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=320), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('reviewer_id', sa.String(length=40), nullable=True),
    sa.Column('filed_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'],
                            name=op.f('fk_rights_complaints_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rights_complaints'))
    )
    with op.batch_alter_table('rights_complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rights_complaints_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index('ix_rights_complaints_provider_state', ['provider_id', 'state'], unique=False)

    op.create_table('rights_user_notices',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('decision_id', sa.String(length=40), nullable=False),
    sa.Column('uploader_contact', sa.String(length=320), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('nondisclosure_until', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'],
                            name=op.f('fk_rights_user_notices_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rights_user_notices')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_rights_user_notices_token_hash'))
    )
    with op.batch_alter_table('rights_user_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rights_user_notices_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rights_user_notices_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('ix_rights_user_notices_state_release', ['state', 'nondisclosure_until'],
                              unique=False)

    op.create_table('rights_preserved_items',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('decision_id', sa.String(length=40), nullable=False),
    sa.Column('content_encrypted', sa.LargeBinary(), nullable=True),
    sa.Column('metadata_encrypted', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('stored_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retain_until', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('hold_until', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hold_reason', sa.Text(), nullable=True),
    sa.Column('reinstated_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('purged_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'],
                            name=op.f('fk_rights_preserved_items_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rights_preserved_items'))
    )
    with op.batch_alter_table('rights_preserved_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rights_preserved_items_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rights_preserved_items_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('ix_rights_preserved_items_purge', ['purged_at', 'retain_until'], unique=False)


def downgrade() -> None:
    op.drop_table('rights_preserved_items')
    op.drop_table('rights_user_notices')
    op.drop_table('rights_complaints')
