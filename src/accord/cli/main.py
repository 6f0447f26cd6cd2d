"""The ``accord`` entry point; DomainErrors become one line on stderr and their exit code."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from accord.cli import identity, operations
from accord.cli.context import err_console
from accord.errors import DomainError

app = typer.Typer(help="Accord: acting together against terrorist content online.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.add_typer(operations.db_app, name="db")
app.add_typer(identity.org_app, name="org")
app.add_typer(identity.member_app, name="member")
app.add_typer(identity.key_app, name="key")
app.add_typer(operations.audit_app, name="audit")
app.add_typer(operations.jobs_app, name="jobs")
app.command("serve")(operations.serve)
app.command("worker")(operations.worker)
app.command("demo")(operations.demo)


def main() -> None:
    try:
        app()
    except DomainError as exc:
        where = f" ({exc.field})" if exc.field else ""
        err_console.print(f"error{where}: {exc.detail}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except ValidationError as exc:
        err_console.print(f"error: invalid settings: {exc.errors()[0]['msg']}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except OperationalError as exc:
        err_console.print(f"error: database unreachable or not migrated: {exc.orig}", highlight=False, soft_wrap=True)
        sys.exit(8)
