"""Factories for the narratives tests: a three-variant campaign over three segments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accord.narratives.audience import Segment, Variant, validate_segments, validate_variants
from accord.narratives.figures import FigureContext, FigureRow

START = date(2026, 3, 1)


@pytest.fixture
def variants() -> list[Variant]:
    return validate_variants(
        [
            {"key": "control", "control": True, "messenger": "official", "format": "text", "language": "fr"},
            {"key": "former", "messenger": "former_extremist", "format": "video", "language": "fr"},
            {"key": "peer", "messenger": "peer", "format": "story", "language": "fr"},
        ]
    )


@pytest.fixture
def segments() -> list[Segment]:
    return validate_segments(
        [
            {"key": "fr-fr", "country": "FR", "language": "fr"},
            {"key": "be-fr", "country": "BE", "language": "fr", "region": "Brussels"},
            {"key": "fr-ar", "country": "FR", "language": "ar", "keywords": ["hijra"]},
        ]
    )


@pytest.fixture
def context() -> FigureContext:
    return FigureContext(
        variants=frozenset({"control", "former", "peer"}),
        segments=frozenset({"fr-fr", "be-fr", "fr-ar"}),
        start=START,
        end=START + timedelta(days=29),
    )


def make_row(
    variant: str,
    segment: str,
    impressions: int,
    clicks: int,
    *,
    day: int = 0,
    watch_seconds: float = 0.0,
    get_help_clicks: int = 0,
    completions: int | None = None,
) -> FigureRow:
    return FigureRow(
        date=START + timedelta(days=day),
        variant=variant,
        segment=segment,
        impressions=impressions,
        clicks=clicks,
        watch_seconds=watch_seconds,
        get_help_clicks=get_help_clicks,
        completions=completions,
    )
