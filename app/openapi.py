"""The OpenAPI document, complete and honest.

FastAPI writes most of it from the routes; this finishes it in one place:

- every error response is ``application/problem+json`` with the Problem schema (FastAPI would
  document its own validation error shape, which this service never sends);
- every guarded route names its roles, the bearer scheme, and its 401 (with the
  ``WWW-Authenticate`` challenge) and 403 answers; public routes say they need no key;
- examples from the golden bike plant on the operations a CRM builds against first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.auth import route_roles
from app.schemas.check import CheckRequest
from app.schemas.examples import CHECK_REQUEST, CHECK_RESULT, GOLDEN_DATASET, OPTIONS_REQUEST
from app.schemas.feed import FEED_BODIES
from app.schemas.problem import PROBLEM_MEDIA_TYPE, Problem
from app.schemas.promise import HoldRequest

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_DESCRIPTIONS = {
    401: "No API key, or one that is unknown or revoked",
    403: "The key's role may not do this",
    404: "Not found",
    409: "Conflict",
    422: "Validation failed: every error with its JSON pointer",
    503: "Service unavailable",
}
_METHODS = ("get", "put", "post", "delete", "patch")
# Bodies their routes read raw (the service validates them whole), so FastAPI does not list them.
RAW_BODIES: tuple[type[BaseModel], ...] = (*FEED_BODIES, CheckRequest, HoldRequest)


def raw_json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads its body raw: documents ``model`` as its body."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def operation_id(route: APIRoute) -> str:
    """A route's operationId: its function's name (``create_check``, ``hold_promise``) unless the
    route says ``operation_id=``, never FastAPI's ``create_check_v1_checks_post``. Generated
    clients name their methods after it: tests/test_http_contract.py keeps every id snake_case
    and unique, and pins the published ones."""
    return route.name


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the finished document (built once per route set)."""
    generate: Callable[[], dict[str, Any]] = app.openapi
    finished: set[int] = set()

    def openapi() -> dict[str, Any]:
        document = generate()
        if id(document) not in finished:
            finish(app, document)
            finished.add(id(document))
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def finish(app: FastAPI, document: dict[str, Any]) -> None:
    roles = {
        (method.lower(), _template(path)): allowed
        for (method, path), allowed in route_roles(app).items()
    }
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for model in RAW_BODIES:
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(body.pop("$defs", {}))
        schemas[model.__name__] = body
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            allowed = roles.get((method, path))
            if allowed:
                _guarded(operation, allowed)
            else:
                operation["security"] = []
            for status, response in operation.get("responses", {}).items():
                if status[0] in "45":
                    _problem(response, int(status))
            _examples(method, path, operation)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _template(path: str) -> str:
    """/v1/supply/{ref:path} as OpenAPI writes it: /v1/supply/{ref}."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def _guarded(operation: dict[str, Any], roles: tuple[str, ...]) -> None:
    operation["security"] = [{"bearer": []}]
    operation["x-roles"] = list(roles)
    note = "Roles: " + ", ".join(roles) + "."
    description = operation.get("description", "")
    operation["description"] = f"{description}\n\n{note}" if description else note
    responses = operation.setdefault("responses", {})
    responses.setdefault("401", {})
    responses["401"]["headers"] = {
        "WWW-Authenticate": {
            "description": 'The bearer challenge, e.g. `Bearer realm="orderpromise"`',
            "schema": {"type": "string"},
        }
    }
    responses.setdefault("403", {})


def _problem(response: dict[str, Any], status: int) -> None:
    response["description"] = _DESCRIPTIONS.get(status, response.get("description", "Problem"))
    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}


def _examples(method: str, path: str, operation: dict[str, Any]) -> None:
    request, answers = _EXAMPLES.get((method, path), (None, {}))
    if request is not None:
        content = operation["requestBody"]["content"]["application/json"]
        content["examples"] = {
            "golden": {"summary": "From the golden bike plant", "value": request}
        }
        if (method, path) == ("post", "/v1/checks"):
            content["examples"]["options"] = {
                "summary": "A late line with its options (golden plant, overtime on ASSY)",
                "value": OPTIONS_REQUEST,
            }
    for status, value in answers.items():
        content = operation["responses"][status]["content"]["application/json"]
        content["examples"] = {"golden": {"summary": "From the golden bike plant", "value": value}}


_HOLD_REQUEST = CHECK_REQUEST | {"hold_minutes": 30, "mode": "promised"}
_EXAMPLES: dict[tuple[str, str], tuple[dict[str, Any] | None, dict[str, Any]]] = {
    ("post", "/v1/checks"): (CHECK_REQUEST, {"201": CHECK_RESULT}),
    ("get", "/v1/checks/{check_id}"): (None, {"200": CHECK_RESULT}),
    ("post", "/v1/promises"): (_HOLD_REQUEST, {}),
    ("put", "/v1/dataset"): (GOLDEN_DATASET, {}),
    ("get", "/v1/dataset"): (None, {"200": GOLDEN_DATASET}),
    ("put", "/v1/supply/{ref}"): ({"sku": "FRAME", "qty": 50, "date": "2026-12-10"}, {}),
    ("put", "/v1/demand/{ref}"): ({"sku": "BIKE", "qty": 10, "date": "2026-12-18"}, {}),
    ("put", "/v1/load/{ref}"): ({"resource": "WELD", "date": "2026-12-08", "minutes": 240}, {}),
    ("put", "/v1/inventory/{sku}"): ({"on_hand": 40}, {}),
}
