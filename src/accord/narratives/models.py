"""Counter-narrative campaigns: the GAMMMA+ plan, its audience segments and variants, redirect rules, the
daily aggregate figures and the lessons a campaign publishes to the other organisations.

Nothing here describes a person: segments are places, languages and search context; figures are daily
aggregates per variant and segment.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

CAMPAIGN_KINDS = ("civil_society", "authority", "provider")
"""Organisations that may run campaigns (TCO and DSA leave counter-speech to them; banks and notices not)."""


class Campaign(Base):
    """One campaign with RAN's GAMMMA+ plan and its pre-registered experiment design."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[str] = mapped_column(Text, default="")
    messenger: Mapped[str] = mapped_column(Text, default="")
    media: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")
    evaluation: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # The pre-registered design: primary outcome, allocation method, shares and stop-rule thresholds.
    experiment: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Segment key -> historical rate on the same keywords (the Redirect pilot's benchmark).
    baselines: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CampaignSegment(Base):
    """An audience segment: country, language, region and context keywords only."""

    __tablename__ = "campaign_segments"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(200))
    keywords: Mapped[list[Any]] = mapped_column(default=list)


class CampaignVariant(Base):
    """A version of the message: messenger type, format, language; one per campaign is the control."""

    __tablename__ = "campaign_variants"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    key: Mapped[str] = mapped_column(String(64))
    control: Mapped[bool] = mapped_column(default=False)
    messenger: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(2))
    label: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(Text)
    content_url: Mapped[str | None] = mapped_column(String(2000))


class RedirectRule(Base):
    """Risk keywords that redirect a search to counter-content (the Redirect Method)."""

    __tablename__ = "campaign_redirect_rules"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    language: Mapped[str | None] = mapped_column(String(2))
    variant: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime]


class CampaignFigure(Base):
    """The aggregate figures of one variant in one segment on one day; the key makes imports idempotent."""

    __tablename__ = "campaign_figures"
    __table_args__ = (UniqueConstraint("campaign_id", "date", "variant", "segment"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    variant: Mapped[str] = mapped_column(String(64))
    segment: Mapped[str] = mapped_column(String(64))
    impressions: Mapped[int] = mapped_column(Integer)
    clicks: Mapped[int] = mapped_column(Integer)
    watch_seconds: Mapped[float] = mapped_column(Float)
    get_help_clicks: Mapped[int] = mapped_column(Integer)
    completions: Mapped[int | None] = mapped_column(Integer)
    survey_responses: Mapped[int | None] = mapped_column(Integer)


class Lesson(Base):
    """A campaign's anonymised results and lessons, readable by every organisation on the instance."""

    __tablename__ = "campaign_lessons"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    lessons: Mapped[str] = mapped_column(Text)
    # Who published, shown only when the organisation chose to be named.
    publisher: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    results: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_at: Mapped[datetime] = mapped_column(index=True)
