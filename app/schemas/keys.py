"""API keys over HTTP: create (the key is shown once), list (never the key), revoke."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

# SPEC section 3: admin (data and keys), crm (checks and promises), sales (checks),
# ops (read checks and promises).
Role = Literal["admin", "crm", "sales", "ops"]
ROLES: tuple[Role, ...] = ("admin", "crm", "sales", "ops")


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    name: Annotated[str, Strict(), Field(min_length=1, max_length=200)]


class KeyOut(BaseModel):
    """A key as listed: everything but the key itself."""

    id: str
    role: Role
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class KeyCreated(BaseModel):
    """The answer to creating a key: the only time the key is shown."""

    id: str
    key: str = Field(description="Send as `Authorization: Bearer <key>`; it is not shown again.")
    role: Role
    name: str
    created_at: dt.datetime


class KeyList(BaseModel):
    items: list[KeyOut]
