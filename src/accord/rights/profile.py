"""The micro/small provider profile (DSA Art. 15(2), Art. 19).

Micro and small enterprises (Recommendation 2003/361/EC) are spared the DSA transparency report (Art. 15(2))
and Section 3 of Chapter III for online platforms (Art. 19(1): internal complaint handling under Art. 20,
trusted-flagger handling under Art. 22, platform reporting under Art. 24, including the submission of
statements of reasons to the Transparency Database under Art. 24(5)) — all but Art. 24(3), the figures on
active recipients that the Digital Services Coordinator or the Commission may ask for. The switch never turns off notice
handling (Art. 16) nor statements of reasons (Art. 17), and the TCO Regulation applies whatever the size: its
complaints (Art. 10), user notices (Art. 11), preservation (Art. 6) and Art. 7 report stay on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.errors import InvalidInput, NotFound
from accord.identity.models import Organisation

PROFILE_KEY: Final = "rights.micro_small_provider"
ALERT_KEY: Final = "rights.flagger_alert_below"
DEFAULT_ALERT_BELOW: Final = 0.5
"""A trusted flagger whose accuracy falls below this share is flagged for review (``accord.transparency.accuracy``)."""


@dataclass(frozen=True)
class Duty:
    """One obligation, its source, and whether it applies to this provider."""

    name: str
    source: str
    applies: bool


def _provider(session: Session, org_id: str) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"no organisation {org_id!r}")
    return org


def is_micro_small(session: Session, org_id: str) -> bool:
    """Whether the provider declared itself a micro or small enterprise."""
    return bool(_provider(session, org_id).settings.get(PROFILE_KEY, False))


def set_micro_small(session: Session, clock: Clock, actor: Actor, *, org_id: str, micro_small: bool) -> None:
    """Switch the micro/small profile on or off; the switch is audited because it changes reports."""
    _update_settings(session, org_id, {PROFILE_KEY: micro_small})
    record(session, clock, actor, Event.RIGHTS_PROFILE_SET, subject=org_id, org_id=org_id,
           payload={"provider_id": org_id, "micro_small": micro_small})


def alert_threshold(session: Session, org_id: str) -> float:
    """Below which acted-on share (upper Wilson bound) a trusted flagger is flagged to the provider."""
    return float(_provider(session, org_id).settings.get(ALERT_KEY, DEFAULT_ALERT_BELOW))


def set_alert_threshold(session: Session, clock: Clock, actor: Actor, *, org_id: str, below: float) -> None:
    """Configure the trusted-flagger accuracy alert (DSA Art. 22(6))."""
    if not 0 <= below <= 1:
        raise InvalidInput("the threshold is a share between 0 and 1", field="below")
    _update_settings(session, org_id, {ALERT_KEY: below})
    record(session, clock, actor, Event.RIGHTS_FLAGGER_ALERT_SET, subject=org_id, org_id=org_id,
           payload={"provider_id": org_id, "below": below})


def _update_settings(session: Session, org_id: str, values: dict[str, Any]) -> None:
    org = _provider(session, org_id)
    org.settings = {**(org.settings or {}), **values}  # a new dict, so that the JSON column is marked dirty
    session.flush()


def duties(micro_small: bool) -> list[Duty]:
    """What the law asks of this provider; the micro/small profile turns off only what it may."""
    always = [
        Duty("Notice and action", "DSA Art. 16", True),
        Duty("Statements of reasons to the people affected", "DSA Art. 17", True),
        Duty("Average monthly active recipients, when the Digital Services Coordinator or the Commission asks",
             "DSA Art. 24(3), kept by Art. 19(1)", True),
        Duty("Complaints against removals, answered within two weeks", "TCO Art. 10", True),
        Duty("User notices, held while non-disclosure runs", "TCO Art. 11", True),
        Duty("Preservation of removed content for six months", "TCO Art. 6", True),
        Duty("Annual TCO transparency report", "TCO Art. 7", True),
    ]
    sparable = [
        Duty("DSA transparency report figures", "DSA Art. 15(1), spared by Art. 15(2)", not micro_small),
        Duty("Internal complaint-handling system for DSA decisions", "DSA Art. 20, spared by Art. 19",
             not micro_small),
        Duty("Trusted-flagger priority and accuracy alerts", "DSA Art. 22, spared by Art. 19", not micro_small),
        Duty("Platform reporting figures", "DSA Art. 24(1), spared by Art. 19", not micro_small),
        Duty("Statements of reasons submitted to the Transparency Database", "DSA Art. 24(5), spared by Art. 19(1)",
             not micro_small),
    ]
    return always + sparable
