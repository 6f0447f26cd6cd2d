"""/v1/exchange: the signed incremental feed of shared entries other instances (and pytx) pull."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from accord.exchange import feed, signing
from accord.identity.service import Principal
from accord.web.deps import Scoped, SessionDep, SettingsDep

router = APIRouter(prefix="/v1", tags=["exchange"])
Reader = Annotated[Principal, Depends(Scoped("banks:read"))]


@router.get("/exchange/feed")
def exchange_feed(principal: Reader, session: SessionDep, settings: SettingsDep, cursor: int = 0,
                  limit: int = 500) -> Response:
    """Entries of the positive banks you may use that changed after ``cursor``: ``upsert`` while active,
    ``remove`` once disabled or withdrawn. The body is signed: ``Accord-Signature: ed25519=<base64>``."""
    page = feed.build_page(session, principal.org_id, cursor=cursor, limit=limit,
                           public_key=signing.public_key_hex(settings))
    body = json.dumps(page, separators=(",", ":"), sort_keys=True).encode()
    return Response(body, media_type="application/json", headers={signing.HEADER: signing.sign(settings, body)})


@router.get("/exchange/key")
def exchange_key(principal: Reader, settings: SettingsDep) -> dict[str, str]:
    """The Ed25519 public key (hex) that signs this instance's feed, to pin before a first pull."""
    return {"algorithm": "ed25519", "public_key": signing.public_key_hex(settings)}
