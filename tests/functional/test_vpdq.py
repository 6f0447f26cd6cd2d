"""vPDQ end to end, where the optional extra is installed: a video banked through the API and the CLI, then
re-encoded and trimmed copies matched by vPDQ, an unrelated video not matched, a disabled entry no longer
matched, the CLI's index snapshot reloaded, a corrupt video refused with 422. Skipped without vpdq/ffmpeg."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.cli.main import app as cli_app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import OrgHandle, make_org
from tests.helpers import json_lines
from tests.unit.signals.video_clips import SCENES_A, SCENES_B, make_clip, needs_vpdq, reencode


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    needs_vpdq()
    folder = tmp_path_factory.mktemp("clips")
    original = make_clip(folder, "original", SCENES_A)
    return {
        "original": original,
        "smaller": reencode(original, folder / "smaller.mp4", size="192x144", bitrate="150k"),
        "trimmed": reencode(original, folder / "trimmed.mkv", size="320x240", bitrate="400k", trim_frames=4),
        "unrelated": make_clip(folder, "unrelated", SCENES_B),
    }


def _file(path: Path) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (path.name, path.read_bytes(), "video/mp4")}


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"hub": make_org(session, clock, "coordinator"), "a": make_org(session, clock)}


def test_video_banked_through_the_api_matches_its_copies(client: TestClient, orgs: dict[str, OrgHandle],
                                                          clips: dict[str, Path]) -> None:
    hub, a = orgs["hub"], orgs["a"]
    created = client.post("/v1/banks", json={"name": "videos", "visibility": "all"}, headers=hub.headers)
    assert created.status_code == 201, created.text
    added = client.post("/v1/banks/videos/entries", headers=hub.headers, files=_file(clips["original"]),
                        data={"labels": "glorification_of_terrorist_acts"})
    assert added.status_code == 201, added.text
    entries = {e["signal_type"]: e for e in added.json()["entries"]}
    assert set(entries) == {"md5", "sha256", "video_md5", "vpdq"}
    hashed = client.post("/v1/hashes", headers=a.headers, files=_file(clips["original"])).json()["signals"]
    assert {s["type"]: s["value"] for s in hashed}["vpdq"] == entries["vpdq"]["value"]

    for copy in ("smaller", "trimmed"):
        answer = client.post("/v1/match", headers=a.headers, files=_file(clips[copy]))
        assert answer.status_code == 200, answer.text
        [match] = answer.json()["matches"]
        assert (match["signal_type"], match["entry_id"], match["bank"]) == ("vpdq", entries["vpdq"]["id"], "videos")
        assert 0 <= match["distance"] <= 20, "distance: the share of the copy's frames without a match"
        assert 80 <= match["query_match_percent"] <= 100 and match["compared_match_percent"] > 0
        assert match["distance"] == 100 - int(match["query_match_percent"])
        assert match["labels"] == ["glorification_of_terrorist_acts"]
    assert client.post("/v1/match", headers=a.headers, files=_file(clips["unrelated"])).json()["matches"] == []
    by_value = client.post("/v1/match", headers=a.headers, json={"signals": [
        {"type": "vpdq", "value": entries["vpdq"]["value"]}]}).json()["matches"]
    assert [(m["signal_type"], m["distance"], m["query_match_percent"]) for m in by_value] == [("vpdq", 0, 100.0)]

    disabled = client.post(f"/v1/banks/videos/entries/{entries['vpdq']['id']}/disable", headers=hub.headers,
                           json={"reason": "test"})
    assert disabled.status_code == 200, disabled.text
    assert client.post("/v1/match", headers=a.headers, files=_file(clips["smaller"])).json()["matches"] == []


def test_corrupt_video_is_422(client: TestClient, orgs: dict[str, OrgHandle], clips: dict[str, Path]) -> None:
    hub = orgs["hub"]
    client.post("/v1/banks", json={"name": "videos"}, headers=hub.headers)
    blob = clips["original"].read_bytes()
    for path in ("/v1/match", "/v1/hashes", "/v1/banks/videos/entries"):
        answer = client.post(path, headers=hub.headers, files={"file": ("x.mp4", blob[: len(blob) // 3], "video/mp4")})
        assert answer.status_code == 422, (path, answer.text)
        assert "the MP4 video is truncated or corrupt" in answer.json()["detail"]


def test_video_banked_through_the_cli_matches_its_copies(banks_cli: CliRunner, tmp_path: Path,
                                                          clips: dict[str, Path]) -> None:
    assert banks_cli.invoke(cli_app, ["bank", "create", "videos", "--visibility", "all"]).exit_code == 0
    added = banks_cli.invoke(cli_app, ["bank", "add", "videos", str(clips["original"]), "--json"])
    assert added.exit_code == 0, added.output
    assert "vpdq" in added.output

    def match(*names: str) -> list[dict[str, object]]:
        run = banks_cli.invoke(cli_app, ["match", *(str(clips[n]) for n in names), "--org", "Host"])
        assert run.exit_code == 0, run.output
        return json_lines(run.output)

    smaller, unrelated = match("smaller", "unrelated")
    assert [m["signal_type"] for m in smaller["matches"]] == ["vpdq"]  # type: ignore[union-attr]
    assert unrelated["matches"] == []
    assert list((tmp_path / "index").glob("snapshot-*/vpdq.idx")), "the vPDQ index is in the snapshot"
    [trimmed] = match("trimmed")  # a second run starts from the snapshot the first one left
    assert [m["signal_type"] for m in trimmed["matches"]] == ["vpdq"]  # type: ignore[union-attr]

    broken = tmp_path / "broken.mp4"
    broken.write_bytes(clips["original"].read_bytes()[:5000])
    run = banks_cli.invoke(cli_app, ["match", str(broken), "--org", "Host"])
    assert run.exit_code == 2 and "truncated or corrupt" in run.output
