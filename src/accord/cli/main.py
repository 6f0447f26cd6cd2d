"""The ``accord`` entry point; DomainErrors become one line on stderr and their exit code."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import typer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from typer.core import TyperGroup

from accord import manifest
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


def add_commands(root: typer.Typer, commands: Iterable[manifest.Command]) -> None:
    """Add each command the domain manifest names, under the group its path names (``"notice review"``
    goes under ``notice``, which an earlier entry added)."""
    groups: dict[str, typer.Typer] = {"": root}
    for command in commands:
        parent, _, name = command.path.rpartition(" ")
        target = manifest.attribute(command.target)
        if isinstance(target, typer.Typer):
            groups[parent].add_typer(target, name=name)
            groups[command.path] = target
        elif callable(target):
            groups[parent].command(name)(target)
        else:
            raise TypeError(f"{command.target} is neither a Typer application nor a function")


add_commands(app, manifest.commands())


def main() -> None:
    app()
