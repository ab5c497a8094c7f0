"""Variable containers of the CP-SAT model, one per thing in the spec (no index-keyed lists)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from app.solver.plant import Operation
from app.solver.state import PlanningState
from app.solver.tree import ComponentUse, ProductionNode


@dataclass(slots=True)
class OperationVars:
    operation: Operation
    minutes: cp_model.IntVar
    # All free minutes in the window: the most the operation could ever use.
    max_minutes: int
    # Minutes worked per day, only on days where the resource has free minutes.
    work: dict[int, cp_model.IntVar]
    works: dict[int, cp_model.IntVar]
    # Finished by the end of this day; the next operation works no earlier than this day.
    finish: cp_model.IntVar


@dataclass(slots=True)
class NodeVars:
    node: ProductionNode
    lot: cp_model.IntVar
    has_lot: cp_model.IntVar
    start: cp_model.IntVar
    operations: list[OperationVars]
    uses: list[UseVars] = field(default_factory=list)

    @property
    def ready(self) -> cp_model.IntVar:
        return self.operations[-1].finish


@dataclass(slots=True)
class UseVars:
    """A component need of a lot: taken on the lot's start day, from stock first."""

    use: ComponentUse
    need: cp_model.IntVar
    atp_on_start: cp_model.IntVar
    from_stock: cp_model.IntVar
    rest: cp_model.IntVar
    child: NodeVars | None = None


@dataclass(slots=True)
class LineVars:
    sku: str
    qty: cp_model.IntVar
    day: cp_model.IntVar
    from_stock: cp_model.IntVar
    root: NodeVars
    nodes: list[NodeVars]


def new_node_vars(
    model: cp_model.CpModel, state: PlanningState, node: ProductionNode, last_day: int
) -> NodeVars:
    tag = f"n{node.index}_{node.sku}"
    lot = model.new_int_var(0, node.max_lot, f"{tag}_lot")
    has_lot = model.new_bool_var(f"{tag}_has_lot")
    start = model.new_int_var(0, last_day, f"{tag}_start")
    operations = []
    for operation in node.operations:
        op_tag = f"{tag}_op{operation.seq}"
        free = state.free[operation.resource]
        work: dict[int, cp_model.IntVar] = {}
        works: dict[int, cp_model.IntVar] = {}
        # No lot works before it can start (app.solver.tree): fewer variables, same plans.
        for day in range(node.earliest_start, last_day + 1):
            minutes = int(free[day])
            if minutes > 0:
                work[day] = model.new_int_var(0, minutes, f"{op_tag}_w{day}")
                works[day] = model.new_bool_var(f"{op_tag}_a{day}")
        max_minutes = sum(int(free[day]) for day in work)
        operations.append(
            OperationVars(
                operation,
                model.new_int_var(0, max_minutes, f"{op_tag}_minutes"),
                max_minutes,
                work,
                works,
                model.new_int_var(0, last_day, f"{op_tag}_finish"),
            )
        )
    return NodeVars(node, lot, has_lot, start, operations)
