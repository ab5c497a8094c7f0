"""A hold plans outside the reservations lock and reserves those plans only when they provably
still stand under the lock (docs/concurrency.md, app.solver.standing); otherwise it plans again
there. Either way its answer is the one on what is reserved under the lock. On both databases.

The interleaving is forced, not timed: hold A is held inside its first planning (an event), hold
B (or a release) is answered and committed meanwhile, then A goes on to take the lock. Plannings
are counted per quote: 1 when A's snapshot plans are reserved as they are, 2 when A was planned
again under the lock.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from app.db.events import PromiseEventRow
from app.db.promises import PromiseRow
from app.main import create_app
from app.services import promises
from app.services.snapshot_gate import snapshot_gate
from app.settings import Settings
from tests.support.clock import Clock

AS_OF = date(2027, 1, 4)
HORIZON_DAYS = 10
# Only a safety net against a hang: no result depends on it.
STUCK_SECONDS = 120


def plant() -> dict[str, Any]:
    """CELL makes one unit a day (MADE, or KIT from one COMP); COMP: one on hand, bought in 5
    days; STOCKED: 25 on hand, on no resource, allocated 2 to the group of ACME; PART: never
    re-ordered, one on hand and one more arriving on day 3 and on day 6."""
    cell_op = {"seq": 10, "resource": "CELL", "setup_minutes": 0, "run_minutes_per_unit": 60}
    return {
        "holidays": [],
        "items": [
            {"sku": "MADE", "name": "Made on the cell", "kind": "manufactured"},
            {"sku": "KIT", "name": "Kit made from a bought part", "kind": "manufactured"},
            {"sku": "COMP", "name": "Bought part", "kind": "purchased", "lead_time_days": 5},
            {"sku": "STOCKED", "name": "Stocked part", "kind": "purchased", "lead_time_days": None},
            {"sku": "PART", "name": "Scarce part", "kind": "purchased", "lead_time_days": None},
        ],
        "resources": [
            {"code": "CELL", "name": "Cell", "calendar": {"weekly_minutes": [60] * 7, "exceptions": []}}
        ],
        "routings": [
            {"sku": "MADE", "operations": [cell_op]},
            {"sku": "KIT", "operations": [cell_op]},
        ],
        "bom": [{"parent": "KIT", "component": "COMP", "qty_per": 1}],
        "inventory": [
            {"sku": "COMP", "on_hand": 1}, {"sku": "STOCKED", "on_hand": 25},
            {"sku": "PART", "on_hand": 1},
        ],
        "supply": [
            {"ref": "P-3", "sku": "PART", "qty": 1, "date": day(3)},
            {"ref": "P-6", "sku": "PART", "qty": 1, "date": day(6)},
        ],
        "demand": [],
        "load": [],
        "customers": [{"customer": "ACME", "group": "Key"}],
        "allocations": [
            {"ref": "K-1", "sku": "STOCKED", "group": "Key", "from": AS_OF.isoformat(),
             "until": (AS_OF + timedelta(days=HORIZON_DAYS - 1)).isoformat(), "qty": 2}
        ],
    }  # fmt: skip


def day(n: int) -> str:
    return (AS_OF + timedelta(days=n)).isoformat()


def quote(
    ref: str, sku: str, qty: int, requested: int, customer: str = "OTHER", **extra: Any
) -> dict[str, Any]:
    """ACME's STOCKED is limited by its allocation; OTHER is in no group, nothing limits it."""
    return {
        "quote_ref": ref,
        "customer": customer,
        "as_of": AS_OF.isoformat(),
        "lines": [{"line_ref": "1", "sku": sku, "qty": qty, "requested_date": day(requested)}],
    } | extra


