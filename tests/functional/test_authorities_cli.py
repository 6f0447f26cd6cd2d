"""``accord notice review|finality|reinstatement`` and ``accord authority exposure|penalty|breaches`` against a
real database: the CLI reaches Art. 9 reviews, finality, Art. 5 exposure and Art. 18 penalties."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.cli.main import app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.identity.service import authenticate_key
from accord.notices import service
from accord.settings import Settings
from tests.factories import make_org
from tests.unit.notices.helpers import payload


def _json(cli: CliRunner, *args: str) -> object:
    result = cli.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_reviews_finality_exposure_and_penalties(cli: CliRunner, factory: sessionmaker[Session], clock: FrozenClock,
                                                 settings: Settings) -> None:
    with unit_of_work(factory) as session:
        iru = make_org(session, clock, "authority", country="IE")
        video = make_org(session, clock, "provider", country="IE")
        notice_id = service.receive(session, clock, settings, authenticate_key(session, clock, iru.key),
                                    payload("removal_order", video.id)).id
    review = _json(cli, "notice", "review", "add", notice_id, "--as", video.id, "--brought-by", "provider",
                   "--body", "High Court", "--filed-on", clock.now().strftime("%Y-%m-%d"))
    assert isinstance(review, dict) and review["outcome"] == "pending"
    assert [r["id"] for r in _json(cli, "notice", "review", "list", notice_id, "--as", iru.id)] == [review["id"]]
    final = _json(cli, "notice", "finality", notice_id, "--as", iru.id)
    assert isinstance(final, dict) and final["state"] == "appeal_pending"
    confirmed = cli.invoke(app, ["notice", "review", "outcome", notice_id, review["id"], "--as", iru.id,
                                 "--outcome", "confirmed"])
    assert confirmed.exit_code == 0, confirmed.output
    refused = cli.invoke(app, ["authority", "exposure", "decide", "--as", iru.id, "--provider", video.id,
                               "--reasons", "Orders."])
    assert refused.exit_code != 0 and "final removal order" in refused.output
    decision = _json(cli, "authority", "exposure", "decide", "--as", iru.id, "--provider", video.id,
                     "--reasons", "Exposed.", "--other-factors", "Europol referrals")
    assert isinstance(decision, dict) and decision["next_report_due"] and decision["report_overdue"] is False
    listed = _json(cli, "authority", "exposure", "list", "--as", video.id)
    assert isinstance(listed, list) and listed[0]["id"] == decision["id"]
    penalty = _json(cli, "authority", "penalty", "add", "--as", iru.id, "--provider", video.id, "--amount",
                    "5000", "--ground", "Art. 3(3)", "--imposed-on", clock.now().strftime("%Y-%m-%d"))
    assert isinstance(penalty, dict) and penalty["amount"] == "5000.00"
    signals = _json(cli, "authority", "breaches", "--as", iru.id)  # the CLI runs on the real clock
    assert isinstance(signals, list) and all(s["provider_id"] == video.id for s in signals)
    bad = cli.invoke(app, ["authority", "penalty", "add", "--as", iru.id, "--provider", video.id, "--amount",
                           "-1", "--ground", "Art. 3(3)", "--imposed-on", "2026-01-01"])
    assert bad.exit_code != 0 and "amount" in bad.output
    assert _json(cli, "notice", "reinstatement", "list", "--as", video.id) == []
