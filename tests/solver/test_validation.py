"""The plan validator, one rule at a time: a valid hand-written plan passes, and the same plan
broken in exactly one way is refused with that rule named. Also the engine's guard: a method that
returns a broken plan never gets it handed out."""

from __future__ import annotations

import pytest

from app.solver import fast
from app.solver.engine import SolverSettings, decide_line
from app.solver.plan import DayPlan, DayPurchase, DayStockTake
from app.solver.plant import Operation, Plant
from app.solver.schedule import LotSchedule, OperationSchedule
from app.solver.state import PlanningState
from app.solver.validation import plan_violations
from tests.solver.factories import MONDAY, every_day, op, plant

HORIZON = 20

WELD = op(10, "A", 60)
PAINT = op(20, "B", 30)
# T is welded then painted; it takes 2 P (bought, lead time 3) and one S, made on C from P.
TWO_STEP = plant(
    made={"T": (WELD, PAINT), "S": (op(10, "C", 10),)},
    bought={"P": 3},
    bom={"T": [("P", 2), ("S", 1)], "S": [("P", 1)]},
    resources={"A": every_day(480), "B": every_day(480), "C": every_day(480)},
)
WELD_ONLY = {"A": every_day(480)}
ONE_STEP = plant(made={"T": (WELD,)}, resources=WELD_ONLY, bought={"P": 3}, bom={"T": [("P", 2)]})


def violations(p: Plant, sku: str, qty: int, plan: DayPlan) -> list[str]:
    return plan_violations(PlanningState.build(p, MONDAY, HORIZON), sku, qty, plan)


def lot(
    sku: str, qty: int, *operations: tuple[Operation, int, tuple[tuple[int, int], ...]]
) -> LotSchedule:
    """A lot as written by hand: (operation, minutes it claims, (day, minutes) loads) each."""
    return LotSchedule(sku, qty, tuple(OperationSchedule(*operation) for operation in operations))


def assert_names(problems: list[str], fragment: str) -> None:
    assert problems, "the broken plan passed the validator"
    assert any(fragment in problem for problem in problems), problems


def one_step_plan(loads: tuple[tuple[int, int], ...] = ((4, 480), (5, 480))) -> DayPlan:
    """16 T ready on day 5: 960 minutes of welding, 32 P bought for the start day."""
    start = loads[0][0]
    return DayPlan(
        5,
        purchases=(DayPurchase("P", 32, start, 3),),
        lots=(lot("T", 16, (WELD, 960, loads)),),
    )


def test_a_valid_plan_passes() -> None:
    assert violations(ONE_STEP, "T", 16, one_step_plan()) == []


def test_too_many_minutes_on_a_resource_and_day() -> None:
    problems = violations(ONE_STEP, "T", 16, one_step_plan(((5, 960),)))
    assert_names(problems, "A on day 5: 960 minutes planned, 480 free")


def test_load_already_booked_counts_against_the_free_minutes() -> None:
    loaded = plant(
        made={"T": (WELD,)},
        resources=WELD_ONLY,
        bought={"P": 3},
        bom={"T": [("P", 2)]},
        load=[("A", 100, 4)],
    )
    assert_names(
        violations(loaded, "T", 16, one_step_plan()), "A on day 4: 480 minutes planned, 380 free"
    )


def two_step_plan(paint_loads: tuple[tuple[int, int], ...] = ((6, 300),)) -> DayPlan:
    """10 T ready on day 6: welding 600 minutes on days 4-5, painting 300 on day 6; S made on 3."""
    return DayPlan(
        6,
        purchases=(DayPurchase("P", 20, 4, 3), DayPurchase("P", 10, 3, 3)),
        lots=(
            lot("T", 10, (WELD, 600, ((4, 120), (5, 480))), (PAINT, 300, paint_loads)),
            lot("S", 10, (TWO_STEP.routings["S"][0], 100, ((3, 100),))),
        ),
    )


def test_a_valid_two_level_plan_passes() -> None:
    assert violations(TWO_STEP, "T", 10, two_step_plan()) == []


def test_an_operation_may_work_the_day_its_predecessor_finishes() -> None:
    assert violations(TWO_STEP, "T", 10, two_step_plan(((5, 300),))) == []


def test_an_operation_working_before_its_predecessor_finished() -> None:
    problems = violations(TWO_STEP, "T", 10, two_step_plan(((4, 300),)))
    assert_names(problems, "T op 20 works on day 4, before the previous operation finished (day 5)")


def test_wrong_operation_minutes() -> None:
    # 10 units of painting need 10 * 30 = 300 minutes; 299 is one short.
    problems = violations(TWO_STEP, "T", 10, two_step_plan(((6, 299),)))
    assert_names(problems, "T op 20: needs 300 minutes")
    short_claim = DayPlan(
        5,
        purchases=(DayPurchase("P", 32, 4, 3),),
        lots=(lot("T", 16, (WELD, 959, ((4, 479), (5, 480)))),),
    )
    assert_names(violations(ONE_STEP, "T", 16, short_claim), "T op 10: needs 960 minutes, says 959")


