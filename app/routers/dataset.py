"""The dataset document: replace all planning data, or export it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.auth import ADMIN, OPS, require
from app.deps import ClockDep, SessionDep, SettingsDep, parse_json_document
from app.schemas.dataset import DatasetDocument, DatasetSummary
from app.schemas.problem import problem_responses
from app.services.dataset import export_dataset, import_dataset

router = APIRouter(prefix="/v1/dataset", tags=["dataset"])

_DOCUMENT_SCHEMA = {"$ref": "#/components/schemas/DatasetDocument"}


@router.put(
    "",
    operation_id="import_dataset",
    dependencies=[require(ADMIN)],
    response_model=DatasetSummary,
    responses=problem_responses(422),
    # The body is read raw so that decimals parse exactly and every row error is reported;
    # OpenAPI still documents it as a DatasetDocument.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _DOCUMENT_SCHEMA}},
        }
    },
)
async def put_dataset(
    request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> DatasetSummary:
    """Replace all planning data with the document (atomic); an invalid one changes nothing."""
    raw = parse_json_document(await request.body())
    # The import is blocking database work: keep it off the event loop.
    return await run_in_threadpool(import_dataset, session, settings, raw, clock())


@router.get(
    "",
    operation_id="export_dataset",
    dependencies=[require(ADMIN, OPS)],
    response_class=JSONResponse,
    responses={200: {"model": DatasetDocument, "description": "The dataset document"}},
)
def get_dataset(session: SessionDep) -> JSONResponse:
    """Export the planning data as a dataset document (decimals as JSON numbers)."""
    return JSONResponse(export_dataset(session))
