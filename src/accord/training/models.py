"""Golden sets, their golden cases, trainees' answers, and an organisation's calibration rule.

A golden case is a case with a reference decision and its reasons: built from a past decision (anonymised:
no uploader, no notice sender, no URL) or written by a coordinator. Golden sets are shared like banks: private,
shared with named organisations, or shared with all. Training answers are kept apart from live decisions: they
never touch ``cases``, notices, statements of reasons or strikes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

ORIGINS = ("decision", "written")


class GoldenSet(Base):
    __tablename__ = "training_golden_sets"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(12), default="private")  # as banks: private, shared, all
    shared_with: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]


class GoldenCase(Base):
    """What a trainee sees (title, facts, media, labels) and the reference they are measured against."""

    __tablename__ = "training_golden_cases"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    set_id: Mapped[str] = mapped_column(ForeignKey("training_golden_sets.id"), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    facts: Mapped[str] = mapped_column(Text, default="")
    media: Mapped[list[Any]] = mapped_column(default=list)  # [{"url", "type"}], shown blurred as in the console
    labels: Mapped[list[Any]] = mapped_column(default=list)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    language: Mapped[str | None] = mapped_column(String(8))
    jurisdiction: Mapped[str | None] = mapped_column(String(2))
    graphic: Mapped[bool] = mapped_column(default=False)
    reference_action: Mapped[str] = mapped_column(String(12))
    reference_ground: Mapped[str] = mapped_column(String(500))
    reference_reasons: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(10))  # "decision" or "written"
    created_at: Mapped[datetime]


class TrainingAnswer(Base):
    """A trainee's decision on a golden case: measured against the reference, never acted on."""

    __tablename__ = "training_answers"
    __table_args__ = (Index("ix_training_answers_reviewer", "org_id", "reviewer", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    reviewer: Mapped[str] = mapped_column(String(120))
    golden_case_id: Mapped[str] = mapped_column(ForeignKey("training_golden_cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(12))
    ground: Mapped[str] = mapped_column(String(500), default="")
    reasons: Mapped[str] = mapped_column(Text, default="")
    correct: Mapped[bool]
    # 1 for the reviewer's first answer to this golden case: only first answers measure judgement.
    attempt: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]


class CalibrationRule(Base):
    """An organisation's optional rule: a new reviewer passes a calibration before claiming live cases."""

    __tablename__ = "training_calibration_rules"

    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    required: Mapped[bool] = mapped_column(default=False)
    cases: Mapped[int] = mapped_column(default=10)  # the last N distinct golden cases answered count
    min_accuracy: Mapped[float] = mapped_column(Float, default=0.8)
    min_kappa: Mapped[float | None] = mapped_column(Float)
    set_id: Mapped[str | None] = mapped_column(ForeignKey("training_golden_sets.id"))  # None: any visible set
    # Reviewers who decided a live case before this moment are not new: the rule does not hold them back.
    enabled_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class CalibrationPass(Base):
    """A reviewer passed the calibration (kept: a later wrong training answer does not lock them out)."""

    __tablename__ = "training_calibration_passes"

    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    reviewer: Mapped[str] = mapped_column(String(120), primary_key=True)
    answered: Mapped[int]
    accuracy: Mapped[float] = mapped_column(Float)
    kappa: Mapped[float | None] = mapped_column(Float)
    passed_at: Mapped[datetime]
