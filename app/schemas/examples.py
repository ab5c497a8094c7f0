"""Examples for the OpenAPI document, taken from the golden bike plant (shared/golden).

tests/test_openapi.py checks that the dataset is the golden one and that the engine answers
CHECK_REQUEST on it with CHECK_RESULT (but for the id and the time), so they stay honest.
"""

from __future__ import annotations

from typing import Any

GOLDEN_DATASET: dict[str, Any] = {
    "holidays": ["2026-12-25", "2026-12-26"],
    "items": [
        {"sku": "BIKE", "name": "City bike", "kind": "manufactured"},
        {"sku": "WHEEL", "name": "Wheel, laced", "kind": "manufactured"},
        {"sku": "FRAME", "name": "Steel frame", "kind": "purchased", "lead_time_days": 15},
        {"sku": "RIM", "name": "Rim 28in", "kind": "purchased", "lead_time_days": 20},
        {"sku": "SPOKE", "name": "Spoke", "kind": "purchased", "lead_time_days": 5},
        {"sku": "SADDLE", "name": "Saddle", "kind": "purchased", "lead_time_days": None},
    ],
    "resources": [
        {
            "code": "WELD",
            "name": "Welding cell",
            "calendar": {"weekly_minutes": [480, 480, 480, 480, 480, 0, 0], "exceptions": []},
        },
        {
            "code": "PAINT",
            "name": "Paint line",
            "calendar": {
                "weekly_minutes": [960, 960, 960, 960, 960, 0, 0],
                "exceptions": [{"date": "2026-12-07", "minutes": 0}],
            },
        },
        {
            "code": "ASSY",
            "name": "Assembly",
            "calendar": {"weekly_minutes": [480, 480, 480, 480, 480, 240, 0], "exceptions": []},
        },
        {
            "code": "LACE",
            "name": "Wheel lacing",
            "calendar": {
                "weekly_minutes": [480, 480, 480, 480, 480, 0, 0],
                "exceptions": [{"date": "2026-12-24", "minutes": 240}],
            },
        },
    ],
    "routings": [
        {
            "sku": "BIKE",
            "operations": [
                {"seq": 10, "resource": "WELD", "setup_minutes": 30, "run_minutes_per_unit": 12},
                {"seq": 20, "resource": "PAINT", "setup_minutes": 60, "run_minutes_per_unit": 8},
                {"seq": 30, "resource": "ASSY", "setup_minutes": 0, "run_minutes_per_unit": 20},
            ],
        },
        {
            "sku": "WHEEL",
            "operations": [
                {"seq": 10, "resource": "LACE", "setup_minutes": 15, "run_minutes_per_unit": 6.5}
            ],
        },
    ],
    "bom": [
        {"parent": "BIKE", "component": "FRAME", "qty_per": 1},
        {"parent": "BIKE", "component": "WHEEL", "qty_per": 2},
        {"parent": "BIKE", "component": "SADDLE", "qty_per": 1},
        {"parent": "WHEEL", "component": "RIM", "qty_per": 1},
        {"parent": "WHEEL", "component": "SPOKE", "qty_per": 32},
    ],
    "inventory": [
        {"sku": "BIKE", "on_hand": 40},
        {"sku": "FRAME", "on_hand": 30},
        {"sku": "WHEEL", "on_hand": 40},
        {"sku": "RIM", "on_hand": 100},
        {"sku": "SPOKE", "on_hand": 5000},
        {"sku": "SADDLE", "on_hand": 60},
    ],
    "supply": [
        {"ref": "PO-1001", "sku": "FRAME", "qty": 50, "date": "2026-12-10"},
        {"ref": "PO-1002", "sku": "SADDLE", "qty": 40, "date": "2026-12-15"},
        {"ref": "WO-2001", "sku": "BIKE", "qty": 15, "date": "2026-12-04"},
    ],
    "demand": [
        {"ref": "SO-501", "sku": "BIKE", "qty": 25, "date": "2026-12-03"},
        {"ref": "SO-502", "sku": "BIKE", "qty": 10, "date": "2026-12-18"},
        {"ref": "SO-503", "sku": "WHEEL", "qty": 12, "date": "2026-12-09"},
    ],
    "load": [
        {"ref": "WO-2001-10", "resource": "WELD", "date": "2026-12-01", "minutes": 480},
        {"ref": "WO-2001-20", "resource": "PAINT", "date": "2026-12-02", "minutes": 600},
        {"ref": "WO-2001-30", "resource": "ASSY", "date": "2026-12-03", "minutes": 420},
        {"ref": "WO-2002-10", "resource": "WELD", "date": "2026-12-08", "minutes": 240},
    ],
}

