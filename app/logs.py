"""Structured logs: one JSON object per line, each with the request id of its request.

`orderpromise serve` and `demo` hand ``uvicorn_log_config()`` to uvicorn, so the server's own
lines are JSON too. When stderr is a terminal (a person running `make demo`), the same lines are
printed readably by Rich instead: time, level, message, then the request id and extras as
``key=value``. Nothing here ever sees a request's headers; as a second line of defence the
formatter masks anything shaped like an API key, a bearer credential or a webhook secret, and the
bootstrap key.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.logging import RichHandler

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else was passed with `extra=` and is logged.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_KEY = re.compile(r"(opk_[0-9a-f]{12}_)[A-Za-z0-9_-]+")
_BEARER = re.compile(r"(?i)(bearer\s+)\S+")
_WEBHOOK_SECRET = re.compile(r"(whsec_)[A-Za-z0-9+/=]+")
_secrets: set[str] = set()


def mask_secret(secret: str) -> None:
    """Never print ``secret`` (e.g. PROMISE_BOOTSTRAP_KEY) in a log line."""
    if secret:
        _secrets.add(secret)


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "[redacted]")
    text = _KEY.sub(r"\1[redacted]", text)
    text = _WEBHOOK_SECRET.sub(r"\1[redacted]", text)
    return _BEARER.sub(r"\1[redacted]", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        for name, value in record.__dict__.items():
            if name not in _STANDARD and not name.startswith("_"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str, ensure_ascii=False))


class ReadableFormatter(logging.Formatter):
    """The message, then the request id and extras as ``key=value``: for a person reading.

    uvicorn's ``color_message`` (its message again, with colour codes) is left out: Rich colours.
    """

    def format(self, record: logging.LogRecord) -> str:
        parts = [record.getMessage()]
        request_id = REQUEST_ID.get()
        if request_id is not None:
            parts.append(f"request_id={request_id}")
        parts.extend(
            f"{name}={value}"
            for name, value in record.__dict__.items()
            if name not in _STANDARD and not name.startswith("_") and name != "color_message"
        )
        text = " ".join(parts)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return redact(text)


def readable_handler() -> logging.Handler:
    """Rich's handler on stderr; markup off, so brackets in a message print as they are."""
    return RichHandler(
        console=Console(stderr=True), show_path=False, markup=False, log_time_format="%H:%M:%S"
    )


def uvicorn_log_config(level: str = "INFO") -> dict[str, Any]:
    """logging.config.dictConfig for the server: JSON on stderr for the app and uvicorn, or
    readable lines when stderr is a terminal.

    uvicorn's access log is off: app.middleware writes one line per request instead, with the
    request id, route template, status and duration (and never the headers).
    """
    handler: dict[str, Any] = (
        {"()": readable_handler, "formatter": "readable"}
        if sys.stderr.isatty()
        else {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}, "readable": {"()": ReadableFormatter}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
