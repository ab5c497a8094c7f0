"""Stored checks for ops and sales: filter, newest first, in pages (SPEC section 3).

The cursor is opaque to clients: the (created_at, id) of the last check of a page. Pages are
keyset pages, so checks stored while a client pages through never shift or repeat a page: they
are newer than the cursor and show up only on a fresh first page.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.orm import Session

from app.db.checks import CheckFilter, find_checks
from app.db.promises import as_utc
from app.errors import FieldError, Invalid
from app.schemas.check import CheckList, CheckResult
from app.settings import Settings

Outcome = Literal["feasible", "rejected", "counter_proposal"]


def list_checks(
    session: Session,
    settings: Settings,
    *,
    outcome: Outcome | None = None,
    sku: str | None = None,
    customer: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> CheckList:
    """``since`` is inclusive, ``until`` exclusive; times without a zone are in PROMISE_TIMEZONE.

    outcome=rejected: not feasible on the requested date (status counter_proposal or infeasible).
    """
    where = CheckFilter(
        status=outcome if outcome in ("feasible", "counter_proposal") else None,
        rejected=outcome == "rejected",
        sku=sku,
        customer=customer,
        since=_utc(since, settings),
        until=_utc(until, settings),
    )
    after = decode_cursor(cursor) if cursor is not None else None
    rows = find_checks(session, where, after=after, limit=limit + 1)
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].created_at, page[-1].id) if len(rows) > limit else None
    return CheckList(
        items=[CheckResult.model_validate(row.result) for row in page], next_cursor=next_cursor
    )


def encode_cursor(created_at: datetime, check_id: str) -> str:
    raw = json.dumps([as_utc(created_at).isoformat(), check_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, check_id = json.loads(raw)
        moment = datetime.fromisoformat(created_at)
        if not isinstance(check_id, str) or moment.tzinfo is None:
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise Invalid(
            "the cursor is not one this service gave out",
            [FieldError("/query/cursor", "malformed cursor: pass next_cursor of a page as is")],
        ) from exc
    return moment.astimezone(UTC), check_id


def _utc(moment: datetime | None, settings: Settings) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.zone)
    return moment.astimezone(UTC)