# Sixty bikes by 4 December: fifty can be there, all sixty on the 14th.
CHECK_REQUEST: dict[str, Any] = {
    "quote_ref": "Q-2026-0042",
    "customer": "ACME",
    "as_of": "2026-12-01",
    "ship_complete": False,
    "lines": [{"line_ref": "1", "sku": "BIKE", "qty": 60, "requested_date": "2026-12-04"}],
}

CHECK_RESULT: dict[str, Any] = {
    "id": "5b3c9d0e-2f4a-4c1b-9e7d-6a8f0c2b1d34",
    "quote_ref": "Q-2026-0042",
    "customer": "ACME",
    "as_of": "2026-12-01",
    "status": "counter_proposal",
    "promise_date": "2026-12-14",
    "ship_complete": False,
    "created_at": "2026-12-01T08:30:00Z",
    "lines": [
        {
            "line_ref": "1",
            "sku": "BIKE",
            "qty": 60,
            "requested_date": "2026-12-04",
            "feasible_on_requested_date": False,
            "qty_on_requested_date": 50,
            "earliest_date": "2026-12-14",
            "promised_date": "2026-12-14",
            "delivery_date": "2026-12-14",
            "plan": {
                "stock": [
                    {"sku": "BIKE", "date": "2026-12-14", "qty": 20},
                    {"sku": "FRAME", "date": "2026-12-10", "qty": 40},
                    {"sku": "WHEEL", "date": "2026-12-10", "qty": 28},
                    {"sku": "RIM", "date": "2026-12-10", "qty": 52},
                    {"sku": "SPOKE", "date": "2026-12-10", "qty": 1664},
                    {"sku": "SADDLE", "date": "2026-12-10", "qty": 40},
                ],
                "purchases": [],
                "production": [
                    {
                        "sku": "BIKE",
                        "qty": 40,
                        "start_date": "2026-12-10",
                        "ready_date": "2026-12-14",
                        "operations": [
                            {
                                "seq": 10,
                                "resource": "WELD",
                                "minutes": 510,
                                "loads": [
                                    {"date": "2026-12-10", "minutes": 30},
                                    {"date": "2026-12-11", "minutes": 480},
                                ],
                            },
                            {
                                "seq": 20,
                                "resource": "PAINT",
                                "minutes": 380,
                                "loads": [{"date": "2026-12-11", "minutes": 380}],
                            },
                            {
                                "seq": 30,
                                "resource": "ASSY",
                                "minutes": 800,
                                "loads": [
                                    {"date": "2026-12-11", "minutes": 80},
                                    {"date": "2026-12-12", "minutes": 240},
                                    {"date": "2026-12-14", "minutes": 480},
                                ],
                            },
                        ],
                    },
                    {
                        "sku": "WHEEL",
                        "qty": 52,
                        "start_date": "2026-12-10",
                        "ready_date": "2026-12-10",
                        "operations": [
                            {
                                "seq": 10,
                                "resource": "LACE",
                                "minutes": 353,
                                "loads": [{"date": "2026-12-10", "minutes": 353}],
                            }
                        ],
                    },
                ],
            },
            "constraints": [
                {
                    "kind": "capacity",
                    "sku": None,
                    "resource": "WELD",
                    "from": "2026-12-01",
                    "until": "2026-12-01",
                    "detail": "Welding cell (WELD) is full on 1 Dec 2026: this line needs more "
                    "free minutes there.",
                },
                {
                    "kind": "material",
                    "sku": "FRAME",
                    "resource": None,
                    "from": "2026-12-01",
                    "until": "2026-12-04",
                    "detail": "Only 30 Steel frame (FRAME) can be had by 4 Dec 2026; more takes "
                    "15 days to buy, so it arrives on 16 Dec 2026 at the earliest.",
                },
            ],
            "method": "fast",
        }
    ],
}


