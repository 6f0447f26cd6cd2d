"""Demo data for banks: a coordinator's bank shared with all, an allow-list, votes, quarantine and matches.

The photos are generated (smooth random colour fields with a few shapes), so the demo needs neither real
terrorist content nor scikit-image. Providers' edited re-uploads (mirrored, cropped, re-encoded) then match,
opening cases, while a newsroom's exempt copy is suppressed by its allow-list. The hub's incidents (seeded by
the policies demo) get hashes in their incident banks a few minutes after being declared, and a member's
re-upload matches them, so the drill's page and the concluded incident's debrief show figures.
"""

from __future__ import annotations

import io
from datetime import timedelta

import numpy as np
from PIL import Image, ImageDraw, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.banks import service
from accord.banks.files import limits_for, signals_for_bank
from accord.banks.models import Bank, BankKind, Visibility
from accord.banks.service import EntryDetails, NewSignal
from accord.cases.decisions import Decider
from accord.clock import Clock, FrozenClock
from accord.demo import DEMO_ACTOR, DemoWorld
from accord.flows import incidents
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.matching import lookup
from accord.matching.service import Matcher
from accord.policies.models import Incident
from accord.settings import Settings
from accord.signals import MediaLimits

_ENTRIES: list[tuple[list[str], list[str], str, str]] = [
    (["glorification_of_terrorist_acts"], ["demo-attack-2026"], "Example Front (demo)", "un"),
    (["graphic_violence_against_defenceless_people"], ["demo-attack-2026"], "Example Front (demo)", "un"),
    (["radicalisation_recruitment_instruction"], [], "Northern Cell (demo)", "eu"),
    (["imminent_credible_threat"], [], "Northern Cell (demo)", "national"),
    (["glorification_of_terrorist_acts"], [], "Example Front (demo)", "eu"),
    (["radicalisation_recruitment_instruction"], [], "Lone actor manifesto (demo)", "national"),
]


