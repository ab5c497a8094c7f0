"""Allocations (SPEC section 7) in the engine, against an oracle written from the text.

Tiny plants of purchased items, random allocation rows, customers and deliveries of held or
confirmed promises, and quotes of a few lines: every earliest date, quantity on the requested
date and promised date agrees with :mod:`tests.oracles.allocations`, and an ``allocation``
constraint appears exactly when the allocation left on the requested day is short. The named
scenarios pin the cases of the issue one by one.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.solver.allocation import Delivery
from app.solver.document import plant_from_document
from app.solver.engine import SolverSettings, check_quote
from app.solver.plant import Reservations
from app.solver.results import LineRequest, QuoteResult
from app.solver.state import PlanningState
from tests.oracles.allocations import Oracle

AS_OF = date(2026, 11, 30)
H = 16
DETERMINISTIC = SolverSettings(time_limit_seconds=30, workers=1, random_seed=7)
CUSTOMERS = ["ACME", "GLOBEX", "INITECH", "UMBRELLA"]


def iso(day: int) -> str:
    return (AS_OF + timedelta(days=day)).isoformat()


@st.composite
def periods(draw: st.DrawFn, sku: str, group: str, start: int) -> list[dict[str, Any]]:
    """Non-overlapping periods of one sku and group, some perhaps over before as_of."""
    rows = []
    day = draw(st.integers(-6, 6))
    for n in range(draw(st.integers(1, 3))):
        length = draw(st.integers(1, 6))
        rows.append(
            {
                "ref": f"AL-{sku}-{group}-{start + n}",
                "sku": sku,
                "group": group,
                "from": iso(day),
                "until": iso(day + length - 1),
                "qty": draw(st.integers(0, 12)),
            }
        )
        day += length + draw(st.integers(0, 3))
    return rows


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    items = [
        {"sku": "A", "name": "Scarce part", "kind": "purchased",
         "lead_time_days": draw(st.one_of(st.none(), st.integers(0, H + 2)))},
        {"sku": "B", "name": "Other part", "kind": "purchased",
         "lead_time_days": draw(st.one_of(st.none(), st.integers(0, H + 2)))},
    ]  # fmt: skip
    moves = st.fixed_dictionaries(
        {"sku": st.sampled_from(["A", "B"]), "qty": st.integers(1, 15),
         "date": st.integers(-2, H + 1).map(iso)}
    )  # fmt: skip
    supply = [m | {"ref": f"PO-{i}"} for i, m in enumerate(draw(st.lists(moves, max_size=3)))]
    demand = [m | {"ref": f"SO-{i}"} for i, m in enumerate(draw(st.lists(moves, max_size=2)))]
    groups = draw(st.dictionaries(st.sampled_from(CUSTOMERS), st.sampled_from(["G1", "G2", "*"])))
    allocations: list[dict[str, Any]] = []
    for sku in ("A", "B"):
        for group in draw(st.sets(st.sampled_from(["G1", "G2", "*"]))):
            allocations += draw(periods(sku, group, len(allocations)))
    return {
        "items": items,
        "inventory": [
            {"sku": "A", "on_hand": draw(st.integers(0, 30))},
            {"sku": "B", "on_hand": draw(st.integers(0, 30))},
        ],
        "supply": supply,
        "demand": demand,
        "customers": [{"customer": c, "group": g} for c, g in groups.items()],
        "allocations": allocations,
    }


deliveries_st = st.lists(
    st.builds(
        Delivery,
        st.sampled_from(CUSTOMERS),
        st.sampled_from(["A", "B"]),
        st.integers(1, 8),
        st.integers(-8, H + 1).map(lambda d: AS_OF + timedelta(days=d)),
    ),
    max_size=4,
)
lines_st = st.lists(
    st.tuples(st.sampled_from(["A", "B"]), st.integers(1, 14), st.integers(0, H - 1)),
    min_size=1,
    max_size=3,
)


def engine_quote(
    doc: dict[str, Any],
    customer: str,
    lines: list[tuple[str, int, int]],
    deliveries: list[Delivery],
) -> QuoteResult:
    state = PlanningState.build(plant_from_document(doc), AS_OF, H)
    state = state.with_reservations(Reservations(deliveries=tuple(deliveries)))
    requests = [
        LineRequest(str(i), sku, qty, AS_OF + timedelta(days=day))
        for i, (sku, qty, day) in enumerate(lines)
    ]
    return check_quote(
        state, requests, ship_complete=False, settings=DETERMINISTIC, customer=customer
    )


def assert_agrees(
    doc: dict[str, Any],
    customer: str,
    lines: list[tuple[str, int, int]],
    deliveries: list[Delivery] = (),  # type: ignore[assignment]
) -> QuoteResult:
    quote = engine_quote(doc, customer, lines, list(deliveries))
    oracle = Oracle(
        doc, AS_OF, H, deliveries=[(d.customer, d.sku, d.date, d.qty) for d in deliveries]
    )
    expected = oracle.quote(customer, [(s, q, AS_OF + timedelta(days=d)) for s, q, d in lines])
    for line, want in zip(quote.lines, expected, strict=True):
        day = lambda when: None if when is None else (when - AS_OF).days  # noqa: E731
        assert (day(line.earliest_date), line.qty_on_requested_date, day(line.promised_date)) == (
            want.earliest,
            want.most,
            want.promised,
        ), line
        kinds = [c.kind for c in line.constraints]
        short = want.allocation_left is not None and want.allocation_left < line.qty
        assert ("allocation" in kinds) == (short and not line.feasible_on_requested_date)
        if line.earliest_date is not None:
            delivered = sum(t.qty for t in line.plan.stock) + sum(
                p.qty for p in line.plan.purchases
            )
            assert delivered == line.qty
    return quote


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    doc=documents(),
    customer=st.sampled_from(CUSTOMERS),
    lines=lines_st,
    deliveries=deliveries_st,
)
def test_engine_agrees_with_section_7(
    doc: dict[str, Any],
    customer: str,
    lines: list[tuple[str, int, int]],
    deliveries: list[Delivery],
) -> None:
    quote = assert_agrees(doc, customer, lines, deliveries)
    kinds = {c.kind for line in quote.lines for c in line.constraints}
    event(f"allocation binds: {'allocation' in kinds}")
    event(f"status: {quote.status}")


# -- the cases of the issue, one by one ------------------------------------------------------


def doc_with(allocations: list[dict[str, Any]], customers: dict[str, str]) -> dict[str, Any]:
    """Plenty of A in stock: only the allocation can make a line late."""
    return {
        "items": [{"sku": "A", "name": "Scarce part", "kind": "purchased", "lead_time_days": None}],
        "inventory": [{"sku": "A", "on_hand": 500}],
        "customers": [{"customer": c, "group": g} for c, g in customers.items()],
        "allocations": allocations,
    }


def row(group: str, first: int, last: int, qty: int, ref: str | None = None) -> dict[str, Any]:
    return {
        "ref": ref or f"{group}-{first}",
        "sku": "A",
        "group": group,
        "from": iso(first),
        "until": iso(last),
        "qty": qty,
    }


def test_carry_over_from_an_earlier_period() -> None:
    doc = doc_with([row("G1", 0, 4, 10), row("G1", 5, 9, 10)], {"GLOBEX": "G1"})
    # 4 of the first period delivered: its 6 left carry into the second, 16 in all from day 5.
    used = [Delivery("GLOBEX", "A", 4, AS_OF + timedelta(days=1))]
    quote = assert_agrees(doc, "GLOBEX", [("A", 16, 6)], used)
    assert quote.lines[0].feasible_on_requested_date


def test_a_later_period_is_never_used_early() -> None:
    doc = doc_with([row("G1", 0, 4, 10), row("G1", 5, 9, 10)], {"GLOBEX": "G1"})
    quote = assert_agrees(doc, "GLOBEX", [("A", 15, 2)])
    line = quote.lines[0]
    assert line.earliest_date == AS_OF + timedelta(days=5)
    (constraint,) = line.constraints
    assert constraint.kind == "allocation"
    assert constraint.detail == (
        "G1's 30 Nov 2026 to 4 Dec 2026 allocation of A, 10, has only 10 left for 2 Dec 2026; "
        "10 more from 5 Dec 2026."
    )


def test_a_later_commitment_keeps_its_allocation() -> None:
    doc = doc_with([row("G1", 0, 9, 10)], {"GLOBEX": "G1"})
    used = [Delivery("GLOBEX", "A", 7, AS_OF + timedelta(days=8))]
    assert_agrees(doc, "GLOBEX", [("A", 5, 1)], used)


def test_the_star_group_limits_everyone_without_rows_of_their_own() -> None:
    doc = doc_with(
        [row("G1", 0, 9, 50), row("*", 0, 9, 5)],
        {"GLOBEX": "G1", "INITECH": "G2"},
    )
    # INITECH's group G2 has no rows, ACME is not listed: both share the 5 of `*`.
    used = [Delivery("ACME", "A", 3, AS_OF + timedelta(days=1))]
    quote = assert_agrees(doc, "INITECH", [("A", 4, 2)], used)
    assert quote.lines[0].qty_on_requested_date == 2
    assert_agrees(doc, "GLOBEX", [("A", 40, 2)], used)


def test_a_group_without_rows_and_no_star_rows_is_not_limited() -> None:
    doc = doc_with([row("G1", 0, 9, 5)], {"GLOBEX": "G1", "INITECH": "G2"})
    quote = assert_agrees(doc, "INITECH", [("A", 300, 0)])
    assert quote.lines[0].feasible_on_requested_date


def test_rows_that_ended_before_as_of_do_not_count() -> None:
    doc = doc_with([row("G1", -9, -1, 500), row("*", 0, 9, 5)], {"GLOBEX": "G1"})
    # G1's only row is over, so GLOBEX falls to the `*` rows.
    quote = assert_agrees(doc, "GLOBEX", [("A", 6, 0)])
    assert quote.lines[0].qty_on_requested_date == 5


def test_an_earlier_line_of_the_quote_uses_the_allocation() -> None:
    doc = doc_with([row("G1", 0, 4, 10), row("G1", 5, 9, 10)], {"GLOBEX": "G1"})
    quote = assert_agrees(doc, "GLOBEX", [("A", 8, 1), ("A", 5, 1)])
    assert quote.lines[0].feasible_on_requested_date
    assert not quote.lines[1].feasible_on_requested_date


def test_an_allocation_that_never_suffices_leaves_no_date() -> None:
    doc = doc_with([row("G1", 0, 9, 10)], {"GLOBEX": "G1"})
    quote = assert_agrees(doc, "GLOBEX", [("A", 11, 0)])
    assert quote.status == "infeasible"
    assert [c.kind for c in quote.lines[0].constraints] == ["allocation", "horizon"]


def test_the_constraint_names_the_period_and_what_comes_next() -> None:
    doc = doc_with(
        [row("Globex", 1, 31, 40, "DEC"), row("Globex", 32, 62, 25, "JAN")],
        {"GLOBEX": "Globex"},
    )
    state = PlanningState.build(plant_from_document(doc), date(2026, 11, 30), 70)
    used = Reservations(deliveries=(Delivery("GLOBEX", "A", 40, date(2026, 12, 3)),))
    quote = check_quote(
        state.with_reservations(used),
        [LineRequest("1", "A", 10, date(2026, 12, 10))],
        ship_complete=False,
        settings=DETERMINISTIC,
        customer="GLOBEX",
    )
    (constraint,) = quote.lines[0].constraints
    assert constraint.detail == (
        "Globex's December allocation of A, 40, is used up; 25 more from 1 Jan 2027."
    )
    assert (constraint.sku, constraint.from_date, constraint.until_date) == (
        "A",
        date(2026, 12, 1),
        date(2026, 12, 31),
    )
    assert quote.lines[0].earliest_date == date(2027, 1, 1)


def test_allocations_limit_only_the_lines_own_item() -> None:
    """A component's allocation (used up here) does not limit the parent made from it."""
    doc = {
        "items": [
            {"sku": "TOP", "name": "Top", "kind": "manufactured"},
            {"sku": "A", "name": "Scarce part", "kind": "purchased", "lead_time_days": None},
        ],
        "resources": [{"code": "R", "name": "R", "calendar": {"weekly_minutes": [480] * 7}}],
        "routings": [{"sku": "TOP", "operations": [
            {"seq": 10, "resource": "R", "setup_minutes": 0, "run_minutes_per_unit": 10}]}],
        "bom": [{"parent": "TOP", "component": "A", "qty_per": 1}],
        "inventory": [{"sku": "A", "on_hand": 50}],
        "customers": [{"customer": "GLOBEX", "group": "G1"}],
        "allocations": [row("G1", 0, 9, 0), row("*", 0, 9, 0)],
    }  # fmt: skip
    quote = engine_quote(doc, "GLOBEX", [("TOP", 20, 3)], [])
    assert quote.lines[0].feasible_on_requested_date
    assert engine_quote(doc, "GLOBEX", [("A", 1, 3)], []).status == "infeasible"
