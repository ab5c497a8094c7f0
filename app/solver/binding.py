"""What binds on the requested date: the fewest candidates whose lifting makes a late line feasible.

Feasibility on a day only grows as more is lifted (more minutes, more stock, more days to buy
on), so the sets that make the line feasible are closed upwards, and the search needs nothing
but a yes/no answer per set, given by the exact methods on the lifted state
(:func:`feasible_on_day`). It is the implicit hitting-set method:

1. When lifting every candidate but one leaves the line late, that one is in every answer (a
   core of one).
2. Take the smallest set that meets every core found so far (the first in candidate order among
   the smallest). If lifting it makes the line feasible, no smaller set can (every answer meets
   every core), nor an earlier one of its size, and it is the answer.
3. Otherwise grow it, in candidate order, into a set that still leaves the line late and that
   any further candidate would make feasible; every answer must contain one of the candidates
   outside it: a new core, which the next smallest set meets. Back to 2.

The answer is then confirmed irreducible (lifting all but any one of it leaves the line late).
CP-SAT answers only where neither a plan (fast method, validated greedy plan) nor the relaxation
proves the day; a CP-SAT time-out is a :class:`~app.solver.results.SolverTimeout`, never a
guess.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.solver import fast
from app.solver.bounds import relaxation_fits
from app.solver.cpsat import model as cpsat
from app.solver.cpsat.model import SolverSettings
from app.solver.greedy import greedy_plan
from app.solver.lifting import Candidate, Unlimited, lifted, relevant, unlimited_for
from app.solver.plan import DayPlan
from app.solver.state import PlanningState
from app.solver.validation import plan_violations


@dataclass(frozen=True, slots=True)
class Binding:
    """One entry of what binds; ``days`` (first, last) for capacity: the days it binds on."""

    candidate: Candidate
    days: tuple[int, int] | None = None


def what_binds(
    state: PlanningState, sku: str, qty: int, requested_day: int, settings: SolverSettings
) -> list[Binding]:
    """The fewest candidates that must all be lifted for the line to be feasible on the day."""
    line = _Line(state, sku, qty, requested_day, settings)
    if not line.feasible(frozenset(line.candidates)):
        raise RuntimeError(
            f"{qty} {sku} is late on day {requested_day} even with everything lifted"
        )
    answer = _fewest_lifts(line)
    ordered = [c for c in line.candidates if c in answer]
    for entry in ordered:
        if line.feasible(answer - {entry}):
            raise RuntimeError(f"{entry} is not needed: the fewest lifts are not irreducible")
    return [
        Binding(c, line.capacity_days(c, answer) if c.kind == "capacity" else None) for c in ordered
    ]


def feasible_on_day(
    state: PlanningState, sku: str, qty: int, day: int, settings: SolverSettings
) -> bool:
    """Whether all of ``qty`` can be delivered on ``day``, by the cheapest method that proves it."""
    outcome = fast.plan_line(state, sku, qty, day, separable_tree=fast.separable(state.plant, sku))
    if isinstance(outcome, DayPlan):
        return True
    if isinstance(outcome, fast.Infeasible):
        return False
    # The relaxation only calls impossible what is impossible, and is cheap.
    if not relaxation_fits(state, sku, qty, day):
        return False
    # The greedy backward plan respects shared resources and stock; a plan that passes the
    # validator proves the day (lifted states often leave the shared resources unlimited).
    greedy = greedy_plan(state, sku, qty, day)
    if greedy is not None and not plan_violations(state, sku, qty, greedy):
        return True
    return cpsat.earliest_day(state, sku, qty, (day, day), settings) is not None


class _Line:
    """One late line and the answers known so far, so that no set is decided twice."""

    def __init__(
        self,
        state: PlanningState,
        sku: str,
        qty: int,
        requested_day: int,
        settings: SolverSettings,
    ) -> None:
        self.state = state
        self.sku = sku
        self.qty = qty
        self.day = requested_day
        self.settings = settings
        self.candidates: tuple[Candidate, ...] = relevant(state, sku, qty, requested_day)
        self.unlimited: Unlimited = unlimited_for(state.plant, sku, qty)
        self._feasible: list[frozenset[Candidate]] = []
        self._late: list[frozenset[Candidate]] = []

    def feasible(self, lifts: frozenset[Candidate]) -> bool:
        # Upward closed: a superset of a feasible set is feasible, a subset of a late one late.
        if any(known <= lifts for known in self._feasible):
            return True
        if any(lifts <= known for known in self._late):
            return False
        answer = self._decide(lifts)
        (self._feasible if answer else self._late).append(lifts)
        return answer

    def _decide(
        self, lifts: frozenset[Candidate], capacity_days: dict[str, tuple[int, int]] | None = None
    ) -> bool:
        state = lifted(self.state, lifts, self.day, self.unlimited, capacity_days=capacity_days)
        return feasible_on_day(state, self.sku, self.qty, self.day, self.settings)

    def capacity_days(self, resource: Candidate, answer: frozenset[Candidate]) -> tuple[int, int]:
        """The days capacity on a resource binds on, with the rest of the answer lifted.

        ``until``: the last day from which on unlimited minutes would still be enough (more
        minutes only after it come too late); ``from``: the first day up to which they would be
        enough (more minutes only before it come too early).
        """

        def lifting_days(first: int, last: int) -> bool:
            return self._decide(answer, {resource.name: (first, last)})

        # Lifting days x..day only shrinks as x grows; lifting days 0..y only grows with y.
        latest_start = _last_true(0, self.day, lambda x: lifting_days(x, self.day))
        earliest_end = _first_true(0, self.day, lambda y: lifting_days(0, y))
        return min(latest_start, earliest_end), max(latest_start, earliest_end)


def _fewest_lifts(line: _Line) -> frozenset[Candidate]:
    everything = frozenset(line.candidates)
    cores: list[frozenset[Candidate]] = [
        frozenset({c}) for c in line.candidates if not line.feasible(everything - {c})
    ]
    while True:
        smallest = _smallest_hitting_set(cores, line.candidates)
        if line.feasible(smallest):
            return smallest
        grown = set(smallest)
        for candidate in line.candidates:
            if candidate not in grown and not line.feasible(frozenset(grown | {candidate})):
                grown.add(candidate)
        cores.append(everything - grown)


def _smallest_hitting_set(
    cores: Sequence[frozenset[Candidate]], order: Sequence[Candidate]
) -> frozenset[Candidate]:
    """The smallest set meeting every core; among those, the first in candidate order.

    Sets of one size are tried in lexicographic order of their members' positions, so the first
    found is the first of the smallest; a member that meets no core yet is never worth choosing.
    """

    def search(
        chosen: frozenset[Candidate], start: int, budget: int
    ) -> frozenset[Candidate] | None:
        missed = [core for core in cores if not core & chosen]
        if not missed:
            return chosen
        if budget == 0:
            return None
        useful = set().union(*missed)
        for position in range(start, len(order)):
            candidate = order[position]
            if candidate in useful:
                found = search(chosen | {candidate}, position + 1, budget - 1)
                if found is not None:
                    return found
        return None

    for size in range(len(order) + 1):
        found = search(frozenset(), 0, size)
        if found is not None:
            return found
    raise RuntimeError("the cores cannot all be met: a core is empty")


def _last_true(low: int, high: int, holds: Callable[[int], bool]) -> int:
    """The largest x in [low, high] with ``holds(x)``, given it holds at low and only up to some x."""
    while low < high:
        middle = (low + high + 1) // 2
        if holds(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _first_true(low: int, high: int, holds: Callable[[int], bool]) -> int:
    """The smallest y in [low, high] with ``holds(y)``, given it holds at high and from some y on."""
    while low < high:
        middle = (low + high) // 2
        if holds(middle):
            high = middle
        else:
            low = middle + 1
    return low
