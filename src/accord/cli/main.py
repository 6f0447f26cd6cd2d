"""The ``accord`` entry point; DomainErrors become one line on stderr and their exit code.

Commands load when they run: ``accord --help`` lists every command from the help text the domain manifest
carries, and ``accord hash FILE`` imports what hashing needs and nothing else (no web stack, no statistics, no
other domain). ``tests/cli/test_startup.py`` counts the modules each imports.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

import typer
from typer import _click as click
from typer.core import TyperCommand, TyperGroup

from accord import manifest
from accord.errors import DomainError

_LOADED: dict[str, click.Command] = {}
"""Top-level commands already loaded, by name: a group and its sub-commands are assembled once per process."""


def _fail(message: str, code: int) -> None:
    typer.echo(f"error{message}", err=True)
    raise typer.Exit(code)


def _is(exc: Exception, module: str, name: str) -> bool:
    """Whether ``exc`` is ``module.name``, without importing ``module`` when nothing has (a command that never
    touched the database cannot have raised the database's error)."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(exc, getattr(loaded, name))


class AccordGroup(TyperGroup):
    """Loads each command when it is invoked, and maps Accord's errors to one line on stderr and a non-zero exit,
    for every subcommand."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [command.path for command in manifest.commands() if " " not in command.path]

    def get_command(self, ctx: Any, cmd_name: str) -> click.Command | None:
        entry = _top_level().get(cmd_name)
        if entry is None:
            return None
        if self._listing:  # the list of commands needs names and help only
            return TyperCommand(cmd_name, help=entry.help, short_help=entry.help)
        return load(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            where = f" ({exc.field})" if exc.field else ""
            _fail(f"{where}: {exc.detail}", exc.exit_code)
        except Exception as exc:
            if _is(exc, "pydantic", "ValidationError"):
                _fail(f": invalid settings: {exc.errors()[0]['msg']}", 2)  # type: ignore[attr-defined]
            if _is(exc, "sqlalchemy.exc", "OperationalError"):
                _fail(f": database unreachable or not migrated: {exc.orig}", 8)  # type: ignore[attr-defined]
            raise
        return None


app = typer.Typer(help="Accord: acting together against terrorist content online.", no_args_is_help=True,
                  pretty_exceptions_enable=False, cls=AccordGroup)


@app.callback()
def _root() -> None:
    """Accord: acting together against terrorist content online."""


def _top_level() -> dict[str, manifest.Command]:
    return {command.path: command for command in manifest.commands() if " " not in command.path}


def add_commands(root: typer.Typer, commands: Iterable[manifest.Command], prefix: str = "") -> None:
    """Add each command the domain manifest names, under the group its path names (``"notice review"``
    goes under ``notice``, which an earlier entry added); ``prefix`` is the path of ``root`` itself."""
    groups: dict[str, typer.Typer] = {prefix: root}
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


def load(name: str) -> click.Command:
    """The top-level command ``name`` with everything the manifest puts under it, imported now."""
    if name in _LOADED:
        return _LOADED[name]
    entry = _top_level()[name]
    target = manifest.attribute(entry.target)
    holder = typer.Typer(pretty_exceptions_enable=False)
    holder.callback()(_root)  # a group even when it holds one function
    if isinstance(target, typer.Typer):
        children = [c for c in manifest.commands() if c.path.startswith(f"{name} ")]
        add_commands(target, children, prefix=name)
        holder.add_typer(target, name=name)
    elif callable(target):
        holder.command(name)(target)
    else:
        raise TypeError(f"{entry.target} is neither a Typer application nor a function")
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    command = group.commands[name]
    _LOADED[name] = command
    return command


def main() -> None:
    app()
