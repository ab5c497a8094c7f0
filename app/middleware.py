"""Per request: a request id (X-Request-ID in and out), one access log line, the HTTP metrics;
and text with NUL characters refused before it reaches the database."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import FieldError, pointer
from app.logs import REQUEST_ID
from app.metrics import HTTP_LATENCY, HTTP_REQUESTS
from app.problems import problem_response

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is taken as is when it is short and plain; anything else gets a fresh one.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

access_log = logging.getLogger("orderpromise.access")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = incoming if _ACCEPTED_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            self._record(scope, status, elapsed)
            REQUEST_ID.reset(token)

    @staticmethod
    def _record(scope: Scope, status: int, elapsed: float) -> None:
        route = scope.get("route")
        # The template, never the raw path: one series per route, not per id.
        template = getattr(route, "path_format", None) or "unmatched"
        method = scope["method"]
        HTTP_REQUESTS.labels(method, template, str(status)).inc()
        HTTP_LATENCY.labels(method, template).observe(elapsed)
        caller = scope.get("state", {}).get("caller")
        access_log.info(
            "%s %s %s",
            method,
            template,
            status,
            extra={
                "method": method,
                "path": scope["path"],
                "route": template,
                "status": status,
                "duration_ms": round(elapsed * 1000, 1),
                "key_id": getattr(caller, "key_id", None),
                "role": getattr(caller, "role", None),
            },
        )


class NulTextMiddleware:
    """422 for a NUL character anywhere in the path, the query or a JSON body's strings.

    PostgreSQL cannot store NUL in text (SQLite can): refusing it here, with the pointer to the
    offending value, keeps both databases answering alike instead of one failing with a 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        errors: list[FieldError] = []
        if "\x00" in scope["path"]:
            errors.append(FieldError("/path", "must not contain NUL characters"))
        query = scope.get("query_string", b"").decode("latin-1")
        errors += [
            FieldError(pointer("query", name), "must not contain NUL characters")
            for name, value in parse_qsl(query, keep_blank_values=True)
            if "\x00" in name or "\x00" in value
        ]
        body, more = b"", True
        read = scope["method"] in ("POST", "PUT", "PATCH")
        if read:
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
            # Only a body with the JSON escape for NUL can hold one (a raw NUL is not JSON).
            if b"\\u0000" in body:
                errors += _nul_pointers(body)
            if b"%00" in body and Headers(scope=scope).get("content-type", "").startswith(
                "application/x-www-form-urlencoded"
            ):
                errors += [
                    FieldError(pointer("form", name), "must not contain NUL characters")
                    for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True)
                    if "\x00" in name or "\x00" in value
                ]
        if errors:
            response = problem_response(
                422,
                slug="validation-error",
                title="Validation failed",
                detail="text must not contain NUL characters",
                errors=errors,
            )
            await response(scope, receive, send)
            return
        if not read:
            await self.app(scope, receive, send)
            return
        replayed = False

        async def receive_body() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, receive_body, send)


def _nul_pointers(body: bytes) -> list[FieldError]:
    try:
        document = json.loads(body)
    except ValueError:
        return []  # not JSON: the route's own validation answers
    return [FieldError(at, "must not contain NUL characters") for at in _nul_paths(document, "")]


def _nul_paths(value: Any, at: str) -> Iterator[str]:
    if isinstance(value, str):
        if "\x00" in value:
            yield at
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, at + pointer(index))
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                yield at + pointer(key)
            yield from _nul_paths(item, at + pointer(key))
