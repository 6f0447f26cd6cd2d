"""Golden sets and golden cases: shared as banks are, built from a past decision (anonymised) or written.

A set is private, shared with named organisations, or shared with all (``accord.banks`` does the same for hash
banks); its owner curates it. A golden case built from a decision keeps what a reviewer needs to decide (the
facts, media, labels, language, jurisdiction, the kinds of notice) and the reference (action, ground,
reasons), and drops who is involved: the uploader, the senders of the notices, URLs, e-mail addresses and
handles, also where the decision's text mentions them. Media stay behind the reviewer's wellness settings
(blur, greyscale, muted video) wherever they are shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.cases.models import ACTIONS, Case, Decision
from accord.cases.service import MEDIA_TYPES
from accord.clock import Clock
from accord.db import get_owned, new_id
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.notices.models import Notice
from accord.training.models import GoldenCase, GoldenSet

VISIBILITIES = ("private", "shared", "all")
REMOVED = "[removed]"
# What identifies a person wherever it appears in free text: e-mail addresses, URLs, @handles, phone numbers.
_IDENTIFYING = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|www\.\S+|(?<!\w)@\w{2,}|\+?\d[\d ()-]{7,}\d")


@dataclass(frozen=True)
class WrittenCase:
    """A golden case as a coordinator writes it."""

    title: str
    facts: str
    reference_action: str
    reference_ground: str
    reference_reasons: str
    media: Sequence[dict[str, Any]] = ()
    labels: Sequence[str] = ()
    sources: Sequence[str] = field(default_factory=lambda: ["training"])
    language: str | None = None
    jurisdiction: str | None = None
    graphic: bool = False


# ---- sets ----------------------------------------------------------------------------------------------------

def create_set(session: Session, clock: Clock, principal: Principal, *, name: str, description: str = "",
               visibility: str = "private", shared_with: Sequence[str] = ()) -> GoldenSet:
    """A new golden set owned by the caller's organisation (its admins curate it)."""
    principal.require_role("admin")
    clean = name.strip()
    if not clean or len(clean) > 120:
        raise InvalidInput("a golden set needs a name of 1 to 120 characters", field="name")
    _check_sharing(session, visibility, shared_with)
    if session.scalar(select(GoldenSet.id).where(GoldenSet.org_id == principal.org_id, GoldenSet.name == clean)):
        raise Conflict(f"a golden set named {clean!r} exists")
    golden = GoldenSet(id=new_id("gset"), org_id=principal.org_id, name=clean, description=description.strip(),
                       visibility=visibility, shared_with=sorted(set(shared_with)), created_at=clock.now())
    session.add(golden)
    record(session, clock, principal.actor, Event.TRAINING_SET_CREATE, subject=golden.id, org_id=principal.org_id,
           payload={"name": clean, "visibility": visibility, "shared_with": golden.shared_with})
    return golden


def _check_sharing(session: Session, visibility: str, shared_with: Sequence[str]) -> None:
    if visibility not in VISIBILITIES:
        raise InvalidInput("visibility is private, shared or all", field="visibility")
    if visibility == "shared" and not shared_with:
        raise InvalidInput("a shared golden set names the organisations it is shared with", field="shared_with")
    known = set(session.scalars(select(Organisation.id).where(Organisation.id.in_(list(shared_with)))))
    unknown = sorted(set(shared_with) - known)
    if unknown:
        raise InvalidInput(f"no organisation {unknown[0]!r}", field="shared_with")


def can_see(golden: GoldenSet, org_id: str) -> bool:
    """The owner, every organisation it is shared with, or everyone for a set shared with all."""
    if golden.org_id == org_id or golden.visibility == "all":
        return True
    return golden.visibility == "shared" and org_id in golden.shared_with


def visible_sets(session: Session, org_id: str) -> list[GoldenSet]:
    """Every golden set ``org_id`` may train on: its own, those shared with it, those shared with all."""
    query = select(GoldenSet).where((GoldenSet.org_id == org_id) | GoldenSet.visibility.in_(["all", "shared"]))
    return [s for s in session.scalars(query.order_by(GoldenSet.created_at, GoldenSet.id)) if can_see(s, org_id)]


def get_set(session: Session, org_id: str, set_id: str) -> GoldenSet:
    """A golden set as ``org_id`` sees it; another organisation's private set is not found."""
    golden = session.get(GoldenSet, set_id)
    if golden is None or not can_see(golden, org_id):
        raise NotFound(f"no golden set {set_id!r}")
    return golden


def _curated(session: Session, principal: Principal, set_id: str) -> GoldenSet:
    golden = get_set(session, principal.org_id, set_id)
    if golden.org_id != principal.org_id:
        raise PermissionDenied("only the golden set's owner adds cases to it")
    principal.require_role("admin")
    return golden


def cases_of(session: Session, set_ids: Iterable[str]) -> list[GoldenCase]:
    ids = list(set_ids)
    query = select(GoldenCase).where(GoldenCase.set_id.in_(ids)).order_by(GoldenCase.created_at, GoldenCase.id)
    return list(session.scalars(query))


