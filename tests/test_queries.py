"""The Plant read back from the database is what the document said, exactly."""

from __future__ import annotations

from fractions import Fraction

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.queries import get_data_version, load_plant
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
