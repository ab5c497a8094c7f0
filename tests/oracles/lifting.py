"""Lifting constraints on a copy of the plant, straight from the words of SPEC section 2.

Written from the planning data, not from the engine's lifting (:mod:`app.solver.lifting`):
capacity on R gets a calendar exception of unlimited minutes on every day from ``as_of`` to the
requested date (an exception beats a holiday; firm load and reservations still take their
minutes, which unlimited absorbs); stock or material on X gets unlimited units on hand (there in
any quantity from day 0); lead_time on X gets a lead time of 0 (bought for any day).

The candidates are listed the same way, from the BOM and routings: every resource of the line's
tree and every bought component; for a bought line, its own item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta

from app.solver.plant import Calendar, Plant, Reservations
from app.solver.results import Constraint

# Far more than the random and golden plants could use in their horizons.
UNLIMITED = 10**8


def lift(
    plant: Plant,
    lifts: Iterable[tuple[str, str]],
    as_of: date,
    requested: date,
    *,
    only_days: dict[str, Sequence[date]] | None = None,
) -> Plant:
    """A copy of ``plant`` with every (kind, resource or sku) of ``lifts`` lifted.

    ``only_days`` lifts a resource on the given days instead of every day up to ``requested``.
    """
    resources = dict(plant.resources)
    items = dict(plant.items)
    on_hand = dict(plant.on_hand)
    for kind, name in lifts:
        if kind == "capacity":
            days = (only_days or {}).get(name)
            if days is None:
                days = [as_of + timedelta(n) for n in range((requested - as_of).days + 1)]
            calendar = resources[name].calendar
            exceptions = {**calendar.exceptions, **dict.fromkeys(days, UNLIMITED)}
            resources[name] = replace(
                resources[name], calendar=Calendar(calendar.weekly_minutes, exceptions)
            )
        elif kind in {"stock", "material"}:
            on_hand[name] = on_hand.get(name, 0) + UNLIMITED
        elif kind == "lead_time":
            items[name] = replace(items[name], lead_time_days=0)
        else:
            raise AssertionError(f"{kind} cannot be lifted")
    return replace(plant, resources=resources, items=items, on_hand=on_hand)


def named(constraints: Iterable[Constraint]) -> list[tuple[str, str]]:
    """(kind, resource or sku) of every liftable entry (``horizon`` is not lifted)."""
    return [
        (c.kind, c.resource if c.kind == "capacity" else c.sku)  # type: ignore[misc]
        for c in constraints
        if c.kind != "horizon"
    ]


def candidates(plant: Plant, sku: str) -> list[tuple[str, str]]:
    item = plant.items[sku]
    if item.kind == "purchased":
        return [("stock" if item.lead_time_days is None else "lead_time", sku)]
    found: list[tuple[str, str]] = []

    def walk(parent: str) -> None:
        for operation in plant.routings.get(parent, ()):
            found.append(("capacity", operation.resource))
        for line in plant.bom.get(parent, ()):
            if plant.items[line.component].kind == "purchased":
                found.append(("material", line.component))
            else:
                walk(line.component)

    walk(sku)
    return sorted(set(found))


def seen(plant: Plant, taken: Sequence[Reservations]) -> Plant:
    """The plant as a line sees it: what held promises and the lines before it take, written as
    planning data (stock taken is demand on its day, reserved minutes are load)."""
    return replace(
        plant,
        demand=plant.demand + tuple(move for r in taken for move in r.stock),
        load=plant.load + tuple(use for r in taken for use in r.capacity),
    )
