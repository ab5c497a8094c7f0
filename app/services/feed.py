"""The ERP feed: put or delete one supply, demand, load or allocation row or customer, set one
item's stock on hand, or set or remove one calendar exception of a resource (operations adding
the minutes of an extra-capacity option, SPEC section 5).

Each change is one transaction (the request's): it takes the reservations lock and bumps the
data version first, so that it serialises with holds, confirms and imports, and the next check
sees it; it is validated like the dataset (422 listing every error, nothing changed: the body
arrives as parsed JSON, so that a well-formed sku or resource is looked up even when another
field has a type error); and every live promise is re-evaluated before it commits
(app.services.promise_risk).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from app.db.feed import (
    allocations_of,
    delete_calendar_exception,
    delete_row,
    get_row,
    item_exists,
    put_calendar_exception,
    put_row,
    resource_exists,
)
from app.db.models import AllocationRow, CustomerRow, DemandRow, InventoryRow, LoadRow, SupplyRow
from app.db.planning import bump_data_version
from app.errors import FieldError, Invalid, NotFound
from app.schemas.dataset import AllocationDoc
from app.schemas.feed import (
    AllocationIn,
    AllocationOut,
    CalendarExceptionDeleted,
    CalendarExceptionIn,
    CalendarExceptionOut,
    CustomerDeleted,
    CustomerIn,
    CustomerOut,
    Deleted,
    DemandIn,
    DemandOut,
    InventoryIn,
    InventoryOut,
    LoadIn,
    LoadOut,
    SupplyIn,
    SupplyOut,
)
from app.schemas.types import IsoDate
from app.services.dataset_validation import ParsedRow, allocation_period_errors, parse_row
from app.services.promise_risk import fulfil_promise, fulfilment_problem, reevaluate_promises
from app.settings import Settings

BodyT = TypeVar("BodyT", bound=BaseModel)
_DATE = TypeAdapter[Any](IsoDate)


@dataclass(frozen=True, slots=True)
class FeedContext:
    session: Session
    settings: Settings
    now: datetime


def put_supply(ctx: FeedContext, ref: str, raw: Any) -> tuple[SupplyOut, bool]:
    """Create or replace a supply row from the JSON body `raw`; True when it is new."""
    version = bump_data_version(ctx.session)
    row = parse_row(SupplyIn, raw)
    errors = row.errors + _key_errors("ref", row.text("ref"), ref)
    errors += _item_errors(ctx.session, row.text("sku"))
    body = _refuse(row, errors, "supply")
    values = {"ref": ref, "sku": body.sku, "qty": body.qty, "date": body.date}
    created = put_row(ctx.session, SupplyRow, ref, values)
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    return SupplyOut(**values, data_version=version, promises_at_risk=at_risk), created


def put_demand(ctx: FeedContext, ref: str, raw: Any) -> tuple[DemandOut, bool]:
    """Create or replace a demand row; naming a promise marks it fulfilled."""
    version = bump_data_version(ctx.session)
    row = parse_row(DemandIn, raw)
    errors = row.errors + _key_errors("ref", row.text("ref"), ref)
    errors += _item_errors(ctx.session, row.text("sku"))
    promise_id = row.text("promise_id")
    if promise_id is not None:
        problem = fulfilment_problem(ctx.session, promise_id, ctx.now)
        if problem:
            errors.append(FieldError("/promise_id", problem))
    body = _refuse(row, errors, "demand")
    values = {
        "ref": ref,
        "sku": body.sku,
        "qty": body.qty,
        "date": body.date,
        "promise_id": body.promise_id,
    }
    created = put_row(ctx.session, DemandRow, ref, values)
    if body.promise_id is not None:
        fulfil_promise(ctx.session, body.promise_id, ctx.now)
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    return DemandOut(**values, data_version=version, promises_at_risk=at_risk), created


def put_load(ctx: FeedContext, ref: str, raw: Any) -> tuple[LoadOut, bool]:
    """Create or replace a load row (minutes booked on a resource)."""
    version = bump_data_version(ctx.session)
    row = parse_row(LoadIn, raw)
    errors = row.errors + _key_errors("ref", row.text("ref"), ref)
    resource = row.text("resource")
    if resource is not None and not resource_exists(ctx.session, resource):
        errors.append(FieldError("/resource", f"unknown resource {resource}"))
    body = _refuse(row, errors, "load")
    values = {"ref": ref, "resource": body.resource, "date": body.date, "minutes": body.minutes}
    created = put_row(ctx.session, LoadRow, ref, values)
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    return LoadOut(**values, data_version=version, promises_at_risk=at_risk), created


def put_inventory(ctx: FeedContext, sku: str, raw: Any) -> tuple[InventoryOut, bool]:
    """Set an item's stock on hand; True when the item had no inventory row."""
    version = bump_data_version(ctx.session)
    row = parse_row(InventoryIn, raw)
    errors = row.errors + _key_errors("sku", row.text("sku"), sku)
    if not item_exists(ctx.session, sku):
        errors.append(FieldError("/path/sku", f"unknown item {sku}"))
    body = _refuse(row, errors, "inventory")
    created = put_row(ctx.session, InventoryRow, sku, {"sku": sku, "on_hand": body.on_hand})
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    out = InventoryOut(
        sku=sku, on_hand=body.on_hand, data_version=version, promises_at_risk=at_risk
    )
    return out, created


