"""Validate a dataset document completely: every error, with its JSON pointer, in one pass.

Rows are validated one by one so that a type error in a row does not hide problems elsewhere;
the cross-reference checks then run on the rows that parsed. References to a key whose row
failed to parse are not reported again as broken: that row already has its error.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from app.errors import FieldError, Invalid, from_pydantic, pointer
from app.schemas.dataset import (
    ROW_MODELS,
    BomLineDoc,
    DatasetDocument,
    DemandDoc,
    InventoryDoc,
    ItemDoc,
    LoadDoc,
    ResourceDoc,
    RoutingDoc,
    Row,
    SupplyDoc,
)
from app.schemas.types import IsoDate

RowT = TypeVar("RowT", bound=Row)
_HOLIDAY = TypeAdapter[Any](IsoDate)


@dataclass
class _Parsed:
    """Rows that parsed, each with its index in the document, and keys seen in failed rows."""

    rows: dict[str, list[tuple[int, Row]]] = field(default_factory=lambda: defaultdict(list))
    holidays: list[tuple[int, Any]] = field(default_factory=list)
    unparsed_keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def of(self, name: str, model: type[RowT]) -> list[tuple[int, RowT]]:
        return [(i, row) for i, row in self.rows[name] if isinstance(row, model)]


def validate_dataset(raw: Any) -> DatasetDocument:
    """The document as a model, or Invalid listing every error."""
    errors: list[FieldError] = []
    if not isinstance(raw, dict):
        raise Invalid(
            "the dataset must be a JSON object",
            [FieldError("", "must be a JSON object")],
        )
    parsed = _parse_rows(raw, errors)
    errors.extend(_cross_check(parsed))
    if errors:
        raise Invalid(f"the dataset has {len(errors)} error(s); nothing was changed", errors)
    return DatasetDocument.model_validate(
        {
            "holidays": [value for _, value in parsed.holidays],
            **{name: [row for _, row in parsed.rows[name]] for name in ROW_MODELS},
        }
    )


def _parse_rows(raw: Mapping[str, Any], errors: list[FieldError]) -> _Parsed:
    parsed = _Parsed()
    for key in raw:
        if key != "holidays" and key not in ROW_MODELS:
            errors.append(FieldError(pointer(key), "unknown list: not part of a dataset document"))
    for name in ("holidays", *ROW_MODELS):
        values = raw.get(name, [])
        if not isinstance(values, list):
            errors.append(FieldError(pointer(name), "must be a JSON array"))
            continue
        for index, value in enumerate(values):
            try:
                if name == "holidays":
                    parsed.holidays.append((index, _HOLIDAY.validate_python(value)))
                else:
                    parsed.rows[name].append((index, ROW_MODELS[name].model_validate(value)))
            except ValidationError as exc:
                errors.extend(from_pydantic(exc.errors(), (name, index)))
                _remember_key(parsed, name, value)
    return parsed


def _remember_key(parsed: _Parsed, name: str, value: Any) -> None:
    key_field = {"items": "sku", "resources": "code"}.get(name)
    if key_field and isinstance(value, dict) and isinstance(value.get(key_field), str):
        parsed.unparsed_keys[name].add(value[key_field])


def _cross_check(parsed: _Parsed) -> list[FieldError]:
    items = parsed.of("items", ItemDoc)
    resources = parsed.of("resources", ResourceDoc)
    routings = parsed.of("routings", RoutingDoc)
    bom = parsed.of("bom", BomLineDoc)
    errors: list[FieldError] = []

    errors += _duplicates("items", "sku", ((i, r.sku) for i, r in items), "sku")
    errors += _duplicates("resources", "code", ((i, r.code) for i, r in resources), "code")
    errors += _duplicates("routings", "sku", ((i, r.sku) for i, r in routings), "routing for")
    errors += _duplicates(
        "bom",
        "component",
        ((i, f"{r.parent} -> {r.component}") for i, r in bom),
        "BOM line",
    )
    errors += _duplicates(
        "inventory", "sku", ((i, r.sku) for i, r in parsed.of("inventory", InventoryDoc)), "sku"
    )
    errors += _duplicates(
        "supply", "ref", ((i, r.ref) for i, r in parsed.of("supply", SupplyDoc)), "ref"
    )
    errors += _duplicates(
        "demand", "ref", ((i, r.ref) for i, r in parsed.of("demand", DemandDoc)), "ref"
    )
    errors += _duplicates("load", "ref", ((i, r.ref) for i, r in parsed.of("load", LoadDoc)), "ref")
    errors += _duplicates("holidays", None, parsed.holidays, "holiday")
    errors += _calendar_checks(resources)
    errors += _routing_checks(routings)

    known_items = {r.sku for _, r in items} | parsed.unparsed_keys["items"]
    known_resources = {r.code for _, r in resources} | parsed.unparsed_keys["resources"]
    errors += _reference_checks(parsed, known_items, known_resources)
    errors += _kind_checks(items, routings, bom)
    errors += _bom_cycles(bom)
    return errors


def _duplicates(
    name: str, key_field: str | None, keyed: Iterable[tuple[int, Any]], what: str
) -> list[FieldError]:
    seen: Counter[Any] = Counter()
    errors = []
    for index, key in keyed:
        seen[key] += 1
        if seen[key] >= 2:
            where = pointer(name, index, key_field) if key_field else pointer(name, index)
            errors.append(FieldError(where, f"duplicate {what} {key}"))
    return errors


def _calendar_checks(resources: list[tuple[int, ResourceDoc]]) -> list[FieldError]:
    errors = []
    for index, resource in resources:
        seen = set()
        for j, exc in enumerate(resource.calendar.exceptions):
            if exc.date in seen:
                where = pointer("resources", index, "calendar", "exceptions", j, "date")
                errors.append(FieldError(where, f"duplicate calendar exception on {exc.date}"))
            seen.add(exc.date)
    return errors


def _routing_checks(routings: list[tuple[int, RoutingDoc]]) -> list[FieldError]:
    errors = []
    for index, routing in routings:
        if not routing.operations:
            errors.append(
                FieldError(pointer("routings", index, "operations"), "needs at least one operation")
            )
        seqs: set[int] = set()
        for j, op in enumerate(routing.operations):
            if op.seq in seqs:
                errors.append(
                    FieldError(
                        pointer("routings", index, "operations", j, "seq"),
                        f"duplicate seq {op.seq} in the routing of {routing.sku}",
                    )
                )
            seqs.add(op.seq)
    return errors


def _reference_checks(
    parsed: _Parsed, known_items: set[str], known_resources: set[str]
) -> list[FieldError]:
    errors: list[FieldError] = []

    def need(known: set[str], what: str, *refs: tuple[str, int, str, str]) -> None:
        for name, index, key_field, value in refs:
            if value not in known:
                errors.append(
                    FieldError(pointer(name, index, key_field), f"unknown {what} {value}")
                )

    for i, line in parsed.of("bom", BomLineDoc):
        need(known_items, "item", ("bom", i, "parent", line.parent))
        need(known_items, "item", ("bom", i, "component", line.component))
    for i, routing in parsed.of("routings", RoutingDoc):
        need(known_items, "item", ("routings", i, "sku", routing.sku))
        for j, op in enumerate(routing.operations):
            where = pointer("routings", i, "operations", j, "resource")
            if op.resource not in known_resources:
                errors.append(FieldError(where, f"unknown resource {op.resource}"))
    sku_lists: list[tuple[str, Callable[[Any], str], type[Row]]] = [
        ("inventory", lambda r: r.sku, InventoryDoc),
        ("supply", lambda r: r.sku, SupplyDoc),
        ("demand", lambda r: r.sku, DemandDoc),
    ]
    for name, get_sku, model in sku_lists:
        for i, row in parsed.of(name, model):
            need(known_items, "item", (name, i, "sku", get_sku(row)))
    for i, load in parsed.of("load", LoadDoc):
        need(known_resources, "resource", ("load", i, "resource", load.resource))
    return errors


def _kind_checks(
    items: list[tuple[int, ItemDoc]],
    routings: list[tuple[int, RoutingDoc]],
    bom: list[tuple[int, BomLineDoc]],
) -> list[FieldError]:
    kinds = {item.sku: item.kind for _, item in items}
    routed = {routing.sku for _, routing in routings}
    errors = []
    for i, item in items:
        if item.kind == "purchased" and "lead_time_days" not in item.model_fields_set:
            errors.append(
                FieldError(
                    pointer("items", i, "lead_time_days"),
                    "a purchased item needs lead_time_days (null if it cannot be re-ordered)",
                )
            )
        if item.kind == "manufactured":
            if item.lead_time_days is not None:
                errors.append(
                    FieldError(
                        pointer("items", i, "lead_time_days"),
                        "a manufactured item has no lead time: its routing decides",
                    )
                )
            if item.sku not in routed:
                errors.append(
                    FieldError(pointer("items", i), f"manufactured item {item.sku} has no routing")
                )
    for i, routing in routings:
        if kinds.get(routing.sku) == "purchased":
            errors.append(
                FieldError(
                    pointer("routings", i, "sku"),
                    f"purchased item {routing.sku} cannot have a routing",
                )
            )
    for i, line in bom:
        if kinds.get(line.parent) == "purchased":
            errors.append(
                FieldError(
                    pointer("bom", i, "parent"),
                    f"purchased item {line.parent} cannot have BOM components",
                )
            )
    return errors


def _bom_cycles(bom: list[tuple[int, BomLineDoc]]) -> list[FieldError]:
    """Each cycle once, pointing at the BOM line that closes it."""
    edges: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for index, line in bom:
        edges[line.parent].append((line.component, index))
    done: set[str] = set()
    errors: list[FieldError] = []

    def visit(sku: str, path: list[str]) -> None:
        path.append(sku)
        for component, index in edges.get(sku, []):
            if component in path:
                cycle = [*path[path.index(component) :], component]
                errors.append(FieldError(pointer("bom", index), "BOM cycle: " + " -> ".join(cycle)))
            elif component not in done:
                visit(component, path)
        path.pop()
        done.add(sku)

    for parent in list(edges):
        if parent not in done:
            visit(parent, [])
    return errors
