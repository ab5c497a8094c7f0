"""Lot arithmetic of SPEC section 2, exact (fractions, never floats)."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from app.solver.plant import Operation


def ceil_fraction(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


# Both are called for the same few lots and quantities many times a check (every probe of a
# bisection), and Fraction arithmetic is slow: cached.
@lru_cache(maxsize=1 << 16)
def operation_minutes(operation: Operation, lot_qty: int) -> int:
    """setup + ceil(n * run) minutes for a lot of n; an empty lot needs nothing."""
    if lot_qty <= 0:
        return 0
    return operation.setup_minutes + ceil_fraction(operation.run_minutes_per_unit * lot_qty)


@lru_cache(maxsize=1 << 16)
def component_need(lot_qty: int, qty_per: Fraction) -> int:
    """Units of a component a lot takes: n * qty_per, rounded up."""
    return ceil_fraction(qty_per * lot_qty)
