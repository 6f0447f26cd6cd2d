"""/v1/blocklists: administrative blocking lists kept by authorities, reviewed by overseers and applied by network
operators; ``/v1/public/blocklists/{id}/figures`` and the appeal form are open to everyone."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from accord.blocklists import appeals, exports, operators, service
from accord.identity.service import Principal
from accord.web.deps import ClockDep, Scoped, SessionDep, SettingsDep
from accord.web.schemas.blocklists import (
    AnswerIn,
    AppealAnswerIn,
    AppealIn,
    AppealOut,
    AppliedIn,
    BlocklistIn,
    BlocklistOut,
    ComplianceOut,
    EntryIn,
    EntryOut,
    FiguresOut,
    NoteIn,
    ObjectionIn,
    SubscriptionIn,
    SubscriptionOut,
)

org_routes = APIRouter(prefix="/v1/blocklists", tags=["blocklists"])
public = APIRouter(prefix="/v1/public/blocklists", tags=["blocklists"])
Reader = Annotated[Principal, Depends(Scoped("blocklists:read"))]
Writer = Annotated[Principal, Depends(Scoped("blocklists:write"))]
Format = Annotated[str, Query(pattern="^(rpz|hosts|csv|json)$", description="rpz | hosts | csv | json")]


@org_routes.post("", status_code=201)
def create_list(body: BlocklistIn, principal: Writer, session: SessionDep, clock: ClockDep,
                settings: SettingsDep) -> BlocklistOut:
    """An authority opens a list; without prior review an entry is active at once."""
    spec = service.ListSpec(**body.model_dump())
    return BlocklistOut.model_validate(service.create_list(session, clock, settings, principal, spec))


@org_routes.get("")
def list_lists(principal: Reader, session: SessionDep) -> list[BlocklistOut]:
    """The lists the organisation keeps, oversees or applies."""
    return [BlocklistOut.model_validate(b) for b in service.list_lists(session, principal)]


@org_routes.get("/{blocklist_id}")
def get_list(blocklist_id: str, principal: Reader, session: SessionDep) -> BlocklistOut:
    return BlocklistOut.model_validate(service.get_list(session, principal, blocklist_id))


@org_routes.post("/{blocklist_id}/entries", status_code=201)
def add_entry(blocklist_id: str, body: EntryIn, principal: Writer, session: SessionDep, clock: ClockDep,
              settings: SettingsDep) -> EntryOut:
    """Add an entry; a shared platform, a public suffix or a shared address is refused (422 over-blocking)."""
    fields = body.model_dump()
    spec = service.EntrySpec(**{**fields, "evidence": tuple(fields["evidence"])})
    return EntryOut.model_validate(service.add_entry(session, clock, settings, principal, blocklist_id, spec))


@org_routes.get("/{blocklist_id}/entries")
def list_entries(blocklist_id: str, principal: Reader, session: SessionDep,
                 state: str | None = None) -> list[EntryOut]:
    """The entries, for the authority and the overseer."""
    return [EntryOut.model_validate(e) for e in service.list_entries(session, principal, blocklist_id, state)]


@org_routes.delete("/{blocklist_id}/entries/{entry_id}")
def delist(blocklist_id: str, entry_id: str, principal: Writer, session: SessionDep, clock: ClockDep) -> EntryOut:
    """Delist: the entry leaves the export at once (a new serial)."""
    return EntryOut.model_validate(service.delist(session, clock, principal, blocklist_id, entry_id))


@org_routes.post("/{blocklist_id}/entries/{entry_id}/review")
def review(blocklist_id: str, entry_id: str, body: NoteIn, principal: Writer, session: SessionDep,
           clock: ClockDep) -> EntryOut:
    """The overseer's prior review: the proposed entry goes live."""
    return EntryOut.model_validate(service.review(session, clock, principal, blocklist_id, entry_id, body.note))


@org_routes.post("/{blocklist_id}/entries/{entry_id}/objection")
def object_to(blocklist_id: str, entry_id: str, body: ObjectionIn, principal: Writer, session: SessionDep,
              clock: ClockDep) -> EntryOut:
    """The overseer objects: the entry is suspended until the authority answers."""
    return EntryOut.model_validate(service.object_to(session, clock, principal, blocklist_id, entry_id, body.text))


@org_routes.post("/{blocklist_id}/entries/{entry_id}/answer")
def answer(blocklist_id: str, entry_id: str, body: AnswerIn, principal: Writer, session: SessionDep,
           clock: ClockDep) -> EntryOut:
    """The authority answers the objection: maintain or delist, with reasons."""
    entry = service.answer_objection(session, clock, principal, blocklist_id, entry_id, decision=body.decision,
                                     text=body.text)
    return EntryOut.model_validate(entry)


@org_routes.post("/{blocklist_id}/entries/{entry_id}/reexamination")
def reexamine(blocklist_id: str, entry_id: str, body: NoteIn, principal: Writer, session: SessionDep,
              clock: ClockDep) -> EntryOut:
    """The periodic re-examination: the authority records that the entry is still needed."""
    return EntryOut.model_validate(service.reexamine(session, clock, principal, blocklist_id, entry_id, body.note))


