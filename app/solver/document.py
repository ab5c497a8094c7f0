"""Turn a (validated) dataset document into a :class:`Plant`: used by benchmarks and tests.

The service builds its plant from the database instead; both give the same plant for the same
document.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from fractions import Fraction
from typing import Any

from app.solver.allocation import Allocation, Allocations
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


def plant_from_document(doc: Mapping[str, Any]) -> Plant:
    items = {
        row["sku"]: Item(
            row["sku"],
            row["name"],
            row["kind"],
            row.get("lead_time_days"),
            _expedite(row.get("expedite")),
        )
        for row in doc.get("items", [])
    }
    resources = {
        row["code"]: Resource(
            row["code"],
            row["name"],
            Calendar(
                tuple(row["calendar"]["weekly_minutes"]),
                _exceptions(row["calendar"].get("exceptions", [])),
            ),
            _overtime(row.get("overtime")),
        )
        for row in doc.get("resources", [])
    }
    routings = {
        row["sku"]: tuple(
            sorted(
                (
                    Operation(
                        op["seq"],
                        op["resource"],
                        op.get("setup_minutes", 0),
                        Fraction(str(op["run_minutes_per_unit"])),
                    )
                    for op in row["operations"]
                ),
                key=lambda op: op.seq,
            )
        )
        for row in doc.get("routings", [])
    }
    bom: dict[str, list[BomLine]] = {}
    for row in doc.get("bom", []):
        bom.setdefault(row["parent"], []).append(
            BomLine(row["component"], Fraction(str(row["qty_per"])))
        )
    return Plant(
        items=items,
        resources=resources,
        routings=routings,
        bom={parent: tuple(lines) for parent, lines in bom.items()},
        on_hand={row["sku"]: row["on_hand"] for row in doc.get("inventory", [])},
        supply=tuple(_moves(doc.get("supply", []))),
        demand=tuple(_moves(doc.get("demand", []))),
        load=tuple(
            CapacityUse(row["resource"], date.fromisoformat(row["date"]), row["minutes"])
            for row in doc.get("load", [])
        ),
        holidays=frozenset(date.fromisoformat(d) for d in doc.get("holidays", [])),
        allocations=Allocations(
            rows=tuple(
                Allocation(
                    row["ref"],
                    row["sku"],
                    row["group"],
                    date.fromisoformat(row["from"]),
                    date.fromisoformat(row["until"]),
                    row["qty"],
                )
                for row in doc.get("allocations", [])
            ),
            groups={row["customer"]: row["group"] for row in doc.get("customers", [])},
        ),
    )


def _exceptions(rows: list[dict[str, Any]]) -> dict[date, int]:
    return {date.fromisoformat(row["date"]): row["minutes"] for row in rows}


def _overtime(row: Mapping[str, Any] | None) -> Overtime | None:
    if row is None:
        return None
    return Overtime(
        tuple(row["weekly_minutes"]),
        _exceptions(row.get("exceptions", [])),
        Fraction(str(row.get("cost_per_minute", 1))),
    )


def _expedite(row: Mapping[str, Any] | None) -> Expedite | None:
    if row is None:
        return None
    return Expedite(row["lead_time_days"], Fraction(str(row.get("cost_per_unit", 0))))


def _moves(rows: list[dict[str, Any]]) -> list[StockMove]:
    return [StockMove(row["sku"], row["qty"], date.fromisoformat(row["date"])) for row in rows]
