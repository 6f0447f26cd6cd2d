"""Per-kind validation: every required field removed in turn, unknown fields, and bad values are refused by name."""

from __future__ import annotations

from typing import Any

import pytest

from accord.errors import InvalidInput
from accord.notices import kinds
from tests.unit.notices.helpers import payload


@pytest.mark.parametrize("kind", list(kinds.KINDS))
def test_a_valid_notice_of_each_kind_passes(kind: str) -> None:
    clean = kinds.validate(payload(kind, "org_p"))
    assert clean.kind.name == kind
    assert clean.content_keys == ["https://video.example.org/watch/123"]


REQUIRED = [(k, f) for k, spec in kinds.KINDS.items() for f in spec.required]


@pytest.mark.parametrize(("kind", "field"), REQUIRED)
def test_each_required_field_removed_is_refused_by_name(kind: str, field: str) -> None:
    data = payload(kind, "org_p")
    data.pop(field)
    with pytest.raises(InvalidInput) as caught:
        kinds.validate(data)
    assert caught.value.field == field


@pytest.mark.parametrize(("kind", "field", "value"), [
    ("user_report", "tco_types", ["incitement"]),
    ("user_report", "clause", "x"),
    ("trusted_flag", "redress", {"body": "x", "deadline_days": 1}),
    ("referral", "emergency", True),
    ("alert", "notifier_email", "a@b.org"),
    ("removal_order", "colour", "red"),
])
def test_a_field_of_another_kind_is_refused_by_name(kind: str, field: str, value: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        kinds.validate(payload(kind, "org_p", **{field: value}))
    assert caught.value.field == field


@pytest.mark.parametrize(("kind", "change", "field"), [
    ("removal_order", {"tco_types": ["glorious"]}, "tco_types"),
    ("removal_order", {"tco_types": []}, "tco_types"),
    ("removal_order", {"urls": ["ftp://x.example/a"]}, "urls[0]"),
    ("removal_order", {"urls": ["https://ok.example/a", "not a url"]}, "urls[1]"),
    ("removal_order", {"redress": {"body": "", "deadline_days": 30}}, "redress.body"),
    ("removal_order", {"redress": {"body": "Court", "deadline_days": "soon"}}, "redress.deadline_days"),
    ("removal_order", {"redress": {"body": "Court", "deadline_days": 3, "x": 1}}, "redress.x"),
    ("removal_order", {"emergency_reason": ""}, "emergency_reason"),
    ("removal_order", {"nondisclosure_days": 43}, "nondisclosure_days"),
    ("removal_order", {"nondisclosure_days": 0}, "nondisclosure_days"),
    ("removal_order", {"content_hashes": ["md5"]}, "content_hashes"),
    ("user_report", {"notifier_email": "nobody"}, "notifier_email"),
    ("user_report", {"good_faith": False}, "good_faith"),
    ("alert", {"verification_label": "rumour"}, "verification_label"),
])
def test_bad_values_are_refused_by_name(kind: str, change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        kinds.validate(payload(kind, "org_p", **change))
    assert caught.value.field == field


def test_urls_are_normalised_for_deconfliction_and_hashes_become_keys() -> None:
    clean = kinds.validate(payload("referral", "org_p", url="HTTPS://Video.Example.org:443/watch/123?utm_source=x#t",
                                   content_hashes=["sha256:" + "ab" * 32]))
    assert clean.content_keys == ["https://video.example.org/watch/123", "hash:sha256:" + "ab" * 32]
    assert clean.urls == ["HTTPS://Video.Example.org:443/watch/123?utm_source=x#t"]


@pytest.mark.parametrize("kind", ["letter", {}, ["referral"], None, 1])
def test_an_unknown_kind_is_refused_by_name(kind: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        kinds.validate({**payload("referral", "org_p"), "kind": kind})
    assert caught.value.field == "kind"
