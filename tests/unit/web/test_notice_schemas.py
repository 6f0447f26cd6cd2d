"""``NoticeIn`` is one schema per kind, told apart by ``kind``: the OpenAPI document shows what each kind
requires, and the models take exactly the fields ``notices.kinds`` lets each kind have."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from accord.app import create_app
from accord.notices import kinds
from accord.settings import Settings
from accord.web.schemas import notices as schemas
from tests.unit.notices.helpers import payload

MODELS: dict[str, type[BaseModel]] = {"removal_order": schemas.RemovalOrderIn, "referral": schemas.ReferralIn,
                                      "trusted_flag": schemas.TrustedFlagIn, "user_report": schemas.UserReportIn,
                                      "alert": schemas.AlertIn}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path: Path = tmp_path_factory.mktemp("openapi") / "accord.db"
    app = create_app(Settings(mode="test", database_url=f"sqlite:///{path}"))
    found: dict[str, Any] = app.openapi()
    app.state.accord.engine.dispose()
    return found


def test_the_document_shows_one_schema_per_kind(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    body = document["paths"]["/v1/notices"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/NoticeIn"}
    notice_in = components["NoticeIn"]
    assert notice_in["discriminator"] == {"propertyName": "kind", "mapping": {
        name: f"#/components/schemas/{model.__name__}" for name, model in MODELS.items()}}
    assert sorted(one["$ref"] for one in notice_in["oneOf"]) == sorted(notice_in["discriminator"]["mapping"].values())
    for name, kind in kinds.KINDS.items():
        schema = components[MODELS[name].__name__]
        assert schema["properties"]["kind"]["const"] == name
        assert set(schema["required"]) == {"kind", *kind.required}, name
        assert set(schema["properties"]) == kind.allowed, name
        assert schema["additionalProperties"] is False
    batch = components["BatchIn"]["properties"]["notices"]["items"]
    assert batch == {"$ref": "#/components/schemas/NoticeIn"}


def test_every_kind_in_the_service_has_a_model() -> None:
    assert set(MODELS) == set(kinds.KINDS)


@pytest.mark.parametrize("kind", sorted(kinds.KINDS))
def test_a_valid_notice_of_each_kind_reaches_the_service_unchanged(kind: str) -> None:
    sent = payload(kind, "org_x")
    assert schemas.parse_notice(json.dumps(sent).encode()) == sent
    kinds.validate(sent)


def test_a_null_counts_as_absent_even_for_a_field_of_another_kind() -> None:
    sent = {**payload("referral", "org_x"), "emergency": None, "reference": None}
    assert schemas.parse_notice(json.dumps(sent).encode()) == payload("referral", "org_x")


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "complaint"}, "kind"),
    ({"urls": ["https://x.example/1"]}, "kind"),
    ({**payload("referral", "org_x"), "clause": None}, "clause"),
    ({**payload("referral", "org_x"), "legal_basis": "Art. 3"}, "legal_basis"),
    ({**payload("removal_order", "org_x"), "redress": {"body": "Court", "deadline_days": "30"}},
     "redress.deadline_days"),
    ({**payload("removal_order", "org_x"), "signatory": {"post": "Head"}}, "signatory.name"),
    ({**payload("alert", "org_x"), "verification_label": "rumour"}, "verification_label"),
])
def test_a_refusal_names_the_field_as_the_body_has_it(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        schemas.parse_notice(json.dumps(body).encode())
    located = [".".join(str(part) for part in error["loc"]) for error in schemas.notice_errors(refused.value)]
    assert located[0] == field, located