def synthetic_photo(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A photo-like image: a smooth random colour field with a few random shapes (PDQ quality well above 50)."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    image = Image.fromarray(coarse, "RGB").resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = int(rng.integers(0, size[0])), int(rng.integers(0, size[1]))
        radius = int(rng.integers(12, 60))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    return image


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    """The image encoded as JPEG."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _principal(org: Organisation) -> Principal:
    return Principal(org_id=org.id, org_kind=org.kind, ref="demo:seed",
                     scopes=frozenset({"banks:read", "banks:write", "match"}))


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    """Banks, entries, an allow-list, votes, a quarantined contribution and matches for the demo providers."""
    hub, video, forum = (_principal(world.orgs[slug]) for slug in ("hub", "smallvideo", "forumnest"))
    limits = limits_for(settings)
    shared = service.create_bank(session, clock, hub, name="Shared TVEC hash list (demo)", visibility=Visibility.ALL,
                                 accepts_contributions=True,
                                 description="Curated by the hub; labels follow GIFCT's behaviour taxonomy.")
    entries = []
    for number, (labels, tags, entity, source) in enumerate(_ENTRIES):
        details = EntryDetails(labels=labels, incident_tags=tags, entity=entity, list_source=source,
                               note="demo entry", metadata={"demo_photo": number})
        entries += service.add_entries(session, clock, hub, shared,
                                       signals_for_bank(jpeg(synthetic_photo(number)), limits), details)
    service.add_entries(session, clock, hub, shared, [NewSignal("url", "https://video.example/watch?v=demo1")],
                        EntryDetails(labels=["glorification_of_terrorist_acts"], entity="Example Front (demo)"))
    pdq = [e for e in entries if e.signal_type == "pdq"]
    service.vote(session, clock, video, shared, pdq[0], agree=True, comment="Confirmed on our platform")
    service.vote(session, clock, forum, shared, pdq[1], agree=False, comment="Looks like news reporting")
    service.change_entry_state(session, clock, hub, shared, pdq[4], "disable", reason="label under review")
    service.add_entries(session, clock, forum, shared, signals_for_bank(jpeg(synthetic_photo(40)), limits)[:1],
                        EntryDetails(labels=["glorification_of_terrorist_acts"], note="contributed by ForumNest"))
    exempt = service.create_bank(session, clock, video, name="Newsroom exemptions (demo)", kind=BankKind.NEGATIVE,
                                 description="Footage judged exempt (journalistic purpose).")
    service.add_entries(session, clock, video, exempt, signals_for_bank(jpeg(synthetic_photo(5)), limits)[:1],
                        EntryDetails(note="broadcaster's report, exempt"))
    _matches(session, clock, limits, video, forum, world.decide)
    drill = session.scalars(select(Incident).where(Incident.state == "active", Incident.bank_id.is_not(None)))
    for incident in list(drill):
        _incident_hashes(session, limits, hub, forum, incident, 60)
    _concluded_incident(session, clock, limits, hub, video)


def _incident_hashes(session: Session, limits: MediaLimits, hub: Principal, member: Principal, incident: Incident,
                     photo: int) -> FrozenClock:
    """Two hashes in the incident's bank 8 minutes after it was declared, a member's re-encoded re-upload 6
    minutes later (its case rises in review while the incident is active); returns the clock at the match."""
    bank = session.get(Bank, incident.bank_id)
    assert bank is not None  # declaring an incident creates its bank
    at = FrozenClock(incident.declared_at + timedelta(minutes=8))
    details = EntryDetails(labels=["glorification_of_terrorist_acts"], entity="Example Front (demo)",
                           list_source="national", note="perpetrator's video, key frames")
    for frame in (photo, photo + 1):
        service.add_entries(session, at, hub, bank, signals_for_bank(jpeg(synthetic_photo(frame)), limits), details)
    at.advance(minutes=6)
    upload = lookup.signals_of_upload(jpeg(synthetic_photo(photo), quality=60), limits)
    lookup.match_content(session, at, Matcher(), member, upload)
    return at


def _concluded_incident(session: Session, clock: Clock, limits: MediaLimits, hub: Principal,
                        member: Principal) -> None:
    """Three days ago: declared, escalated to the Content Incident Protocol, hashed, matched, concluded."""
    past = FrozenClock(clock.now() - timedelta(days=3))
    criteria = dict.fromkeys(incidents.CRITERIA, True)
    incident = incidents.declare_incident(
        session, past, DEMO_ACTOR, coordinator_id=hub.org_id, title="Livestreamed attack (demo)", level="incident",
        criteria={"ongoing_event": True}, description="Reports of an attack being streamed.")
    at = _incident_hashes(session, limits, hub, member, incident, 70)
    at.advance(minutes=11)
    incidents.escalate_incident(session, at, DEMO_ACTOR, coordinator_id=hub.org_id, incident_id=incident.id,
                                level="content_incident_protocol", reason="perpetrator video confirmed",
                                criteria=criteria)
    at.advance(hours=30)
    incidents.conclude_incident(session, at, DEMO_ACTOR, coordinator_id=hub.org_id, incident_id=incident.id,
                                conclusion="Spread contained; hashes stay in the incident bank.")


def _matches(session: Session, clock: Clock, limits: MediaLimits, video: Principal, forum: Principal,
             decide: Decider) -> None:
    """Edited re-uploads by the providers: mirrored, cropped, re-encoded, and one exempt copy."""
    matcher = Matcher()
    uploads = [
        (video, ImageOps.mirror(synthetic_photo(0))),
        (video, synthetic_photo(1).crop((16, 12, 304, 228))),
        (forum, synthetic_photo(2)),
        (forum, synthetic_photo(3).convert("L").convert("RGB")),
        (video, synthetic_photo(5)),  # in the shared bank and in the newsroom's allow-list: suppressed
        (video, synthetic_photo(77)),  # unrelated: no match
    ]
    for principal, image in uploads:
        signals = lookup.signals_of_upload(jpeg(image, quality=70), limits)
        lookup.match_content(session, clock, matcher, principal, signals, decide=decide)


