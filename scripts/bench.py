"""Latency of POST /v1/checks on the golden plant (in-process, SQLite): `make bench`."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from app.db.migrate import upgrade_to_head
from app.main import create_app
from app.settings import Settings

GOLDEN = Path(__file__).resolve().parents[1].parent / "shared" / "golden" / "bike_plant.json"
ROUNDS = 20


def main() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    requests = [
        step["request"]
        for case in golden["cases"]
        for step in case["steps"]
        if step["action"] == "check"
    ]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade_to_head(url)
        with TestClient(create_app(Settings(database_url=url, auth=False))) as client:
            client.put("/v1/dataset", json=golden["dataset"]).raise_for_status()
            timings = []
            for _ in range(ROUNDS):
                for body in requests:
                    start = time.perf_counter()
                    client.post("/v1/checks", json=body).raise_for_status()
                    timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(  # noqa: T201
        f"{len(timings)} checks: median {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
