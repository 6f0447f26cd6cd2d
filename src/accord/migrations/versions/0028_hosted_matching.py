"""hosted matching and flood protection: lookup counts per key, bank and minute; matches marked for re-review
(issue 16)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-08 03:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = '0028'
down_revision: str | Sequence[str] | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('lookup_counts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('bank_id', sa.String(length=40), nullable=True),
    sa.Column('org_id', sa.String(length=40), nullable=False),
    sa.Column('key_ref', sa.String(length=80), nullable=False),
    sa.Column('minute', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lookups', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['banks.id'], name=op.f('fk_lookup_counts_bank_id_banks')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_lookup_counts_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lookup_counts'))
    )
    with op.batch_alter_table('lookup_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lookup_counts_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lookup_counts_key_ref'), ['key_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_lookup_counts_minute'), ['minute'], unique=False)
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rereview', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_column('rereview')
    with op.batch_alter_table('lookup_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lookup_counts_minute'))
        batch_op.drop_index(batch_op.f('ix_lookup_counts_key_ref'))
        batch_op.drop_index(batch_op.f('ix_lookup_counts_bank_id'))
    op.drop_table('lookup_counts')
