"""Lifting a constraint, as SPEC section 2 defines it, on the state a line sees.

The constraints of a late line are what binds on its requested date: lifting all of them makes the
line feasible that day. This module says what the candidates of a line are and what lifting each
kind does; :mod:`app.solver.binding` searches for the fewest that must be lifted.

Candidates are what operations can change, in the order ties are broken (resources, then bought
items, each in the order the tree lists them):

- ``capacity`` on every resource an operation of the line's tree runs on;
- ``material`` on every bought component of the tree;
- for a bought line, its own item: ``lead_time`` when it can be re-ordered, else ``stock``.

A made item is never a candidate. For the line's own item, "stock" means nothing else can cover
the line, and production can; for a made component, "there in any quantity" would stand for
whatever stops it being made in time, and its resources and bought parts (candidates themselves)
say what that is. Lifting every candidate makes any line feasible on any day: unlimited minutes
make each lot in a day, and every bought part is there.

"Unlimited" is a finite number larger than anything the line could use (every lot of its tree at
the line's full quantity), so that the exact methods work on the lifted state unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction

from app.solver import fast
from app.solver.lots import component_need, operation_minutes
from app.solver.plant import Plant, StockMove
from app.solver.results import ConstraintKind
from app.solver.state import IntArray, PlanningState
from app.solver.tree import build_tree


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something that may bind: a resource (``capacity``) or an item (the other kinds)."""

    kind: ConstraintKind
    # The resource code for capacity, else the sku.
    name: str


@dataclass(frozen=True, slots=True)
class Unlimited:
    """What counts as unlimited for one line: more than its whole tree could ever use."""

    minutes: int
    units: int


def candidates(plant: Plant, sku: str) -> tuple[Candidate, ...]:
    """Every candidate of a line of ``sku``, in tie-breaking order."""
    item = plant.items[sku]
    if item.kind == "purchased":
        return (Candidate("stock" if item.lead_time_days is None else "lead_time", sku),)
    resources: list[str] = []
    bought: list[str] = []

    def walk(parent: str) -> None:
        for operation in plant.routings.get(parent, ()):
            if operation.resource not in resources:
                resources.append(operation.resource)
        for line in plant.bom.get(parent, ()):
            component = plant.items[line.component]
            if component.kind == "manufactured":
                walk(component.sku)
            elif component.sku not in bought:
                bought.append(component.sku)

    walk(sku)
    return (
        *(Candidate("capacity", code) for code in resources),
        *(Candidate("material", part) for part in bought),
    )


def relevant(state: PlanningState, sku: str, qty: int, requested_day: int) -> tuple[Candidate, ...]:
    """The candidates whose lifting can change anything for this line, in candidate order.

    Lifting only adds stock, minutes and days to buy on, so lots only shrink: a component use
    whose stock on day 0 covers the largest need it can have is served from stock whatever is
    lifted, and nothing below it is ever made or bought for this line (the supply tree does not
    expand it). Such a candidate is in no fewest set, since leaving it out changes nothing.
    """
    everything = candidates(state.plant, sku)
    if state.plant.items[sku].kind == "purchased":
        return everything
    lot = qty - min(qty, state.stock_atp(sku, requested_day))
    tree = build_tree(state, sku, lot)
    used = {Candidate("capacity", op.resource) for node in tree.nodes for op in node.operations}
    used |= {
        Candidate("material", use.item.sku)
        for _, use in tree.uses()
        if use.item.kind == "purchased"
        and (use.shared or state.stock_atp(use.item.sku, 0) < use.max_need)
    }
    return tuple(c for c in everything if c in used)


def unlimited_for(plant: Plant, sku: str, qty: int) -> Unlimited:
    """Bounds above every lot's minutes and every need of a line of ``qty`` (with ``qty`` itself)."""
    minutes = 1
    units = qty + 1

    def walk(parent: str, lot: int) -> None:
        nonlocal minutes, units
        for operation in plant.routings.get(parent, ()):
            minutes += operation_minutes(operation, lot)
        for line in plant.bom.get(parent, ()):
            need = component_need(lot, Fraction(line.qty_per))
            units += need
            walk(line.component, need)

    walk(sku, qty)
    return Unlimited(minutes, units)


def lifted(
    state: PlanningState,
    lifts: Iterable[Candidate],
    requested_day: int,
    unlimited: Unlimited,
    *,
    capacity_days: Mapping[str, tuple[int, int]] | None = None,
) -> PlanningState:
    """The state with every candidate in ``lifts`` lifted as SPEC section 2 says.

    ``capacity_days`` narrows the lifted days of a resource (first, last) to find the days a
    capacity constraint binds on; by default a resource is lifted on every day up to the
    requested day.
    """
    return Lifter(state, requested_day, unlimited).state(lifts, capacity_days=capacity_days)


