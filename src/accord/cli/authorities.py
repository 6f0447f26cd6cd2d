"""``accord notice review|finality|reinstatement`` (TCO Art. 9, 3(9), 4(7)) and ``accord authority exposure|penalty|
breaches`` (TCO Art. 5, 18): the operator acts for one organisation (``--as``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from accord.authorities import exposure, penalties
from accord.authorities.models import ExposureDecision, Penalty
from accord.cli.context import clock, output, session_scope, settings
from accord.cli.notices import _principal
from accord.cli.options import AsOrg, JsonOpt
from accord.notices.models import ReinstatementInstruction
from accord.rights import orders, reviews
from accord.rights.models import OrderReview

review_app = typer.Typer(help="Court or administrative reviews of a removal order (TCO Art. 9).")
reinstatement_app = typer.Typer(help="Instructions to reinstate content after a scrutiny finding or an annulment.")
authority_app = typer.Typer(help="What an authority does about a provider: exposure (TCO Art. 5), penalties (Art. 18).")
exposure_app = typer.Typer(help="Exposure decisions (TCO Art. 5(4)-(7)).")
penalty_app = typer.Typer(help="Penalties imposed on providers (TCO Art. 18).")
authority_app.add_typer(exposure_app, name="exposure")
authority_app.add_typer(penalty_app, name="penalty")
When = Annotated[datetime, typer.Option(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"],
                                        help="Date (YYYY-MM-DD) or ISO time; UTC")]


def _review_row(review: OrderReview) -> dict[str, Any]:
    return {"id": review.id, "notice_id": review.notice_id, "brought_by": review.brought_by, "body": review.body,
            "case_reference": review.case_reference, "filed_on": review.filed_on, "outcome": review.outcome,
            "decided_at": review.decided_at}


@review_app.command("add")
def review_add(
    notice_id: str, as_org: AsOrg,
    brought_by: Annotated[str, typer.Option(help="provider | content_provider")],
    body: Annotated[str, typer.Option(help="The court or body reviewing the order")],
    filed_on: When,
    case_reference: Annotated[str, typer.Option()] = "",
    outcome: Annotated[str, typer.Option(help="pending | confirmed | annulled | amended")] = "pending",
    reasons: Annotated[str, typer.Option()] = "",
    as_json: JsonOpt = False,
) -> None:
    """Record a review of the order; an annulment reinstates the content."""
    with session_scope() as session:
        review = reviews.record_review(session, clock(), settings(), _principal(session, as_org), notice_id,
                                       brought_by=brought_by, body=body, filed_on=filed_on,
                                       case_reference=case_reference, outcome=outcome, reasons=reasons)
        row = _review_row(review)
    output([row], as_json=as_json, title="review", single=True)


@review_app.command("outcome")
def review_outcome(
    notice_id: str, review_id: str, as_org: AsOrg,
    outcome: Annotated[str, typer.Option(help="confirmed | annulled | amended")],
    reasons: Annotated[str, typer.Option()] = "",
    as_json: JsonOpt = False,
) -> None:
    """The court's outcome: confirmed or amended makes the order final; annulled reinstates."""
    with session_scope() as session:
        review = reviews.decide_review(session, clock(), settings(), _principal(session, as_org), notice_id,
                                       review_id, outcome=outcome, reasons=reasons)
        row = _review_row(review)
    output([row], as_json=as_json, title="review", single=True)


@review_app.command("list")
def review_list(notice_id: str, as_org: AsOrg, as_json: JsonOpt = False) -> None:
    """The reviews of an order, oldest first."""
    with session_scope() as session:
        rows = [_review_row(r) for r in reviews.reviews_of(session, _principal(session, as_org), notice_id)]
    output(rows, as_json=as_json, title="reviews")


def finality(notice_id: str, as_org: AsOrg, as_json: JsonOpt = False) -> None:
    """When the order became final (TCO Art. 3(9)), or when it will if nobody appeals."""
    with session_scope() as session:
        found = reviews.finality_of(session, settings(), _principal(session, as_org), notice_id)
    output([found.__dict__], as_json=as_json, title="finality", single=True)


def _instruction_row(instruction: ReinstatementInstruction) -> dict[str, Any]:
    return {"id": instruction.id, "notice_id": instruction.notice_id, "reason": instruction.reason,
            "decision_id": instruction.decision_id, "issued_at": instruction.issued_at,
            "confirmed_at": instruction.confirmed_at}


@reinstatement_app.command("list")
def reinstatement_list(as_org: AsOrg, all_: Annotated[bool, typer.Option("--all")] = False,
                       as_json: JsonOpt = False) -> None:
    """The provider's reinstatement instructions (open ones unless --all)."""
    with session_scope() as session:
        found = orders.instructions_for(session, _principal(session, as_org), open_only=not all_)
        rows = [_instruction_row(i) for i in found]
    output(rows, as_json=as_json, title="reinstatement instructions")


@reinstatement_app.command("confirm")
def reinstatement_confirm(instruction_id: str, as_org: AsOrg, as_json: JsonOpt = False) -> None:
    """The content is back online."""
    with session_scope() as session:
        done = orders.confirm_instruction(session, clock(), _principal(session, as_org), instruction_id)
        row = _instruction_row(done)
    output([row], as_json=as_json, title="reinstatement", single=True)


