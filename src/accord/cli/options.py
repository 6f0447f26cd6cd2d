"""The options many commands share, defined once: ``--json``, ``--org`` and ``--as``.

Use the aliases as parameter types (``as_json: JsonOpt = False``); a command whose ``--org`` means something
narrower says so with ``Annotated[str, org_option("The declaring coordinator")]``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

ORG_HELP = "Organisation id or name"


def org_option(help: str = ORG_HELP) -> Any:
    """``--org``: the organisation a command reads or acts on, by id or name."""
    return typer.Option("--org", help=help)


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
AsOrg = Annotated[str, typer.Option("--as", help="The organisation (id or name) the operator acts for")]
OrgOpt = Annotated[str, org_option()]
ProviderOrgOpt = Annotated[str | None, org_option(f"{ORG_HELP} (default: the only provider)")]
