from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from accord.settings import Settings

DOCS = Path(__file__).parents[2] / "docs" / "settings.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text()
    documented = set(re.findall(r"^\| `ACCORD_([A-Z0-9_]+)`", text, flags=re.MULTILINE))
    expected = {name.upper() for name in Settings.model_fields}
    assert expected - documented == set(), "settings missing from docs/settings.md"
    assert documented - expected == set(), "docs/settings.md documents settings that do not exist"


def test_every_setting_has_a_description() -> None:
    assert [n for n, f in Settings.model_fields.items() if not f.description] == []


@pytest.mark.parametrize("secret", ["change-me", "dev-secret-not-for-production", "short"])
def test_production_refuses_placeholder_secrets(secret: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(mode="production", secret_key=secret, preservation_key="p" * 40)


def test_production_accepts_real_secrets() -> None:
    settings = Settings(mode="production", secret_key="s" * 40, preservation_key="p" * 40)
    assert settings.cookie_secure is True


def test_dev_mode_allows_the_placeholder_and_plain_cookies() -> None:
    assert Settings(mode="dev").cookie_secure is False


def test_environment_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_PORT", "9100")
    assert Settings().port == 9100
