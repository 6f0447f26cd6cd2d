"""The case: notices, matches and reports about the same content, joined for one review.

The case core (content key, urls, signals, sources, deadline) is what intake (notices, matches) relies on;
the review console adds queues, priority, claims, decisions, statements of reasons, quality reviews,
reviewer preferences and strikes beside it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

CASE_STATES = ("open", "decided", "closed")
ACTIONS = ("remove", "disable", "restrict", "no_action")
EXEMPT_PURPOSES = ("journalistic", "educational", "artistic", "research", "counter_terrorism")
_EMPTY_LIST = text("'[]'")
_EMPTY_DICT = text("'{}'")


class Case(Base):
    __tablename__ = "cases"
    # Every column with a server default has a Python default too, so nothing needs reading back after an
    # INSERT: without this the ORM asks for RETURNING and many cases go out as one long multi-row statement
    # (psycopg re-parses such a statement on every call) instead of a pipelined executemany.
    __mapper_args__ = {"eager_defaults": False}
    __table_args__ = (
        Index("ix_cases_provider_content", "provider_id", "content_key"),
        # Matches ``claims.waiting_order`` column for column, so the first page is read off the index.
        Index("ix_cases_waiting", "provider_id", "state", "tier", "deadline_at", "urgency", "created_at", "id"),
        Index("ix_cases_triage", "provider_id", "state", "triaged_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The normalised URL (or "hash:<type>:<value>") that deconfliction joins on.
    content_key: Mapped[str] = mapped_column(String(2100))
    urls: Mapped[list[Any]] = mapped_column(default=list)
    signals: Mapped[list[Any]] = mapped_column(default=list)
    title: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    # The earliest binding deadline among its items (a removal order's hour), if any.
    deadline_at: Mapped[datetime | None]
    sources: Mapped[list[Any]] = mapped_column(default=list)  # e.g. ["removal_order", "hash_match"]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # --- review (migration 0004) ---
    queue_id: Mapped[str | None] = mapped_column(ForeignKey("review_queues.id"), index=True)
    # 0 removal order, 1 trusted flagger or authority, 2 everything else: lower is reviewed first.
    tier: Mapped[int] = mapped_column(default=2, server_default=text("2"))
    score: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # 100 - score: ascending urgency is descending score, so every column of the waiting order is ascending.
    urgency: Mapped[int] = mapped_column(default=100, server_default=text("100"))
    score_reasons: Mapped[list[Any]] = mapped_column(default=list, server_default=_EMPTY_LIST)
    # Triage labels: "imminent_threat", "graphic_violence", "incident", ...
    labels: Mapped[list[Any]] = mapped_column(default=list, server_default=_EMPTY_LIST)
    graphic: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    language: Mapped[str | None] = mapped_column(String(8))
    jurisdiction: Mapped[str | None] = mapped_column(String(2))
    media: Mapped[list[Any]] = mapped_column(default=list, server_default=_EMPTY_LIST)  # [{"url","type"}]
    uploader_ref: Mapped[str | None] = mapped_column(String(200))
    triaged_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None]
    escalation: Mapped[str | None] = mapped_column(String(20))
    decided_at: Mapped[datetime | None]


class ReviewQueue(Base):
    """A queue of a provider; ``rules`` route cases into it, first matching queue (by ``position``) wins."""

    __tablename__ = "review_queues"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=100)
    # {"sources": [...], "severity": [...], "languages": [...], "jurisdictions": [...]}; empty: matches all.
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    roles: Mapped[list[Any]] = mapped_column(default=list)  # empty: every reviewer may see it
    harm: Mapped[str] = mapped_column(String(8), default="high")  # "high" or "low" (wellness rotation)
    kind: Mapped[str] = mapped_column(String(12), default="routed")  # "routed", "default", "senior"
    created_at: Mapped[datetime]


class ReviewSettings(Base):
    """A provider's review configuration; missing keys take ``accord.cases.config.DEFAULTS``."""

    __tablename__ = "review_settings"

    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


class ReviewerPreference(Base):
    """One reviewer's overrides of the organisation's wellness defaults."""

    __tablename__ = "reviewer_preferences"

    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    reviewer: Mapped[str] = mapped_column(String(120), primary_key=True)
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


class Claim(Base):
    """One reviewer holding one case: the history behind exposure counts and idle releases."""

    __tablename__ = "case_claims"
    __table_args__ = (Index("ix_case_claims_reviewer", "provider_id", "reviewer", "claimed_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    reviewer: Mapped[str] = mapped_column(String(120))
    graphic: Mapped[bool] = mapped_column(default=False)
    claimed_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(12))  # decided, released, expired, escalated


class Decision(Base):
    """What was done with a case, on which ground, by whom; answers every notice of the case."""

    __tablename__ = "case_decisions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    queue_id: Mapped[str | None] = mapped_column(String(40))
    reviewer: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(12))
    countries: Mapped[list[Any]] = mapped_column(default=list)
    restriction: Mapped[str | None] = mapped_column(String(30))
    ground_kind: Mapped[str] = mapped_column(String(8))  # "legal" or "terms"
    ground_ref: Mapped[str] = mapped_column(String(500))
    ground_explanation: Mapped[str] = mapped_column(Text, default="")
    exempt_purpose: Mapped[str | None] = mapped_column(String(20))
    exemption_assessment: Mapped[str] = mapped_column(Text, default="")
    facts: Mapped[str] = mapped_column(Text)
    automated_detection: Mapped[bool] = mapped_column(default=False)
    automated_decision: Mapped[bool] = mapped_column(default=False)
    manifestly_illegal: Mapped[bool] = mapped_column(default=False)
    notice_ids: Mapped[list[Any]] = mapped_column(default=list)
    statement_id: Mapped[str | None] = mapped_column(String(40))
    # The provider's policy version in force when the decision was taken (migration 0010); None without one.
    policy_version_id: Mapped[str | None] = mapped_column(ForeignKey("policy_versions.id"))
    created_at: Mapped[datetime]


class Statement(Base):
    """The statement of reasons of one decision (DSA Art. 17(3)) and, where one is due, its TDB body."""

    __tablename__ = "case_statements"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("case_decisions.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    elements: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The Transparency Database body (``accord.law.sor.to_statement``), or why none is due.
    body: Mapped[dict[str, Any] | None]
    exemption: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class QualityReview(Base):
    """A blind second look at a decision: a sampled re-review or the human check of an automated one."""

    __tablename__ = "case_quality_reviews"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("case_decisions.id"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    queue_id: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12))  # "rereview" or "verification"
    original_reviewer: Mapped[str] = mapped_column(String(120))
    original_action: Mapped[str] = mapped_column(String(12))
    reviewer: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str | None] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(8), default="pending", index=True)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class Strike(Base):
    """DSA Art. 23: a manifestly illegal upload (uploader) or a manifestly unfounded notice (notifier)."""

    __tablename__ = "case_strikes"
    __table_args__ = (Index("ix_case_strikes_subject", "provider_id", "subject_kind", "subject_ref"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    subject_kind: Mapped[str] = mapped_column(String(10))  # "uploader" or "notifier"
    subject_ref: Mapped[str] = mapped_column(String(200))
    decision_id: Mapped[str] = mapped_column(ForeignKey("case_decisions.id"))
    consequence: Mapped[str] = mapped_column(String(10))  # "none", "warning", "suspension"
    created_at: Mapped[datetime]
