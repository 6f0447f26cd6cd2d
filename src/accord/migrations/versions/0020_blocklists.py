"""blocklists: administrative blocking lists, their entries, serials, operators' subscriptions and appeals

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-08 00:37:31.457306
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = '0020'
down_revision: str | Sequence[str] | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('blocklists',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('authority_id', sa.String(length=40), nullable=False),
    sa.Column('overseer_id', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('stop_host', sa.String(length=253), nullable=True),
    sa.Column('review_required', sa.Boolean(), nullable=False),
    sa.Column('default_expiry_days', sa.Integer(), nullable=False),
    sa.Column('max_expiry_days', sa.Integer(), nullable=False),
    sa.Column('reexamine_days', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['organisations.id'], name=op.f('fk_blocklists_authority_id_organisations')),
    sa.ForeignKeyConstraint(['overseer_id'], ['organisations.id'], name=op.f('fk_blocklists_overseer_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocklists')),
    sa.UniqueConstraint('authority_id', 'name', name=op.f('uq_blocklists_authority_id'))
    )
    with op.batch_alter_table('blocklists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocklists_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_blocklists_overseer_id'), ['overseer_id'], unique=False)

    op.create_table('blocklist_entries',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('blocklist_id', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=8), nullable=False),
    sa.Column('value', sa.String(length=2048), nullable=False),
    sa.Column('subdomains', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('ip_reason', sa.Text(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('suspended_from', sa.String(length=12), nullable=True),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('starts_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_reexamination_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('exchange', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['blocklist_id'], ['blocklists.id'], name=op.f('fk_blocklist_entries_blocklist_id_blocklists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocklist_entries'))
    )
    with op.batch_alter_table('blocklist_entries', schema=None) as batch_op:
        batch_op.create_index('ix_blocklist_entries_list_state', ['blocklist_id', 'state'], unique=False)

    op.create_table('blocklist_serials',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('blocklist_id', sa.String(length=40), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('published_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('change', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['blocklist_id'], ['blocklists.id'], name=op.f('fk_blocklist_serials_blocklist_id_blocklists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocklist_serials')),
    sa.UniqueConstraint('blocklist_id', 'serial', name=op.f('uq_blocklist_serials_blocklist_id'))
    )
    op.create_table('blocklist_subscriptions',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('blocklist_id', sa.String(length=40), nullable=False),
    sa.Column('operator_id', sa.String(length=40), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('applied_serial', sa.Integer(), nullable=False),
    sa.Column('applied_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fetched_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['blocklist_id'], ['blocklists.id'], name=op.f('fk_blocklist_subscriptions_blocklist_id_blocklists')),
    sa.ForeignKeyConstraint(['operator_id'], ['organisations.id'], name=op.f('fk_blocklist_subscriptions_operator_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocklist_subscriptions')),
    sa.UniqueConstraint('blocklist_id', 'operator_id', name=op.f('uq_blocklist_subscriptions_blocklist_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_blocklist_subscriptions_token_hash'))
    )
    with op.batch_alter_table('blocklist_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocklist_subscriptions_operator_id'), ['operator_id'], unique=False)

    op.create_table('blocklist_appeals',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('blocklist_id', sa.String(length=40), nullable=False),
    sa.Column('entry_id', sa.String(length=40), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=320), nullable=False),
    sa.Column('filed_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('answered_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['blocklist_id'], ['blocklists.id'], name=op.f('fk_blocklist_appeals_blocklist_id_blocklists')),
    sa.ForeignKeyConstraint(['entry_id'], ['blocklist_entries.id'], name=op.f('fk_blocklist_appeals_entry_id_blocklist_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocklist_appeals'))
    )
    with op.batch_alter_table('blocklist_appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocklist_appeals_blocklist_id'), ['blocklist_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('blocklist_appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blocklist_appeals_blocklist_id'))

    op.drop_table('blocklist_appeals')
    with op.batch_alter_table('blocklist_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blocklist_subscriptions_operator_id'))

    op.drop_table('blocklist_subscriptions')
    op.drop_table('blocklist_serials')
    with op.batch_alter_table('blocklist_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_blocklist_entries_list_state')

    op.drop_table('blocklist_entries')
    with op.batch_alter_table('blocklists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blocklists_overseer_id'))
        batch_op.drop_index(batch_op.f('ix_blocklists_authority_id'))

    op.drop_table('blocklists')