@pytest.fixture
def api(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, auth=False, horizon_days=HORIZON_DAYS)
    with TestClient(create_app(settings)) as client:
        clock = Clock(datetime.combine(AS_OF, time(9), tzinfo=UTC))
        client.app.state.clock = clock  # type: ignore[attr-defined]
        assert client.put("/v1/dataset", json=plant()).status_code == 200
        yield client


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Plannings of a hold per quote_ref; quote "A" is held inside its first one (see
    ``interleave``). Every hold plans on a snapshot first, whatever the earlier tests' holds
    did."""
    snapshot_gate.reset()
    counted: Counter[str] = Counter()
    plan_on = promises.plan_on

    def counting(session: Any, settings: Any, request: Any, reserved: Any, **kwargs: Any) -> Any:
        counted[request.quote_ref] += 1
        planned = plan_on(session, settings, request, reserved, **kwargs)
        hook = _HOOKS.pop(request.quote_ref, None)
        if hook is not None:
            hook()
        return planned

    monkeypatch.setattr(promises, "plan_on", counting)
    return counted


_HOOKS: dict[str, Callable[[], None]] = {}


def interleave(api: TestClient, first: dict[str, Any], meanwhile: Callable[[], None]) -> Response:
    """POST hold ``first`` (quote_ref "A"); after its planning on the snapshot and before it
    takes the lock, run ``meanwhile`` to its commit; then let A go on. A's answer."""
    assert first["quote_ref"] == "A"
    solved, go_on = threading.Event(), threading.Event()

    def hold_a_inside_its_solve() -> None:
        solved.set()
        assert go_on.wait(STUCK_SECONDS)

    _HOOKS["A"] = hold_a_inside_its_solve
    try:
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(api.post, "/v1/promises", json=first)
            assert solved.wait(STUCK_SECONDS)
            meanwhile()
            assert not answer.done()  # A is still between its solve and the lock
            go_on.set()
            return answer.result(STUCK_SECONDS)
    finally:
        go_on.set()
        _HOOKS.pop("A", None)


