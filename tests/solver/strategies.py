"""Hypothesis strategies for small random plants (pure solver inputs)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from hypothesis import strategies as st

from app.solver.plant import (
    BomLine,
    Calendar,
    CapacityUse,
    Expedite,
    Item,
    Operation,
    Overtime,
    Plant,
    Resource,
    StockMove,
)

AS_OF = date(2026, 11, 30)
# Dated rows start a few days before as_of: supply and demand there count on day 0, load and
# calendar exceptions there are past (SPEC section 1).
BEFORE = 3
RUNS = [Fraction(5), Fraction(10), Fraction(15, 2), Fraction(30), Fraction(1, 3)]


@st.composite
def calendars(draw: st.DrawFn, horizon: int, step: int = 30) -> Calendar:
    weekly = tuple(
        draw(st.lists(st.sampled_from([0, step, 2 * step, 4 * step]), min_size=7, max_size=7))
    )
    exceptions = draw(
        st.dictionaries(
            st.integers(-BEFORE, horizon - 1).map(lambda d: AS_OF + timedelta(days=d)),
            st.sampled_from([0, step, 3 * step]),
            max_size=3,
        )
    )
    return Calendar(weekly, exceptions)  # type: ignore[arg-type]


@st.composite
def operations(draw: st.DrawFn, resources: list[str], max_ops: int) -> tuple[Operation, ...]:
    count = draw(st.integers(1, max_ops))
    return tuple(
        Operation(
            seq=10 * (i + 1),
            resource=draw(st.sampled_from(resources)),
            setup_minutes=draw(st.sampled_from([0, 10, 30])),
            run_minutes_per_unit=draw(st.sampled_from(RUNS)),
        )
        for i in range(count)
    )


@st.composite
def stock_moves(
    draw: st.DrawFn, skus: list[str], horizon: int, max_qty: int
) -> tuple[StockMove, ...]:
    return tuple(
        draw(
            st.lists(
                st.builds(
                    StockMove,
                    st.sampled_from(skus),
                    st.integers(1, max_qty),
                    st.integers(-BEFORE, horizon + 1).map(lambda d: AS_OF + timedelta(days=d)),
                ),
                max_size=3,
            )
        )
    )


@st.composite
def chain_plants(draw: st.DrawFn, horizon: int = 30) -> Plant:
    """One manufactured item on a routing chain, its components bought or stocked."""
    resources = ["R1", "R2", "R3"][: draw(st.integers(1, 3))]
    parts = [f"P{i}" for i in range(draw(st.integers(0, 3)))]
    items = {"TOP": Item("TOP", "Top", "manufactured")}
    for part in parts:
        lead = draw(st.one_of(st.none(), st.integers(0, horizon + 5)))
        items[part] = Item(part, part, "purchased", lead)
    return _plant(
        draw,
        horizon,
        resources,
        items,
        {"TOP": draw(operations(resources, 4))},
        {
            "TOP": tuple(
                BomLine(p, draw(st.sampled_from([Fraction(1), Fraction(2), Fraction(1, 2)])))
                for p in parts
            )
        },
        step=120,
    )


@st.composite
def multi_level_plants(draw: st.DrawFn, horizon: int = 6) -> Plant:
    """A two- or three-level tree on shared resources, sometimes with an item used twice."""
    resources = ["R1", "R2"][: draw(st.integers(1, 2))]
    items = {
        "TOP": Item("TOP", "Top", "manufactured"),
        "SUB": Item("SUB", "Sub-assembly", "manufactured"),
        "RAW": Item(
            "RAW", "Raw part", "purchased", draw(st.one_of(st.none(), st.integers(0, horizon)))
        ),
    }
    routings = {"TOP": draw(operations(resources, 2)), "SUB": draw(operations(resources, 1))}
    bom = {
        "TOP": [BomLine("SUB", draw(st.sampled_from([Fraction(1), Fraction(2)])))],
        "SUB": [BomLine("RAW", Fraction(1))],
    }
    if draw(st.booleans()):
        # RAW is used twice: by TOP directly and through SUB; their stock is shared.
        bom["TOP"].append(BomLine("RAW", Fraction(1)))
    if draw(st.booleans()):
        items["LEAF"] = Item("LEAF", "Leaf", "manufactured")
        routings["LEAF"] = draw(operations(resources, 1))
        bom["SUB"].append(BomLine("LEAF", Fraction(1)))
        bom["LEAF"] = [BomLine("RAW", Fraction(1))]
    return _plant(
        draw,
        horizon,
        resources,
        items,
        routings,
        {k: tuple(v) for k, v in bom.items()},
        step=30,
        max_qty=4,
    )


def _plant(
    draw: st.DrawFn,
    horizon: int,
    resources: list[str],
    items: dict[str, Item],
    routings: dict[str, tuple[Operation, ...]],
    bom: dict[str, tuple[BomLine, ...]],
    *,
    step: int,
    max_qty: int = 20,
) -> Plant:
    skus = list(items)
    bought = [sku for sku, item in items.items() if item.kind == "purchased"]
    # Made items get little stock, so that most lines need production.
    stock_bound = {
        sku: max_qty if item.kind == "purchased" else max_qty // 2 for sku, item in items.items()
    }
    return Plant(
        items=items,
        resources={
            code: Resource(code, code, draw(calendars(horizon, step))) for code in resources
        },
        routings=routings,
        bom=bom,
        on_hand={sku: draw(st.integers(0, stock_bound[sku])) for sku in skus},
        supply=draw(stock_moves(bought or skus, horizon, max_qty)),
        demand=draw(stock_moves(skus, horizon, max_qty)),
        load=tuple(
            draw(
                st.lists(
                    st.builds(
                        CapacityUse,
                        st.sampled_from(resources),
                        st.integers(-BEFORE, horizon - 1).map(lambda d: AS_OF + timedelta(days=d)),
                        st.sampled_from([step // 2, step, 2 * step]),
                    ),
                    max_size=4,
                )
            )
        ),
        holidays=draw(
            st.frozensets(
                st.integers(-BEFORE, horizon).map(lambda d: AS_OF + timedelta(days=d)), max_size=3
            )
        ),
    )


@st.composite
def overtime_plants(draw: st.DrawFn, horizon: int = 6, *, chained: bool = False) -> Plant:
    """A chain or two-level tree whose minutes are all multiples of 30, with overtime on its
    resources and an expeditable bought part: for the extra-capacity brute force.

    ``chained``: two operations in sequence on two different resources (SUB on R1 then TOP on
    R2, or TOP's two operations), the shape the chain bound of app.solver.extra_bounds sees.
    """
    unit = 30
    resources = ["R1", "R2"][: 2 if chained else draw(st.integers(1, 2))]
    raw_lead = draw(st.one_of(st.none(), st.integers(0, horizon)))
    expedite = draw(
        st.none()
        if raw_lead == 0
        else st.one_of(
            st.builds(
                Expedite,
                st.integers(0, max(0, (horizon if raw_lead is None else raw_lead) - 1)),
                st.sampled_from([Fraction(0), Fraction(1), Fraction(5, 2), Fraction(40)]),
            ),
            st.none(),
        )
    )
    items = {
        "TOP": Item("TOP", "Top", "manufactured"),
        "RAW": Item("RAW", "Raw part", "purchased", raw_lead, expedite),
    }

    def ops(count: int, on: list[str] | None = None) -> tuple[Operation, ...]:
        return tuple(
            Operation(
                10 * (i + 1),
                on[i] if on is not None else draw(st.sampled_from(resources)),
                draw(st.sampled_from([0, unit])),
                Fraction(draw(st.sampled_from([unit, unit, 2 * unit]))),
            )
            for i in range(count)
        )

    with_sub = draw(st.booleans())
    if chained:
        routings = {"TOP": ops(1, ["R2"]) if with_sub else ops(2, ["R1", "R2"])}
    else:
        routings = {"TOP": ops(draw(st.integers(1, 2)))}
    bom = {"TOP": (BomLine("RAW", Fraction(1)),)}
    if with_sub:
        items["SUB"] = Item("SUB", "Sub-assembly", "manufactured")
        routings["SUB"] = ops(1, ["R1"] if chained else None)
        bom = {"TOP": (BomLine("SUB", Fraction(1)),), "SUB": (BomLine("RAW", Fraction(1)),)}
    day_minutes = st.sampled_from([0, unit, 2 * unit])
    return Plant(
        items=items,
        resources={
            code: Resource(
                code,
                code,
                Calendar(tuple(draw(st.lists(day_minutes, min_size=7, max_size=7)))),  # type: ignore[arg-type]
                draw(
                    st.one_of(
                        st.builds(
                            Overtime,
                            st.lists(
                                st.sampled_from([0, unit, 2 * unit, 3 * unit]),
                                min_size=7,
                                max_size=7,
                            ).map(tuple),
                            st.dictionaries(
                                st.integers(0, horizon - 1).map(
                                    lambda d: AS_OF + timedelta(days=d)
                                ),
                                st.sampled_from([0, unit]),
                                max_size=1,
                            ),
                            st.sampled_from(
                                [Fraction(0), Fraction(1), Fraction(1, 2), Fraction(3)]
                            ),
                        ),
                    )
                ),
            )
            for code in resources
        },
        routings=routings,
        bom=bom,
        on_hand={"TOP": draw(st.integers(0, 1)), "RAW": draw(st.integers(0, 6))},
        supply=draw(stock_moves(["RAW"], horizon, 3)),
        demand=draw(stock_moves(["TOP", "RAW"], horizon, 2)),
        load=tuple(
            draw(
                st.lists(
                    st.builds(
                        CapacityUse,
                        st.sampled_from(resources),
                        st.integers(0, horizon - 1).map(lambda d: AS_OF + timedelta(days=d)),
                        st.sampled_from([unit, 2 * unit, 3 * unit]),
                    ),
                    max_size=2,
                )
            )
        ),
        holidays=frozenset(
            draw(
                st.lists(st.integers(0, horizon - 1), max_size=1).map(
                    lambda days: [AS_OF + timedelta(days=d) for d in days]
                )
            )
        ),
    )


@st.composite
def sibling_plants(draw: st.DrawFn, horizon: int = 6) -> Plant:
    """Two made components of one parent on shared resources, each maybe waiting for a bought
    part: the lots compete for the same minutes before the parent starts."""
    resources = ["R1", "R2"][: draw(st.integers(1, 2))]
    lead = st.one_of(st.none(), st.integers(0, horizon))
    items = {
        "TOP": Item("TOP", "Top", "manufactured"),
        "A": Item("A", "Sub-assembly A", "manufactured"),
        "B": Item("B", "Sub-assembly B", "manufactured"),
        "RA": Item("RA", "Part of A", "purchased", draw(lead)),
        "RB": Item("RB", "Part of B", "purchased", draw(lead)),
    }
    routings = {sku: draw(operations(resources, 1)) for sku in ("TOP", "A", "B")}
    bom = {
        "TOP": (BomLine("A", Fraction(1)), BomLine("B", Fraction(1))),
        "A": (BomLine("RA", Fraction(1)),),
        "B": (BomLine("RB", Fraction(1)),),
    }
    return _plant(draw, horizon, resources, items, routings, bom, step=30, max_qty=4)