def get_case(session: Session, org_id: str, set_id: str, golden_case_id: str) -> GoldenCase:
    """A golden case of a set ``org_id`` may see."""
    golden = get_set(session, org_id, set_id)
    case = session.get(GoldenCase, golden_case_id)
    if case is None or case.set_id != golden.id:
        raise NotFound(f"no golden case {golden_case_id!r}")
    return case


def set_counts(session: Session, sets: Sequence[GoldenSet]) -> dict[str, int]:
    counts = {s.id: 0 for s in sets}
    for case in cases_of(session, counts):
        counts[case.set_id] += 1
    return counts


# ---- golden cases --------------------------------------------------------------------------------------------

def add_written(session: Session, clock: Clock, principal: Principal, set_id: str, written: WrittenCase) -> GoldenCase:
    """A golden case written by the set's owner (a coordinator writing a scenario, a provider its own)."""
    golden = _curated(session, principal, set_id)
    if not written.title.strip() or not written.facts.strip():
        raise InvalidInput("a golden case needs a title and facts", field="facts")
    return _add(session, clock, principal, golden, written, origin="written")


def add_from_decision(session: Session, clock: Clock, principal: Principal, set_id: str, decision_id: str, *,
                      title: str = "") -> GoldenCase:
    """A golden case from one of the organisation's own past decisions, anonymised (see the module's text)."""
    golden = _curated(session, principal, set_id)
    decision = get_owned(session, Decision, decision_id, principal.org_id, what="decision", by="provider_id")
    case = session.get(Case, decision.case_id)
    assert case is not None  # a decision's case is a foreign key
    known = _identifiers(session, case)
    labels = ", ".join(str(label) for label in case.labels)
    written = WrittenCase(
        title=scrub(title, known) if title.strip() else f"A past {' and '.join(case.sources) or 'case'} case",
        facts=scrub(decision.facts, known) + (f"\n\nTriage labels: {labels}." if labels else ""),
        reference_action=decision.action, reference_ground=decision.ground_ref,
        reference_reasons=scrub(_reasons(decision), known), media=[dict(m) for m in case.media],
        labels=list(case.labels), sources=list(case.sources), language=case.language,
        jurisdiction=case.jurisdiction, graphic=case.graphic)
    return _add(session, clock, principal, golden, written, origin="decision")


def _reasons(decision: Decision) -> str:
    parts = [decision.ground_explanation, decision.facts]
    if decision.exempt_purpose:
        parts.append(f"Exemption considered ({decision.exempt_purpose}): {decision.exemption_assessment}")
    if decision.countries:
        parts.append("Disabled in " + ", ".join(decision.countries))
    return "\n\n".join(p for p in parts if p and p.strip())


def _identifiers(session: Session, case: Case) -> list[str]:
    """Every string that names a person or a sender in this case: the uploader, each notice's sender details
    (Art. 16 name and e-mail, references) and the URLs."""
    found = [case.uploader_ref or "", *(str(u) for u in case.urls)]
    for notice in session.scalars(select(Notice).where(Notice.case_id == case.id)):
        found += [notice.reference, *(str(u) for u in notice.urls), *_strings(notice.details)]
    return sorted({f.strip() for f in found if len(f.strip()) >= 3}, key=len, reverse=True)


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def scrub(text: str, known: Sequence[str] = ()) -> str:
    """``text`` without the ``known`` identifiers nor anything shaped like an address, a URL or a handle."""
    for item in known:
        text = re.sub(re.escape(item), REMOVED, text, flags=re.IGNORECASE)
    return _IDENTIFYING.sub(REMOVED, text)


def _media(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    clean = []
    for item in items:
        kind, url = str(item.get("type", "image")), str(item.get("url", "")).strip()
        if kind not in MEDIA_TYPES or not url:
            raise InvalidInput("media items need a url and a type (image, video, audio, text, other)", field="media")
        clean.append({"url": url, "type": kind})
    return clean


def _add(session: Session, clock: Clock, principal: Principal, golden: GoldenSet, written: WrittenCase, *,
         origin: str) -> GoldenCase:
    if written.reference_action not in ACTIONS:
        raise InvalidInput(f"the reference action is one of {', '.join(ACTIONS)}", field="reference_action")
    if not written.reference_ground.strip() or not written.reference_reasons.strip():
        raise InvalidInput("the reference needs its ground and its reasons", field="reference_reasons")
    case = GoldenCase(
        id=new_id("gcase"), set_id=golden.id, title=written.title.strip()[:500], facts=written.facts.strip(),
        media=_media(written.media), labels=sorted({str(label) for label in written.labels}),
        sources=list(written.sources), language=(written.language or "").lower()[:8] or None,
        jurisdiction=(written.jurisdiction or "").upper()[:2] or None, graphic=written.graphic,
        reference_action=written.reference_action, reference_ground=written.reference_ground.strip()[:500],
        reference_reasons=written.reference_reasons.strip(), origin=origin, created_at=clock.now())
    session.add(case)
    record(session, clock, principal.actor, Event.TRAINING_CASE_ADD, subject=case.id, org_id=principal.org_id,
           payload={"set_id": golden.id, "origin": origin, "reference_action": case.reference_action})
    return case
