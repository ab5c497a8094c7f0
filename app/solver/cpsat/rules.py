"""One function per rule of SPEC section 2, each adding its constraints to the model."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

from app.solver.cpsat.variables import LineVars, NodeVars, OperationVars, UseVars
from app.solver.state import PlanningState


def line_is_served_stock_first(
    model: cp_model.CpModel, state: PlanningState, line: LineVars, last_day: int
) -> None:
    """a = min(qty, ATP(sku, d)) from stock; the rest is the root lot, ready by d."""
    atp = [state.stock_atp(line.sku, day) for day in range(last_day + 1)]
    atp_on_day = model.new_int_var(0, max(atp), f"{line.sku}_atp_on_day")
    model.add_element(line.day, atp, atp_on_day)
    model.add_min_equality(line.from_stock, [line.qty, atp_on_day])
    model.add(line.root.lot == line.qty - line.from_stock)
    model.add(line.root.ready <= line.day)


def lot_needs_setup_and_run_minutes(model: cp_model.CpModel, node: NodeVars) -> None:
    """Each operation needs setup + ceil(n * run) minutes; an empty lot needs none."""
    model.add(node.lot >= 1).only_enforce_if(node.has_lot)
    model.add(node.lot == 0).only_enforce_if(~node.has_lot)
    for op in node.operations:
        run = op.operation.run_minutes_per_unit
        run_minutes = model.new_int_var(0, op.max_minutes, f"{op.minutes.name}_run")
        # run_minutes = ceil(lot * num / den)  <=>  den*run >= lot*num > den*(run - 1)
        model.add(run.denominator * run_minutes >= node.lot * run.numerator)
        model.add(run.denominator * run_minutes <= node.lot * run.numerator + run.denominator - 1)
        model.add(op.minutes == run_minutes + op.operation.setup_minutes * node.has_lot)
        model.add(sum(op.work.values()) == op.minutes)


def operation_works_only_within_its_window(model: cp_model.CpModel, node: NodeVars) -> None:
    """Operation j may work on day t only if operation j-1 finished on a day <= t."""
    previous: OperationVars | None = None
    for op in node.operations:
        for day, work in op.work.items():
            works = op.works[day]
            model.add(work == 0).only_enforce_if(~works)
            model.add(op.finish >= day).only_enforce_if(works)
            if previous is None:
                # Components are taken on the start day: no work before it.
                model.add(node.start <= day).only_enforce_if(works)
            else:
                model.add(previous.finish <= day).only_enforce_if(works)
        if previous is not None:
            model.add(op.finish >= previous.finish)
        else:
            model.add(op.finish >= node.start)
        previous = op


def production_starts_on_its_first_working_day(model: cp_model.CpModel, node: NodeVars) -> None:
    """The start day is the first day operation 1 works (components are taken that day).

    Only needed when a plan is extracted: for deciding a date, a start day earlier than the first
    working day is never better, since ATP only grows and the child lots only get more time.
    """
    first_op = node.operations[0]
    is_first = {
        day: model.new_bool_var(f"{first_op.finish.name}_first{day}") for day in first_op.work
    }
    model.add(sum(is_first.values()) == node.has_lot)
    for day, first in is_first.items():
        model.add(node.start == day).only_enforce_if(first)
        model.add(first_op.work[day] >= 1).only_enforce_if(first)


def components_are_taken_on_the_start_day(
    model: cp_model.CpModel, state: PlanningState, node: NodeVars, last_day: int
) -> None:
    """Components (n * qty_per, rounded up) are taken on the start day, stock first."""
    for use in node.uses:
        qty_per = use.use.qty_per
        model.add(qty_per.denominator * use.need >= node.lot * qty_per.numerator)
        model.add(
            qty_per.denominator * use.need <= node.lot * qty_per.numerator + qty_per.denominator - 1
        )
        atp = [state.stock_atp(use.use.item.sku, day) for day in range(last_day + 1)]
        model.add_element(node.start, atp, use.atp_on_start)
        if use.use.shared:
            # The split between the uses of a shared item is the solver's choice, bounded
            # jointly by `shared_stock_is_split_within_atp`.
            model.add(use.from_stock <= use.need)
            model.add(use.from_stock <= use.atp_on_start)
        else:
            model.add_min_equality(use.from_stock, [use.need, use.atp_on_start])
        model.add(use.rest == use.need - use.from_stock)


def purchases_arrive_after_lead_time(model: cp_model.CpModel, node: NodeVars) -> None:
    """A purchased component can be bought in any quantity for a day >= its lead time."""
    for use in node.uses:
        item = use.use.item
        if item.kind != "purchased":
            continue
        lead = item.lead_time_days
        if lead is None:
            model.add(use.rest == 0)
            continue
        buys = model.new_bool_var(f"{use.need.name}_buys")
        model.add(use.rest == 0).only_enforce_if(~buys)
        model.add(node.start >= lead).only_enforce_if(buys)


def made_components_are_ready_on_the_start_day(model: cp_model.CpModel, node: NodeVars) -> None:
    """A component lot is available at the end of its ready day; the parent may start that day."""
    for use in node.uses:
        item = use.use.item
        if item.kind != "manufactured":
            continue
        if use.child is None:
            # Never expanded: its stock always covers the need.
            model.add(use.rest == 0)
            continue
        model.add(use.child.lot == use.rest)
        model.add(use.child.ready <= node.start)


def resources_stay_within_free_minutes(
    model: cp_model.CpModel, state: PlanningState, nodes: Sequence[NodeVars]
) -> None:
    """Per resource and day, all lots together use at most the free minutes."""
    per_slot: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    for node in nodes:
        for op in node.operations:
            for day, work in op.work.items():
                per_slot[op.operation.resource, day].append(work)
    for (resource, day), works in per_slot.items():
        if len(works) > 1:
            model.add(sum(works) <= int(state.free[resource][day]))


def shared_stock_is_split_within_atp(model: cp_model.CpModel, nodes: Sequence[NodeVars]) -> None:
    """Uses of one item share its stock: for every use k, all takes on days <= its day fit ATP.

    Taking stock on day s must not make any later day short; for several takes that is
    ``sum of takes dated <= s_k  <=  ATP(s_k)`` for every take k (the cumulative takes stay
    under the projected stock on every day from the first take on).
    """
    by_item: dict[str, list[tuple[NodeVars, UseVars]]] = defaultdict(list)
    for node in nodes:
        for use in node.uses:
            if use.use.shared:
                by_item[use.use.item.sku].append((node, use))
    for takes in by_item.values():
        for k, (node_k, use_k) in enumerate(takes):
            earlier_or_same: list[cp_model.IntVar] = []
            for j, (node_j, use_j) in enumerate(takes):
                if j == k:
                    continue
                counted = model.new_int_var(0, use_j.use.max_need, f"{use_j.need.name}_by{k}")
                not_later = model.new_bool_var(f"{use_j.need.name}_le{k}")
                model.add(node_j.start <= node_k.start).only_enforce_if(not_later)
                model.add(node_j.start > node_k.start).only_enforce_if(~not_later)
                model.add(counted == use_j.from_stock).only_enforce_if(not_later)
                model.add(counted == 0).only_enforce_if(~not_later)
                earlier_or_same.append(counted)
            model.add(use_k.from_stock + sum(earlier_or_same) <= use_k.atp_on_start)
