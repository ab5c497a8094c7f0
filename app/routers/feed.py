"""The ERP feed (admin): incremental updates of the planning data, one row per request."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status
from starlette.convertors import PathConvertor, register_url_convertor

from app.auth import ADMIN, OPS, require
from app.deps import ClockDep, JsonBodyDep, SessionDep, SettingsDep
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
from app.schemas.problem import problem_responses
from app.services import feed
from app.services.feed import FeedContext

router = APIRouter(prefix="/v1", tags=["erp feed"], dependencies=[require(ADMIN)])
# Operations add the minutes an extra-capacity option asks for (SPEC section 5).
exceptions_router = APIRouter(prefix="/v1", tags=["erp feed"], dependencies=[require(ADMIN, OPS)])


class _TextConvertor(PathConvertor):
    """Any ref the dataset accepts: a slash (PO-1001/10, as is or %2F), even a line break."""

    regex = r"[\s\S]*"


register_url_convertor("text", _TextConvertor())
RefPath = Annotated[str, Path(min_length=1, max_length=128)]
SkuPath = Annotated[str, Path(min_length=1, max_length=64)]
CustomerPath = Annotated[str, Path(min_length=1, max_length=200)]
CodePath = Annotated[str, Path(min_length=1, max_length=64)]
DatePath = Annotated[str, Path(description="An ISO date (YYYY-MM-DD).")]


def _context(session: SessionDep, settings: SettingsDep, clock: ClockDep) -> FeedContext:
    return FeedContext(session, settings, clock())


FeedDep = Annotated[FeedContext, Depends(_context)]


def _put_responses(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": "Replaced"},
        201: {"model": model, "description": "Created"},
        **problem_responses(422),
    }


def _body(model: type[Any]) -> dict[str, Any]:
    """OpenAPI for a body read raw: the service validates it, so that a type error in one field
    does not hide an unknown sku in another (app.openapi adds the model's schema)."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _answer(response: Response, created: bool) -> None:
    if created:
        response.status_code = status.HTTP_201_CREATED


@router.put(
    "/supply/{ref:text}",
    response_model=SupplyOut,
    responses=_put_responses(SupplyOut),
    openapi_extra=_body(SupplyIn),
)
def put_supply(
    ref: RefPath,
    body: JsonBodyDep,
    response: Response,
    ctx: FeedDep,
) -> SupplyOut:
    """Create or replace a scheduled receipt; 201 when new, 200 when replaced."""
    out, created = feed.put_supply(ctx, ref, body)
    _answer(response, created)
    return out


@router.delete("/supply/{ref:text}", response_model=Deleted, responses=problem_responses(404))
def delete_supply(ref: RefPath, ctx: FeedDep) -> Deleted:
    """Delete a scheduled receipt; 404 when there is none with this ref."""
    return feed.delete_supply(ctx, ref)


@router.put(
    "/demand/{ref:text}",
    response_model=DemandOut,
    responses=_put_responses(DemandOut),
    openapi_extra=_body(DemandIn),
)
def put_demand(
    ref: RefPath,
    body: JsonBodyDep,
    response: Response,
    ctx: FeedDep,
) -> DemandOut:
    """Create or replace a firm order; with `promise_id` the promise becomes fulfilled."""
    out, created = feed.put_demand(ctx, ref, body)
    _answer(response, created)
    return out


@router.delete("/demand/{ref:text}", response_model=Deleted, responses=problem_responses(404))
def delete_demand(ref: RefPath, ctx: FeedDep) -> Deleted:
    """Delete a firm order; 404 when there is none. A promise it fulfilled stays fulfilled."""
    return feed.delete_demand(ctx, ref)


@router.put(
    "/load/{ref:text}",
    response_model=LoadOut,
    responses=_put_responses(LoadOut),
    openapi_extra=_body(LoadIn),
)
def put_load(
    ref: RefPath,
    body: JsonBodyDep,
    response: Response,
    ctx: FeedDep,
) -> LoadOut:
    """Create or replace minutes booked on a resource; 201 when new, 200 when replaced."""
    out, created = feed.put_load(ctx, ref, body)
    _answer(response, created)
    return out


@router.delete("/load/{ref:text}", response_model=Deleted, responses=problem_responses(404))
def delete_load(ref: RefPath, ctx: FeedDep) -> Deleted:
    """Delete booked minutes; 404 when there is no load row with this ref."""
    return feed.delete_load(ctx, ref)


@router.put(
    "/inventory/{sku}",
    response_model=InventoryOut,
    responses=_put_responses(InventoryOut),
    openapi_extra=_body(InventoryIn),
)
def put_inventory(
    sku: SkuPath,
    body: JsonBodyDep,
    response: Response,
    ctx: FeedDep,
) -> InventoryOut:
    """Set an item's stock on hand; 201 when the item had none recorded."""
    out, created = feed.put_inventory(ctx, sku, body)
    _answer(response, created)
    return out


@router.put(
    "/allocations/{ref:text}",
    response_model=AllocationOut,
    responses=_put_responses(AllocationOut),
    operation_id="put_allocation",
    openapi_extra=_body(AllocationIn),
)
def put_allocation(
    ref: RefPath,
    body: JsonBodyDep,
    response: Response,
    ctx: FeedDep,
) -> AllocationOut:
    """Create or replace an allocation row; confirmed promises keep what they were given."""
    out, created = feed.put_allocation(ctx, ref, body)
    _answer(response, created)
    return out


@router.delete(
    "/allocations/{ref:text}",
    response_model=Deleted,
    responses=problem_responses(404),
    operation_id="delete_allocation",
)
def delete_allocation(ref: RefPath, ctx: FeedDep) -> Deleted:
    """Delete an allocation row; 404 when there is none with this ref."""
    return feed.delete_allocation(ctx, ref)


@router.put(
    "/customers/{customer:text}",
    response_model=CustomerOut,
    responses=_put_responses(CustomerOut),
    operation_id="put_customer",
    openapi_extra=_body(CustomerIn),
)
def put_customer(
    customer: CustomerPath,
    body: JsonBodyDep,
    response: Response,
    ctx: FeedDep,
) -> CustomerOut:
    """Put a customer in a group for allocations; 201 when it was not listed (group `*`)."""
    out, created = feed.put_customer(ctx, customer, body)
    _answer(response, created)
    return out


@router.delete(
    "/customers/{customer:text}",
    response_model=CustomerDeleted,
    responses=problem_responses(404),
    operation_id="delete_customer",
)
def delete_customer(customer: CustomerPath, ctx: FeedDep) -> CustomerDeleted:
    """Unlist a customer: it falls back to the group `*`; 404 when it is not listed."""
    return feed.delete_customer(ctx, customer)


@exceptions_router.put(
    "/resources/{code}/exceptions/{date}",
    operation_id="put_resource_exception",
    response_model=CalendarExceptionOut,
    responses=_put_responses(CalendarExceptionOut),
    openapi_extra=_body(CalendarExceptionIn),
)
def put_resource_exception(
    code: CodePath,
    date: DatePath,
    body: JsonBodyDep,
    response: Response,
    ctx: FeedDep,
) -> CalendarExceptionOut:
    """Set the minutes a resource works on one date (replacing its weekly minutes, and a
    holiday): how operations add the overtime of an extra-capacity option. 201 when new."""
    out, created = feed.put_exception(ctx, code, date, body)
    _answer(response, created)
    return out


@exceptions_router.delete(
    "/resources/{code}/exceptions/{date}",
    operation_id="delete_resource_exception",
    response_model=CalendarExceptionDeleted,
    responses=problem_responses(404, 422),
)
def delete_resource_exception(
    code: CodePath, date: DatePath, ctx: FeedDep
) -> CalendarExceptionDeleted:
    """Remove a resource's calendar exception; 404 when it has none on that date."""
    return feed.delete_exception(ctx, code, date)
