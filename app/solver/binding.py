"""What binds on the requested date: the fewest candidates whose lifting makes a late line feasible.

Feasibility on a day only grows as more is lifted (more minutes, more stock, more days to buy
on), so the sets that make the line feasible are closed upwards, and the search needs nothing
but a yes/no answer per set, given by the exact methods on the lifted state
(:func:`plan_on_day`). It is the implicit hitting-set method:

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

A "yes" comes with a plan, and the plan says more than the set it was found for: it goes beyond
the line's own state only on some of the lifted candidates (more minutes than are free on some
resources, more stock than there is of some items). When the validator accepts the plan with
only those lifted, that smaller set is known feasible too, and so is every set containing it;
most sets are then decided without a solve. The same holds for the days of a capacity entry: a
plan that goes beyond a resource's free minutes only from day ``a`` to day ``b`` proves lifting
just those days enough.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.solver import fast
from app.solver.bounds import relaxation_fits
from app.solver.cpsat import model as cpsat
from app.solver.cpsat.solve import SolverSettings
from app.solver.fit import misfits
from app.solver.greedy import greedy_plan
from app.solver.lifting import Candidate, Lifter, Unlimited, relevant, unlimited_for
from app.solver.plan import DayPlan
from app.solver.plant import Reservations
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


@dataclass(frozen=True, slots=True)
class Possible:
    """A day proven possible, with a valid plan for it when the method that proved it gave one."""

    plan: DayPlan | None


def plan_on_day(
    state: PlanningState,
    sku: str,
    qty: int,
    day: int,
    settings: SolverSettings,
    *,
    separable_tree: bool | None = None,
) -> Possible | None:
    """Whether all of ``qty`` can be delivered on ``day``, from the cheapest method that proves
    it: None when it cannot. ``separable_tree``: whether the fast method covers the tree on this
    state (:func:`app.solver.fast.separable`; by default, on the plant as it is)."""
    if separable_tree is None:
        separable_tree = fast.separable(state.plant, sku)
    outcome = fast.plan_line(state, sku, qty, day, separable_tree=separable_tree)
    if isinstance(outcome, DayPlan):
        return Possible(outcome)
    if isinstance(outcome, fast.Infeasible):
        return None
    # The relaxation only calls impossible what is impossible, and is cheap.
    if not relaxation_fits(state, sku, qty, day):
        return None
    # The greedy backward plan respects shared resources and stock; a plan that passes the
    # validator proves the day (lifted states often leave the shared resources unlimited).
    greedy = greedy_plan(state, sku, qty, day)
    if greedy is not None and not plan_violations(state, sku, qty, greedy):
        return Possible(greedy)
    # CP-SAT, on the smaller model that leaves a lot's start day free below its first working
    # day (never better, so the answer is the same); its plan is kept only when it is valid.
    found = cpsat.any_plan(state, sku, qty, day, settings, tight_start=False)
    if found is None:
        return None
    return Possible(None if plan_violations(state, sku, qty, found) else found)


Days = tuple[int, int]


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
        self.lifter = Lifter(state, requested_day, self.unlimited)
        # Feasible sets with a plan proving each (valid with just that set lifted), if known.
        self._feasible: dict[frozenset[Candidate], DayPlan | None] = {}
        self._late: list[frozenset[Candidate]] = []
        self._windows: dict[tuple[str, Days], Days | None] = {}

    def feasible(self, lifts: frozenset[Candidate]) -> bool:
        # Upward closed: a superset of a feasible set is feasible, a subset of a late one late.
        if any(known <= lifts for known in self._feasible):
            return True
        if any(lifts <= known for known in self._late):
            return False
        possible = self._decide(lifts)
        if possible is None:
            self._late.append(lifts)
            return False
        if possible.plan is None:
            self._feasible[lifts] = None
        else:
            self._feasible[self._used(lifts, possible.plan)] = possible.plan
        return True

    def _decide(
        self, lifts: frozenset[Candidate], days: dict[str, Days] | None = None
    ) -> Possible | None:
        state = self.lifter.state(lifts, capacity_days=days)
        separable_tree = self.lifter.separable(self.sku, lifts, capacity_days=days)
        return plan_on_day(
            state, self.sku, self.qty, self.day, self.settings, separable_tree=separable_tree
        )

    def _valid(self, lifts: frozenset[Candidate], plan: DayPlan, days: dict[str, Days]) -> bool:
        state = self.lifter.state(lifts, capacity_days=days)
        return not plan_violations(state, self.sku, self.qty, plan)

    def _used(self, lifts: frozenset[Candidate], plan: DayPlan) -> frozenset[Candidate]:
        """The part of ``lifts`` that ``plan`` goes beyond the line's state on, when the plan is
        valid with only that part lifted; else all of ``lifts``."""
        loads = _loads(plan)
        used = frozenset(c for c in lifts if self._goes_beyond(c, plan, loads))
        if used == lifts or self._valid(used, plan, {}):
            return used
        return lifts

    def _goes_beyond(
        self, candidate: Candidate, plan: DayPlan, loads: dict[str, Counter[int]]
    ) -> bool:
        if candidate.kind == "capacity":
            return _beyond(self.state, loads, candidate.name) is not None
        if candidate.kind == "lead_time":
            lead = self.state.plant.items[candidate.name].lead_time_days
            return any(
                p.sku == candidate.name and (lead is None or p.day < lead) for p in plan.purchases
            )
        takes = tuple(m for m in plan.stock_moves(self.state) if m.sku == candidate.name)
        return bool(misfits(self.state, Reservations(stock=takes)))

    def capacity_days(self, resource: Candidate, answer: frozenset[Candidate]) -> Days:
        """The days capacity on a resource binds on, with the rest of the answer lifted.

        ``until``: the last day from which on unlimited minutes would still be enough (more
        minutes only after it come too late); ``from``: the first day up to which they would be
        enough (more minutes only before it come too early).
        """
        name = resource.name

        def enough(first: int, last: int) -> Days | None:
            """Whether lifting the resource on days first..last is enough; if so, the days a
            plan proving it goes beyond the free minutes on (lifting those alone is enough)."""
            key = (name, (first, last))
            if key not in self._windows:
                possible = self._decide(answer, {name: (first, last)})
                span: Days | None = None
                if possible is not None:
                    plan = possible.plan
                    # Without a plan, only the days lifted are known to be enough.
                    span = (plan and _beyond(self.state, _loads(plan), name)) or (first, last)
                self._windows[key] = span
            return self._windows[key]

        latest_start, earliest_end = 0, self.day
        plan = self._feasible.get(answer)
        span = None if plan is None else _beyond(self.state, _loads(plan), name)
        if plan is not None and span is not None and self._valid(answer, plan, {name: span}):
            latest_start, earliest_end = span
        # Lifting days x..day only shrinks as x grows; lifting days 0..y only grows with y. A
        # plan that goes beyond the free minutes only on days a..b proves both x = a and y = b.
        high = self.day
        while latest_start < high:
            middle = (latest_start + high + 1) // 2
            found = enough(middle, self.day)
            if found is None:
                high = middle - 1
            else:
                latest_start = max(middle, found[0])
        low = 0
        while low < earliest_end:
            middle = (low + earliest_end) // 2
            found = enough(0, middle)
            if found is None:
                low = middle + 1
            else:
                earliest_end = min(middle, found[1])
        return min(latest_start, earliest_end), max(latest_start, earliest_end)


def _loads(plan: DayPlan) -> dict[str, Counter[int]]:
    """The plan's minutes per resource and day."""
    loads: dict[str, Counter[int]] = {}
    for lot in plan.lots:
        for operation in lot.operations:
            per_day = loads.setdefault(operation.operation.resource, Counter())
            for day, minutes in operation.loads:
                per_day[day] += minutes
    return loads


