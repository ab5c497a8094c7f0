"""The demo plant and the benchmark plants are valid dataset documents (SPEC section 1).

The consistency rules are written out here, independent of the app's own validation, so that a
bug in one cannot hide a bug in the other. The demo quotes' stock and capacity margins are
checked by hand-written bounds too; one test also runs them through the engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.sample_plant import EXPECTED_STATUS, sample_dataset, sample_quotes
from bench.plants import generate_plant, large, medium, random_quotes

Doc = dict[str, Any]

KEYS = {
    "holidays",
    "items",
    "resources",
    "routings",
    "bom",
    "inventory",
    "supply",
    "demand",
    "load",
}
HORIZON = 365
# Around Christmas (every weekday of a week), around Easter 2027 and an ordinary day.
AS_OF_DATES = [date(2026, 12, 18) + timedelta(days=n) for n in range(7)] + [
    date(2026, 11, 25),
    date(2027, 3, 22),
    date(2027, 4, 23),
]


# --- the rules of SPEC section 1 -----------------------------------------------------------


def is_whole(value: object, minimum: int = 0, maximum: int | None = None) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return value >= minimum and (maximum is None or value <= maximum)


def is_positive_decimal(value: object) -> bool:
    """A positive int or float with at most two decimals."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
        return False
    exponent = Decimal(str(value)).as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2


def is_iso_date(value: object) -> bool:
    try:
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def duplicates(values: Iterable[Hashable]) -> list[Hashable]:
    seen: set[Hashable] = set()
    repeated: list[Hashable] = []
    for value in values:
        if value in seen:
            repeated.append(value)
        seen.add(value)
    return repeated


def key_errors(doc: Doc) -> list[str]:
    lists = {
        "items": "sku",
        "resources": "code",
        "routings": "sku",
        "inventory": "sku",
        "supply": "ref",
        "demand": "ref",
        "load": "ref",
    }
    errors = [
        f"{name}: duplicate {key} {dup}"
        for name, key in lists.items()
        for dup in duplicates(row[key] for row in doc[name])
    ]
    errors += [f"holidays: duplicate {dup}" for dup in duplicates(doc["holidays"])]
    errors += [f"holidays: bad date {day}" for day in doc["holidays"] if not is_iso_date(day)]
    return errors


def item_errors(doc: Doc) -> list[str]:
    routed = {row["sku"] for row in doc["routings"]}
    parents = {row["parent"] for row in doc["bom"]}
    errors = []
    for item in doc["items"]:
        sku, kind = item["sku"], item["kind"]
        if not item.get("name"):
            errors.append(f"{sku}: no name")
        if kind == "purchased":
            lead = item.get("lead_time_days", "missing")
            if lead is not None and not is_whole(lead, 0, 3650):
                errors.append(f"{sku}: lead_time_days {lead}")
            if sku in routed or sku in parents:
                errors.append(f"{sku}: purchased with a routing or components")
        elif kind == "manufactured":
            if sku not in routed or item.get("lead_time_days") is not None:
                errors.append(f"{sku}: manufactured without a routing, or with a lead time")
        else:
            errors.append(f"{sku}: kind {kind}")
    return errors


def resource_errors(doc: Doc) -> list[str]:
    errors = []
    for resource in doc["resources"]:
        code, calendar = resource["code"], resource["calendar"]
        weekly = calendar["weekly_minutes"]
        if len(weekly) != 7 or not all(is_whole(m, 0, 1440) for m in weekly):
            errors.append(f"{code}: weekly_minutes {weekly}")
        for exception in calendar["exceptions"]:
            if not is_iso_date(exception["date"]) or not is_whole(exception["minutes"], 0, 1440):
                errors.append(f"{code}: exception {exception}")
        errors += [
            f"{code}: exception date twice {day}"
            for day in duplicates(e["date"] for e in calendar["exceptions"])
        ]
    return errors


def routing_errors(doc: Doc) -> list[str]:
    skus = {item["sku"] for item in doc["items"]}
    codes = {resource["code"] for resource in doc["resources"]}
    errors = []
    for routing in doc["routings"]:
        sku, operations = routing["sku"], routing["operations"]
        if sku not in skus or not operations:
            errors.append(f"routing {sku}: unknown sku or no operation")
        errors += [
            f"routing {sku}: seq {seq} twice" for seq in duplicates(op["seq"] for op in operations)
        ]
        for op in operations:
            valid = (
                is_whole(op["seq"])
                and op["resource"] in codes
                and is_whole(op["setup_minutes"])
                and is_positive_decimal(op["run_minutes_per_unit"])
            )
            if not valid:
                errors.append(f"routing {sku}: operation {op}")
    return errors


