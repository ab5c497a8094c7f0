"""Outcomes of a use case that are not errors: they commit, and the edge shapes the answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.schemas.check import CheckResult


@dataclass(frozen=True, slots=True)
class Refusal:
    """A quote that cannot be held or confirmed. Not raised: the check it was refused on is
    stored and kept, and an Idempotency-Key replays the refusal."""

    detail: str
    check: CheckResult


@dataclass(frozen=True, slots=True)
class StoredCheck:
    """A check as stored, with the JSON it was stored as (``result.model_dump(mode="json")``):
    the answer is that same JSON, so it is dumped once, not again for the answer."""

    result: CheckResult
    body: dict[str, Any]
