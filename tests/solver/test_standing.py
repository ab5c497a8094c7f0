"""``why_not_standing``: snapshot plans it keeps give the answer a fresh check gives.

Random multi-level plants: a quote A is planned on the snapshot (nothing reserved), then a hold
B (another line of the plant) or any stock and minutes are reserved, as if committed before A
took the lock. Whenever the rule keeps A's snapshot plans, they must fit on the state with B
reserved, and A explained there with them (``PlannedQuote.on``, ``explain_quote``) must answer
each line, field by field (SPEC sections 2 and 5), as the engine answers that line alone on
the state with B and A's lines before it reserved.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.solver.allocation import Delivery
from app.solver.engine import SolverSettings, check_quote, explain_quote, plan_quote
from app.solver.fit import misfits
from app.solver.plant import CapacityUse, Plant, Reservations, StockMove
from app.solver.results import LineRequest, LineResult, QuoteResult
from app.solver.standing import why_not_standing
from app.solver.state import PlanningState
from tests.solver.strategies import AS_OF, multi_level_plants

HORIZON = 10
DETERMINISTIC = SolverSettings(time_limit_seconds=30, workers=1, random_seed=7)


def lines(draw: st.DrawFn, plant: Plant, ref: str, most: int) -> list[LineRequest]:
    count = draw(st.integers(1, most))
    return [
        LineRequest(
            f"{ref}{i}",
            draw(st.sampled_from(sorted(plant.items))),
            draw(st.integers(1, 5)),
            AS_OF + timedelta(days=draw(st.integers(0, HORIZON - 1))),
        )
        for i in range(count)
    ]


@st.composite
def additions(draw: st.DrawFn, plant: Plant) -> Reservations:
    """Stock and minutes taken on any days of the horizon, a little at a time."""
    days = st.integers(0, HORIZON - 1).map(lambda d: AS_OF + timedelta(days=d))
    stock = draw(
        st.lists(
            st.builds(StockMove, st.sampled_from(sorted(plant.items)), st.integers(1, 3), days),
            max_size=2,
        )
    )
    capacity = draw(
        st.lists(
            st.builds(
                CapacityUse,
                st.sampled_from(sorted(plant.resources)),
                days,
                st.sampled_from([15, 30, 60]),
            ),
            max_size=3,
        )
    )
    return Reservations(tuple(stock), tuple(capacity))


def reserved_by(quote: QuoteResult, customer: str) -> Reservations:
    stock, capacity, deliveries = [], [], []
    for line in quote.lines:
        taken = line.plan.reservations()
        stock += taken.stock
        capacity += taken.capacity
        if line.promised_date is not None:
            deliveries.append(Delivery(customer, line.sku, line.qty, line.promised_date))
    return Reservations(tuple(stock), tuple(capacity), tuple(deliveries))


def without(fields: tuple[object, ...], at: int) -> tuple[object, ...]:
    """``fields`` without the one at ``at``."""
    return fields[:at] + fields[at + 1 :]


def answer(line: LineResult) -> tuple[object, ...]:
    """Everything SPEC sections 2 and 5 say of a line (not the method, nor which of several
    equally valid plans)."""
    return (
        line.earliest_date,
        line.promised_date,
        line.delivery_date,
        line.feasible_on_requested_date,
        line.qty_on_requested_date,
        line.constraints,
    )


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plant=multi_level_plants(horizon=HORIZON), data=st.data())
def test_kept_snapshot_plans_give_the_fresh_answer(plant: Plant, data: st.DataObject) -> None:
    base = PlanningState.build(plant, AS_OF, HORIZON)
    quote_a = lines(data.draw, plant, "a", 2)
    ship_complete = data.draw(st.booleans())
    snapshot = plan_quote(base, quote_a, ship_complete, DETERMINISTIC)
    if data.draw(st.booleans()):
        reserved = data.draw(additions(plant))  # anything taken meanwhile
    else:
        hold_b = check_quote(
            base, lines(data.draw, plant, "b", 1), ship_complete=False, settings=DETERMINISTIC
        )
        reserved = reserved_by(hold_b, "B")  # a hold meanwhile (nothing if refused)
    now = base.with_reservations(reserved)
    planned = snapshot.plans()
    why = why_not_standing(now, Reservations(), reserved, planned, None)
    event("stands" if why is None else " ".join(why.split(":")[0].split(" ")[:4]))
    if why is not None:
        return
    kept = Reservations(
        tuple(m for line in planned.lines for m in line.plan.reservations().stock),
        tuple(u for line in planned.lines for u in line.plan.reservations().capacity),
    )
    assert misfits(now, kept) == []
    explained = explain_quote(snapshot.on(now), DETERMINISTIC)
    assert [line.plan for line in explained.lines] == [line.plan for line in planned.lines]
    fresh = check_quote(now, quote_a, ship_complete, DETERMINISTIC)
    assert (explained.status, explained.promise_date) == (fresh.status, fresh.promise_date)
    seen = now
    for request, line in zip(quote_a, explained.lines, strict=True):
        (alone,) = check_quote(seen, [request], ship_complete=False, settings=DETERMINISTIC).lines
        # Its delivery date is the quote's with ship_complete: compared above.
        assert without(answer(line), 2) == without(answer(alone), 2)
        taken = line.plan.reservations()
        seen = seen.taking(taken.stock, taken.capacity)
