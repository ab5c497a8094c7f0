"""A line's plan in day indexes, as the methods produce it, and its dated, reservable forms."""

from __future__ import annotations

from dataclasses import dataclass

from app.solver import results
from app.solver.plant import CapacityUse, StockMove
from app.solver.schedule import LotSchedule
from app.solver.state import PlanningState


@dataclass(frozen=True, slots=True)
class DayStockTake:
    sku: str
    day: int
    qty: int


@dataclass(frozen=True, slots=True)
class DayPurchase:
    sku: str
    qty: int
    day: int
    lead_time_days: int


@dataclass(frozen=True, slots=True)
class DayPlan:
    """How a line is met: stock taken, purchases, and lots (root lot first, then components)."""

    delivery_day: int
    stock: tuple[DayStockTake, ...] = ()
    purchases: tuple[DayPurchase, ...] = ()
    lots: tuple[LotSchedule, ...] = ()

    def stock_taken(self) -> list[tuple[str, int, int]]:
        """(sku, day, qty) of every stock take."""
        return [(t.sku, t.day, t.qty) for t in self.stock if t.qty > 0]

    def minutes_used(self) -> list[tuple[str, int, int]]:
        """(resource, day, minutes) of every operation's loads."""
        return [
            (op.operation.resource, day, minutes)
            for lot in self.lots
            for op in lot.operations
            for day, minutes in op.loads
        ]

    def stock_moves(self, state: PlanningState) -> list[StockMove]:
        return [StockMove(sku, qty, state.date_of(day)) for sku, day, qty in self.stock_taken()]

    def capacity_uses(self, state: PlanningState) -> list[CapacityUse]:
        return [
            CapacityUse(resource, state.date_of(day), minutes)
            for resource, day, minutes in self.minutes_used()
        ]

    def apply_to(self, state: PlanningState) -> PlanningState:
        """The state the next line of the quote sees."""
        return state.taking_on_days(self.stock_taken(), self.minutes_used())

    def dated(self, state: PlanningState) -> results.Plan:
        return results.Plan(
            stock=tuple(
                results.StockTake(t.sku, state.date_of(t.day), t.qty) for t in self.stock if t.qty
            ),
            purchases=tuple(
                results.Purchase(
                    p.sku, p.qty, state.date_of(p.day), state.date_of(p.day - p.lead_time_days)
                )
                for p in self.purchases
            ),
            production=tuple(
                results.ProductionLot(
                    sku=lot.sku,
                    qty=lot.qty,
                    start_date=state.date_of(lot.start_day),
                    ready_date=state.date_of(lot.ready_day),
                    operations=tuple(
                        results.OperationLoad(
                            seq=op.operation.seq,
                            resource=op.operation.resource,
                            minutes=op.minutes,
                            loads=tuple(
                                results.DayLoad(state.date_of(day), minutes)
                                for day, minutes in op.loads
                            ),
                        )
                        for op in lot.operations
                    ),
                )
                for lot in self.lots
            ),
        )
