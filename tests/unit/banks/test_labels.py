"""GIFCT's own spellings are aliases of Accord's canonical labels, at every door (API, CSV, exchange, pytx)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from accord.banks import labels, service
from accord.banks.files import split_labels
from accord.banks.service import EntryDetails, NewSignal
from accord.clock import FrozenClock
from accord.errors import InvalidInput
from accord.exchange import pull
from tests.unit.banks.helpers import PDQ_A, PDQ_B, bank_with, org

GRAPHIC = "graphic_violence_against_defenceless_people"
RADICAL = "radicalisation_recruitment_instruction"


@pytest.mark.parametrize(("text", "canonical"), [
    ("graphic_violence_against_defenseless_people", GRAPHIC),
    ("Graphic Violence Against Defenseless People", GRAPHIC),
    ("graphic-violence-against-defenceless-people", GRAPHIC),
    ("radicalization_recruitment_instruction", RADICAL),
    ("Radicalization, Recruitment and Instruction", RADICAL),
    ("radicalization_recruitment_and_instruction", RADICAL),
    ("Imminent Credible Threat", "imminent_credible_threat"),
    ("glorification_of_terrorist_acts", "glorification_of_terrorist_acts"),
])
def test_us_spellings_and_display_names_map_to_the_canonical_label(text: str, canonical: str) -> None:
    assert labels.canonical_label(text) == canonical


@pytest.mark.parametrize("text", ["defenseless", "radicalization", "graphic violence", "bad", ""])
def test_what_is_not_a_label_stays_unknown(text: str) -> None:
    assert labels.canonical_label(text) is None
    with pytest.raises(InvalidInput, match="unknown label"):
        labels.canonical_labels([text])


def test_entries_added_with_aliases_store_the_canonical_label(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=())
    details = EntryDetails(labels=["graphic_violence_against_defenseless_people", GRAPHIC,
                                   "radicalization_recruitment_instruction"])
    [entry] = service.add_entries(session, clock, owner, bank, [NewSignal("pdq", PDQ_A)], details)
    assert entry.labels == [GRAPHIC, RADICAL]
    service.update_details(session, clock, owner, bank, entry, EntryDetails(labels=["Imminent Credible Threat"]))
    assert entry.labels == ["imminent_credible_threat"]


def test_a_csv_row_with_gifct_spellings_is_accepted() -> None:
    details = split_labels("graphic_violence_against_defenseless_people;incident:attack-2026")
    assert (list(details.labels), list(details.incident_tags)) == ([GRAPHIC], ["attack-2026"])


def test_an_exchange_feed_with_gifct_spellings_is_imported_canonical(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=(), quarantine_imports=False)
    result = pull.PullResult()
    item = {"op": "upsert", "entry": {"id": 7, "signal_type": "pdq", "value": PDQ_B, "owner": "peer",
                                      "labels": ["radicalization_recruitment_instruction"]}}
    pull._apply(session, clock, owner, bank, "https://peer.example/v1/exchange/feed", item, result)
    assert (result.upserted, result.refused) == (1, [])
    [entry] = service.list_entries(session, bank)
    assert entry.labels == [RADICAL]


def test_pytx_opinion_tags_that_name_labels_become_labels() -> None:
    assert labels.known_labels(["defenseless", "Graphic Violence Against Defenseless People", "tcap:1"]) == [GRAPHIC]
