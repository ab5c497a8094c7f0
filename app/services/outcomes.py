"""Outcomes of a use case that are not errors: they commit, and the edge shapes the answer."""

from __future__ import annotations

from dataclasses import dataclass

from app.schemas.check import CheckResult


@dataclass(frozen=True, slots=True)
class Refusal:
    """A quote that cannot be held or confirmed. Not raised: the check it was refused on is
    stored and kept, and an Idempotency-Key replays the refusal."""

    detail: str
    check: CheckResult
