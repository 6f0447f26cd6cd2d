"""Review settings and wellness: safe defaults, per-reviewer overrides, no zero verification share."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accord.cases import config
from accord.db import unit_of_work
from accord.errors import InvalidInput
from tests.unit.cases.conftest import Provider


def test_wellness_defaults_blur_greyscale_and_mute(provider: Provider) -> None:
    settings = config.wellness(provider.session, provider.id, "member:x")
    assert settings["blur"] is True
    assert settings["greyscale"] is True
    assert settings["mute_video"] is True
    assert settings["graphic_soft_cap"] == config.DEFAULTS["graphic_soft_cap"]
    assert config.review_settings(provider.session, provider.id)["rereview_share"] == 0.10


def test_reviewer_overrides_beat_organisation_defaults(provider: Provider) -> None:
    p = provider
    config.update_review_settings(p.session, p.clock, p.admin.actor, p.id, {"graphic_soft_cap": 10})
    config.set_reviewer_preferences(p.session, p.clock, p.admin.actor, p.id, "member:a", {"greyscale": False})
    mine = config.wellness(p.session, p.id, "member:a")
    other = config.wellness(p.session, p.id, "member:b")
    assert (mine["greyscale"], mine["graphic_soft_cap"]) == (False, 10)
    assert (other["greyscale"], other["graphic_soft_cap"]) == (True, 10)


@pytest.mark.parametrize("changes", [{"automated_verify_share": 0}, {"automated_verify_share": 0.0},
                                     {"rereview_share": 1.5}, {"nonsense": 1}, {"blur": "no"},
                                     {"breach_risk_minutes": 10**20}, {"strike_window_days": 100_001}])
def test_invalid_settings_are_refused(provider: Provider, changes: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        config.update_review_settings(provider.session, provider.clock, provider.admin.actor, provider.id, changes)


def test_only_wellness_keys_are_personal(provider: Provider) -> None:
    with pytest.raises(InvalidInput):
        config.set_reviewer_preferences(provider.session, provider.clock, provider.admin.actor, provider.id,
                                        "member:a", {"rereview_share": 0.5})


@pytest.mark.committing  # other connections read what it committed
def test_settings_read_once_per_transaction_yet_never_stale(provider: Provider,
                                                            factory: sessionmaker[Session]) -> None:
    """Settings are read once per transaction (next and decide consult them several times); a change made in
    the transaction is seen at once, and one committed elsewhere is seen by the next transaction."""
    p = provider
    p.session.commit()
    with factory() as reader:
        assert config.review_settings(reader, p.id)["claim_idle_minutes"] == 10
        assert config.wellness(reader, p.id, "member:a")["graphic_soft_cap"] == 25
        with unit_of_work(factory) as writer:
            config.update_review_settings(writer, p.clock, p.admin.actor, p.id,
                                          {"claim_idle_minutes": 3, "graphic_soft_cap": 4})
        assert config.review_settings(reader, p.id)["claim_idle_minutes"] == 10  # same transaction: as read
        reader.rollback()
        assert config.wellness(reader, p.id, "member:a")["graphic_soft_cap"] == 4
        assert config.review_settings(reader, p.id)["claim_idle_minutes"] == 3
        config.update_review_settings(reader, p.clock, p.admin.actor, p.id, {"claim_idle_minutes": 7})
        assert config.review_settings(reader, p.id)["claim_idle_minutes"] == 7
