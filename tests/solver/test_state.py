"""Taking many moves at once (the live reservations) gives the state that taking them one by one
does (a plan's takes): the same free and signed minutes, projected stock and ATP."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.solver.plant import CapacityUse, StockMove
from app.solver.state import PlanningState
from tests.solver.factories import MONDAY, every_day, op, plant

HORIZON = 20


def _state() -> PlanningState:
    p = plant(
        made={"TOP": (op(10, "R", 6),)},
        bought={"RAW": 3, "BOLT": 2},
        bom={"TOP": [("RAW", 1)]},
        resources={"R": every_day(120), "S": every_day(60)},
        on_hand={"RAW": 30, "BOLT": 5, "TOP": 2},
        supply=[("RAW", 10, 4), ("BOLT", 20, 9)],
        demand=[("RAW", 8, 6)],
        load=[("R", 100, 2), ("S", 90, 3)],
    )
    return PlanningState.build(p, MONDAY, HORIZON)


# Days before as_of and past the horizon too: taking treats them as stock_day and capacity_day say.
days = st.integers(-3, HORIZON + 3).map(lambda d: MONDAY + timedelta(days=d))


@settings(max_examples=200, deadline=None)
@given(
    stock=st.lists(
        st.builds(
            StockMove, st.sampled_from(["RAW", "BOLT", "TOP", "GONE"]), st.integers(-5, 40), days
        ),
        max_size=30,
    ),
    capacity=st.lists(
        st.builds(CapacityUse, st.sampled_from(["R", "S", "GONE"]), days, st.integers(0, 200)),
        max_size=30,
    ),
)
def test_taking_at_once_is_taking_one_by_one(
    stock: list[StockMove], capacity: list[CapacityUse]
) -> None:
    state = _state()
    at_once = state.taking(stock, capacity)
    one_by_one = state
    for move in stock:
        day = state.stock_day(move.date)
        if day is not None:
            one_by_one = one_by_one.taking_on_days([(move.sku, day, move.qty)], [])
    for use in capacity:
        day = state.capacity_day(use.date)
        if day is not None:
            one_by_one = one_by_one.taking_on_days([], [(use.resource, day, use.minutes)])
    for field in ("free", "net", "projected", "atp"):
        got, expected = getattr(at_once, field), getattr(one_by_one, field)
        assert got.keys() == expected.keys()
        for key in expected:
            np.testing.assert_array_equal(got[key], expected[key], err_msg=f"{field} {key}")
    # The state it came from is unchanged (states never change in place).
    np.testing.assert_array_equal(state.free["R"], _state().free["R"])
