"""Review configuration: organisation defaults with per-reviewer wellness overrides.

Everything a provider tunes about review lives in one JSON row per provider (``ReviewSettings``); the keys
and their defaults are declared here so that a missing key always means the documented default.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.cases.models import ReviewerPreference, ReviewSettings
from accord.clock import Clock
from accord.errors import InvalidInput

DEFAULTS: Final[dict[str, Any]] = {
    "claim_idle_minutes": 10,  # an idle claim returns to the pool after this long
    "rereview_share": 0.10,  # share of human decisions re-reviewed blind
    "automated_verify_share": 0.10,  # TCO Art. 5: share of automated decisions verified; never zero
    "breach_risk_minutes": 20,  # a removal order this close to its deadline is "at risk"
    "shift_hours": 8,
    "graphic_soft_cap": 25,  # graphic items per shift before rotation to lower-harm queues
    "blur": True,
    "greyscale": True,
    "mute_video": True,
    "uploader_warning_at": 1,
    "uploader_suspension_at": 3,
    "notifier_warning_at": 2,
    "notifier_suspension_at": 5,
    "strike_window_days": 365,
    "suspension_days": 30,  # DSA Art. 23: a suspension lasts "a reasonable period of time"
}
MAX_SETTING: Final = 100_000  # minutes, hours, days, counts: larger would overflow a date (a 500, not a refusal)
WELLNESS_KEYS: Final = ("blur", "greyscale", "mute_video", "graphic_soft_cap", "shift_hours")
_SHARES: Final = ("rereview_share", "automated_verify_share")
# Settings read in this transaction, by provider: claiming and deciding one case consult them several times,
# and a provider without a settings row would otherwise cost a query each time (a missing row is not kept in
# the identity map). Keyed to the transaction, so another transaction's change is seen by the next one.
_CACHE: Final = "accord.cases.review_settings"


def _cache(session: Session) -> dict[str, dict[str, Any]]:
    transaction = session.get_transaction()
    held = session.info.get(_CACHE)
    if held is not None and transaction is not None and held[0] is transaction:
        cache: dict[str, dict[str, Any]] = held[1]
        return cache
    return {}


def _keep(session: Session, cache: dict[str, dict[str, Any]]) -> None:
    """Remember what was read for the rest of the transaction (which the read itself may have begun)."""
    session.info[_CACHE] = (session.get_transaction(), cache)


def review_settings(session: Session, provider_id: str) -> dict[str, Any]:
    """The provider's review settings with defaults filled in."""
    cache = _cache(session)
    if provider_id not in cache:
        row = session.get(ReviewSettings, provider_id)
        cache[provider_id] = {**DEFAULTS, **(row.values if row else {})}
        _keep(session, cache)
    return dict(cache[provider_id])


def update_review_settings(
    session: Session, clock: Clock, actor: Actor, provider_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change some settings; the automated-verification share cannot be zero (TCO Art. 5 human oversight)."""
    for key, value in changes.items():
        _check(key, value)
    row = session.get(ReviewSettings, provider_id)
    if row is None:
        row = ReviewSettings(provider_id=provider_id, values={}, updated_at=clock.now())
        session.add(row)
    row.values = {**row.values, **changes}
    row.updated_at = clock.now()
    session.flush()
    _cache(session).pop(provider_id, None)
    record(session, clock, actor, Event.CASES_SETTINGS_UPDATE, subject=provider_id, org_id=provider_id,
           payload={"changes": changes})
    return review_settings(session, provider_id)


def _check(key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise InvalidInput(f"unknown review setting {key!r}", field=key)
    if not isinstance(value, type(DEFAULTS[key])) and not (isinstance(value, int) and key in _SHARES):
        raise InvalidInput(f"{key} must be a {type(DEFAULTS[key]).__name__}", field=key)
    if key == "automated_verify_share" and not 0 < value <= 1:
        raise InvalidInput("automated decisions must be sampled for human verification: 0 < share <= 1",
                           field=key)
    if key == "rereview_share" and not 0 <= value <= 1:
        raise InvalidInput("the re-review share lies between 0 and 1", field=key)
    if isinstance(value, int) and not isinstance(value, bool) and key not in _SHARES and value < 1:
        raise InvalidInput(f"{key} must be at least 1", field=key)
    if isinstance(value, int) and not isinstance(value, bool) and key not in _SHARES and value > MAX_SETTING:
        raise InvalidInput(f"{key} is at most {MAX_SETTING:,}", field=key)


# Built once, for the bound ``org`` and ``who`` (every next case reads them).
_PREFERENCE = (select(ReviewerPreference.values).where(ReviewerPreference.provider_id == bindparam("org"),
                                                       ReviewerPreference.reviewer == bindparam("who"))
               .scalar_subquery())
_OWN = select(_PREFERENCE)
_ORG_AND_OWN = select(select(ReviewSettings.values).where(ReviewSettings.provider_id == bindparam("org"))
                      .scalar_subquery(), _PREFERENCE)


def wellness(session: Session, provider_id: str, reviewer: str) -> dict[str, Any]:
    """The wellness settings in force for one reviewer: organisation defaults, then their overrides.

    The organisation's settings (unless read already in this transaction) and the reviewer's overrides come
    back in one round trip."""
    cache = _cache(session)
    params = {"org": provider_id, "who": reviewer}
    if provider_id in cache:
        own = session.execute(_OWN, params).scalar()
    else:
        values, own = session.execute(_ORG_AND_OWN, params).one()
        cache[provider_id] = {**DEFAULTS, **(values or {})}
        _keep(session, cache)
    org = cache[provider_id]
    merged = {key: org[key] for key in WELLNESS_KEYS}
    merged.update({k: v for k, v in (own or {}).items() if k in WELLNESS_KEYS})
    return merged


def set_reviewer_preferences(
    session: Session, clock: Clock, actor: Actor, provider_id: str, reviewer: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """A reviewer's own overrides (e.g. reveal without blur, a lower cap)."""
    for key, value in changes.items():
        if key not in WELLNESS_KEYS:
            raise InvalidInput(f"{key!r} is not a wellness setting", field=key)
        _check(key, value)
    pref = session.get(ReviewerPreference, (provider_id, reviewer))
    if pref is None:
        pref = ReviewerPreference(provider_id=provider_id, reviewer=reviewer, values={}, updated_at=clock.now())
        session.add(pref)
    pref.values = {**pref.values, **changes}
    pref.updated_at = clock.now()
    session.flush()
    record(session, clock, actor, Event.CASES_PREFERENCES_UPDATE, subject=reviewer, org_id=provider_id,
           payload={"changes": changes})
    return wellness(session, provider_id, reviewer)
