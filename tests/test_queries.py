"""The Plant read back from the database is what the document said, exactly."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.queries import get_data_version, load_plant
from app.solver.allocation import Allocations
from app.solver.document import plant_from_document
from app.solver.plant import Expedite, Plant
from tests.factories import golden_dataset


def _unordered(plant: Plant) -> Plant:
    """The plant with its dated rows in one order: the order of supply, demand, load and
    allocation rows means nothing, and no customer groups is no customer groups."""
    return replace(
        plant,
        supply=tuple(sorted(plant.supply, key=repr)),
        demand=tuple(sorted(plant.demand, key=repr)),
        load=tuple(sorted(plant.load, key=repr)),
        allocations=Allocations(
            tuple(sorted(plant.allocations.rows, key=repr)), dict(plant.allocations.groups or {})
        ),
    )


def _document() -> dict[str, Any]:
    doc = golden_dataset()
    # Operations out of seq order, a run time that is no float, an exception on a holiday.
    doc["routings"][0]["operations"].reverse()
    doc["routings"][1]["operations"][0]["run_minutes_per_unit"] = 0.1
    doc["bom"][0]["qty_per"] = 0.3
    doc["resources"][0]["calendar"]["exceptions"].append(
        {"date": doc["holidays"][0], "minutes": 120}
    )
    doc["customers"] = [{"customer": "ACME", "group": "Key"}, {"customer": "Globex", "group": "*"}]
    doc["allocations"] = [
        {"ref": "A2", "sku": "BIKE", "group": "Key", "from": "2027-01-01", "until": "2027-01-31",
         "qty": 7},
        {"ref": "A1", "sku": "BIKE", "group": "Key", "from": "2026-12-01", "until": "2026-12-31",
         "qty": 5},
        {"ref": "A3", "sku": "FRAME", "group": "*", "from": "2026-12-01", "until": "2026-12-31",
         "qty": 0},
    ]  # fmt: skip
    return doc


def test_the_plant_read_from_the_database_is_the_plant_of_the_document(
    client: TestClient, session: Session
) -> None:
    doc = _document()
    assert client.put("/v1/dataset", json=doc).status_code == 200

    assert _unordered(load_plant(session)) == _unordered(plant_from_document(doc))
    assert get_data_version(session) >= 1


def test_load_plant_reads_overtime_and_expedite_as_the_document_says(
    client: TestClient, session: Session
) -> None:
    doc = golden_dataset()
    doc["resources"][1]["overtime"] = {
        "weekly_minutes": [60, 60, 60, 60, 60, 0, 0],
        "exceptions": [{"date": "2026-12-05", "minutes": 240}],
        "cost_per_minute": 0.5,
    }
    doc["items"][3]["expedite"] = {"lead_time_days": 6, "cost_per_unit": 1.5}
    client.put("/v1/dataset", json=doc)

    plant = load_plant(session)
    expected = plant_from_document(doc)

    assert plant.resources == expected.resources
    assert plant.items == expected.items
    assert plant.resources["PAINT"].overtime is not None
    assert plant.resources["PAINT"].overtime.cost_per_minute == Fraction(1, 2)
    assert plant.items["RIM"].expedite == Expedite(6, Fraction(3, 2))
    assert plant.resources["WELD"].overtime is None
