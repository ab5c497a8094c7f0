"""What live promises reserve, cached in process memory per database and reservations version.

Summing the live reservations costs a check or a hold three grouped queries over every row
live promises reserve (7 ms after 100 holds, growing with the book), and every hold reads them
twice. The database renews a version token in the transaction of every change to what promises
take (triggers, migration 0009), so a process reuses its sums while the token it reads is the
one they were read under and no hold they count has run out since:

- the token is read before the sums: under READ COMMITTED a change committed in between makes
  the sums newer than their token, never older, and such an entry is only ever found by a
  reader that read the token before that change committed (so it sees a committed state, only
  a newer one). Under the reservations lock nothing commits, so there the sums are exactly the
  state the token names: a hold never reserves on stale sums;
- a hold counts until its ``expires_at``: the sums stand from the moment they were read until
  the first hold they count runs out (a clock that goes back reads them again);
- a token is random, so sums read inside a transaction that changed what is reserved (its own
  renewal, visible to it before it commits) are kept under a token that no other transaction
  sees unless that one commits as it was read; rolled back, its token is never drawn again.

When the token changed, the process walks the links from its token to the new one
(migration 0011: each renewal records the token before it and what it added) and adds what
they added to its sums, rather than summing every reserved row again: after a hold, the next
reader reads the hold's rows only, and the planning cache takes them on the state it kept
(``lineage``). A link that did anything but add (a release, an expiry, a re-plan), a chain
that is not all there (pruned), or a hold that ran out since the sums were read, and they are
summed again from the rows. The walk stops at the token read first, so the sums are those of
that token, as above.

Only the newest entry per database is kept: a change makes every older one useless.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.db import promises as db
from app.solver.plant import Reservations


@dataclass(frozen=True, slots=True)
class _Entry:
    token: str
    read_at: datetime
    # When the first hold counted runs out; None when no hold counts (confirmed ones only).
    until: datetime | None
    reservations: Reservations
    # Made from the sums ``parent`` with ``added`` (what the links since added).
    parent: Reservations | None = None
    added: Reservations | None = None

    def in_time(self, now: datetime) -> bool:
        """No hold counted has run out since the sums were read (and the clock went on)."""
        return self.read_at <= now and (self.until is None or now < self.until)

    def stands(self, token: str, now: datetime) -> bool:
        return token == self.token and self.in_time(now)


class ReservationsCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def live(self, session: Session, database: str, now: datetime) -> Reservations:
        """Everything held (unexpired) and confirmed promises take at ``now``: the sums read
        under the current token, else read now."""
        with self._lock:
            entry = self._entries.get(database)
        fresh = None
        if entry is not None and entry.in_time(now):
            # The token, the links since ours and the first expiry, in one statement.
            since = db.reservations_since(session, entry.token, now)
            token = since.token
            if token == entry.token:
                return entry.reservations
            if since.added is not None:
                fresh = _Entry(
                    token,
                    now,
                    since.first_expiry,
                    _plus(entry.reservations, since.added),
                    parent=entry.reservations,
                    added=since.added,
                )
        else:
            token = db.reservations_version(session)
        if fresh is None:
            reservations = db.live_reservations(session, now)
            fresh = _Entry(token, now, db.first_expiry_after(session, now), reservations)
        with self._lock:
            self._entries[database] = fresh
        return fresh.reservations

    def lineage(
        self, database: str, reservations: Reservations
    ) -> tuple[Reservations, Reservations] | None:
        """(the sums ``reservations`` were made from, what was added to them), if they were
        made so (the newest entry only)."""
        with self._lock:
            entry = self._entries.get(database)
        if entry is None or entry.reservations is not reservations or entry.parent is None:
            return None
        assert entry.added is not None  # noqa: S101  (set with parent)
        return entry.parent, entry.added

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _plus(sums: Reservations, added: Reservations) -> Reservations:
    """The sums with what was added (appended: every reader sums per key and day)."""
    return Reservations(
        sums.stock + added.stock,
        sums.capacity + added.capacity,
        sums.deliveries + added.deliveries,
    )


reservations_cache = ReservationsCache()
