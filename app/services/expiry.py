"""Expiry (SPEC section 6): a hold past ``expires_at`` counts for nothing from that moment
(every query of what is reserved filters on it); the service itself marks it ``expired``, frees
its rows and announces ``promise.expired``, exactly once however many processes run.

Exactly once, because marking runs under the reservations lock and re-reads what is still
held: a second sweeper, or a hold, confirm or release (each marks what ran out first), waits for
the first to commit and then finds nothing left to mark. Each process sweeps every
PROMISE_EXPIRY_SWEEP_SECONDS (at most 30), so an expiry is announced within 60 s.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.db import promises as db
from app.db.locking import lock_reservations
from app.schemas.events import SYSTEM
from app.services.promise_events import record
from app.services.promise_risk import after_freeing
from app.settings import Settings

# Links of the chain of reservation changes kept (migration 0011): far more than a process
# walks between two readings; one that fell further behind sums the reservations again.
CHANGES_KEPT = 50_000


def prune_changes(session: Session) -> int:
    """Forget all but the newest links (the sweeper's own transaction); how many went."""
    return db.prune_reservation_changes(session, keep=CHANGES_KEPT)


def any_expired(session: Session, now: datetime) -> bool:
    """A cheap read, so that an idle sweeper never takes the lock."""
    return db.any_stale_holds(session, now)


def sweep(session: Session, settings: Settings, now: datetime) -> list[str]:
    """Take the reservations lock and mark what ran out (the sweeper's own transaction)."""
    lock_reservations(session)
    return expire_holds(session, settings, now)


def expire_holds(session: Session, settings: Settings, now: datetime) -> list[str]:
    """Mark every hold that ran out by ``now`` expired and announce it; the ids marked.

    The caller holds the reservations lock. What the holds gave back may clear promises at
    risk (announced by the re-evaluation).
    """
    expired = db.expire_stale_holds(session, now)
    for row in expired:
        announce_expiry(session, row, now)
    if expired:
        after_freeing(session, settings, now)
    return [row.id for row in expired]


def announce_expiry(session: Session, row: db.PromiseRow, now: datetime) -> None:
    """``promise.expired``, at the moment the hold ran out."""
    ran_out = db.as_utc(row.expires_at)
    record(
        session,
        row,
        "promise.expired",
        by=SYSTEM,
        detail=f"The hold ran out at {ran_out.isoformat()}; it takes nothing any more.",
        now=now,
        at=ran_out,
    )
