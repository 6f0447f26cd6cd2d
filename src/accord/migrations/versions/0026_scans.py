"""scans: retroactive scans of a provider's content on Dask, with their figures and cursor (issue 16)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 03:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = '0026'
down_revision: str | Sequence[str] | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('scans',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.String(length=40), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('banks', sa.JSON(), nullable=False),
    sa.Column('shadow', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('batch_size', sa.Integer(), nullable=False),
    sa.Column('items_total', sa.Integer(), nullable=True),
    sa.Column('items_done', sa.Integer(), nullable=False),
    sa.Column('items_matched', sa.Integer(), nullable=False),
    sa.Column('items_suppressed', sa.Integer(), nullable=False),
    sa.Column('items_failed', sa.Integer(), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('done_batches', sa.JSON(), nullable=False),
    sa.Column('engine', sa.String(length=200), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_scans_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scans'))
    )
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scans_org_id'), ['org_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scans_org_id'))
    op.drop_table('scans')