def test_components_taken_on_another_day_than_the_lot_start() -> None:
    stocked = plant(
        made={"T": (WELD,)},
        resources=WELD_ONLY,
        bought={"P": None},
        bom={"T": [("P", 2)]},
        on_hand={"P": 40},
    )
    on_start = DayPlan(5, stock=(DayStockTake("P", 4, 32),), lots=one_step_plan().lots)
    assert violations(stocked, "T", 16, on_start) == []
    for taken_on in (3, 5):
        early_or_late = DayPlan(5, stock=(DayStockTake("P", taken_on, 32),), lots=on_start.lots)
        assert_names(
            violations(stocked, "T", 16, early_or_late),
            f"32 of P taken from stock on day {taken_on}",
        )


def test_a_purchase_for_another_day_than_the_lot_start_is_a_missing_component() -> None:
    late = DayPlan(5, purchases=(DayPurchase("P", 32, 5, 3),), lots=one_step_plan().lots)
    assert_names(violations(ONE_STEP, "T", 16, late), "P: 32 needed by day 4, only 0 there")


def test_a_lot_that_does_not_cover_its_parents_need() -> None:
    broken = two_step_plan()
    s_lot = lot("S", 9, (TWO_STEP.routings["S"][0], 90, ((3, 90),)))
    short = DayPlan(
        6,
        purchases=(DayPurchase("P", 20, 4, 3), DayPurchase("P", 9, 3, 3)),
        lots=(broken.lots[0], s_lot),
    )
    assert_names(violations(TWO_STEP, "T", 10, short), "S: 9 supplied for 10 needed")


def test_a_component_lot_ready_after_its_parent_starts() -> None:
    broken = two_step_plan()
    s_lot = lot("S", 10, (TWO_STEP.routings["S"][0], 100, ((5, 100),)))
    late = DayPlan(
        6,
        purchases=(DayPurchase("P", 20, 4, 3), DayPurchase("P", 10, 5, 3)),
        lots=(broken.lots[0], s_lot),
    )
    assert_names(violations(TWO_STEP, "T", 10, late), "S: 10 needed by day 4, only 0 there")


def test_a_purchase_before_the_lead_time() -> None:
    # Day 2 is inside the 3-day lead time of P: the lot must start on day 3 at the earliest.
    early = DayPlan(
        3,
        purchases=(DayPurchase("P", 32, 2, 3),),
        lots=(lot("T", 16, (WELD, 960, ((2, 480), (3, 480)))),),
    )
    assert_names(violations(ONE_STEP, "T", 16, early), "P cannot be bought for day 2")
    on_time = DayPlan(
        4,
        purchases=(DayPurchase("P", 32, 3, 3),),
        lots=(lot("T", 16, (WELD, 960, ((3, 480), (4, 480)))),),
    )
    assert violations(ONE_STEP, "T", 16, on_time) == []


def test_a_stock_take_that_leaves_a_later_day_short() -> None:
    # 10 P on hand, 8 promised to an order on day 5: only 2 may be taken before then.
    committed = plant(bought={"P": 0}, on_hand={"P": 10}, demand=[("P", 8, 5)])
    fair = DayPlan(1, stock=(DayStockTake("P", 1, 2),), purchases=(DayPurchase("P", 3, 1, 0),))
    assert violations(committed, "P", 5, fair) == []
    greedy = DayPlan(1, stock=(DayStockTake("P", 1, 5),))
    assert_names(violations(committed, "P", 5, greedy), "taking stock of P leaves day 5 short by 3")


def test_the_line_takes_its_stock_first() -> None:
    # 6 T in stock: a line of 16 takes those 6 and makes 10, never makes all 16.
    stocked = plant(
        made={"T": (WELD,)},
        resources=WELD_ONLY,
        bought={"P": 3},
        bom={"T": [("P", 2)]},
        on_hand={"T": 6},
    )
    first = DayPlan(
        5,
        stock=(DayStockTake("T", 5, 6),),
        purchases=(DayPurchase("P", 20, 4, 3),),
        lots=(lot("T", 10, (WELD, 600, ((4, 120), (5, 480)))),),
    )
    assert violations(stocked, "T", 16, first) == []
    assert_names(
        violations(stocked, "T", 16, one_step_plan()),
        "stock first: T needs 16 on day 5 with 6 in stock",
    )


def test_a_component_used_once_takes_its_stock_first() -> None:
    # 12 P in stock for a lot that needs 32: take the 12, buy the 20, never buy all 32.
    stocked = plant(
        made={"T": (WELD,)},
        resources=WELD_ONLY,
        bought={"P": 3},
        bom={"T": [("P", 2)]},
        on_hand={"P": 12},
    )
    first = DayPlan(
        5,
        stock=(DayStockTake("P", 4, 12),),
        purchases=(DayPurchase("P", 20, 4, 3),),
        lots=one_step_plan().lots,
    )
    assert violations(stocked, "T", 16, first) == []
    assert_names(
        violations(stocked, "T", 16, one_step_plan()),
        "stock first: P needs 32 on day 4 with 12 in stock",
    )
    too_little = DayPlan(
        5,
        stock=(DayStockTake("P", 4, 11),),
        purchases=(DayPurchase("P", 21, 4, 3),),
        lots=one_step_plan().lots,
    )
    assert_names(violations(stocked, "T", 16, too_little), "but the plan takes 11 from stock")


