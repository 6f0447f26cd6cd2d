"""The console's training mode through its forms: a set, a written golden case, the rule, a blind decision then
the reference; the live console refuses a new reviewer's next case and sends them to training."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.cases import service
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import PASSWORD, TEST_ACTOR, OrgHandle, make_org
from tests.helpers import ui_login


def _login(client: TestClient, handle: OrgHandle) -> str:
    assert ui_login(client, handle.email, PASSWORD, follow_redirects=False).status_code == 303
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ui/training").text)
    assert match is not None
    return match.group(1)


def test_training_mode_decide_then_read_the_reference(client: TestClient, factory: sessionmaker[Session],
                                                      clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        video = make_org(session, clock, "provider")
        service.open_case_from_match(session, clock, TEST_ACTOR, provider_id=video.id, signal_type="md5",
                                     value="e" * 32)
    csrf = _login(client, video)
    made = client.post("/ui/training/sets", data={"csrf_token": csrf, "name": "ours"}, follow_redirects=False)
    assert made.status_code == 303
    set_url = made.headers["location"]
    added = client.post(f"{set_url}/cases", follow_redirects=False, data={
        "csrf_token": csrf, "title": "Recruitment poster", "facts": "Calls on readers to join a listed group.",
        "media_url": "data:image/png;base64,iVBORw0KGgo=", "reference_action": "remove",
        "reference_ground": "TCO Art. 2(7)(c)", "reference_reasons": "Solicits participation in a terrorist group."})
    assert added.status_code == 303
    case_url = re.findall(r'href="(/ui/training/sets/[^"]+/cases/[^"]+)"', client.get(set_url).text)[0]
    saved = client.post("/ui/training/rule", follow_redirects=False,
                        data={"csrf_token": csrf, "required": "on", "cases": "1", "min_accuracy": "1"})
    assert saved.status_code == 303
    # The admin never claimed a live case before the rule: a new reviewer, sent to training.
    held = client.post("/ui/cases/next", data={"csrf_token": csrf}, follow_redirects=False)
    assert held.status_code == 303 and held.headers["location"].startswith("/ui/training?note=pass%20the%20calibration")
    page = client.get(case_url).text
    assert "Training mode" in page and "media blurred" in page and "Solicits participation" not in page
    answered = client.post(f"{case_url}/answer", data={"csrf_token": csrf, "action": "remove"},
                           follow_redirects=False)
    assert answered.status_code == 303 and "?answer=" in answered.headers["location"]
    feedback = client.get(answered.headers["location"]).text
    assert "matches the reference" in feedback and "Solicits participation in a terrorist group." in feedback
    assert "passed" in feedback
    taken = client.post("/ui/cases/next", data={"csrf_token": csrf}, follow_redirects=False)
    assert taken.status_code == 303 and taken.headers["location"].startswith("/ui/cases/")


def test_another_organisations_answer_id_shows_no_reference(client: TestClient, factory: sessionmaker[Session],
                                                            clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        video = make_org(session, clock, "provider")
    csrf = _login(client, video)
    set_url = client.post("/ui/training/sets", data={"csrf_token": csrf, "name": "ours"},
                          follow_redirects=False).headers["location"]
    client.post(f"{set_url}/cases", data={"csrf_token": csrf, "title": "t", "facts": "f", "reference_action": "remove",
                                          "reference_ground": "g", "reference_reasons": "the secret reasons"})
    case_url = re.findall(r'href="(/ui/training/sets/[^"]+/cases/[^"]+)"', client.get(set_url).text)[0]
    assert "the secret reasons" not in client.get(f"{case_url}?answer=tans_forged").text