def delete_supply(ctx: FeedContext, ref: str) -> Deleted:
    version = bump_data_version(ctx.session)
    if get_row(ctx.session, SupplyRow, ref) is None:
        raise NotFound(f"no supply row with ref {ref}")
    delete_row(ctx.session, SupplyRow, ref)
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    return Deleted(ref=ref, data_version=version, promises_at_risk=at_risk)


def delete_demand(ctx: FeedContext, ref: str) -> Deleted:
    """Delete a demand row. A promise it fulfilled stays fulfilled: the ERP closed the order."""
    version = bump_data_version(ctx.session)
    if get_row(ctx.session, DemandRow, ref) is None:
        raise NotFound(f"no demand row with ref {ref}")
    delete_row(ctx.session, DemandRow, ref)
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    return Deleted(ref=ref, data_version=version, promises_at_risk=at_risk)


def delete_load(ctx: FeedContext, ref: str) -> Deleted:
    version = bump_data_version(ctx.session)
    if get_row(ctx.session, LoadRow, ref) is None:
        raise NotFound(f"no load row with ref {ref}")
    delete_row(ctx.session, LoadRow, ref)
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    return Deleted(ref=ref, data_version=version, promises_at_risk=at_risk)


def put_allocation(ctx: FeedContext, ref: str, raw: Any) -> tuple[AllocationOut, bool]:
    """Create or replace an allocation row (SPEC section 7); its period may not overlap another
    of the same sku and group."""
    version = bump_data_version(ctx.session)
    row = parse_row(AllocationIn, raw)
    errors = row.errors + _key_errors("ref", row.text("ref"), ref)
    errors += _item_errors(ctx.session, row.text("sku"))
    if row.model is not None:
        body = row.model
        others = [
            (0, _allocation_doc(other.ref, other))
            for other in allocations_of(ctx.session, body.sku, body.group)
            if other.ref != ref
        ]
        mine = _allocation_doc(ref, body)
        errors += allocation_period_errors([*others, (0, mine)], prefix=())
    body = _refuse(row, errors, "allocation")
    values = {
        "ref": ref,
        "sku": body.sku,
        "group": body.group,
        "from_date": body.from_date,
        "until_date": body.until_date,
        "qty": body.qty,
    }
    created = put_row(ctx.session, AllocationRow, ref, values)
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    return AllocationOut(**values, data_version=version, promises_at_risk=at_risk), created


def delete_allocation(ctx: FeedContext, ref: str) -> Deleted:
    version = bump_data_version(ctx.session)
    if get_row(ctx.session, AllocationRow, ref) is None:
        raise NotFound(f"no allocation row with ref {ref}")
    delete_row(ctx.session, AllocationRow, ref)
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    return Deleted(ref=ref, data_version=version, promises_at_risk=at_risk)


