"""The planning data read back as a dataset document (SPEC section 1), for export."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import (
    AllocationRow,
    BomLineRow,
    CalendarExceptionRow,
    CustomerRow,
    DemandRow,
    HolidayRow,
    InventoryRow,
    ItemRow,
    LoadRow,
    OperationRow,
    OvertimeExceptionRow,
    ResourceRow,
    SupplyRow,
)


def dataset_document(session: Session) -> dict[str, Any]:
    """The planning data as a JSON-ready dataset document (decimals as JSON numbers)."""
    exceptions = _exceptions(session, CalendarExceptionRow)
    overtime_exceptions = _exceptions(session, OvertimeExceptionRow)
    operations: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for op in session.scalars(select(OperationRow).order_by(OperationRow.sku, OperationRow.seq)):
        operations[op.sku].append(
            {
                "seq": op.seq,
                "resource": op.resource,
                "setup_minutes": op.setup_minutes,
                "run_minutes_per_unit": json_number(op.run_minutes_per_unit),
            }
        )
    doc = {
        "holidays": [
            d.isoformat()
            for d in session.scalars(select(HolidayRow.date).order_by(HolidayRow.date))
        ],
        "items": [_item(row) for row in session.scalars(select(ItemRow).order_by(ItemRow.sku))],
        "resources": [
            _resource(row, exceptions.get(row.code, []), overtime_exceptions.get(row.code, []))
            for row in session.scalars(select(ResourceRow).order_by(ResourceRow.code))
        ],
        "routings": [{"sku": sku, "operations": ops} for sku, ops in operations.items()],
        "bom": [
            {"parent": row.parent, "component": row.component, "qty_per": json_number(row.qty_per)}
            for row in session.scalars(select(BomLineRow).order_by(BomLineRow.id))
        ],
        "inventory": [
            {"sku": row.sku, "on_hand": row.on_hand}
            for row in session.scalars(select(InventoryRow).order_by(InventoryRow.sku))
        ],
        "supply": [
            {"ref": r.ref, "sku": r.sku, "qty": r.qty, "date": r.date.isoformat()}
            for r in session.scalars(select(SupplyRow).order_by(SupplyRow.ref))
        ],
        "demand": [
            {"ref": r.ref, "sku": r.sku, "qty": r.qty, "date": r.date.isoformat()}
            | ({"promise_id": r.promise_id} if r.promise_id else {})
            for r in session.scalars(select(DemandRow).order_by(DemandRow.ref))
        ],
        "load": [
            {"ref": r.ref, "resource": r.resource, "date": r.date.isoformat(), "minutes": r.minutes}
            for r in session.scalars(select(LoadRow).order_by(LoadRow.ref))
        ],
    }
    return doc | _allocation_lists(session)


def _allocation_lists(session: Session) -> dict[str, Any]:
    """Customers and allocations (SPEC section 7), left out when empty as a plant without
    allocations has always been exported."""
    lists = {
        "customers": [
            {"customer": r.customer, "group": r.group}
            for r in session.scalars(select(CustomerRow).order_by(CustomerRow.customer))
        ],
        "allocations": [
            {
                "ref": r.ref,
                "sku": r.sku,
                "group": r.group,
                "from": r.from_date.isoformat(),
                "until": r.until_date.isoformat(),
                "qty": r.qty,
            }
            for r in session.scalars(select(AllocationRow).order_by(AllocationRow.ref))
        ],
    }
    return {name: rows for name, rows in lists.items() if rows}


def _exceptions(
    session: Session, model: type[CalendarExceptionRow] | type[OvertimeExceptionRow]
) -> dict[str, list[dict[str, Any]]]:
    """Exception rows (calendar or overtime) per resource, by date, as document rows."""
    by_resource: dict[str, list[dict[str, Any]]] = defaultdict(list)
    rows = session.execute(
        select(model.resource, model.date, model.minutes).order_by(model.resource, model.date)
    )
    for resource, day, minutes in rows:
        by_resource[resource].append({"date": day.isoformat(), "minutes": minutes})
    return by_resource


def _resource(
    row: ResourceRow, exceptions: list[dict[str, Any]], overtime_exceptions: list[dict[str, Any]]
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "code": row.code,
        "name": row.name,
        "calendar": {"weekly_minutes": list(row.weekly_minutes), "exceptions": exceptions},
    }
    if row.overtime_weekly_minutes is not None and row.overtime_cost_per_minute is not None:
        resource["overtime"] = {
            "weekly_minutes": list(row.overtime_weekly_minutes),
            "exceptions": overtime_exceptions,
            "cost_per_minute": json_number(row.overtime_cost_per_minute),
        }
    return resource


def _item(row: ItemRow) -> dict[str, Any]:
    item: dict[str, Any] = {"sku": row.sku, "name": row.name, "kind": row.kind}
    if row.kind == "purchased":
        item["lead_time_days"] = row.lead_time_days
    if row.expedite_lead_time_days is not None and row.expedite_cost_per_unit is not None:
        item["expedite"] = {
            "lead_time_days": row.expedite_lead_time_days,
            "cost_per_unit": json_number(row.expedite_cost_per_unit),
        }
    return item


def json_number(text: str) -> int | float:
    """An exact decimal text as a JSON number: 1 stays 1, 6.5 stays 6.5.

    Validation caps decimals at 15 significant digits, so the float is the shortest
    representation of the same decimal and prints back exactly.
    """
    value = Decimal(text)
    if value == value.to_integral_value():
        return int(value)
    return float(value)
