"""Banks as CSV, and the signals a banked file gets."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.banks import service
from accord.banks.files import read_csv, signals_for_bank, write_csv
from accord.clock import FrozenClock
from tests.unit.banks.helpers import LIMITS, PDQ_A, PDQ_B, bank_with, org, photo_bytes


def test_a_photo_is_banked_with_crop_variants() -> None:
    signals = {s.type: s for s in signals_for_bank(photo_bytes(1), LIMITS)}
    assert set(signals) == {"pdq", "md5", "sha256"}
    assert 1 <= len(signals["pdq"].variants) <= 4
    assert signals["md5"].variants == ()


def test_csv_rows_refuse_bad_hashes_with_the_line() -> None:
    text = ("signal_type,signal_value,labels\n"
            f"pdq,{PDQ_A},glorification_of_terrorist_acts;incident:attack-1\n"
            f"pdq,{'0' * 64},\n"
            "md5,abc\n"
            "url,https://Example.org/a?utm_source=x\n"
            "pdq\n")
    rows = list(read_csv(text))
    good = [r for r in rows if r.signal is not None]
    bad = {r.line: r.error for r in rows if r.signal is None}
    assert [(r.signal.type, r.signal.value) for r in good if r.signal] == [
        ("pdq", PDQ_A), ("url", "https://example.org/a")]
    assert good[0].details.labels == ["glorification_of_terrorist_acts"]
    assert good[0].details.incident_tags == ["attack-1"]
    assert set(bad) == {3, 4, 6}
    assert "all-zero" in (bad[3] or "")


def test_export_round_trip(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=(PDQ_A, PDQ_B))
    service.change_entry_state(session, clock, owner, bank, service.list_entries(session, bank)[1], "disable")
    text = write_csv(session, bank)
    assert text.splitlines() == ["signal_type,signal_value,labels", f"pdq,{PDQ_A},glorification_of_terrorist_acts"]
    assert [r.signal.value for r in read_csv(text) if r.signal] == [PDQ_A]
