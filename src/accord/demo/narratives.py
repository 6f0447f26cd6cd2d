"""Demo data: a five-week counter-narrative campaign by the civil-society organisation, with real results.

Daily figures are drawn from a seeded NumPy generator, so every demo shows the same story: the former
extremist's video is clicked most in France, the religious figure does best in the Arabic-speaking segment,
and the small Dutch-speaking Belgian segment has cells too small to publish. One lesson is published.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from accord import demo
from accord.audit.service import Actor
from accord.clock import Clock
from accord.narratives import lessons, service
from accord.settings import Settings

DAYS = 35
SEED = 20_160_801  # the Redirect Method pilot's month, for a memorable constant
# Segment -> (daily impressions per variant, base click-through rate).
SEGMENTS: dict[str, tuple[int, float]] = {"fr-fr": (1_400, 0.020), "fr-ar": (700, 0.024), "be-nl": (12, 0.017)}
# Variant -> segment -> multiplier of the base rate.
LIFT: dict[str, dict[str, float]] = {
    "control": {"fr-fr": 1.0, "fr-ar": 1.0, "be-nl": 1.0},
    "peer": {"fr-fr": 1.12, "fr-ar": 1.05, "be-nl": 1.1},
    "former": {"fr-fr": 1.45, "fr-ar": 1.15, "be-nl": 1.3},
    "religious": {"fr-fr": 0.95, "fr-ar": 1.5, "be-nl": 1.0},
}
LESSONS = (
    "A former extremist's short video beat the official text on click-through and on get-help clicks among "
    "French-language searches; in the Arabic-language segment a religious figure was heard best. Clicks alone "
    "misled us in week one: we pre-registered get-help clicks as the primary outcome and kept a fixed control. "
    "The Dutch-language Belgian segment stayed too small to conclude anything; pool it or run longer."
)


def plan(start: Any) -> dict[str, Any]:
    """The demo campaign's GAMMMA+ plan."""
    return {
        "name": "Another path (demo)",
        "goal": "Raise get-help clicks among people searching for recruitment material by a fifth within six weeks",
        "audience": "French-, Arabic- and Dutch-speaking people searching for jihadist recruitment content",
        "message": "Those who went came back broken; there is help to find another path",
        "messenger": "Peers, a former extremist and a respected religious figure",
        "media": "Search adverts leading to curated playlists of existing videos",
        "action": "Talk to a counsellor (get-help line of a disengagement NGO)",
        "evaluation": "Daily figures per variant and segment; Thompson allocation with a fixed control; backfire "
        "check on get-help clicks; lift against the keywords' historical click-through",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=55)).isoformat(),
        "variants": [
            {"key": "control", "control": True, "messenger": "official", "format": "text", "label": "Official text"},
            {"key": "peer", "messenger": "peer", "format": "text", "label": "Peer testimony"},
            {"key": "former", "messenger": "former_extremist", "format": "video", "label": "Former's story"},
            {"key": "religious", "messenger": "religious_figure", "format": "video", "label": "Imam's answer"},
        ],
        "segments": [
            {"key": "fr-fr", "country": "FR", "language": "fr", "keywords": ["rejoindre le califat"]},
            {"key": "fr-ar", "country": "FR", "language": "ar", "keywords": ["hijra"]},
            {"key": "be-nl", "country": "BE", "language": "nl", "region": "Flanders", "keywords": ["kalifaat"]},
        ],
        "redirect_rules": [
            {"keywords": ["rejoindre le califat", "hijra"], "variant": "former",
             "url": "https://another-path.demo.example/playlist"},
        ],
        "experiment": {"primary_outcome": "get_help_clicks", "allocation": "thompson", "min_share": 0.1,
                       "min_impressions": 5_000},
        "baselines": {"fr-fr": 0.0173, "fr-ar": 0.0241},
    }


def figures(start: Any, rng: np.random.Generator) -> list[dict[str, object]]:
    """Daily rows with a weekly rhythm and binomial noise."""
    rows: list[dict[str, object]] = []
    for day in range(DAYS):
        weekly = 1.0 + 0.15 * np.sin(2 * np.pi * day / 7)
        for segment, (volume, base) in SEGMENTS.items():
            for variant, lifts in LIFT.items():
                rows.append(_row(rng, start + timedelta(days=day), variant, segment, volume * weekly,
                                 base * lifts[segment]))
    return rows


def _row(rng: np.random.Generator, day: Any, variant: str, segment: str, volume: float,
         rate: float) -> dict[str, object]:
    impressions = int(rng.poisson(volume))
    clicks = int(rng.binomial(impressions, min(rate, 1.0)))
    get_help = int(rng.binomial(clicks, 0.09 * rate / 0.02))
    watch = float(np.round(rng.gamma(2.0, 40.0 if variant in ("former", "religious") else 15.0) * clicks, 1))
    return {"date": day.isoformat(), "variant": variant, "segment": segment, "impressions": impressions,
            "clicks": clicks, "watch_seconds": watch, "get_help_clicks": get_help}


def seed(session: Session, clock: Clock, settings: Settings, world: demo.DemoWorld) -> None:
    """Create the campaign for ``world.orgs["voices"]``, import its figures and publish one lesson."""
    org = world.orgs.get("voices")
    if org is None:
        return
    actor = Actor("demo:seed", org.id)
    start = clock.now().date() - timedelta(days=DAYS)
    campaign = service.create_campaign(session, clock, actor, org_id=org.id, data=plan(start))
    service.import_figures_json(session, clock, actor, org_id=org.id, campaign_id=campaign.id,
                                items=figures(start, np.random.default_rng(SEED)))
    lessons.publish(session, clock, actor, org_id=org.id, campaign_id=campaign.id,
                    title="Former extremists are heard in French, religious figures in Arabic", lessons=LESSONS,
                    name_organisation=True)


