"""A worker's batch: items hashed and matched against the payload, failures counted with their reason."""

from __future__ import annotations

from pathlib import Path

from accord.scans import work
from accord.scans.work import IndexPayload, scan_batch
from accord.settings import Settings
from accord.signals import hash_media
from tests.unit.banks.helpers import LIMITS, mirrored, photo_bytes, truncated_jpeg


def _payload(key: str, seed: int) -> IndexPayload:
    [pdq] = [s.value for s in hash_media(photo_bytes(seed), limits=LIMITS) if s.type == "pdq"]
    return IndexPayload(key=key, pairs={"pdq": [(7, pdq)]})


def test_a_batch_sends_back_hits_and_the_reasons_of_failures_only(tmp_path: Path) -> None:
    (tmp_path / "hit.jpg").write_bytes(mirrored(4))
    (tmp_path / "miss.jpg").write_bytes(photo_bytes(5))
    (tmp_path / "cut.jpg").write_bytes(truncated_jpeg())
    refs = [str(tmp_path / name) for name in ("hit.jpg", "miss.jpg", "cut.jpg", "gone.jpg")]
    result = scan_batch(3, refs, _payload("a", 4), LIMITS, Settings.model_construct())
    assert (result.number, result.items) == (3, 4)
    [hit] = result.matched
    assert hit.ref == refs[0] and hit.kind == "image" and {t for t, _ in hit.signals} == {"pdq", "md5", "sha256"}
    [(query, hits)] = hit.hits.items()
    assert query.startswith("pdq:") and [h.entry_id for h in hits] == [7] and hits[0].distance <= 31
    reasons = dict(result.failed)
    assert set(reasons) == {refs[2], refs[3]} and reasons[refs[3]] == "no such file"
    assert reasons[refs[2]].startswith("the JPEG image is truncated or corrupt")
    assert result.cpu_seconds > 0 and result.seconds >= result.cpu_seconds * 0.5


def test_indexes_are_built_once_per_payload_and_process() -> None:
    first = work._indexes(_payload("one", 4))
    assert work._indexes(_payload("one", 9)) is first  # the same key: the built indexes, not a rebuild
    second = work._indexes(_payload("two", 9))
    assert second is not first and list(work._BUILT) == ["two"]  # only the latest payload is kept