def _beyond(state: PlanningState, loads: dict[str, Counter[int]], resource: str) -> Days | None:
    """The first and last day the plan needs more minutes on ``resource`` than are free."""
    free = state.free[resource]
    days = [day for day, minutes in loads.get(resource, Counter()).items() if minutes > free[day]]
    return (min(days), max(days)) if days else None


def _fewest_lifts(line: _Line) -> frozenset[Candidate]:
    everything = frozenset(line.candidates)
    cores: list[frozenset[Candidate]] = [
        frozenset({c}) for c in _needed_alone(line, everything, list(line.candidates))
    ]
    while True:
        smallest = _smallest_hitting_set(cores, line.candidates)
        if line.feasible(smallest):
            return smallest
        grown = set(smallest)
        _grow(line, grown, [c for c in line.candidates if c not in grown])
        cores.append(everything - grown)


def _needed_alone(
    line: _Line, everything: frozenset[Candidate], group: list[Candidate]
) -> list[Candidate]:
    """The candidates of ``group`` without which, everything else lifted, the line is late.

    Tested a group at a time: when lifting all but the whole group is enough, lifting all but
    any one of it is too (a superset), and none of it is needed; only a late group is split.
    """
    if not group or line.feasible(everything - set(group)):
        return []
    if len(group) == 1:
        return group
    middle = len(group) // 2
    return [
        *_needed_alone(line, everything, group[:middle]),
        *_needed_alone(line, everything, group[middle:]),
    ]


