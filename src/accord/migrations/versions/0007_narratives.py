"""narratives: campaigns, segments, variants, redirect rules, figures, lessons

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-28 23:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = '0007'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = ('narratives',)
depends_on: str | Sequence[str] | None = None


def _campaign_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f(f'fk_{table}_campaign_id_campaigns'))


def _index_campaign_id(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{table}_campaign_id'), ['campaign_id'], unique=False)


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('goal', sa.Text(), nullable=False),
    sa.Column('audience', sa.Text(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('messenger', sa.Text(), nullable=False),
    sa.Column('media', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('evaluation', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('experiment', sa.JSON(), nullable=False),
    sa.Column('baselines', sa.JSON(), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_campaigns_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_org_id'), ['org_id'], unique=False)

    op.create_table('campaign_figures',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('campaign_id', sa.String(length=40), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('variant', sa.String(length=64), nullable=False),
    sa.Column('segment', sa.String(length=64), nullable=False),
    sa.Column('impressions', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('watch_seconds', sa.Float(), nullable=False),
    sa.Column('get_help_clicks', sa.Integer(), nullable=False),
    sa.Column('completions', sa.Integer(), nullable=True),
    sa.Column('survey_responses', sa.Integer(), nullable=True),
    _campaign_fk('campaign_figures'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_figures')),
    sa.UniqueConstraint('campaign_id', 'date', 'variant', 'segment', name=op.f('uq_campaign_figures_campaign_id'))
    )
    _index_campaign_id('campaign_figures')

    op.create_table('campaign_lessons',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('campaign_id', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('lessons', sa.Text(), nullable=False),
    sa.Column('publisher', sa.String(length=200), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('published_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    _campaign_fk('campaign_lessons'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_lessons')),
    sa.UniqueConstraint('campaign_id', name=op.f('uq_campaign_lessons_campaign_id'))
    )
    with op.batch_alter_table('campaign_lessons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_lessons_published_at'), ['published_at'], unique=False)

    op.create_table('campaign_redirect_rules',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('campaign_id', sa.String(length=40), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('variant', sa.String(length=64), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    _campaign_fk('campaign_redirect_rules'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_redirect_rules'))
    )
    _index_campaign_id('campaign_redirect_rules')

    op.create_table('campaign_segments',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('campaign_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('region', sa.String(length=200), nullable=True),
    sa.Column('keywords', sa.JSON(), nullable=False),
    _campaign_fk('campaign_segments'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_segments')),
    sa.UniqueConstraint('campaign_id', 'key', name=op.f('uq_campaign_segments_campaign_id'))
    )
    _index_campaign_id('campaign_segments')

    op.create_table('campaign_variants',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('campaign_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('control', sa.Boolean(), nullable=False),
    sa.Column('messenger', sa.String(length=40), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('content_url', sa.String(length=2000), nullable=True),
    _campaign_fk('campaign_variants'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_variants')),
    sa.UniqueConstraint('campaign_id', 'key', name=op.f('uq_campaign_variants_campaign_id'))
    )
    _index_campaign_id('campaign_variants')


def downgrade() -> None:
    for table in ('campaign_variants', 'campaign_segments', 'campaign_redirect_rules', 'campaign_figures'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_campaign_id'))
        op.drop_table(table)
    with op.batch_alter_table('campaign_lessons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_lessons_published_at'))
    op.drop_table('campaign_lessons')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_org_id'))
    op.drop_table('campaigns')
