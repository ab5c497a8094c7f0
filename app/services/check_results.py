"""The engine's QuoteResult shaped as the API's check result."""

from __future__ import annotations

from datetime import datetime

from app.schemas.check import (
    CheckLineResult,
    CheckRequest,
    CheckResult,
    ConstraintOut,
    DayLoadOut,
    DeliveryOut,
    ExpediteOut,
    ExtraMinutesOut,
    OperationLoadOut,
    OptionLineOut,
    OptionOut,
    PlanOut,
    ProductionLotOut,
    PurchaseOut,
    StockTakeOut,
)
from app.solver.results import LineOption, LineResult, Plan, QuoteResult


def to_check_result(
    check_id: str, request: CheckRequest, result: QuoteResult, created_at: datetime
) -> CheckResult:
    return CheckResult(
        id=check_id,
        quote_ref=request.quote_ref,
        customer=request.customer,
        as_of=result.as_of,
        status=result.status,
        promise_date=result.promise_date,
        ship_complete=result.ship_complete,
        created_at=created_at,
        lines=[_line(line) for line in result.lines],
    )


def _line(line: LineResult) -> CheckLineResult:
    return CheckLineResult(
        line_ref=line.line_ref,
        sku=line.sku,
        qty=line.qty,
        requested_date=line.requested_date,
        feasible_on_requested_date=line.feasible_on_requested_date,
        qty_on_requested_date=line.qty_on_requested_date,
        earliest_date=line.earliest_date,
        promised_date=line.promised_date,
        delivery_date=line.delivery_date,
        plan=_plan(line.plan),
        constraints=[
            ConstraintOut(
                kind=c.kind,
                sku=c.sku,
                resource=c.resource,
                from_date=c.from_date,
                until_date=c.until_date,
                detail=c.detail,
            )
            for c in line.constraints
        ],
        method=line.method,
        options=None if line.options is None else [_option(o) for o in line.options],
    )


def _option(option: LineOption) -> OptionOut:
    extra_capacity = option.kind == "extra_capacity"
    return OptionOut(
        kind=option.kind,
        detail=option.detail,
        deliveries=[
            DeliveryOut(qty=d.qty, date=d.date, plan=_plan(d.plan)) for d in option.deliveries
        ],
        lines=[
            OptionLineOut(
                line_ref=x.line_ref, sku=x.sku, qty=x.qty, requested_date=x.requested_date
            )
            for x in option.lines
        ],
        extra=[
            ExtraMinutesOut(
                resource=e.resource,
                date=e.date,
                minutes=e.minutes,
                exception_minutes=e.exception_minutes,
            )
            for e in option.extra
        ]
        if extra_capacity
        else None,
        expedite=[
            ExpediteOut(sku=p.sku, qty=p.qty, order_by=p.order_by, date=p.date)
            for p in option.expedite
        ]
        if extra_capacity
        else None,
        cost=None if option.cost is None else float(option.cost),
        plan=None if option.plan is None else _plan(option.plan),
    )


def _plan(plan: Plan) -> PlanOut:
    return PlanOut(
        stock=[StockTakeOut(sku=s.sku, date=s.date, qty=s.qty) for s in plan.stock],
        purchases=[
            PurchaseOut(sku=p.sku, qty=p.qty, date=p.date, order_by=p.order_by)
            for p in plan.purchases
        ],
        production=[
            ProductionLotOut(
                sku=lot.sku,
                qty=lot.qty,
                start_date=lot.start_date,
                ready_date=lot.ready_date,
                operations=[
                    OperationLoadOut(
                        seq=op.seq,
                        resource=op.resource,
                        minutes=op.minutes,
                        loads=[DayLoadOut(date=d.date, minutes=d.minutes) for d in op.loads],
                    )
                    for op in lot.operations
                ],
            )
            for lot in plan.production
        ],
    )
