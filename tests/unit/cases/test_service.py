"""Opening a case from a hash match, annotating it, describing it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accord.audit.models import AuditEvent
from accord.cases import service
from accord.errors import InvalidInput
from tests.factories import TEST_ACTOR
from tests.unit.cases.conftest import Provider


def test_a_hash_match_opens_then_joins_one_case(provider: Provider) -> None:
    p = provider
    case, created = service.open_case_from_match(
        p.session, p.clock, TEST_ACTOR, provider_id=p.id, signal_type="pdq", value="f" * 64,
        urls=["https://example.org/v/1"], labels=["Graphic Violence"], bank_id="bnk_1",
        media=[{"url": "https://cdn.example.org/1.jpg", "type": "image"}])
    again, created_again = service.open_case_from_match(
        p.session, p.clock, TEST_ACTOR, provider_id=p.id, signal_type="pdq", value="f" * 64)
    assert created and not created_again and again.id == case.id
    assert case.sources == ["hash_match"] and case.graphic and case.queue_id is not None
    assert case.content_key == "hash:pdq:" + "f" * 64
    tags = list(p.session.scalars(select(AuditEvent.tag).where(AuditEvent.subject == case.id)
                                  .order_by(AuditEvent.seq)))
    assert tags == ["cases:case:open", "cases:case:join"]
    described = service.describe(case, p.clock)
    assert described["band"] == "high" and described["score"] == 6 and described["media"][0]["type"] == "image"


def test_joining_a_notice_case_by_url(provider: Provider) -> None:
    p = provider
    notice_case = p.case("v/2", ["user_report"])
    case, created = service.open_case_from_match(p.session, p.clock, TEST_ACTOR, provider_id=p.id,
                                                 signal_type="md5", value="a" * 32,
                                                 urls=["https://example.org/v/2"])
    assert not created and case.id == notice_case.id
    assert case.sources == ["hash_match", "user_report"]


def test_media_needs_a_url_and_a_known_type(provider: Provider) -> None:
    case = provider.case("x")
    with pytest.raises(InvalidInput):
        service.annotate(provider.session, provider.clock, case, media=[{"url": "", "type": "image"}])
    with pytest.raises(InvalidInput):
        service.annotate(provider.session, provider.clock, case, media=[{"url": "x", "type": "hologram"}])
