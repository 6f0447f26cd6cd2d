"""review: queues, claims, decisions, statements of reasons, quality reviews, preferences, strikes

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-28 23:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("review",)
depends_on: str | Sequence[str] | None = None

UTC = accord.db.UTCDateTime(timezone=True)


def _org_fk(table: str, column: str = "provider_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["organisations.id"], name=f"fk_{table}_{column}_organisations")


def upgrade() -> None:
    op.create_table(
        "review_queues",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("harm", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        _org_fk("review_queues"),
        sa.PrimaryKeyConstraint("id", name="pk_review_queues"),
    )
    op.create_index("ix_review_queues_provider_id", "review_queues", ["provider_id"])
    op.create_table(
        "review_settings",
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        _org_fk("review_settings"),
        sa.PrimaryKeyConstraint("provider_id", name="pk_review_settings"),
    )
    op.create_table(
        "reviewer_preferences",
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("reviewer", sa.String(length=120), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        _org_fk("reviewer_preferences"),
        sa.PrimaryKeyConstraint("provider_id", "reviewer", name="pk_reviewer_preferences"),
    )
    _extend_cases()
    _create_claims()
    _create_decisions()
    _create_statements()
    _create_quality_reviews()
    _create_strikes()


def _extend_cases() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queue_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("tier", sa.Integer(), server_default=sa.text("2"), nullable=False))
        batch_op.add_column(sa.Column("score", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch_op.add_column(sa.Column("urgency", sa.Integer(), server_default=sa.text("100"), nullable=False))
        batch_op.add_column(sa.Column("score_reasons", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column("labels", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column("graphic", sa.Boolean(), server_default=sa.text("false"), nullable=False))
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("jurisdiction", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("media", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column("uploader_ref", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("triaged_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("escalation", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("decided_at", UTC, nullable=True))
        batch_op.create_foreign_key("fk_cases_queue_id_review_queues", "review_queues", ["queue_id"], ["id"])
        batch_op.create_index("ix_cases_queue_id", ["queue_id"], unique=False)
        batch_op.create_index("ix_cases_waiting", ["provider_id", "state", "tier", "deadline_at", "urgency",
                                                   "created_at", "id"], unique=False)
        batch_op.create_index("ix_cases_triage", ["provider_id", "state", "triaged_at"], unique=False)


def _create_claims() -> None:
    op.create_table(
        "case_claims",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("reviewer", sa.String(length=120), nullable=False),
        sa.Column("graphic", sa.Boolean(), nullable=False),
        sa.Column("claimed_at", UTC, nullable=False),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_claims_case_id_cases"),
        _org_fk("case_claims"),
        sa.PrimaryKeyConstraint("id", name="pk_case_claims"),
    )
    op.create_index("ix_case_claims_case_id", "case_claims", ["case_id"])
    op.create_index("ix_case_claims_reviewer", "case_claims", ["provider_id", "reviewer", "claimed_at"])


def _create_decisions() -> None:
    op.create_table(
        "case_decisions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("queue_id", sa.String(length=40), nullable=True),
        sa.Column("reviewer", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("restriction", sa.String(length=30), nullable=True),
        sa.Column("ground_kind", sa.String(length=8), nullable=False),
        sa.Column("ground_ref", sa.String(length=500), nullable=False),
        sa.Column("ground_explanation", sa.Text(), nullable=False),
        sa.Column("exempt_purpose", sa.String(length=20), nullable=True),
        sa.Column("exemption_assessment", sa.Text(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("automated_detection", sa.Boolean(), nullable=False),
        sa.Column("automated_decision", sa.Boolean(), nullable=False),
        sa.Column("manifestly_illegal", sa.Boolean(), nullable=False),
        sa.Column("notice_ids", sa.JSON(), nullable=False),
        sa.Column("statement_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_decisions_case_id_cases"),
        _org_fk("case_decisions"),
        sa.PrimaryKeyConstraint("id", name="pk_case_decisions"),
    )
    op.create_index("ix_case_decisions_case_id", "case_decisions", ["case_id"])
    op.create_index("ix_case_decisions_provider_id", "case_decisions", ["provider_id"])


def _create_statements() -> None:
    op.create_table(
        "case_statements",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("elements", sa.JSON(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column("exemption", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["case_decisions.id"],
                                name="fk_case_statements_decision_id_case_decisions"),
        _org_fk("case_statements"),
        sa.PrimaryKeyConstraint("id", name="pk_case_statements"),
    )
    op.create_index("ix_case_statements_decision_id", "case_statements", ["decision_id"])
    op.create_index("ix_case_statements_provider_id", "case_statements", ["provider_id"])


def _create_quality_reviews() -> None:
    op.create_table(
        "case_quality_reviews",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("queue_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("original_reviewer", sa.String(length=120), nullable=False),
        sa.Column("original_action", sa.String(length=12), nullable=False),
        sa.Column("reviewer", sa.String(length=120), nullable=True),
        sa.Column("action", sa.String(length=12), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("done_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_quality_reviews_case_id_cases"),
        sa.ForeignKeyConstraint(["decision_id"], ["case_decisions.id"],
                                name="fk_case_quality_reviews_decision_id_case_decisions"),
        _org_fk("case_quality_reviews"),
        sa.PrimaryKeyConstraint("id", name="pk_case_quality_reviews"),
    )
    op.create_index("ix_case_quality_reviews_decision_id", "case_quality_reviews", ["decision_id"])
    op.create_index("ix_case_quality_reviews_provider_id", "case_quality_reviews", ["provider_id"])
    op.create_index("ix_case_quality_reviews_state", "case_quality_reviews", ["state"])


def _create_strikes() -> None:
    op.create_table(
        "case_strikes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("subject_kind", sa.String(length=10), nullable=False),
        sa.Column("subject_ref", sa.String(length=200), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("consequence", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["case_decisions.id"],
                                name="fk_case_strikes_decision_id_case_decisions"),
        _org_fk("case_strikes"),
        sa.PrimaryKeyConstraint("id", name="pk_case_strikes"),
    )
    op.create_index("ix_case_strikes_subject", "case_strikes", ["provider_id", "subject_kind", "subject_ref"])


def downgrade() -> None:
    for table in ("case_strikes", "case_quality_reviews", "case_statements", "case_decisions", "case_claims"):
        op.drop_table(table)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_triage")
        batch_op.drop_index("ix_cases_waiting")
        batch_op.drop_index("ix_cases_queue_id")
        batch_op.drop_constraint("fk_cases_queue_id_review_queues", type_="foreignkey")
        for column in ("decided_at", "escalation", "claimed_at", "claimed_by", "triaged_at", "uploader_ref",
                       "media", "jurisdiction", "language", "graphic", "labels", "score_reasons", "urgency", "score",
                       "tier", "queue_id"):
            batch_op.drop_column(column)
    for table in ("reviewer_preferences", "review_settings", "review_queues"):
        op.drop_table(table)