def bom_errors(doc: Doc) -> list[str]:
    skus = {item["sku"] for item in doc["items"]}
    errors = [
        f"bom: {row}"
        for row in doc["bom"]
        if row["parent"] not in skus
        or row["component"] not in skus
        or not is_positive_decimal(row["qty_per"])
    ]
    errors += [
        f"bom: line twice {dup}"
        for dup in duplicates((row["parent"], row["component"]) for row in doc["bom"])
    ]
    if bom_depth(doc) is None:
        errors.append("bom: cycle")
    return errors


def move_errors(doc: Doc) -> list[str]:
    skus = {item["sku"] for item in doc["items"]}
    codes = {resource["code"] for resource in doc["resources"]}
    errors = [
        f"inventory: {row}"
        for row in doc["inventory"]
        if row["sku"] not in skus or not is_whole(row["on_hand"])
    ]
    for name in ("supply", "demand"):
        errors += [
            f"{name}: {row}"
            for row in doc[name]
            if row["sku"] not in skus or not is_whole(row["qty"]) or not is_iso_date(row["date"])
        ]
    errors += [
        f"load: {row}"
        for row in doc["load"]
        if row["resource"] not in codes
        or not is_whole(row["minutes"])
        or not is_iso_date(row["date"])
    ]
    return errors


def document_errors(doc: Doc) -> list[str]:
    if not KEYS <= set(doc) <= KEYS | {"customers", "allocations"}:
        return [f"keys {sorted(doc)}"]
    if json.loads(json.dumps(doc)) != doc:
        return ["not plain JSON"]
    checks: list[Callable[[Doc], list[str]]] = [
        key_errors,
        item_errors,
        resource_errors,
        routing_errors,
        bom_errors,
        move_errors,
    ]
    return [error for check in checks for error in check(doc)]


def bom_depth(doc: Doc) -> int | None:
    """Items on the longest BOM path; None on a cycle."""
    heights = bom_heights(doc)
    return None if heights is None else max(heights.values(), default=0)


def bom_heights(doc: Doc) -> dict[str, int] | None:
    """Per item, the items on its longest path down (1 without components); None on a cycle."""
    components: dict[str, list[str]] = {}
    for row in doc["bom"]:
        components.setdefault(row["parent"], []).append(row["component"])
    depth: dict[str, int] = {}
    # Peel leaves off level by level (Kahn): whatever is left at the end sits on a cycle.
    pending = {item["sku"] for item in doc["items"]}
    while pending:
        ready = {sku for sku in pending if all(c in depth for c in components.get(sku, []))}
        if not ready:
            return None
        for sku in ready:
            depth[sku] = 1 + max((depth[c] for c in components.get(sku, [])), default=0)
        pending -= ready
    return depth


def quote_errors(doc: Doc, quotes: list[Doc], as_of: date, max_days: int) -> list[str]:
    skus = {item["sku"] for item in doc["items"]}
    errors = [f"quote_ref twice {dup}" for dup in duplicates(q["quote_ref"] for q in quotes)]
    for quote in quotes:
        ref, lines = quote["quote_ref"], quote["lines"]
        if quote["as_of"] != as_of.isoformat() or not isinstance(quote["ship_complete"], bool):
            errors.append(f"{ref}: as_of or ship_complete")
        if not lines or duplicates(line["line_ref"] for line in lines) or not quote["customer"]:
            errors.append(f"{ref}: no lines, a line_ref twice, or no customer")
        for line in lines:
            days = (date.fromisoformat(line["requested_date"]) - as_of).days
            if line["sku"] not in skus or not is_whole(line["qty"], 1) or not 0 <= days <= max_days:
                errors.append(f"{ref}: line {line}")
    return errors


def _break(doc: Doc, how: str) -> Doc:
    broken: Doc = json.loads(json.dumps(doc))
    if how == "cycle":
        parent = broken["bom"][0]["parent"]
        broken["bom"].append(
            {"parent": broken["bom"][0]["component"], "component": parent, "qty_per": 1}
        )
    elif how == "dangling":
        broken["supply"][0]["sku"] = "NO-SUCH-SKU"
    elif how == "three decimals":
        broken["bom"][0]["qty_per"] = 0.125
    elif how == "duplicate ref":
        broken["demand"].append(dict(broken["demand"][0]))
    elif how == "purchased with routing":
        purchased = next(i for i in broken["items"] if i["kind"] == "purchased")
        broken["routings"].append(
            {"sku": purchased["sku"], "operations": broken["routings"][0]["operations"]}
        )
    elif how == "minutes":
        broken["resources"][0]["calendar"]["weekly_minutes"][0] = 1441
    return broken


