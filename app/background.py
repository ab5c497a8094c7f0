"""The service's own background work, in every server process (no daemon to run besides):

- the webhook relay sends the deliveries that are due (app.services.webhooks);
- the expiry sweeper marks holds past ``expires_at`` expired and announces them
  (app.services.expiry).

Both run as asyncio tasks started by the app's lifespan. Their database work runs in threads,
each step one short transaction opened and committed here (as ``get_session`` does for a
request); the services they call never commit. Several processes may run them at once: a
delivery attempt is claimed by one process only, and expiry runs under the reservations lock,
so each attempt is sent once and each expiry announced once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial

import anyio.to_thread
import httpx
from sqlalchemy.orm import Session, sessionmaker

from app.clock import Clock
from app.db.engine import transaction
from app.metrics import BACKGROUND_PASSES, WEBHOOK_ATTEMPTS
from app.services import expiry
from app.services.webhook_signing import headers
from app.services.webhook_targets import target_refusal
from app.services.webhooks import (
    DELIVERY_TIMEOUT_SECONDS,
    Attempt,
    Outcome,
    any_due,
    claim_attempts,
    record_outcome,
)
from app.settings import Settings

log = logging.getLogger(__name__)

# Attempts one relay pass sends at once.
RELAY_BATCH = 20
USER_AGENT = "orderpromise-webhooks/1"


class Relay:
    """Sends the due webhook deliveries: claim, send, record."""

    def __init__(
        self, factory: sessionmaker[Session], settings: Settings, clock: Callable[[], Clock]
    ) -> None:
        self.factory = factory
        self.settings = settings
        # Read at every pass: tests replace the app's clock after it is made.
        self.clock = clock
        self.client = httpx.AsyncClient(follow_redirects=False, trust_env=False)

    async def run_once(self) -> int:
        """One pass: the number of attempts sent."""
        attempts = await anyio.to_thread.run_sync(self._claim)
        if attempts:
            # Endpoints at once; each endpoint's deliveries one after another, in event order.
            per_endpoint: dict[str, list[Attempt]] = {}
            for attempt in attempts:
                per_endpoint.setdefault(attempt.endpoint_id, []).append(attempt)
            sent = await asyncio.gather(*(self._send_in_order(a) for a in per_endpoint.values()))
            results = [result for batch in sent for result in batch]
            await anyio.to_thread.run_sync(partial(self._record, results))
        BACKGROUND_PASSES.labels("relay").inc()
        return len(attempts)

    async def close(self) -> None:
        await self.client.aclose()

    def _claim(self) -> list[Attempt]:
        now = self.clock()()
        with transaction(self.factory, write=False) as session:
            if not any_due(session, now):
                return []
        with transaction(self.factory, write=True) as session:
            return claim_attempts(session, now, limit=RELAY_BATCH)

    async def _send_in_order(self, attempts: list[Attempt]) -> list[tuple[Attempt, Outcome]]:
        return [(attempt, await self._send(attempt)) for attempt in attempts]

    async def _send(self, attempt: Attempt) -> Outcome:
        refusal = await anyio.to_thread.run_sync(
            partial(target_refusal, attempt.url, allow_private=self.settings.webhooks_allow_private)
        )
        if refusal is not None:
            return Outcome(error=f"not sent: {refusal}")
        timestamp = int(self.clock()().timestamp())
        sent = headers(attempt.secret, attempt.event_id, timestamp, attempt.body) | {
            "user-agent": USER_AGENT,
            # Not part of Standard Webhooks: which attempt this is, for the receiver's logs.
            "webhook-attempt": str(attempt.number),
        }
        try:
            async with asyncio.timeout(DELIVERY_TIMEOUT_SECONDS):
                request = self.client.stream(
                    "POST", attempt.url, content=attempt.body.encode(), headers=sent
                )
                async with request as response:
                    code = response.status_code
        except TimeoutError:
            return Outcome(error=f"no answer within {DELIVERY_TIMEOUT_SECONDS:g} s")
        except httpx.HTTPError as exc:
            return Outcome(error=f"{type(exc).__name__}: {exc}".rstrip(": "))
        return Outcome(status_code=code, error=None if 200 <= code < 300 else f"HTTP {code}")

    def _record(self, results: list[tuple[Attempt, Outcome]]) -> None:
        now = self.clock()()
        with transaction(self.factory, write=True) as session:
            for attempt, outcome in results:
                record_outcome(session, self.settings, attempt, outcome, now)
        for _, outcome in results:
            kind = "gone" if outcome.status_code == 410 else None
            WEBHOOK_ATTEMPTS.labels(kind or ("delivered" if outcome.delivered else "failed")).inc()


class Sweeper:
    """Marks the holds whose time ran out as expired, and announces them; forgets the oldest
    links of the chain of reservation changes."""

    def __init__(
        self, factory: sessionmaker[Session], settings: Settings, clock: Callable[[], Clock]
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.clock = clock

    async def run_once(self) -> int:
        """One pass: the number of holds marked expired."""
        count = await anyio.to_thread.run_sync(self._sweep)
        BACKGROUND_PASSES.labels("expiry").inc()
        return count

    def _sweep(self) -> int:
        now = self.clock()()
        with transaction(self.factory, write=True) as session:
            expiry.prune_changes(session)
        with transaction(self.factory, write=False) as session:
            if not expiry.any_expired(session, now):
                return 0
        with transaction(self.factory, write=True) as session:
            return len(expiry.sweep(session, self.settings, now))


@asynccontextmanager
async def background_work(
    factory: sessionmaker[Session], settings: Settings, clock: Callable[[], Clock]
) -> AsyncIterator[tuple[Relay, Sweeper]]:
    """Run the background work while the block runs, each task every its interval (an interval
    of 0 leaves it to the caller's ``run_once``)."""
    relay = Relay(factory, settings, clock)
    sweeper = Sweeper(factory, settings, clock)
    tasks = [
        asyncio.create_task(_every(interval, run_once, name))
        for name, interval, run_once in (
            ("webhook relay", settings.webhook_poll_seconds, relay.run_once),
            ("expiry sweeper", settings.expiry_sweep_seconds, sweeper.run_once),
        )
        if interval > 0
    ]
    try:
        yield relay, sweeper
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await relay.close()


async def _every(interval: float, step: Callable[[], Awaitable[int]], name: str) -> None:
    failing = False
    while True:
        try:
            await step()
        # The loop outlives any failure (a database restart, a schema not migrated yet): it says
        # so once, in one line, and again when it works again; no traceback every pass.
        except Exception as exc:  # noqa: BLE001
            if not failing:
                reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
                log.warning(
                    "%s: a pass failed (%s); trying again every %.1f s", name, reason, interval
                )
            failing = True
        else:
            if failing:
                log.info("%s: working again", name)
            failing = False
        await asyncio.sleep(interval)
