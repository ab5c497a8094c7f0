"""What a promise reserves: the plan of its quote, stored per line (app.db.promises)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.db import promises as db
from app.solver.plant import CapacityUse, StockMove
from app.solver.results import QuoteResult


def reserve_plan(session: Session, promise_id: str, quote: QuoteResult) -> None:
    """Store the stock and minutes every line of ``quote`` takes as ``promise_id``'s."""
    stock: list[tuple[str, StockMove]] = []
    capacity: list[tuple[str, CapacityUse]] = []
    for line in quote.lines:
        taken = line.plan.reservations()
        stock.extend((line.line_ref, move) for move in taken.stock)
        capacity.extend((line.line_ref, use) for use in taken.capacity)
    db.add_reservations(session, promise_id, stock, capacity)
