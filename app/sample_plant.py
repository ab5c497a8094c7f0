"""A hand-designed demo plant: Velora E-Bikes, one assembly site.

Five e-bike models are assembled from frames, wheels and battery packs made on site (battery
packs from cell modules, themselves spot-welded from purchased cells), so the BOM is three
manufactured levels deep with purchased parts below. Every date is relative to ``as_of`` so the
demo makes sense whenever it is started.

:func:`sample_quotes` returns example check requests whose outcome under SPEC section 2 is
known in advance (see :data:`EXPECTED_STATUS`); one of them is pushed out by an allocation
(SPEC section 7). The quantities keep clear margins, argued next
to each quote, so the outcomes hold for any ``as_of`` weekday and any holiday season.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import islice
from typing import Any

Document = dict[str, Any]

HORIZON_DAYS = 365
WEEKLY_DAYS = 7

ONE_SHIFT = [480, 480, 480, 480, 480, 0, 0]
TWO_SHIFTS = [960, 960, 960, 960, 960, 0, 0]
# The final assembly line runs two shifts on weekdays and a Saturday morning shift.
SIX_DAY_LINE = [960, 960, 960, 960, 960, 480, 0]
# Test and packing follows the assembly line's Saturday shift.
PACKING = [480, 480, 480, 480, 480, 240, 0]

# (sku, name, kind, lead_time_days); lead time None for manufactured items and for the one
# purchased part that can no longer be re-ordered.
ITEMS: tuple[tuple[str, str, str, int | None], ...] = (
    ("EB-CITY", "Urban 500 city e-bike (rear hub motor, 500 Wh)", "manufactured", None),
    ("EB-TREK", "Tour 625 trekking e-bike (mid-drive, 625 Wh)", "manufactured", None),
    ("EB-MTB", "Ridge 625 e-mountain bike (mid-drive, 27.5 in)", "manufactured", None),
    ("EB-CARGO", "Hauler long-john cargo e-bike (mid-drive, 625 Wh)", "manufactured", None),
    ("EB-CLASSIC", "Classic 400 city e-bike (run-out model)", "manufactured", None),
    ("FRM-CITY", "City frame, aluminium, welded and powder-coated", "manufactured", None),
    ("FRM-TREK", "Trekking frame, aluminium, welded and powder-coated", "manufactured", None),
    ("FRM-MTB", "MTB frame 27.5 in, welded and powder-coated", "manufactured", None),
    ("FRM-CARGO", "Cargo frame, steel, welded and powder-coated", "manufactured", None),
    ("WHL-28", "Wheel 28 in, laced and trued", "manufactured", None),
    ("WHL-275", "Wheel 27.5 in Boost, laced and trued", "manufactured", None),
    ("WHL-20", "Wheel 20 in cargo front, laced and trued", "manufactured", None),
    ("BAT-500", "Battery pack 500 Wh, assembled and tested", "manufactured", None),
    ("BAT-625", "Battery pack 625 Wh, assembled and tested", "manufactured", None),
    ("MOD-10S", "Cell module 10s, spot-welded", "manufactured", None),
    ("TUB-CITY", "Aluminium tube set, city frame", "purchased", 28),
    ("TUB-TREK", "Aluminium tube set, trekking frame", "purchased", 28),
    ("TUB-MTB", "Aluminium tube set, MTB frame", "purchased", 35),
    ("TUB-CARGO", "Steel tube set, cargo frame", "purchased", 21),
    ("POWDER", "Powder coating, RAL colours (kg)", "purchased", 7),
    ("RIM-28", "Rim 28 in, double-wall", "purchased", 20),
    ("RIM-275", "Rim 27.5 in Boost", "purchased", 20),
    ("RIM-20", "Rim 20 in, cargo", "purchased", 20),
    ("SPOKE", "Stainless spoke with nipple", "purchased", 5),
    ("HUB", "Wheel hub, front, 100 mm", "purchased", 14),
    ("CELL", "Li-ion cell 21700, 4.8 Ah", "purchased", 49),
    ("BMS", "Battery management board 36 V", "purchased", 35),
    ("HOUSING", "Battery housing, down tube", "purchased", 21),
    ("MOT-HUB", "Rear hub motor 250 W", "purchased", 42),
    ("MOT-MID", "Mid-drive motor 85 Nm", "purchased", 56),
    ("MOT-MID60", "Mid-drive motor 60 Nm (discontinued, last-time buy)", "purchased", None),
    ("DRIVE", "Drivetrain kit 10-speed", "purchased", 30),
    ("BRAKE", "Hydraulic disc brake set", "purchased", 25),
    ("DISPLAY", "Handlebar display and remote", "purchased", 30),
    ("CARGO-BOX", "Cargo box, birch plywood, with bench", "purchased", 15),
)

RESOURCES: tuple[tuple[str, str, list[int]], ...] = (
    ("CUT", "Tube cutting and mitring saw", ONE_SHIFT),
    ("WELD", "Frame welding robot cell", TWO_SHIFTS),
    ("PAINT", "Powder-coating line", TWO_SHIFTS),
    ("LACE", "Wheel lacing and truing", ONE_SHIFT),
    ("CELL", "Cell-module spot welder", ONE_SHIFT),
    ("BATT", "Battery pack assembly and test", ONE_SHIFT),
    ("ASSY", "Final assembly line", SIX_DAY_LINE),
    ("CARGO", "Cargo-bike assembly bay", ONE_SHIFT),
    ("EOL", "End-of-line test and packing", PACKING),
)

# What operations could add when a date is late (SPEC section 5): overtime per weekday and its
# cost per minute, on the bays that sell most; expedited purchase (lead time days, extra cost
# per unit) of the parts a supplier can rush.
OVERTIME: dict[str, tuple[list[int], float]] = {
    "CARGO": ([480, 480, 480, 480, 480, 480, 0], 1.5),
    "ASSY": ([120, 120, 120, 120, 120, 240, 0], 1),
    "EOL": ([120, 120, 120, 120, 120, 240, 0], 1),
}
EXPEDITE: dict[str, tuple[int, float]] = {
    "DISPLAY": (4, 8),
    "CARGO-BOX": (5, 20),
    "MOT-MID": (21, 15),
}

# sku -> operations (seq, resource, setup_minutes, run_minutes_per_unit)
ROUTINGS: dict[str, tuple[tuple[int, str, int, float], ...]] = {
    "EB-CITY": ((10, "ASSY", 20, 35), (20, "EOL", 0, 10)),
    "EB-TREK": ((10, "ASSY", 20, 40), (20, "EOL", 0, 12)),
    "EB-MTB": ((10, "ASSY", 30, 45), (20, "EOL", 0, 12)),
    "EB-CARGO": ((10, "CARGO", 30, 90), (20, "EOL", 0, 15)),
    "EB-CLASSIC": ((10, "ASSY", 20, 35), (20, "EOL", 0, 10)),
    "FRM-CITY": ((10, "CUT", 30, 6), (20, "WELD", 45, 18), (30, "PAINT", 60, 5)),
    "FRM-TREK": ((10, "CUT", 30, 6.5), (20, "WELD", 45, 20), (30, "PAINT", 60, 5)),
    "FRM-MTB": ((10, "CUT", 30, 7.5), (20, "WELD", 45, 24), (30, "PAINT", 60, 5.5)),
    "FRM-CARGO": ((10, "CUT", 30, 12), (20, "WELD", 60, 42), (30, "PAINT", 60, 9.5)),
    "WHL-28": ((10, "LACE", 15, 12),),
    "WHL-275": ((10, "LACE", 15, 14),),
    "WHL-20": ((10, "LACE", 15, 11.5),),
    "BAT-500": ((10, "BATT", 20, 25),),
    "BAT-625": ((10, "BATT", 20, 28),),
    "MOD-10S": ((10, "CELL", 30, 4.25),),
}

_BIKE_PARTS = (("DRIVE", 1), ("BRAKE", 1), ("DISPLAY", 1))

# parent -> components (component, qty_per)
BOM: dict[str, tuple[tuple[str, float], ...]] = {
    "EB-CITY": (("FRM-CITY", 1), ("WHL-28", 2), ("BAT-500", 1), ("MOT-HUB", 1), *_BIKE_PARTS),
    "EB-TREK": (("FRM-TREK", 1), ("WHL-28", 2), ("BAT-625", 1), ("MOT-MID", 1), *_BIKE_PARTS),
    "EB-MTB": (("FRM-MTB", 1), ("WHL-275", 2), ("BAT-625", 1), ("MOT-MID", 1), *_BIKE_PARTS),
    "EB-CARGO": (
        ("FRM-CARGO", 1),
        ("WHL-20", 1),
        ("WHL-28", 1),
        ("BAT-625", 1),
        ("MOT-MID", 1),
        ("CARGO-BOX", 1),
        *_BIKE_PARTS,
    ),
    "EB-CLASSIC": (
        ("FRM-CITY", 1),
        ("WHL-28", 2),
        ("BAT-500", 1),
        ("MOT-MID60", 1),
        *_BIKE_PARTS,
    ),
    # Powder is bought by the kilogram: the decimal quantities exercise the rounding rule.
    "FRM-CITY": (("TUB-CITY", 1), ("POWDER", 0.35)),
    "FRM-TREK": (("TUB-TREK", 1), ("POWDER", 0.4)),
    "FRM-MTB": (("TUB-MTB", 1), ("POWDER", 0.4)),
    "FRM-CARGO": (("TUB-CARGO", 1), ("POWDER", 0.85)),
    "WHL-28": (("RIM-28", 1), ("SPOKE", 36), ("HUB", 1)),
    "WHL-275": (("RIM-275", 1), ("SPOKE", 32), ("HUB", 1)),
    "WHL-20": (("RIM-20", 1), ("SPOKE", 36), ("HUB", 1)),
    "BAT-500": (("MOD-10S", 4), ("BMS", 1), ("HOUSING", 1)),
    "BAT-625": (("MOD-10S", 5), ("BMS", 1), ("HOUSING", 1)),
    "MOD-10S": (("CELL", 10),),
}

ON_HAND: dict[str, int] = {
    "EB-CITY": 30, "EB-TREK": 10, "EB-MTB": 16, "EB-CARGO": 3, "EB-CLASSIC": 8,
    "FRM-CITY": 12, "FRM-TREK": 30, "FRM-MTB": 4, "FRM-CARGO": 45,
    "WHL-28": 120, "WHL-275": 10, "WHL-20": 50,
    "BAT-500": 6, "BAT-625": 60, "MOD-10S": 8,
    "TUB-CITY": 60, "TUB-TREK": 40, "TUB-MTB": 40, "TUB-CARGO": 30, "POWDER": 250,
    "RIM-28": 150, "RIM-275": 60, "RIM-20": 40, "SPOKE": 9000, "HUB": 250,
    "CELL": 3000, "BMS": 80, "HOUSING": 60,
    "MOT-HUB": 50, "MOT-MID": 70, "MOT-MID60": 35,
    "DRIVE": 150, "BRAKE": 150, "DISPLAY": 150, "CARGO-BOX": 50,
}  # fmt: skip

# Scheduled receipts and firm orders: (ref, sku, qty, n-th working day from as_of).
SUPPLY: tuple[tuple[str, str, int, int], ...] = (
    ("WO-7101", "WHL-28", 40, 2),
    ("PO-4501", "SPOKE", 5000, 3),
    ("WO-7102", "FRM-TREK", 15, 4),
    ("PO-4502", "BRAKE", 100, 6),
    ("WO-7103", "EB-CITY", 20, 6),
    ("WO-7104", "EB-CLASSIC", 10, 7),
    ("PO-4503", "MOT-HUB", 60, 8),
    ("PO-4504", "RIM-28", 100, 9),
    ("WO-7105", "EB-TREK", 12, 9),
    ("PO-4505", "TUB-CITY", 40, 10),
    ("PO-4506", "CELL", 5000, 12),
    ("WO-7106", "EB-CARGO", 6, 12),
    ("PO-4507", "MOT-MID", 50, 14),
    ("PO-4508", "HOUSING", 80, 16),
    ("WO-7107", "EB-MTB", 8, 16),
    ("PO-4509", "TUB-MTB", 40, 18),
)
# A purchase order that is already overdue: it counts on day 0 (SPEC section 1).
OVERDUE_SUPPLY = ("PO-4500", "DRIVE", 40, 3)  # (ref, sku, qty, calendar days before as_of)

DEMAND: tuple[tuple[str, str, int, int], ...] = (
    ("SO-9001", "EB-CITY", 10, 3),
    ("SO-9002", "EB-MTB", 6, 4),
    ("SO-9003", "DISPLAY", 10, 4),  # spare parts for a dealer
    ("SO-9004", "EB-TREK", 6, 5),
    ("SO-9005", "MOT-MID60", 5, 6),  # warranty replacements
    ("SO-9006", "BAT-625", 8, 7),  # spare batteries
    ("SO-9007", "EB-CITY", 12, 8),
    ("SO-9008", "EB-CLASSIC", 12, 10),
    ("SO-9009", "EB-MTB", 4, 12),
    ("SO-9010", "EB-CARGO", 6, 14),
    ("SO-9011", "EB-CITY", 15, 15),
    ("SO-9012", "EB-TREK", 8, 18),
    ("SO-9013", "EB-MTB", 5, 20),
)

# Firm work in progress: resource -> minutes booked on each of its next working days.
# Assembly and the cargo bay are nearly full for the first week.
LOAD: dict[str, tuple[int, ...]] = {
    "ASSY": (900, 900, 900, 900, 900, 900, 480, 480, 480, 480),
    "CARGO": (420, 420, 420, 420, 420),
    "EOL": (300, 300, 300, 300, 300, 300),
    "WELD": (720, 720, 720, 720, 720),
    "PAINT": (600, 600, 600, 600),
    "LACE": (360, 360, 360),
    "BATT": (400, 400, 400, 400, 400),
    "CELL": (240, 240),
    "CUT": (200, 200),
}


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    lam = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lam) // 451
    month, day = divmod(h + lam - 7 * m + 114, 31)
    return date(year, month, day + 1)


def national_holidays(start: date, days: int = HORIZON_DAYS) -> list[date]:
    """Public holidays in ``[start, start + days)``: a German-style set of seven per year."""
    end = start + timedelta(days=days)
    found: list[date] = []
    for year in range(start.year, end.year + 1):
        easter = easter_sunday(year)
        found += [
            date(year, 1, 1),
            easter - timedelta(days=2),
            easter + timedelta(days=1),
            date(year, 5, 1),
            date(year, 10, 3),
            date(year, 12, 25),
            date(year, 12, 26),
        ]
    return sorted(day for day in found if start <= day < end)


def working_days(start: date, holidays: frozenset[date]) -> Iterator[date]:
    """Monday..Friday days from ``start`` on that are not holidays."""
    day = start
    while True:
        if day.weekday() < 5 and day not in holidays:
            yield day
        day += timedelta(days=1)


def sample_dataset(as_of: date) -> Document:
    """The Velora E-Bikes plant as a SPEC section 1 dataset document, dated from ``as_of``."""
    holidays = national_holidays(as_of)
    # Receipts, orders and booked work fall on working days, as they would in a real ERP.
    workdays = list(islice(working_days(as_of, frozenset(holidays)), 30))
    return {
        "holidays": [day.isoformat() for day in holidays],
        "items": [_item(*row) for row in ITEMS],
        "resources": [_resource(code, name, weekly, as_of) for code, name, weekly in RESOURCES],
        "routings": [_routing(sku, ops) for sku, ops in ROUTINGS.items()],
        "bom": [
            {"parent": parent, "component": component, "qty_per": qty_per}
            for parent, lines in BOM.items()
            for component, qty_per in lines
        ],
        "inventory": [{"sku": sku, "on_hand": qty} for sku, qty in ON_HAND.items()],
        "supply": [_overdue_supply(as_of), *_moves(SUPPLY, workdays)],
        "demand": _moves(DEMAND, workdays),
        "load": _load(workdays),
        "customers": [{"customer": c, "group": g} for c, g in CUSTOMER_GROUPS.items()],
        "allocations": [
            {
                "ref": ref,
                "sku": sku,
                "group": group,
                "from": (as_of + timedelta(days=first)).isoformat(),
                "until": (as_of + timedelta(days=last)).isoformat(),
                "qty": qty,
            }
            for ref, sku, group, first, last, qty in ALLOCATIONS
        ],
    }


def _item(sku: str, name: str, kind: str, lead_time_days: int | None) -> dict[str, Any]:
    item: dict[str, Any] = {"sku": sku, "name": name, "kind": kind}
    if kind == "purchased":
        item["lead_time_days"] = lead_time_days
    if sku in EXPEDITE:
        expedited, cost = EXPEDITE[sku]
        item["expedite"] = {"lead_time_days": expedited, "cost_per_unit": cost}
    return item


def _resource(code: str, name: str, weekly: list[int], as_of: date) -> dict[str, Any]:
    exceptions = _calendar_exceptions(code, as_of)
    resource: dict[str, Any] = {
        "code": code,
        "name": name,
        "calendar": {
            "weekly_minutes": list(weekly),
            "exceptions": [
                {"date": day.isoformat(), "minutes": minutes}
                for day, minutes in sorted(exceptions.items())
            ],
        },
    }
    if code in OVERTIME:
        overtime, cost = OVERTIME[code]
        resource["overtime"] = {"weekly_minutes": list(overtime), "cost_per_minute": cost}
    return resource


def _calendar_exceptions(code: str, as_of: date) -> dict[date, int]:
    """Planned deviations from the weekly pattern, keyed by date so that none is duplicated."""
    exceptions: dict[date, int] = {}
    if code == "PAINT":
        # The powder oven is serviced one Wednesday, a little under two weeks out.
        exceptions[_next_weekday_on_or_after(as_of + timedelta(days=10), 2)] = 0
    if code == "BATT":
        # Safety training takes the afternoon of the first Friday at least five days out.
        exceptions[_next_weekday_on_or_after(as_of + timedelta(days=5), 4)] = 240
    if code in ("ASSY", "EOL"):
        # Christmas Eve and New Year's Eve are half days on the line and in packing.
        half_day = 480 if code == "ASSY" else 240
        for year in (as_of.year, as_of.year + 1):
            for day in (date(year, 12, 24), date(year, 12, 31)):
                if as_of <= day < as_of + timedelta(days=HORIZON_DAYS) and day.weekday() < 5:
                    exceptions[day] = half_day
    return exceptions


def _next_weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % WEEKLY_DAYS)


def _routing(sku: str, operations: tuple[tuple[int, str, int, float], ...]) -> dict[str, Any]:
    return {
        "sku": sku,
        "operations": [
            {"seq": seq, "resource": res, "setup_minutes": setup, "run_minutes_per_unit": run}
            for seq, res, setup, run in operations
        ],
    }


def _moves(
    rows: tuple[tuple[str, str, int, int], ...], workdays: list[date]
) -> list[dict[str, Any]]:
    return [
        {"ref": ref, "sku": sku, "qty": qty, "date": workdays[n].isoformat()}
        for ref, sku, qty, n in rows
    ]


def _overdue_supply(as_of: date) -> dict[str, Any]:
    ref, sku, qty, days_late = OVERDUE_SUPPLY
    overdue = as_of - timedelta(days=days_late)
    return {"ref": ref, "sku": sku, "qty": qty, "date": overdue.isoformat()}


def _load(workdays: list[date]) -> list[dict[str, Any]]:
    return [
        {"ref": f"LD-{code}-{n + 1:02d}", "resource": code, "date": workdays[n].isoformat(),
         "minutes": minutes}
        for code, per_day in LOAD.items()
        for n, minutes in enumerate(per_day)
    ]  # fmt: skip


# Allocations (SPEC section 7): the Ridge e-MTB is scarce this season, so sales and operations
# share it out between the key accounts, the dealers and everyone else (`*`), for the next two
# weeks and then the month after. (ref, sku, group, first and last day after as_of, qty.)
CUSTOMER_GROUPS: dict[str, str] = {
    "Stadtwerke Lindau (e-bike fleet)": "Key accounts",
    "Radhaus Meyer KG": "Key accounts",
    "Bike Service Nord (spare parts)": "Dealers",
    "Zweirad Huber OHG": "Dealers",
}
ALLOCATIONS: tuple[tuple[str, str, str, int, int, int], ...] = (
    ("AL-MTB-KEY-1", "EB-MTB", "Key accounts", 0, 13, 4),
    ("AL-MTB-KEY-2", "EB-MTB", "Key accounts", 14, 44, 10),
    ("AL-MTB-DLR-1", "EB-MTB", "Dealers", 0, 13, 3),
    ("AL-MTB-DLR-2", "EB-MTB", "Dealers", 14, 44, 6),
    ("AL-MTB-ALL-1", "EB-MTB", "*", 0, 44, 4),
)

# (quote_ref, customer, ship_complete, lines as (sku, qty, calendar days after as_of)).
# Each quote is checked on its own against the sample dataset (no holds in between). A requested
# date on a weekend or holiday moves to the next working day; the margins allow for that and for
# up to three holidays in a window (Christmas to New Year, or Easter to May Day).
QUOTES: tuple[tuple[str, str, bool, tuple[tuple[str, int, int], ...]], ...] = (
    # Feasible. EB-CITY's projected stock never drops below 13, so 8 come from stock. EB-TREK's
    # never drops below 4: at most 16 are assembled (ASSY 660 min, EOL 192 min) from frames,
    # wheels, batteries and motors in stock, and in three weeks ASSY has at least two free days.
    ("Q-DEMO-01", "Stadtwerke Lindau (e-bike fleet)", False,
     (("EB-CITY", 8, 7), ("EB-TREK", 20, 21))),
    # Counter proposal (capacity). At most 9 cargo bikes will ever be in stock, so at least 31
    # must go through the cargo bay: 30 + 31 * 90 = 2,820 min, but the bay has at most
    # 5 * 480 = 2,400 min in any 7 days and is nearly booked in the first week. All components
    # are in stock, so the bay alone sets the date, about three weeks out. Line 2 is from stock.
    ("Q-DEMO-02", "CityLogistik Augsburg GmbH", True,
     (("EB-CARGO", 40, 4), ("EB-CITY", 5, 4))),
    # Infeasible. The Classic 400 needs the discontinued 60 Nm motor (no lead time): at most 18
    # bikes plus 35 motors will ever exist, far below 150. Line 1 is from stock (never below 6).
    ("Q-DEMO-03", "Velo Retro AG", False,
     (("EB-MTB", 3, 10), ("EB-CLASSIC", 150, 30))),
    # Feasible, made to order over three levels: 13 from stock, 27 assembled, which needs 15
    # frames (cut, weld, paint), 21 battery packs and 76 cell modules, all from parts in stock.
    # The chain needs about five working days; five weeks leave more than twelve free ones.
    ("Q-DEMO-04", "Radhaus Meyer KG", False,
     (("EB-CITY", 40, 35),)),
    # Counter proposal (lead time). 140 displays are free and none are on order; the other 60
    # can only be bought, which takes 30 days.
    ("Q-DEMO-05", "Bike Service Nord (spare parts)", False,
     (("DISPLAY", 200, 5),)),
    # Counter proposal (capacity), that overtime could make (SPEC section 5). At most 9 cargo
    # bikes are in stock, so at least 11 go through the cargo bay: 30 + 11 * 90 = 1,020 min. By
    # the requested day (at most 7 calendar days out, with its move to a working day) the bay
    # has at most 6 working days, the first 5 with 60 minutes free: 780 min. With a second
    # shift of overtime (480 on weekdays and Saturdays) even a window of 4 working days holds
    # 240 + 4 * 480 = 2,160 min, enough for the 14 that at most have to be made.
    ("Q-DEMO-06", "Lastenrad Kollektiv Freiburg", False,
     (("EB-CARGO", 20, 5),)),
    # Counter proposal (allocation). EB-MTB's projected stock never drops below 6, so 5 come
    # from stock on any day; but the dealers' allocation is 3 for the first two weeks, so the
    # 5 wait for the second period, which starts 14 days out (the requested date, a week out,
    # is at most day 11 after weekends and holidays). Velo Retro AG (Q-DEMO-03) is in `*`.
    ("Q-DEMO-07", "Zweirad Huber OHG", False,
     (("EB-MTB", 5, 7),)),
)  # fmt: skip

# Expected quote status under SPEC section 2, by quote_ref (see sample_quotes for why).
EXPECTED_STATUS: dict[str, str] = {
    "Q-DEMO-01": "feasible",
    "Q-DEMO-02": "counter_proposal",
    "Q-DEMO-03": "infeasible",
    "Q-DEMO-04": "feasible",
    "Q-DEMO-05": "counter_proposal",
    "Q-DEMO-06": "counter_proposal",
    "Q-DEMO-07": "counter_proposal",
}


def sample_quotes(as_of: date) -> list[Document]:
    """Example check requests (SPEC section 3) with known outcomes, see :data:`EXPECTED_STATUS`."""
    holidays = frozenset(national_holidays(as_of))
    return [
        {
            "quote_ref": ref,
            "customer": customer,
            "as_of": as_of.isoformat(),
            "ship_complete": ship_complete,
            "lines": [
                {
                    "line_ref": str(n),
                    "sku": sku,
                    "qty": qty,
                    "requested_date": _working_day_from(as_of + timedelta(days=days), holidays),
                }
                for n, (sku, qty, days) in enumerate(lines, start=1)
            ],
        }
        for ref, customer, ship_complete, lines in QUOTES
    ]


def _working_day_from(day: date, holidays: frozenset[date]) -> str:
    return next(working_days(day, holidays)).isoformat()