def _grow(line: _Line, grown: set[Candidate], rest: list[Candidate]) -> None:
    """Add to the late set ``grown``, in candidate order, every candidate that keeps it late.

    The same set as adding them one at a time, tested a block at a time: when the block added
    whole still leaves the line late, each of its candidates, added in turn, would too (a
    subset of a late set is late); only a block that makes the line feasible is split.
    """
    if not rest:
        return
    if not line.feasible(frozenset(grown.union(rest))):
        grown.update(rest)
        return
    if len(rest) == 1:
        return
    middle = len(rest) // 2
    _grow(line, grown, rest[:middle])
    _grow(line, grown, rest[middle:])


def _smallest_hitting_set(
    cores: Sequence[frozenset[Candidate]], order: Sequence[Candidate]
) -> frozenset[Candidate]:
    """The smallest set meeting every core; among those, the first in candidate order
    (lexicographic in its members' positions).

    The size is the least budget for which a set exists; the members are then fixed first to
    last, each the earliest position from which the rest can still be completed within the
    budget. Whether a set exists branches on the members of a core not yet met (any answer
    contains one of them), so the search grows with the cores, not with the candidates' subsets.
    Sets are bit masks over the positions in ``order``.
    """
    position = {candidate: bit for bit, candidate in enumerate(order)}
    masks = [sum(1 << position[c] for c in core) for core in cores]
    if any(mask == 0 for mask in masks):
        raise RuntimeError("the cores cannot all be met: a core is empty")

    def completes(chosen: int, allowed: int, budget: int) -> bool:
        """Whether at most ``budget`` more of the ``allowed`` positions meet every core."""
        missed = [mask & allowed for mask in masks if not mask & chosen]
        if not missed:
            return True
        if budget == 0:
            return False
        branch = min(missed, key=int.bit_count)
        while branch:
            bit = branch & -branch
            if completes(chosen | bit, allowed, budget - 1):
                return True
            branch ^= bit
        return False

    everything = (1 << len(order)) - 1
    size = next(k for k in range(len(order) + 1) if completes(0, everything, k))
    chosen = 0
    after = 0  # the first position the next member may take
    for taken in range(size):
        for bit in range(after, len(order)):
            later = everything & ~((1 << (bit + 1)) - 1)
            if completes(chosen | 1 << bit, later, size - taken - 1):
                chosen |= 1 << bit
                after = bit + 1
                break
    return frozenset(c for bit, c in enumerate(order) if chosen >> bit & 1)
