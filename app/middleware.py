"""Per request: a request id (X-Request-ID in and out), one access log line, the HTTP metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import REQUEST_ID
from app.metrics import HTTP_LATENCY, HTTP_REQUESTS

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
