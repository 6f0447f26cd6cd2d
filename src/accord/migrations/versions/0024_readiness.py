"""readiness: drills, joint exercises, and the drill mark on notices (issue 18)

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-08 03:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = '0024'
down_revision: str | Sequence[str] | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('readiness_exercises',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('coordinator_id', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('scenario', sa.Text(), nullable=False),
    sa.Column('incident_id', sa.String(length=40), nullable=True),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coordinator_id'], ['organisations.id'],
                            name=op.f('fk_readiness_exercises_coordinator_id_organisations')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_readiness_exercises_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_exercises'))
    )
    with op.batch_alter_table('readiness_exercises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readiness_exercises_coordinator_id'), ['coordinator_id'], unique=False)

    op.create_table('readiness_drills',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('organiser_id', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('exercise_id', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('starts_after', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_before', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('send_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('notice_id', sa.String(length=40), nullable=True),
    sa.Column('sent_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_viewed_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('feedback_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['exercise_id'], ['readiness_exercises.id'],
                            name=op.f('fk_readiness_drills_exercise_id_readiness_exercises')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_readiness_drills_notice_id_notices')),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisations.id'],
                            name=op.f('fk_readiness_drills_organiser_id_organisations')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'],
                            name=op.f('fk_readiness_drills_provider_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_drills'))
    )
    with op.batch_alter_table('readiness_drills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readiness_drills_exercise_id'), ['exercise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_readiness_drills_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_readiness_drills_organiser_id'), ['organiser_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_readiness_drills_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('ix_readiness_drills_status_send_at', ['status', 'send_at'], unique=False)

    # ADD COLUMN, not a table copy: the receipt triggers of migration 0019 stay in place on SQLite.
    op.add_column('notices', sa.Column('drill', sa.Boolean(), server_default=sa.text('false'), nullable=False))


def downgrade() -> None:
    op.drop_column('notices', 'drill')
    with op.batch_alter_table('readiness_drills', schema=None) as batch_op:
        batch_op.drop_index('ix_readiness_drills_status_send_at')
        batch_op.drop_index(batch_op.f('ix_readiness_drills_provider_id'))
        batch_op.drop_index(batch_op.f('ix_readiness_drills_organiser_id'))
        batch_op.drop_index(batch_op.f('ix_readiness_drills_notice_id'))
        batch_op.drop_index(batch_op.f('ix_readiness_drills_exercise_id'))
    op.drop_table('readiness_drills')
    with op.batch_alter_table('readiness_exercises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_readiness_exercises_coordinator_id'))
    op.drop_table('readiness_exercises')
