"""training: golden sets and cases, trainees' answers, calibration rules and passes (issue 18)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 03:25:00.655434
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = '0025'
down_revision: str | Sequence[str] | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('training_calibration_passes',
    sa.Column('org_id', sa.String(length=40), nullable=False),
    sa.Column('reviewer', sa.String(length=120), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('accuracy', sa.Float(), nullable=False),
    sa.Column('kappa', sa.Float(), nullable=True),
    sa.Column('passed_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_training_calibration_passes_org_id_organisations')),
    sa.PrimaryKeyConstraint('org_id', 'reviewer', name=op.f('pk_training_calibration_passes'))
    )
    op.create_table('training_golden_sets',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('visibility', sa.String(length=12), nullable=False),
    sa.Column('shared_with', sa.JSON(), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_training_golden_sets_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_golden_sets')),
    sa.UniqueConstraint('org_id', 'name', name=op.f('uq_training_golden_sets_org_id'))
    )
    with op.batch_alter_table('training_golden_sets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_golden_sets_org_id'), ['org_id'], unique=False)

    op.create_table('training_calibration_rules',
    sa.Column('org_id', sa.String(length=40), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('min_accuracy', sa.Float(), nullable=False),
    sa.Column('min_kappa', sa.Float(), nullable=True),
    sa.Column('set_id', sa.String(length=40), nullable=True),
    sa.Column('enabled_at', accord.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_training_calibration_rules_org_id_organisations')),
    sa.ForeignKeyConstraint(['set_id'], ['training_golden_sets.id'], name=op.f('fk_training_calibration_rules_set_id_training_golden_sets')),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_training_calibration_rules'))
    )
    op.create_table('training_golden_cases',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('set_id', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('media', sa.JSON(), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('jurisdiction', sa.String(length=2), nullable=True),
    sa.Column('graphic', sa.Boolean(), nullable=False),
    sa.Column('reference_action', sa.String(length=12), nullable=False),
    sa.Column('reference_ground', sa.String(length=500), nullable=False),
    sa.Column('reference_reasons', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['training_golden_sets.id'], name=op.f('fk_training_golden_cases_set_id_training_golden_sets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_golden_cases'))
    )
    with op.batch_alter_table('training_golden_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_golden_cases_set_id'), ['set_id'], unique=False)

    op.create_table('training_answers',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.String(length=40), nullable=False),
    sa.Column('reviewer', sa.String(length=120), nullable=False),
    sa.Column('golden_case_id', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('ground', sa.String(length=500), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('created_at', accord.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['golden_case_id'], ['training_golden_cases.id'], name=op.f('fk_training_answers_golden_case_id_training_golden_cases')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_training_answers_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_answers'))
    )
    with op.batch_alter_table('training_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_answers_golden_case_id'), ['golden_case_id'], unique=False)
        batch_op.create_index('ix_training_answers_reviewer', ['org_id', 'reviewer', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('training_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_training_answers_reviewer')
        batch_op.drop_index(batch_op.f('ix_training_answers_golden_case_id'))

    op.drop_table('training_answers')
    with op.batch_alter_table('training_golden_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_golden_cases_set_id'))

    op.drop_table('training_golden_cases')
    op.drop_table('training_calibration_rules')
    with op.batch_alter_table('training_golden_sets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_golden_sets_org_id'))

    op.drop_table('training_golden_sets')
    op.drop_table('training_calibration_passes')
