"""Demo: e-evidence. The French referral unit has registered a key; it sent SmallVideo a production order in an
emergency three hours ago (the 8-hour clock is running), ForumNest a preservation order 50 days ago that it has
just extended by 30 days, and SmallVideo an earlier production order that was answered with a sealed package.

The demo authority's key pair is derived from a fixed, published seed (``DEMO_PRIVATE_KEY``) so that a newcomer
can open the demo package with ``accord evidence open``; a real authority makes its own with ``keygen``.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta

from nacl.public import PrivateKey
from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.demo import DemoWorld
from accord.evidence import service
from accord.identity.models import Organisation
from accord.identity.scopes import ALL_SCOPES
from accord.identity.service import Principal
from accord.settings import Settings

DEMO_PRIVATE_KEY = base64.b64encode(hashlib.sha256(b"accord demo e-evidence key, never for real use").digest()
                                    ).decode()
LEGAL_BASIS = "Code de procédure pénale, art. 60-1 and 60-2; Regulation (EU) 2023/1543"


class _Ago:
    def __init__(self, clock: Clock, delta: timedelta) -> None:
        self.clock, self.delta = clock, delta

    def now(self) -> datetime:
        return self.clock.now() - self.delta


def _as(org: Organisation) -> Principal:
    return Principal(org_id=org.id, org_kind=org.kind, ref="demo:seed", scopes=frozenset(ALL_SCOPES))


def demo_public_key() -> str:
    private = PrivateKey(base64.b64decode(DEMO_PRIVATE_KEY))
    return base64.b64encode(bytes(private.public_key)).decode()


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    iru, video, forum = world.orgs["iru"], world.orgs["smallvideo"], world.orgs["forumnest"]
    service.register_key(session, _Ago(clock, timedelta(days=60)), _as(iru), demo_public_key())
    answered = service.issue(session, _Ago(clock, timedelta(days=12)), _as(iru), service.OrderRequest(
        kind="production", provider_id=video.id, data_categories=["subscriber"], reference="FR-PNAT-2026-0107",
        targets=["https://video.smallvideo.example/u/ch4nnel"], issuer_type="prosecutor",
        offences=["apologie du terrorisme (Code pénal, art. 421-2-5)"], legal_basis=LEGAL_BASIS,
        max_sentence_years=7))
    service.answer(session, _Ago(clock, timedelta(days=9)), settings, _as(video), answered.id, service.Answer(
        outcome="produce", filename="subscriber.csv", media_type="text/csv",
        data=b"account,email,registered\nch4nnel,demo-user@mail.example,2025-11-02T10:14:00Z\n"))
    service.issue(session, _Ago(clock, timedelta(hours=3)), _as(iru), service.OrderRequest(
        kind="production", provider_id=video.id, data_categories=["subscriber", "ip_identification"],
        targets=["https://video.smallvideo.example/u/n1ghtfall"], issuer_type="prosecutor", emergency=True,
        emergency_reason="The account announced an attack on a named school for this evening.",
        offences=["association de malfaiteurs terroriste (Code pénal, art. 421-2-1)"], legal_basis=LEGAL_BASIS,
        listed_offence="terrorism", reference="FR-PNAT-2026-0131"))
    preservation = service.issue(session, _Ago(clock, timedelta(days=50)), _as(iru), service.OrderRequest(
        kind="preservation", provider_id=forum.id, data_categories=["subscriber", "traffic", "content"],
        targets=["https://forumnest.example/u/recruiter7", "https://forumnest.example/t/7340"],
        issuer_type="investigating_judge", offences=["recruitment for terrorism (Directive (EU) 2017/541, "
                                                     "Art. 6)"], legal_basis=LEGAL_BASIS,
        listed_offence="terrorism", reference="FR-TJ-PARIS-2026-0088"))
    service.answer(session, _Ago(clock, timedelta(days=49)), settings, _as(forum), preservation.id,
                   service.Answer(outcome="preserve"))
    service.extend(session, clock, _as(iru), preservation.id,
                   reason="The production order is being drafted by the investigating judge.")


