"""How pages show data to a person: times to the minute in UTC, readable labels instead of stored values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment

# Stored values a person should never have to decode (notice outcomes, statuses, kinds, Annex III grounds).
LABELS: dict[str, str] = {
    "removed": "Removed",
    "remove": "Remove",
    "disable": "Disable access",
    "restrict": "Restrict",
    "match": "Hash match",
    "disabled": "Access disabled",
    "no_action": "No action",
    "cannot_comply": "Cannot comply",
    "removal_order": "Removal order",
    "referral": "Referral",
    "alert": "Alert",
    "trusted_flag": "Trusted flag",
    "user_report": "User report",
    "received": "Received",
    "acknowledged": "Acknowledged",
    "answered": "Answered",
    "paused": "Paused (cannot comply)",
    "queued": "Queued",
    "held": "On hold",
    "force_majeure": "Force majeure",
    "de_facto_impossibility": "De facto impossibility",
    "manifest_error": "Manifest error",
    "insufficient_information": "Insufficient information",
    "civil_society": "civil society",
    "trusted_flagger": "trusted flagger",
}


def utc(value: datetime | str | None, empty: str = "") -> str:
    """``2026-12-03 19:33 UTC``: to the minute, always in UTC, so that two people can compare what they see."""
    if value is None or value == "":
        return empty
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # SQLite hands back naive datetimes that were stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(value: datetime | None) -> str:
    """The machine form for ``data-`` attributes and ``<time datetime>`` (the browser shows local time)."""
    if value is None:
        return ""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def label(value: Any) -> str:
    """A stored value as words: ``no_action`` → ``No action``; unknown values lose their underscores."""
    text = str(value or "")
    return LABELS.get(text, text.replace("_", " "))


def priority(case: Mapping[str, Any]) -> dict[str, str]:
    """A case's priority as the console sorts it: an open case with a deadline (a removal order) comes before
    any score, so it reads "urgent" (or "overdue"), never "medium" beside a high-scoring match below it."""
    left = case.get("seconds_left")
    if left is not None and case.get("state", "open") == "open":
        return {"label": "overdue" if left < 0 else "urgent · deadline", "tone": "bad",
                "why": "a legal deadline: answered before any case without one"}
    band = str(case.get("band", ""))
    tone = {"high": "bad", "medium": "warn"}.get(band, "")
    return {"label": f"{band} · {case.get('score')}", "tone": tone, "why": f"score {case.get('score')}"}


def install(env: Environment) -> None:
    """Register the filters once on the templates' environment (idempotent: every render may call it)."""
    if "utc" not in env.filters:
        env.filters.update(utc=utc, iso=iso, label=label)
        env.globals.update(priority=priority)
