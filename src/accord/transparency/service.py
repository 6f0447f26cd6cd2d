"""What the API, UI and CLI call: reports in a format, statement exports, and flagger figures by viewer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.errors import NotFound
from accord.identity.models import Organisation
from accord.transparency import export, flaggers, render, reports, sor

PUID_NAMESPACE_KEY = sor.PUID_NAMESPACE_KEY


def report(session: Session, clock: Clock, *, org_id: str, year: int, fmt: str) -> str:
    """The organisation's report for ``year`` rendered as json, csv or html."""
    render.check_format(fmt)
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
