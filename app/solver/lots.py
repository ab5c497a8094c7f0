"""Lot arithmetic of SPEC section 2, exact (integers from the fractions, never floats)."""

from __future__ import annotations

from fractions import Fraction

from app.solver.plant import Operation


def ceil_fraction(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


# Both run for every lot of every probe. Integer arithmetic on the fraction's numerator and
# denominator: a Fraction product, or a cache keyed by one (its hash), cost several times more.
def operation_minutes(operation: Operation, lot_qty: int) -> int:
    """setup + ceil(n * run) minutes for a lot of n; an empty lot needs nothing."""
    if lot_qty <= 0:
        return 0
    run = operation.run_minutes_per_unit
    return operation.setup_minutes - ((-run.numerator * lot_qty) // run.denominator)


def component_need(lot_qty: int, qty_per: Fraction) -> int:
    """Units of a component a lot takes: n * qty_per, rounded up."""
    return -((-qty_per.numerator * lot_qty) // qty_per.denominator)
