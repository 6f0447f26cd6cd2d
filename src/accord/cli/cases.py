"""``accord case list|next|decide``: the review console from a terminal (the on-call person's fallback)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.cases import claims, decisions, service
from accord.cli.context import clock, output, session_scope, settings
from accord.cli.options import JsonOpt, org_option
from accord.errors import NotFound
from accord.flows import decisions as flows
from accord.identity import service as identity
from accord.identity.models import Member
from accord.identity.service import Principal
from accord.training import practice as training

case_app = typer.Typer(help="Review cases: list what waits, take the next case, decide it.")
ReviewerOpt = Annotated[str, typer.Option("--reviewer", help="Email of the member who reviews")]


def _reviewer(session: Session, email: str) -> Principal:
    member = session.scalar(select(Member).where(Member.email == email.strip().lower()))
    if member is None or not member.active:
        raise NotFound(f"no active member {email!r}")
    return identity.member_principal(session, member)


def _row(described: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "title", "sources", "tier", "score", "band", "seconds_left", "breach", "claimed_by", "state")
    return {key: described[key] for key in keys}


@case_app.command("list")
def case_list(
    org: Annotated[str, org_option("Provider id or name")],
    state: Annotated[str, typer.Option(help="open, decided or closed")] = "open",
    limit: Annotated[int, typer.Option(help="At most this many")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Cases in review order: removal orders by deadline, trusted flaggers, then score and age."""
    with session_scope() as session:
        provider = identity.get_organisation(session, org)
        rows = [_row(service.describe(c, clock()))
                for c in service.list_cases(session, clock(), provider.id, state=state, limit=limit)]
    output(rows, as_json=as_json, title="cases")


@case_app.command("next")
def case_next(reviewer: ReviewerOpt, as_json: JsonOpt = False) -> None:
    """Claim the next case for this reviewer; exit code 0 with an empty result when nothing waits."""
    with session_scope() as session:
        principal = _reviewer(session, reviewer)
        training.check_live_claim(session, principal)  # a new reviewer passes the calibration first, if required
        result = claims.next_case(session, clock(), principal)
        rows = [] if result.case is None else [{**_row(service.describe(result.case, clock())),
                                                "urls": result.case.urls,
                                                "score_reasons": result.case.score_reasons}]
    output(rows, as_json=as_json, title="next case", single=True)


@case_app.command("decide")
def case_decide(
    case_id: Annotated[str, typer.Argument(help="The case id")],
    reviewer: ReviewerOpt,
    action: Annotated[str, typer.Option(help="remove, disable, restrict or no_action")],
    ground: Annotated[str, typer.Option(help="Policy clause or legal article relied on")],
    facts: Annotated[str, typer.Option(help="Facts and circumstances")],
    country: Annotated[list[str] | None, typer.Option(help="Country for 'disable' (repeatable)")] = None,
    exempt_purpose: Annotated[str | None, typer.Option(help="TCO Art. 1(3) purpose found")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Decide a case; prints the decision with its statement of reasons id."""
    data = decisions.DecisionInput(action=action, ground=ground, facts=facts, countries=country or [],
                                   exempt_purpose=exempt_purpose)
    with session_scope() as session:
        decision = flows.decide(session, clock(), _reviewer(session, reviewer), case_id, data, settings=settings())
        row = {"id": decision.id, "case_id": decision.case_id, "action": decision.action,
               "countries": decision.countries, "ground_kind": decision.ground_kind,
               "statement_id": decision.statement_id, "notice_ids": decision.notice_ids}
    output([row], as_json=as_json, title="decision", single=True)
