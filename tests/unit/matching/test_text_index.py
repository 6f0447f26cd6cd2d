"""The containment and TLSH indexes beyond the shared contract: shares found, merges, removals, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import InvalidInput
from accord.matching import text_index
from accord.matching.text_index import ContainmentMatchIndex, TLSHMatchIndex
from accord.signals.text import containment_value, text_tlsh
from tests.unit.matching.test_contract import synthetic_text


def value(text: str) -> str:
    found = containment_value(text.split())
    assert found is not None
    return found


BOOK = synthetic_text(10, words=3000)
OTHER = synthetic_text(11, words=3000)


def test_an_excerpt_inside_a_longer_text_reports_the_share_of_the_banked_document() -> None:
    index = ContainmentMatchIndex()
    index.add_many([(1, value(BOOK)), (2, value(OTHER))])
    words = BOOK.split()
    post = synthetic_text(12, words=500) + " " + " ".join(words[1000:1300]) + " " + synthetic_text(13, words=500)
    [hit] = index.query(value(post))
    assert hit.entry_id == 1
    assert hit.compared_match_percent is not None and 7 <= hit.compared_match_percent <= 13  # 300 of 3,000 words
    assert hit.query_match_percent is not None and 20 <= hit.query_match_percent <= 35  # 300 of 1,300 words
    assert hit.distance == 100 - int(hit.compared_match_percent)
    assert index.query(value(post), threshold=50) == [], "a threshold is the largest distance accepted"
    [whole] = index.query(value(" ".join(words[:1500])))
    assert 45 <= (whole.compared_match_percent or 0) <= 55


def test_a_text_sharing_too_little_does_not_match() -> None:
    index = ContainmentMatchIndex()
    index.add(1, value(BOOK))
    words = BOOK.split()
    post = synthetic_text(12, words=500) + " " + " ".join(words[100:120]) + " " + synthetic_text(13, words=500)
    assert index.query(value(post)) == []


def test_merges_keep_every_entry_and_drop_removed_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_index, "MERGE_AT", 500)
    index = ContainmentMatchIndex()
    texts = {n: synthetic_text(100 + n, words=600) for n in range(12)}
    for n, text in texts.items():
        index.add(n, value(text))
    assert len(index._keys) > 0, "the recent additions were merged into the sorted arrays"
    for n in range(0, 12, 2):
        assert index.remove(n) == 1
    index.add(99, value(synthetic_text(999, words=2000)))  # a merge that also drops the removed postings
    for n, text in texts.items():
        expected = [] if n % 2 == 0 else [n]
        assert [hit.entry_id for hit in index.query(value(text))] == expected
    assert index.postings < sum(len(value(t)) for t in texts.values())


def test_boilerplate_held_by_many_documents_is_not_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_index, "MAX_POSTINGS", 3)
    boilerplate = synthetic_text(50, words=400)
    index = ContainmentMatchIndex()
    for n in range(5):
        index.add(n, value(synthetic_text(200 + n, words=300) + " " + boilerplate))
    assert index.query(value(boilerplate)) == []


def test_refusals() -> None:
    index = ContainmentMatchIndex()
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        index.query(value(BOOK), threshold=101)
    with pytest.raises(InvalidInput, match="invalid text_containment"):
        index.add(1, "not fingerprints")
    with pytest.raises(InvalidInput, match="0 or more"):
        TLSHMatchIndex().query("T1" + "A" * 70, threshold=-1)


def test_snapshot_of_another_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tlsh.json"
    TLSHMatchIndex().save(path)
    with pytest.raises(InvalidInput, match="not a text_containment index snapshot"):
        ContainmentMatchIndex.load(path)


def test_tlsh_uses_python_threatexchange_threshold() -> None:
    index = TLSHMatchIndex()
    original = str(text_tlsh(BOOK))
    index.add(1, original)
    edited = str(text_tlsh(BOOK.replace(" ", "  ", 50)[:-200]))
    [hit] = index.query(edited)
    assert hit.entry_id == 1 and 0 <= hit.distance <= text_index.TLSH_THRESHOLD
    assert index.query(str(text_tlsh(OTHER))) == []
