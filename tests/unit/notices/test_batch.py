"""Batch import: bad lines are reported by line and field, good ones kept; atomic keeps nothing on a refusal."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.errors import InvalidInput
from accord.notices import batch
from accord.notices.models import Notice
from accord.settings import Settings
from tests.unit.notices.helpers import org, payload


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Notice)) or 0


def test_csv_batch_with_bad_lines_keeps_the_good_and_reports_the_bad(session: Session, clock: FrozenClock,
                                                                     settings: Settings) -> None:
    _, authority = org(session, clock, "authority")
    provider, _ = org(session, clock, "provider")
    text = (
        "kind,provider_id,urls,reasons,clause,tco_types\n"
        f"referral,{provider.id},https://a.example/1|https://a.example/2,Recruitment,Rules 4,solicitation_group\n"
        f"referral,{provider.id},notaurl,Recruitment,Rules 4,\n"
        f"referral,{provider.id},https://a.example/3,Recruitment,,\n"
        f"referral,org_nobody,https://a.example/4,Recruitment,Rules 4,\n"
        f"referral,{provider.id},https://a.example/5,Recruitment,Rules 4,bogus\n"
    )
    report = batch.import_batch(session, clock, settings, authority, batch.parse(text, "csv"))
    assert report.accepted == 1 and report.refused == 4
    assert [(r.line, r.field) for r in report.lines if not r.accepted] == [
        (3, "urls[0]"), (4, "clause"), (5, "provider_id"), (6, "tco_types")]
    assert _count(session) == 1
    [good] = session.scalars(select(Notice)).all()
    assert good.urls == ["https://a.example/1", "https://a.example/2"]


def test_jsonl_batch_reports_broken_json_and_atomic_keeps_nothing(session: Session, clock: FrozenClock,
                                                                   settings: Settings) -> None:
    _, authority = org(session, clock, "authority")
    provider, _ = org(session, clock, "provider")
    lines = [json.dumps(payload("referral", provider.id, url=f"https://b.example/{n}")) for n in range(3)]
    text = "\n".join([lines[0], "{not json", lines[1], "[1]", lines[2]])
    atomic = batch.import_batch(session, clock, settings, authority, batch.parse(text, "jsonl"), atomic=True)
    assert not atomic.kept and atomic.accepted == 0 and atomic.refused == 2 and _count(session) == 0
    report = batch.import_batch(session, clock, settings, authority, batch.parse(text, "jsonl"))
    assert report.accepted == 3 and [r.line for r in report.lines if not r.accepted] == [2, 4]
    assert _count(session) == 3


def test_lines_about_the_same_content_join_the_case_an_earlier_line_opened(session: Session, clock: FrozenClock,
                                                                           settings: Settings) -> None:
    _, authority = org(session, clock, "authority")
    provider, _ = org(session, clock, "provider")
    urls = ["https://c.example/v/1", "https://C.example/v/1?utm_source=x", "https://c.example/v/2"]
    text = "\n".join(json.dumps(payload("referral", provider.id, url=u)) for u in urls)
    report = batch.import_batch(session, clock, settings, authority, batch.parse(text, "jsonl"))
    assert report.accepted == 3
    cases = [n.case_id for n in session.scalars(select(Notice).order_by(Notice.created_at, Notice.id))]
    by_url = {n.urls[0]: n.case_id for n in session.scalars(select(Notice))}
    assert len(set(cases)) == 2 and by_url["https://c.example/v/1"] != by_url["https://c.example/v/2"]


def test_an_unknown_column_refuses_the_whole_file() -> None:
    with pytest.raises(InvalidInput) as caught:
        batch.parse("kind,provider_id,urls,colour\nreferral,p,https://x.example/,red\n", "csv")
    assert caught.value.field == "colour"


def test_chunked_import_commits_each_chunk_and_reports_every_line(factory: sessionmaker[Session],
                                                                  clock: FrozenClock, settings: Settings) -> None:
    with unit_of_work(factory) as session:
        _, authority = org(session, clock, "authority")
        provider, _ = org(session, clock, "provider")
    lines = [json.dumps(payload("referral", provider.id, url=f"https://c.example/{n}")) for n in range(5)]
    lines[3] = json.dumps(payload("referral", provider.id, clause=""))
    report = batch.import_in_chunks(factory, clock, settings, authority, batch.parse("\n".join(lines), "jsonl"),
                                    chunk=2)
    assert [r.accepted for r in report.lines] == [True, True, True, False, True]
    assert report.lines[3].field == "clause" and report.accepted == 4
    with factory() as session:
        assert _count(session) == 4
