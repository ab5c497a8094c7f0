"""Racing holds against one group's allocation, over three server processes on PostgreSQL.

Plenty of stock is free; only the allocation of the group Strategic (N units) limits its
customers. Holds of one unit each race through three `orderpromise serve` processes: exactly N
of the Strategic holds succeed, and the customers of the `*` group, racing alongside, all
succeed (their allocation is ample).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.db.engine import create_db_engine, create_session_factory
from app.db.promises import PromiseDeliveryRow, PromiseRow
from tests.scarce_plant import servers_as_of
from tests.support.servers import fresh_database, servers

pytestmark = pytest.mark.concurrency
AS_OF = servers_as_of()
HORIZON_DAYS = 30
ALLOCATED = 12
STRATEGIC_HOLDS = 40
OTHER_HOLDS = 20
THREADS = 24


def dataset() -> dict[str, Any]:
    until = (AS_OF + timedelta(days=HORIZON_DAYS)).isoformat()
    return {
        "items": [
            {"sku": "CHIP", "name": "Controller chip", "kind": "purchased", "lead_time_days": None}
        ],
        "inventory": [{"sku": "CHIP", "on_hand": 1000}],
        "customers": [
            {"customer": "GLOBEX", "group": "Strategic"},
            {"customer": "INITECH", "group": "Strategic"},
        ],
        "allocations": [
            {"ref": "ST", "sku": "CHIP", "group": "Strategic", "from": AS_OF.isoformat(),
             "until": until, "qty": ALLOCATED},
            {"ref": "ALL", "sku": "CHIP", "group": "*", "from": AS_OF.isoformat(),
             "until": until, "qty": 500},
        ],
    }  # fmt: skip


def one_unit(customer: str, n: int) -> dict[str, Any]:
    return {
        "quote_ref": f"Q-{customer}-{n}",
        "customer": customer,
        "as_of": AS_OF.isoformat(),
        "lines": [
            {"line_ref": "1", "sku": "CHIP", "qty": 1,
             "requested_date": (AS_OF + timedelta(days=3)).isoformat()}
        ],
    }  # fmt: skip


def delivered_by_customer(url: str) -> Counter[str]:
    engine = create_db_engine(url)
    try:
        with create_session_factory(engine)() as session:
            rows = session.execute(
                select(PromiseRow.customer, func.sum(PromiseDeliveryRow.qty))
                .join(PromiseRow, PromiseRow.id == PromiseDeliveryRow.promise_id)
                .group_by(PromiseRow.customer)
            )
            return Counter({customer: int(qty) for customer, qty in rows})
    finally:
        engine.dispose()


def test_one_groups_racing_holds_take_exactly_its_allocation(tmp_path: Path) -> None:
    with (
        fresh_database("postgresql", tmp_path) as database,
        servers(database, 3, tmp_path, PROMISE_HORIZON_DAYS=str(HORIZON_DAYS)) as procs,
    ):
        loaded = httpx.put(f"{procs[0].url}/v1/dataset", json=dataset(), timeout=30)
        assert loaded.status_code == 200, loaded.text
        clients = [httpx.Client(base_url=p.url, timeout=120) for p in procs]
        bodies = [one_unit(("GLOBEX", "INITECH")[n % 2], n) for n in range(STRATEGIC_HOLDS)]
        bodies += [one_unit(("ACME", "HOOLI")[n % 2], n) for n in range(OTHER_HOLDS)]

        def hold(numbered: tuple[int, dict[str, Any]]) -> tuple[str, int]:
            n, body = numbered
            answer = clients[n % len(clients)].post("/v1/promises", json=body)
            return body["customer"], answer.status_code

        with ThreadPoolExecutor(THREADS) as pool:
            answers = list(pool.map(hold, enumerate(bodies)))
        won = Counter(customer for customer, code in answers if code == 201)
        assert {code for _, code in answers} == {201, 409}
        assert won["GLOBEX"] + won["INITECH"] == ALLOCATED
        assert won["ACME"] + won["HOOLI"] == OTHER_HOLDS
        delivered = delivered_by_customer(database)
        assert delivered["GLOBEX"] + delivered["INITECH"] == ALLOCATED
        assert delivered["ACME"] + delivered["HOOLI"] == OTHER_HOLDS
        listed = {row["ref"]: row for row in clients[2].get("/v1/allocations").json()["items"]}
        assert listed["ST"]["taken"]["held"] == ALLOCATED
        assert listed["ST"]["left"] == 0
        assert listed["ALL"]["left"] == 500 - OTHER_HOLDS, listed