def put_customer(ctx: FeedContext, customer: str, raw: Any) -> tuple[CustomerOut, bool]:
    """Put a customer in a group; True when the customer was not listed (it was in `*`)."""
    version = bump_data_version(ctx.session)
    row = parse_row(CustomerIn, raw)
    errors = row.errors + _key_errors("customer", row.text("customer"), customer)
    body = _refuse(row, errors, "customer")
    values = {"customer": customer, "group": body.group}
    created = put_row(ctx.session, CustomerRow, customer, values)
    # A group changes which allocation the customer's next lines use; what its promises were
    # given they keep, so nothing already promised is touched.
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    return CustomerOut(**values, data_version=version, promises_at_risk=at_risk), created


def delete_customer(ctx: FeedContext, customer: str) -> CustomerDeleted:
    """The customer is no longer listed: it falls back to the group `*`."""
    version = bump_data_version(ctx.session)
    if not delete_row(ctx.session, CustomerRow, customer):
        raise NotFound(f"no customer {customer} is listed")
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    return CustomerDeleted(customer=customer, data_version=version, promises_at_risk=at_risk)


def _allocation_doc(ref: str, row: AllocationRow | AllocationIn) -> AllocationDoc:
    return AllocationDoc.model_validate(
        {
            "ref": ref,
            "sku": row.sku,
            "group": row.group,
            "from": row.from_date,
            "until": row.until_date,
            "qty": row.qty,
        }
    )


def put_exception(
    ctx: FeedContext, code: str, day: str, raw: Any
) -> tuple[CalendarExceptionOut, bool]:
    """Set a resource's calendar minutes on one date; True when the date had no exception."""
    version = bump_data_version(ctx.session)
    row = parse_row(CalendarExceptionIn, raw)
    errors = row.errors + _resource_errors(ctx.session, code)
    when = _path_date(day, errors)
    if when is None or errors or row.model is None:
        raise Invalid(
            f"the calendar exception has {len(errors)} error(s); nothing was changed", errors
        )
    created = put_calendar_exception(ctx.session, code, when, row.model.minutes)
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    out = CalendarExceptionOut(
        resource=code,
        date=when,
        minutes=row.model.minutes,
        data_version=version,
        promises_at_risk=at_risk,
    )
    return out, created


def delete_exception(ctx: FeedContext, code: str, day: str) -> CalendarExceptionDeleted:
    """Remove a resource's calendar exception: the day works its weekly minutes again."""
    version = bump_data_version(ctx.session)
    errors = _resource_errors(ctx.session, code)
    when = _path_date(day, errors)
    if errors or when is None:
        raise Invalid(f"{len(errors)} error(s); nothing was changed", errors)
    if not delete_calendar_exception(ctx.session, code, when):
        raise NotFound(f"{code} has no calendar exception on {when}")
    at_risk = reevaluate_promises(ctx.session, ctx.settings, ctx.now).at_risk
    return CalendarExceptionDeleted(
        resource=code, date=when, data_version=version, promises_at_risk=at_risk
    )


def _resource_errors(session: Session, code: str) -> list[FieldError]:
    if resource_exists(session, code):
        return []
    return [FieldError("/path/code", f"unknown resource {code}")]


def _path_date(text: str, errors: list[FieldError]) -> date | None:
    """The path's ISO date, or None with its error added."""
    try:
        when: date = _DATE.validate_python(text)
    except ValidationError:
        errors.append(FieldError("/path/date", "must be an ISO date (YYYY-MM-DD)"))
        return None
    return when


def _key_errors(name: str, in_body: str | None, in_path: str) -> list[FieldError]:
    if in_body is None or in_body == in_path:
        return []
    return [FieldError(f"/{name}", f"{name} {in_body!r} differs from the path's {in_path!r}")]


def _item_errors(session: Session, sku: str | None) -> list[FieldError]:
    """An unknown item; nothing when the sku is missing or malformed (that is its own error)."""
    if sku is None or item_exists(session, sku):
        return []
    return [FieldError("/sku", f"unknown item {sku}")]


def _refuse(row: ParsedRow[BodyT], errors: list[FieldError], what: str) -> BodyT:
    """The body as its model, or Invalid with every error (the row's and the reference ones)."""
    if errors or row.model is None:
        raise Invalid(f"the {what} row has {len(errors)} error(s); nothing was changed", errors)
    return row.model
