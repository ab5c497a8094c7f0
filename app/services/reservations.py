"""What a promise reserves: the plan of its quote, stored per line (app.db.promises)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.db import promises as db
from app.solver.plant import CapacityUse, Reservations, StockMove
from app.solver.results import QuoteResult


def reserve_plan(session: Session, promise_id: str, quote: QuoteResult) -> Reservations:
    """Store the stock and minutes every line of ``quote`` takes as ``promise_id``'s, and what
    each line delivers on its promised date (it uses up allocations, SPEC section 7); the stock
    and minutes taken."""
    stock: list[tuple[str, StockMove]] = []
    capacity: list[tuple[str, CapacityUse]] = []
    deliveries: list[tuple[str, StockMove]] = []
    for line in quote.lines:
        taken = line.plan.reservations()
        stock.extend((line.line_ref, move) for move in taken.stock)
        capacity.extend((line.line_ref, use) for use in taken.capacity)
        if line.promised_date is not None:
            deliveries.append((line.line_ref, StockMove(line.sku, line.qty, line.promised_date)))
    db.add_reservations(session, promise_id, stock, capacity, deliveries)
    return Reservations(tuple(move for _, move in stock), tuple(use for _, use in capacity))
