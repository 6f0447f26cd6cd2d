"""Sharing lessons: a campaign publishes its anonymised results and lessons to every organisation.

Only aggregates leave the campaign: the impact tables (small cells suppressed), messenger types, formats,
countries and languages. Keywords, regions and message texts stay private, and the organisation is named only
if it chooses. Published lessons are the one thing about a campaign another organisation may read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import new_id
from accord.errors import NotFound
from accord.figures_cache import FiguresCache, digest
from accord.identity.models import Organisation
from accord.narratives.impact import ImpactReport
from accord.narratives.models import Campaign, Lesson
from accord.narratives.plan import validate_lessons
from accord.narratives.service import draw, get_campaign, impact_of, segments_of, variants_of

_CHARTS = FiguresCache(32)  # a published lesson's results never change: each chart is drawn once


def publish(
    session: Session, clock: Clock, actor: Actor, *, org_id: str | None, campaign_id: str, title: object,
    lessons: object, name_organisation: bool = False,
) -> Lesson:
    """Publish the campaign's anonymised results and lessons to every organisation on the instance.

    Only aggregates leave the campaign: the impact tables (small cells suppressed), messenger types,
    formats, countries and languages. Keywords, regions and message texts stay private; the organisation is
    named only if it chooses. Publishing again replaces the earlier version.
    """
    campaign = get_campaign(session, org_id, campaign_id)
    checked_title, text = validate_lessons(title, lessons)
    org = session.get(Organisation, campaign.org_id)
    values = {
        "title": checked_title, "lessons": text, "published_at": clock.now(),
        "publisher": org.name if name_organisation and org is not None else None,
        "summary": _summary(session, campaign), "results": _anonymised(impact_of(session, campaign)),
    }
    lesson = session.scalar(select(Lesson).where(Lesson.campaign_id == campaign.id))
    republished = lesson is not None
    if lesson is None:
        lesson = Lesson(id=new_id("lsn"), campaign_id=campaign.id, **values)
        session.add(lesson)
    else:
        for name, value in values.items():
            setattr(lesson, name, value)
    session.flush()
    record(session, clock, actor, Event.NARRATIVES_LESSON_PUBLISH, subject=campaign.id, org_id=campaign.org_id,
           payload={"lesson_id": lesson.id, "republished": republished, "named": lesson.publisher is not None})
    return lesson


def _summary(session: Session, campaign: Campaign) -> dict[str, Any]:
    segments = segments_of(session, campaign.id)
    return {
        "goal": campaign.goal, "action": campaign.action, "evaluation": campaign.evaluation,
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else None,
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else None,
        "primary_outcome": campaign.experiment.get("primary_outcome"),
        "variants": [{"key": v.key, "control": v.control, "messenger": v.messenger.value,
                      "format": v.format.value, "language": v.language} for v in variants_of(session, campaign.id)],
        "segments": [{"key": s.key, "country": s.country, "language": s.language} for s in segments],
    }


def _anonymised(report: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in report.items() if key != "campaign_id"}


def list_lessons(session: Session) -> list[Lesson]:
    """Every published lesson on the instance, newest first."""
    return list(session.scalars(select(Lesson).order_by(Lesson.published_at.desc())))


def get_lesson(session: Session, campaign_id: str) -> Lesson:
    """A published lesson by its campaign id (or its own id); unpublished campaigns are ``NotFound``."""
    lesson = session.scalar(
        select(Lesson).where((Lesson.campaign_id == campaign_id) | (Lesson.id == campaign_id))
    )
    if lesson is None:
        raise NotFound(f"no published campaign {campaign_id!r}")
    return lesson


def lesson_of(session: Session, campaign_id: str) -> Lesson | None:
    """The campaign's published lesson, if any (for its own pages)."""
    return session.scalar(select(Lesson).where(Lesson.campaign_id == campaign_id))


def lesson_chart(session: Session, lesson_ref: str, name: str) -> bytes:
    """A chart of a published lesson's results, drawn from the anonymised snapshot alone."""
    results = get_lesson(session, lesson_ref).results
    key = digest("lesson-chart", name, sorted(results.items()))
    return _CHARTS.get(key, lambda: draw(report_name=name, report=ImpactReport.from_dict(results)))
