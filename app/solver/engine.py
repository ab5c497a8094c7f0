"""Entry point of the promise engine: a quote in, the answers of SPEC section 2 out.

(Interface fixed; implementation in progress.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.solver.plant import Plant, Reservations
from app.solver.results import LineRequest, QuoteResult


@dataclass(frozen=True, slots=True)
class SolverSettings:
    time_limit_seconds: float = 10.0
    workers: int = 1
    random_seed: int = 0


class PlanningState:
    """Free minutes per resource and day, projected stock per item and day (built once per data version)."""

    @classmethod
    def build(cls, plant: Plant, as_of: date, horizon_days: int) -> "PlanningState":
        raise NotImplementedError

    def with_reservations(self, reservations: Reservations) -> "PlanningState":
        raise NotImplementedError


def check_quote(
    state: PlanningState,
    lines: Sequence[LineRequest],
    ship_complete: bool,
    settings: SolverSettings,
) -> QuoteResult:
    raise NotImplementedError
