"""``accord drill`` against a real database: schedule (refused with one line and a non-zero exit when the
window is backwards), list and show; the scorecard of a drill not sent yet."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.cli.main import app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import make_org


def _json(cli: CliRunner, *args: str) -> Any:
    result = cli.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_schedule_list_and_show(cli: CliRunner, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        iru = make_org(session, clock, "authority")
        video = make_org(session, clock, "provider")
        forum = make_org(session, clock, "provider")
    start = datetime.now(UTC) + timedelta(hours=1)  # the command line runs on the system clock
    window = ["--starts-after", start.isoformat(), "--ends-before", (start + timedelta(hours=8)).isoformat()]
    drill = _json(cli, "drill", "schedule", "--as", iru.id, "--provider", video.id, *window)
    assert drill["status"] == "scheduled" and drill["notice_id"] is None and drill["provider_id"] == video.id
    backwards = cli.invoke(app, ["drill", "schedule", "--as", iru.id, "--provider", video.id,
                                 "--starts-after", window[3], "--ends-before", window[1]])
    assert backwards.exit_code != 0 and "ends_before must be after starts_after" in backwards.output
    assert len(backwards.output.strip().splitlines()) == 1
    assert [d["id"] for d in _json(cli, "drill", "list", "--as", video.id)] == [drill["id"]]
    shown = _json(cli, "drill", "show", drill["id"], "--as", iru.id)
    assert shown["status"] == "scheduled" and shown["seconds_to_action"] is None
    hidden = cli.invoke(app, ["drill", "show", drill["id"], "--as", forum.id])
    assert hidden.exit_code != 0 and "no drill" in hidden.output