class Lifter:
    """The lifted states of one line: each candidate's lifted arrays are made once, and a state
    is then a few dictionary entries (what binds asks for dozens of sets of the same few)."""

    def __init__(self, state: PlanningState, requested_day: int, unlimited: Unlimited) -> None:
        self.base = state
        self.requested_day = requested_day
        self.unlimited = unlimited
        # Per resource, (free, net) lifted on every day up to the requested day; per item,
        # (projected, atp) with it there in any quantity.
        self._minutes: dict[str, tuple[IntArray, IntArray]] = {}
        self._stock: dict[str, tuple[IntArray, IntArray]] = {}
        self._separable: dict[tuple[str, frozenset[str], frozenset[str]], bool] = {}

    def separable(
        self,
        sku: str,
        lifts: Iterable[Candidate],
        *,
        capacity_days: Mapping[str, tuple[int, int]] | None = None,
    ) -> bool:
        """Whether the fast method covers the tree of ``sku`` on the state of :meth:`state`.

        What is lifted on every day up to the delivery is competed for by no lot: a resource
        with more minutes each day than the tree could use, a bought item with more stock than
        it could take (:func:`app.solver.fast.separable`). A resource lifted on some days only
        is competed for as before.
        """
        lifts = tuple(lifts)
        unlimited = frozenset(
            c.name for c in lifts if c.kind == "capacity" and c.name not in (capacity_days or {})
        )
        plentiful = frozenset(c.name for c in lifts if c.kind in ("stock", "material"))
        key = (sku, unlimited, plentiful)
        if key not in self._separable:
            self._separable[key] = fast.separable(
                self.base.plant, sku, unlimited=unlimited, plentiful=plentiful
            )
        return self._separable[key]

    def state(
        self,
        lifts: Iterable[Candidate],
        *,
        capacity_days: Mapping[str, tuple[int, int]] | None = None,
    ) -> PlanningState:
        base = self.base
        free, net = dict(base.free), dict(base.net)
        projected, atp = dict(base.projected), dict(base.atp)
        plant = base.plant
        for candidate in lifts:
            name = candidate.name
            if candidate.kind == "capacity":
                days = (capacity_days or {}).get(name)
                free[name], net[name] = (
                    self._lifted_minutes(name)
                    if days is None
                    else self._minutes_lifted_on(name, days)
                )
            elif candidate.kind in ("stock", "material"):
                projected[name], atp[name] = self._lifted_stock(name)
            elif candidate.kind == "lead_time":
                plant = item_can_be_bought_for_any_day(plant, name)
            else:
                raise ValueError(f"{candidate.kind} constraints cannot be lifted")
        return replace(base, plant=plant, free=free, net=net, projected=projected, atp=atp)

    def _minutes_lifted_on(self, resource: str, days: tuple[int, int]) -> tuple[IntArray, IntArray]:
        # The signed minutes too: a state taking minutes later derives its free minutes from them.
        return (
            resource_has_unlimited_minutes_up_to_the_requested_day(
                self.base.free[resource], days, self.unlimited
            ),
            resource_has_unlimited_minutes_up_to_the_requested_day(
                self.base.net[resource], days, self.unlimited
            ),
        )

    def _lifted_minutes(self, resource: str) -> tuple[IntArray, IntArray]:
        if resource not in self._minutes:
            self._minutes[resource] = self._minutes_lifted_on(resource, (0, self.requested_day))
        return self._minutes[resource]

    def _lifted_stock(self, sku: str) -> tuple[IntArray, IntArray]:
        if sku not in self._stock:
            receipt = item_is_there_in_any_quantity_from_day_0(self.base, sku, self.unlimited)
            there = self.base.taking((receipt,), ())
            self._stock[sku] = (there.projected[sku], there.atp[sku])
        return self._stock[sku]


def resource_has_unlimited_minutes_up_to_the_requested_day(
    free: IntArray, days: tuple[int, int], unlimited: Unlimited
) -> IntArray:
    first, last = days
    lifted_free = free.copy()
    lifted_free[first : last + 1] = unlimited.minutes
    return lifted_free


def item_is_there_in_any_quantity_from_day_0(
    state: PlanningState, sku: str, unlimited: Unlimited
) -> StockMove:
    """A receipt on day 0 (taking a negative quantity) that leaves ATP above any need every day."""
    shortest = int(state.projected[sku].min())
    return StockMove(sku, -(unlimited.units + max(0, -shortest)), state.as_of)


def item_can_be_bought_for_any_day(plant: Plant, sku: str) -> Plant:
    item = plant.items[sku]
    return replace(plant, items={**plant.items, sku: replace(item, lead_time_days=0)})
