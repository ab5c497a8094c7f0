"""Validate a dataset document completely: every error, with its JSON pointer, in one pass.

Rows are validated one by one so that a type error in a row does not hide problems elsewhere.
The reference checks (does this sku, component or resource exist?) run on every row, also one
that failed to parse, on each reference field that is itself well-formed: a field with a type
or range error has that error only, and each reference is checked once. The other cross checks
(unique keys, calendars, routings, purchased/manufactured rules, BOM cycles) run on the rows
that parsed. References to a key whose row failed to parse are not reported again as broken:
that row already has its error.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from app.errors import FieldError, Invalid, from_pydantic, pointer
from app.schemas.dataset import (
    ROW_MODELS,
    AllocationDoc,
    BomLineDoc,
    CustomerDoc,
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
ModelT = TypeVar("ModelT", bound=BaseModel)
Loc = tuple[str | int, ...]
_HOLIDAY = TypeAdapter[Any](IsoDate)


@dataclass(frozen=True)
class ParsedRow(Generic[ModelT]):
    """One row as sent, its model when it validated, else its errors and where they are."""

    raw: Any
    model: ModelT | None
    errors: list[FieldError]
    failed: frozenset[Loc]

    def text(self, *path: str | int) -> str | None:
        """The string at `path` in the row as sent, if validation found no fault there.

        A well-formed reference (a sku, component, resource) of a row that failed elsewhere:
        it can still be looked up, and a field with a type or range error is not.
        """
        if any(loc[: len(path)] == path for loc in self.failed):
            return None
        value = self.raw
        for part in path:
            in_dict = isinstance(value, dict) and isinstance(part, str) and part in value
            in_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
            if not (in_dict or in_list):
                return None
            value = value[part]
        return value if isinstance(value, str) else None


def parse_row(model: type[ModelT], raw: Any, prefix: Sequence[str | int] = ()) -> ParsedRow[ModelT]:
    """Validate one row; errors point below `prefix`."""
    try:
        return ParsedRow(raw, model.model_validate(raw), [], frozenset())
    except ValidationError as exc:
        details = exc.errors()
        failed = frozenset(tuple(error["loc"]) for error in details)
        return ParsedRow(raw, None, from_pydantic(details, prefix), failed)


@dataclass
class _Parsed:
    """Rows that parsed, each with its index in the document, and keys seen in failed rows."""

    rows: dict[str, list[tuple[int, Row]]] = field(default_factory=lambda: defaultdict(list))
    holidays: list[tuple[int, Any]] = field(default_factory=list)
    unparsed_keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Every row, parsed or not, for the reference checks.
    every_row: dict[str, list[tuple[int, ParsedRow[Row]]]] = field(
        default_factory=lambda: defaultdict(list)
    )

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
            if name == "holidays":
                try:
                    parsed.holidays.append((index, _HOLIDAY.validate_python(value)))
                except ValidationError as exc:
                    errors.extend(from_pydantic(exc.errors(), (name, index)))
                continue
            row = parse_row(ROW_MODELS[name], value, (name, index))
            parsed.every_row[name].append((index, row))
            if row.model is not None:
                parsed.rows[name].append((index, row.model))
            else:
                errors.extend(row.errors)
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
    errors += _duplicates(
        "customers",
        "customer",
        ((i, r.customer) for i, r in parsed.of("customers", CustomerDoc)),
        "customer",
    )
    allocations = parsed.of("allocations", AllocationDoc)
    errors += _duplicates("allocations", "ref", ((i, r.ref) for i, r in allocations), "ref")
    errors += allocation_period_errors(allocations)
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
        lists = [("calendar", resource.calendar.exceptions, "calendar")]
        if resource.overtime is not None:
            lists.append(("overtime", resource.overtime.exceptions, "overtime"))
        for where_in, exceptions, what in lists:
            seen = set()
            for j, exc in enumerate(exceptions):
                if exc.date in seen:
                    where = pointer("resources", index, where_in, "exceptions", j, "date")
                    errors.append(FieldError(where, f"duplicate {what} exception on {exc.date}"))
                seen.add(exc.date)
    return errors


def allocation_period_errors(
    rows: Sequence[tuple[int, AllocationDoc]], prefix: Sequence[str | int] = ("allocations",)
) -> list[FieldError]:
    """A period that ends before it starts, and periods of one sku and group that overlap
    (each overlap once, at the later row). ``prefix`` is where the rows are: the document's
    list, or a feed body (then the indexes are ignored)."""
    errors = []
    valid: dict[tuple[str, str], list[tuple[int, AllocationDoc]]] = defaultdict(list)
    for index, row in rows:
        at = (*prefix, index) if prefix else ()
        if row.from_date > row.until_date:
            errors.append(
                FieldError(
                    pointer(*at, "until"), f"until {row.until_date} is before from {row.from_date}"
                )
            )
            continue
        for _, other in valid[row.sku, row.group]:
            if row.from_date <= other.until_date and other.from_date <= row.until_date:
                errors.append(
                    FieldError(
                        pointer(*at, "from"),
                        f"the period {row.from_date}..{row.until_date} overlaps allocation "
                        f"{other.ref} ({other.from_date}..{other.until_date}) of the same sku "
                        f"{row.sku} and group {row.group}",
                    )
                )
                break
        valid[row.sku, row.group].append((index, row))
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


# Fields that name an item or a resource, per list, in the order they are reported.
_REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "bom": (("parent", "item"), ("component", "item")),
    "routings": (("sku", "item"),),
    "inventory": (("sku", "item"),),
    "supply": (("sku", "item"),),
    "demand": (("sku", "item"),),
    "load": (("resource", "resource"),),
    "allocations": (("sku", "item"),),
}


def _row_references(name: str, row: ParsedRow[Row]) -> Iterator[tuple[Loc, str]]:
    """Paths in a row that name an item or a resource, with which of the two."""
    for key_field, what in _REFERENCES[name]:
        yield (key_field,), what
    operations = row.raw.get("operations") if isinstance(row.raw, dict) else None
    if name == "routings" and isinstance(operations, list):
        for j in range(len(operations)):
            yield ("operations", j, "resource"), "resource"


def _reference_checks(
    parsed: _Parsed, known_items: set[str], known_resources: set[str]
) -> list[FieldError]:
    """Every well-formed reference of every row, once: parsed rows and failed ones alike."""
    known = {"item": known_items, "resource": known_resources}
    errors: list[FieldError] = []
    for name in _REFERENCES:
        for index, row in parsed.every_row[name]:
            for path, what in _row_references(name, row):
                value = row.text(*path)
                if value is not None and value not in known[what]:
                    errors.append(
                        FieldError(pointer(name, index, *path), f"unknown {what} {value}")
                    )
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
        errors += _expedite_checks(i, item)
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


def _expedite_checks(index: int, item: ItemDoc) -> list[FieldError]:
    """Only a bought item can be expedited, and only to a shorter lead time."""
    if item.expedite is None:
        return []
    if item.kind != "purchased":
        return [
            FieldError(
                pointer("items", index, "expedite"),
                "a manufactured item cannot be expedited: only purchased items are bought",
            )
        ]
    lead = item.lead_time_days
    if lead is not None and item.expedite.lead_time_days >= lead:
        return [
            FieldError(
                pointer("items", index, "expedite", "lead_time_days"),
                f"an expedited lead time must be shorter than lead_time_days ({lead})",
            )
        ]
    return []


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
