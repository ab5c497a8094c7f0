"""Import and export of the dataset document (SPEC section 1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.db.export import dataset_document
from app.db.locking import lock_reservations
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
from app.db.planning import replace_planning_data
from app.errors import FieldError, Invalid, pointer
from app.schemas.dataset import ROW_MODELS, DatasetDocument, DatasetSummary
from app.services.dataset_validation import validate_dataset
from app.services.promise_risk import fulfil_promise, fulfilment_problem, reevaluate_promises
from app.settings import Settings


def import_dataset(session: Session, settings: Settings, raw: Any, now: datetime) -> DatasetSummary:
    """Validate `raw` (JSON with numbers parsed as Decimal) and replace all planning data.

    Raises Invalid with every error; the caller's transaction makes the replacement atomic.
    Demand rows naming a promise mark it fulfilled; then every live promise is
    re-evaluated against the new data (app.services.promise_risk).
    """
    doc = validate_dataset(raw)
    lock_reservations(session)  # promise statuses stay as read until the import commits
    errors = [
        FieldError(pointer("demand", index, "promise_id"), problem)
        for index, row in enumerate(doc.demand)
        if row.promise_id is not None
        and (problem := fulfilment_problem(session, row.promise_id, now)) is not None
    ]
    if errors:
        raise Invalid(f"the dataset has {len(errors)} error(s); nothing was changed", errors)
    version = replace_planning_data(session, _rows(doc))
    for row in doc.demand:
        if row.promise_id is not None:
            fulfil_promise(session, row.promise_id, now)
    at_risk = reevaluate_promises(session, settings, now).at_risk
    counts = {"holidays": len(doc.holidays)} | {
        name: len(getattr(doc, name)) for name in ROW_MODELS
    }
    return DatasetSummary(counts=counts, data_version=version, promises_at_risk=at_risk)


def _rows(doc: DatasetDocument) -> dict[type[Any], list[dict[str, Any]]]:
    return {
        ItemRow: [
            item.model_dump(exclude={"expedite"})
            | {
                "expedite_lead_time_days": item.expedite and item.expedite.lead_time_days,
                "expedite_cost_per_unit": item.expedite and str(item.expedite.cost_per_unit),
            }
            for item in doc.items
        ],
        ResourceRow: [
            {
                "code": r.code,
                "name": r.name,
                "weekly_minutes": list(r.calendar.weekly_minutes),
                "overtime_weekly_minutes": r.overtime and list(r.overtime.weekly_minutes),
                "overtime_cost_per_minute": r.overtime and str(r.overtime.cost_per_minute),
            }
            for r in doc.resources
        ],
        CalendarExceptionRow: [
            {"resource": r.code, "date": e.date, "minutes": e.minutes}
            for r in doc.resources
            for e in r.calendar.exceptions
        ],
        OvertimeExceptionRow: [
            {"resource": r.code, "date": e.date, "minutes": e.minutes}
            for r in doc.resources
            if r.overtime is not None
            for e in r.overtime.exceptions
        ],
        HolidayRow: [{"date": day} for day in doc.holidays],
        OperationRow: [
            op.model_dump() | {"sku": r.sku, "run_minutes_per_unit": str(op.run_minutes_per_unit)}
            for r in doc.routings
            for op in r.operations
        ],
        BomLineRow: [line.model_dump() | {"qty_per": str(line.qty_per)} for line in doc.bom],
        InventoryRow: [row.model_dump() for row in doc.inventory],
        SupplyRow: [row.model_dump() for row in doc.supply],
        DemandRow: [row.model_dump() for row in doc.demand],
        LoadRow: [row.model_dump() for row in doc.load],
        CustomerRow: [row.model_dump() for row in doc.customers],
        AllocationRow: [row.model_dump(by_alias=False) for row in doc.allocations],
    }


def export_dataset(session: Session) -> dict[str, Any]:
    """The planning data as a JSON-ready dataset document (decimals as JSON numbers)."""
    return dataset_document(session)
