"""Does an answer found on an earlier snapshot of the reservations still stand? (Holds, issue 10.)

A hold solves its quote on a snapshot (reservations ``before``) without the reservations lock,
then takes the lock and reads what is reserved now (``now``, on the same planning data and
``as_of``). The snapshot's answer is reserved as it is only when it is provably the answer the
engine owes on the state of now (SPEC sections 2 and 7); otherwise the hold solves again.

It stands when, in order:

1. **Only additions.** Nothing the snapshot counted has gone: per item and day, per resource
   and day, and per customer, item and day, what is taken or delivered now is at least what
   the snapshot saw. Then free minutes, projected stock (so stock ATP) and allocation left can
   only be lower now, never higher: whatever is feasible now was feasible on the snapshot, so
   no earliest date can have moved earlier (a release, an expiry or a re-plan could allow an
   earlier one: solve again).
2. **The plans fit** on the state with everything reserved now (``app.solver.fit.misfits`` on
   all the quote's plans together, which implies each line's on the state the lines before it
   leave) **and the allocations cover them**: each line's quantity is within the allocation
   left on its promised day given the deliveries reserved now and the quote's earlier lines.
   So every line with a promised date can still be delivered on it.
3. **Every line's answer is exact**, each on the state the lines before it leave (unchanged,
   by induction, as their plans are reserved as they are):
   - an untouched line (``_untouched``: no stock added of an item of its tree unless that item
     is ample for it, no minutes added on a resource of its tree up to its promised date) whose
     allocation left is the same on every day sees, as far as its answer can tell, the state
     it was answered on: all of its answer stands (dates, quantities, constraints, options);
   - otherwise only a line feasible on its requested date with ``earliest_date`` equal to
     ``requested_date``: its earliest date cannot be earlier (1.) nor later (2.), so its
     promised date and its full quantity on the requested date stand, and a feasible line
     has no constraints and no options;
   - any other touched line may have changed: a feasible line with ``earliest_date`` before
     its requested date may now find its earliest date later (up to the requested date); a
     late line keeps its earliest date (1. and 2.) but its ``qty_on_requested_date`` may have
     dropped and its constraints and options changed; a line with no date keeps none, but its
     quantity and constraints may have changed. Solve again.

The stock taken by a line that stands is still exactly stock first: a take of
``min(qty, ATP_before)`` that fits now is at most ``ATP_now <= ATP_before``, so it equals
``min(qty, ATP_now)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import numpy as np

from app.solver.allocation import AllocationLimit
from app.solver.fit import misfits
from app.solver.lots import component_need
from app.solver.plant import Plant, Reservations
from app.solver.results import LineResult, QuoteResult
from app.solver.state import PlanningState
from app.solver.tree import items_and_resources

KeyT = TypeVar("KeyT", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Additions:
    """What was reserved since the snapshot: the items that more stock is taken of now, and per
    resource the first day more of its minutes are; ``gone`` names the first thing that less is
    taken or delivered of, if any. (Deliveries added are judged by the allocation left they
    leave, line by line.)"""

    items: frozenset[str]
    minutes_from: Mapping[str, date]
    gone: str | None = None


def additions(before: Reservations, now: Reservations) -> Additions:
    """Compare two readings of what is reserved, summed per key and day."""
    stock_less, stock_more = _compare(
        [((m.sku, m.date), m.qty) for m in before.stock],
        [((m.sku, m.date), m.qty) for m in now.stock],
    )
    minutes_less, minutes_more = _compare(
        [((u.resource, u.date), u.minutes) for u in before.capacity],
        [((u.resource, u.date), u.minutes) for u in now.capacity],
    )
    delivered_less, _ = _compare(
        [((d.customer, d.sku, d.date), d.qty) for d in before.deliveries],
        [((d.customer, d.sku, d.date), d.qty) for d in now.deliveries],
    )
    gone = None
    if stock_less:
        sku, day = stock_less[0]
        gone = f"less stock of {sku} is reserved on {day} than when the quote was solved"
    elif minutes_less:
        resource, day = minutes_less[0]
        gone = f"fewer minutes of {resource} are reserved on {day} than when the quote was solved"
    elif delivered_less:
        customer, sku, day = delivered_less[0]
        gone = f"less {sku} is delivered to {customer} on {day} than when the quote was solved"
    return Additions(
        items=frozenset(sku for sku, _ in stock_more),
        minutes_from=_first_days(minutes_more),
        gone=gone,
    )


def why_not_standing(
    now: PlanningState,
    before: Reservations,
    reserved_now: Reservations,
    quote: QuoteResult,
    customer: str | None,
) -> str | None:
    """None when ``quote``, answered on the planning state with ``before`` reserved, is exactly
    the answer on ``now`` (the same planning data and as_of, with ``reserved_now`` reserved);
    otherwise why it may not be (the reason to solve again)."""
    if quote.as_of != now.as_of:
        return f"day 0 is {now.as_of} now, the quote was solved for {quote.as_of}"
    added = additions(before, reserved_now)
    if added.gone is not None:
        return added.gone
    taken = Reservations(
        stock=tuple(move for line in quote.lines for move in line.plan.reservations().stock),
        capacity=tuple(use for line in quote.lines for use in line.plan.reservations().capacity),
    )
    misfit = misfits(now, taken)
    if misfit:
        return f"the plan no longer fits: {misfit[0]}"
    # The state each line sees now (the lines before it taken), and the (day, qty) that the
    # quote's lines so far deliver, per item, as the engine counts them.
    current = now
    delivered: dict[str, list[tuple[int, int]]] = {}
    for line in quote.lines:
        earlier = delivered.get(line.sku, ())
        limit_now = _limit(now, customer, line.sku, reserved_now, earlier)
        promised = None if line.promised_date is None else now.day_of(line.promised_date)
        if promised is not None and limit_now is not None and limit_now.on(promised) < line.qty:
            return f"line {line.line_ref}: the allocation of {line.sku} no longer covers it"
        limit_before = _limit(now, customer, line.sku, before, earlier)
        untouched = _untouched(current, line, added) and _same(limit_before, limit_now)
        if not untouched and not _exact_on_requested(line):
            return f"line {line.line_ref}: its answer may have changed with what was reserved since"
        if promised is not None:
            delivered.setdefault(line.sku, []).append((promised, line.qty))
        plan = line.plan.reservations()
        current = current.taking(plan.stock, plan.capacity)
    return None


def most_taken(plant: Plant, sku: str, qty: int) -> dict[str, int]:
    """The most stock a line of ``qty`` of ``sku`` could take of each item of its tree: the
    line's quantity of its own item, and of each component what lots of at most the parent's
    need take (rounded up), summed over its uses."""
    most: dict[str, int] = defaultdict(int)
    stack = [(sku, qty)]
    while stack:
        item, need = stack.pop()
        most[item] += need
        if plant.items[item].kind == "manufactured":
            stack.extend(
                (line.component, component_need(need, line.qty_per))
                for line in plant.bom.get(item, ())
            )
    return most


def _untouched(state: PlanningState, line: LineResult, added: Additions) -> bool:
    """Nothing was added that the line's answer reads, on ``state``, the state it sees now:

    - stock: of an item of its tree more may be taken now only if that item is **ample** for
      the line: its stock ATP on day 0 now covers the most the line could ever take of it (its
      quantity for the line's own item, the components' needs of lots of at most that, all the
      way down). ATP never falls with the day and was at least as high on the snapshot, so on
      both states every take of it is its whole need (stock first), it is never short, never
      binds and needs no purchase: the line's answer does not depend on how much more there
      is. (Any other addition of stock may change ATP on any earlier day.)
    - minutes: of a resource of its tree no more may be taken up to the last day whose minutes
      its answer depends on.
    """
    items, resources = items_and_resources(state.plant, line.sku)
    touched = items & added.items
    if touched:
        most = most_taken(state.plant, line.sku, line.qty)
        if any(state.stock_atp(sku, 0) < most[sku] for sku in touched):
            return False
    last = _last_day_read(line)
    for resource in resources:
        first = added.minutes_from.get(resource)
        if first is not None and (last is None or first <= last):
            return False
    return True


def _last_day_read(line: LineResult) -> date | None:
    """The last day whose free minutes the line's answer depends on; None for every day.

    Delivering on a day uses minutes of that day and earlier days only (SPEC section 2: the
    lot is ready when its last operation finishes). So the promised date (the plan, and
    feasibility on every day up to it: the earliest date) and the requested date before it
    (the quantity and the constraints there) read no minutes after the promised date. A line
    with no date read every day (none of them is feasible); so may one with options (a split's
    rest is dated wherever its own earliest date is).
    """
    if line.promised_date is None or line.options is not None:
        return None
    return max(line.promised_date, line.requested_date)


def _exact_on_requested(line: LineResult) -> bool:
    """Feasible on its requested date, which is its earliest date: nothing in it can change."""
    return line.feasible_on_requested_date and line.earliest_date == line.requested_date


def _limit(
    state: PlanningState,
    customer: str | None,
    sku: str,
    reserved: Reservations,
    earlier: Iterable[tuple[int, int]],
) -> AllocationLimit | None:
    return state.allocation_of(customer, sku, earlier=earlier, deliveries=reserved.deliveries)


def _same(a: AllocationLimit | None, b: AllocationLimit | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.array_equal(a.left, b.left))


def _first_days(keys: Iterable[tuple[str, date]]) -> dict[str, date]:
    first: dict[str, date] = {}
    for name, day in keys:
        first[name] = min(day, first.get(name, day))
    return first


def _compare(
    before: Iterable[tuple[KeyT, int]], now: Iterable[tuple[KeyT, int]]
) -> tuple[list[KeyT], list[KeyT]]:
    """The keys with less now, and those with more now (sums per key), in a stable order."""
    totals: dict[KeyT, int] = defaultdict(int)
    for key, qty in before:
        totals[key] -= qty
    for key, qty in now:
        totals[key] += qty
    less = sorted((key for key, diff in totals.items() if diff < 0), key=repr)
    more = sorted((key for key, diff in totals.items() if diff > 0), key=repr)
    return less, more
