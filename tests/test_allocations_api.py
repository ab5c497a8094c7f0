"""Allocations over HTTP (SPEC section 7): the dataset lists, the feed routes, and holds and
confirmed promises using the allocation up, against the oracle written from the text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.factories import sorted_document
from tests.oracles.allocations import Oracle
from tests.support.clock import Clock

AS_OF = date(2026, 12, 1)
HORIZON = 45
PROBLEM = "application/problem+json"


def plant() -> dict[str, Any]:
    """CHIP can always be had (bought for any day): only allocations make a line late."""
    return {
        "items": [
            {"sku": "CHIP", "name": "Controller chip", "kind": "purchased", "lead_time_days": 0},
            {"sku": "BOLT", "name": "Bolt", "kind": "purchased", "lead_time_days": 2},
        ],
        "inventory": [{"sku": "CHIP", "on_hand": 1000}, {"sku": "BOLT", "on_hand": 5}],
        "customers": [
            {"customer": "GLOBEX", "group": "Strategic"},
            {"customer": "INITECH", "group": "Strategic"},
            {"customer": "HOOLI", "group": "Regional"},
        ],
        "allocations": [
            {"ref": "ST-1", "sku": "CHIP", "group": "Strategic", "from": "2026-12-01",
             "until": "2026-12-15", "qty": 10},
            {"ref": "ST-2", "sku": "CHIP", "group": "Strategic", "from": "2026-12-16",
             "until": "2026-12-31", "qty": 10},
            {"ref": "ALL-1", "sku": "CHIP", "group": "*", "from": "2026-12-01",
             "until": "2026-12-31", "qty": 5},
        ],
    }  # fmt: skip


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.combine(AS_OF, time(9), tzinfo=UTC))


@pytest.fixture
def api(database_url: str, clock: Clock) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, auth=False, horizon_days=HORIZON)
    with TestClient(create_app(settings)) as client:
        client.app.state.clock = clock  # type: ignore[attr-defined]
        loaded = client.put("/v1/dataset", json=plant())
        assert loaded.status_code == 200, loaded.text
        yield client


def quote(customer: str, *lines: tuple[str, int, str], **extra: Any) -> dict[str, Any]:
    return {
        "quote_ref": f"Q-{customer}",
        "customer": customer,
        "lines": [
            {"line_ref": str(i), "sku": sku, "qty": qty, "requested_date": when}
            for i, (sku, qty, when) in enumerate(lines)
        ],
    } | extra


def as_oracle_lines(body: dict[str, Any]) -> list[tuple[str, int, date]]:
    return [
        (line["sku"], line["qty"], date.fromisoformat(line["requested_date"]))
        for line in body["lines"]
    ]


def agree(api: TestClient, oracle: Oracle, body: dict[str, Any]) -> dict[str, Any]:
    """Check ``body``: every line as the oracle says, with an allocation constraint exactly
    when the allocation left on the requested day is short."""
    response = api.post("/v1/checks", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    expected = oracle.quote(body["customer"], as_oracle_lines(body))
    for line, want in zip(result["lines"], expected, strict=True):

        def day(text: str | None) -> int | None:
            return None if text is None else (date.fromisoformat(text) - AS_OF).days

        got = (
            day(line["earliest_date"]),
            line["qty_on_requested_date"],
            day(line["promised_date"]),
        )
        assert got == (want.earliest, want.most, want.promised)
        short = want.allocation_left is not None and want.allocation_left < line["qty"]
        kinds = [c["kind"] for c in line["constraints"]]
        assert ("allocation" in kinds) == (short and not line["feasible_on_requested_date"])
    return result


def exported(api: TestClient) -> dict[str, Any]:
    """GET /v1/dataset without its empty lists, in a canonical order."""
    response = api.get("/v1/dataset")
    assert response.status_code == 200
    return sorted_document({name: rows for name, rows in response.json().items() if rows})


def hold(api: TestClient, oracle: Oracle, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/v1/promises", json=body)
    assert response.status_code == 201, response.text
    oracle.quote(body["customer"], as_oracle_lines(body), hold=True)
    promise: dict[str, Any] = response.json()
    return promise


# -- the dataset document --------------------------------------------------------------------


def test_allocations_and_customers_round_trip(api: TestClient) -> None:
    assert exported(api) == sorted_document(plant())


def test_every_allocation_error_is_listed_and_nothing_changes(api: TestClient) -> None:
    doc = plant()
    doc["allocations"] += [
        # overlaps ST-1 (same sku and group)
        {"ref": "ST-3", "sku": "CHIP", "group": "Strategic", "from": "2026-12-10",
         "until": "2026-12-20", "qty": 4},
        {"ref": "X-1", "sku": "NOPE", "group": "Strategic", "from": "2026-12-01",
         "until": "2026-12-02", "qty": 1},
        {"ref": "X-2", "sku": "BOLT", "group": "Strategic", "from": "2026-12-09",
         "until": "2026-12-02", "qty": 1},
        {"ref": "X-3", "sku": "BOLT", "group": "Regional", "from": "2026-12-01",
         "until": "2026-12-02", "qty": -1},
        {"ref": "ST-1", "sku": "BOLT", "group": "Other", "from": "2026-12-01",
         "until": "2026-12-02", "qty": 1},
    ]  # fmt: skip
    doc["customers"].append({"customer": "GLOBEX", "group": "Regional"})
    response = api.put("/v1/dataset", json=doc)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    pointers = {e["pointer"]: e["message"] for e in response.json()["errors"]}
    assert set(pointers) == {
        "/allocations/3/from",
        "/allocations/4/sku",
        "/allocations/5/until",
        "/allocations/6/qty",
        "/allocations/7/ref",
        "/customers/3/customer",
    }
    assert "overlaps allocation ST-1" in pointers["/allocations/3/from"]
    assert pointers["/allocations/4/sku"] == "unknown item NOPE"
    assert exported(api) == sorted_document(plant())


# -- the feed --------------------------------------------------------------------------------


def test_feed_puts_and_deletes_allocation_rows(api: TestClient) -> None:
    version = api.put("/v1/dataset", json=plant()).json()["data_version"]
    row = {"sku": "CHIP", "group": "Regional", "from": "2026-12-01", "until": "2026-12-31",
           "qty": 2}  # fmt: skip
    created = api.put("/v1/allocations/RG-1", json=row)
    assert created.status_code == 201, created.text
    assert created.json() | {"promises_at_risk": []} == row | {
        "ref": "RG-1",
        "data_version": version + 1,
        "promises_at_risk": [],
    }
    # HOOLI's group has rows for CHIP now: no longer the `*` rows, its own 2.
    oracle = Oracle(plant() | {"allocations": [*plant()["allocations"], row | {"ref": "RG-1"}]},
                    AS_OF, HORIZON)  # fmt: skip
    result = agree(api, oracle, quote("HOOLI", ("CHIP", 4, "2026-12-03")))
    assert result["lines"][0]["qty_on_requested_date"] == 2

    replaced = api.put("/v1/allocations/RG-1", json=row | {"qty": 7})
    assert replaced.status_code == 200
    assert api.delete("/v1/allocations/RG-1").status_code == 200
    assert api.delete("/v1/allocations/RG-1").status_code == 404
    assert exported(api) == sorted_document(plant())


def test_feed_refuses_a_bad_allocation_row_with_every_error(api: TestClient) -> None:
    overlapping = {"ref": "OTHER", "sku": "NOPE", "group": "Strategic", "from": "2026-12-10",
                   "until": "2026-12-12", "qty": -3}  # fmt: skip
    response = api.put("/v1/allocations/ST-9", json=overlapping)
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json()["errors"]} == {"/ref", "/sku", "/qty"}
    overlapping |= {"ref": "ST-9", "sku": "CHIP", "qty": 3}
    response = api.put("/v1/allocations/ST-9", json=overlapping)
    assert response.status_code == 422
    ((error),) = response.json()["errors"]
    assert error["pointer"] == "/from"
    assert "overlaps allocation ST-1" in error["message"]
    # The fields are `from` and `until`, as the dataset names them, and nothing else.
    renamed = {k: v for k, v in overlapping.items() if k != "from"} | {"from_date": "2026-12-10"}
    response = api.put("/v1/allocations/ST-9", json=renamed)
    assert {e["pointer"] for e in response.json()["errors"]} == {"/from", "/from_date"}
    backwards = overlapping | {"from": "2027-01-10", "until": "2027-01-02"}
    response = api.put("/v1/allocations/ST-9", json=backwards)
    assert [e["pointer"] for e in response.json()["errors"]] == ["/until"]
    # Its own period may move: a row does not overlap itself.
    moved = {"sku": "CHIP", "group": "Strategic", "from": "2026-12-01", "until": "2026-12-14",
             "qty": 10}  # fmt: skip
    assert api.put("/v1/allocations/ST-1", json=moved).status_code == 200
    assert exported(api)["allocations"] != sorted_document(plant())["allocations"]


def test_feed_puts_and_deletes_customers(api: TestClient) -> None:
    # ACME is not listed: the `*` rows limit it to 5.
    oracle = Oracle(plant(), AS_OF, HORIZON)
    assert (
        agree(api, oracle, quote("ACME", ("CHIP", 8, "2026-12-03")))["lines"][0][
            "qty_on_requested_date"
        ]
        == 5
    )
    created = api.put("/v1/customers/ACME", json={"group": "Strategic"})
    assert created.status_code == 201, created.text
    assert created.json()["group"] == "Strategic"
    moved = plant()
    moved["customers"].append({"customer": "ACME", "group": "Strategic"})
    assert agree(api, Oracle(moved, AS_OF, HORIZON), quote("ACME", ("CHIP", 8, "2026-12-03")))[
        "lines"
    ][0]["feasible_on_requested_date"]
    assert api.put("/v1/customers/ACME", json={"group": "Regional"}).status_code == 200
    mismatch = api.put("/v1/customers/ACME", json={"customer": "HOOLI", "group": "X"})
    assert [e["pointer"] for e in mismatch.json()["errors"]] == ["/customer"]
    assert api.delete("/v1/customers/ACME").status_code == 200
    assert api.delete("/v1/customers/ACME").status_code == 404
    assert exported(api) == sorted_document(plant())


# -- promises use the allocation up ----------------------------------------------------------


def test_held_and_confirmed_promises_use_it_and_an_expired_hold_gives_it_back(
    api: TestClient, clock: Clock
) -> None:
    oracle = Oracle(plant(), AS_OF, HORIZON)
    held = hold(api, oracle, quote("GLOBEX", ("CHIP", 6, "2026-12-05"), hold_minutes=30))
    confirmed = hold(api, oracle, quote("INITECH", ("CHIP", 3, "2026-12-10")))
    assert api.post(f"/v1/promises/{confirmed['id']}/confirm").status_code == 200
    # 10 in the first period: 9 are taken, so 5 on 12 Dec must wait for the second.
    late = agree(api, oracle, quote("INITECH", ("CHIP", 5, "2026-12-12")))
    assert late["lines"][0]["earliest_date"] == "2026-12-16"
    (constraint,) = late["lines"][0]["constraints"]
    assert constraint["kind"] == "allocation"
    assert constraint["detail"] == (
        "Strategic's 1 Dec 2026 to 15 Dec 2026 allocation of CHIP, 10, has only 1 left for "
        "12 Dec 2026; 10 more from 16 Dec 2026."
    )
    # The `*` group is not touched by the Strategic promises.
    agree(api, oracle, quote("HOOLI", ("CHIP", 5, "2026-12-12")))

    clock.advance(minutes=31)
    oracle.takes, oracle.deliveries = oracle.takes[1:], oracle.deliveries[1:]
    assert api.get(f"/v1/promises/{held['id']}").json()["status"] == "expired"
    freed = agree(api, oracle, quote("INITECH", ("CHIP", 5, "2026-12-12")))
    assert freed["lines"][0]["feasible_on_requested_date"]


def test_an_earlier_line_of_the_quote_uses_it(api: TestClient) -> None:
    oracle = Oracle(plant(), AS_OF, HORIZON)
    result = agree(
        api, oracle, quote("GLOBEX", ("CHIP", 7, "2026-12-03"), ("CHIP", 7, "2026-12-04"))
    )
    assert [line["feasible_on_requested_date"] for line in result["lines"]] == [True, False]


def test_an_allocation_cut_after_confirmation_never_puts_the_promise_at_risk(
    api: TestClient,
) -> None:
    oracle = Oracle(plant(), AS_OF, HORIZON)
    promise = hold(api, oracle, quote("GLOBEX", ("CHIP", 8, "2026-12-05")))
    assert api.post(f"/v1/promises/{promise['id']}/confirm").status_code == 200
    cut = {"sku": "CHIP", "group": "Strategic", "from": "2026-12-01", "until": "2026-12-15",
           "qty": 2}  # fmt: skip
    changed = api.put("/v1/allocations/ST-1", json=cut)
    assert changed.status_code == 200, changed.text
    assert changed.json()["promises_at_risk"] == []
    # The stock it takes is gone too, so it is checked again: bought instead, it keeps its date
    # (its 8 are more than the 2 now allocated, and yet it keeps them).
    stock = api.put("/v1/inventory/CHIP", json={"on_hand": 0})
    assert stock.json()["promises_at_risk"] == []
    again = api.get(f"/v1/promises/{promise['id']}").json()
    assert again["status"] == "confirmed"
    assert again["at_risk"] is None
    assert again["check"]["lines"][0]["plan"]["purchases"][0]["qty"] == 8
    # A new quote sees the cut: the promise's 8 are more than the 2 left of the period.
    doc = plant()
    doc["allocations"][0]["qty"] = 2
    doc["inventory"][0]["on_hand"] = 0
    oracle.doc = doc
    late = agree(api, oracle, quote("INITECH", ("CHIP", 1, "2026-12-06")))
    assert late["lines"][0]["earliest_date"] == "2026-12-16"


def test_the_list_shows_taken_and_left_per_row(api: TestClient, clock: Clock) -> None:
    oracle = Oracle(plant(), AS_OF, HORIZON)
    hold(api, oracle, quote("GLOBEX", ("CHIP", 6, "2026-12-05"), hold_minutes=30))
    confirmed = hold(api, oracle, quote("INITECH", ("CHIP", 3, "2026-12-20")))
    assert api.post(f"/v1/promises/{confirmed['id']}/confirm").status_code == 200
    hold(api, oracle, quote("ACME", ("CHIP", 2, "2026-12-02")))

    def listed(**query: str) -> dict[str, tuple[int, int, int]]:
        response = api.get("/v1/allocations", params=query)
        assert response.status_code == 200, response.text
        return {
            row["ref"]: (row["taken"]["held"], row["taken"]["confirmed"], row["left"])
            for row in response.json()["items"]
        }

    def left(group: str, first: str) -> int:
        return oracle.allocation_left(group, "CHIP", max(oracle._day(first), 0), [])

    assert listed() == {
        "ST-1": (6, 0, left("Strategic", "2026-12-01")),
        "ST-2": (0, 3, left("Strategic", "2026-12-16")),
        "ALL-1": (2, 0, left("*", "2026-12-01")),
    }
    assert listed(group="Strategic", sku="CHIP").keys() == {"ST-1", "ST-2"}
    assert listed(sku="BOLT") == {}
    clock.advance(minutes=31)
    assert listed(group="Strategic")["ST-1"][:2] == (0, 0)


def test_stats_count_the_lines_bound_by_allocation_per_group(api: TestClient) -> None:
    oracle = Oracle(plant(), AS_OF, HORIZON)
    agree(api, oracle, quote("INITECH", ("CHIP", 11, "2026-12-03")))  # Strategic: 10
    agree(api, oracle, quote("GLOBEX", ("CHIP", 2, "2026-12-03"), ("CHIP", 9, "2026-12-04")))
    agree(api, oracle, quote("HOOLI", ("CHIP", 6, "2026-12-03")))  # `*`: 5
    agree(api, oracle, quote("HOOLI", ("BOLT", 60, "2026-12-01")))  # late, not by allocation
    stats = api.get("/v1/stats", params={"since": "2026-11-01", "until": "2026-12-31"})
    assert stats.status_code == 200, stats.text
    assert stats.json()["binding_allocations"] == [
        {"group": "*", "lines": 1},
        {"group": "Strategic", "lines": 2},
    ]
