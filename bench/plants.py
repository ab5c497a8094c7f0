"""Random but realistic plants for benchmarks: SPEC section 1 dataset documents of any size.

A generated plant looks like a pump manufacturer: finished goods at BOM level 0, manufactured
sub-assemblies below, purchased parts at the deepest level. Components are shared between
parents and resources between levels, as in a real plant, so checks interfere with each other.
Quantities are sized from the BOM so that most checks can be served and some come out late.

Everything is drawn from one ``random.Random(seed)`` in a fixed order (sets are only used for
membership, never iterated: string hashing changes between runs), so a seed always gives the
same document.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Any

from app.sample_plant import HORIZON_DAYS, national_holidays, working_days

Document = dict[str, Any]

MAX_COMPONENTS = 4
MAX_OPERATIONS = 4
LOAD_WEEKS = 3

FINISHED_NAMES = (
    "Centrifugal pump", "Submersible pump", "Booster set", "Dosing pump", "Circulator pump",
    "Vacuum pump", "Side-channel blower", "Screw pump",
)  # fmt: skip
ASSEMBLY_NAMES = (
    "Pump housing", "Impeller", "Shaft assembly", "Motor stator", "Rotor assembly",
    "Bearing bracket", "Control board assembly", "Seal cartridge", "Base frame", "Terminal box",
    "Volute casing", "Coupling guard", "Wiring harness", "Cooling jacket",
)  # fmt: skip
PART_NAMES = (
    "Ball bearing 6204", "Mechanical seal 30 mm", "O-ring 40x3", "Hex bolt M8x30",
    "Stainless sheet 2 mm", "Cast iron blank", "Copper wire 0.8 mm", "Capacitor 10 uF",
    "Cable gland M20", "Flat gasket DN50", "Motor 2.2 kW", "Steel bar 40 mm", "Shaft key 8x7",
    "PCB controller", "Pressure sensor", "Nameplate", "Paint, RAL 5015 (kg)", "Carton box",
)  # fmt: skip
# (code prefix, name) of typical work centres; repeated with a number on big plants.
WORK_CENTRES = (
    ("CNC", "CNC machining centre"), ("LATHE", "CNC lathe"), ("LASER", "Laser cutter"),
    ("PRESS", "Press brake"), ("WELD", "Welding cell"), ("PAINT", "Paint line"),
    ("ASSY", "Assembly line"), ("TEST", "Test bench"), ("PACK", "Packing station"),
    ("DRILL", "Drilling centre"), ("GRIND", "Grinding machine"), ("MOLD", "Moulding machine"),
    ("WIRE", "Wiring bench"), ("SMT", "SMT placement line"), ("HEAT", "Heat-treatment furnace"),
)  # fmt: skip
# Weekly patterns, Monday..Sunday, with how often each occurs.
SHIFT_PATTERNS = (
    ([480, 480, 480, 480, 480, 0, 0], 5),  # one shift
    ([960, 960, 960, 960, 960, 0, 0], 3),  # two shifts
    ([960, 960, 960, 960, 960, 480, 0], 1),  # two shifts and a Saturday morning
    ([1440, 1440, 1440, 1440, 1440, 0, 0], 1),  # round the clock on weekdays
)
CUSTOMERS = (
    "Stadtwerke Nord", "AquaTec GmbH", "Hansen Marine", "BuildRight AG", "Agro Pumps Ltd",
    "Fernwaerme Sued", "Chemiepark Rhein", "Brewery Alder & Sons",
)  # fmt: skip


@dataclass(slots=True)
class _Item:
    sku: str
    name: str
    level: int
    purchased: bool
    lead_time_days: int | None = None
    # A typical quantity per order, derived top-down from the BOM; sizes stock and orders.
    lot: int = 1


# The positional signature is the one benchmarks and tests were promised.
def generate_plant(  # noqa: PLR0917
    n_items: int, n_resources: int, levels: int, n_rows: int, seed: int, as_of: date
) -> Document:
    """A random plant of ``n_items`` items over ``levels`` BOM levels (0 finished, deepest
    purchased), ``n_resources`` resources and ``n_rows`` supply plus demand rows over a year."""
    if levels < 2 or n_items < levels + 1 or n_resources < 1 or n_rows < 0:
        raise ValueError("need levels >= 2, n_items > levels, n_resources >= 1, n_rows >= 0")
    rng = random.Random(seed)  # noqa: S311 (benchmark data, not security)
    holidays = national_holidays(as_of)
    items = _items(rng, n_items, levels)
    bom = _bom(rng, items)
    _size_lots(rng, items, bom)
    resources = [_resource(rng, i, as_of, holidays) for i in range(n_resources)]
    codes = [resource["code"] for resource in resources]
    routings = [_routing(rng, item, codes) for item in items if not item.purchased]
    demand = _demand(rng, items, n_rows // 2, as_of)
    supply = _supply(rng, items, demand, n_rows - len(demand), as_of)
    inventory = _inventory(rng, items, demand)
    load = _load(rng, resources, as_of, holidays)
    return {
        "holidays": [day.isoformat() for day in holidays],
        "items": [_item_row(item) for item in items],
        "resources": resources,
        "routings": routings,
        "bom": [
            {"parent": parent, "component": component, "qty_per": qty_per}
            for parent, lines in bom.items()
            for component, qty_per in lines
        ],
        "inventory": inventory,
        "supply": supply,
        "demand": demand,
        "load": load,
    }


def medium(as_of: date) -> Document:
    """About 200 items, 15 resources, 3 BOM levels, 2,000 supply and demand rows."""
    return generate_plant(200, 15, 3, 2_000, seed=1, as_of=as_of)


def large(as_of: date) -> Document:
    """2,000 items, 40 resources, 4 BOM levels, 20,000 supply and demand rows."""
    return generate_plant(2_000, 40, 4, 20_000, seed=2, as_of=as_of)


# --- items and BOM -------------------------------------------------------------------------


def _level_sizes(n_items: int, levels: int) -> list[int]:
    """About 15 % finished goods, 45 % purchased parts, the rest spread over the levels between."""
    n_finished = max(1, round(n_items * 0.15))
    n_middle = levels - 2
    n_purchased = n_items - n_finished if n_middle == 0 else max(1, round(n_items * 0.45))
    rest = n_items - n_finished - n_purchased
    if n_middle and rest < n_middle:
        n_purchased -= n_middle - rest
        rest = n_middle
    middle = [rest // n_middle + (i < rest % n_middle) for i in range(n_middle)]
    return [n_finished, *middle, n_purchased]


def _items(rng: random.Random, n_items: int, levels: int) -> list[_Item]:
    items: list[_Item] = []
    for level, count in enumerate(_level_sizes(n_items, levels)):
        for index in range(1, count + 1):
            items.append(_new_item(rng, level, index, purchased=level == levels - 1))
    return items


def _new_item(rng: random.Random, level: int, index: int, purchased: bool) -> _Item:
    if level == 0:
        name = f"{rng.choice(FINISHED_NAMES)} {rng.randint(25, 150)}-{rng.choice((160, 200, 250))}"
        return _Item(f"FG-{index:04d}", name, level, purchased=False)
    if not purchased:
        name = f"{rng.choice(ASSEMBLY_NAMES)} {index}"
        return _Item(f"SA{level}-{index:04d}", name, level, purchased=False)
    # A few parts are end-of-life: they cannot be re-ordered inside the horizon.
    lead_time = None if rng.random() < 0.03 else rng.randint(2, 40)
    name = f"{rng.choice(PART_NAMES)} ({index})"
    return _Item(f"PP-{index:04d}", name, level, purchased=True, lead_time_days=lead_time)


def _bom(rng: random.Random, items: list[_Item]) -> dict[str, list[tuple[str, int | float]]]:
    """1..4 components per manufactured item, the first always one level down (so every level
    exists on some path), the others from any lower level; unused items are then given a parent
    so that nothing below level 0 is an orphan."""
    by_level = _by_level(items)
    bom: dict[str, list[tuple[str, int | float]]] = {}
    used: set[str] = set()
    for item in items:
        if item.purchased:
            continue
        picks = _pick_components(rng, item.level, by_level, used)
        bom[item.sku] = [(sku, _qty_per(rng, sku)) for sku in picks]
    for item in items:
        if item.level > 0 and item.sku not in used:
            parent = _adoptive_parent(rng, item.level, by_level, bom)
            bom[parent].append((item.sku, _qty_per(rng, item.sku)))
    return bom


def _by_level(items: list[_Item]) -> list[list[_Item]]:
    levels: list[list[_Item]] = [[] for _ in range(max(item.level for item in items) + 1)]
    for item in items:
        levels[item.level].append(item)
    return levels


def _pick_components(
    rng: random.Random, level: int, by_level: list[list[_Item]], used: set[str]
) -> list[str]:
    picks: list[str] = []
    for n in range(rng.randint(1, MAX_COMPONENTS)):
        # Mostly the next level down; deeper levels model parts fitted straight at assembly.
        lower = (
            level + 1 if n == 0 or rng.random() < 0.6 else rng.randint(level + 1, len(by_level) - 1)
        )
        unused = [item.sku for item in by_level[lower] if item.sku not in used]
        # Prefer unused items half the time: every item gets a parent, and many are shared.
        pool = unused if unused and rng.random() < 0.5 else [item.sku for item in by_level[lower]]
        sku = rng.choice(pool)
        if sku not in picks:
            picks.append(sku)
            used.add(sku)
    return picks


def _adoptive_parent(
    rng: random.Random, level: int, by_level: list[list[_Item]], bom: dict[str, list[Any]]
) -> str:
    """A parent on the level above with room for one more component (any, if all are full)."""
    parents = [item.sku for item in by_level[level - 1]]
    with_room = [sku for sku in parents if len(bom[sku]) < MAX_COMPONENTS]
    return rng.choice(with_room or parents)


def _qty_per(rng: random.Random, sku: str) -> int | float:
    is_part = sku.startswith("PP-")
    if is_part and rng.random() < 0.2:
        # Material bought by weight or length: a decimal quantity with two places.
        return round(rng.uniform(0.1, 4.0), 2)
    if is_part:
        return rng.choice((1, 1, 2, 2, 4, 6, 8, 12))
    return rng.choice((1, 1, 1, 1, 2))


def _size_lots(
    rng: random.Random, items: list[_Item], bom: dict[str, list[tuple[str, int | float]]]
) -> None:
    """Typical order quantity per item: finished goods 5..40, components what their parents
    typically consume (items are in level order, so parents are sized before components)."""
    consumed: dict[str, float] = {}
    for item in items:
        if item.level == 0:
            item.lot = rng.randint(5, 40)
        else:
            item.lot = max(1, math.ceil(consumed.get(item.sku, 1.0)))
        for component, qty_per in bom.get(item.sku, []):
            consumed[component] = consumed.get(component, 0.0) + item.lot * qty_per


def _item_row(item: _Item) -> dict[str, Any]:
    row: dict[str, Any] = {
        "sku": item.sku,
        "name": item.name,
        "kind": "purchased" if item.purchased else "manufactured",
    }
    if item.purchased:
        row["lead_time_days"] = item.lead_time_days
    return row


# --- resources and routings ----------------------------------------------------------------


def _resource_code(index: int) -> str:
    prefix, _ = WORK_CENTRES[index % len(WORK_CENTRES)]
    return f"{prefix}{index // len(WORK_CENTRES) + 1}"


def _resource(rng: random.Random, index: int, as_of: date, holidays: list[date]) -> Document:
    _, name = WORK_CENTRES[index % len(WORK_CENTRES)]
    patterns = [pattern for pattern, _ in SHIFT_PATTERNS]
    weekly = rng.choices(patterns, weights=[weight for _, weight in SHIFT_PATTERNS])[0]
    exceptions = _exceptions(rng, weekly, as_of, holidays)
    return {
        "code": _resource_code(index),
        "name": f"{name} {index // len(WORK_CENTRES) + 1}",
        "calendar": {
            "weekly_minutes": list(weekly),
            "exceptions": [
                {"date": day.isoformat(), "minutes": minutes}
                for day, minutes in sorted(exceptions.items())
            ],
        },
    }


def _exceptions(
    rng: random.Random, weekly: list[int], as_of: date, holidays: list[date]
) -> dict[date, int]:
    """Maintenance days, half days and the odd overtime Saturday over the year; a round-the-clock
    resource keeps running a shift on holidays (an exception overrides a holiday)."""
    exceptions: dict[date, int] = {}
    for _ in range(rng.randint(2, 6)):
        day = as_of + timedelta(days=rng.randrange(HORIZON_DAYS))
        exceptions[day] = 0 if rng.random() < 0.6 else weekly[day.weekday()] // 2
    if rng.random() < 0.3:
        saturday = as_of + timedelta(days=(5 - as_of.weekday()) % 7 + 7 * rng.randrange(52))
        exceptions[saturday] = 480
    if max(weekly) == 1440:
        for holiday in holidays:
            exceptions[holiday] = 480
    return exceptions


def _routing(rng: random.Random, item: _Item, codes: Sequence[str]) -> Document:
    """1..4 operations on random resources, run times sized so a typical lot takes 2..15 hours."""
    operations = []
    for n in range(rng.randint(1, MAX_OPERATIONS)):
        run = max(0.01, round(rng.uniform(120, 900) / item.lot, 2))
        operations.append({
            "seq": 10 * (n + 1),
            "resource": rng.choice(codes),
            "setup_minutes": rng.choice((0, 10, 15, 20, 30, 45, 60, 90)),
            "run_minutes_per_unit": run,
        })  # fmt: skip
    return {"sku": item.sku, "operations": operations}


# --- stock, orders and load ----------------------------------------------------------------


def _day_in_year(rng: random.Random, as_of: date) -> date:
    # A few orders are overdue: dated before as_of, they count on day 0 (SPEC section 1).
    offset = rng.randint(-10, -1) if rng.random() < 0.02 else rng.randrange(HORIZON_DAYS)
    return as_of + timedelta(days=offset)


def _demand(rng: random.Random, items: list[_Item], count: int, as_of: date) -> list[Document]:
    """Customer orders: 80 % on finished goods, the rest spare parts and sub-assemblies."""
    finished = [item for item in items if item.level == 0]
    others = [item for item in items if item.level > 0]
    rows = []
    for n in range(count):
        spare = bool(others) and rng.random() < 0.2
        item = rng.choice(others if spare else finished)
        share = rng.uniform(0.05, 0.3) if spare else rng.uniform(0.3, 1.5)
        qty = max(1, round(item.lot * share))
        day = _day_in_year(rng, as_of)
        rows.append(
            {"ref": f"SO-{n + 1:06d}", "sku": item.sku, "qty": qty, "date": day.isoformat()}
        )
    return rows


def _demanded(demand: list[Document]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for row in demand:
        totals[row["sku"]] = totals.get(row["sku"], 0) + row["qty"]
    return totals


def _supply(
    rng: random.Random, items: list[_Item], demand: list[Document], count: int, as_of: date
) -> list[Document]:
    """Open purchase and work orders. Half go to purchased parts, half to manufactured items in
    proportion to their orders; an item's receipts cover 85..115 % of its orders over the year,
    so some items run short and their checks need production or purchases."""
    totals = _demanded(demand)
    chosen = _supplied_items(rng, items, totals, count)
    receipts: dict[str, int] = {}
    for item in chosen:
        receipts[item.sku] = receipts.get(item.sku, 0) + 1
    coverage = {sku: rng.uniform(0.85, 1.15) for sku in receipts}
    rows = []
    for n, item in enumerate(chosen):
        if item.sku in totals:
            mean = totals[item.sku] * coverage[item.sku] / receipts[item.sku]
        else:
            mean = item.lot * rng.uniform(1.0, 4.0)
        qty = max(1, round(mean * rng.uniform(0.7, 1.3)))
        prefix = "PO" if item.purchased else "WO"
        day = _day_in_year(rng, as_of)
        rows.append(
            {"ref": f"{prefix}-{n + 1:06d}", "sku": item.sku, "qty": qty, "date": day.isoformat()}
        )
    return rows


def _supplied_items(
    rng: random.Random, items: list[_Item], totals: dict[str, int], count: int
) -> list[_Item]:
    purchased = [item for item in items if item.purchased and item.lead_time_days is not None]
    made = [item for item in items if not item.purchased]
    weights = [1 + totals.get(item.sku, 0) for item in made]
    n_purchased = count // 2 if purchased else 0
    return [
        *rng.choices(purchased, k=n_purchased),
        *rng.choices(made, weights=weights, k=count - n_purchased),
    ]


def _inventory(rng: random.Random, items: list[_Item], demand: list[Document]) -> list[Document]:
    """Stock for about 85 % of the items. Parts that cannot be re-ordered hold a last-time buy."""
    totals = _demanded(demand)
    rows = []
    for item in items:
        if rng.random() >= 0.85:
            continue
        if item.purchased and item.lead_time_days is None:
            on_hand = item.lot * rng.randint(20, 40) + totals.get(item.sku, 0)
        elif item.purchased:
            on_hand = round(item.lot * rng.uniform(1.0, 5.0))
        else:
            # Safety stock: a tenth of a year's orders on top of a lot or two.
            on_hand = round(item.lot * rng.uniform(0.3, 2.5) + 0.1 * totals.get(item.sku, 0))
        rows.append({"sku": item.sku, "on_hand": on_hand})
    return rows


def _load(
    rng: random.Random, resources: list[Document], as_of: date, holidays: list[date]
) -> list[Document]:
    """Firm work on the first weeks, tapering off week by week; some resources are nearly full."""
    days = list(islice(working_days(as_of, frozenset(holidays)), 5 * LOAD_WEEKS))
    rows = []
    for resource in resources:
        busy = rng.uniform(0.2, 0.95)
        for n, day in enumerate(days):
            share = min(1.0, busy * (1 - 0.3 * (n // 5)) * rng.uniform(0.85, 1.05))
            minutes = round(_calendar_minutes(resource, day) * share)
            if minutes:
                rows.append({
                    "ref": f"LD-{resource['code']}-{n + 1:02d}",
                    "resource": resource["code"],
                    "date": day.isoformat(),
                    "minutes": minutes,
                })  # fmt: skip
    return rows


def _calendar_minutes(resource: Document, day: date) -> int:
    """Working minutes of a resource on a working day (no holiday), its exceptions applied."""
    calendar = resource["calendar"]
    for exception in calendar["exceptions"]:
        if exception["date"] == day.isoformat():
            return int(exception["minutes"])
    return int(calendar["weekly_minutes"][day.weekday()])


# --- quotes --------------------------------------------------------------------------------


def random_quotes(
    doc: Document, n_quotes: int, lines_per_quote: int, seed: int, as_of: date
) -> list[Document]:
    """Check requests (SPEC section 3) over the plant's items: mostly finished goods, sized like
    its customer orders, requested 0..60 days after ``as_of``."""
    rng = random.Random(seed)  # noqa: S311 (benchmark data, not security)
    typical = _typical_quantities(doc)
    finished, others = _quotable(doc)
    quotes = []
    for n in range(n_quotes):
        skus = _quote_skus(rng, finished, others, lines_per_quote)
        lines = [
            {
                "line_ref": str(i + 1),
                "sku": sku,
                "qty": max(1, round(typical[sku] * rng.uniform(0.3, 1.2))),
                "requested_date": (as_of + timedelta(days=rng.randint(0, 60))).isoformat(),
            }
            for i, sku in enumerate(skus)
        ]
        quotes.append({
            "quote_ref": f"BQ-{seed}-{n + 1:05d}",
            "customer": rng.choice(CUSTOMERS),
            "as_of": as_of.isoformat(),
            "ship_complete": rng.random() < 0.25,
            "lines": lines,
        })  # fmt: skip
    return quotes


def with_allocations(
    doc: Document, as_of: date, *, period_days: int = 30, orders_per_period: float = 3
) -> Document:
    """The plant with a third of its finished items shared out (SPEC section 7): three
    customers are key accounts, three regional, the rest fall to `*`; each group gets, per
    30-day period over the year, ``orders_per_period`` typical orders of each scarce item."""
    typical = _typical_quantities(doc)
    finished, _ = _quotable(doc)
    scarce = finished[::3]
    groups = {"Key accounts": CUSTOMERS[:3], "Regional": CUSTOMERS[3:6]}
    rows = []
    for sku in scarce:
        for group in (*groups, "*"):
            for n in range(365 // period_days):
                first = as_of + timedelta(days=n * period_days)
                rows.append({
                    "ref": f"AL-{sku}-{group[:3]}-{n + 1:02d}", "sku": sku, "group": group,
                    "from": first.isoformat(),
                    "until": (first + timedelta(days=period_days - 1)).isoformat(),
                    "qty": max(1, round(orders_per_period * typical[sku])),
                })  # fmt: skip
    customers = [{"customer": c, "group": g} for g, members in groups.items() for c in members]
    return doc | {"customers": customers, "allocations": rows}


def _typical_quantities(doc: Document) -> dict[str, float]:
    """The median customer order per item; stock or a small default where there is none."""
    orders: dict[str, list[int]] = {}
    for row in doc["demand"]:
        orders.setdefault(row["sku"], []).append(row["qty"])
    on_hand = {row["sku"]: row["on_hand"] for row in doc["inventory"]}
    return {
        item["sku"]: statistics.median(orders[item["sku"]])
        if item["sku"] in orders
        else max(5.0, on_hand.get(item["sku"], 0) / 3)
        for item in doc["items"]
    }


def _quotable(doc: Document) -> tuple[list[str], list[str]]:
    components = {row["component"] for row in doc["bom"]}
    skus = [item["sku"] for item in doc["items"]]
    return [s for s in skus if s not in components], [s for s in skus if s in components]


def _quote_skus(
    rng: random.Random, finished: list[str], others: list[str], count: int
) -> list[str]:
    """Distinct skus: 80 % finished goods, the rest spare parts (while there are enough)."""
    skus: list[str] = []
    pool_size = len(finished) + len(others)
    while len(skus) < min(count, pool_size):
        pool = others if others and (rng.random() < 0.2 or not finished) else finished
        sku = rng.choice(pool)
        if sku not in skus:
            skus.append(sku)
    return skus


def finished_goods_quotes(
    doc: Document, n_quotes: int, lines_per_quote: int, seed: int, as_of: date
) -> list[Document]:
    """Distinct check requests of finished goods only: 5 to 200 units, requested 0 to 60 days
    after ``as_of`` (the load benchmark's quotes: no two alike, so no answer is reused)."""
    rng = random.Random(seed)  # noqa: S311 (benchmark data, not security)
    finished, _ = _quotable(doc)
    seen: set[tuple[tuple[str, int, int], ...]] = set()
    quotes: list[Document] = []
    while len(quotes) < n_quotes:
        skus = rng.sample(finished, min(lines_per_quote, len(finished)))
        lines = tuple((sku, rng.randint(5, 200), rng.randint(0, 60)) for sku in skus)
        if lines in seen:
            continue
        seen.add(lines)
        quotes.append({
            "quote_ref": f"LQ-{seed}-{len(quotes) + 1:05d}",
            "customer": rng.choice(CUSTOMERS),
            "as_of": as_of.isoformat(),
            "lines": [
                {
                    "line_ref": str(i + 1),
                    "sku": sku,
                    "qty": qty,
                    "requested_date": (as_of + timedelta(days=days)).isoformat(),
                }
                for i, (sku, qty, days) in enumerate(lines)
            ],
        })  # fmt: skip
    return quotes
