"""Configuration: one object, read from PROMISE_* environment variables."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# SPEC section 6: retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h.
DEFAULT_WEBHOOK_RETRY_SECONDS = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROMISE_", extra="ignore", frozen=True)

    database_url: str = "sqlite:///./orderpromise.db"
    timezone: str = "UTC"
    horizon_days: int = Field(default=365, ge=1, le=3650)
    solver_time_limit_seconds: float = Field(default=10.0, gt=0)
    solver_workers: int = Field(default=1, ge=1)
    # Request threads of a process that compute answers at once (app.services.engine_slots):
    # one GIL computes no faster with more, and the others wait on it.
    engine_threads: int = Field(default=1, ge=1, le=64)
    # Accepts on/off, true/false, 1/0. Stored only for now: authentication comes later.
    auth: bool = True
    bootstrap_key: SecretStr | None = None
    # Webhooks (SPEC section 6). The waits before each retry, comma-separated in the environment.
    webhook_retry_seconds: Annotated[tuple[float, ...], NoDecode] = DEFAULT_WEBHOOK_RETRY_SECONDS
    # Receivers on loopback, private or link-local addresses (tests, on-premise receivers).
    webhooks_allow_private: bool = False
    # How often each process looks for deliveries that are due; 0 turns its relay off.
    webhook_poll_seconds: float = Field(default=1.0, ge=0)
    # How often each process marks expired holds; at most 30 s, so that an expiry is announced
    # within 60 s of it; 0 turns the sweeper off in this process.
    expiry_sweep_seconds: float = Field(default=10.0, ge=0, le=30)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"unknown time zone {value!r}"
            raise ValueError(msg) from exc
        return value

    @field_validator("webhook_retry_seconds", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("webhook_retry_seconds")
    @classmethod
    def _non_negative(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(wait < 0 for wait in value):
            msg = "retry waits are seconds >= 0"
            raise ValueError(msg)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