def test_stock_first_is_measured_by_atp_on_the_start_day() -> None:
    # 12 P arrive on day 4, and 5 of them are promised on day 9: ATP on day 4 is 7.
    arriving = plant(
        made={"T": (WELD,)},
        resources=WELD_ONLY,
        bought={"P": 3},
        bom={"T": [("P", 2)]},
        supply=[("P", 12, 4)],
        demand=[("P", 5, 9)],
    )
    first = DayPlan(
        5,
        stock=(DayStockTake("P", 4, 7),),
        purchases=(DayPurchase("P", 25, 4, 3),),
        lots=one_step_plan().lots,
    )
    assert violations(arriving, "T", 16, first) == []
    greedy = DayPlan(
        5,
        stock=(DayStockTake("P", 4, 12),),
        purchases=(DayPurchase("P", 20, 4, 3),),
        lots=one_step_plan().lots,
    )
    assert_names(
        violations(arriving, "T", 16, greedy), "stock first: P needs 32 on day 4 with 7 in stock"
    )


def test_a_need_made_in_two_lots() -> None:
    split = DayPlan(
        5,
        purchases=(DayPurchase("P", 16, 4, 3), DayPurchase("P", 16, 2, 3)),
        lots=(lot("T", 8, (WELD, 480, ((5, 480),))), lot("T", 8, (WELD, 480, ((4, 480),)))),
    )
    assert_names(
        violations(ONE_STEP, "T", 16, split), "T is made in 2 lots for 1 needs in the tree"
    )


# RAW is used twice in T's tree: by T directly and by S, the sub-assembly T is made from.
SHARED = plant(
    made={"T": (op(10, "R", 1),), "S": (op(10, "R", 1),)},
    bought={"RAW": 0},
    bom={"T": [("S", 1), ("RAW", 1)], "S": [("RAW", 1)]},
    on_hand={"RAW": 1},
)


def shared_plan(t_takes: int, s_takes: int) -> DayPlan:
    """One T made on day 2 from an S made on day 1; each takes one RAW, from stock or bought."""
    takes = [DayStockTake("RAW", 2, 1)] * t_takes + [DayStockTake("RAW", 1, 1)] * s_takes
    buys = [DayPurchase("RAW", 1, 2, 0)] * (1 - t_takes) + [DayPurchase("RAW", 1, 1, 0)] * (
        1 - s_takes
    )
    return DayPlan(
        2,
        stock=tuple(takes),
        purchases=tuple(buys),
        lots=(
            lot("T", 1, (SHARED.routings["T"][0], 1, ((2, 1),))),
            lot("S", 1, (SHARED.routings["S"][0], 1, ((1, 1),))),
        ),
    )


def test_a_shared_items_stock_may_go_to_either_use() -> None:
    # The spec does not say which use of RAW gets the one in stock, nor that one must.
    assert violations(SHARED, "T", 1, shared_plan(1, 0)) == []
    assert violations(SHARED, "T", 1, shared_plan(0, 1)) == []
    assert violations(SHARED, "T", 1, shared_plan(0, 0)) == []


def test_a_shared_items_uses_together_stay_within_its_stock() -> None:
    assert_names(
        violations(SHARED, "T", 1, shared_plan(1, 1)), "taking stock of RAW leaves day 2 short by 1"
    )


SETTINGS = SolverSettings(time_limit_seconds=20, workers=1, random_seed=1)


def test_the_engine_never_hands_out_a_plan_that_fails_validation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = PlanningState.build(ONE_STEP, MONDAY, HORIZON)
    honest = decide_line(state, "T", 16, 10, SETTINGS)
    assert honest.method == "fast"
    assert honest.plan is not None

    def all_on_one_day(
        state: PlanningState, sku: str, qty: int, day: int, **kwargs: bool
    ) -> fast.Outcome:
        outcome = fast_plan_line(state, sku, qty, day, **kwargs)
        if not isinstance(outcome, DayPlan) or not outcome.lots:
            return outcome
        first = outcome.lots[0]
        crammed = first.operations[0]
        loads = ((crammed.last_day, crammed.minutes),)
        bad = LotSchedule(
            first.sku, first.qty, (OperationSchedule(crammed.operation, crammed.minutes, loads),)
        )
        return DayPlan(outcome.delivery_day, outcome.stock, outcome.purchases, (bad,))

    fast_plan_line = fast.plan_line
    monkeypatch.setattr(fast, "plan_line", all_on_one_day)
    with pytest.raises(RuntimeError, match=r"fails validation.*960 minutes planned, 480 free"):
        decide_line(state, "T", 16, 10, SETTINGS)
