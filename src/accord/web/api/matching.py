"""/v1/hashes, /v1/match and /v1/matching/status: the routes a ``--role matcher`` process serves.

The process keeps one matcher (an in-memory index per signal type), opened from the latest snapshot on first
use and brought up to date from the banks' change log before every lookup.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from accord.banks import service as bank_service
from accord.banks.files import limits_for
from accord.errors import InvalidInput
from accord.flows import decisions as flows
from accord.identity.service import Principal
from accord.matching import lookup as matching
from accord.matching import service as matching_service
from accord.matching.service import Matcher
from accord.signals import hash_media
from accord.web.api._uploads import Body, inline_schema, parse, read_body
from accord.web.deps import ClockDep, Scoped, SessionDep, SettingsDep, app_state
from accord.web.schemas.banks import ComputedSignalOut, HashesOut, MatchesOut, MatchOut, MatchSignalsIn

router = APIRouter(prefix="/v1", tags=["matching"])
Matching = Annotated[Principal, Depends(Scoped("match"))]
_OPEN_LOCK = threading.Lock()

_UPLOAD_OR_SIGNALS: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"},
        "banks": {"type": "string", "description": "Only these banks (names or ids, comma-separated)"}}}},
    "application/json": {"schema": inline_schema(MatchSignalsIn)},
}}}
_UPLOAD: dict[str, Any] = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


def process_matcher(request: Request) -> Matcher:
    """This process's matcher, opened from the snapshot directory on first use."""
    state = app_state(request)
    with _OPEN_LOCK:
        found = state.extras.get("matcher")
        if found is None:
            found = state.extras["matcher"] = Matcher.open(state.settings.index_snapshot_dir)
    assert isinstance(found, Matcher)
    return found


MatcherDep = Annotated[Matcher, Depends(process_matcher)]
BodyDep = Annotated[Body, Depends(read_body)]


@router.post("/hashes", openapi_extra=_UPLOAD)
def hashes(principal: Matching, body: BodyDep, settings: SettingsDep) -> HashesOut:
    """Hash an uploaded file: PDQ for photos, MD5 and SHA-256 for every file, video MD5 for videos."""
    if body.file is None:
        raise InvalidInput("send the file as the multipart field `file`", field="file")
    computed = hash_media(body.file, limits=limits_for(settings))
    return HashesOut(signals=[ComputedSignalOut(type=s.type, value=s.value, quality=s.quality,
                                                indexable=s.indexable) for s in computed])


@router.post("/match", openapi_extra=_UPLOAD_OR_SIGNALS)
def match(principal: Matching, body: BodyDep, session: SessionDep, clock: ClockDep, settings: SettingsDep,
          matcher: MatcherDep) -> MatchesOut:
    """Match a file or signals against every bank the caller may use; a provider's match opens or joins a
    case. Answers each match's bank, entry id, signal type, distance, labels and metadata."""
    if body.file is not None:
        signals, banks = matching.signals_of_upload(body.file, limits_for(settings)), body.items("banks")
    else:
        request = parse(MatchSignalsIn, body.json)
        signals = matching.signals_of_values([(s.type, s.value) for s in request.signals])
        banks = request.banks
    outcome = matching.match_content(session, clock, matcher, principal, signals, bank_refs=banks,
                                     decide=flows.decide)
    return MatchesOut(
        matches=[MatchOut.model_validate(m.as_dict(principal.org_id)) for m in outcome.matches],
        suppressed_by=[MatchOut.model_validate(m.as_dict(principal.org_id)) for m in outcome.suppressed_by],
        case_id=outcome.case_id, action=outcome.action,
    )


@router.get("/matching/status")
def status(principal: Matching, session: SessionDep, matcher: MatcherDep) -> dict[str, Any]:
    """What the caller's lookups search, after the matcher has caught up: the banks it may use and their active
    entries per signal type (``banks``, ``entries``, ``indexes``). Instance-wide figures are for operators
    (``accord`` CLI, ``/metrics``)."""
    matcher.refresh(session)
    visible = [bank.id for bank in bank_service.visible_banks(session, principal.org_id)]
    return matching_service.visible_status(session, visible)
