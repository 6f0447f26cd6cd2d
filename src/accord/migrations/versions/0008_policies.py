"""policies: versions, incidents, post-incident policy reviews

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-28 23:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = '0008'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = ('policies',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('policies',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('active_version', sa.Integer(), nullable=True),
    sa.Column('activated_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_policies_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policies')),
    sa.UniqueConstraint('provider_id', 'name', name=op.f('uq_policies_provider_id'))
    )
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policies_provider_id'), ['provider_id'], unique=False)

    op.create_table('policy_versions',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('policy_id', sa.String(length=40), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=120), nullable=True),
    sa.Column('published_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_policy_versions_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_versions')),
    sa.UniqueConstraint('policy_id', 'number', name=op.f('uq_policy_versions_policy_id'))
    )
    with op.batch_alter_table('policy_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_versions_policy_id'), ['policy_id'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('coordinator_id', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tag', sa.String(length=80), nullable=False),
    sa.Column('level', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('drill', sa.Boolean(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('bank_id', sa.String(length=40), nullable=True),
    sa.Column('declared_by', sa.String(length=120), nullable=False),
    sa.Column('declared_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('concluded_by', sa.String(length=120), nullable=True),
    sa.Column('concluded_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('debrief', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['coordinator_id'], ['organisations.id'], name=op.f('fk_incidents_coordinator_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    sa.UniqueConstraint('tag', name=op.f('uq_incidents_tag'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_coordinator_id'), ['coordinator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_state'), ['state'], unique=False)

    op.create_table('policy_review_tasks',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('incident_id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=120), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_policy_review_tasks_incident_id_incidents')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_policy_review_tasks_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_review_tasks')),
    sa.UniqueConstraint('incident_id', 'provider_id', name=op.f('uq_policy_review_tasks_incident_id'))
    )
    with op.batch_alter_table('policy_review_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_review_tasks_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_review_tasks_provider_id'), ['provider_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('policy_review_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_review_tasks_provider_id'))
        batch_op.drop_index(batch_op.f('ix_policy_review_tasks_incident_id'))
    op.drop_table('policy_review_tasks')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incidents_state'))
        batch_op.drop_index(batch_op.f('ix_incidents_coordinator_id'))
    op.drop_table('incidents')
    with op.batch_alter_table('policy_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_versions_policy_id'))
    op.drop_table('policy_versions')
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policies_provider_id'))
    op.drop_table('policies')
