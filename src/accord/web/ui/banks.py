"""The banks pages: banks you may use, their entries with labels and votes, the quarantine queue, matches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.banks import service
from accord.identity.service import Principal
from accord.web.deps import app_state
from accord.web.schemas.common import EntryIdInPath
from accord.web.ui.auth import ui_principal
from accord.web.ui.forms import PostDep
from accord.web.ui.views import render

router = APIRouter(prefix="/ui/banks", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]
ACTIONS = ("disable", "enable", "confirm", "reject")


@router.get("")
def banks_page(request: Request, principal: UiPrincipal) -> HTMLResponse:
    """Every bank the organisation may use, with entries per state and matches recorded."""
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        banks = service.visible_banks(session, principal.org_id)
        counts = service.bank_counts(session, [b.id for b in banks])
    return render(request, "banks/list.html", {"banks": banks, "counts": counts})


@router.get("/{bank_id}")
def bank_page(request: Request, bank_id: str, principal: UiPrincipal, state: str | None = None) -> HTMLResponse:
    """One bank: the quarantine queue first, then entries with labels and vote tallies."""
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        bank = service.get_bank(session, principal.org_id, bank_id)
        entries = service.list_entries(session, bank, state=state, limit=200)
        queue = service.list_entries(session, bank, state="quarantined", limit=200)
        ids = [e.id for e in [*entries, *queue]]
        context = {
            "bank": bank, "entries": entries, "queue": queue, "filter": state,
            "counts": service.bank_counts(session, [bank.id])[bank.id],
            "tally": service.vote_tally(session, ids),
            "votes": service.votes_for(session, principal.org_id, bank, ids),
            "curator": service.can_curate(bank, principal), "owner": bank.org_id == principal.org_id,
        }
    return render(request, "banks/detail.html", context)


@router.post("/{bank_id}/entries/{entry_id}/vote")
def vote(request: Request, bank_id: str, entry_id: EntryIdInPath, principal: UiPrincipal, post: PostDep,
         agree: Annotated[str, Form()]) -> Response:
    """Agree or disagree with an entry of another organisation's bank."""
    with post.unit() as session:
        bank = service.get_bank(session, principal.org_id, bank_id)
        entry = service.get_entry(session, principal.org_id, bank, entry_id)
        service.vote(session, post.clock, principal, bank, entry, agree=agree == "yes")
    return RedirectResponse(f"/ui/banks/{bank_id}", status_code=303)


@router.post("/{bank_id}/entries/{entry_id}/{action}")
def change_state(request: Request, bank_id: str, entry_id: EntryIdInPath, action: str, principal: UiPrincipal,
                 post: PostDep) -> Response:
    """Disable, enable, confirm or reject an entry from the page."""
    principal.require_role("admin", "reviewer")
    if action not in ACTIONS:
        return RedirectResponse(f"/ui/banks/{bank_id}", status_code=303)
    with post.unit() as session:
        bank = service.get_bank(session, principal.org_id, bank_id)
        entry = service.get_entry(session, principal.org_id, bank, entry_id)
        service.change_entry_state(session, post.clock, principal, bank, entry, action)
    return RedirectResponse(f"/ui/banks/{bank_id}", status_code=303)
