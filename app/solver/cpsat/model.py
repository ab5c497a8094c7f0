"""Build the CP-SAT model of one line, solve it, and map every status.

Only the line's supply tree, its resources and the days up to ``last_day`` are modelled. Four
goals share one model: the earliest day for the full quantity, the most that can be delivered on
a given day, an as-late-as-possible plan for a fixed day and quantity, and any plan for them
(what binds asks only whether a day is possible, and learns from the plan what it used).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ortools.sat.python import cp_model

from app.solver.cpsat import rules
from app.solver.cpsat.extract import extract_plan
from app.solver.cpsat.solve import SolverSettings, solve
from app.solver.cpsat.variables import LineVars, NodeVars, UseVars, new_node_vars
from app.solver.plan import DayPlan
from app.solver.results import SolverTimeout
from app.solver.state import PlanningState
from app.solver.tree import ProductionNode, build_tree


class _Model(cp_model.CpModel):
    """A CpModel without the camelCase aliases OR-Tools sets on every new model: 0.3 to 0.6 ms
    a model (a tenth of building a small one) for names this code never uses."""

    def _add_pre_pep8_methods(self) -> None:
        pass


class Goal(Enum):
    EARLIEST_DAY = "the earliest date"
    MOST_QTY = "the quantity possible on the requested date"
    LATEST_PLAN = "a plan"
    ANY_PLAN = "whether the day is possible"


def earliest_day(
    state: PlanningState,
    sku: str,
    qty: int,
    window: tuple[int, int],
    settings: SolverSettings,
) -> int | None:
    """The earliest day in the window (first, last) when all of ``qty`` can be delivered, or None."""
    built = _build(state, sku, (qty, qty), window, tight_start=False)
    built.model.minimize(built.line.day)
    solver = _solve(built.model, settings, sku, Goal.EARLIEST_DAY)
    return None if solver is None else solver.value(built.line.day)


def most_qty(state: PlanningState, sku: str, qty: int, day: int, settings: SolverSettings) -> int:
    """The largest quantity <= ``qty`` deliverable on ``day`` (0 is always possible)."""
    built = _build(state, sku, (0, qty), (day, day), tight_start=False)
    built.model.maximize(built.line.qty)
    solver = _solve(built.model, settings, sku, Goal.MOST_QTY)
    if solver is None:
        raise RuntimeError("delivering nothing is always possible; the model is wrong")
    return solver.value(built.line.qty)


def latest_plan(
    state: PlanningState, sku: str, qty: int, day: int, settings: SolverSettings
) -> DayPlan | None:
    """A plan for ``qty`` on ``day`` with its work as late as possible, or None if impossible."""
    built = _build(state, sku, (qty, qty), (day, day), tight_start=True)
    # Minutes weighted by their day: the later the work, the more early capacity stays free.
    built.model.maximize(
        sum(
            day_index * work
            for node in built.line.nodes
            for op in node.operations
            for day_index, work in op.work.items()
        )
    )
    solver = _solve(built.model, settings, sku, Goal.LATEST_PLAN)
    return None if solver is None else extract_plan(solver, built.line)


def build_line_model(state: PlanningState, sku: str, qty: int, day: int) -> LineModel:
    """The model of one line delivering ``qty`` on ``day``, each lot starting on its first
    working day, without a goal: for callers that add rules and a goal of their own."""
    return _build(state, sku, (qty, qty), (day, day), tight_start=True)


@dataclass(slots=True)
class LineModel:
    model: cp_model.CpModel
    line: LineVars


def _build(
    state: PlanningState,
    sku: str,
    qty_range: tuple[int, int],
    day_range: tuple[int, int],
    *,
    tight_start: bool,
) -> LineModel:
    first_day, last_day = day_range
    max_lot = qty_range[1] - min(qty_range[1], state.stock_atp(sku, first_day))
    tree = build_tree(state, sku, max_lot)
    model = _Model()
    nodes: list[NodeVars] = []

    def add_node(node: ProductionNode) -> NodeVars:
        node_vars = new_node_vars(model, state, node, last_day)
        nodes.append(node_vars)
        for use in node.components:
            tag = f"n{node.index}_{use.item.sku}"
            use_vars = UseVars(
                use,
                need=model.new_int_var(0, use.max_need, f"{tag}_need"),
                atp_on_start=model.new_int_var(0, _max_atp(state, use.item.sku), f"{tag}_atp"),
                from_stock=model.new_int_var(0, use.max_need, f"{tag}_stock"),
                rest=model.new_int_var(0, use.max_need, f"{tag}_rest"),
                child=add_node(use.child) if use.child is not None else None,
            )
            node_vars.uses.append(use_vars)
        return node_vars

    root = add_node(tree.root)
    line = LineVars(
        sku=sku,
        qty=model.new_int_var(qty_range[0], qty_range[1], f"{sku}_qty"),
        day=model.new_int_var(first_day, last_day, f"{sku}_day"),
        from_stock=model.new_int_var(0, qty_range[1], f"{sku}_from_stock"),
        root=root,
        nodes=nodes,
    )
    rules.line_is_served_stock_first(model, state, line, last_day)
    for node in nodes:
        rules.lot_needs_setup_and_run_minutes(model, node)
        rules.operation_works_only_within_its_window(model, node)
        if tight_start:
            rules.production_starts_on_its_first_working_day(model, node)
        rules.components_are_taken_on_the_start_day(model, state, node, last_day)
        rules.purchases_arrive_after_lead_time(model, node)
        rules.made_components_are_ready_on_the_start_day(model, node)
    rules.resources_stay_within_free_minutes(model, state, nodes)
    rules.shared_stock_is_split_within_atp(model, nodes)
    return LineModel(model, line)


def _max_atp(state: PlanningState, sku: str) -> int:
    return int(state.atp[sku].max())


def _solve(
    model: cp_model.CpModel, settings: SolverSettings, sku: str, goal: Goal
) -> cp_model.CpSolver | None:
    """Solve and map the status: INFEASIBLE is an ordinary "cannot", no proof is never a guess."""
    solved = solve(model, settings, from_below=goal is Goal.EARLIEST_DAY)
    solver, status = solved.solver, solved.status
    if status == cp_model.OPTIMAL:
        return solver
    if status == cp_model.FEASIBLE:
        # Any feasible plan is a valid plan; a date or quantity must be proven optimal.
        if goal in (Goal.LATEST_PLAN, Goal.ANY_PLAN):
            return solver
        raise SolverTimeout(sku, goal.value)
    if status == cp_model.INFEASIBLE:
        return None
    if status == cp_model.UNKNOWN:
        raise SolverTimeout(sku, goal.value)
    raise RuntimeError(f"invalid CP-SAT model: {model.validate()}")


def any_plan(
    state: PlanningState,
    sku: str,
    qty: int,
    day: int,
    settings: SolverSettings,
    *,
    tight_start: bool = True,
) -> DayPlan | None:
    """Some plan for ``qty`` on ``day`` (a feasibility solve, no objective), or None if none.

    Without ``tight_start`` the model is about half the size and decides the day the same way
    (a start before the first working day is never better), but the plan read back may take
    its components on a day its lot does not work yet: the caller validates it before use.
    """
    built = _build(state, sku, (qty, qty), (day, day), tight_start=tight_start)
    solver = _solve(built.model, settings, sku, Goal.ANY_PLAN)
    return None if solver is None else extract_plan(solver, built.line)
