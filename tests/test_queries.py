"""The Plant read back from the database is what the document said, exactly."""

from __future__ import annotations

from fractions import Fraction

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.queries import get_data_version, load_plant
from app.solver.document import plant_from_document
from app.solver.plant import Expedite
from tests.factories import golden_dataset


def test_load_plant(client: TestClient, session: Session) -> None:
    doc = golden_dataset()
    doc["routings"][0]["operations"].reverse()
    doc["routings"][1]["operations"][0]["run_minutes_per_unit"] = 0.1
    client.put("/v1/dataset", json=doc)

    plant = load_plant(session)

    assert [op.seq for op in plant.routings["BIKE"]] == [10, 20, 30]
    assert plant.routings["WHEEL"][0].run_minutes_per_unit == Fraction(1, 10)
    assert [line.component for line in plant.bom["BIKE"]] == ["FRAME", "WHEEL", "SADDLE"]
    assert plant.bom["WHEEL"][1].qty_per == 32
    assert plant.items["SADDLE"].lead_time_days is None
    assert plant.resources["PAINT"].calendar.exceptions == {
        next(iter(plant.resources["PAINT"].calendar.exceptions)): 0
    }
    assert len(plant.holidays) == 2
    assert plant.on_hand["SPOKE"] == 5000
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