@pytest.mark.parametrize(
    "how",
    ["cycle", "dangling", "three decimals", "duplicate ref", "purchased with routing", "minutes"],
)
def test_the_checks_catch_a_broken_document(how: str) -> None:
    doc = sample_dataset(date(2026, 11, 25))
    assert document_errors(doc) == []
    assert document_errors(_break(doc, how)) != []


def test_the_app_accepts_what_these_checks_accept() -> None:
    from app.services.dataset_validation import validate_dataset  # noqa: PLC0415

    for doc in (sample_dataset(date(2026, 11, 25)), medium(date(2026, 11, 25))):
        # Through JSON text with exact decimals, as an HTTP body arrives.
        validate_dataset(json.loads(json.dumps(doc), parse_float=Decimal))


# --- the demo plant ------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_sample_dataset_is_consistent(as_of: date) -> None:
    doc = sample_dataset(as_of)
    assert document_errors(doc) == []
    assert 4 <= len(_finished(doc)) <= 6
    assert 6 <= len(doc["resources"]) <= 10
    # Finished goods, two levels of sub-assemblies, purchased parts below.
    assert bom_depth(doc) == 4
    not_reorderable = [
        i for i in doc["items"] if i["kind"] == "purchased" and i["lead_time_days"] is None
    ]
    assert len(not_reorderable) == 1
    assert all(
        as_of <= date.fromisoformat(day) < as_of + timedelta(days=HORIZON)
        for day in doc["holidays"]
    )
    # A six-day line, a maintenance day, a half day; booked work only in the first weeks.
    calendars = [resource["calendar"] for resource in doc["resources"]]
    assert any(calendar["weekly_minutes"][5] > 0 for calendar in calendars)
    exception_minutes = {e["minutes"] for c in calendars for e in c["exceptions"]}
    assert 0 in exception_minutes
    assert exception_minutes - {0}
    assert all(_days_after(as_of, row["date"]) < 21 for row in doc["load"])


def test_sample_dataset_is_deterministic() -> None:
    assert sample_dataset(date(2026, 11, 25)) == sample_dataset(date(2026, 11, 25))


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_sample_quotes_are_valid_requests(as_of: date) -> None:
    quotes = sample_quotes(as_of)
    assert quote_errors(sample_dataset(as_of), quotes, as_of, max_days=HORIZON - 1) == []
    assert {q["quote_ref"] for q in quotes} == set(EXPECTED_STATUS)
    assert {"feasible", "counter_proposal", "infeasible"} <= set(EXPECTED_STATUS.values())


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_sample_quote_margins_hold_by_hand(as_of: date) -> None:
    """The bounds argued next to each quote in app/sample_plant.py, recomputed from the data."""
    doc = sample_dataset(as_of)
    quotes = {q["quote_ref"]: q for q in sample_quotes(as_of)}
    # Stock-only lines: the lowest projected stock over the whole horizon covers them.
    for ref, line_ref in (("Q-DEMO-01", "1"), ("Q-DEMO-02", "2"), ("Q-DEMO-03", "1")):
        line = _line(quotes[ref], line_ref)
        assert min(_projected(doc, line["sku"], as_of)) >= line["qty"]
    # Infeasible: bikes that will ever exist plus motors that will ever exist fall short.
    classic = _line(quotes["Q-DEMO-03"], "2")
    ever = max(_projected(doc, "EB-CLASSIC", as_of)) + max(_projected(doc, "MOT-MID60", as_of))
    assert ever < classic["qty"]
    # Capacity: even with every cargo bike in stock, the rest overruns the bay's calendar.
    cargo = _line(quotes["Q-DEMO-02"], "1")
    rest = cargo["qty"] - max(_projected(doc, "EB-CARGO", as_of))
    bay_op = next(r for r in doc["routings"] if r["sku"] == "EB-CARGO")["operations"][0]
    needed = bay_op["setup_minutes"] + rest * bay_op["run_minutes_per_unit"]
    requested = date.fromisoformat(cargo["requested_date"])
    assert needed > _calendar_minutes(doc, bay_op["resource"], as_of, requested)
    # Lead time: displays in stock never reach the quantity, and buying takes longer.
    display = _line(quotes["Q-DEMO-05"], "1")
    lead_time = next(i for i in doc["items"] if i["sku"] == "DISPLAY")["lead_time_days"]
    assert max(_projected(doc, "DISPLAY", as_of)) < display["qty"]
    assert _days_after(as_of, display["requested_date"]) < lead_time