def held(api: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/v1/promises", json=body)
    assert response.status_code == 201, response.text
    promise: dict[str, Any] = response.json()
    return promise


def line_of(response: Response) -> dict[str, Any]:
    body = response.json()
    line: dict[str, Any] = body["check"]["lines"][0]
    return line


def test_a_plan_taken_meanwhile_is_solved_again_and_held_later(
    api: TestClient, solves: Counter[str]
) -> None:
    answer = interleave(
        api, quote("A", "MADE", 1, requested=0), lambda: held(api, quote("B", "MADE", 1, 0))
    )
    assert answer.status_code == 201, answer.text
    line = line_of(answer)
    # On the snapshot day 0 was free; B took it before A had the lock.
    assert (line["earliest_date"], line["promised_date"]) == (day(1), day(1))
    assert line["feasible_on_requested_date"] is False
    assert solves["A"] == 2


def test_a_plan_taken_meanwhile_is_refused_with_requested_only(
    api: TestClient, solves: Counter[str]
) -> None:
    first = quote("A", "MADE", 1, requested=0, mode="requested_only")
    answer = interleave(api, first, lambda: held(api, quote("B", "MADE", 1, 0)))
    assert answer.status_code == 409, answer.text
    assert answer.json()["check"]["status"] == "counter_proposal"
    assert solves["A"] == 2
    assert [p["quote_ref"] for p in api.get("/v1/promises").json()["items"]] == ["B"]


def test_an_earliest_date_moved_later_is_found_while_the_snapshot_plan_is_kept(
    api: TestClient, solves: Counter[str]
) -> None:
    # A's plan is on day 5 (as late as possible), its earliest day 0; B takes day 0: A's plan
    # still fits and is reserved, but its earliest date is day 1 now, as the answer says.
    answer = interleave(
        api, quote("A", "MADE", 1, requested=5), lambda: held(api, quote("B", "MADE", 1, 0))
    )
    assert answer.status_code == 201, answer.text
    line = line_of(answer)
    assert (line["earliest_date"], line["promised_date"]) == (day(1), day(5))
    assert solves["A"] == 1  # the snapshot plan reserved, explained on what is reserved now


def test_a_late_lines_quantity_on_the_requested_date_is_the_one_of_now(
    api: TestClient, solves: Counter[str]
) -> None:
    # Two KITs need two COMPs in one lot: the second is bought for day 5, so the earliest day
    # is 6 (days 5 and 6 on CELL); one KIT could be made by day 1 from the COMP on hand. B
    # takes CELL on days 0 and 1: A's plan still fits and its earliest day stays 6 (the plan is
    # kept), but nothing can be delivered on day 1 any more: explained on what is reserved now.
    first = quote("A", "KIT", 2, requested=1)
    answer = interleave(api, first, lambda: held(api, quote("B", "MADE", 2, 1)))
    assert answer.status_code == 201, answer.text
    line = line_of(answer)
    assert (line["earliest_date"], line["promised_date"]) == (day(6), day(6))
    assert line["qty_on_requested_date"] == 0
    assert solves["A"] == 1  # the snapshot plan reserved, explained on what is reserved now


def test_a_release_meanwhile_is_solved_again_for_an_earlier_date(
    api: TestClient, solves: Counter[str]
) -> None:
    earlier = quote("C", "MADE", 1, 0)
    earlier["lines"][0]["line_ref"] = "c"  # not A's quote: A's second solve is not C's answer
    earlier = held(api, earlier)
    answer = interleave(
        api,
        quote("A", "MADE", 1, requested=0),
        lambda: api.post(f"/v1/promises/{earlier['id']}/release").raise_for_status(),
    )
    assert answer.status_code == 201, answer.text
    line = line_of(answer)
    # On the snapshot C had day 0; released, day 0 is free again.
    assert (line["earliest_date"], line["feasible_on_requested_date"]) == (day(0), True)
    assert solves["A"] == 2


def test_an_allocation_used_up_meanwhile_is_solved_again_and_refused(
    api: TestClient, solves: Counter[str]
) -> None:
    # ACME may receive 2 STOCKED; A asks for both on day 0 (its earliest day, plenty of stock),
    # B takes one of them before A has the lock.
    answer = interleave(
        api,
        quote("A", "STOCKED", 2, requested=0, customer="ACME"),
        lambda: held(api, quote("B", "STOCKED", 1, 0, customer="ACME")),
    )
    assert answer.status_code == 409, answer.text
    assert answer.json()["check"]["lines"][0]["earliest_date"] is None
    assert solves["A"] == 2


def test_something_unrelated_added_meanwhile_keeps_the_snapshot_answer(
    api: TestClient, solves: Counter[str]
) -> None:
    answer = interleave(
        api, quote("A", "MADE", 1, requested=5), lambda: held(api, quote("B", "STOCKED", 1, 0))
    )
    assert answer.status_code == 201, answer.text
    line = line_of(answer)
    assert (line["earliest_date"], line["promised_date"]) == (day(0), day(5))
    assert solves["A"] == 1  # reserved without a second solve


def test_a_line_exact_on_its_requested_date_keeps_the_snapshot_answer(
    api: TestClient, solves: Counter[str]
) -> None:
    # A: day 0 requested, day 0 its earliest and its plan; B takes CELL on day 5 (A's tree, but
    # nothing A's answer depends on).
    answer = interleave(
        api, quote("A", "MADE", 1, requested=0), lambda: held(api, quote("B", "MADE", 1, 5))
    )
    assert answer.status_code == 201, answer.text
    line = line_of(answer)
    assert (line["earliest_date"], line["feasible_on_requested_date"]) == (day(0), True)
    assert solves["A"] == 1


def test_stock_taken_meanwhile_that_moves_an_earliest_date_is_seen_in_the_answer(
    api: TestClient, solves: Counter[str]
) -> None:
    # A: 2 PART by day 8, earliest day 3 (1 on hand + 1 arriving); its plan takes them on day
    # 8. B takes 1 on day 3: A's plan still fits (3 there by day 8) and is kept, but 2 can be
    # had only from day 6 now.
    answer = interleave(
        api, quote("A", "PART", 2, requested=8), lambda: held(api, quote("B", "PART", 1, 3))
    )
    assert answer.status_code == 201, answer.text
    line = line_of(answer)
    assert (line["earliest_date"], line["promised_date"]) == (day(6), day(8))
    assert solves["A"] == 1  # the snapshot plan reserved, explained on what is reserved now


def test_ample_stock_taken_meanwhile_keeps_the_snapshot_answer(
    api: TestClient, solves: Counter[str]
) -> None:
    # B takes 5 of the 25 STOCKED: the 20 left still cover all A could ever take.
    answer = interleave(
        api, quote("A", "STOCKED", 5, requested=3), lambda: held(api, quote("B", "STOCKED", 5, 0))
    )
    assert answer.status_code == 201, answer.text
    line = line_of(answer)
    assert (line["earliest_date"], line["promised_date"]) == (day(0), day(3))
    assert solves["A"] == 1


def test_minutes_taken_after_the_promised_date_keep_the_snapshot_answer(
    api: TestClient, solves: Counter[str]
) -> None:
    # A late line (the KITs of test_a_late_lines_quantity...: day 6, 1 on day 1); B takes CELL
    # on day 8, after everything A's answer depends on.
    first = quote("A", "KIT", 2, requested=1)
    answer = interleave(api, first, lambda: held(api, quote("B", "MADE", 1, 8)))
    assert answer.status_code == 201, answer.text
    line = line_of(answer)
    assert (line["earliest_date"], line["qty_on_requested_date"]) == (day(6), 1)
    assert solves["A"] == 1


# -- reserved first, answered after (docs/concurrency.md) -----------------------------------


@pytest.fixture
def explaining(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], None]]:
    """Hooks run inside a hold's explanation, per quote_ref: after its reservations committed,
    before its answer is stored."""
    hooks: dict[str, Callable[[], None]] = {}
    explain = promises.explain

    def hooked(planned: Any, settings: Any, **kwargs: Any) -> Any:
        quote_ref = _quote_refs.pop(id(planned), None)
        hook = hooks.pop(quote_ref, None) if quote_ref is not None else None
        if hook is not None:
            hook()
        return explain(planned, settings, **kwargs)

    plan_on = promises.plan_on

    def remembering(session: Any, settings: Any, request: Any, reserved: Any, **kwargs: Any) -> Any:
        dated, planned = plan_on(session, settings, request, reserved, **kwargs)
        _quote_refs[id(planned)] = request.quote_ref
        return dated, planned

    monkeypatch.setattr(promises, "explain", hooked)
    monkeypatch.setattr(promises, "plan_on", remembering)
    return hooks


