"""Small keyword-default factories for hand-built plants."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

from app.solver.plant import (
    BomLine,
    Calendar,
    CapacityUse,
    Expedite,
    Item,
    Operation,
    Plant,
    Resource,
    StockMove,
)

MONDAY = date(2026, 11, 30)


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def every_day(minutes: int) -> Calendar:
    return Calendar((minutes,) * 7)  # type: ignore[arg-type]


def op(seq: int, resource: str, run: str | int, setup: int = 0) -> Operation:
    return Operation(seq, resource, setup, Fraction(str(run)))


def plant(
    *,
    made: dict[str, tuple[Operation, ...]] | None = None,
    bought: dict[str, int | None] | None = None,
    bom: dict[str, list[tuple[str, str | int]]] | None = None,
    resources: dict[str, Calendar] | None = None,
    on_hand: dict[str, int] | None = None,
    supply: list[tuple[str, int, int]] | None = None,
    demand: list[tuple[str, int, int]] | None = None,
    load: list[tuple[str, int, int]] | None = None,
    holidays: list[int] | None = None,
) -> Plant:
    made = made or {}
    bought = bought or {}
    items = {sku: Item(sku, sku.title(), "manufactured") for sku in made}
    items |= {sku: Item(sku, sku.title(), "purchased", lead) for sku, lead in bought.items()}
    return Plant(
        items=items,
        resources={
            code: Resource(code, code.title(), cal)
            for code, cal in (resources or {"R": every_day(480)}).items()
        },
        routings=made,
        bom={
            parent: tuple(BomLine(c, Fraction(str(q))) for c, q in lines)
            for parent, lines in (bom or {}).items()
        },
        on_hand=on_hand or {},
        supply=tuple(StockMove(s, q, day(d)) for s, q, d in supply or []),
        demand=tuple(StockMove(s, q, day(d)) for s, q, d in demand or []),
        load=tuple(CapacityUse(r, day(d), m) for r, m, d in load or []),
        holidays=frozenset(day(d) for d in holidays or []),
    )


def expeditable_raw() -> Plant:
    """TOP takes 2 RAW a unit; 4 RAW in stock, bought in 10 days or expedited in 1 at 2.5 a
    unit: 5 TOP on day 3 need 6 RAW expedited."""
    bought = plant(
        made={"TOP": (op(10, "R", 1),)},
        bought={"RAW": 10},
        bom={"TOP": [("RAW", 2)]},
        on_hand={"RAW": 4},
    )
    raw = replace(bought.items["RAW"], expedite=Expedite(1, Fraction(5, 2)))
    return replace(bought, items=bought.items | {"RAW": raw})
