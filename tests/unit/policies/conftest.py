"""Policy bodies shared by the policy tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

BODY: dict[str, Any] = {
    "rules": [
        {"category": "incitement", "action": "remove", "clause_ref": "4.1", "text": "No incitement."},
        {"category": "glorification", "action": "review", "clause_ref": "4.7", "text": "We review praise."},
        {"category": "instruction", "action": "remove", "clause_ref": "4.4", "text": "No weapons manuals."},
    ],
    "exemptions": [{"purpose": "journalistic", "text": "News reporting is allowed."}],
    "overlays": [
        {"jurisdiction": "EU", "category": "glorification", "action": "disable",
         "legal_ref": "Regulation (EU) 2021/784, Art. 3(3)"},
        {"jurisdiction": "DE", "category": "glorification", "action": "disable", "legal_ref": "StGB § 140",
         "text": "Approving of attacks is an offence in Germany."},
    ],
    "automation": [],
}


@pytest.fixture
def body() -> dict[str, Any]:
    return copy.deepcopy(BODY)
