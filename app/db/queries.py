"""Reads of planning data, shaped for the solver."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import (
    AllocationRow,
    BomLineRow,
    CalendarExceptionRow,
    CustomerRow,
    DataVersionRow,
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

DATA_VERSION_ROW_ID = 1
# Read by every check: built once (building it and its cache key cost more than running it).
_DATA_VERSION = select(DataVersionRow.version).where(DataVersionRow.id == DATA_VERSION_ROW_ID)


def get_data_version(session: Session) -> int:
    version = session.scalar(_DATA_VERSION)
    return version or 0


def load_plant(session: Session) -> Plant:
    items = {
        row.sku: Item(
            sku=row.sku,
            name=row.name,
            kind="purchased" if row.kind == "purchased" else "manufactured",
            lead_time_days=row.lead_time_days,
            expedite=_expedite(row),
        )
        for row in session.scalars(select(ItemRow).order_by(ItemRow.sku))
    }
    return Plant(
        items=items,
        resources=_resources(session),
        routings=_routings(session),
        bom=_bom(session),
        on_hand=dict(session.execute(select(InventoryRow.sku, InventoryRow.on_hand)).all()),
        # The big tables are read as column tuples: ORM objects cost ten times more here.
        supply=tuple(
            StockMove(sku, qty, day)
            for sku, qty, day in session.execute(
                select(SupplyRow.sku, SupplyRow.qty, SupplyRow.date).order_by(
                    SupplyRow.date, SupplyRow.ref
                )
            )
        ),
        demand=tuple(
            StockMove(sku, qty, day)
            for sku, qty, day in session.execute(
                select(DemandRow.sku, DemandRow.qty, DemandRow.date).order_by(
                    DemandRow.date, DemandRow.ref
                )
            )
        ),
        load=tuple(
            CapacityUse(resource, day, minutes)
            for resource, day, minutes in session.execute(
                select(LoadRow.resource, LoadRow.date, LoadRow.minutes).order_by(
                    LoadRow.date, LoadRow.ref
                )
            )
        ),
        holidays=frozenset(session.scalars(select(HolidayRow.date))),
        allocations=load_allocations(session),
    )


def load_allocations(session: Session) -> Allocations:
    """The allocation rows (by sku, group and period) and every customer's group."""
    rows = session.execute(
        select(
            AllocationRow.ref,
            AllocationRow.sku,
            AllocationRow.group,
            AllocationRow.from_date,
            AllocationRow.until_date,
            AllocationRow.qty,
        ).order_by(AllocationRow.sku, AllocationRow.group, AllocationRow.from_date)
    )
    return Allocations(
        rows=tuple(Allocation(*row) for row in rows),
        groups=dict(session.execute(select(CustomerRow.customer, CustomerRow.group)).all()),
    )


def _expedite(row: ItemRow) -> Expedite | None:
    if row.expedite_lead_time_days is None or row.expedite_cost_per_unit is None:
        return None
    return Expedite(row.expedite_lead_time_days, Fraction(row.expedite_cost_per_unit))


def _resources(session: Session) -> dict[str, Resource]:
    exceptions: dict[str, dict[date, int]] = defaultdict(dict)
    for exc in session.scalars(select(CalendarExceptionRow)):
        exceptions[exc.resource][exc.date] = exc.minutes
    overtime_exceptions: dict[str, dict[date, int]] = defaultdict(dict)
    for ot in session.scalars(select(OvertimeExceptionRow)):
        overtime_exceptions[ot.resource][ot.date] = ot.minutes
    resources: dict[str, Resource] = {}
    for row in session.scalars(select(ResourceRow).order_by(ResourceRow.code)):
        calendar = Calendar(
            weekly_minutes=_week(row.weekly_minutes),
            exceptions=dict(exceptions.get(row.code, {})),
        )
        overtime = None
        if row.overtime_weekly_minutes is not None and row.overtime_cost_per_minute is not None:
            overtime = Overtime(
                weekly_minutes=_week(row.overtime_weekly_minutes),
                exceptions=dict(overtime_exceptions.get(row.code, {})),
                cost_per_minute=Fraction(row.overtime_cost_per_minute),
            )
        resources[row.code] = Resource(
            code=row.code, name=row.name, calendar=calendar, overtime=overtime
        )
    return resources


def _week(minutes: list[int]) -> tuple[int, int, int, int, int, int, int]:
    mon, tue, wed, thu, fri, sat, sun = minutes
    return (mon, tue, wed, thu, fri, sat, sun)


def _routings(session: Session) -> dict[str, tuple[Operation, ...]]:
    routings: dict[str, list[Operation]] = defaultdict(list)
    rows = session.scalars(select(OperationRow).order_by(OperationRow.sku, OperationRow.seq))
    for row in rows:
        routings[row.sku].append(
            Operation(
                seq=row.seq,
                resource=row.resource,
                setup_minutes=row.setup_minutes,
                run_minutes_per_unit=Fraction(row.run_minutes_per_unit),
            )
        )
    return {sku: tuple(ops) for sku, ops in routings.items()}


def _bom(session: Session) -> dict[str, tuple[BomLine, ...]]:
    bom: dict[str, list[BomLine]] = defaultdict(list)
    for row in session.scalars(select(BomLineRow).order_by(BomLineRow.id)):
        bom[row.parent].append(BomLine(component=row.component, qty_per=Fraction(row.qty_per)))
    return {parent: tuple(lines) for parent, lines in bom.items()}
