"""Drills (a practice removal order sent at a random moment of a window) and joint exercises (one drill across
many providers at once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

# scheduled: waiting for its moment; sent: the order is with the provider; acted: the provider answered it;
# missed: the hour passed without an answer; cancelled: the organiser called it off before it was sent.
DRILL_STATUSES = ("scheduled", "sent", "acted", "missed", "cancelled")


class Exercise(Base):
    """A coordinator's joint exercise: a crisis scenario (a drill incident, its hashes, orders to many providers)
    whose report compares the providers' response times without showing one provider's details to another."""

    __tablename__ = "readiness_exercises"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    coordinator_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(Text, default="")
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id"))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]


class Drill(Base):
    """One practice removal order to one provider. ``send_at`` is drawn inside [starts_after, ends_before) when
    the drill is scheduled and is never shown to the provider: the point is to find out whether the on-call path
    works when nobody expects it."""

    __tablename__ = "readiness_drills"
    __table_args__ = (Index("ix_readiness_drills_status_send_at", "status", "send_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organiser_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    exercise_id: Mapped[str | None] = mapped_column(ForeignKey("readiness_exercises.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    starts_after: Mapped[datetime]
    ends_before: Mapped[datetime]
    send_at: Mapped[datetime]
    notice_id: Mapped[str | None] = mapped_column(ForeignKey("notices.id"), index=True)
    sent_at: Mapped[datetime | None]
    first_viewed_at: Mapped[datetime | None]  # the provider first opened the order (API or inbox)
    feedback_at: Mapped[datetime | None]  # the Annex II/III feedback was first produced
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