EXPORT_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "The list in the chosen format",
          "content": {media: {"schema": {"type": "object" if media == "application/json" else "string"}}
                      for media in sorted(set(exports.MEDIA_TYPES.values()))}},
}


@org_routes.get("/{blocklist_id}/export", response_class=Response, responses=EXPORT_RESPONSES)
def export(blocklist_id: str, principal: Reader, session: SessionDep, clock: ClockDep, settings: SettingsDep,
           format: Format = "rpz") -> Response:
    """The list as an RPZ zone, a hosts file, CSV or JSON, for its authority, overseer and operators."""
    body = exports.export_for(session, clock, settings, principal, blocklist_id, format)
    return Response(body, media_type=exports.MEDIA_TYPES[format])


@org_routes.post("/{blocklist_id}/subscriptions", status_code=201)
def subscribe(blocklist_id: str, body: SubscriptionIn, principal: Writer, session: SessionDep, clock: ClockDep,
              settings: SettingsDep) -> SubscriptionOut:
    """The authority hands the list to a network operator; the feed URLs are shown once."""
    subscription, token = operators.subscribe(session, clock, principal, blocklist_id, body.operator_id)
    urls = {fmt: operators.feed_url(settings, token, fmt) for fmt in exports.FORMATS}
    return SubscriptionOut(id=subscription.id, blocklist_id=subscription.blocklist_id,
                           operator_id=subscription.operator_id, feed_token=token, feed_url=urls["rpz"],
                           feed_urls=urls)


@org_routes.post("/{blocklist_id}/feed-token")
def rotate_feed_token(blocklist_id: str, principal: Writer, session: SessionDep, clock: ClockDep,
                      settings: SettingsDep) -> dict[str, str]:
    """The operator replaces its feed token: the old capability URLs stop working at once."""
    token = operators.rotate_token(session, clock, principal, blocklist_id)
    return {"feed_token": token, **{f"feed_{fmt}": operators.feed_url(settings, token, fmt) for fmt in exports.FORMATS}}


@org_routes.post("/{blocklist_id}/applied")
def applied(blocklist_id: str, body: AppliedIn, principal: Writer, session: SessionDep,
            clock: ClockDep) -> ComplianceOut:
    """The operator acknowledges the serial its resolvers enforce."""
    subscription = operators.applied(session, clock, principal, blocklist_id, body.serial)
    blocklist = service.get_list(session, principal, blocklist_id)
    row = operators.compliance_of(session, clock, blocklist, subscription, "")
    return ComplianceOut.model_validate(asdict(row))


@org_routes.get("/{blocklist_id}/operators")
def compliance(blocklist_id: str, principal: Reader, session: SessionDep, clock: ClockDep) -> list[ComplianceOut]:
    """Who is current and who is late against the 24-hour (blocking) or 48-hour (delisting) clock."""
    rows = operators.operators(session, clock, principal, blocklist_id)
    return [ComplianceOut.model_validate(asdict(row)) for row in rows]


@org_routes.get("/{blocklist_id}/appeals")
def list_appeals(blocklist_id: str, principal: Reader, session: SessionDep) -> list[AppealOut]:
    return [AppealOut.model_validate(a) for a in appeals.list_appeals(session, principal, blocklist_id)]


@org_routes.post("/{blocklist_id}/appeals/{appeal_id}/answer")
def answer_appeal(blocklist_id: str, appeal_id: str, body: AppealAnswerIn, principal: Writer, session: SessionDep,
                  clock: ClockDep) -> AppealOut:
    """The authority answers with reasons; ``delisted`` reaches the export at once."""
    appeal = appeals.answer_appeal(session, clock, principal, blocklist_id, appeal_id, outcome=body.outcome,
                                   reasons=body.reasons)
    return AppealOut.model_validate(appeal)


@public.get("/{blocklist_id}/figures")
def figures(blocklist_id: str, session: SessionDep, clock: ClockDep) -> FiguresOut:
    """Public figures of a list: entries added, active, expired, delisted; appeals; operator compliance."""
    return FiguresOut.model_validate(asdict(appeals.figures(session, clock, blocklist_id)))


@public.post("/{blocklist_id}/appeals", status_code=201)
def file_appeal(blocklist_id: str, body: AppealIn, session: SessionDep, clock: ClockDep,
                settings: SettingsDep) -> dict[str, str]:
    """A site owner contests an entry; the answer is sent to the contact given."""
    appeal = appeals.file_appeal(session, clock, settings, blocklist_id, value=body.value, statement=body.statement,
                                 contact=body.contact)
    return {"id": appeal.id, "due_at": appeal.due_at.isoformat()}


# One router for the manifest: the organisations' routes and the public ones (feeds, the stop page, appeals).
router = APIRouter()
router.include_router(org_routes)
router.include_router(public)
