"""/v1/exchange: the signed incremental feed of shared entries other instances (and pytx, HMA) pull, and the
opinions python-threatexchange clients write back."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from accord.exchange import feed, opinions, signing
from accord.identity.service import Principal
from accord.web.api.matching import MatcherDep
from accord.web.deps import ClockDep, Scoped, SessionDep, SettingsDep
from accord.web.schemas.common import Limit, Position
from accord.web.schemas.exchange import ExchangeKeyOut, OpinionIn, OpinionOut, ReachedOut

router = APIRouter(prefix="/v1", tags=["exchange"])
Reader = Annotated[Principal, Depends(Scoped("banks:read"))]
Writer = Annotated[Principal, Depends(Scoped("banks:write"))]


@router.get("/exchange/feed")
def exchange_feed(principal: Reader, session: SessionDep, settings: SettingsDep, cursor: Position = 0,
                  limit: Limit = 500) -> Response:
    """Entries of the positive banks you may use that changed after ``cursor``: ``upsert`` while active,
    ``remove`` once disabled or withdrawn. The body is signed: ``Accord-Signature: ed25519=<base64>``."""
    page = feed.build_page(session, principal.org_id, cursor=cursor, limit=limit,
                           public_key=signing.public_key_hex(settings))
    body = json.dumps(page, separators=(",", ":"), sort_keys=True).encode()
    return Response(body, media_type="application/json", headers={signing.HEADER: signing.sign(settings, body)})


@router.get("/exchange/key")
def exchange_key(principal: Reader, settings: SettingsDep) -> ExchangeKeyOut:
    """The Ed25519 public key (hex) that signs this instance's feed, to pin before a first pull."""
    return ExchangeKeyOut(algorithm="ed25519", public_key=signing.public_key_hex(settings))


@router.post("/exchange/opinions")
def report_opinion(body: OpinionIn, principal: Writer, session: SessionDep, clock: ClockDep,
                   matcher: MatcherDep) -> OpinionOut:
    """A member's opinion on a signal (python-threatexchange's ``report_opinion`` / ``report_seen``): ``agree``
    or ``disagree`` becomes your vote on every entry of another organisation's bank the signal matches (the
    bank's owner reads it with the entry); ``seen`` tells the owner the signal was met on your service. 404
    when nothing you may use matches."""
    opinion = opinions.Opinion(body.signal_type, body.value, body.opinion, tuple(body.labels))
    reached = opinions.report(session, clock, matcher, principal, opinion)
    return OpinionOut(entries=[ReachedOut.model_validate(r) for r in reached])
