"""The tables of Art. 4 (who may issue what), Art. 5 (for which offences) and Art. 8 (who is notified)."""

from __future__ import annotations

import pytest

from accord.errors import InvalidInput
from accord.evidence import rules

IDENTIFICATION = ["subscriber", "ip_identification"]
JUDICIAL = ["judge", "court", "investigating_judge"]


@pytest.mark.parametrize("issuer", [*JUDICIAL, "prosecutor"])
@pytest.mark.parametrize("categories", [["subscriber"], ["ip_identification"], IDENTIFICATION])
def test_identification_data_may_be_ordered_by_judges_and_prosecutors(issuer: str, categories: list[str]) -> None:
    assert rules.check_issuer("production", categories, issuer, None, emergency=False) is False


@pytest.mark.parametrize("categories", [["traffic"], ["content"], ["subscriber", "content"]])
def test_a_prosecutor_may_not_order_traffic_or_content_data(categories: list[str]) -> None:
    with pytest.raises(InvalidInput, match=r"Art\. 4\(2\)") as caught:
        rules.check_issuer("production", categories, "prosecutor", None, emergency=False)
    assert caught.value.field == "issuer_type"


@pytest.mark.parametrize("issuer", JUDICIAL)
@pytest.mark.parametrize("categories", [["traffic"], ["content"], ["traffic", "content", "subscriber"]])
def test_judges_may_order_traffic_and_content_data(issuer: str, categories: list[str]) -> None:
    assert rules.check_issuer("production", categories, issuer, None, emergency=False) is False


@pytest.mark.parametrize("issuer", [*JUDICIAL, "prosecutor"])
@pytest.mark.parametrize("category", rules.CATEGORIES)
def test_preservation_of_any_category_by_judges_and_prosecutors(issuer: str, category: str) -> None:
    assert rules.check_issuer("preservation", [category], issuer, None, emergency=False) is False


@pytest.mark.parametrize(("kind", "categories", "validator", "allowed"), [
    ("production", IDENTIFICATION, "prosecutor", True),
    ("production", IDENTIFICATION, "judge", True),
    ("production", ["content"], "prosecutor", False),  # Art. 4(2): validated by a judge, court or inv. judge
    ("production", ["traffic"], "court", True),
    ("production", ["traffic"], "investigating_judge", True),
    ("preservation", ["content"], "prosecutor", True),  # Art. 4(3)
    ("production", IDENTIFICATION, "other", False),
])
def test_another_authority_needs_the_right_validation(kind: str, categories: list[str], validator: str,
                                                      allowed: bool) -> None:
    if allowed:
        assert rules.check_issuer(kind, categories, "other", validator, emergency=False) is False
    else:
        with pytest.raises(InvalidInput, match=r"Art\. 4\(\d\)") as caught:
            rules.check_issuer(kind, categories, "other", validator, emergency=False)
        assert caught.value.field == "validated_by"


def test_another_authority_without_validation_is_refused_outside_an_emergency() -> None:
    with pytest.raises(InvalidInput, match=r"Art\. 4\(1\).*Art\. 4\(5\)"):
        rules.check_issuer("production", ["subscriber"], "other", None, emergency=False)


@pytest.mark.parametrize("categories", [["subscriber"], ["content"]])
def test_in_an_emergency_another_authority_issues_and_seeks_validation_after(categories: list[str]) -> None:
    assert rules.check_issuer("production", categories, "other", None, emergency=True) is True


def test_a_judge_order_is_not_validated() -> None:
    with pytest.raises(InvalidInput, match="only an order of another competent authority") as caught:
        rules.check_issuer("production", ["subscriber"], "judge", "court", emergency=False)
    assert caught.value.field == "validated_by"


@pytest.mark.parametrize(("years", "listed", "allowed"), [
    (3, None, True), (2, None, False), (None, None, False), (1, "terrorism", True),
    (None, "child_sexual_abuse", True), (None, "non_cash_payment_fraud", True),
])
def test_traffic_and_content_data_only_for_serious_or_listed_offences(years: int | None, listed: str | None,
                                                                       allowed: bool) -> None:
    def check() -> None:
        rules.check_offences("production", ["content"], ["x"], max_sentence_years=years, listed_offence=listed)

    if allowed:
        check()
    else:
        with pytest.raises(InvalidInput, match=r"Art\. 5\(4\)"):
            check()


@pytest.mark.parametrize(("kind", "categories"), [("production", ["subscriber"]),
                                                  ("production", ["ip_identification"]),
                                                  ("preservation", ["content"])])
def test_any_offence_for_identification_data_and_preservation(kind: str, categories: list[str]) -> None:
    rules.check_offences(kind, categories, ["theft"], max_sentence_years=1, listed_offence=None)


def test_an_order_names_its_offences_and_only_known_categories() -> None:
    with pytest.raises(InvalidInput) as caught:
        rules.check_offences("production", ["subscriber"], [" "], max_sentence_years=5, listed_offence=None)
    assert caught.value.field == "offences"
    with pytest.raises(InvalidInput) as caught:
        rules.check_categories("production", ["location"])
    assert caught.value.field == "data_categories"


@pytest.mark.parametrize(("kind", "categories", "resides", "enforcing", "notified"), [
    ("production", ["content"], False, "DE", True),
    ("production", ["traffic"], False, "DE", True),
    ("production", ["traffic"], True, "DE", False),  # Art. 8(2): resident in the issuing State
    ("production", ["subscriber", "ip_identification"], False, "DE", False),  # identification data
    ("preservation", ["content"], False, "DE", False),
    ("production", ["content"], False, "FR", False),  # the provider is in the issuing State
])
def test_who_is_notified(kind: str, categories: list[str], resides: bool, enforcing: str, notified: bool) -> None:
    assert rules.needs_notification(kind, categories, resides_in_issuing_state=resides, issuing_state="FR",
                                    enforcing_state=enforcing) is notified
