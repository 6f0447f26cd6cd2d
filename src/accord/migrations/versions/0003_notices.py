"""notices: removal orders, referrals, flags, reports, alerts; information notices; operational holds

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 23:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = ('notices',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notices',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('issuer_id', sa.String(length=40), nullable=True),
    sa.Column('issuer_kind', sa.String(length=20), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('binding', sa.Boolean(), nullable=False),
    sa.Column('urls', sa.JSON(), nullable=False),
    sa.Column('content_keys', sa.JSON(), nullable=False),
    sa.Column('tco_types', sa.JSON(), nullable=False),
    sa.Column('member_state', sa.String(length=2), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('cross_border', sa.Boolean(), nullable=False),
    sa.Column('host_authority_id', sa.String(length=40), nullable=True),
    sa.Column('case_id', sa.String(length=40), nullable=True),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('window_started_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deadline_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated', sa.JSON(), nullable=False),
    sa.Column('acknowledged_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('outcome_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome_detail', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('breached_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('breach_seconds', sa.Integer(), nullable=True),
    sa.Column('hold_reason', sa.Text(), nullable=True),
    sa.Column('nondisclosure_until', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('nondisclosure_extended', sa.Boolean(), nullable=False),
    sa.Column('scrutiny', sa.JSON(), nullable=False),
    sa.Column('liveness', sa.JSON(), nullable=False),
    sa.Column('submitter_address', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notices_case_id_cases')),
    sa.ForeignKeyConstraint(['host_authority_id'], ['organisations.id'], name=op.f('fk_notices_host_authority_id_organisations')),
    sa.ForeignKeyConstraint(['issuer_id'], ['organisations.id'], name=op.f('fk_notices_issuer_id_organisations')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_notices_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    op.create_index(op.f('ix_notices_case_id'), 'notices', ['case_id'], unique=False)
    op.create_index('ix_notices_issuer_provider', 'notices', ['issuer_id', 'provider_id'], unique=False)
    op.create_index(op.f('ix_notices_kind'), 'notices', ['kind'], unique=False)
    op.create_index(op.f('ix_notices_provider_id'), 'notices', ['provider_id'], unique=False)
    op.create_index(op.f('ix_notices_status'), 'notices', ['status'], unique=False)
    op.create_index('ix_notices_status_deadline', 'notices', ['status', 'deadline_at'], unique=False)
    op.create_index('ix_notices_submitter_created', 'notices', ['submitter_address', 'created_at'], unique=False)
    op.create_table('information_notices',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('authority_id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sent_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['organisations.id'], name=op.f('fk_information_notices_authority_id_organisations')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_information_notices_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_information_notices'))
    )
    op.create_index('ix_information_notices_pair', 'information_notices', ['authority_id', 'provider_id'], unique=False)
    op.create_table('notice_holds',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('authority_id', sa.String(length=40), nullable=False),
    sa.Column('notice_id', sa.String(length=40), nullable=False),
    sa.Column('content_key', sa.String(length=2100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('placed_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lifted_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['authority_id'], ['organisations.id'], name=op.f('fk_notice_holds_authority_id_organisations')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_holds_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_holds'))
    )
    op.create_index('ix_notice_holds_key_active', 'notice_holds', ['content_key', 'lifted_at'], unique=False)
    op.create_index(op.f('ix_notice_holds_notice_id'), 'notice_holds', ['notice_id'], unique=False)


def downgrade() -> None:
    op.drop_table('notice_holds')
    op.drop_table('information_notices')
    op.drop_table('notices')
