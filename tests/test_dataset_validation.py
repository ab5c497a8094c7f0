"""Each cross-reference rule of the dataset document, without a database."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from app.errors import Invalid
from app.services.dataset_validation import validate_dataset
from tests.factories import golden_dataset

Mutation = Callable[[dict[str, Any]], None]


def _errors(doc: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(Invalid) as caught:
        validate_dataset(doc)
    return [(e.pointer, e.message) for e in caught.value.errors]


def test_the_golden_plant_is_valid() -> None:
    doc = validate_dataset(golden_dataset())
    assert doc.routings[1].operations[0].run_minutes_per_unit == Decimal("6.5")


CASES: list[tuple[str, Mutation, str, str]] = [
    (
        "duplicate resource",
        lambda d: d["resources"].append(dict(d["resources"][0])),
        "/resources/4/code",
        "duplicate code WELD",
    ),
    (
        "duplicate supply ref",
        lambda d: d["supply"].append(dict(d["supply"][0])),
        "/supply/3/ref",
        "duplicate ref PO-1001",
    ),
    (
        "duplicate routing",
        lambda d: d["routings"].append(dict(d["routings"][1])),
        "/routings/2/sku",
        "duplicate routing for WHEEL",
    ),
    (
        "duplicate seq",
        lambda d: d["routings"][0]["operations"].append(dict(d["routings"][0]["operations"][0])),
        "/routings/0/operations/3/seq",
        "duplicate seq 10 in the routing of BIKE",
    ),
    (
        "duplicate bom line",
        lambda d: d["bom"].append(dict(d["bom"][0])),
        "/bom/5/component",
        "duplicate BOM line BIKE -> FRAME",
    ),
    (
        "unknown operation resource",
        lambda d: d["routings"][0]["operations"][0].update(resource="LASER"),
        "/routings/0/operations/0/resource",
        "unknown resource LASER",
    ),
    (
        "unknown load resource",
        lambda d: d["load"][0].update(resource="LASER"),
        "/load/0/resource",
        "unknown resource LASER",
    ),
    (
        "unknown demand sku",
        lambda d: d["demand"][0].update(sku="TRIKE"),
        "/demand/0/sku",
        "unknown item TRIKE",
    ),
    (
        "unknown inventory sku",
        lambda d: d["inventory"][0].update(sku="TRIKE"),
        "/inventory/0/sku",
        "unknown item TRIKE",
    ),
    (
        "purchased without lead time key",
        lambda d: d["items"][2].pop("lead_time_days"),
        "/items/2/lead_time_days",
        "a purchased item needs lead_time_days (null if it cannot be re-ordered)",
    ),
    (
        "manufactured with a lead time",
        lambda d: d["items"][0].update(lead_time_days=3),
        "/items/0/lead_time_days",
        "a manufactured item has no lead time: its routing decides",
    ),
    (
        "manufactured without routing",
        lambda d: d["routings"].pop(1),
        "/items/1",
        "manufactured item WHEEL has no routing",
    ),
    (
        "routing without operations",
        lambda d: d["routings"][1].update(operations=[]),
        "/routings/1/operations",
        "needs at least one operation",
    ),
    (
        "purchased item with a BOM",
        lambda d: d["bom"].append({"parent": "RIM", "component": "SPOKE", "qty_per": 1}),
        "/bom/5/parent",
        "purchased item RIM cannot have BOM components",
    ),
    (
        "self cycle",
        lambda d: d["bom"].append({"parent": "WHEEL", "component": "WHEEL", "qty_per": 1}),
        "/bom/5",
        "BOM cycle: WHEEL -> WHEEL",
    ),
    (
        "duplicate holiday",
        lambda d: d["holidays"].append("2026-12-25"),
        "/holidays/2",
        "duplicate holiday 2026-12-25",
    ),
    (
        "holiday not a date",
        lambda d: d["holidays"].append("25/12/2026"),
        "/holidays/2",
        "Input should be a valid date or datetime, invalid character in year",
    ),
    (
        "unknown list",
        lambda d: d.update(machines=[]),
        "/machines",
        "unknown list: not part of a dataset document",
    ),
    (
        "extra field in a row",
        lambda d: d["items"][0].update(colour="red"),
        "/items/0/colour",
        "Extra inputs are not permitted",
    ),
    (
        "fractional quantity",
        lambda d: d["inventory"][0].update(on_hand=2.5),
        "/inventory/0/on_hand",
        "Input should be a valid integer",
    ),
    (
        "decimal as text",
        lambda d: d["bom"][0].update(qty_per="1"),
        "/bom/0/qty_per",
        "must be a JSON number",
    ),
    (
        "zero qty_per",
        lambda d: d["bom"][0].update(qty_per=0),
        "/bom/0/qty_per",
        "Input should be greater than 0",
    ),
    (
        "lead time too long",
        lambda d: d["items"][2].update(lead_time_days=3651),
        "/items/2/lead_time_days",
        "Input should be less than or equal to 3650",
    ),
    (
        "negative load",
        lambda d: d["load"][0].update(minutes=-1),
        "/load/0/minutes",
        "Input should be greater than or equal to 0",
    ),
    (
        "date as a number",
        lambda d: d["supply"][0].update(date=20261210),
        "/supply/0/date",
        "must be an ISO date (YYYY-MM-DD)",
    ),
    (
        "duplicate calendar exception",
        lambda d: d["resources"][1]["calendar"]["exceptions"].append(
            {"date": "2026-12-07", "minutes": 10}
        ),
        "/resources/1/calendar/exceptions/1/date",
        "duplicate calendar exception on 2026-12-07",
    ),
    (
        "duplicate overtime exception",
        lambda d: d["resources"][0].__setitem__(
            "overtime",
            {
                "weekly_minutes": [60] * 7,
                "exceptions": [{"date": "2026-12-07", "minutes": 10}] * 2,
            },
        ),
        "/resources/0/overtime/exceptions/1/date",
        "duplicate overtime exception on 2026-12-07",
    ),
    (
        "expedite on a manufactured item",
        lambda d: d["items"][0].__setitem__("expedite", {"lead_time_days": 2}),
        "/items/0/expedite",
        "a manufactured item cannot be expedited: only purchased items are bought",
    ),
    (
        "expedite not faster",
        lambda d: d["items"][2].__setitem__("expedite", {"lead_time_days": 15}),
        "/items/2/expedite/lead_time_days",
        "an expedited lead time must be shorter than lead_time_days (15)",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "pointer", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_rule(mutate: Mutation, pointer: str, message: str) -> None:
    doc = golden_dataset()
    mutate(doc)
    assert (pointer, message) in _errors(doc)


def test_a_longer_cycle_is_named_in_order() -> None:
    doc = golden_dataset()
    doc["bom"].append({"parent": "FRAME", "component": "BIKE", "qty_per": 1})
    doc["items"][2] = {"sku": "FRAME", "name": "Frame", "kind": "manufactured"}
    doc["routings"].append(
        {
            "sku": "FRAME",
            "operations": [
                {"seq": 1, "resource": "WELD", "setup_minutes": 0, "run_minutes_per_unit": 1}
            ],
        }
    )
    messages = [m for _, m in _errors(doc)]
    assert messages == ["BOM cycle: BIKE -> FRAME -> BIKE"]


def test_key_characters_are_escaped_in_pointers() -> None:
    errors = _errors({"a/b": []})
    assert errors[0][0] == "/a~1b"


def test_a_row_that_fails_validation_still_has_its_references_checked() -> None:
    doc = golden_dataset()
    doc["bom"].append({"parent": "BIKE", "component": "NOPE", "qty_per": -1})
    doc["supply"].append({"ref": "PO-X", "sku": "NOPE3", "qty": -3, "date": "2026-12-01"})
    doc["load"].append({"ref": "WO-X", "resource": "LASER", "date": "soon", "minutes": 1})

    errors = _errors(doc)

    assert ("/bom/5/component", "unknown item NOPE") in errors
    assert ("/supply/3/sku", "unknown item NOPE3") in errors
    assert ("/load/4/resource", "unknown resource LASER") in errors
    assert {"/bom/5/qty_per", "/supply/3/qty", "/load/4/date"} <= {p for p, _ in errors}


def test_a_reference_error_is_reported_once() -> None:
    doc = golden_dataset()
    doc["bom"].append({"parent": "BIKE", "component": "NOPE", "qty_per": -1})
    doc["demand"][0].update(sku="TRIKE")  # a row that parses: checked once too
    doc["routings"][0]["operations"][0].update(resource="LASER", setup_minutes=-1)

    errors = _errors(doc)

    assert len(errors) == len(set(errors)), errors
    pointers = [p for p, _ in errors]
    assert pointers.count("/bom/5/component") == 1
    assert pointers.count("/demand/0/sku") == 1
    assert pointers.count("/routings/0/operations/0/resource") == 1
    assert ("/routings/0/operations/0/resource", "unknown resource LASER") in errors


def test_a_malformed_reference_has_its_type_error_only() -> None:
    doc = golden_dataset()
    doc["supply"].append({"ref": "PO-X", "sku": "", "qty": 1, "date": "2026-12-01"})
    doc["supply"].append({"ref": "PO-Y", "sku": 7, "qty": 1, "date": "2026-12-01"})
    doc["bom"].append({"parent": "BIKE", "component": "X" * 65, "qty_per": 1})

    errors = _errors(doc)

    assert [p for p, _ in errors] == ["/bom/5/component", "/supply/3/sku", "/supply/4/sku"]
    assert not any(m.startswith("unknown") for _, m in errors)


def test_overtime_and_expedite_are_read_and_every_fault_is_listed() -> None:
    doc = golden_dataset()
    doc["resources"][0]["overtime"] = {"weekly_minutes": [120, 120, 120, 120, 120, 0, 0]}
    doc["items"][5]["expedite"] = {"lead_time_days": 3, "cost_per_unit": Decimal("2.5")}
    valid = validate_dataset(doc)
    overtime = valid.resources[0].overtime
    assert overtime is not None
    assert overtime.cost_per_minute == 1
    expedite = valid.items[5].expedite
    assert expedite is not None
    assert expedite.cost_per_unit == Decimal("2.5")

    doc["resources"][0]["overtime"] = {
        "weekly_minutes": [120] * 6,
        "cost_per_minute": -1,
        "exceptions": [{"date": "2026-12-07", "minutes": 1441}],
    }
    doc["items"][5]["expedite"] = {"lead_time_days": -1, "cost_per_unit": "2", "extra": 1}
    doc["items"][4]["expedite"] = {"lead_time_days": 1, "cost_per_unit": Decimal("0.00001")}
    pointers = {pointer for pointer, _ in _errors(doc)}
    assert pointers == {
        "/resources/0/overtime/weekly_minutes",
        "/resources/0/overtime/cost_per_minute",
        "/resources/0/overtime/exceptions/0/minutes",
        "/items/5/expedite/lead_time_days",
        "/items/5/expedite/cost_per_unit",
        "/items/5/expedite/extra",
        "/items/4/expedite/cost_per_unit",
    }
