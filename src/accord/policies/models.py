"""Policies and their versions, crisis incidents, and the policy reviews an incident asks of members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

VERSION_STATES = ("draft", "published")
INCIDENT_STATES = ("active", "concluded")
TASK_STATES = ("open", "done")


class Policy(Base):
    """A provider's named policy; ``active_version`` is the version decisions apply now."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("provider_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    active_version: Mapped[int | None]
    activated_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PolicyVersion(Base):
    """One immutable version of a policy; a draft becomes citable once published."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("policy_id", "number"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    policy_id: Mapped[str] = mapped_column(ForeignKey("policies.id"), index=True)
    number: Mapped[int]
    state: Mapped[str] = mapped_column(String(12), default="draft")
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
    published_by: Mapped[str | None] = mapped_column(String(120))
    published_at: Mapped[datetime | None]


class Incident(Base):
    """A declared crisis (GIFCT Content Incident Protocol, EU Crisis Protocol), or a drill of one."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    coordinator_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Carried by bank entries shared for this incident; cases matching them rise in priority while active.
    tag: Mapped[str] = mapped_column(String(80), unique=True)
    level: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(12), default="active", index=True)
    drill: Mapped[bool] = mapped_column(default=False)
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    bank_id: Mapped[str | None] = mapped_column(String(40))
    declared_by: Mapped[str] = mapped_column(String(120))
    declared_at: Mapped[datetime]
    concluded_by: Mapped[str | None] = mapped_column(String(120))
    concluded_at: Mapped[datetime | None]
    conclusion: Mapped[str] = mapped_column(Text, default="")
    debrief: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PolicyReviewTask(Base):
    """"Review your policies after this incident": one per provider when an incident concludes."""

    __tablename__ = "policy_review_tasks"
    __table_args__ = (UniqueConstraint("incident_id", "provider_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
