"""The line's supply tree: one production node per lot that may have to be made.

Each need in the tree is made as one lot (SPEC section 2, no lot splitting), so a manufactured
item used twice in the tree gets two nodes. Nodes whose need can never exceed the stock that is
there for them are not expanded: they can only ever be served from stock.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from app.solver.lots import component_need
from app.solver.plant import BomLine, Item, Operation, Plant
from app.solver.state import PlanningState


@dataclass(slots=True)
class ComponentUse:
    """A component need of a production node: taken on the node's start day."""

    item: Item
    qty_per: Fraction
    # Upper bound of the need (from the largest lot the parent can have).
    max_need: int
    # The lot made for the part not served from stock, when the item is manufactured.
    child: ProductionNode | None = None
    # Shared with other uses of the same item in this tree (stock is then split jointly).
    shared: bool = False


@dataclass(slots=True)
class ProductionNode:
    index: int
    sku: str
    operations: tuple[Operation, ...]
    max_lot: int
    components: list[ComponentUse] = field(default_factory=list)
    # No lot of this node can start (nor any of its operations work) before this day.
    earliest_start: int = 0


@dataclass(slots=True)
class SupplyTree:
    root: ProductionNode
    nodes: list[ProductionNode]

    def uses(self) -> list[tuple[ProductionNode, ComponentUse]]:
        return [(node, use) for node in self.nodes for use in node.components]


def build_tree(state: PlanningState, sku: str, max_lot: int) -> SupplyTree:
    plant = state.plant
    usage = Counter[str]()
    _count_uses(plant.bom, sku, usage)
    nodes: list[ProductionNode] = []

    def expand(node_sku: str, lot_bound: int) -> ProductionNode:
        node = ProductionNode(len(nodes), node_sku, plant.routings[node_sku], lot_bound)
        nodes.append(node)
        for line in plant.bom.get(node_sku, ()):
            item = plant.items[line.component]
            need_bound = component_need(lot_bound, line.qty_per)
            use = ComponentUse(item, line.qty_per, need_bound, shared=usage[item.sku] > 1)
            # ATP only grows with the day, so ATP on day 0 is the least stock this use can see.
            always_in_stock = not use.shared and state.stock_atp(item.sku, 0) >= need_bound
            if item.kind == "manufactured" and need_bound > 0 and not always_in_stock:
                use.child = expand(item.sku, need_bound)
            node.components.append(use)
        node.earliest_start = _earliest_start(state, node)
        return node

    root = expand(sku, max_lot)
    return SupplyTree(root, nodes)


def _earliest_start(state: PlanningState, node: ProductionNode) -> int:
    """A day no lot of ``node`` can start before (the horizon when none can start at all).

    A lot of n >= 1 units takes ceil(n * qty_per) >= ceil(qty_per) of each component on its
    start day s, stock first; the rest is bought (s >= the lead time) or made by a child lot
    ready by s, whose own start is no earlier than the child's earliest start. So for each
    component, s is at least the first of: the first day ATP covers ceil(qty_per), the lead
    time, the child's earliest start. Sharing stock with other uses only takes stock away.
    """
    earliest = 0
    for use in node.components:
        smallest = math.ceil(use.qty_per)
        ways = [_first_day_with_atp(state, use.item.sku, smallest)]
        if use.item.kind == "purchased" and use.item.lead_time_days is not None:
            ways.append(use.item.lead_time_days)
        if use.child is not None:
            ways.append(use.child.earliest_start)
        earliest = max(earliest, min(ways))
    return earliest


def _first_day_with_atp(state: PlanningState, sku: str, qty: int) -> int:
    """The first day ATP covers ``qty`` (it only grows with the day), the horizon if none."""
    return int(state.atp[sku].searchsorted(qty))


def _count_uses(bom: Mapping[str, tuple[BomLine, ...]], sku: str, usage: Counter[str]) -> None:
    for line in bom.get(sku, ()):
        usage[line.component] += 1
        _count_uses(bom, line.component, usage)


def items_and_resources(plant: Plant, sku: str) -> tuple[frozenset[str], frozenset[str]]:
    """The items of ``sku``'s supply tree (itself and every component, recursively) and the
    resources their routings use."""
    items: set[str] = set()
    stack = [sku]
    while stack:
        item = stack.pop()
        if item in items:
            continue
        items.add(item)
        stack.extend(line.component for line in plant.bom.get(item, ()))
    resources = {op.resource for item in items for op in plant.routings.get(item, ())}
    return frozenset(items), frozenset(resources)