@pytest.mark.parametrize("as_of", AS_OF_DATES[:3], ids=str)
def test_sample_quotes_get_their_expected_status_from_the_engine(as_of: date) -> None:
    from app.solver.document import plant_from_document  # noqa: PLC0415
    from app.solver.engine import PlanningState, SolverSettings, check_quote  # noqa: PLC0415
    from app.solver.results import LineRequest  # noqa: PLC0415

    state = PlanningState.build(plant_from_document(sample_dataset(as_of)), as_of, HORIZON)
    for quote in sample_quotes(as_of):
        lines = [
            LineRequest(
                line["line_ref"],
                line["sku"],
                line["qty"],
                date.fromisoformat(line["requested_date"]),
            )
            for line in quote["lines"]
        ]
        result = check_quote(
            state,
            lines,
            ship_complete=quote["ship_complete"],
            settings=SolverSettings(workers=1),
            customer=quote["customer"],
        )
        assert result.status == EXPECTED_STATUS[quote["quote_ref"]], quote["quote_ref"]
        if quote["quote_ref"] == "Q-DEMO-07":
            (line,) = result.lines
            assert [c.kind for c in line.constraints] == ["allocation"]
            assert line.earliest_date == as_of + timedelta(days=14)


def _finished(doc: Doc) -> list[str]:
    components = {row["component"] for row in doc["bom"]}
    return [item["sku"] for item in doc["items"] if item["sku"] not in components]


def _days_after(as_of: date, day: str) -> int:
    return (date.fromisoformat(day) - as_of).days


def _line(quote: Doc, line_ref: str) -> Doc:
    return next(line for line in quote["lines"] if line["line_ref"] == line_ref)


def _projected(doc: Doc, sku: str, as_of: date) -> list[int]:
    """P[sku][t] for every day of the horizon (SPEC section 2), without promises."""
    deltas = [0] * HORIZON
    for name, sign in (("supply", 1), ("demand", -1)):
        for row in doc[name]:
            day = max(0, (date.fromisoformat(row["date"]) - as_of).days)
            if row["sku"] == sku and day < HORIZON:
                deltas[day] += sign * row["qty"]
    level = sum(row["on_hand"] for row in doc["inventory"] if row["sku"] == sku)
    projected = []
    for delta in deltas:
        level += delta
        projected.append(level)
    return projected


def _calendar_minutes(doc: Doc, code: str, first: date, last: date) -> int:
    """Calendar minutes of a resource over [first, last], holidays and exceptions applied."""
    resource = next(r for r in doc["resources"] if r["code"] == code)
    exceptions = {e["date"]: e["minutes"] for e in resource["calendar"]["exceptions"]}
    total = 0
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        default = (
            0
            if day.isoformat() in doc["holidays"]
            else resource["calendar"]["weekly_minutes"][day.weekday()]
        )
        total += exceptions.get(day.isoformat(), default)
    return total


# --- the benchmark plants ------------------------------------------------------------------

AS_OF = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("preset", "n_items", "n_resources", "levels", "n_rows"),
    [(medium, 200, 15, 3, 2_000), (large, 2_000, 40, 4, 20_000)],
    ids=["medium", "large"],
)
def test_presets_are_consistent(
    preset: Callable[[date], Doc], n_items: int, n_resources: int, levels: int, n_rows: int
) -> None:
    doc = preset(AS_OF)  # large should take well under a couple of seconds
    assert document_errors(doc) == []
    assert len(doc["items"]) == n_items
    assert len(doc["resources"]) == n_resources
    assert len(doc["supply"]) + len(doc["demand"]) == n_rows
    assert bom_depth(doc) == levels
    _assert_realistic(doc)


@pytest.mark.parametrize("levels", [2, 3, 5])
def test_generator_gives_the_levels_asked_for(levels: int) -> None:
    doc = generate_plant(60, 5, levels, 300, seed=levels, as_of=AS_OF)
    assert document_errors(doc) == []
    assert bom_depth(doc) == levels


