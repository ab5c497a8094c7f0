"""Configuration: one object, read from PROMISE_* environment variables."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROMISE_", extra="ignore", frozen=True)

    database_url: str = "sqlite:///./orderpromise.db"
    timezone: str = "UTC"
    horizon_days: int = Field(default=365, ge=1, le=3650)
    solver_time_limit_seconds: float = Field(default=10.0, gt=0)
    solver_workers: int = Field(default=1, ge=1)
    # Accepts on/off, true/false, 1/0. Stored only for now: authentication comes later.
    auth: bool = True
    bootstrap_key: SecretStr | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"unknown time zone {value!r}"
            raise ValueError(msg) from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
