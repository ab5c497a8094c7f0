"""Read a solved model back into a day plan (separate from building it)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from app.solver.cpsat.variables import LineVars
from app.solver.plan import DayPlan, DayPurchase, DayStockTake
from app.solver.schedule import LotSchedule, OperationSchedule


def extract_plan(solver: cp_model.CpSolver, line: LineVars) -> DayPlan:
    day = solver.value(line.day)
    takes: list[DayStockTake] = []
    purchases: list[DayPurchase] = []
    lots: list[LotSchedule] = []
    line_stock = solver.value(line.from_stock)
    if line_stock:
        takes.append(DayStockTake(line.sku, day, line_stock))
    for node in line.nodes:
        lot = solver.value(node.lot)
        if lot == 0:
            continue
        operations = []
        for op in node.operations:
            loads = tuple(
                (d, solver.value(work)) for d, work in sorted(op.work.items()) if solver.value(work)
            )
            operations.append(OperationSchedule(op.operation, solver.value(op.minutes), loads))
        lots.append(LotSchedule(node.node.sku, lot, tuple(operations)))
        start = solver.value(node.start)
        for use in node.uses:
            from_stock = solver.value(use.from_stock)
            rest = solver.value(use.rest)
            item = use.use.item
            if from_stock:
                takes.append(DayStockTake(item.sku, start, from_stock))
            if rest and item.kind == "purchased" and item.lead_time_days is not None:
                purchases.append(DayPurchase(item.sku, rest, start, item.lead_time_days))
    return DayPlan(day, tuple(takes), tuple(purchases), tuple(lots))
