"""Do the plans a quote was given on an earlier snapshot of the reservations still stand?
(Holds, issue 10.)

A hold plans its quote (each line's earliest day and the plan that meets its promised date,
``app.solver.engine.plan_quote``) on a snapshot (reservations ``before``) without the
reservations lock, then takes the lock and reads what is reserved now (``now``, on the same
planning data and ``as_of``). It reserves the snapshot's plans as they are only when they are
provably plans the engine may reserve on the state of now (SPEC sections 2 and 7), with the
same promised dates; otherwise it plans again under the lock. What the answer says besides
(a late line's quantity on the requested day, what binds, options, a feasible line's earliest
date) is found afterwards on the state of now (``PlannedQuote.on``, ``explain_quote``).

They stand when:

1. **Only additions.** Nothing the snapshot counted has gone: per item and day, per resource
   and day, and per customer, item and day, what is taken or delivered now is at least what
   the snapshot saw. Then free minutes, projected stock (so stock ATP) and allocation left can
   only be lower now, never higher: whatever is feasible now was feasible on the snapshot, so
   no earliest date can have moved earlier (a release, an expiry or a re-plan could allow an
   earlier one: plan again).
2. **The plans fit** on the state with everything reserved now (``app.solver.fit.misfits`` on
   all the quote's plans together, which implies each line's on the state the lines before it
   leave) **and the allocations cover them**: each line's quantity is within the allocation
   left on its promised day given the deliveries reserved now and the quote's earlier lines.

Then, line by line (by induction, the lines before it reserve what they reserved on the
snapshot):

- every promised date stands: a late line's earliest date cannot be earlier (1.) nor later
  (2.: its plan delivers on it); a feasible line is still feasible on its requested date (2.);
  a line with no date still has none (1.);
- the plan is one the engine may reserve: valid (2.) and, for a chain with bought or stocked
  components, still the one as-late-as-possible plan: working backward from the promised day,
  the snapshot's plan took on each day the lesser of what was left to do and the free minutes;
  where fewer are free now, it fits, so it took what was left to do, as the latest plan on the
  state of now does (SPEC section 2: other structures may take any feasible plan);
- the stock taken is still exactly stock first: a take of ``min(qty, ATP_before)`` that fits
  now is at most ``ATP_now <= ATP_before``, so it equals ``min(qty, ATP_now)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import TypeVar

from app.solver.allocation import AllocationLimit
from app.solver.fit import misfits
from app.solver.plant import Reservations
from app.solver.results import QuoteResult
from app.solver.state import PlanningState

KeyT = TypeVar("KeyT", bound=Hashable)


def gone(before: Reservations, now: Reservations) -> str | None:
    """The first thing that less is taken or delivered of ``now`` than ``before`` (summed per
    key and day), in words; None when ``now`` only adds to ``before``."""
    stock_less = _less(
        [((m.sku, m.date), m.qty) for m in before.stock],
        [((m.sku, m.date), m.qty) for m in now.stock],
    )
    if stock_less:
        sku, day = stock_less[0]
        return f"less stock of {sku} is reserved on {day} than when the quote was planned"
    minutes_less = _less(
        [((u.resource, u.date), u.minutes) for u in before.capacity],
        [((u.resource, u.date), u.minutes) for u in now.capacity],
    )
    if minutes_less:
        resource, day = minutes_less[0]
        return f"fewer minutes of {resource} are reserved on {day} than when the quote was planned"
    delivered_less = _less(
        [((d.customer, d.sku, d.date), d.qty) for d in before.deliveries],
        [((d.customer, d.sku, d.date), d.qty) for d in now.deliveries],
    )
    if delivered_less:
        customer, sku, day = delivered_less[0]
        return f"less {sku} is delivered to {customer} on {day} than when the quote was planned"
    return None


def why_not_standing(
    now: PlanningState,
    before: Reservations,
    reserved_now: Reservations,
    planned: QuoteResult,
    customer: str | None,
) -> str | None:
    """None when the dates and plans of ``planned`` (``PlannedQuote.plans``), planned on the
    planning state with ``before`` reserved, stand on ``now`` (the same planning data and
    as_of, with ``reserved_now`` reserved); otherwise why they may not (the reason to plan
    again)."""
    if planned.as_of != now.as_of:
        return f"day 0 is {now.as_of} now, the quote was planned for {planned.as_of}"
    went = gone(before, reserved_now)
    if went is not None:
        return went
    taken = Reservations(
        stock=tuple(move for line in planned.lines for move in line.plan.reservations().stock),
        capacity=tuple(use for line in planned.lines for use in line.plan.reservations().capacity),
    )
    misfit = misfits(now, taken)
    if misfit:
        return f"the plan no longer fits: {misfit[0]}"
    # The (day, qty) that the quote's lines so far deliver, per item, as the engine counts them.
    delivered: dict[str, list[tuple[int, int]]] = {}
    for line in planned.lines:
        if line.promised_date is None:
            continue
        promised = now.day_of(line.promised_date)
        limit = _limit(now, customer, line.sku, reserved_now, delivered.get(line.sku, ()))
        if limit is not None and limit.on(promised) < line.qty:
            return f"line {line.line_ref}: the allocation of {line.sku} no longer covers it"
        delivered.setdefault(line.sku, []).append((promised, line.qty))
    return None


def _limit(
    state: PlanningState,
    customer: str | None,
    sku: str,
    reserved: Reservations,
    earlier: Iterable[tuple[int, int]],
) -> AllocationLimit | None:
    return state.allocation_of(customer, sku, earlier=earlier, deliveries=reserved.deliveries)


def _less(before: Iterable[tuple[KeyT, int]], now: Iterable[tuple[KeyT, int]]) -> list[KeyT]:
    """The keys with less now (sums per key), in a stable order."""
    totals: dict[KeyT, int] = defaultdict(int)
    for key, qty in before:
        totals[key] -= qty
    for key, qty in now:
        totals[key] += qty
    return sorted((key for key, diff in totals.items() if diff < 0), key=repr)