_quote_refs: dict[int, str] = {}


def events_of(api: TestClient) -> list[tuple[str, str]]:
    """(quote_ref, event type) of every event recorded, oldest first."""
    factory = api.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        rows = session.execute(
            select(PromiseRow.quote_ref, PromiseEventRow.type)
            .join(PromiseRow, PromiseRow.id == PromiseEventRow.promise_id)
            .order_by(PromiseEventRow.seq)
        )
        return [(ref, kind) for ref, kind in rows]


def test_a_hold_reserved_but_not_yet_answered_counts_and_is_seen_by_no_reader(
    api: TestClient, explaining: dict[str, Callable[[], None]]
) -> None:
    # A asks for 2 MADE on day 0: CELL makes one a day, so it is late (day 1) and its answer
    # needs explaining, which runs after its reservations committed.
    seen: dict[str, Any] = {}

    def meanwhile() -> None:
        seen["promises"] = api.get("/v1/promises").json()["items"]
        seen["checks"] = api.get("/v1/checks").json()["items"]
        seen["events"] = events_of(api)
        # A's plan (CELL on days 0 and 1) is reserved: a check finds day 2 for one more.
        check = api.post("/v1/checks", json=quote("C", "MADE", 1, 0))
        seen["check"] = check.json()["lines"][0]

    with ThreadPoolExecutor(1) as pool:
        reached, go_on = threading.Event(), threading.Event()

        def wait_inside() -> None:
            reached.set()
            assert go_on.wait(STUCK_SECONDS)

        explaining["A"] = wait_inside
        answer = pool.submit(api.post, "/v1/promises", json=quote("A", "MADE", 2, 0))
        try:
            assert reached.wait(STUCK_SECONDS)
            meanwhile()
            assert not answer.done()
        finally:
            go_on.set()
        response = answer.result(STUCK_SECONDS)
    assert seen["promises"] == []
    assert [c["quote_ref"] for c in seen["checks"]] == []
    assert seen["events"] == []
    assert (seen["check"]["earliest_date"], seen["check"]["feasible_on_requested_date"]) == (
        day(2),
        False,
    )
    assert response.status_code == 201, response.text
    held_a = response.json()
    line = held_a["check"]["lines"][0]
    assert (line["earliest_date"], line["qty_on_requested_date"]) == (day(1), 1)
    assert [c["kind"] for c in line["constraints"]] == ["capacity"]
    assert api.get(f"/v1/promises/{held_a['id']}").json()["check"] == held_a["check"]
    assert api.get(f"/v1/checks/{held_a['check']['id']}").json() == held_a["check"]
    assert [p["quote_ref"] for p in api.get("/v1/promises").json()["items"]] == ["A"]
    assert events_of(api) == [("A", "promise.held")]


