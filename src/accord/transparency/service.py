"""What the API, UI and CLI call: reports in a format, statement exports, and flagger figures by viewer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.errors import InvalidInput, NotFound
from accord.identity.models import Organisation
from accord.law import sor
from accord.transparency import export, flaggers, render, reports, template

PUID_NAMESPACE_KEY = sor.PUID_NAMESPACE_KEY


TEMPLATE_FORMATS = {"dsa-template": "json", "dsa-template-csv": "csv"}
FORMATS = (*render.FORMATS, *TEMPLATE_FORMATS)


def report(session: Session, clock: Clock, *, org_id: str, year: int, fmt: str) -> str:
    """The organisation's report for ``year`` rendered as json, csv or html; a provider's DSA Art. 15/24 report
    also in the layout of the harmonised template (``dsa-template`` as JSON, ``dsa-template-csv``)."""
    if fmt in TEMPLATE_FORMATS:
        org = session.get(Organisation, org_id)
        if org is None or org.kind != "provider":
            raise InvalidInput("the DSA template report is a provider's (Art. 15, Art. 24)", field="format")
        return template.render(template.dsa_template(session, clock, org=org, year=year), TEMPLATE_FORMATS[fmt])
    if fmt not in FORMATS:
        raise InvalidInput(f"the format is one of {', '.join(FORMATS)}", field="format")
    return render.render(reports.report_for(session, clock, org_id=org_id, year=year), fmt)


def puid_namespace(session: Session, org_id: str) -> str:
    """The provider's ``puid`` namespace: its configured prefix, else derived from its id (as stored statements)."""
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"no organisation {org_id!r}")
    return sor.provider_namespace(org.id, org.settings)


def statement_lines(session: Session, *, provider_id: str, since: datetime | None = None,
                    tally: export.ExportTally | None = None) -> Iterator[str]:
    """JSON lines, each the body of one ``POST /api/v1/statement``."""
    namespace = puid_namespace(session, provider_id)
    return export.statement_lines(session, provider_id=provider_id, since=since, namespace=namespace, tally=tally)


def flagger_figures(session: Session, *, org_id: str, org_kind: str) -> list[dict[str, Any]]:
    """A provider sees every flagger's figures; a trusted flagger sees its own, per provider."""
    if org_kind == "trusted_flagger":
        return flaggers.own_accuracy(session, flagger_id=org_id)
    return [a.as_dict() for a in flaggers.provider_flagger_accuracy(session, provider_id=org_id)]
