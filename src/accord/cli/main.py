"""The ``accord`` entry point; DomainErrors become one line on stderr and their exit code."""

from __future__ import annotations

from typing import Any

import typer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from typer.core import TyperGroup

from accord.cli import (
    authorities,
    banks,
    cases,
    evidence,
    identity,
    narratives,
    notices,
    operations,
    policies,
    rights,
    transparency,
)
from accord.errors import DomainError


def _fail(message: str, code: int) -> None:
    typer.echo(f"error{message}", err=True)
    raise typer.Exit(code)


class AccordGroup(TyperGroup):
    """Maps Accord's errors to one line on stderr and a non-zero exit, for every subcommand."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            where = f" ({exc.field})" if exc.field else ""
            _fail(f"{where}: {exc.detail}", exc.exit_code)
        except ValidationError as exc:
            _fail(f": invalid settings: {exc.errors()[0]['msg']}", 2)
        except OperationalError as exc:
            _fail(f": database unreachable or not migrated: {exc.orig}", 8)
        return None


app = typer.Typer(help="Accord: acting together against terrorist content online.", no_args_is_help=True,
                  pretty_exceptions_enable=False, cls=AccordGroup)
app.add_typer(operations.db_app, name="db")
app.add_typer(identity.org_app, name="org")
app.add_typer(identity.member_app, name="member")
app.add_typer(identity.key_app, name="key")
app.add_typer(operations.audit_app, name="audit")
app.add_typer(operations.jobs_app, name="jobs")
app.add_typer(notices.notice_app, name="notice")
notices.notice_app.add_typer(authorities.review_app, name="review")
notices.notice_app.add_typer(authorities.reinstatement_app, name="reinstatement")
notices.notice_app.command("finality")(authorities.finality)
app.add_typer(authorities.authority_app, name="authority")
app.add_typer(cases.case_app, name="case")
app.add_typer(banks.bank_app, name="bank")
app.add_typer(banks.exchange_app, name="exchange")
app.command("hash")(banks.hash_files)
app.command("match")(banks.match_files)
app.add_typer(policies.policy_app, name="policy")
app.add_typer(policies.incident_app, name="incident")
app.add_typer(rights.rights_app, name="rights")
app.add_typer(transparency.report_app, name="report")
app.add_typer(transparency.sor_app, name="sor")
app.add_typer(transparency.dispute_app, name="dispute")
app.add_typer(narratives.campaign_app, name="campaign")
app.add_typer(evidence.evidence_app, name="evidence")
app.command("serve")(operations.serve)
app.command("worker")(operations.worker)
app.command("demo")(operations.demo)


def main() -> None:
    app()
