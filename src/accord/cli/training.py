"""``accord training``: golden sets, training answers, accuracy and kappa against gold, the calibration rule."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.cli.cases import ReviewerOpt
from accord.cli.context import clock, output, session_scope
from accord.cli.options import JsonOpt, org_option
from accord.errors import NotFound
from accord.identity import service as identity
from accord.identity.models import Member
from accord.identity.service import Principal
from accord.training import practice, sets

training_app = typer.Typer(help="Reviewer training: golden sets, training answers, accuracy and calibration.")
AdminOpt = Annotated[str, typer.Option("--admin", help="Email of the admin member who acts")]


def reviewer_principal(session: Session, email: str) -> Principal:
    """The active member with this e-mail address, acting as themselves."""
    member = session.scalar(select(Member).where(Member.email == email.strip().lower()))
    if member is None or not member.active:
        raise NotFound(f"no active member {email!r}")
    return identity.member_principal(session, member)


def _set_row(golden: Any, count: int) -> dict[str, Any]:
    return {"id": golden.id, "name": golden.name, "owner": golden.org_id, "visibility": golden.visibility,
            "cases": count}


@training_app.command("sets")
def list_sets(org: Annotated[str, org_option("Organisation id or name")], as_json: JsonOpt = False) -> None:
    """Golden sets the organisation may train on: its own, those shared with it, those shared with all."""
    with session_scope() as session:
        found = sets.visible_sets(session, identity.get_organisation(session, org).id)
        counts = sets.set_counts(session, found)
        rows = [_set_row(s, counts[s.id]) for s in found]
    output(rows, as_json=as_json, title="golden sets")


@training_app.command("create-set")
def create_set(name: Annotated[str, typer.Argument(help="The set's name")], admin: AdminOpt,
               visibility: Annotated[str, typer.Option(help="private, shared or all")] = "private",
               shared_with: Annotated[list[str] | None, typer.Option(help="Organisation id (repeatable)")] = None,
               description: Annotated[str, typer.Option(help="What the set trains")] = "",
               as_json: JsonOpt = False) -> None:
    """A new golden set owned by the admin's organisation."""
    with session_scope() as session:
        golden = sets.create_set(session, clock(), reviewer_principal(session, admin), name=name,
                                 description=description, visibility=visibility, shared_with=shared_with or [])
        row = _set_row(golden, 0)
    output([row], as_json=as_json, title="golden set", single=True)


@training_app.command("from-decision")
def from_decision(set_id: Annotated[str, typer.Argument(help="The golden set")],
                  decision_id: Annotated[str, typer.Argument(help="A past decision of the admin's organisation")],
                  admin: AdminOpt, title: Annotated[str, typer.Option(help="A neutral title")] = "",
                  as_json: JsonOpt = False) -> None:
    """Add a golden case built from a past decision, anonymised (no uploader, no sender, no URL)."""
    with session_scope() as session:
        case = sets.add_from_decision(session, clock(), reviewer_principal(session, admin), set_id, decision_id,
                                      title=title)
        row = {"id": case.id, "title": case.title, "reference_action": case.reference_action}
    output([row], as_json=as_json, title="golden case", single=True)


@training_app.command("answer")
def answer(set_id: Annotated[str, typer.Argument(help="The golden set")],
           golden_case_id: Annotated[str, typer.Argument(help="The golden case")], reviewer: ReviewerOpt,
           action: Annotated[str, typer.Option(help="remove, disable, restrict or no_action")],
           ground: Annotated[str, typer.Option(help="The ground relied on")] = "",
           as_json: JsonOpt = False) -> None:
    """Decide a golden case in training; prints the reference and its reasons. Nothing acts on content."""
    with session_scope() as session:
        feedback = practice.answer(session, clock(), reviewer_principal(session, reviewer), set_id,
                                   golden_case_id, practice.Answer(action=action, ground=ground))
        row = {"correct": feedback.answer.correct, "your_action": action,
               "reference_action": feedback.case.reference_action,
               "reference_ground": feedback.case.reference_ground,
               "reference_reasons": feedback.case.reference_reasons,
               "calibration_passed": feedback.calibration.passed}
    output([row], as_json=as_json, title="training answer", single=True)


@training_app.command("accuracy")
def accuracy(org: Annotated[str, org_option("Organisation id or name")], as_json: JsonOpt = False) -> None:
    """Per reviewer: first answers against gold, accuracy and Cohen's kappa."""
    with session_scope() as session:
        rows = [a.__dict__ for a in practice.agreement(session, identity.get_organisation(session, org).id)]
    output(rows, as_json=as_json, title="reviewers against gold")


@training_app.command("calibration")
def calibration(reviewer: ReviewerOpt, as_json: JsonOpt = False) -> None:
    """Where a reviewer stands against the organisation's calibration rule."""
    with session_scope() as session:
        principal = reviewer_principal(session, reviewer)
        status = practice.calibration(session, principal.org_id, principal.ref)
        row = {**status.__dict__, "passed": status.passed}
    output([row], as_json=as_json, title="calibration", single=True)


@training_app.command("rule")
def rule(admin: AdminOpt,
         required: Annotated[bool, typer.Option("--required/--not-required",
                                                help="Whether new reviewers calibrate before live cases")],
         cases: Annotated[int, typer.Option(help="Golden cases to answer")] = practice.DEFAULT_CASES,
         min_accuracy: Annotated[float, typer.Option(help="Accuracy threshold, 0 to 1")] = practice.DEFAULT_ACCURACY,
         min_kappa: Annotated[float | None, typer.Option(help="Cohen's kappa threshold")] = None,
         set_id: Annotated[str | None, typer.Option(help="The golden set to calibrate on")] = None,
         as_json: JsonOpt = False) -> None:
    """Set the organisation's calibration rule."""
    with session_scope() as session:
        found = practice.set_rule(session, clock(), reviewer_principal(session, admin), required=required,
                                  cases=cases, min_accuracy=min_accuracy, min_kappa=min_kappa, set_id=set_id)
        row = {"required": found.required, "cases": found.cases, "min_accuracy": found.min_accuracy,
               "min_kappa": found.min_kappa, "set_id": found.set_id}
    output([row], as_json=as_json, title="calibration rule", single=True)
