"""The quote form: HTML form fields <-> a check request, and API errors -> the form's fields.

Field names follow the JSON pointers of the check request (``lines-0-qty`` is ``/lines/0/qty``),
so an error of the API lands next to the input it is about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from pydantic import ValidationError

from app.errors import FieldError, Invalid, from_pydantic
from app.schemas.check import CheckRequest
from app.services.ops_review import ReviewQuery

MAX_FORM_BYTES = 64 * 1024
MAX_LINES = 100
_LINE_FIELD = re.compile(r"^lines-(\d{1,3})-(sku|qty|requested_date)$")
_LINE_POINTER = re.compile(r"^/lines/(\d+)/(\w+)$")
TOP_FIELDS = ("customer", "quote_ref", "ship_complete")


def parse_form(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body; the last value wins for a repeated name."""
    if len(body) > MAX_FORM_BYTES:
        raise Invalid("the form is too large", [FieldError("", "the form is too large")])
    text = body.decode("utf-8", errors="replace")
    return dict(parse_qsl(text, keep_blank_values=True, max_num_fields=4 * MAX_LINES + 20))


@dataclass
class LineInput:
    sku: str = ""
    qty: str = ""
    requested_date: str = ""


@dataclass
class QuoteForm:
    """What the user typed, kept as text so that the page can show it back with the errors."""

    customer: str = ""
    quote_ref: str = ""
    ship_complete: bool = False
    lines: list[LineInput] = field(default_factory=lambda: [LineInput()])

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> QuoteForm:
        by_index: dict[int, LineInput] = {}
        for name, value in fields.items():
            if match := _LINE_FIELD.match(name):
                line = by_index.setdefault(int(match[1]), LineInput())
                setattr(line, match[2], value.strip())
        # Lines removed in the browser leave gaps in the numbering; the order is what counts.
        lines = [by_index[i] for i in sorted(by_index)][:MAX_LINES] or [LineInput()]
        return cls(
            customer=fields.get("customer", "").strip(),
            quote_ref=fields.get("quote_ref", "").strip(),
            ship_complete=fields.get("ship_complete", "") in {"on", "true", "1"},
            lines=lines,
        )

    @classmethod
    def from_link(cls, query: Mapping[str, Sequence[str]]) -> QuoteForm | None:
        """A deep link: ``?sku=BIKE&qty=40&date=2026-12-08``, repeated for more lines.

        None when the link names no item (an empty form then).
        """
        skus = query.get("sku", [])
        if not skus:
            return None
        qtys, dates = query.get("qty", []), query.get("date", [])
        lines = [
            LineInput(
                sku=sku.strip(),
                qty=qtys[i].strip() if i < len(qtys) else "1",
                requested_date=dates[i].strip() if i < len(dates) else "",
            )
            for i, sku in enumerate(skus[:MAX_LINES])
        ]
        return cls(
            customer=_first(query, "customer") or "Quick check",
            quote_ref=_first(query, "quote_ref") or "LINK",
            ship_complete=_first(query, "ship_complete") in {"1", "true", "on"},
            lines=lines,
        )

    def to_document(self) -> dict[str, Any]:
        """The check request as JSON would carry it; quantities that are not numbers stay text
        so that the API's own validation reports them."""
        return {
            "quote_ref": self.quote_ref,
            "customer": self.customer,
            "ship_complete": self.ship_complete,
            "lines": [
                {
                    "line_ref": str(i + 1),
                    "sku": line.sku,
                    "qty": int(line.qty) if re.fullmatch(r"-?\d{1,9}", line.qty) else line.qty,
                    "requested_date": line.requested_date,
                }
                for i, line in enumerate(self.lines)
            ],
        }

    def to_request(self) -> CheckRequest:
        """The check request, or Invalid with the same pointers and messages as the API. The
        page asks for both options (SPEC section 5): a late line shows what could be done."""
        try:
            return CheckRequest.model_validate(
                self.to_document() | {"options": ["split", "extra_capacity"]}
            )
        except ValidationError as exc:
            raise Invalid("the check request is not valid", from_pydantic(exc.errors())) from exc


def field_id(pointer: str) -> str | None:
    """The id of the form input a JSON pointer is about, or None for the form as a whole."""
    if match := _LINE_POINTER.match(pointer):
        index, name = match[1], match[2]
        # A line reference is made by the page, not typed: report it on the item.
        return f"lines-{index}-{'sku' if name == 'line_ref' else name}"
    name = pointer.removeprefix("/query/").removeprefix("/")
    if name in TOP_FIELDS or name in OPS_TEXT_FIELDS:
        return name
    return None


def errors_by_field(errors: Sequence[FieldError]) -> tuple[dict[str, list[str]], list[str]]:
    """Messages per input id, and the messages about the whole form."""
    per_field: dict[str, list[str]] = {}
    general: list[str] = []
    for error in errors:
        target = field_id(error.pointer)
        if target is None:
            general.append(error.message)
        else:
            per_field.setdefault(target, []).append(error.message)
    return per_field, general


def _first(query: Mapping[str, Sequence[str]], name: str) -> str:
    values = query.get(name, [])
    return values[0].strip() if values else ""


# -- operations review filters -------------------------------------------------------------------

OPS_TEXT_FIELDS = ("sku", "customer", "since", "until", "stats_since", "stats_until", "weeks")
WEEK_CHOICES = (2, 4, 8, 13)


def ops_query(query: Mapping[str, str]) -> tuple[ReviewQuery, dict[str, str], list[FieldError]]:
    """The review's filters from the query string, the text to show back, and what was wrong.

    A filter that does not parse is left out (and reported next to its field), never a 422 page.
    """
    text = {name: query.get(name, "").strip() for name in OPS_TEXT_FIELDS}
    errors: list[FieldError] = []

    def day(name: str) -> date | None:
        if not text[name]:
            return None
        try:
            return date.fromisoformat(text[name])
        except ValueError:
            errors.append(FieldError(f"/query/{name}", "must be an ISO date (YYYY-MM-DD)"))
            return None

    weeks = int(text["weeks"]) if text["weeks"].isdigit() else 4
    review = ReviewQuery(
        sku=text["sku"] or None,
        customer=text["customer"] or None,
        since=day("since"),
        until=day("until"),
        cursor=query.get("cursor") or None,
        stats_since=day("stats_since"),
        stats_until=day("stats_until"),
        capacity_days=7 * (weeks if weeks in WEEK_CHOICES else 4),
    )
    return review, text, errors