def _assert_realistic(doc: Doc) -> None:
    items = doc["items"]
    purchased = [item for item in items if item["kind"] == "purchased"]
    routed = {row["sku"]: row["operations"] for row in doc["routings"]}
    components: dict[str, int] = {}
    parents: dict[str, int] = {}
    for row in doc["bom"]:
        components[row["parent"]] = components.get(row["parent"], 0) + 1
        parents[row["component"]] = parents.get(row["component"], 0) + 1
    # Leaves are purchased; every manufactured item has 1..4 components and 1..4 operations.
    assert all(item["sku"] not in components for item in purchased)
    assert all(1 <= n <= 4 for n in components.values())
    assert all(1 <= len(ops) <= 4 for ops in routed.values())
    # Some components are shared, some parts cannot be re-ordered, lead times are 2..40 days.
    assert any(n > 1 for n in parents.values())
    leads = [item["lead_time_days"] for item in purchased]
    assert None in leads
    assert all(lead is None or 2 <= lead <= 40 for lead in leads)
    # Most items hold stock; firm load only on the first weeks.
    assert len(doc["inventory"]) > 0.7 * len(items)
    last_load = max(date.fromisoformat(row["date"]) for row in doc["load"])
    assert last_load < AS_OF + timedelta(days=35)
    # Some resources serve items on several BOM levels.
    assert _resources_on_several_levels(doc) > 0


def _resources_on_several_levels(doc: Doc) -> int:
    height = bom_heights(doc) or {}
    levels: dict[str, set[int]] = {}
    for routing in doc["routings"]:
        for op in routing["operations"]:
            levels.setdefault(op["resource"], set()).add(height[routing["sku"]])
    return sum(1 for seen in levels.values() if len(seen) > 1)


def test_generator_is_deterministic_for_a_seed() -> None:
    first = generate_plant(120, 8, 3, 600, seed=11, as_of=AS_OF)
    assert generate_plant(120, 8, 3, 600, seed=11, as_of=AS_OF) == first
    assert generate_plant(120, 8, 3, 600, seed=12, as_of=AS_OF) != first
    assert medium(AS_OF) == medium(AS_OF)


def test_random_quotes_are_valid_and_deterministic() -> None:
    doc = medium(AS_OF)
    quotes = random_quotes(doc, 50, 3, seed=4, as_of=AS_OF)
    assert quote_errors(doc, quotes, AS_OF, max_days=60) == []
    assert len(quotes) == 50
    assert all(len(q["lines"]) == 3 for q in quotes)
    assert random_quotes(doc, 50, 3, seed=4, as_of=AS_OF) == quotes
    assert random_quotes(doc, 50, 3, seed=5, as_of=AS_OF) != quotes
    # Mostly finished goods, in quantities like the plant's customer orders.
    finished = set(_finished(doc))
    lines = [line for q in quotes for line in q["lines"]]
    assert sum(line["sku"] in finished for line in lines) > len(lines) / 2


@pytest.mark.parametrize("as_of", AS_OF_DATES[:3], ids=str)
def test_the_demo_shows_both_options(as_of: date) -> None:
    """The cargo quote can be split or made on time with overtime; the displays expedited."""
    from app.solver.document import plant_from_document  # noqa: PLC0415
    from app.solver.engine import (  # noqa: PLC0415
        OptionsAsked,
        PlanningState,
        SolverSettings,
        check_quote,
    )
    from app.solver.results import LineRequest  # noqa: PLC0415

    state = PlanningState.build(plant_from_document(sample_dataset(as_of)), as_of, HORIZON)
    quotes = {q["quote_ref"]: q for q in sample_quotes(as_of)}
    offered: dict[str, list[str]] = {}
    for ref in ("Q-DEMO-05", "Q-DEMO-06"):
        (line,) = quotes[ref]["lines"]
        request = LineRequest(
            "1", line["sku"], line["qty"], date.fromisoformat(line["requested_date"])
        )
        (answered,) = check_quote(
            state,
            [request],
            ship_complete=False,
            settings=SolverSettings(workers=1),
            options=OptionsAsked(split=True, extra_capacity=True),
        ).lines
        offered[ref] = [option.kind for option in answered.options or ()]
        extra = [o for o in answered.options or () if o.kind == "extra_capacity"]
        assert extra, ref
        assert bool(extra[0].expedite) == (ref == "Q-DEMO-05")
        assert bool(extra[0].extra) == (ref == "Q-DEMO-06")
    assert offered == {
        "Q-DEMO-05": ["split", "extra_capacity"],
        "Q-DEMO-06": ["split", "extra_capacity"],
    }