# Options (SPEC section 5), on the golden plant with overtime allowed on assembly: 42 of 45 bikes
# can be there on 3 December; the rest on the 4th, or all on the 3rd with 60 more minutes.
OPTIONS_OVERTIME: dict[str, Any] = {
    "weekly_minutes": [120, 120, 120, 120, 120, 0, 0],
    "cost_per_minute": 1.5,
}
OPTIONS_REQUEST: dict[str, Any] = {
    "quote_ref": "Q-2026-0043",
    "customer": "ACME",
    "as_of": "2026-12-01",
    "lines": [{"line_ref": "1", "sku": "BIKE", "qty": 45, "requested_date": "2026-12-03"}],
    "options": ["split", "extra_capacity"],
}
SPLIT_OPTION: dict[str, Any] = {
    "kind": "split",
    "detail": "Ship 42 on 3 Dec and 3 on 4 Dec.",
    "deliveries": [
        {
            "qty": 42,
            "date": "2026-12-03",
            "plan": {
                "stock": [
                    {"sku": "BIKE", "date": "2026-12-03", "qty": 15},
                    {"sku": "FRAME", "date": "2026-12-02", "qty": 27},
                    {"sku": "WHEEL", "date": "2026-12-02", "qty": 28},
                    {"sku": "RIM", "date": "2026-12-02", "qty": 26},
                    {"sku": "SPOKE", "date": "2026-12-02", "qty": 832},
                    {"sku": "SADDLE", "date": "2026-12-02", "qty": 27},
                ],
                "purchases": [],
                "production": [
                    {
                        "sku": "BIKE",
                        "qty": 27,
                        "start_date": "2026-12-02",
                        "ready_date": "2026-12-03",
                        "operations": [
                            {
                                "seq": 10,
                                "resource": "WELD",
                                "minutes": 354,
                                "loads": [{"date": "2026-12-02", "minutes": 354}],
                            },
                            {
                                "seq": 20,
                                "resource": "PAINT",
                                "minutes": 276,
                                "loads": [{"date": "2026-12-02", "minutes": 276}],
                            },
                            {
                                "seq": 30,
                                "resource": "ASSY",
                                "minutes": 540,
                                "loads": [
                                    {"date": "2026-12-02", "minutes": 480},
                                    {"date": "2026-12-03", "minutes": 60},
                                ],
                            },
                        ],
                    },
                    {
                        "sku": "WHEEL",
                        "qty": 26,
                        "start_date": "2026-12-02",
                        "ready_date": "2026-12-02",
                        "operations": [
                            {
                                "seq": 10,
                                "resource": "LACE",
                                "minutes": 184,
                                "loads": [{"date": "2026-12-02", "minutes": 184}],
                            }
                        ],
                    },
                ],
            },
        },
        {
            "qty": 3,
            "date": "2026-12-04",
            "plan": {
                "stock": [{"sku": "BIKE", "date": "2026-12-04", "qty": 3}],
                "purchases": [],
                "production": [],
            },
        },
    ],
    "lines": [
        {"line_ref": "1.1", "sku": "BIKE", "qty": 42, "requested_date": "2026-12-03"},
        {"line_ref": "1.2", "sku": "BIKE", "qty": 3, "requested_date": "2026-12-04"},
    ],
}
EXTRA_CAPACITY_OPTION: dict[str, Any] = {
    "kind": "extra_capacity",
    "detail": "With 60 more minutes on ASSY on 3 Dec, all 45 can ship on 3 Dec (extra cost 90).",
    "deliveries": [
        {
            "qty": 45,
            "date": "2026-12-03",
            "plan": {
                "stock": [
                    {"sku": "BIKE", "date": "2026-12-03", "qty": 15},
                    {"sku": "FRAME", "date": "2026-12-02", "qty": 30},
                    {"sku": "WHEEL", "date": "2026-12-02", "qty": 28},
                    {"sku": "RIM", "date": "2026-12-02", "qty": 32},
                    {"sku": "SPOKE", "date": "2026-12-02", "qty": 1024},
                    {"sku": "SADDLE", "date": "2026-12-02", "qty": 30},
                ],
                "purchases": [],
                "production": [
                    {
                        "sku": "BIKE",
                        "qty": 30,
                        "start_date": "2026-12-02",
                        "ready_date": "2026-12-03",
                        "operations": [
                            {
                                "seq": 10,
                                "resource": "WELD",
                                "minutes": 390,
                                "loads": [{"date": "2026-12-02", "minutes": 390}],
                            },
                            {
                                "seq": 20,
                                "resource": "PAINT",
                                "minutes": 300,
                                "loads": [{"date": "2026-12-02", "minutes": 300}],
                            },
                            {
                                "seq": 30,
                                "resource": "ASSY",
                                "minutes": 600,
                                "loads": [
                                    {"date": "2026-12-02", "minutes": 480},
                                    {"date": "2026-12-03", "minutes": 120},
                                ],
                            },
                        ],
                    },
                    {
                        "sku": "WHEEL",
                        "qty": 32,
                        "start_date": "2026-12-02",
                        "ready_date": "2026-12-02",
                        "operations": [
                            {
                                "seq": 10,
                                "resource": "LACE",
                                "minutes": 223,
                                "loads": [{"date": "2026-12-02", "minutes": 223}],
                            }
                        ],
                    },
                ],
            },
        }
    ],
    "lines": [{"line_ref": "1", "sku": "BIKE", "qty": 45, "requested_date": "2026-12-03"}],
    "extra": [{"resource": "ASSY", "date": "2026-12-03", "minutes": 60, "exception_minutes": 540}],
    "expedite": [],
    "cost": 90.0,
    "plan": {
        "stock": [
            {"sku": "BIKE", "date": "2026-12-03", "qty": 15},
            {"sku": "FRAME", "date": "2026-12-02", "qty": 30},
            {"sku": "WHEEL", "date": "2026-12-02", "qty": 28},
            {"sku": "RIM", "date": "2026-12-02", "qty": 32},
            {"sku": "SPOKE", "date": "2026-12-02", "qty": 1024},
            {"sku": "SADDLE", "date": "2026-12-02", "qty": 30},
        ],
        "purchases": [],
        "production": [
            {
                "sku": "BIKE",
                "qty": 30,
                "start_date": "2026-12-02",
                "ready_date": "2026-12-03",
                "operations": [
                    {
                        "seq": 10,
                        "resource": "WELD",
                        "minutes": 390,
                        "loads": [{"date": "2026-12-02", "minutes": 390}],
                    },
                    {
                        "seq": 20,
                        "resource": "PAINT",
                        "minutes": 300,
                        "loads": [{"date": "2026-12-02", "minutes": 300}],
                    },
                    {
                        "seq": 30,
                        "resource": "ASSY",
                        "minutes": 600,
                        "loads": [
                            {"date": "2026-12-02", "minutes": 480},
                            {"date": "2026-12-03", "minutes": 120},
                        ],
                    },
                ],
            },
            {
                "sku": "WHEEL",
                "qty": 32,
                "start_date": "2026-12-02",
                "ready_date": "2026-12-02",
                "operations": [
                    {
                        "seq": 10,
                        "resource": "LACE",
                        "minutes": 223,
                        "loads": [{"date": "2026-12-02", "minutes": 223}],
                    }
                ],
            },
        ],
    },
}