def test_a_hold_that_fails_after_reserving_is_never_seen_and_runs_out_unannounced(
    api: TestClient, explaining: dict[str, Callable[[], None]]
) -> None:
    def crash() -> None:
        raise RuntimeError("the process dies between the two transactions")

    explaining["A"] = crash
    with pytest.raises(RuntimeError, match="dies between"):
        api.post("/v1/promises", json=quote("A", "MADE", 2, 0, hold_minutes=10))
    assert api.get("/v1/promises").json()["items"] == []
    assert api.get("/v1/checks").json()["items"] == []
    # What it reserved stays reserved until the hold runs out: nobody else was promised it.
    taken = api.post("/v1/checks", json=quote("C", "MADE", 1, 0)).json()["lines"][0]
    assert taken["earliest_date"] == day(2)
    api.app.state.clock.advance(minutes=11)  # type: ignore[attr-defined]
    free = api.post("/v1/checks", json=quote("D", "MADE", 1, 0)).json()["lines"][0]
    assert free["earliest_date"] == day(0)
    held(api, quote("E", "MADE", 1, 0))  # marks what ran out, under the lock
    assert events_of(api) == [("E", "promise.held")]
    assert [p["quote_ref"] for p in api.get("/v1/promises").json()["items"]] == ["E"]


def test_a_hold_under_an_idempotency_key_is_answered_in_the_transaction_that_reserves(
    api: TestClient, explaining: dict[str, Callable[[], None]]
) -> None:
    factory = api.app.state.session_factory  # type: ignore[attr-defined]
    committed: dict[str, int] = {}

    def count_committed_holds() -> None:
        with factory() as session:
            committed["rows"] = len(session.scalars(select(PromiseRow.id)).all())

    explaining["A"] = count_committed_holds
    response = api.post(
        "/v1/promises", json=quote("A", "MADE", 2, 0), headers={"Idempotency-Key": "k-1"}
    )
    assert response.status_code == 201, response.text
    assert committed == {"rows": 0}  # explained before anything was committed
    again = api.post(
        "/v1/promises", json=quote("A", "MADE", 2, 0), headers={"Idempotency-Key": "k-1"}
    )
    assert again.json() == response.json()
