"""status links: capability links to a complaint's or a public notice's status page

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-03 20:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rights_status_links',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('about', sa.String(length=12), nullable=False),
    sa.Column('subject_id', sa.String(length=40), nullable=False),
    sa.Column('decision_id', sa.String(length=40), nullable=True),
    sa.Column('contact', sa.String(length=320), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'],
                            name=op.f('fk_rights_status_links_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rights_status_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_rights_status_links_token_hash'))
    )
    with op.batch_alter_table('rights_status_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rights_status_links_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('ix_rights_status_links_about_subject', ['about', 'subject_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rights_status_links', schema=None) as batch_op:
        batch_op.drop_index('ix_rights_status_links_about_subject')
        batch_op.drop_index(batch_op.f('ix_rights_status_links_provider_id'))
    op.drop_table('rights_status_links')