def _exposure_row(decision: ExposureDecision) -> dict[str, Any]:
    due = exposure.report_due(decision, clock().now())
    return {"id": decision.id, "provider_id": decision.provider_id, "authority_id": decision.authority_id,
            "state": decision.state, "decided_at": decision.decided_at, "final_orders": len(decision.final_order_ids),
            "reports": len(decision.reports), "next_report_due": due.next_due, "report_overdue": due.overdue,
            "review": decision.review.get("outcome") or ("pending" if decision.review else None)}


@exposure_app.command("decide")
def exposure_decide(
    as_org: AsOrg, provider: Annotated[str, typer.Option(help="Provider id")],
    reasons: Annotated[str, typer.Option()],
    other_factors: Annotated[str, typer.Option(help="Objective factors beyond two final orders")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Find a provider exposed to terrorist content (Art. 5(4))."""
    with session_scope() as session:
        decision = exposure.decide_exposure(session, clock(), _principal(session, as_org), provider_id=provider,
                                            reasons=reasons, other_factors=other_factors)
        row = _exposure_row(decision)
    output([row], as_json=as_json, title="exposure decision", single=True)


@exposure_app.command("list")
def exposure_list(as_org: AsOrg, as_json: JsonOpt = False) -> None:
    """Decisions taken (authority) or received (provider), with report due dates and overdue flags."""
    with session_scope() as session:
        rows = [_exposure_row(d) for d in exposure.list_decisions(session, _principal(session, as_org))]
    output(rows, as_json=as_json, title="exposure decisions")


@exposure_app.command("report")
def exposure_report(decision_id: str, as_org: AsOrg, measures: Annotated[str, typer.Option()],
                    as_json: JsonOpt = False) -> None:
    """The provider reports its specific measures (Art. 5(5))."""
    with session_scope() as session:
        decision = exposure.submit_report(session, clock(), _principal(session, as_org), decision_id,
                                          measures=measures)
        row = _exposure_row(decision)
    output([row], as_json=as_json, title="exposure decision", single=True)


@exposure_app.command("require")
def exposure_require(decision_id: str, as_org: AsOrg, text: Annotated[str, typer.Option()],
                     as_json: JsonOpt = False) -> None:
    """The authority requires further measures (Art. 5(6))."""
    with session_scope() as session:
        decision = exposure.require_measures(session, clock(), _principal(session, as_org), decision_id, text=text)
        row = _exposure_row(decision)
    output([row], as_json=as_json, title="exposure decision", single=True)


@exposure_app.command("review")
def exposure_review(decision_id: str, as_org: AsOrg, reason: Annotated[str, typer.Option()],
                    as_json: JsonOpt = False) -> None:
    """The provider asks for a review (Art. 5(7))."""
    with session_scope() as session:
        decision = exposure.request_review(session, clock(), _principal(session, as_org), decision_id, reason=reason)
        row = _exposure_row(decision)
    output([row], as_json=as_json, title="exposure decision", single=True)


@exposure_app.command("review-decision")
def exposure_review_decision(decision_id: str, as_org: AsOrg,
                             outcome: Annotated[str, typer.Option(help="maintained | amended | revoked")],
                             reasons: Annotated[str, typer.Option()], as_json: JsonOpt = False) -> None:
    """The authority decides the review within three months (Art. 5(7))."""
    with session_scope() as session:
        decision = exposure.decide_review(session, clock(), _principal(session, as_org), decision_id,
                                          outcome=outcome, reasons=reasons)
        row = _exposure_row(decision)
    output([row], as_json=as_json, title="exposure decision", single=True)


def _penalty_row(penalty: Penalty) -> dict[str, Any]:
    return {"id": penalty.id, "provider_id": penalty.provider_id, "amount": f"{penalty.amount_cents / 100:.2f}",
            "currency": penalty.currency, "ground": penalty.ground, "imposed_on": penalty.imposed_on}


@penalty_app.command("add")
def penalty_add(
    as_org: AsOrg, provider: Annotated[str, typer.Option(help="Provider id")],
    amount: Annotated[str, typer.Option(help="e.g. 25000.00")], ground: Annotated[str, typer.Option()],
    imposed_on: When, currency: Annotated[str, typer.Option()] = "EUR",
    description: Annotated[str, typer.Option()] = "", as_json: JsonOpt = False,
) -> None:
    """Record a penalty the authority imposed (Art. 18)."""
    with session_scope() as session:
        penalty = penalties.impose(session, clock(), _principal(session, as_org), provider_id=provider,
                                   amount=amount, currency=currency, ground=ground, imposed_on=imposed_on,
                                   description=description)
        row = _penalty_row(penalty)
    output([row], as_json=as_json, title="penalty", single=True)


@penalty_app.command("list")
def penalty_list(as_org: AsOrg, as_json: JsonOpt = False) -> None:
    """Penalties imposed (authority) or received (provider)."""
    with session_scope() as session:
        rows = [_penalty_row(p) for p in penalties.list_penalties(session, _principal(session, as_org))]
    output(rows, as_json=as_json, title="penalties")


@authority_app.command("breaches")
def breaches(as_org: AsOrg, as_json: JsonOpt = False) -> None:
    """One-hour breaches per provider over the window; systematic at the threshold (Art. 18(4))."""
    with session_scope() as session:
        found = penalties.breach_signals(session, clock(), settings(), _principal(session, as_org))
    output([{**s.__dict__, "systematic": s.systematic} for s in found], as_json=as_json, title="breach signal")
