"""evidence orders: European Production and Preservation Orders (Regulation (EU) 2023/1543), authorities'
public keys and sealed packages (issue 19)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 00:49:06.168601
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = '0022'
down_revision: str | Sequence[str] | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('evidence_keys',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.String(length=40), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_evidence_keys_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_keys'))
    )
    with op.batch_alter_table('evidence_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_keys_org_id'), ['org_id'], unique=False)

    op.create_table('evidence_orders',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('issuer_id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('enforcing_authority_id', sa.String(length=40), nullable=True),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('issuing_state', sa.String(length=2), nullable=True),
    sa.Column('enforcing_state', sa.String(length=2), nullable=True),
    sa.Column('data_categories', sa.JSON(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('issuer_type', sa.String(length=20), nullable=False),
    sa.Column('validated_by', sa.String(length=20), nullable=True),
    sa.Column('validation', sa.JSON(), nullable=False),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('emergency_reason', sa.Text(), nullable=False),
    sa.Column('offences', sa.JSON(), nullable=False),
    sa.Column('max_sentence_years', sa.Integer(), nullable=True),
    sa.Column('listed_offence', sa.String(length=40), nullable=True),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('resides_in_issuing_state', sa.Boolean(), nullable=False),
    sa.Column('notification', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('received_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('window_started_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated', sa.JSON(), nullable=False),
    sa.Column('breached_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('breach_seconds', sa.Integer(), nullable=True),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.Column('answered_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('preserve_until', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('extensions', sa.Integer(), nullable=False),
    sa.Column('review', sa.JSON(), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enforcing_authority_id'], ['organisations.id'], name=op.f('fk_evidence_orders_enforcing_authority_id_organisations')),
    sa.ForeignKeyConstraint(['issuer_id'], ['organisations.id'], name=op.f('fk_evidence_orders_issuer_id_organisations')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_evidence_orders_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_orders'))
    )
    with op.batch_alter_table('evidence_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_orders_enforcing_authority_id'), ['enforcing_authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_orders_issuer_id'), ['issuer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_orders_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_orders_status'), ['status'], unique=False)
        batch_op.create_index('ix_evidence_orders_status_deadline', ['status', 'deadline_at'], unique=False)

    op.create_table('evidence_packages',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=True),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('authority_id', sa.String(length=40), nullable=False),
    sa.Column('key_id', sa.String(length=40), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('voluntary', sa.JSON(), nullable=False),
    sa.Column('downloads', sa.JSON(), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('purge_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('purged_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['authority_id'], ['organisations.id'], name=op.f('fk_evidence_packages_authority_id_organisations')),
    sa.ForeignKeyConstraint(['key_id'], ['evidence_keys.id'], name=op.f('fk_evidence_packages_key_id_evidence_keys')),
    sa.ForeignKeyConstraint(['order_id'], ['evidence_orders.id'], name=op.f('fk_evidence_packages_order_id_evidence_orders')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_evidence_packages_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_packages'))
    )
    with op.batch_alter_table('evidence_packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_packages_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_packages_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_packages_provider_id'), ['provider_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evidence_packages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_packages_provider_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_packages_order_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_packages_authority_id'))

    op.drop_table('evidence_packages')
    with op.batch_alter_table('evidence_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_orders_status_deadline')
        batch_op.drop_index(batch_op.f('ix_evidence_orders_status'))
        batch_op.drop_index(batch_op.f('ix_evidence_orders_provider_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_orders_issuer_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_orders_enforcing_authority_id'))

    op.drop_table('evidence_orders')
    with op.batch_alter_table('evidence_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_keys_org_id'))

    op.drop_table('evidence_keys')
