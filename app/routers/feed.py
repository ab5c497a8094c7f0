"""The ERP feed (admin): incremental updates of the planning data, one row per request."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status
from starlette.convertors import PathConvertor, register_url_convertor

from app.auth import ADMIN, require
from app.deps import ClockDep, JsonBodyDep, SessionDep, SettingsDep
from app.schemas.feed import (
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


class _TextConvertor(PathConvertor):
    """Any ref the dataset accepts: a slash (PO-1001/10, as is or %2F), even a line break."""

    regex = r"[\s\S]*"


register_url_convertor("text", _TextConvertor())
RefPath = Annotated[str, Path(min_length=1, max_length=128)]
SkuPath = Annotated[str, Path(min_length=1, max_length=64)]


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
