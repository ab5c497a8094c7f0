"""PROMISE_* environment variables."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "TIMEZONE", "HORIZON_DAYS", "AUTH", "BOOTSTRAP_KEY"):
        monkeypatch.delenv(f"PROMISE_{name}", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///./orderpromise.db"
    assert settings.timezone == "UTC"
    assert settings.horizon_days == 365
    assert settings.solver_time_limit_seconds == 10
    assert settings.solver_workers == 1
    assert settings.auth is True
    assert settings.bootstrap_key is None


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMISE_AUTH", "off")
    monkeypatch.setenv("PROMISE_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("PROMISE_HORIZON_DAYS", "90")
    monkeypatch.setenv("PROMISE_BOOTSTRAP_KEY", "s3cret")
    settings = Settings()
    assert settings.auth is False
    assert settings.zone.key == "Europe/Berlin"
    assert settings.horizon_days == 90
    assert settings.bootstrap_key is not None
    assert settings.bootstrap_key.get_secret_value() == "s3cret"


def test_unknown_time_zone_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMISE_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError):
        Settings()


def test_webhook_and_expiry_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().webhook_retry_seconds == (
        5,
        300,
        1800,
        7200,
        18000,
        36000,
        50400,
        72000,
        86400,
    )
    monkeypatch.setenv("PROMISE_WEBHOOK_RETRY_SECONDS", "0.5, 2,10")
    monkeypatch.setenv("PROMISE_WEBHOOKS_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("PROMISE_EXPIRY_SWEEP_SECONDS", "30")
    settings = Settings()
    assert settings.webhook_retry_seconds == (0.5, 2.0, 10.0)
    assert settings.webhooks_allow_private is True
    assert settings.expiry_sweep_seconds == 30


@pytest.mark.parametrize(
    ("name", "value"),
    [
        # A sweep every 31 s or more could announce an expiry later than 60 s after it.
        ("PROMISE_EXPIRY_SWEEP_SECONDS", "31"),
        ("PROMISE_WEBHOOK_RETRY_SECONDS", "5,-1"),
        ("PROMISE_WEBHOOK_RETRY_SECONDS", "5,soon"),
    ],
)
def test_bad_webhook_and_expiry_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()
