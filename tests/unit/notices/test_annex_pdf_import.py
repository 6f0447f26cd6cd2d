"""TCO-06: an Annex PDF carries its signed JSON, so the round trip JSON -> PDF -> JSON gives the same document,
which imports as the JSON does (Annex I as an order, Annex II/III as feedback) and is refused if altered."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.errors import InvalidInput
from accord.flows import decisions as flows
from accord.notices import annex, feedback
from accord.notices.annex_pdf import Printable, document_in, render
from accord.settings import Settings
from tests.factories import make_org
from tests.functional.test_annex_documents import ORDER
from tests.unit.notices.helpers import principal
from tests.unit.notices.test_annex import _comparable, _fresh, _order
from tests.unit.notices.test_feedback_import import Elsewhere


def test_an_annex_i_pdf_round_trips_into_a_fresh_database(session: Session, clock: FrozenClock,
                                                          settings: Settings, tmp_path: Path) -> None:
    notice, authority, provider = _order(session, clock, settings)
    doc = annex.annex_i(session, clock, settings, principal(authority), notice.id)
    pdf = annex.annex_i_pdf(session, clock, settings, principal(authority), notice.id)
    assert document_in(pdf) == doc
    tampered = copy.deepcopy(doc)
    tampered["section_b"]["urls"] = ["https://elsewhere.example/"]
    other, handles = _fresh(tmp_path, {"authority": authority.name, "provider": provider.name})
    with other:
        with pytest.raises(InvalidInput, match="altered"):
            annex.import_order(other, clock, settings, principal(handles["authority"]),
                               document_in(render(annex.printable(tampered))))
        imported = annex.import_order(other, clock, settings, principal(handles["authority"]), document_in(pdf))
        again = annex.annex_i(other, clock, settings, principal(handles["authority"]), imported.id)
        assert _comparable(again) == _comparable(doc)
        other.rollback()


def test_an_annex_ii_pdf_imports_as_its_json(session: Session, clock: FrozenClock, settings: Settings,
                                             tmp_path: Path) -> None:
    notice, authority, provider = _order(session, clock, settings)
    doc = annex.annex_i(session, clock, settings, principal(authority), notice.id)
    other, handles = _fresh(tmp_path, {"authority": authority.name, "provider": provider.name})
    with other:
        elsewhere = Elsewhere(other, handles, annex.import_order(other, clock, settings,
                                                                 principal(handles["authority"]), doc))
        clock.advance(minutes=7)
        flows.answer_notice(session, clock, principal(provider), notice.id, flows.Answer(outcome="removed"))
        pdf = feedback.feedback_pdf(session, clock, settings, principal(provider), notice.id)
        assert document_in(pdf) == feedback.feedback_record(session, clock, settings, notice)
        order = elsewhere.take(clock, settings, document_in(pdf))
        assert (order.outcome, order.details["imported_feedback"]["signed"]) == ("removed", True)
        other.rollback()


def test_what_carries_no_document_is_refused() -> None:
    for content in (b"not a pdf", b"%PDF-1.3 broken", render(Printable(title="t", intro=(), sections=[]))):
        with pytest.raises(InvalidInput) as refused:
            document_in(content)
        assert refused.value.field == "body"


def test_the_api_imports_the_pdf_it_printed(client: TestClient, factory: sessionmaker[Session],
                                            clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        iru, video = make_org(session, clock, "authority"), make_org(session, clock, "provider")
    sent = client.post("/v1/notices", json={**ORDER, "provider_id": video.id}, headers=iru.headers).json()
    pdf = client.get(f"/v1/notices/{sent['id']}/annex-i.pdf", headers=iru.headers).content
    imported = client.post("/v1/notices/import", content=pdf, headers={**iru.headers,
                                                                       "Content-Type": "application/pdf"})
    assert imported.status_code == 201, imported.text
    assert imported.json()["reference"] == ORDER["reference"] and imported.json()["id"] != sent["id"]
    assert imported.json()["details"]["imported"]["notice_id"] == sent["id"]
    assert client.post("/v1/notices/import", content=b"%PDF-1.7 nothing", headers=iru.headers).status_code == 422
