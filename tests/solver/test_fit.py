"""``misfits``: do these reservations fit? Against a brute force written from SPEC section 2's
text (free minutes from the calendars, projected stock from the rows), sharing no code with
the planning state."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.solver.fit import Misfit, misfits
from app.solver.plant import (
    Calendar,
    CapacityUse,
    Item,
    Plant,
    Reservations,
    Resource,
    StockMove,
)
from app.solver.state import PlanningState

AS_OF = date(2026, 11, 30)  # a Monday
HORIZON = 12
SKUS = ["A", "B"]
CODES = ["R1", "R2"]
# Dates from a week before as_of to a few days past the horizon.
DATES = st.integers(-7, HORIZON + 3).map(lambda d: AS_OF + timedelta(days=d))


@st.composite
def plants(draw: st.DrawFn) -> Plant:
    resources = {
        code: Resource(
            code,
            code,
            Calendar(
                tuple(draw(st.lists(st.sampled_from([0, 60, 120]), min_size=7, max_size=7))),  # type: ignore[arg-type]
                draw(st.dictionaries(DATES, st.sampled_from([0, 30, 90]), max_size=3)),
            ),
        )
        for code in CODES
    }
    moves = st.builds(StockMove, st.sampled_from(SKUS), st.integers(0, 20), DATES)
    return Plant(
        items={sku: Item(sku, sku, "purchased", None) for sku in SKUS},
        resources=resources,
        routings={},
        bom={},
        on_hand={sku: draw(st.integers(0, 20)) for sku in SKUS},
        supply=tuple(draw(st.lists(moves, max_size=4))),
        demand=tuple(draw(st.lists(moves, max_size=4))),
        load=tuple(
            draw(
                st.lists(
                    st.builds(CapacityUse, st.sampled_from(CODES), DATES, st.integers(0, 90)),
                    max_size=4,
                )
            )
        ),
        holidays=frozenset(draw(st.lists(DATES, max_size=2))),
    )


reservations = st.builds(
    Reservations,
    st.lists(st.builds(StockMove, st.sampled_from(SKUS), st.integers(0, 15), DATES)).map(tuple),
    st.lists(st.builds(CapacityUse, st.sampled_from(CODES), DATES, st.integers(0, 120))).map(tuple),
)


def horizon_dates() -> list[date]:
    return [AS_OF + timedelta(days=d) for d in range(HORIZON)]


def brute_misfits(plant: Plant, taken: Reservations) -> set[tuple[str, str]]:
    """(kind, name) of what does not fit, from the spec's words."""
    found: set[tuple[str, str]] = set()
    for code, resource in plant.resources.items():
        calendar = resource.calendar
        for day in horizon_dates():
            if day in calendar.exceptions:
                minutes = calendar.exceptions[day]
            elif day in plant.holidays:
                minutes = 0
            else:
                minutes = calendar.weekly_minutes[day.weekday()]
            load = sum(u.minutes for u in plant.load if u.resource == code and u.date == day)
            free = max(0, minutes - load)
            mine = sum(u.minutes for u in taken.capacity if u.resource == code and u.date == day)
            if mine > free:
                found.add(("capacity", code))
    for sku in SKUS:
        takes = [m for m in taken.stock if m.sku == sku and m.qty > 0]
        in_horizon = [max(m.date, AS_OF) for m in takes if m.date < AS_OF + timedelta(HORIZON)]
        if not in_horizon:
            continue
        for day in horizon_dates():
            if day < min(in_horizon):
                continue
            projected = (
                plant.on_hand.get(sku, 0)
                + sum(m.qty for m in plant.supply if m.sku == sku and m.date <= day)
                - sum(m.qty for m in plant.demand if m.sku == sku and m.date <= day)
                - sum(m.qty for m in takes if m.date <= day)
            )
            if projected < 0:
                found.add(("stock", sku))
    return found


@settings(max_examples=300, deadline=None)
@given(plants(), reservations)
def test_misfits_agree_with_the_spec(plant: Plant, taken: Reservations) -> None:
    state = PlanningState.build(plant, AS_OF, HORIZON)
    assert {(m.kind, m.name) for m in misfits(state, taken)} == brute_misfits(plant, taken)


def _plant(on_hand: int = 10, minutes: int = 60, **rows: tuple[object, ...]) -> Plant:
    return Plant(
        items={"A": Item("A", "A", "purchased", None)},
        resources={"R1": Resource("R1", "R1", Calendar((minutes,) * 7))},  # type: ignore[arg-type]
        routings={},
        bom={},
        on_hand={"A": on_hand},
        **rows,  # type: ignore[arg-type]
    )


def day(n: int) -> date:
    return AS_OF + timedelta(days=n)


def test_a_take_that_leaves_a_later_commitment_short_is_named_with_its_first_short_day() -> None:
    plant = _plant(demand=(StockMove("A", 6, day(5)),))
    state = PlanningState.build(plant, AS_OF, HORIZON)

    assert misfits(state, Reservations(stock=(StockMove("A", 4, day(2)),))) == []
    [misfit] = misfits(state, Reservations(stock=(StockMove("A", 7, day(2)),)))

    assert misfit == Misfit("stock", "A", date=day(5), short=3)
    assert str(misfit) == f"A is 3 short on {day(5)} with the stock it takes"


def test_a_shortage_before_the_first_take_is_not_the_reservations() -> None:
    # The ERP's own demand overdraws day 1; takes from day 3 on, after supply, are fine.
    plant = _plant(
        on_hand=0, demand=(StockMove("A", 5, day(1)),), supply=(StockMove("A", 12, day(3)),)
    )
    state = PlanningState.build(plant, AS_OF, HORIZON)

    assert misfits(state, Reservations(stock=(StockMove("A", 7, day(3)),))) == []
    assert [m.kind for m in misfits(state, Reservations(stock=(StockMove("A", 8, day(3)),)))] == [
        "stock"
    ]


def test_minutes_over_a_day_and_things_gone_from_the_data() -> None:
    plant = _plant(load=(CapacityUse("R1", day(1), 20),))
    state = PlanningState.build(plant, AS_OF, HORIZON)
    taken = Reservations(
        stock=(StockMove("GONE", 1, day(1)),),
        capacity=(
            CapacityUse("R1", day(1), 30),
            CapacityUse("R1", day(1), 20),
            CapacityUse("R1", day(-1), 500),  # past: takes nothing
            CapacityUse("OLD", day(2), 1),
        ),
    )

    assert [str(m) for m in misfits(state, taken)] == [
        "item GONE is no longer in the planning data",
        "resource OLD is no longer in the planning data",
        f"R1 has 40 free minutes on {day(1)}, 50 reserved",
    ]
